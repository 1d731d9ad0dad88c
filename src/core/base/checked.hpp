// Checked arithmetic (issue 11): the one place where a parsed double becomes an integer and
// where byte and count products are formed. Nothing here wraps or invokes undefined
// behaviour; out-of-range results are reported as std::nullopt (or an "out_of_range" Error)
// and never thrown, because the WebAssembly build runs with -fno-exceptions.
//
//   checked_int(1e300, 1, 64)              -> nullopt (instead of UB, then a silent 1 GPU)
//   checked_mul(a, b), checked_add(a, b)   -> nullopt on int64 overflow
//   checked_mul_all({layers, cells, bytes}) -> the product, or nullopt
//   saturating_mul / saturating_add        -> clamp to kMaxBytes, for totals that must stay printable
//   to_int64(value, min, max, "count")     -> Expected, with a message naming the value
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>

#include "base/expected.hpp"

namespace wif {

// The largest byte or count value the core reports: 2^60 (1 EiB). Far beyond any device, and
// small enough that a handful of such values still add up without overflowing int64.
inline constexpr std::int64_t kMaxBytes = std::int64_t{1} << 60;

// A double -> integer conversion that is defined for every input: nullopt when `value` is NaN,
// infinite, not a whole number (unless `round`), or outside [min, max].
// With `round`, the value is rounded to the nearest integer (half away from zero) first.
constexpr std::optional<std::int64_t> checked_int(double value, std::int64_t min, std::int64_t max, bool round = false) {
    if (!(value == value)) return std::nullopt;  // NaN
    // Compare in double: every int64 bound converts (possibly rounding to 2^63), and any double
    // strictly below 2^63 and at or above -2^63 converts to int64 without UB.
    constexpr double two63 = 9223372036854775808.0;
    if (!(value >= -two63 && value < two63)) return std::nullopt;  // also catches infinities
    if (round) {
        const double r = value < 0 ? -__builtin_floor(-value + 0.5) : __builtin_floor(value + 0.5);
        if (!(r >= -two63 && r < two63)) return std::nullopt;
        value = r;
    } else if (__builtin_floor(value) != value) {
        return std::nullopt;
    }
    const auto n = static_cast<std::int64_t>(value);
    if (n < min || n > max) return std::nullopt;
    return n;
}

// int, for counts that live in int fields (device count, bits, group size).
constexpr std::optional<int> checked_int32(double value, int min, int max, bool round = false) {
    const std::optional<std::int64_t> n = checked_int(value, min, max, round);
    if (!n) return std::nullopt;
    return static_cast<int>(*n);
}

constexpr std::optional<std::int64_t> checked_mul(std::int64_t a, std::int64_t b) {
    std::int64_t out = 0;
    if (__builtin_mul_overflow(a, b, &out)) return std::nullopt;
    return out;
}

constexpr std::optional<std::int64_t> checked_add(std::int64_t a, std::int64_t b) {
    std::int64_t out = 0;
    if (__builtin_add_overflow(a, b, &out)) return std::nullopt;
    return out;
}

// Product of every factor, or nullopt when any intermediate overflows int64.
constexpr std::optional<std::int64_t> checked_mul_all(std::initializer_list<std::int64_t> factors) {
    std::int64_t out = 1;
    for (std::int64_t f : factors) {
        if (__builtin_mul_overflow(out, f, &out)) return std::nullopt;
    }
    return out;
}

// For non-negative byte counts: the exact result when it is at most `cap`, else `cap`.
// Totals computed this way stay meaningful ("more than 1 EiB") and safe to add a few of.
constexpr std::int64_t saturating_mul(std::int64_t a, std::int64_t b, std::int64_t cap = kMaxBytes) {
    if (a <= 0 || b <= 0) return 0;
    std::int64_t out = 0;
    if (__builtin_mul_overflow(a, b, &out) || out > cap) return cap;
    return out;
}

constexpr std::int64_t saturating_add(std::int64_t a, std::int64_t b, std::int64_t cap = kMaxBytes) {
    std::int64_t out = 0;
    if (__builtin_add_overflow(a, b, &out) || out > cap) return cap;
    return out;
}

// The Expected form, for parsers: "count: 1e+300 is out of range (1 to 64)".
inline Expected<std::int64_t> to_int64(double value, std::int64_t min, std::int64_t max, const std::string& what,
                                      bool round = false) {
    if (const std::optional<std::int64_t> n = checked_int(value, min, max, round)) return *n;
    std::string shown;
    if (!(value == value)) shown = "NaN";
    else if (value >= 1e15 || value <= -1e15) shown = value > 0 ? "a number above 10^15" : "a number below -10^15";
    else if (__builtin_floor(value) == value) shown = std::to_string(static_cast<std::int64_t>(value));
    else shown = std::to_string(value);
    return make_error("out_of_range", what + ": " + shown + " is out of range (" + std::to_string(min) + " to " +
                                          std::to_string(max) + ")");
}

// Rounds a non-negative byte count given as a double (per-tensor sizes) to int64, clamped to
// [0, kMaxBytes]; NaN gives 0. Used by round_bytes.
constexpr std::int64_t clamp_bytes(double bytes) {
    if (!(bytes > 0)) return 0;
    if (bytes >= static_cast<double>(kMaxBytes)) return kMaxBytes;
    return static_cast<std::int64_t>(bytes + 0.5);
}

}  // namespace wif
