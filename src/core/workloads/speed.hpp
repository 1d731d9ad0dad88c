// How fast a placed model runs: decode and prefill tokens per second.
//
// Decode (one stream, batch 1) is memory-bound: every token reads the active weights once (for a
// mixture of experts only the shared tensors and experts_per_tok routed experts) and the KV cache
// up to the current depth. Each part is read where it lives, at that memory's effective bandwidth,
// and the parts add up because llama.cpp runs the layers one after another (a layer split over
// several GPUs is a pipeline: for one stream their bandwidths do not add). A per-layer cost for
// kernel launches and synchronisation comes on top; it is what makes small quants reach a smaller
// share of peak bandwidth than F16 on the same device.
//
// Prefill is compute-bound: 2 x active parameters FLOPs per token plus attention's quadratic term,
// over the device's effective FP16 throughput, but never faster than reading the weights once per
// ubatch. Efficiencies are tables by backend and device class, derived from published llama-bench
// runs (cited beside each constant in speed.cpp); the caller may override both.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/expected.hpp"
#include "base/units.hpp"
#include "facts/device.hpp"
#include "pipeline/estimate.hpp"

namespace wif {

struct SpeedOptions {
    std::int64_t prompt_tokens = 512;      // prefill length (llama-bench pp512)
    std::int64_t depth = 0;                // tokens already in the context when decoding (llama-bench tg128 at depth 0)
    double bandwidth_efficiency = 0;       // 0: from the table; else the accelerator's (a CPU device's: the RAM's) fraction of peak, (0, 1]
    double compute_efficiency = 0;         // 0: from the table; else the fraction of peak FP16 throughput, (0, 1]
    double system_ram_bandwidth_gbs = 0;   // 0: the RAM profile (a cpu device) or the default for the machine class
    int cpu_threads = 0;                   // 0: 8 threads (llama.cpp uses the physical cores)
};

enum class SpeedBound : std::uint8_t { bandwidth, compute };
const char* speed_bound_name(SpeedBound bound);

// One memory a token's bytes are read from.
struct SpeedPart {
    std::string where;              // "gpu", "system_ram" or "unified" (stable keys)
    std::string label;              // for people: "NVIDIA GeForce RTX 4090", "system RAM"
    std::int64_t layers = 0;        // layers read from it (llama.cpp counting, output layer included)
    bytes_t weight_bytes = 0;       // per token
    bytes_t kv_bytes = 0;           // per token at the decode depth
    double peak_bandwidth_gbs = 0;
    double bandwidth_efficiency = 0;
    double seconds = 0;             // per token: bytes / effective bandwidth + per-layer overhead
    double overhead_seconds = 0;    // of which the per-layer launch/sync cost
};

struct SpeedEstimate {
    double decode_tps = 0;
    double prefill_tps = 0;
    double time_to_first_token_s = 0;  // prompt_tokens / prefill_tps
    std::int64_t prompt_tokens = 0;
    std::int64_t depth = 0;

    bytes_t bytes_per_token = 0;       // weights + KV read per decoded token, all memories
    bytes_t gpu_bytes_per_token = 0;   // of which from accelerator memory
    bytes_t host_bytes_per_token = 0;  // of which from system RAM
    bytes_t kv_bytes_per_token = 0;

    double bandwidth_efficiency = 0;   // of the accelerator (or the RAM when all is on the CPU)
    std::string bandwidth_efficiency_source;
    double compute_efficiency = 0;
    std::string compute_efficiency_source;
    double overhead_per_layer_s = 0;
    double effective_bandwidth_gbs = 0;  // bytes_per_token x decode_tps: what the whole run achieves
    double effective_tflops = 0;         // of the device doing the prefill

    SpeedBound decode_bound = SpeedBound::bandwidth;
    SpeedBound prefill_bound = SpeedBound::compute;
    std::vector<SpeedPart> parts;

    // The same model and format with every layer on the CPU, for "1.3x faster than the CPU alone".
    double cpu_only_decode_tps = 0;
    double cpu_only_prefill_tps = 0;
    double system_ram_bandwidth_gbs = 0;
    std::string system_ram_source;

    std::string device_name;
    Backend backend = Backend::cuda;
    Engine engine = Engine::llama_cpp;
    std::int64_t gpu_layers = 0, total_layers = 0;
    int gpu_count = 1;
    bool moe = false;
    std::int64_t active_params = 0, total_params = 0;
    std::vector<std::string> assumptions;
};

// Bytes read per decoded token from each repeating block (active experts only), plus the output
// layer (output norm + LM head; the input embedding is a row lookup, not read whole).
struct TokenBytes {
    std::vector<bytes_t> layers;   // per repeating block
    bytes_t output = 0;
};
TokenBytes token_weight_bytes(const PreparedModel& model, const WeightBreakdown& weights);

// KV cache bytes read per decoded token in layer `il` at `depth` tokens (sliding-window layers read
// at most their window).
bytes_t token_kv_bytes(const ModelArch& arch, const KvCache& kv, std::int64_t il, std::int64_t depth);

// The efficiency table, for display and tests.
struct Efficiency {
    double value = 0;
    std::string source;
};
Efficiency decode_bandwidth_efficiency(const Device& device, Backend backend, const QuantSpec& quant);
Efficiency prefill_compute_efficiency(const Device& device, Backend backend, Engine engine);
double per_layer_overhead_s(const Device& device, Backend backend);

Expected<SpeedEstimate> estimate_speed(const PreparedModel& model, const Estimate& estimate, const Device& device,
                                       const SpeedOptions& options = {});

}  // namespace wif
