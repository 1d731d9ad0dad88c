#include "advice/bands.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "base/units.hpp"

namespace wif {

namespace {

// BEGIN GENERATED BAND TABLE (tests/validation/update_bands.py; checked by tests/core/advice/bands_test.cpp)
constexpr BandRow kBandTable[] = {
    {"inference_total", "*", 13, 0.063013},
    {"inference_total", "llama.cpp", 6, 0.000076},
    {"decode_speed", "*", 47, 0.131906},
    {"decode_speed", "llama.cpp", 41, 0.131906},
    {"decode_speed", "ollama", 6, 0.113028},
    {"prefill_speed", "*", 15, 0.223701},
    {"prefill_speed", "llama.cpp", 15, 0.223701},
    {"finetune_peak", "*", 12, 0.068512},
    {"finetune_peak", "litgpt", 7, 0.069902},
    {"finetune_peak", "torchtune", 5, 0.059564},
    {"offload_layers", "*", 13, 2.000000},
    {"offload_layers", "llama.cpp", 8, 5.000000},
    {"offload_layers", "ollama", 5, 1.000000},
};
// END GENERATED BAND TABLE

bool is_layers(std::string_view category) { return category == "offload_layers"; }

std::string percent(double fraction) {
    const double p = fraction * 100;
    return (p < 10 ? format_fixed(p, 1) : format_fixed(p, 0)) + "%";
}

}  // namespace

std::span<const BandRow> band_table() { return kBandTable; }

double band_floor(std::string_view category) {
    // Totals are printed to 0.1 GiB or three digits (about 1-2%); fine-tuning peaks vary with the
    // allocator's rounding; tokens/s vary run to run by a few percent (llama-bench's +- column);
    // layers are whole.
    if (category == "inference_total") return 0.02;
    if (category == "finetune_peak") return 0.03;
    if (category == "decode_speed" || category == "prefill_speed") return 0.05;
    if (category == "offload_layers") return 1.0;
    return 0.02;
}

double percentile80_abs(std::vector<double> values) {
    if (values.empty()) return 0;
    for (double& v : values) v = std::fabs(v);
    std::sort(values.begin(), values.end());
    const size_t rank = static_cast<size_t>(std::ceil(0.8 * static_cast<double>(values.size())));
    return values[std::max<size_t>(rank, 1) - 1];
}

std::vector<BandStat> band_stats(const ValidationReport& report) {
    std::vector<BandStat> out;
    for (const char* category : kBandCategories) {
        std::vector<double> all;
        std::map<std::string, std::vector<double>> by_engine;
        for (const ValidationPoint& p : report.points) {
            if (p.skipped || p.category != category || !p.known_miss.empty()) continue;
            all.push_back(p.error);
            by_engine[p.engine].push_back(p.error);
        }
        if (all.empty()) continue;
        out.push_back({category, "*", static_cast<int>(all.size()), percentile80_abs(all)});
        for (const auto& [engine, errors] : by_engine) {
            if (static_cast<int>(errors.size()) >= kBandMinPoints) {
                out.push_back({category, engine, static_cast<int>(errors.size()), percentile80_abs(errors)});
            }
        }
    }
    return out;
}

std::string band_table_source(const std::vector<BandStat>& stats) {
    std::string s = "constexpr BandRow kBandTable[] = {\n";
    // format_fixed, not printf: the WebAssembly build's printf stand-in covers one format only.
    for (const BandStat& b : stats) {
        s += "    {\"" + b.category + "\", \"" + b.engine + "\", " + std::to_string(b.points) + ", " + format_fixed(b.p80, 6) + "},\n";
    }
    return s + "};\n";
}

std::optional<Band> make_band(std::string_view category, std::string_view engine, double value, double max_value) {
    const BandRow* any = nullptr;
    const BandRow* own = nullptr;
    for (const BandRow& r : kBandTable) {
        if (category != r.category || r.points <= 0) continue;
        if (std::string_view(r.engine) == "*") any = &r;
        else if (!engine.empty() && engine == r.engine) own = &r;
    }
    const BandRow* row = own ? own : any;
    if (!row || !std::isfinite(value)) return std::nullopt;
    Band b;
    b.value = value;
    b.category = row->category;
    b.engine = row->engine;
    b.points = row->points;
    b.relative = std::max(row->p80, band_floor(category));
    const std::string who = std::string_view(row->engine) == "*" ? "every engine" : std::string(row->engine);
    if (is_layers(category)) {
        b.low = std::max(0.0, value - b.relative);
        b.high = max_value > 0 ? std::min(max_value, value + b.relative) : value + b.relative;
        b.basis = "80% of " + std::to_string(row->points) + " measured layer counts (" + who + ") were within " +
                  format_fixed(row->p80, 0) + " layers of the estimate (floor " + format_fixed(band_floor(category), 0) + ")";
        return b;
    }
    // An error of +-r: measured = predicted / (1 + e). Past 90% the upper side is held at 10x.
    const double r = std::min(b.relative, 0.9);
    b.low = value / (1 + b.relative);
    b.high = value / (1 - r);
    b.basis = "80% of " + std::to_string(row->points) + " " + std::string(category) + " measurements (" + who + ") were within " +
              percent(row->p80) + " of the estimate (floor " + percent(band_floor(category)) + ")";
    return b;
}

std::string band_plus_minus(const Band& b) {
    if (is_layers(b.category)) {
        const double n = std::round(b.relative);
        return "± " + format_fixed(n, 0) + (n == 1 ? " layer" : " layers");
    }
    return "± " + percent(b.relative);
}

}  // namespace wif
