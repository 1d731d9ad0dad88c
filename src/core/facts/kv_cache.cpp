#include "facts/kv_cache.hpp"

#include <algorithm>

#include "base/checked.hpp"

namespace wif {

namespace {

struct KvTypeInfo {
    KvType type;
    const char* name;
    std::int64_t block;  // elements per block
    std::int64_t bytes;  // bytes per block (ggml/src/ggml-common.h)
};

constexpr KvTypeInfo kKvTypes[] = {
    {KvType::f32, "f32", 1, 4},     {KvType::f16, "f16", 1, 2},     {KvType::bf16, "bf16", 1, 2},
    {KvType::fp8, "fp8", 1, 1},     {KvType::q8_0, "q8_0", 32, 34}, {KvType::q5_1, "q5_1", 32, 24},
    {KvType::q5_0, "q5_0", 32, 22}, {KvType::q4_1, "q4_1", 32, 20}, {KvType::q4_0, "q4_0", 32, 18},
    {KvType::iq4_nl, "iq4_nl", 32, 18},
};

const KvTypeInfo& info(KvType type) { return kKvTypes[static_cast<size_t>(type)]; }

// llama.cpp pads the cache to 256 cells (src/llama-context.cpp: GGML_PAD(n_ctx, 256), PR #17046);
// KvRequest::llama_pad holds an older build's padding.
constexpr std::int64_t kLlamaPad = 256;
// vLLM's default paged-attention block (--block-size 16).
constexpr std::int64_t kVllmBlock = 16;
// mlx-lm's KVCache grows in steps of 256 tokens (mlx_lm/models/cache.py, KVCache.step).
constexpr std::int64_t kMlxStep = 256;

}  // namespace

const char* kv_type_name(KvType type) { return info(type).name; }

bool parse_kv_type(std::string_view text, KvType& out) {
    std::string t = to_lower(text);
    if (t == "fp16" || t == "float16" || t == "half" || t == "auto") t = "f16";
    if (t == "fp32" || t == "float32") t = "f32";
    if (t == "bfloat16") t = "bf16";
    if (t == "fp8_e4m3" || t == "fp8_e5m2" || t == "fp8-e4m3" || t == "int8_fp8") t = "fp8";
    if (t == "q8" || t == "8bit" || t == "8-bit") t = "q8_0";
    if (t == "q4" || t == "4bit" || t == "4-bit") t = "q4_0";
    for (const KvTypeInfo& k : kKvTypes) {
        if (t == k.name) {
            out = k.type;
            return true;
        }
    }
    return false;
}

bool kv_type_is_quantized(KvType type) { return info(type).block > 1; }

bytes_t kv_row_bytes(KvType type, std::int64_t elements) {
    const KvTypeInfo& k = info(type);
    return ceil_div(elements, k.block) * k.bytes;
}

Expected<bool> check_kv_types(Engine engine, KvType type_k, KvType type_v, bool flash_attn) {
    auto unsupported = [&](const char* allowed) {
        return make_error("unsupported_kv_type", std::string(engine_name(engine)) + " does not have a " +
                                                     kv_type_name(type_k == KvType::f16 ? type_v : type_k) +
                                                     " KV cache; it offers " + allowed);
    };
    auto in = [](KvType t, std::initializer_list<KvType> list) {
        return std::find(list.begin(), list.end(), t) != list.end();
    };
    switch (engine) {
        case Engine::llama_cpp:
            if (type_k == KvType::fp8 || type_v == KvType::fp8) return unsupported("f32, f16, bf16, q8_0, q5_1, q5_0, q4_1, q4_0, iq4_nl");
            // llama-context.cpp refuses "V cache quantization requires flash_attn".
            if (kv_type_is_quantized(type_v) && !flash_attn)
                return make_error("kv_needs_flash_attn", "llama.cpp needs flash attention for a quantized V cache (-fa on)");
            return true;
        case Engine::ollama:
            // OLLAMA_KV_CACHE_TYPE accepts f16, q8_0 and q4_0 (envconfig, llm/server.go).
            if (!in(type_k, {KvType::f16, KvType::q8_0, KvType::q4_0}) || type_k != type_v) return unsupported("f16, q8_0 and q4_0 (one type for K and V)");
            return true;
        case Engine::vllm:
            // --kv-cache-dtype auto|fp8 (vllm/config/cache.py).
            if (!in(type_k, {KvType::f16, KvType::bf16, KvType::fp8}) || type_k != type_v) return unsupported("auto (16-bit) and fp8");
            return true;
        case Engine::transformers:
            if (!in(type_k, {KvType::f16, KvType::bf16, KvType::f32}) || type_k != type_v) return unsupported("the model dtype (f16/bf16) or f32");
            return true;
        case Engine::mlx:
            // mlx_lm --kv-bits 8|4 with group size 64: 8.5 and 4.5 bits, the sizes of q8_0/q4_0.
            if (!in(type_k, {KvType::f16, KvType::bf16, KvType::q8_0, KvType::q4_0}) || type_k != type_v) return unsupported("f16/bf16 and 8- or 4-bit (--kv-bits)");
            return true;
        case Engine::exllamav2:
            if (!in(type_k, {KvType::f16, KvType::q8_0, KvType::q4_0}) || type_k != type_v) return unsupported("FP16, Q8 and Q4 caches");
            return true;
    }
    return true;
}

KvCache compute_kv_cache(const ModelArch& a, const KvRequest& r) {
    KvCache kv;
    // Every product saturates at kMaxBytes and marks the cache out of range instead of wrapping:
    // absurd but valid configs (4096 heads x 4096 dims x 16M tokens x 4096 sequences) used to
    // answer "KV cache 0 bytes" (issue 11).
    auto mul = [&kv](std::int64_t x, std::int64_t y) {
        const std::int64_t out = saturating_mul(x, y);
        if (out == kMaxBytes) kv.out_of_range = true;
        return out;
    };
    auto add = [&kv](std::int64_t x, std::int64_t y) {
        const std::int64_t out = saturating_add(x, y);
        if (out == kMaxBytes) kv.out_of_range = true;
        return out;
    };
    const std::int64_t ctx = std::max<std::int64_t>(r.context, 1);
    const std::int64_t seqs = std::max<std::int64_t>(r.sequences, 1);
    const std::int64_t window = a.sliding_window;

    // Elements per cell and layer, K and V.
    if (a.attention == AttentionKind::mla) {
        if (r.engine == Engine::llama_cpp || r.engine == Engine::ollama || r.engine == Engine::vllm) {
            // The compressed latent (kv_lora_rank) plus the shared RoPE key; llama.cpp stores no V
            // since PR #19067 (Jan 2026), vLLM's MLAAttentionSpec has one 576-wide entry.
            kv.k_elements = a.kv_lora_rank + a.qk_rope_head_dim;
            kv.v_elements = 0;
        } else {
            // transformers/mlx cache the decompressed per-head keys and values.
            kv.k_elements = a.num_attention_heads * (a.qk_nope_head_dim + a.qk_rope_head_dim);
            kv.v_elements = a.num_attention_heads * a.v_head_dim;
        }
    } else {
        kv.k_elements = a.num_key_value_heads * a.head_dim;
        kv.v_elements = a.num_key_value_heads * a.head_dim;
    }

    const bytes_t cell_bytes = kv_row_bytes(r.type_k, kv.k_elements) + kv_row_bytes(r.type_v, kv.v_elements);

    // Recurrent state (hybrids): per layer and sequence, the convolution's last d_conv - 1 inputs
    // and the scan's state matrix, whatever the context.
    std::int64_t vllm_block = kVllmBlock;
    if (a.is_hybrid()) {
        kv.conv_elements = a.ssm_conv_state();
        kv.ssm_elements = a.ssm_state();
        const KvType model_type = a.torch_dtype == "float32" ? KvType::f32 : a.torch_dtype == "float16" ? KvType::f16 : KvType::bf16;
        switch (r.engine) {
            case Engine::llama_cpp:
            case Engine::ollama:
                // llama.cpp keeps both in F32 (src/llama-model.cpp create_memory: recurrent_type_k/v
                // GGML_TYPE_F32) [estimate for ollama: its runner uses the same memory module].
                kv.conv_type = kv.ssm_type = KvType::f32;
                break;
            case Engine::vllm:
                // mamba_cache_dtype and mamba_ssm_cache_dtype default to "auto", the model dtype
                // (vllm/model_executor/layers/mamba/mamba_utils.py MambaStateDtypeCalculator); for
                // NemotronH the SSM state defaults to float32 (models/config.py
                // NemotronHForCausalLMConfig: "Only float32 is known to have no accuracy issues").
                kv.conv_type = model_type;
                kv.ssm_type = r.state_type ? *r.state_type : a.model_type == "nemotron_h" ? KvType::f32 : model_type;
                break;
            case Engine::transformers:
            case Engine::mlx:
            case Engine::exllamav2:
                // [estimate: the caches are allocated in the model dtype]
                kv.conv_type = kv.ssm_type = model_type;
                break;
        }
        kv.state_slots = seqs;
        const bytes_t raw = add(mul(kv.conv_elements, kv_row_bytes(kv.conv_type, 1)), mul(kv.ssm_elements, kv_row_bytes(kv.ssm_type, 1)));
        kv.state_bytes_per_slot = raw;
        bool any_attention = false;
        for (std::int64_t il = 0; il < a.num_hidden_layers && !any_attention; ++il) any_attention = a.has_attention(il);
        if (r.engine == Engine::vllm && any_attention && cell_bytes > 0) {
            // vLLM's hybrid allocator shares one page size: the attention block grows to the smallest
            // multiple of 16 tokens whose page holds a recurrent state, and the state page is padded
            // to exactly that page (models/config.py HybridAttentionMambaModelConfig).
            vllm_block = kVllmBlock * std::max<std::int64_t>(1, ceil_div(raw, mul(kVllmBlock, cell_bytes)));
            kv.state_bytes_per_slot = mul(vllm_block, cell_bytes);
        }
    }

    // Cells per layer, as each engine's cache manager allocates them.
    const bool chunked = a.chunked_attention;
    std::int64_t full = 0, swa = 0;
    switch (r.engine) {
        case Engine::llama_cpp:
        case Engine::ollama: {
            // One unified buffer of n_ctx cells shared by the sequences; sliding-window and chunked
            // layers get n_swa per sequence + one ubatch (src/llama-kv-cache-iswa.cpp; Llama 4 is
            // LLAMA_SWA_TYPE_CHUNKED with the same size), both padded to 256.
            const std::int64_t pad = r.llama_pad > 0 ? r.llama_pad : kLlamaPad;
            full = round_up(mul(ctx, seqs), pad);
            swa = std::min(full, round_up(add(mul(window, seqs), r.ubatch), pad));
            kv.layout = "context x sequences, padded to " + std::to_string(pad) + " cells";
            break;
        }
        case Engine::vllm: {
            // Paged blocks of 16 tokens (more for hybrids, see above). A sliding-window request needs
            // ceil(min(window - 1 + max_num_batched_tokens, ctx) / block) + 1 blocks; a chunked one
            // ceil(min(chunk + max_num_batched_tokens, ctx) / block) (v1/kv_cache_interface.py
            // SlidingWindowSpec, ChunkedLocalAttentionSpec).
            full = mul(seqs, round_up(ctx, vllm_block));
            if (chunked) {
                const std::int64_t chunk_tokens = std::min(add(window, r.max_num_batched_tokens), ctx);
                swa = std::min(full, mul(seqs, ceil_div(chunk_tokens, vllm_block) * vllm_block));
            } else {
                const std::int64_t swa_tokens = std::min(add(window - 1, r.max_num_batched_tokens), ctx);
                swa = std::min(full, mul(seqs, (ceil_div(swa_tokens, vllm_block) + 1) * vllm_block));
            }
            kv.layout = vllm_block == kVllmBlock ? "16-token blocks per sequence"
                                                 : format_int(vllm_block) + "-token blocks per sequence (raised so a block's page holds a recurrent state)";
            break;
        }
        case Engine::transformers:
        case Engine::exllamav2:
            full = mul(seqs, ctx);
            swa = mul(seqs, std::min(ctx, window));  // Llama 4: HybridChunkedCache keeps one chunk
            kv.layout = "context x sequences";
            break;
        case Engine::mlx:
            full = mul(seqs, round_up(ctx, kMlxStep));
            swa = mul(seqs, std::min(ctx, window));  // RotatingKVCache(max_size=sliding_window), ChunkedKVCache
            kv.layout = "context x sequences, grown in 256-token steps";
            break;
    }
    kv.cells_full = full;

    kv.layers.assign(static_cast<size_t>(a.num_hidden_layers), 0);
    if (a.is_hybrid()) kv.state_layers.assign(static_cast<size_t>(a.num_hidden_layers), 0);
    const bytes_t state_per_layer = mul(seqs, kv.state_bytes_per_slot);
    for (std::int64_t il = 0; il < a.num_hidden_layers; ++il) {
        bytes_t layer = 0;
        if (a.has_attention(il)) {
            const bool is_swa = a.is_swa_layer(il);
            const std::int64_t cells = is_swa ? swa : full;
            if (is_swa) {
                ++kv.swa_layers;
                kv.cells_swa = swa;
            } else {
                ++kv.full_layers;
            }
            layer = add(mul(cells, kv_row_bytes(r.type_k, kv.k_elements)), mul(cells, kv_row_bytes(r.type_v, kv.v_elements)));
        }
        if (a.has_recurrent(il)) {
            ++kv.recurrent_layers;
            kv.state_layers[static_cast<size_t>(il)] = state_per_layer;
            kv.state_bytes = add(kv.state_bytes, state_per_layer);
            layer = add(layer, state_per_layer);
        }
        kv.layers[static_cast<size_t>(il)] = layer;
        kv.total = add(kv.total, layer);
    }
    if (kv.recurrent_layers > 0) {
        kv.layout += "; recurrent state: " + format_int(seqs) + (seqs == 1 ? " sequence" : " sequences") + " x " +
                     std::to_string(kv.recurrent_layers) + " layers (" + kv_type_name(kv.conv_type) + " convolution, " +
                     kv_type_name(kv.ssm_type) + " scan state), the same at any context";
    }
    kv.bytes_per_cell = mul(cell_bytes, kv.full_layers);
    return kv;
}

}  // namespace wif
