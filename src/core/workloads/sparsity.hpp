// A weight matrix stored sparse (CSR) against dense, and the sparsity where CSR starts to pay.
#pragma once

#include <cstdint>

#include "base/expected.hpp"
#include "base/units.hpp"

namespace wif {

struct SparsityOptions {
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    double sparsity = 0;         // fraction of zeros, 0..1
    std::int64_t value_bytes = 4;  // fp32 values; 2 for fp16/bf16, 1 for int8
    std::int64_t index_bytes = 4;  // 32-bit row pointers and column indices (torch/cuSPARSE int32 CSR)
};

struct SparsityEstimate {
    std::int64_t nnz = 0;          // stored non-zeros
    bytes_t dense_bytes = 0;       // rows x cols x value_bytes
    bytes_t csr_bytes = 0;         // (rows + 1) x index_bytes + nnz x (index_bytes + value_bytes)
    bytes_t row_pointer_bytes = 0;
    bytes_t index_bytes = 0;
    bytes_t value_bytes = 0;
    double saving = 0;             // 1 - csr / dense (negative when CSR is larger)
    double break_even_sparsity = 0;  // CSR is smaller above this sparsity (> 1: never)
    bool csr_smaller = false;
};

// CSR (compressed sparse row, as scipy.sparse.csr_matrix / torch.sparse_csr_tensor / cuSPARSE
// store it): one row pointer per row plus one, and a column index and a value per non-zero.
Expected<SparsityEstimate> estimate_sparsity(const SparsityOptions& options);

}  // namespace wif
