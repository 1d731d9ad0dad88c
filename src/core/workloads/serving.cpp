// vLLM V1 serving capacity: KV budget, blocks, concurrency and a rough aggregate throughput.
#include "workloads/serving.hpp"

#include <algorithm>
#include <cmath>

#include "facts/runtime.hpp"
#include "workloads/speed.hpp"

namespace wif {

namespace {

// vllm/config/cache.py: block_size defaults to 16 tokens on CUDA/ROCm.
constexpr std::int64_t kBlockSize = 16;
// vllm/config/cache.py: gpu_memory_utilization defaults to 0.9.
constexpr double kDefaultUtilization = 0.9;
// Batched decode under vLLM with CUDA graphs [estimate: no cited measurement yet]: 0.75 of peak
// bandwidth, 0.5 of dense FP16 tensor throughput, 40 us per layer per step.
constexpr double kVllmBandwidthEff = 0.75, kVllmComputeEff = 0.5, kVllmLayerOverheadS = 40e-6;

bool finite_in(double v, double lo, double hi) { return std::isfinite(v) && v >= lo && v <= hi; }

bytes_t item_bytes(const Estimate& e, const char* key) {
    bytes_t b = 0;
    for (const LineItem& i : e.items) {
        if (std::string_view(i.key) == key) b += i.bytes;
    }
    return b;
}

// "12.34": two decimals, as vLLM's "%.2fx".
std::string two_decimals(double v) { return format_fixed(v, 2); }

}  // namespace

Expected<ServingEstimate> estimate_serving(const PreparedModel& m, const Estimate& e, const Device& d, const ServingOptions& o) {
    const ModelArch& a = m.arch;
    if (e.engine != Engine::vllm) {
        return make_error("serving_needs_vllm", "serving capacity is modelled for vLLM; estimate with engine vllm first");
    }
    if (!finite_in(o.gpu_memory_utilization, 0, 1)) return make_error("invalid_gpu_util", "gpu_memory_utilization must be in (0, 1]");
    if (!finite_in(o.bandwidth_efficiency, 0, 1)) return make_error("invalid_efficiency", "bandwidth_efficiency must be a number in (0, 1]");
    if (!finite_in(o.compute_efficiency, 0, 1)) return make_error("invalid_efficiency", "compute_efficiency must be a number in (0, 1]");
    if (o.max_model_len < 0 || o.max_model_len > 100'000'000) return make_error("invalid_context", "max_model_len must be a positive number of tokens");
    if (!finite_in(d.bandwidth_gbs, 1e-9, 1e6)) return make_error("no_bandwidth", "the device has no memory bandwidth figure");
    if (d.memory_gib <= 0 || !std::isfinite(d.memory_gib)) return make_error("no_memory", "the device has no memory size");
    if (a.num_hidden_layers <= 0 || static_cast<std::int64_t>(e.kv.layers.size()) != a.num_hidden_layers) {
        return make_error("invalid_estimate", "the estimate's KV cache does not match the model's layers");
    }

    ServingEstimate s;
    s.gpu_count = std::max(1, e.gpu_count);
    s.gpu_memory_utilization = o.gpu_memory_utilization > 0 ? o.gpu_memory_utilization : kDefaultUtilization;
    s.total_bytes = d.memory_bytes() * s.gpu_count;
    s.requested_bytes = round_bytes(static_cast<double>(s.total_bytes) * s.gpu_memory_utilization);
    s.weights_bytes = item_bytes(e, "weights");
    s.activation_peak_bytes = item_bytes(e, "activation_peak");
    // Everything else on the GPU that is not weights, KV cache or the activation peak counts with the
    // non-torch memory (cuBLAS workspaces, NCCL buffers).
    bytes_t other = 0;
    for (const LineItem& i : e.items) {
        const std::string_view k = i.key;
        if (i.location == Location::gpu && k != "weights" && k != "kv_cache" && k != "recurrent_state" && k != "activation_peak") other += i.bytes;
    }
    s.non_torch_bytes = other;
    s.kv_budget_bytes = std::max<bytes_t>(0, s.requested_bytes - s.weights_bytes - s.activation_peak_bytes - s.non_torch_bytes);

    // KV bytes per token over every layer. Sliding-window layers keep at most their window plus one
    // scheduler step per request, so they count in proportion (vLLM's hybrid allocator frees their
    // blocks outside the window).
    s.max_model_len = o.max_model_len > 0 ? o.max_model_len : std::max<std::int64_t>(1, e.context);
    double per_token = 0;
    for (std::int64_t il = 0; il < a.num_hidden_layers; ++il) {
        if (!a.has_attention(il)) continue;  // recurrent layers: a fixed state per request, below
        const bool swa = a.is_swa_layer(il) && e.kv.cells_swa > 0;
        const std::int64_t cells = swa ? e.kv.cells_swa : e.kv.cells_full;
        if (cells <= 0) continue;
        double cell = static_cast<double>(e.kv.attention_bytes(il)) / static_cast<double>(cells);
        if (swa) {
            const double kept = std::min(1.0, static_cast<double>(a.sliding_window + 2048) / static_cast<double>(s.max_model_len));
            cell *= kept;
        }
        per_token += cell;
    }
    if (!(per_token > 0)) return make_error("invalid_estimate", "the model has no KV cache to size");
    s.kv_bytes_per_token = round_bytes(per_token);
    s.block_size = kBlockSize;
    s.num_blocks = static_cast<std::int64_t>(std::floor(static_cast<double>(s.kv_budget_bytes) / (per_token * kBlockSize)));
    s.kv_tokens = s.num_blocks * kBlockSize;
    s.max_concurrency = static_cast<double>(s.kv_tokens) / static_cast<double>(s.max_model_len);
    if (e.kv.state_bytes > 0 && e.kv.state_slots > 0) {
        // Hybrids: each request also holds one state page per recurrent layer, whatever its length
        // (vLLM v1 MambaSpec, one block per request without prefix caching).
        const double state_per_request = static_cast<double>(e.kv.state_bytes) / static_cast<double>(e.kv.state_slots);
        s.max_concurrency = static_cast<double>(s.kv_budget_bytes) /
                            (per_token * static_cast<double>(s.max_model_len) + state_per_request);
    }
    s.max_sequences = static_cast<std::int64_t>(std::floor(s.max_concurrency));
    s.fits = s.max_sequences >= 1;
    s.log_line = "Maximum concurrency for " + format_int(s.max_model_len) + " tokens per request: " + two_decimals(s.max_concurrency) + "x";
    s.notes.push_back("GPU KV cache size: " + format_int(s.kv_tokens) + " tokens");
    if (s.kv_budget_bytes == 0) {
        s.notes.push_back("no memory is left for the KV cache: vLLM stops with \"No available memory for the cache blocks\"");
    } else if (!s.fits) {
        s.notes.push_back("the cache cannot hold one request of " + format_int(s.max_model_len) +
                          " tokens: vLLM stops at start-up; lower max_model_len or raise gpu_memory_utilization");
    }

    // Aggregate decode: `batch` streams, each on average at half of max_model_len.
    RuntimeRequest rr;
    rr.engine = Engine::vllm;
    apply_vllm_defaults(rr, d.memory_gib, d.id.rfind("a100", 0) == 0);
    s.batch = std::clamp<std::int64_t>(s.max_sequences, 1, rr.max_num_seqs);
    s.bandwidth_efficiency = o.bandwidth_efficiency > 0 ? o.bandwidth_efficiency : kVllmBandwidthEff;
    s.compute_efficiency = o.compute_efficiency > 0 ? o.compute_efficiency : kVllmComputeEff;
    s.efficiency_source = o.bandwidth_efficiency > 0 || o.compute_efficiency > 0 ? "given" : "vLLM batched decode [estimate]";

    const TokenBytes tb = token_weight_bytes(m, e.weights);
    bytes_t dense = tb.output;
    for (bytes_t b : tb.layers) dense += b;
    // Routed experts a batch touches: each of E experts is picked by a token with probability k/E.
    double experts = 0;
    if (a.is_moe() && a.num_experts > 0) {
        const double p = static_cast<double>(a.num_experts_per_tok) / static_cast<double>(a.num_experts);
        const double touched = 1.0 - std::pow(1.0 - p, static_cast<double>(s.batch));
        // `dense` already holds k/E of them (one token's experts).
        experts = static_cast<double>(e.weights.routed_experts) * std::max(0.0, touched - p);
    }
    const double bw = s.bandwidth_efficiency * d.bandwidth_gbs * 1e9 * s.gpu_count;
    const double tflops = d.fp16_tflops > 0 ? d.fp16_tflops : 0;
    const double flops = tflops * 1e12 * s.compute_efficiency * s.gpu_count;
    const double active = static_cast<double>(std::max<std::int64_t>(1, m.params.active - m.params.embedding));
    const double depth = static_cast<double>(s.max_model_len) / 2.0;
    const double overhead = kVllmLayerOverheadS * static_cast<double>(a.num_hidden_layers);
    auto step = [&](std::int64_t batch, double extra_experts, bool& compute_bound) {
        const double bytes = static_cast<double>(dense) + extra_experts + static_cast<double>(batch) * per_token * depth;
        const double bw_t = bytes / bw;
        const double comp_t = flops > 0 ? static_cast<double>(batch) * 2.0 * active / flops : 0.0;
        compute_bound = comp_t > bw_t;
        return std::max(bw_t, comp_t) + overhead;
    };
    bool compute_bound = false;
    s.step_seconds = step(s.batch, experts, compute_bound);
    s.bound = compute_bound ? "compute" : "bandwidth";
    s.aggregate_decode_tps = static_cast<double>(s.batch) / s.step_seconds;
    s.per_sequence_decode_tps = 1.0 / s.step_seconds;
    bool unused = false;
    s.single_stream_decode_tps = 1.0 / step(1, 0.0, unused);
    if (s.gpu_count > 1) s.notes.push_back("tensor parallelism over " + std::to_string(s.gpu_count) + " GPUs: their bandwidths add");
    s.notes.push_back("CUDA graphs are captured after the KV cache is allocated, in the memory gpu_memory_utilization leaves out");
    return s;
}

}  // namespace wif
