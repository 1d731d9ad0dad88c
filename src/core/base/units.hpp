// Byte arithmetic and human-readable number formatting.
//
// Bytes are exact 64-bit integers everywhere in the core; only text uses decimals.
// Formatting is hand-rolled (no iostream, no printf) because it keeps the
// WebAssembly build small and the output identical on every platform.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/checked.hpp"

namespace wif {

using bytes_t = std::int64_t;

inline constexpr bytes_t KiB = 1024;
inline constexpr bytes_t MiB = 1024 * KiB;
inline constexpr bytes_t GiB = 1024 * MiB;
inline constexpr double GB = 1e9;  // SI gigabyte, what people and Hugging Face mean by "GB"

enum class Units { gb, gib };
inline const char* units_name(Units u) { return u == Units::gib ? "gib" : "gb"; }

// Rounds a non-negative double to the nearest integer byte count (half up; inline because the
// per-tensor loops call it millions of times in a sweep).
// Values past kMaxBytes (1 EiB) clamp to it and NaN gives 0: never an out-of-range cast.
inline bytes_t round_bytes(double bytes) { return clamp_bytes(bytes); }

// Integer ceil division and rounding up to a multiple, for positive arguments.
constexpr std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
constexpr std::int64_t round_up(std::int64_t a, std::int64_t multiple) { return ceil_div(a, multiple) * multiple; }

// "1234567" -> "1,234,567".
std::string format_int(std::int64_t value);

// Fixed number of decimals, rounding half away from zero: format_fixed(2.345, 2) == "2.35".
std::string format_fixed(double value, int decimals);

// Three significant digits with trailing zeros dropped: 14.0 -> "14", 4.9213 -> "4.92", 143.4 -> "143".
std::string format_sig3(double value);

// "14 GB", "4.92 GB", "512 MB" (GB = 10^9) or "13 GiB", "512 MiB" (GiB = 2^30).
std::string format_bytes(bytes_t bytes, Units units);

// Parameter counts the way model cards write them: "7B", "8.03B", "46.7B", "494M".
std::string format_params(std::int64_t params);

// Lower-case ASCII copy.
std::string to_lower(std::string_view text);

}  // namespace wif
