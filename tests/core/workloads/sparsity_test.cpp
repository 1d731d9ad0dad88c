#include "workloads/sparsity.hpp"

#include <catch2/catch.hpp>

using namespace wif;

namespace {
SparsityEstimate csr(std::int64_t rows, std::int64_t cols, double sparsity, std::int64_t value_bytes = 4) {
    SparsityOptions o;
    o.rows = rows;
    o.cols = cols;
    o.sparsity = sparsity;
    o.value_bytes = value_bytes;
    Expected<SparsityEstimate> e = estimate_sparsity(o);
    if (!e) FAIL(e.error().message);
    return e.value();
}
}  // namespace

TEST_CASE("CSR at 50% sparsity with fp32 values saves nothing", "[sparsity]") {
    // 4096 x 4096 fp32: dense 4096 x 4096 x 4 = 67,108,864 bytes. 50%: nnz 8,388,608;
    // CSR = 4097 x 4 + 8,388,608 x (4 + 4) = 16,388 + 67,108,864 = 67,125,252 bytes: a little more.
    const SparsityEstimate s = csr(4096, 4096, 0.5);
    CHECK(s.dense_bytes == 67108864);
    CHECK(s.nnz == 8388608);
    CHECK(s.csr_bytes == 67125252);
    CHECK_FALSE(s.csr_smaller);
    CHECK(s.saving <= 0);
    // Break-even: d = (67,108,864 - 16,388) / (16,777,216 x 8) = 0.499878; sparsity 0.500122.
    CHECK(s.break_even_sparsity == Approx(1 - (67108864.0 - 16388) / (16777216.0 * 8)).epsilon(1e-12));
    CHECK(s.break_even_sparsity > 0.5);
}

TEST_CASE("CSR at 90% sparsity saves about 80%", "[sparsity]") {
    // nnz = 1,677,722 (10% of 16,777,216 rounded); CSR = 16,388 + 1,677,722 x 8 = 13,438,164 bytes;
    // saving = 1 - 13,438,164 / 67,108,864 = 0.79976.
    const SparsityEstimate s = csr(4096, 4096, 0.9);
    CHECK(s.nnz == 1677722);
    CHECK(s.csr_bytes == 16388 + 1677722LL * 8);
    CHECK(s.saving == Approx(1 - 13438164.0 / 67108864.0).epsilon(1e-12));
    CHECK(s.saving == Approx(0.80).margin(0.005));
    CHECK(s.csr_smaller);
}

TEST_CASE("With 16-bit values CSR needs two thirds zeros to break even", "[sparsity]") {
    // Per non-zero 4 + 2 = 6 bytes against 2 dense: density 1/3 (sparsity 2/3) plus the row pointers.
    const SparsityEstimate s = csr(4096, 4096, 0.5, 2);
    CHECK(s.break_even_sparsity == Approx(1 - (33554432.0 - 16388) / (16777216.0 * 6)).epsilon(1e-12));
    CHECK(s.break_even_sparsity == Approx(2.0 / 3).margin(0.001));
    CHECK_FALSE(s.csr_smaller);
}

TEST_CASE("Bad sparsity inputs are errors", "[sparsity]") {
    SparsityOptions o;
    o.rows = 0;
    o.cols = 10;
    CHECK_FALSE(estimate_sparsity(o).ok());
    o.rows = 10;
    o.sparsity = 1.5;
    CHECK_FALSE(estimate_sparsity(o).ok());
    o.sparsity = -0.1;
    CHECK_FALSE(estimate_sparsity(o).ok());
    o.sparsity = 0.5;
    o.value_bytes = 0;
    CHECK_FALSE(estimate_sparsity(o).ok());
    o.value_bytes = 4;
    o.index_bytes = 3;
    CHECK(estimate_sparsity(o).error().code == "invalid_sparsity_option");
    // The largest sizes stay exact: 2^31 x 2^31 x 4 bytes is 1.8e19, past 64-bit bytes: an error, not overflow.
    o.index_bytes = 4;
    o.rows = 1LL << 31;
    o.cols = 1LL << 31;
    CHECK_FALSE(estimate_sparsity(o).ok());
}
