#include <catch2/catch.hpp>

#include <cstddef>
#include <string>

#include "facts/catalog_snapshot.hpp"
#include "test_support.hpp"

using namespace wif;

namespace {

// Counts an aggregate's members: the most initializers T{...} accepts (each converts to any type).
struct AnyField {
    template <class T>
    operator T() const;  // NOLINT: only used unevaluated
};

template <class T, class... Fields>
constexpr std::size_t member_count() {
    if constexpr (requires { T{Fields{}..., AnyField{}}; }) {
        return member_count<T, Fields..., AnyField>();
    } else {
        return sizeof...(Fields);
    }
}

// A catalog of one entry of each kind from the real one, small enough to damage byte by byte.
Catalog one_of_each() {
    const Catalog& full = test::catalog();
    Catalog c;
    c.models = {full.models.at(static_cast<size_t>(full.find_model("llama-3.1-8b").index))};
    c.devices = {full.devices.at(static_cast<size_t>(full.find_device("rtx-4090").index))};
    c.quants = {full.quants.at(static_cast<size_t>(full.find_quant("Q4_K_M").index))};
    c.models_date = "2026-12-02";
    REQUIRE(c.build_index());
    return c;
}

}  // namespace

TEST_CASE("a catalog snapshot reads back as the catalog that was written", "[catalog_snapshot]") {
    const Catalog& c = test::catalog();
    const Expected<Catalog> back = read_catalog_snapshot(write_catalog_snapshot(c));
    REQUIRE(back.ok());
    CHECK(back->models == c.models);
    CHECK(back->devices == c.devices);
    CHECK(back->quants == c.quants);
    CHECK(back->models_date == c.models_date);
    CHECK(back->devices_date == c.devices_date);
    CHECK(back->quants_date == c.quants_date);
    // Indexed as load_catalog indexes: the same names find the same entries.
    CHECK(back->find_model("Llama 3.1 8B").index == c.find_model("Llama 3.1 8B").index);
    CHECK(back->find_model("meta-llama/Llama-3.3-70B-Instruct").index == c.find_model("meta-llama/Llama-3.3-70B-Instruct").index);
    CHECK(back->find_device("4090").index == c.find_device("4090").index);
    CHECK(back->find_quant("q4_k_m").index == c.find_quant("q4_k_m").index);
}

TEST_CASE("the snapshot stores every member of every catalog struct", "[catalog_snapshot]") {
    // A member added to a struct and not to the snapshot's field lists fails here, not in the page.
    const SnapshotFieldCounts n = catalog_snapshot_field_counts();
    CHECK(n.model_entry == static_cast<int>(member_count<ModelEntry>()));
    CHECK(n.model_arch == static_cast<int>(member_count<ModelArch>()));
    CHECK(n.device == static_cast<int>(member_count<Device>()));
    CHECK(n.quant_entry == static_cast<int>(member_count<QuantEntry>()));
    CHECK(n.quant_spec == static_cast<int>(member_count<QuantSpec>()));
    // Counted by hand from the headers, so that the counting itself is checked too.
    CHECK(member_count<Device>() == 19);
    CHECK(member_count<QuantSpec>() == 12);
    CHECK(member_count<QuantEntry>() == 4);
}

TEST_CASE("a damaged catalog snapshot is an error, never a catalog", "[catalog_snapshot]") {
    const std::string bytes = write_catalog_snapshot(one_of_each());
    REQUIRE(read_catalog_snapshot(bytes).ok());
    SECTION("every truncation") {
        for (size_t n = 0; n < bytes.size(); ++n) {
            const Expected<Catalog> c = read_catalog_snapshot(std::string_view(bytes).substr(0, n));
            REQUIRE_FALSE(c.ok());
            CHECK(c.error().code == "invalid_snapshot");
        }
    }
    SECTION("bytes after the end, another header, another version") {
        CHECK_FALSE(read_catalog_snapshot(bytes + '\0').ok());
        CHECK_FALSE(read_catalog_snapshot("WIFCAX" + bytes.substr(6)).ok());
        std::string other = bytes;
        other[6] = static_cast<char>(kCatalogSnapshotVersion + 1);
        CHECK(read_catalog_snapshot(other).error().message.find("version") != std::string::npos);
    }
    SECTION("every byte changed reads as an error or as a catalog that passes the checks") {
        for (size_t i = 0; i < bytes.size(); ++i) {
            for (unsigned char x : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
                std::string damaged = bytes;
                damaged[i] = static_cast<char>(x);
                const Expected<Catalog> c = read_catalog_snapshot(damaged);
                if (c.ok()) {
                    REQUIRE(c->models.size() == 1);
                    CHECK(validate_arch(c->models[0].arch).ok());
                    CHECK(c->devices[0].memory_gib > 0);
                }
            }
        }
    }
}

TEST_CASE("a snapshot with values the catalog cannot hold is refused", "[catalog_snapshot]") {
    Catalog c = one_of_each();
    SECTION("an enum past its last value") {
        c.devices[0].kind = static_cast<DeviceKind>(7);
        CHECK(read_catalog_snapshot(write_catalog_snapshot(c)).error().code == "invalid_snapshot");
    }
    SECTION("a model without layers") {
        c.models[0].arch.num_hidden_layers = 0;
        const Expected<Catalog> back = read_catalog_snapshot(write_catalog_snapshot(c));
        REQUIRE_FALSE(back.ok());
        CHECK(back.error().message.find("llama-3.1-8b") != std::string::npos);
    }
    SECTION("a device without memory") {
        c.devices[0].memory_gib = 0;
        CHECK_FALSE(read_catalog_snapshot(write_catalog_snapshot(c)).ok());
    }
    SECTION("two entries with one name") {
        c.models.push_back(c.models[0]);
        CHECK_FALSE(read_catalog_snapshot(write_catalog_snapshot(c)).ok());
    }
}
