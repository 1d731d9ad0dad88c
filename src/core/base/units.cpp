#include "base/units.hpp"

#include <cmath>
#include <cstdlib>

namespace wif {

std::string format_int(std::int64_t value) {
    const bool negative = value < 0;
    std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
    std::string digits;
    int count = 0;
    do {
        if (count > 0 && count % 3 == 0) digits.push_back(',');
        digits.push_back(static_cast<char>('0' + magnitude % 10));
        magnitude /= 10;
        ++count;
    } while (magnitude > 0);
    if (negative) digits.push_back('-');
    return std::string(digits.rbegin(), digits.rend());
}

std::string format_fixed(double value, int decimals) {
    if (!std::isfinite(value)) return "?";
    if (decimals < 0) decimals = 0;
    if (decimals > 6) decimals = 6;
    std::int64_t scale = 1;
    for (int i = 0; i < decimals; ++i) scale *= 10;
    const bool negative = value < 0;
    for (; decimals > 0 && std::fabs(value) * static_cast<double>(scale) >= 9.2e18; --decimals) scale /= 10;
    if (std::fabs(value) >= 9.2e18) {
        // Beyond int64: whole digits only, 17 significant ones and then zeros.
        double m = std::fabs(value);
        size_t zeros = 0;
        for (; m >= 1e17; ++zeros) m /= 10;
        std::string out = negative ? "-" : "";
        out += std::to_string(std::llround(m));
        out.append(zeros, '0');
        return out;
    }
    const std::int64_t scaled = std::llround(std::fabs(value) * static_cast<double>(scale));
    std::string out = negative && scaled != 0 ? "-" : "";
    out += std::to_string(scaled / scale);
    if (decimals > 0) {
        std::string frac = std::to_string(scaled % scale);
        out += '.';
        out.append(static_cast<size_t>(decimals) - frac.size(), '0');
        out += frac;
    }
    return out;
}

std::string format_sig3(double value) {
    if (!std::isfinite(value)) return "?";
    const double magnitude = std::fabs(value);
    int decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
    // 99.96 rounds up to "100.0": re-round at the wider magnitude.
    const double scale = decimals == 3 ? 1000 : decimals == 2 ? 100 : decimals == 1 ? 10 : 1;
    const double threshold = decimals == 3 ? 1 : decimals == 2 ? 10 : 100;
    if (decimals > 0 && std::round(magnitude * scale) / scale >= threshold) --decimals;
    std::string text = format_fixed(value, decimals);
    if (text.find('.') != std::string::npos) {
        while (text.back() == '0') text.pop_back();
        if (text.back() == '.') text.pop_back();
    }
    return text;
}

std::string format_bytes(bytes_t bytes, Units units) {
    const double b = static_cast<double>(bytes);
    if (units == Units::gib) {
        // fabs of the double: llabs(INT64_MIN) is undefined.
        if (std::fabs(b) >= static_cast<double>(GiB - GiB / 200)) return format_sig3(b / GiB) + " GiB";
        if (std::fabs(b) >= static_cast<double>(MiB / 2)) return format_sig3(b / MiB) + " MiB";
        return format_sig3(b / KiB) + " KiB";
    }
    if (std::fabs(b) >= 0.995e9) return format_sig3(b / 1e9) + " GB";
    if (std::fabs(b) >= 0.995e6) return format_sig3(b / 1e6) + " MB";
    return format_sig3(b / 1e3) + " kB";
}

std::string format_params(std::int64_t params) {
    const double p = static_cast<double>(params);
    if (p >= 1e12) return format_sig3(p / 1e12) + "T";
    if (p >= 1e9) return format_sig3(p / 1e9) + "B";
    if (p >= 1e6) return format_sig3(p / 1e6) + "M";
    return format_int(params);
}

std::string to_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

}  // namespace wif
