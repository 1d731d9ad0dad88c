// The catalogs compiled into the binary (generated from catalogs/*.json at build time).
#pragma once

#include <string_view>
#include <vector>

#include "facts/catalog.hpp"

namespace wif {

std::vector<CatalogText> embedded_catalogs();

// The page's core: the catalogs as a binary snapshot (facts/catalog_snapshot.hpp), written at build
// time from the JSON by src/tools/write_catalog_snapshot.cpp.
std::string_view embedded_catalog_snapshot();

}  // namespace wif
