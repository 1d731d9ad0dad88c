#include "workloads/sparsity.hpp"

#include <cmath>

namespace wif {

Expected<SparsityEstimate> estimate_sparsity(const SparsityOptions& o) {
    constexpr std::int64_t kMaxDim = 1LL << 31;  // 32-bit indices cannot address more
    if (o.rows < 1 || o.rows > kMaxDim) return make_error("invalid_sparsity_option", "rows: must be between 1 and 2^31");
    if (o.cols < 1 || o.cols > kMaxDim) return make_error("invalid_sparsity_option", "cols: must be between 1 and 2^31");
    if (!(o.sparsity >= 0) || o.sparsity > 1) return make_error("invalid_sparsity_option", "sparsity: must be between 0 and 1");
    if (o.value_bytes < 1 || o.value_bytes > 16) return make_error("invalid_sparsity_option", "value_bytes: must be between 1 and 16");
    if (o.index_bytes != 4 && o.index_bytes != 8) return make_error("invalid_sparsity_option", "index_bytes: must be 4 or 8");
    const double elements = static_cast<double>(o.rows) * static_cast<double>(o.cols);
    const double dense = elements * static_cast<double>(o.value_bytes);
    if (dense > 9e18) return make_error("invalid_sparsity_option", "rows x cols x value_bytes: too large to count in bytes");
    if (elements * static_cast<double>(o.index_bytes + o.value_bytes) > 9e18) {
        return make_error("invalid_sparsity_option", "rows x cols x (index_bytes + value_bytes): too large to count in bytes");
    }
    SparsityEstimate s;
    s.nnz = static_cast<std::int64_t>(std::llround(elements * (1.0 - o.sparsity)));
    s.dense_bytes = round_bytes(dense);
    s.row_pointer_bytes = (o.rows + 1) * o.index_bytes;
    s.index_bytes = s.nnz * o.index_bytes;
    s.value_bytes = s.nnz * o.value_bytes;
    s.csr_bytes = s.row_pointer_bytes + s.index_bytes + s.value_bytes;
    s.saving = 1.0 - static_cast<double>(s.csr_bytes) / dense;
    s.csr_smaller = s.csr_bytes < s.dense_bytes;
    // CSR == dense at density d: (rows + 1) i + d rows cols (i + v) = rows cols v.
    const double d = (dense - static_cast<double>(s.row_pointer_bytes)) /
                     (elements * static_cast<double>(o.index_bytes + o.value_bytes));
    s.break_even_sparsity = 1.0 - d;
    return s;
}

}  // namespace wif
