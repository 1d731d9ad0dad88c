// Decode and prefill speed from bytes, bandwidth and FLOPs. Every constant carries its source; the
// measured points the tables were derived from are in tests/data/speed_measured.json.
#include "workloads/speed.hpp"

#include <algorithm>
#include <cmath>

namespace wif {

namespace {

// llama.cpp -ub default: the prompt is processed in ubatches of 512 tokens and the weights are
// read once per ubatch (common/common.h n_ubatch = 512).
constexpr std::int64_t kUbatch = 512;
// Effective FP32/FP16 GEMM throughput of one CPU thread in llama.cpp: 13900K, 8 threads, LLaMA 7B
// pp512 at 33.67 t/s = 0.45 TFLOPS, 56 GFLOPS a thread (llama.cpp issue #34, slaren 2023-08-12).
constexpr double kCpuThreadFlops = 50e9;
// llama.cpp uses the physical cores; 8 when nothing says otherwise [estimate: a desktop CPU].
constexpr int kDefaultThreads = 8;
// Weights of CPU-resident layers are copied to the GPU for prompt batches of 32+ tokens
// (ggml-backend op offload, GGML_OP_OFFLOAD_MIN_BATCH); PCIe 4.0 x16 moves about 25 GB/s of its
// 32 GB/s [estimate: typical host-to-device copy rate].
constexpr double kPcieBytesPerS = 25e9;
// Routed experts read by the CPU cores reach a smaller share of the RAM's bandwidth than dense
// layers: a token's experts are a handful of small matrices per layer (8 of 128 experts of 768 x 2048
// in Qwen3 30B-A3B), each a short burst for the thread pool. 0.55 of the dense figure (0.75 -> 0.41):
// Qwen3 30B-A3B Q4_K_M on an RTX 2080 with --n-cpu-moe 36 and quad-channel DDR4, 36.7 t/s (0.41 of
// peak for the experts), and gpt-oss-120b on an RX 6900 XT with --n-cpu-moe 28 and DDR5-5600, 19 t/s
// (0.39) (tests/data/speed_measured.json); r/LocalLLaMA's CPU MoE guide quotes 35 of 96 GB/s (0.36).
constexpr double kCpuExpertShare = 0.55;
// System RAM when nothing says: dual-channel DDR5-5600 = 2 x 8 B x 5600 MT/s = 89.6 GB/s (desktop
// and laptop), 4 channels of DDR5-4800 (workstation) = 153.6 GB/s, 8 channels (server) = 307.2 GB/s.
constexpr double kDesktopRamGbs = 89.6, kWorkstationRamGbs = 153.6, kServerRamGbs = 307.2;
// FP16 throughput of Apple GPUs the catalog has no figure for (M5): bandwidth x 0.031 TFLOPS per
// GB/s, the ratio of the M4 Max (17.18 TFLOPS / 546 GB/s) [estimate].
constexpr double kTflopsPerGbsApple = 17.18 / 546.0;
// Other accelerators without an FP16 figure: 0.1 TFLOPS per GB/s, between the RTX 3090 (0.076) and
// the RTX 4090 (0.16) [estimate].
constexpr double kTflopsPerGbsGpu = 0.1;

bool finite_in(double v, double lo, double hi) { return std::isfinite(v) && v >= lo && v <= hi; }

bool is_apple_m1(const Device& d) { return d.is_apple() && d.id.find("-m1") != std::string::npos; }

bool is_iquant(const QuantSpec& q) {
    if (q.family != QuantFamily::gguf) return false;
    switch (q.ftype) {
        case GgufFtype::iq4_xs: case GgufFtype::iq4_nl: case GgufFtype::iq3_m: case GgufFtype::iq3_s:
        case GgufFtype::iq3_xs: case GgufFtype::iq3_xxs: case GgufFtype::iq2_m: case GgufFtype::iq2_s:
        case GgufFtype::iq2_xs: case GgufFtype::iq2_xxs: case GgufFtype::iq1_m: case GgufFtype::iq1_s:
            return true;
        default: return false;
    }
}

struct RamProfile {
    double gbs = 0;
    double efficiency = 0;
    std::string source;
};

RamProfile system_ram(const Device& d, const SpeedOptions& o) {
    RamProfile r;
    if (o.system_ram_bandwidth_gbs > 0) {
        r.gbs = o.system_ram_bandwidth_gbs;
        r.source = "system RAM bandwidth as given";
    } else if (d.kind == DeviceKind::cpu || d.kind == DeviceKind::unified) {
        r.gbs = d.bandwidth_gbs;
        r.source = d.kind == DeviceKind::cpu ? "the RAM profile's bandwidth" : "the same unified memory";
    } else if (d.segment == "datacenter") {
        r.gbs = kServerRamGbs;
        r.source = "assumed 8-channel DDR5-4800 (307 GB/s peak)";
    } else if (d.segment == "workstation") {
        r.gbs = kWorkstationRamGbs;
        r.source = "assumed 4-channel DDR5-4800 (154 GB/s peak)";
    } else {
        r.gbs = kDesktopRamGbs;
        r.source = "assumed dual-channel DDR5-5600 (89.6 GB/s peak)";
    }
    // CPU cores reading DRAM: Llama 3.3 70B CPU-only on a Ryzen 5 5600X with dual-channel DDR4-3200
    // (51.2 GB/s): 0.99 t/s in Q4_K_M and 1.46 t/s in Q2_K reach 0.81 and 0.74 of peak (issue #8).
    // Apple CPU clusters reach less of the unified memory: M2, 4 threads, LLaMA 7B Q4_0 tg128
    // 14.89 t/s = 56 GB/s of 100 (llama.cpp issue #10435).
    r.efficiency = d.kind == DeviceKind::unified ? 0.55 : 0.75;
    return r;
}

double cpu_flops(const SpeedOptions& o) {
    return static_cast<double>(o.cpu_threads > 0 ? o.cpu_threads : kDefaultThreads) * kCpuThreadFlops;
}

double device_tflops(const Device& d) {
    if (d.fp16_tflops > 0) return d.fp16_tflops;
    if (d.kind == DeviceKind::cpu) return 0;
    return d.bandwidth_gbs * (d.is_apple() ? kTflopsPerGbsApple : kTflopsPerGbsGpu);
}

std::int64_t attention_width(const ModelArch& a) {
    if (a.attention == AttentionKind::mla) return a.num_attention_heads * (a.qk_nope_head_dim + a.qk_rope_head_dim);
    return a.num_attention_heads * a.head_dim;
}

// Attention FLOPs per token at position `pos`: QK^T and softmax(QK^T)V, each 2 x heads x head_dim
// x attended tokens, in every layer (sliding-window layers attend at most their window).
double attention_flops(const ModelArch& a, double pos) {
    double f = 0;
    const double width = static_cast<double>(attention_width(a));
    for (std::int64_t il = 0; il < a.num_hidden_layers; ++il) {
        const double span = a.is_swa_layer(il) ? std::min(pos, static_cast<double>(a.sliding_window)) : pos;
        f += 4.0 * width * span;
    }
    return f;
}

}  // namespace

const char* speed_bound_name(SpeedBound bound) { return bound == SpeedBound::bandwidth ? "bandwidth" : "compute"; }

TokenBytes token_weight_bytes(const PreparedModel& m, const WeightBreakdown& w) {
    const ModelArch& a = m.arch;
    TokenBytes t;
    t.layers = w.layers;
    if (a.is_moe() && a.num_experts_per_tok > 0 && w.routed_experts > 0) {
        // A token reads experts_per_tok of each MoE layer's routed experts (facts/quant.hpp routed_expert_bytes).
        const double unread = 1.0 - static_cast<double>(a.num_experts_per_tok) / static_cast<double>(a.num_experts);
        for (std::int64_t il = 0; il < static_cast<std::int64_t>(t.layers.size()); ++il) {
            t.layers[static_cast<size_t>(il)] -= round_bytes(static_cast<double>(routed_expert_bytes(a, w, il)) * unread);
        }
    }
    // The output layer: norm + LM head; a tied head is the token embedding read as a matrix.
    t.output = w.output + (a.tie_word_embeddings ? w.token_embd : 0);
    return t;
}

bytes_t token_kv_bytes(const ModelArch& a, const KvCache& kv, std::int64_t il, std::int64_t depth) {
    if (il < 0 || il >= static_cast<std::int64_t>(kv.layers.size())) return 0;
    // A recurrent layer reads its sequence's whole state once per token, at any depth.
    const bytes_t state = kv.state_layers.empty() || kv.state_slots <= 0
                              ? 0
                              : kv.state_layers[static_cast<size_t>(il)] / kv.state_slots;
    if (!a.has_attention(il)) return state;
    const bool swa = a.is_swa_layer(il) && kv.cells_swa > 0;
    const std::int64_t cells = swa ? kv.cells_swa : kv.cells_full;
    if (cells <= 0) return state;
    const std::int64_t read = swa ? std::min(depth, a.sliding_window) : depth;
    const double per_cell = static_cast<double>(kv.attention_bytes(il)) / static_cast<double>(cells);
    return state + round_bytes(per_cell * static_cast<double>(std::min(read, cells)));
}

Efficiency decode_bandwidth_efficiency(const Device& d, Backend backend, const QuantSpec& q) {
    Efficiency e;
    switch (backend) {
        case Backend::cuda:
            if (d.segment == "datacenter") {
                // A100 80GB, LLaMA 2 7B F16 73.83 and Q4_0 136.24 t/s: fit with the per-layer cost gives 0.78
                // (XiongjieDai/GPU-Benchmarks-on-LLM-Inference README, llama.cpp Dec 2023).
                e = {0.80, "A100 80GB LLaMA 2 7B F16/Q4_0 llama.cpp runs (XiongjieDai/GPU-Benchmarks-on-LLM-Inference)"};
            } else if (d.kind == DeviceKind::unified) {
                e = {0.80, "assumed as for datacenter CUDA [estimate: LPDDR5X on DGX Spark/Jetson]"};
            } else {
                // RTX 3090/4080/4090, Llama 3 8B F16 vs Q4_K_M tg512: two-point fits 0.89, 0.94, 0.98 of peak
                // with 2.4-3.1 ms of fixed cost per token (XiongjieDai/GPU-Benchmarks-on-LLM-Inference README).
                e = {0.90, "RTX 3090/4080/4090 Llama 3 8B F16 and Q4_K_M llama-bench runs (XiongjieDai/GPU-Benchmarks-on-LLM-Inference)"};
            }
            break;
        case Backend::rocm:
            // RX 7900 XTX, llama 8B Q4_K_M tg64 105.75 t/s (llama.cpp PR #26284) with 100 us per layer.
            e = {0.80, "RX 7900 XTX llama 8B Q4_K_M tg64 105.75 t/s (llama.cpp PR #26284)"};
            break;
        case Backend::vulkan:
            e = {0.75, "between ROCm and CUDA on the same cards [estimate]"};
            break;
        case Backend::sycl:
            e = {0.60, "Intel Arc under SYCL [estimate]"};
            break;
        case Backend::metal:
            if (is_apple_m1(d)) {
                // M1 Max 32-core: Llama 3 8B Q4_K_M 35.73, F16 18.75 t/s: about 0.63 of 400 GB/s once the
                // per-layer cost is taken out (XiongjieDai/GPU-Benchmarks-on-LLM-Inference README).
                e = {0.63, "M1 Max Llama 3 8B F16 and Q4_K_M llama.cpp runs (XiongjieDai/GPU-Benchmarks-on-LLM-Inference)"};
            } else {
                // M2 Ultra 76-core: Llama 3 8B F16 36.90 and Q4_K_M 78.81 t/s: two-point fit 0.90 of 800 GB/s
                // and 6.3 ms per token of fixed cost (XiongjieDai/GPU-Benchmarks-on-LLM-Inference README).
                e = {0.90, "M2 Ultra Llama 3 8B F16 and Q4_K_M llama.cpp runs (XiongjieDai/GPU-Benchmarks-on-LLM-Inference)"};
            }
            break;
        case Backend::cpu: {
            const RamProfile r = system_ram(d, SpeedOptions{});
            e = {r.efficiency, d.kind == DeviceKind::unified
                                   ? "Apple M2 CPU, 4 threads, LLaMA 7B Q4_0 tg128 14.89 t/s (llama.cpp issue #10435)"
                                   : "Ryzen 5 5600X + DDR4-3200, Llama 3.3 70B CPU-only 0.99 (Q4_K_M) and 1.46 (Q2_K) t/s (issue #8)"};
            break;
        }
    }
    // I-quants decode through codebook lookups, heavier kernels than k-quants on GPUs [estimate: no
    // measured pair in tests/data/speed_measured.json yet].
    if (backend != Backend::cpu && is_iquant(q)) {
        e.value *= 0.85;
        e.source += "; x0.85 for i-quant kernels [estimate]";
    }
    return e;
}

double per_layer_overhead_s(const Device& d, Backend backend) {
    switch (backend) {
        // RTX 3090/4080/4090 two-point fits: 2.4-3.1 ms per token over 33 layers (XiongjieDai README).
        case Backend::cuda: return d.segment == "datacenter" ? 150e-6 : 85e-6;  // A100: 4.9 ms / 33
        case Backend::rocm: return 100e-6;    // RX 7900 XTX: 3.4 ms / 33 at 0.80 of 960 GB/s (PR #26284)
        case Backend::vulkan: return 120e-6;  // [estimate]
        case Backend::sycl: return 150e-6;    // [estimate]
        case Backend::metal: return 190e-6;   // M2 Ultra two-point fit: 6.3 ms / 33 layers (XiongjieDai README)
        case Backend::cpu: return 20e-6;      // thread barriers per op [estimate]
    }
    return 100e-6;
}

Efficiency prefill_compute_efficiency(const Device& d, Backend backend, Engine engine) {
    const bool torch = engine == Engine::vllm || engine == Engine::transformers || engine == Engine::exllamav2;
    switch (backend) {
        case Backend::cuda:
            if (torch) return {0.50, "cuBLAS GEMMs under PyTorch [estimate]"};
            if (d.segment == "datacenter") {
                // A100 80GB LLaMA 2 7B Q4_0 pp 3444 t/s = 15% of 312 TFLOPS; H100 PCIe 4869 t/s = 8.5% of 756.
                return {0.15, "A100/H100 PCIe LLaMA 2 7B pp512 under llama.cpp (XiongjieDai/GPU-Benchmarks-on-LLM-Inference)"};
            }
            if (d.segment == "workstation") {
                // RTX A6000 LLaMA 2 7B Q4_0 pp 2992 t/s = 25% of 154.8 TFLOPS; RTX 5000 Ada 3773 t/s = 19% of 261
                // (XiongjieDai/GPU-Benchmarks-on-LLM-Inference README): rated with FP16 accumulation.
                return {0.20, "RTX A6000 and RTX 5000 Ada LLaMA 2 7B pp512 (XiongjieDai/GPU-Benchmarks-on-LLM-Inference)"};
            }
            // 4090 Llama 3 8B Q4_K_M pp512 7139 t/s = 65% of 165 TFLOPS; 3090 4030 = 85%; 4080 5390 = 83%.
            return {0.70, "RTX 3090/4080/4090 Llama 3 8B Q4_K_M pp512 (XiongjieDai/GPU-Benchmarks-on-LLM-Inference)"};
        case Backend::rocm:
            if (torch) return {0.40, "hipBLASLt GEMMs under PyTorch [estimate]"};
            // RX 7900 XTX llama 8B Q4_K_M pp2048 3189 t/s = 39% of 122.8 TFLOPS (llama.cpp PR #26284).
            return {0.40, "RX 7900 XTX llama 8B Q4_K_M pp2048 (llama.cpp PR #26284)"};
        case Backend::metal:
            if (is_apple_m1(d)) {
                // M1 Max 32-core Llama 3 8B Q4_K_M pp512 408 t/s = 55% of 10.5 TFLOPS (XiongjieDai README).
                return {0.55, "M1 Max Llama 3 8B Q4_K_M pp512 (XiongjieDai/GPU-Benchmarks-on-LLM-Inference)"};
            }
            // M2 Ultra Llama 3 8B Q4_K_M pp512 994 t/s = 69% of 21.5 TFLOPS; M3 Max 693 t/s = 73% of 14.3.
            return {0.70, "M2 Ultra and M3 Max Llama 3 8B Q4_K_M pp512 (XiongjieDai/GPU-Benchmarks-on-LLM-Inference)"};
        case Backend::vulkan: return {0.30, "Vulkan matmul kernels [estimate]"};
        case Backend::sycl: return {0.25, "SYCL matmul kernels [estimate]"};
        case Backend::cpu: return {1.0, "per-thread llama.cpp throughput (llama.cpp issue #34)"};
    }
    return {0.3, "[estimate]"};
}

Expected<SpeedEstimate> estimate_speed(const PreparedModel& m, const Estimate& e, const Device& d, const SpeedOptions& o) {
    const ModelArch& a = m.arch;
    if (!finite_in(d.bandwidth_gbs, 1e-9, 1e6)) {
        return make_error("no_bandwidth", "the device has no memory bandwidth figure (bandwidth_gbs must be positive)");
    }
    if (!finite_in(o.bandwidth_efficiency, 0, 1)) return make_error("invalid_efficiency", "bandwidth_efficiency must be a number in (0, 1]");
    if (!finite_in(o.compute_efficiency, 0, 1)) return make_error("invalid_efficiency", "compute_efficiency must be a number in (0, 1]");
    if (!finite_in(o.system_ram_bandwidth_gbs, 0, 1e6)) return make_error("invalid_bandwidth", "system RAM bandwidth must be a positive number of GB/s");
    if (o.prompt_tokens < 1 || o.prompt_tokens > 100'000'000) return make_error("invalid_prompt", "prompt tokens must be at least 1");
    if (o.depth < 0 || o.depth > 100'000'000) return make_error("invalid_depth", "depth must be 0 or more tokens");
    if (o.cpu_threads < 0 || o.cpu_threads > 4096) return make_error("invalid_threads", "cpu threads must be between 1 and 4096");
    const std::int64_t blocks = a.num_hidden_layers;
    if (blocks <= 0 || static_cast<std::int64_t>(e.weights.layers.size()) != blocks) {
        return make_error("invalid_estimate", "the estimate's per-layer weights do not match the model's layers");
    }

    SpeedEstimate s;
    s.prompt_tokens = o.prompt_tokens;
    s.depth = o.depth;
    s.device_name = d.name;
    s.engine = e.engine;
    s.gpu_count = std::max(1, e.gpu_count);
    s.moe = a.is_moe();
    s.active_params = m.params.active;
    s.total_params = m.params.total;

    const bool cpu_device = d.kind == DeviceKind::cpu;
    const Backend backend = cpu_device ? Backend::cpu : e.backend;
    s.backend = backend;
    s.total_layers = blocks + 1;
    s.gpu_layers = cpu_device ? 0 : std::clamp<std::int64_t>(e.gpu_layers, 0, blocks + 1);

    const TokenBytes tb = token_weight_bytes(m, e.weights);
    const RamProfile ram = system_ram(d, o);
    s.system_ram_bandwidth_gbs = ram.gbs;
    s.system_ram_source = ram.source;
    if (!finite_in(ram.gbs, 1e-9, 1e6)) return make_error("invalid_bandwidth", "system RAM bandwidth must be positive");

    // Which blocks the accelerator holds: llama.cpp puts the output layer and the last
    // gpu_layers - 1 blocks there (src/llama-model.cpp load_tensors, i_gpu_start = n_layer + 1 - ngl).
    const std::int64_t gpu_blocks = s.gpu_layers > 0 ? s.gpu_layers - 1 : 0;
    const std::int64_t first_gpu = blocks - gpu_blocks;
    // --n-cpu-moe: a GPU block whose routed experts stay in system RAM reads its token's active
    // experts (experts_per_tok of num_experts) there, on the CPU: llama.cpp computes a MUL_MAT_ID
    // whose weights are in a host buffer on the CPU below 32 tokens a batch (ggml-cuda.cu
    // offload_op: GGML_OP_OFFLOAD_MIN_BATCH), the rest of the block on the GPU.
    const double active_share = a.is_moe() && a.num_experts > 0 && a.num_experts_per_tok > 0
                                    ? static_cast<double>(a.num_experts_per_tok) / static_cast<double>(a.num_experts) : 1.0;
    bytes_t gpu_w = 0, gpu_kv = 0, cpu_w = 0, cpu_kv = 0, moe_w = 0;
    bytes_t cpu_experts = 0, all_experts = 0;  // of the token's bytes, routed experts (read by the CPU: cpu_experts)
    std::int64_t moe_blocks = 0;
    for (std::int64_t il = 0; il < blocks; ++il) {
        const bytes_t w = tb.layers[static_cast<size_t>(il)];
        const bytes_t k = token_kv_bytes(a, e.kv, il, o.depth);
        const bytes_t active_experts =
            std::min(w, round_bytes(static_cast<double>(routed_expert_bytes(a, e.weights, il)) * active_share));
        all_experts += active_experts;
        const bool in_ram = il < static_cast<std::int64_t>(e.layer_cpu_moe.size()) && e.layer_cpu_moe[static_cast<size_t>(il)] > 0;
        if (il >= first_gpu && in_ram && !cpu_device) {
            gpu_w += w - active_experts;
            gpu_kv += k;
            moe_w += active_experts;
            ++moe_blocks;
        } else if (il >= first_gpu) {
            gpu_w += w;
            gpu_kv += k;
        } else {
            cpu_w += w;
            cpu_kv += k;
            cpu_experts += active_experts;
        }
    }
    (s.gpu_layers > 0 ? gpu_w : cpu_w) += tb.output;
    const bytes_t all_w = gpu_w + cpu_w + moe_w;

    // Efficiencies.
    Efficiency bw = decode_bandwidth_efficiency(d, backend, e.quant);
    if (o.bandwidth_efficiency > 0) bw = {o.bandwidth_efficiency, "given"};
    Efficiency ce = prefill_compute_efficiency(d, backend, e.engine);
    if (o.compute_efficiency > 0) ce = {o.compute_efficiency, "given"};
    const double cpu_eff = o.bandwidth_efficiency > 0 && cpu_device ? o.bandwidth_efficiency : ram.efficiency;
    const bool cpu_eff_given = o.bandwidth_efficiency > 0 && cpu_device;
    const double expert_eff = cpu_eff_given ? cpu_eff : cpu_eff * kCpuExpertShare;
    // Seconds for the CPU cores to read `dense` bytes and `experts` bytes of routed experts.
    auto cpu_read_s = [&](bytes_t dense, bytes_t experts) {
        return static_cast<double>(dense) / (cpu_eff * ram.gbs * 1e9) + static_cast<double>(experts) / (expert_eff * ram.gbs * 1e9);
    };
    const double tau_gpu = per_layer_overhead_s(d, backend);
    const double tau_cpu = per_layer_overhead_s(d, Backend::cpu);
    // What the answer states: the accelerator's figures, or the CPU's when it does all the work.
    const bool all_cpu = cpu_device || s.gpu_layers == 0;
    s.bandwidth_efficiency = all_cpu ? cpu_eff : bw.value;
    s.bandwidth_efficiency_source = all_cpu && !(cpu_device && o.bandwidth_efficiency > 0)
                                        ? decode_bandwidth_efficiency(d, Backend::cpu, e.quant).source
                                        : bw.source;
    s.compute_efficiency = all_cpu ? 1.0 : ce.value;
    s.compute_efficiency_source = all_cpu ? "per-thread llama.cpp throughput (llama.cpp issue #34)" : ce.source;
    s.overhead_per_layer_s = all_cpu ? tau_cpu : tau_gpu;

    // Active matmul parameters per token (the LM head and embedding excluded: the head runs once per
    // token in decode but not per prompt token in llama-bench prefill; it is small beside the blocks).
    const double active = static_cast<double>(std::max<std::int64_t>(1, m.params.active - m.params.embedding));
    const double tflops = device_tflops(d);
    const double gpu_flops = tflops * 1e12 * ce.value;
    const double cpu_fl = cpu_flops(o);
    // Tensor parallelism (vLLM) adds bandwidth and compute; llama.cpp's layer split runs the GPUs one
    // after another for one stream, so each GPU's share is read at one GPU's bandwidth.
    const bool tensor_parallel = e.engine == Engine::vllm && s.gpu_count > 1;
    const double par = tensor_parallel ? s.gpu_count : 1.0;

    // Decode.
    double decode_s = 0;
    double bw_time_total = 0, compute_time_total = 0;
    if (s.gpu_layers > 0) {
        SpeedPart p;
        p.where = d.kind == DeviceKind::unified ? "unified" : "gpu";
        p.label = d.name + (s.gpu_count > 1 ? " x " + std::to_string(s.gpu_count) : "");
        p.layers = s.gpu_layers;
        p.weight_bytes = gpu_w;
        p.kv_bytes = gpu_kv;
        p.peak_bandwidth_gbs = d.bandwidth_gbs * par;
        p.bandwidth_efficiency = bw.value;
        const double bw_t = static_cast<double>(gpu_w + gpu_kv) / (bw.value * d.bandwidth_gbs * 1e9 * par);
        const double share = all_w > 0 ? static_cast<double>(gpu_w) / static_cast<double>(all_w) : 1.0;
        const double comp_t = gpu_flops > 0 ? 2.0 * active * share / (gpu_flops * par) : 0.0;
        p.overhead_seconds = tau_gpu * static_cast<double>(p.layers);
        p.seconds = std::max(bw_t, comp_t) + p.overhead_seconds;
        bw_time_total += bw_t;
        compute_time_total += comp_t;
        decode_s += p.seconds;
        s.gpu_bytes_per_token = gpu_w + gpu_kv;
        s.parts.push_back(p);
    }
    if (moe_w > 0) {
        // The active experts of the GPU blocks whose experts stay in system RAM, read by the CPU cores.
        // Each such block switches backend twice (GPU -> CPU -> GPU): one CPU graph step a block.
        SpeedPart p;
        p.where = d.kind == DeviceKind::unified ? "unified" : "system_ram";
        p.label = "MoE experts in system RAM (--n-cpu-moe, on the CPU)";
        p.layers = moe_blocks;
        p.weight_bytes = moe_w;
        p.peak_bandwidth_gbs = ram.gbs;
        p.bandwidth_efficiency = expert_eff;
        const double bw_t = cpu_read_s(0, moe_w);
        const double comp_t = 2.0 * active * (static_cast<double>(moe_w) / static_cast<double>(all_w)) / cpu_fl;
        p.overhead_seconds = tau_cpu * static_cast<double>(moe_blocks);
        p.seconds = std::max(bw_t, comp_t) + p.overhead_seconds;
        bw_time_total += bw_t;
        compute_time_total += comp_t;
        decode_s += p.seconds;
        s.host_bytes_per_token += moe_w;
        s.parts.push_back(p);
    }
    if (s.gpu_layers < s.total_layers) {
        SpeedPart p;
        p.where = cpu_device ? "system_ram" : d.kind == DeviceKind::unified ? "unified" : "system_ram";
        p.label = cpu_device ? d.name : d.kind == DeviceKind::unified ? "CPU cores on the unified memory" : "system RAM (CPU)";
        p.layers = s.total_layers - s.gpu_layers;
        p.weight_bytes = cpu_w;
        p.kv_bytes = cpu_kv;
        p.peak_bandwidth_gbs = ram.gbs;
        const double bw_t = cpu_read_s(cpu_w - cpu_experts + cpu_kv, cpu_experts);
        p.bandwidth_efficiency = bw_t > 0 ? static_cast<double>(cpu_w + cpu_kv) / (bw_t * ram.gbs * 1e9) : cpu_eff;
        const double share = all_w > 0 ? static_cast<double>(cpu_w) / static_cast<double>(all_w) : 1.0;
        const double comp_t = 2.0 * active * share / cpu_fl;
        p.overhead_seconds = tau_cpu * static_cast<double>(p.layers);
        p.seconds = std::max(bw_t, comp_t) + p.overhead_seconds;
        bw_time_total += bw_t;
        compute_time_total += comp_t;
        decode_s += p.seconds;
        s.host_bytes_per_token += cpu_w + cpu_kv;
        s.parts.push_back(p);
    }
    s.kv_bytes_per_token = gpu_kv + cpu_kv;
    if ((moe_w > 0 || cpu_experts > 0) && !cpu_eff_given) {
        const std::string why = "routed experts read by the CPU at " + format_fixed(expert_eff * 100.0, 0) +
                                "% of the RAM's peak (many small expert matrices a token; measured --n-cpu-moe runs)";
        if (all_cpu && s.parts.size() == 1) {
            s.bandwidth_efficiency = s.parts.back().bandwidth_efficiency;
            s.bandwidth_efficiency_source += "; " + why;
        } else {
            s.assumptions.push_back(why);
        }
    }
    s.bytes_per_token = s.gpu_bytes_per_token + s.host_bytes_per_token;
    s.decode_bound = compute_time_total > bw_time_total ? SpeedBound::compute : SpeedBound::bandwidth;
    if (!(decode_s > 0) || !std::isfinite(decode_s)) return make_error("invalid_speed", "no time per token could be computed");
    s.decode_tps = 1.0 / decode_s;
    s.effective_bandwidth_gbs = static_cast<double>(s.bytes_per_token) * s.decode_tps / 1e9;

    // Prefill: FLOPs for the prompt (its tokens attend to depth + half the prompt on average), over
    // the accelerator's effective throughput, never faster than reading the weights once per ubatch.
    const double prompt = static_cast<double>(o.prompt_tokens);
    const double flops = prompt * (2.0 * active + attention_flops(a, static_cast<double>(o.depth) + prompt / 2.0));
    const double ubatches = std::ceil(prompt / static_cast<double>(kUbatch));
    double prefill_s = 0;
    if (s.gpu_layers > 0 && gpu_flops > 0) {
        const double compute_t = flops / (gpu_flops * par);
        const double read_t = ubatches * static_cast<double>(gpu_w) / (bw.value * d.bandwidth_gbs * 1e9 * par) +
                              ubatches * tau_gpu * static_cast<double>(s.gpu_layers);
        // Weights in system RAM (offloaded blocks, experts kept there by --n-cpu-moe): llama.cpp copies
        // them to the GPU for each ubatch of 32+ tokens, of a MUL_MAT_ID only the experts the ubatch
        // routes to (ggml-backend.cpp compute_splits: "copying only the experts that are used"); on
        // unified memory there is nothing to copy. A ubatch of u tokens, each picking k of E experts
        // (routing taken as uniform [estimate]), uses 1 - (1 - k/E)^u of them.
        const double ubatch_tokens = std::min(prompt, static_cast<double>(kUbatch));
        const double used = a.is_moe() ? 1.0 - std::pow(1.0 - active_share, ubatch_tokens) : 1.0;
        double copy_bytes = 0;
        for (std::int64_t il = 0; il < blocks; ++il) {
            const double routed = static_cast<double>(routed_expert_bytes(a, e.weights, il));
            const double in_ram = il < static_cast<std::int64_t>(e.layer_cpu_moe.size()) ? static_cast<double>(e.layer_cpu_moe[static_cast<size_t>(il)]) : 0.0;
            if (il < first_gpu) copy_bytes += static_cast<double>(e.weights.layers[static_cast<size_t>(il)]) - routed * (1.0 - used);
            else copy_bytes += in_ram * used;
        }
        const double copy_t = d.kind == DeviceKind::unified ? 0.0 : ubatches * copy_bytes / kPcieBytesPerS;
        prefill_s = std::max(compute_t, read_t) + copy_t;
        s.prefill_bound = compute_t >= read_t ? SpeedBound::compute : SpeedBound::bandwidth;
        s.effective_tflops = tflops * ce.value * par;
    } else {
        const double compute_t = flops / cpu_fl;
        const double read_t = ubatches * static_cast<double>(all_w) / (cpu_eff * ram.gbs * 1e9);
        prefill_s = std::max(compute_t, read_t);
        s.prefill_bound = compute_t >= read_t ? SpeedBound::compute : SpeedBound::bandwidth;
        s.effective_tflops = cpu_fl / 1e12;
    }
    if (!(prefill_s > 0) || !std::isfinite(prefill_s)) return make_error("invalid_speed", "no prefill time could be computed");
    s.prefill_tps = prompt / prefill_s;
    s.time_to_first_token_s = prefill_s;

    // The same model with every layer on the CPU.
    {
        const bytes_t bytes = all_w + s.kv_bytes_per_token;
        const double bw_t = cpu_read_s(bytes - all_experts, all_experts);
        const double comp_t = 2.0 * active / cpu_fl;
        s.cpu_only_decode_tps = 1.0 / (std::max(bw_t, comp_t) + tau_cpu * static_cast<double>(s.total_layers));
        const double read_t = ubatches * static_cast<double>(all_w) / (cpu_eff * ram.gbs * 1e9);
        s.cpu_only_prefill_tps = prompt / std::max(flops / cpu_fl, read_t);
    }

    if (!cpu_device && s.gpu_count > 1 && !tensor_parallel) {
        s.assumptions.push_back("the " + std::to_string(s.gpu_count) +
                                " GPUs split the layers (llama.cpp's default): for one stream they run one after another, so their bandwidths do not add");
    }
    if (o.cpu_threads == 0 && s.gpu_layers < s.total_layers) s.assumptions.push_back("CPU work on 8 threads");
    if (d.fp16_tflops <= 0 && !cpu_device) s.assumptions.push_back("GPU FP16 throughput scaled from the memory bandwidth [estimate: the catalog has no figure]");
    return s;
}

}  // namespace wif
