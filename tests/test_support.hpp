// Shared helpers for the Catch2 tests: the catalogs from the source tree, loaded once.
#pragma once

#include <string>

#include "catalog.hpp"
#include "estimate.hpp"

namespace wif::test {

// Reads a file under the source tree (aborts the test run if it is missing).
std::string read_text(const std::string& path);

// models.json, devices.json and quants.json from catalogs/ (with their citation fields).
const Catalog& catalog();

// The catalog model `id`, prepared for estimation (REQUIREs that it exists).
PreparedModel model(const std::string& id);
const Device& device(const std::string& id);
const QuantSpec& quant(const std::string& id);

}  // namespace wif::test
