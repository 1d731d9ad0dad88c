// Shared by the fuzz targets: the catalogs built into the programs, parsed once.
#pragma once

#include <cstdlib>
#include <cstdio>

#include "embedded_catalogs.hpp"
#include "facts/catalog.hpp"

namespace wif_fuzz {

inline const wif::Catalog& catalog() {
    static const wif::Catalog c = [] {
        wif::Expected<wif::Catalog> loaded = wif::load_catalog(wif::embedded_catalogs());
        if (!loaded) {
            std::fprintf(stderr, "embedded catalog: %s\n", loaded.error().message.c_str());
            std::abort();
        }
        return std::move(loaded.value());
    }();
    return c;
}

}  // namespace wif_fuzz
