#include <catch2/catch.hpp>

#include "base/units.hpp"

using namespace wif;

TEST_CASE("byte counts print with three significant digits in GB or GiB", "[units]") {
    CHECK(format_bytes(14'000'000'000, Units::gb) == "14 GB");
    CHECK(format_bytes(4'920'000'000, Units::gb) == "4.92 GB");
    CHECK(format_bytes(537'000'000, Units::gb) == "537 MB");
    CHECK(format_bytes(16 * GiB, Units::gib) == "16 GiB");
    CHECK(format_bytes(8480 * MiB, Units::gib) == "8.28 GiB");
    CHECK(format_bytes(512 * MiB, Units::gib) == "512 MiB");
}

TEST_CASE("rounding to three significant digits carries into the next magnitude", "[units]") {
    CHECK(format_sig3(99.96) == "100");
    CHECK(format_sig3(9.996) == "10");
    CHECK(format_sig3(0.5) == "0.5");
}

TEST_CASE("parameter counts print the way model cards write them", "[units]") {
    CHECK(format_params(7'000'000'000) == "7B");
    CHECK(format_params(8'030'261'248) == "8.03B");
    CHECK(format_params(46'702'792'704) == "46.7B");
    CHECK(format_params(494'000'000) == "494M");
    CHECK(format_params(1'026'000'000'000) == "1.03T");
}

TEST_CASE("integers get thousands separators", "[units]") {
    CHECK(format_int(131072) == "131,072");
    CHECK(format_int(-4096) == "-4,096");
    CHECK(format_int(0) == "0");
}
