// Placement: puts a bill of memory on a device and the system RAM beside it: the verdict, how
// many layers the accelerator holds, and what spills to system RAM (llama.cpp -ngl counting).
#pragma once

#include "pipeline/estimate.hpp"

namespace wif {

// What a placement needs to know about a requirement.
struct Needs {
    Engine engine = Engine::llama_cpp;
    bytes_t gpu_bytes = 0, host_bytes = 0, total_bytes = 0, gpu_fixed_bytes = 0, head_bytes = 0;
    const std::vector<bytes_t>* layer_weights = nullptr;
    const std::vector<bytes_t>* layer_kv = nullptr;
    // --n-cpu-moe: per block, the routed-expert bytes kept in system RAM whichever side the block
    // is on (null: none); already in host_bytes and out of gpu_bytes.
    const std::vector<bytes_t>* layer_cpu_moe = nullptr;
    // What block `il` puts on the GPU (weights less its experts kept in RAM, plus its KV cache); the
    // same bytes go to system RAM when the block is offloaded.
    bytes_t layer_cost(std::int64_t il) const;
};
Needs needs_from(const WeightSplit& weights, const KvCache& kv, const RuntimeTotals& runtime,
                 const WeightBreakdown& breakdown, Engine engine, bool cpu_only,
                 const std::vector<bytes_t>* layer_cpu_moe = nullptr);
Needs needs_of(const Estimate& estimate);

struct Placement {
    Verdict verdict = Verdict::does_not_fit;
    bytes_t device_bytes = 0, usable_bytes = 0, headroom_bytes = 0;
    bytes_t system_ram_bytes = 0, system_usable_bytes = 0, offloaded_bytes = 0;
    std::int64_t total_layers = 0, gpu_layers = 0;
};
// What a device offers: its memory, the share the engine may use, and the system RAM beside it.
struct DeviceBudget {
    DeviceKind kind = DeviceKind::gpu;
    bytes_t device_bytes = 0;   // all devices together
    bytes_t usable_bytes = 0;
    bytes_t system_ram_bytes = 0;
    bytes_t system_usable_bytes = 0;
    std::int64_t ngl = -1;      // llama.cpp -ngl: layers the person puts on the GPU (-1: as many as fit)
};
DeviceBudget device_budget(const Device& device, Engine engine, const InferenceOptions& options);

Placement place_on_device(const Needs& needs, const ModelArch& arch, const DeviceBudget& budget);

}  // namespace wif
