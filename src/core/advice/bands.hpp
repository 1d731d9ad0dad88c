// Error bands: every answer's figure with the range that its category's validation errors imply
// (tests/validation/points.json). The table of 80th percentiles lives here, once; `willitfit
// validate --bands` prints it from the set and tests/core/advice/bands_test.cpp fails when the
// table and the set disagree, so the numbers cannot go stale.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "advice/validate.hpp"

namespace wif {

// One row of the band table: over the predicted points of a category answered by an engine ("*":
// every engine of the category), how many there are and the 80th percentile of |error| (nearest
// rank: the ceil(0.8 n)-th smallest). Relative errors, except offload_layers (layers). Points marked
// known_miss are left out: each measured a different workload, version or quantity than the one
// predicted (the point says which; docs/accuracy.md lists them), so they say nothing of an answer's
// error. They stay in the validation statistics.
struct BandRow {
    const char* category;
    const char* engine;
    int points;
    double p80;
};

// The categories an answer carries a band for.
inline constexpr const char* kBandCategories[] = {"inference_total", "decode_speed", "prefill_speed", "finetune_peak", "offload_layers"};
// An engine gets its own row with at least this many points; otherwise its answers use the "*" row.
inline constexpr int kBandMinPoints = 5;

// The generated table (bands.cpp).
std::span<const BandRow> band_table();

// The narrowest band of a category, whatever the table says: the resolution of the measurements
// themselves (totals printed to 0.1 GiB or three digits, run-to-run spread of tokens/s, whole layers).
double band_floor(std::string_view category);

// The 80th percentile of |values| by nearest rank (0 for none).
double percentile80_abs(std::vector<double> values);

// The table as the set gives it today: per band category with points, one "*" row and then one
// row per engine with at least kBandMinPoints points, by engine name.
struct BandStat {
    std::string category, engine;
    int points = 0;
    double p80 = 0;
};
std::vector<BandStat> band_stats(const ValidationReport& report);
// The rows as C++ source for bands.cpp (`willitfit validate --bands`).
std::string band_table_source(const std::vector<BandStat>& stats);

// An estimate's range. Relative: an error e = predicted / measured - 1 within +-r puts the measured
// value between value / (1 + r) and value / (1 - r). Layers: value -+ r, within [0, total].
struct Band {
    double value = 0, low = 0, high = 0;
    double relative = 0;   // r = max(p80, floor): a fraction, or layers for offload_layers
    std::string category;
    std::string engine;    // the row used ("*": every engine of the category)
    int points = 0;        // validation points behind the row
    std::string basis;     // the row in words
};

// The band of `value` for a category answered by `engine` (engine_name(...), "" for none); no band
// when the table has no row for the category. `max_value` bounds a layer band (total layers).
std::optional<Band> make_band(std::string_view category, std::string_view engine, double value, double max_value = 0);

// "± 4%" or "± 2 layers".
std::string band_plus_minus(const Band& band);

}  // namespace wif
