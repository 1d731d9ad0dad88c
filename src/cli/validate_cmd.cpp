#include "validate_cmd.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>

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

}  // namespace

int run_validate(const wif::Catalog& catalog, bool json, const std::string& points_path) {
    const wif::Expected<std::string> text = wif::read_bounded(points_path, kMaxPointsBytes);
    if (!text) return fail(text.error(), json);
    const wif::Expected<wif::Json> doc = wif::parse_json(text.value(), points_path);
    if (!doc) return fail(doc.error(), json);
    const wif::Expected<wif::ValidationReport> report = wif::validate(catalog, doc.value());
    if (!report) return fail(report.error(), json);
    const wif::ValidationReport& r = report.value();
    if (json) {
        wif::JsonWriter w(2);
        wif::write_validation(w, r);
        std::cout << w.str() << "\n";
        return r.ok ? 0 : 1;
    }
    std::printf("%-16s %4s %8s %12s  %-52s %9s  %s\n", "category", "n", "skipped", "median |err|", "worst |err| (id)", "threshold", "ok");
    for (const wif::ValidationCategory& c : r.categories) {
        const std::string worst = c.count ? pct(c.worst_abs_error) + " (" + c.worst_id + ")" : "-";
        std::printf("%-16s %4d %8d %12s  %-52s %9s  %s\n", c.name.c_str(), c.count, c.skipped, pct(c.median_abs_error).c_str(),
                    worst.c_str(), pct(c.threshold).c_str(), c.ok ? "yes" : "NO");
    }
    std::printf("%d points predicted, %d skipped (each with its reason in --json). Error = predicted / measured - 1.\n",
                r.predicted, r.skipped);
    if (!r.ok) std::printf("FAILED: a category's median |error| is past its threshold.\n");
    return r.ok ? 0 : 1;
}

}  // namespace wif::cli
