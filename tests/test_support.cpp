#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

namespace wif::test {

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) FAIL("cannot read " << path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

const Catalog& catalog() {
    static const Catalog c = [] {
        const std::string dir = WIF_CATALOG_DIR;
        Expected<Catalog> loaded = load_catalog({{"models.json", read_text(dir + "/models.json")},
                                                 {"devices.json", read_text(dir + "/devices.json")},
                                                 {"quants.json", read_text(dir + "/quants.json")}});
        if (!loaded) FAIL(loaded.error().message);
        return std::move(loaded.value());
    }();
    return c;
}

PreparedModel model(const std::string& id) {
    const Lookup l = catalog().find_model(id);
    REQUIRE(l.index >= 0);
    const ModelEntry& m = catalog().models[static_cast<size_t>(l.index)];
    return prepare_model(m.id, m.name, m.arch);
}

const Device& device(const std::string& id) {
    const Lookup l = catalog().find_device(id);
    REQUIRE(l.index >= 0);
    return catalog().devices[static_cast<size_t>(l.index)];
}

const QuantSpec& quant(const std::string& id) {
    const Lookup l = catalog().find_quant(id);
    REQUIRE(l.index >= 0);
    return catalog().quants[static_cast<size_t>(l.index)].spec;
}

}  // namespace wif::test
