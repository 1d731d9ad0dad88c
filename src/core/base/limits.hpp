// Limits every layer checks against, written once (the request schema documents them).
#pragma once

#include <cstdint>

namespace wif {

// The longest context any request may ask for (tokens); larger values are refused, not clamped.
inline constexpr std::int64_t kMaxContext = 16'777'216;
// The most devices one request may name.
inline constexpr int kMaxDevices = 64;
// Sizes beyond a petabyte are typing mistakes.
inline constexpr double kMaxSizeGib = 1'048'576;

}  // namespace wif
