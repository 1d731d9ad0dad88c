// `willitfit validate [--json] [--points FILE]`: predicts every point of the validation set and
// prints the error per category; exit status 1 when a category's median error passes its threshold.
#pragma once

#include <string>

#include "facts/catalog.hpp"

namespace wif::cli {

// The validation set's default path, relative to the repository root.
inline constexpr const char* kDefaultPointsPath = "tests/validation/points.json";

// Returns 0 when every category meets its threshold, 1 when one does not or the file cannot be read.
// `bands`: print the band table (src/core/advice/bands.cpp) the set gives, as C++ rows, instead.
int run_validate(const wif::Catalog& catalog, bool json, const std::string& points_path, bool bands = false);

}  // namespace wif::cli
