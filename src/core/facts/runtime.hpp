// Memory a runtime needs besides weights and KV cache: compute buffers, activations,
// the GPU context and allocator extras. Each engine's rule is its own line item with its source.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "facts/architecture.hpp"
#include "facts/engine.hpp"
#include "facts/kv_cache.hpp"
#include "facts/quant.hpp"
#include "base/units.hpp"

namespace wif {

enum class Location : std::uint8_t { gpu, host };
const char* location_name(Location location);

enum class ItemCategory : std::uint8_t { weights, kv_cache, compute, overhead };
const char* item_category_name(ItemCategory category);

// One line of the memory bill.
struct LineItem {
    const char* key = "";       // weights, kv_cache, compute_buffer, cuda_context, ... (stable, snake_case)
    ItemCategory category = ItemCategory::compute;
    std::string label;     // for people
    bytes_t bytes = 0;     // over all devices
    Location location = Location::gpu;
    std::string formula;   // the arithmetic, in words and numbers
    std::string source;    // where the rule comes from
};

struct RuntimeRequest {
    Engine engine = Engine::llama_cpp;
    Backend backend = Backend::cuda;
    bool flash_attn = true;
    std::int64_t context = 4096;
    std::int64_t sequences = 1;
    std::int64_t ubatch = 512;                  // llama.cpp -ub
    std::int64_t max_num_batched_tokens = 2048; // vLLM
    std::int64_t max_num_seqs = 256;            // vLLM
    int gpu_count = 1;
    QuantFamily quant_family = QuantFamily::dtype;
    bool cpu_only = false;                      // the device has no accelerator
    bool describe = true;                       // fill labels, formulas and sources (off for sweeps)

    bool operator==(const RuntimeRequest&) const = default;
};

// vLLM's serve defaults depend on GPU memory (vllm/engine/arg_utils.py): GPUs of 70 GiB or more
// (other than A100) get max_num_batched_tokens 8192 and max_num_seqs 1024, others 2048 and 256.
void apply_vllm_defaults(RuntimeRequest& request, double gpu_memory_gib, bool is_a100);

std::vector<LineItem> runtime_items(const ModelArch& arch, const KvCache& kv, const RuntimeRequest& request);

}  // namespace wif
