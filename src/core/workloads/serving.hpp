// Serving with vLLM V1: the KV-cache budget left under gpu_memory_utilization, how many sequences
// of a given length it holds, and a rough aggregate decode throughput for that many streams.
//
// vLLM V1 (vllm/v1/worker/gpu_worker.py, determine_available_memory):
//   requested_memory  = total GPU memory x gpu_memory_utilization
//   non_kv_cache      = weights + torch activation peak of the profile run + non-torch increase
//   available KV      = requested_memory - non_kv_cache
// then vllm/v1/core/kv_cache_utils.py splits it into blocks of block_size (16) tokens per layer:
//   num_blocks        = available // (page_size_per_layer x layers)
// and logs "Maximum concurrency for N tokens per request: X.XXx" with X = num_blocks x 16 / N
// (for models with only full-attention layers). CUDA graphs are captured after the KV cache is
// allocated, out of the (1 - gpu_memory_utilization) headroom, so they do not shrink the budget.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/expected.hpp"
#include "base/units.hpp"
#include "facts/device.hpp"
#include "pipeline/estimate.hpp"

namespace wif {

struct ServingOptions {
    std::int64_t max_model_len = 0;       // tokens per request; 0: the estimate's context
    double gpu_memory_utilization = 0;    // 0: 0.9 (vLLM's default)
    double bandwidth_efficiency = 0;      // 0: the table below; else (0, 1]
    double compute_efficiency = 0;        // 0: the table below; else (0, 1]
};

struct ServingEstimate {
    int gpu_count = 1;                    // tensor-parallel size
    double gpu_memory_utilization = 0.9;
    bytes_t total_bytes = 0;              // GPU memory of all GPUs
    bytes_t requested_bytes = 0;          // x gpu_memory_utilization
    bytes_t weights_bytes = 0;
    bytes_t activation_peak_bytes = 0;
    bytes_t non_torch_bytes = 0;
    bytes_t kv_budget_bytes = 0;          // requested - weights - activation peak - non-torch (>= 0)

    std::int64_t block_size = 16;
    bytes_t kv_bytes_per_token = 0;       // every layer, K and V, all GPUs together
    std::int64_t num_blocks = 0;
    std::int64_t kv_tokens = 0;           // num_blocks x block_size
    std::int64_t max_model_len = 0;
    double max_concurrency = 0;           // kv_tokens / max_model_len, as vLLM logs it
    std::int64_t max_sequences = 0;       // whole sequences of max_model_len that fit
    std::string log_line;                 // "Maximum concurrency for 4,096 tokens per request: 12.34x"

    // Decode throughput with max_sequences streams (at least one), each at half its length on
    // average: one step reads the weights once (for MoE: the experts the batch touches) plus every
    // stream's KV cache, and is capped by compute at 2 x active parameters per token.
    std::int64_t batch = 0;
    double step_seconds = 0;
    double aggregate_decode_tps = 0;
    double per_sequence_decode_tps = 0;
    double single_stream_decode_tps = 0;
    std::string bound;                    // "bandwidth" or "compute"
    double bandwidth_efficiency = 0;
    double compute_efficiency = 0;
    std::string efficiency_source;
    bool fits = false;                    // weights and buffers leave room for at least one block
    std::vector<std::string> notes;
};

// `estimate` must come from estimate_inference with engine vLLM (its weights and profile-run
// items are used as they are); its gpu_count is the tensor-parallel size.
Expected<ServingEstimate> estimate_serving(const PreparedModel& model, const Estimate& estimate, const Device& device,
                                           const ServingOptions& options = {});

}  // namespace wif
