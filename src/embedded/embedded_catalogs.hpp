// The catalogs compiled into the binary (generated from catalogs/*.json at build time).
#pragma once

#include <vector>

#include "facts/catalog.hpp"

namespace wif {

std::vector<CatalogText> embedded_catalogs();

}  // namespace wif
