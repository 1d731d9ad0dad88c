#include "validate_cmd.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>

#include "advice/bands.hpp"
#include "advice/validate.hpp"
#include "base/json_writer.hpp"
#include "read_file.hpp"

namespace wif::cli {

namespace {

constexpr std::size_t kMaxPointsBytes = 32u << 20;

int fail(const wif::Error& e, bool json) {
    if (json) {
        wif::JsonWriter w(2);
        w.begin_object().key("error").begin_object().field("code", e.code).field("message", e.message).end_object().end_object();
        std::cout << w.str() << "\n";
    } else {
        std::cerr << "willitfit validate: " << e.message << "\n";
    }
    return 1;
}

std::string pct(double fraction) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", fraction * 100);
    return buf;
}

std::string layers(double n) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f layers", n);
    return buf;
}

}  // namespace

int run_validate(const wif::Catalog& catalog, bool json, const std::string& points_path, bool bands) {
    const wif::Expected<std::string> text = wif::read_bounded(points_path, kMaxPointsBytes);
    if (!text) return fail(text.error(), json);
    const wif::Expected<wif::Json> doc = wif::parse_json(text.value(), points_path);
    if (!doc) return fail(doc.error(), json);
    const wif::Expected<wif::ValidationReport> report = wif::validate(catalog, doc.value());
    if (!report) return fail(report.error(), json);
    const wif::ValidationReport& r = report.value();
    if (bands) {
        // The rows to paste between the GENERATED markers of src/core/advice/bands.cpp.
        std::cout << wif::band_table_source(wif::band_stats(r));
        return 0;
    }
    if (json) {
        wif::JsonWriter w(2);
        wif::write_validation(w, r);
        std::cout << w.str() << "\n";
        return r.ok ? 0 : 1;
    }
    std::printf("%-16s %4s %8s %12s  %-60s %10s %8s %4s %12s\n", "category", "n", "skipped", "median |err|", "worst |err| (id)", "threshold",
                "within", "ok", "issue target");
    for (const wif::ValidationCategory& c : r.categories) {
        // offload_layers counts layers (predicted - measured); the others are relative errors.
        auto err = [&](double e) { return c.absolute ? layers(e) : pct(e); };
        const std::string worst = c.count ? err(c.worst_abs_error) + " (" + c.worst_id + ")" : "-";
        const std::string target = c.target > 0 ? err(c.target) + (c.target_met ? " met" : " MISSED") : "-";
        std::printf("%-16s %4d %8d %12s  %-60s %10s %8s %4s %12s\n", c.name.c_str(), c.count, c.skipped, err(c.median_abs_error).c_str(),
                    worst.c_str(), err(c.threshold).c_str(), pct(c.share_within_threshold).c_str(), c.ok ? "yes" : "NO", target.c_str());
    }
    std::printf("%d points predicted, %d skipped (each with its reason in --json). Error = predicted / measured - 1\n"
                "(offload_layers: predicted - measured layers); within = points whose |error| is at most the threshold.\n",
                r.predicted, r.skipped);
    if (!r.ok) std::printf("FAILED: a category's median |error| is past its threshold.\n");
    return r.ok ? 0 : 1;
}

}  // namespace wif::cli
