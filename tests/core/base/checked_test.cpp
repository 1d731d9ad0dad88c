#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

#include "base/checked.hpp"
#include "base/units.hpp"

using namespace wif;

TEST_CASE("checked_int converts whole doubles in range and refuses the rest") {
    CHECK(checked_int(7, 1, 64) == 7);
    CHECK(checked_int(-1, -1, 4096) == -1);
    CHECK_FALSE(checked_int(0, 1, 64));
    CHECK_FALSE(checked_int(65, 1, 64));
    CHECK_FALSE(checked_int(2.5, 1, 64));
    CHECK_FALSE(checked_int(1e300, 1, 64));       // issue 11: "1e300x 4090" was UB, then 1 GPU
    CHECK_FALSE(checked_int(-1e300, INT64_MIN, INT64_MAX));
    CHECK_FALSE(checked_int(std::nan(""), 0, 10));
    CHECK_FALSE(checked_int(std::numeric_limits<double>::infinity(), 0, INT64_MAX));
    CHECK_FALSE(checked_int(-std::numeric_limits<double>::infinity(), INT64_MIN, 0));
    // 2^63 is representable as a double but not as an int64.
    CHECK_FALSE(checked_int(9223372036854775808.0, 0, INT64_MAX));
    CHECK(checked_int(-9223372036854775808.0, INT64_MIN, 0) == INT64_MIN);
    CHECK(checked_int(4611686018427387904.0, 0, INT64_MAX) == (INT64_C(1) << 62));
}

TEST_CASE("checked_int rounds half away from zero when asked") {
    CHECK(checked_int(2.5, 0, 10, true) == 3);
    CHECK(checked_int(2.49, 0, 10, true) == 2);
    CHECK(checked_int(-2.5, -10, 10, true) == -3);
    CHECK_FALSE(checked_int(10.5, 0, 10, true));
    CHECK_FALSE(checked_int(9.3e18, 0, INT64_MAX, true));
    CHECK(checked_int32(4.0, 2, 8) == 4);
    CHECK_FALSE(checked_int32(1e10, 0, 64));
}

TEST_CASE("checked_mul and checked_add report int64 overflow") {
    CHECK(checked_mul(1 << 20, 1 << 20) == (INT64_C(1) << 40));
    CHECK_FALSE(checked_mul(INT64_C(1) << 32, INT64_C(1) << 31));
    CHECK(checked_mul(INT64_C(1) << 32, (INT64_C(1) << 31) - 1));
    CHECK_FALSE(checked_mul(INT64_MIN, -1));
    CHECK(checked_add(INT64_MAX - 1, 1) == INT64_MAX);
    CHECK_FALSE(checked_add(INT64_MAX, 1));
    CHECK_FALSE(checked_add(INT64_MIN, -1));
    CHECK(checked_mul_all({1024, 4096, 4096, 2}) == INT64_C(1024) * 4096 * 4096 * 2);
    CHECK_FALSE(checked_mul_all({1024, 4096, 4096, 2, 16777216, 4096}));
    CHECK(checked_mul_all({}) == 1);
}

TEST_CASE("saturating arithmetic clamps byte counts to kMaxBytes") {
    CHECK(saturating_mul(3, 5) == 15);
    CHECK(saturating_mul(INT64_C(1) << 40, INT64_C(1) << 40) == kMaxBytes);
    CHECK(saturating_mul(-3, 5) == 0);
    CHECK(saturating_add(kMaxBytes, 1) == kMaxBytes);
    CHECK(saturating_add(INT64_MAX, INT64_MAX) == kMaxBytes);
    CHECK(saturating_add(2, 3) == 5);
    // Several clamped totals still add up without overflow.
    CHECK(kMaxBytes * 7 > 0);
}

TEST_CASE("to_int64 names the value and the range") {
    const Expected<std::int64_t> ok = to_int64(12, 1, 64, "count");
    REQUIRE(ok);
    CHECK(ok.value() == 12);
    const Expected<std::int64_t> huge = to_int64(1e300, 1, 64, "count");
    REQUIRE_FALSE(huge);
    CHECK(huge.error().code == "out_of_range");
    CHECK(huge.error().message == "count: a number above 10^15 is out of range (1 to 64)");
    CHECK(to_int64(100, 1, 64, "count").error().message == "count: 100 is out of range (1 to 64)");
    CHECK(to_int64(std::nan(""), 1, 64, "bits").error().message == "bits: NaN is out of range (1 to 64)");
}

TEST_CASE("round_bytes never casts out of range") {
    CHECK(round_bytes(1.5) == 2);
    CHECK(round_bytes(-4) == 0);
    CHECK(round_bytes(std::nan("")) == 0);
    CHECK(round_bytes(1e300) == kMaxBytes);
    CHECK(round_bytes(std::numeric_limits<double>::infinity()) == kMaxBytes);
}

TEST_CASE("formatting survives the extremes") {
    CHECK(format_fixed(std::numeric_limits<double>::infinity(), 2) == "?");
    CHECK(format_fixed(std::nan(""), 2) == "?");
    CHECK(format_fixed(1e300, 2).size() == 301);
    CHECK(format_bytes(INT64_MIN, Units::gib).find("GiB") != std::string::npos);
    const std::string huge = format_bytes(kMaxBytes, Units::gb);
    CHECK_FALSE(huge.empty());
    CHECK(format_int(INT64_MIN) == "-9,223,372,036,854,775,808");
}
