#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "advice/bands.hpp"
#include "advice/validate.hpp"
#include "test_support.hpp"

using namespace wif;

namespace {

const BandRow* row_of(std::string_view category, std::string_view engine) {
    for (const BandRow& r : band_table()) {
        if (category == r.category && engine == r.engine) return &r;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("the band table in bands.cpp is the one the validation set gives today", "[bands]") {
    // Recomputed from tests/validation/points.json through validate(): when predictions or points
    // change, regenerate the table with `willitfit validate --bands` (and say why in the commit).
    const std::string path = std::string(WIF_SOURCE_DIR) + "/tests/validation/points.json";
    const Expected<Json> doc = parse_json(test::read_text(path), "points.json");
    REQUIRE(doc.ok());
    const Expected<ValidationReport> report = validate(test::catalog(), doc.value());
    REQUIRE(report.ok());
    const std::vector<BandStat> fresh = band_stats(report.value());
    const auto table = band_table();
    INFO("regenerate with: willitfit validate --bands\n" << band_table_source(fresh));
    REQUIRE(fresh.size() == table.size());
    for (size_t i = 0; i < fresh.size(); ++i) {
        INFO(fresh[i].category << " / " << fresh[i].engine);
        CHECK(fresh[i].category == table[i].category);
        CHECK(fresh[i].engine == table[i].engine);
        CHECK(fresh[i].points == table[i].points);
        // The table is printed to six decimals; a drift of 0.05 percentage points (or layers) fails.
        CHECK(std::fabs(fresh[i].p80 - table[i].p80) < 5e-4);
    }
    // Every band category of the issue has a row for all engines.
    for (const char* category : kBandCategories) {
        INFO(category);
        CHECK(row_of(category, "*") != nullptr);
    }
}

TEST_CASE("the 80th percentile of |error| is the ceil(0.8 n)-th smallest by nearest rank", "[bands]") {
    // Ten errors: |e| sorted = 0.01 0.02 ... 0.10; ceil(8.0) = 8th smallest = 0.08.
    CHECK(percentile80_abs({0.10, -0.01, 0.02, -0.03, 0.04, 0.05, -0.06, 0.07, -0.08, 0.09}) == Approx(0.08));
    // Six errors: ceil(4.8) = 5th smallest of 0 0 0 0 0 0.038 = 0.
    CHECK(percentile80_abs({0, 0, 0, 0, 0, -0.038}) == 0);
    // One error: itself; none: 0.
    CHECK(percentile80_abs({-0.25}) == Approx(0.25));
    CHECK(percentile80_abs({}) == 0);
}

TEST_CASE("a relative band puts the measured value between value / (1 + r) and value / (1 - r)", "[bands]") {
    // error = predicted / measured - 1 within +-r  <=>  measured within [p / (1 + r), p / (1 - r)].
    const BandRow* row = row_of("decode_speed", "llama.cpp");
    REQUIRE(row != nullptr);
    const double r = std::max(row->p80, band_floor("decode_speed"));
    const std::optional<Band> b = make_band("decode_speed", "llama.cpp", 12.0);
    REQUIRE(b);
    CHECK(b->relative == Approx(r));
    CHECK(b->low == Approx(12.0 / (1 + r)));
    CHECK(b->high == Approx(12.0 / (1 - r)));
    CHECK(b->engine == "llama.cpp");
    CHECK(b->points == row->points);
    CHECK(b->basis.find(std::to_string(row->points) + " decode_speed measurements") != std::string::npos);
}

TEST_CASE("a band is never narrower than its category's floor", "[bands]") {
    // Totals are printed to 0.1 GiB or three digits: 2% at least, even where the estimates were exact.
    for (const BandRow& row : band_table()) {
        INFO(row.category << " / " << row.engine);
        const std::optional<Band> b = make_band(row.category, row.engine, 100.0, 1000.0);
        REQUIRE(b);
        CHECK(b->relative >= band_floor(row.category));
        CHECK(b->relative == Approx(std::max(row.p80, band_floor(row.category))));
    }
    CHECK(band_floor("inference_total") == Approx(0.02));
    CHECK(band_floor("offload_layers") == Approx(1.0));
}

TEST_CASE("an engine without its own row takes the category's row for every engine", "[bands]") {
    // No exllamav2 totals were measured: its answers use the "*" row of inference_total.
    const std::optional<Band> b = make_band("inference_total", "exllamav2", 1e10);
    REQUIRE(b);
    CHECK(b->engine == "*");
    CHECK(b->points == row_of("inference_total", "*")->points);
    CHECK_FALSE(make_band("no_such_category", "llama.cpp", 1.0));
}

TEST_CASE("a layer band is the layer count plus or minus whole layers, within 0 and the total", "[bands]") {
    const std::optional<Band> b = make_band("offload_layers", "ollama", 27, 81);
    REQUIRE(b);
    const double r = b->relative;
    CHECK(r >= 1.0);
    CHECK(b->low == Approx(27 - r));
    CHECK(b->high == Approx(27 + r));
    const std::optional<Band> top = make_band("offload_layers", "ollama", 81, 81);
    REQUIRE(top);
    CHECK(top->high == Approx(81));  // no more layers than the model has
    const std::optional<Band> none = make_band("offload_layers", "ollama", 0, 81);
    REQUIRE(none);
    CHECK(none->low == 0);
    CHECK(band_plus_minus(*b).find("layer") != std::string::npos);
}
