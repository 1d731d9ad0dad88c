#include "facts/runtime.hpp"

#include <algorithm>

namespace wif {

namespace {

std::string n(std::int64_t v) { return format_int(v); }

// Adds an item; the words are built only when the request wants them (sweeps do not).
template <class Words>
void add(std::vector<LineItem>& out, bool describe, const char* key, ItemCategory category, bytes_t bytes,
         Location location, Words words) {
    LineItem item;
    item.key = key;
    item.category = category;
    item.bytes = bytes;
    item.location = location;
    if (describe) words(item);
    out.push_back(std::move(item));
}

// Backend context of the ggml runner: what ollama reserves per GPU for it
// (ml/device.go MinimumMemory: 457 MiB CUDA/ROCm, 512 MiB Metal).
bytes_t ggml_backend_overhead(Backend b) {
    switch (b) {
        case Backend::cpu: return 0;
        case Backend::metal: return 512 * MiB;
        default: return 457 * MiB;
    }
}

// PyTorch's CUDA context with lazy module loading: 426 MiB measured with PyTorch 2.10 + CUDA 13.0
// (unsloth-zoo PR #1053); 287 MB with CUDA 11.7 (pytorch PR #86509).
constexpr bytes_t kTorchCudaContext = 426 * MiB;

// Widest intermediate of one token's FFN: dense width, or the routed experts it visits.
std::int64_t ffn_width_per_token(const ModelArch& a) {
    std::int64_t width = a.dense_intermediate_size > 0 ? a.dense_intermediate_size : a.intermediate_size;
    if (a.is_moe()) width = std::max(width, a.num_experts_per_tok * a.moe_intermediate_size + a.shared_expert_intermediate_size);
    return width;
}

void llama_cpp_items(const ModelArch& a, const KvCache& kv, const RuntimeRequest& r, std::vector<LineItem>& out) {
    const std::int64_t ub = std::min(r.ubatch, std::max<std::int64_t>(kv.cells_full, 1));
    const std::int64_t n_kv = kv.cells_full;
    const std::int64_t h = a.hidden_size, vocab = a.vocab_size, heads = a.num_attention_heads;
    const bytes_t logits = ub * (vocab + h) * 4;
    const bytes_t working = ub * h * 16;
    // Without flash attention the f32 score matrix of one layer is materialised, with an f32 mask;
    // with it only the f16 mask is (derived from logged buffers; see tests/data/published_figures.json).
    const bytes_t attention = r.flash_attn ? n_kv * ub * 2 + working : n_kv * ub * heads * 4 + n_kv * ub * 4 + working;
    const int gpus = r.cpu_only ? 1 : std::max(1, r.gpu_count);
    const bytes_t compute = (gpus - 1) * attention + std::max(attention, logits);
    add(out, r.describe, "compute_buffer", ItemCategory::compute, compute, r.cpu_only ? Location::host : Location::gpu,
        [&](LineItem& i) {
            i.label = std::string("compute buffer (") + engine_name(r.engine) + ", flash attention " + (r.flash_attn ? "on" : "off") + ")";
            const std::string att = r.flash_attn
                ? "f16 KQ mask " + n(n_kv) + " cells x " + n(ub) + " x 2 B"
                : "f32 attention scores " + n(n_kv) + " cells x " + n(ub) + " tokens x " + n(heads) + " heads x 4 B + mask " +
                      n(n_kv) + " x " + n(ub) + " x 4 B";
            i.formula = "max(" + att + " + activations " + n(ub) + " x " + n(h) + " x 16 B, logits " + n(ub) + " x (" +
                        n(vocab) + " + " + n(h) + ") x 4 B)";
            if (gpus > 1) i.formula += "; every GPU holds its layers' attention buffer, the last one also the logits";
            i.source = "llama.cpp reserves the worst-case graph of one ubatch (src/llama-context.cpp graph_reserve); "
                       "logged: Llama-3.1-8B at 131072 ctx without flash attention 8480.00 MiB, at 512 ctx 258.50 MiB";
        });
    if (!r.cpu_only) {
        const bytes_t host = n_kv * ub * (r.flash_attn ? 2 : 4) + ub * h * 4;
        add(out, r.describe, "host_compute_buffer", ItemCategory::compute, host, Location::host, [&](LineItem& i) {
            i.label = "host compute buffer (inputs and KQ mask)";
            i.formula = "mask " + n(n_kv) + " x " + n(ub) + " x " + (r.flash_attn ? "2" : "4") + " B + " + n(ub) + " x " + n(h) + " x 4 B";
            i.source = "\"CUDA_Host compute buffer\" in llama.cpp logs (264.01 MiB for Llama-3.1-8B at 131072 ctx)";
        });
    }
    const std::int64_t outputs = std::max<std::int64_t>(1, r.sequences);
    add(out, r.describe, "output_buffer", ItemCategory::compute, vocab * 4 * outputs, Location::host, [&](LineItem& i) {
        i.label = "output buffer (logits)";
        i.formula = n(vocab) + " vocab x 4 B x " + n(outputs) + " sequences";
        i.source = "llama-context.cpp output_reserve: n_vocab x n_outputs floats";
    });
    if (!r.cpu_only) {
        const bytes_t overhead = ggml_backend_overhead(r.backend);
        add(out, r.describe, "backend_context", ItemCategory::overhead, overhead * gpus, Location::gpu, [&](LineItem& i) {
            // The bytes are for every GPU together; the label says how many.
            i.label = std::string(backend_label(r.backend)) + " runtime context" + (gpus > 1 ? " (" + std::to_string(gpus) + " GPUs)" : "");
            i.formula = format_bytes(overhead, Units::gib) + " x " + std::to_string(gpus) + " GPU" + (gpus > 1 ? "s" : "");
            i.source = "what ollama reserves per GPU for the ggml runner (ml/device.go MinimumMemory: 457 MiB CUDA/ROCm, 512 MiB Metal)";
        });
    }
}

void vllm_items(const ModelArch& a, const RuntimeRequest& r, std::vector<LineItem>& out) {
    const int gpus = std::max(1, r.gpu_count);
    const std::int64_t t = r.max_num_batched_tokens;
    const std::int64_t h = a.hidden_size;
    const std::int64_t qkv = a.attention == AttentionKind::mla
                                 ? a.num_attention_heads * (a.qk_nope_head_dim + a.qk_rope_head_dim) + a.kv_lora_rank
                                 : (a.num_attention_heads + 2 * a.num_key_value_heads) * a.head_dim;
    const std::int64_t width = ffn_width_per_token(a);
    const std::int64_t seqs = std::min(r.max_num_seqs, t);
    // Profile run: one forward over max_num_batched_tokens (hidden states, QKV, gate+up) split by
    // tensor parallelism, plus the sampler's fp32 logits over max_num_seqs. Llama-3-8B on an H100
    // (8192 tokens, 1024 sequences): 0.78 + 0.49 GiB = 1.27 GiB against a logged 1.26 GiB.
    const bytes_t forward = t * (4 * h + qkv + 2 * width) * 2 / gpus;
    const bytes_t sampler = seqs * a.vocab_size * 4;
    add(out, r.describe, "activation_peak", ItemCategory::compute, (forward + sampler) * gpus, Location::gpu, [&](LineItem& i) {
        i.label = "activation peak of the profile run";
        i.formula = n(t) + " batched tokens x (4 x " + n(h) + " + " + n(qkv) + " + 2 x " + n(width) + ") x 2 B" +
                    (gpus > 1 ? " / " + std::to_string(gpus) + " GPUs" : std::string()) + " + sampler logits " + n(seqs) +
                    " x " + n(a.vocab_size) + " x 4 B";
        i.source = "vLLM profiles one forward of max_num_batched_tokens (vllm/v1/worker/gpu_worker.py); logged "
                   "\"PyTorch activation peak memory 1.26GiB\" for Llama-3-8B on an H100 (vLLM PR #10511)";
    });
    const bytes_t non_torch = round_bytes(0.2 * GiB) + (gpus > 1 ? round_bytes(0.5 * GiB) : 0);
    add(out, r.describe, "non_torch_memory", ItemCategory::overhead, non_torch * gpus, Location::gpu, [&](LineItem& i) {
        i.label = std::string("non-torch memory (cuBLAS workspaces") + (gpus > 1 ? ", NCCL)" : ")");
        i.formula = std::string("0.2 GiB") + (gpus > 1 ? " + 0.5 GiB NCCL" : "") + " per GPU";
        i.source = "vLLM memory profiling: non_torch_memory 0.16 GiB on one GPU with eager mode (vLLM PR for "
                   "Llama-3.2-11B-Vision); more with NCCL and custom all-reduce [estimate]";
    });
}

void torch_items(const ModelArch& a, const RuntimeRequest& r, std::vector<LineItem>& out) {
    const int gpus = r.cpu_only ? 1 : std::max(1, r.gpu_count);
    const std::int64_t h = a.hidden_size;
    const std::int64_t width = ffn_width_per_token(a);
    const std::int64_t seqs = std::max<std::int64_t>(1, r.sequences);
    // Prompt tokens processed at once: transformers prefill the whole prompt; mlx-lm and ExLlamaV2
    // in chunks of 2048 (mlx_lm generate_step prefill_step_size, ExLlamaV2 max_input_len).
    std::int64_t chunk = std::max<std::int64_t>(1, r.context);
    if (r.engine == Engine::mlx || r.engine == Engine::exllamav2) chunk = std::min<std::int64_t>(chunk, 2048);
    const std::int64_t tokens = chunk * seqs;
    // Eager attention materialises softmax(QK^T) per layer: bf16 scores and an fp32 copy.
    const bytes_t scores = r.flash_attn ? 0 : seqs * a.num_attention_heads * chunk * chunk * 6;
    // generate() keeps only the last position's logits (logits_to_keep), in fp32.
    const bytes_t act = tokens * (3 * width + 4 * h) * 2 + scores + seqs * a.vocab_size * 4;
    add(out, r.describe, "activations", ItemCategory::compute, act, r.cpu_only ? Location::host : Location::gpu, [&](LineItem& i) {
        i.label = std::string("prefill activations (") + engine_name(r.engine) +
                  (r.flash_attn ? ", fused attention)" : ", eager attention)");
        i.formula = n(tokens) + " prompt tokens x (3 x " + n(width) + " FFN + 4 x " + n(h) + " hidden) x 2 B" +
                    (r.flash_attn ? std::string() : " + attention scores " + n(a.num_attention_heads) + " heads x " + n(chunk) + "^2 x 6 B") +
                    " + last-token logits " + n(a.vocab_size) + " x 4 B";
        i.source = "largest live tensors of one decoder block during prefill (Korthikanti et al. 2022, arXiv:2205.05198); "
                   "transformers generate() keeps only the last logits";
    });
    if (r.quant_family == QuantFamily::bnb) {
        // bitsandbytes dequantizes one weight to 16 bits for the prefill matmul.
        const bytes_t dequant = h * std::max(width, h) * 2;
        add(out, r.describe, "dequant_buffer", ItemCategory::compute, dequant, r.cpu_only ? Location::host : Location::gpu,
            [&](LineItem& i) {
                i.label = "bitsandbytes dequantization buffer";
                i.formula = "largest linear weight " + n(h) + " x " + n(std::max(width, h)) + " in 16-bit";
                i.source = "bitsandbytes matmul_4bit dequantizes the weight before the GEMM for prefill";
            });
    }
    if (r.cpu_only) return;
    if (r.backend == Backend::metal) {
        add(out, r.describe, "backend_context", ItemCategory::overhead, 512 * MiB, Location::gpu, [&](LineItem& i) {
            i.label = "Metal runtime";
            i.formula = "512 MiB";
            i.source = "what ollama reserves for a Metal GPU (metalMinimumMemory) [estimate for MLX/MPS]";
        });
        return;
    }
    add(out, r.describe, "cuda_context", ItemCategory::overhead, kTorchCudaContext * gpus, Location::gpu, [&](LineItem& i) {
        i.label = std::string(backend_label(r.backend)) + " context (PyTorch)" + (gpus > 1 ? " (" + std::to_string(gpus) + " GPUs)" : "");
        i.formula = "426 MiB x " + std::to_string(gpus) + " GPU" + (gpus > 1 ? "s" : "");
        i.source = "PyTorch CUDA context with lazy module loading: 426 MiB with PyTorch 2.10 + CUDA 13.0 (unsloth-zoo PR #1053)";
    });
}

}  // namespace

const char* location_name(Location location) { return location == Location::gpu ? "gpu" : "host"; }

const char* item_category_name(ItemCategory category) {
    switch (category) {
        case ItemCategory::weights: return "weights";
        case ItemCategory::kv_cache: return "kv_cache";
        case ItemCategory::compute: return "compute";
        case ItemCategory::overhead: return "overhead";
    }
    return "?";
}

void apply_vllm_defaults(RuntimeRequest& r, double gpu_memory_gib, bool is_a100) {
    const bool big = gpu_memory_gib >= 70 && !is_a100;
    r.max_num_batched_tokens = big ? 8192 : 2048;
    r.max_num_seqs = big ? 1024 : 256;
}

std::vector<LineItem> runtime_items(const ModelArch& a, const KvCache& kv, const RuntimeRequest& r) {
    std::vector<LineItem> out;
    switch (r.engine) {
        case Engine::llama_cpp:
        case Engine::ollama: llama_cpp_items(a, kv, r, out); break;
        case Engine::vllm: vllm_items(a, r, out); break;
        case Engine::transformers:
        case Engine::mlx:
        case Engine::exllamav2: torch_items(a, r, out); break;
    }
    return out;
}

}  // namespace wif
