#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>

#include "facts/kv_cache.hpp"
#include "test_support.hpp"

using namespace wif;

namespace {

KvRequest llama_cpp(std::int64_t context, KvType type = KvType::f16, bool flash_attn = true) {
    KvRequest r;
    r.engine = Engine::llama_cpp;
    r.context = context;
    r.type_k = type;
    r.type_v = type;
    r.flash_attn = flash_attn;
    return r;
}

// open-llama 7B v2 as the ggml-org CI logs print it: llama arch, 32 layers, n_embd 4096, 32 heads,
// 32 KV heads, n_ff 11008, n_vocab 32000.
ModelArch open_llama_7b() { return wif::test::llama_arch(32000, 4096, 11008, 32, 32, 32); }

double mib(bytes_t b) { return static_cast<double>(b) / static_cast<double>(MiB); }

}  // namespace

TEST_CASE("the KV cache of Llama-3.1-8B at 131072 tokens in f16 is exactly 16 GiB", "[kv_cache]") {
    const PreparedModel m = wif::test::model("llama-3.1-8b");
    const KvCache kv = compute_kv_cache(m.arch, llama_cpp(131072));
    // 32 layers x 8 KV heads x 128 dims x (K + V) x 2 bytes x 131072 cells.
    constexpr std::int64_t expected = 32LL * 8 * 128 * 2 * 2 * 131072;
    static_assert(expected == 16 * GiB);
    CHECK(kv.total == expected);
    CHECK(kv.cells_full == 131072);
    CHECK(kv.k_elements == 8 * 128);
    CHECK(kv.v_elements == 8 * 128);
    CHECK(kv.layers.size() == 32);
    CHECK(kv.layers[0] == expected / 32);
    // llama.cpp log (Llama-3.1-8B f16 GGUF, n_ctx 131072, Apple M1 Pro; README of a "Meta LLaMa 3.1 ...
    // simple apps" repository, 2024-07): "KV self size  = 16384.00 MiB, K (f16): 8192.00 MiB, V (f16): 8192.00 MiB".
    CHECK(mib(kv.total) == 16384.0);
}

TEST_CASE("a q8_0 cache takes 34 bytes and a q4_0 cache 18 bytes per 32 values", "[kv_cache]") {
    const PreparedModel m = wif::test::model("llama-3.1-8b");
    constexpr std::int64_t values = 32LL * 8 * 128 * 2 * 131072;  // layers x KV heads x dims x (K + V) x cells
    CHECK(compute_kv_cache(m.arch, llama_cpp(131072, KvType::q8_0)).total == values / 32 * 34);
    CHECK(compute_kv_cache(m.arch, llama_cpp(131072, KvType::q4_0)).total == values / 32 * 18);
    static_assert(values / 32 * 34 == 17 * GiB / 2);  // 8.5 GiB
    static_assert(values / 32 * 18 == 9 * GiB / 2);   // 4.5 GiB
}

TEST_CASE("Llama-2-7B caches 32 KV heads per layer, four times Llama-3-8B's 8 grouped heads", "[kv_cache]") {
    const KvCache mha = compute_kv_cache(wif::test::model("llama-2-7b").arch, llama_cpp(4096));
    const KvCache gqa = compute_kv_cache(wif::test::model("llama-3-8b").arch, llama_cpp(4096));
    CHECK(mha.total == 32LL * 32 * 128 * 2 * 2 * 4096);  // 2 GiB
    CHECK(gqa.total == 32LL * 8 * 128 * 2 * 2 * 4096);   // 512 MiB
    CHECK(mha.total == 4 * gqa.total);
}

TEST_CASE("open-llama 7B's KV cache matches the ggml-org CI logs at 512 and 2048 tokens", "[kv_cache]") {
    // tests/data/published_figures.json llama_cpp_logs (ggml-org/ci, llama.cpp 40f74e4d, V100):
    // n_ctx 512: "KV self size  =  256.00 MiB"; n_ctx 2048: "KV self size  = 1024.00 MiB".
    const ModelArch a = open_llama_7b();
    CHECK(compute_kv_cache(a, llama_cpp(512, KvType::f16, false)).total == 32LL * 4096 * 2 * 2 * 512);
    CHECK(mib(compute_kv_cache(a, llama_cpp(512, KvType::f16, false)).total) == 256.0);
    CHECK(mib(compute_kv_cache(a, llama_cpp(2048, KvType::f16, false)).total) == 1024.0);
}

TEST_CASE("Mistral-7B-Instruct-v0.2 at 32000 tokens holds the 4000 MiB llama.cpp logged", "[kv_cache]") {
    // llama.cpp issue #7450 (build 2961): n_ctx 32000, "KV self size  = 4000.00 MiB, K (f16): 2000.00 MiB".
    // v0.2 has no sliding window; shape: 32 layers, 8 KV heads of 128.
    ModelArch a = open_llama_7b();
    a.num_key_value_heads = 8;
    a.intermediate_size = 14336;
    const KvCache kv = compute_kv_cache(a, llama_cpp(32000, KvType::f16, false));
    CHECK(kv.total == 32LL * 8 * 128 * 2 * 2 * 32000);
    CHECK(mib(kv.total) == 4000.0);
}

TEST_CASE("Qwen2.5-Coder-32B with a q8_0 cache at 32768 tokens holds the 4352 MiB llama.cpp logged", "[kv_cache]") {
    // llama.cpp issue #11200 (build 4462): "KV self size  = 4352.00 MiB, K (q8_0): 2176.00 MiB, V (q8_0): 2176.00 MiB"
    // with -c 32768 --flash-attn --cache-type-k q8_0 --cache-type-v q8_0. Shape: 64 layers, 8 KV heads of 128.
    const PreparedModel m = wif::test::model("qwen2.5-coder-32b");
    const KvCache kv = compute_kv_cache(m.arch, llama_cpp(32768, KvType::q8_0, true));
    CHECK(kv.total == 64LL * 32768 * 2 * (8 * 128 / 32 * 34));
    CHECK(mib(kv.total) == 4352.0);
}

TEST_CASE("Gemma-3-27B at 32768 tokens in llama.cpp: 10 full layers of 32768 cells and 52 sliding layers of 1536", "[kv_cache]") {
    const PreparedModel m = wif::test::model("gemma-3-27b");
    const KvCache kv = compute_kv_cache(m.arch, llama_cpp(32768));
    // Layers 5, 11, ..., 59 are global. A sliding layer keeps window 1024 + one ubatch of 512 cells,
    // padded to 256 (llama-kv-cache-iswa.cpp: GGML_PAD(n_swa + n_ubatch, n_pad)).
    CHECK(kv.full_layers == 10);
    CHECK(kv.swa_layers == 52);
    CHECK(kv.cells_full == 32768);
    CHECK(kv.cells_swa == 1024 + 512);
    // 16 KV heads of head_dim 128, K and V in f16.
    const std::int64_t cell = 16LL * 128 * 2 * 2;
    CHECK(kv.total == (10LL * 32768 + 52LL * 1536) * cell);
    CHECK(kv.layers[5] == 32768 * cell);
    CHECK(kv.layers[0] == 1536 * cell);
}

TEST_CASE("DeepSeek-V3 in llama.cpp caches only the 576-value MLA latent per layer and cell", "[kv_cache]") {
    const PreparedModel m = wif::test::model("deepseek-v3");
    const KvCache kv = compute_kv_cache(m.arch, llama_cpp(32768));
    CHECK(kv.k_elements == 512 + 64);  // kv_lora_rank + qk_rope_head_dim
    CHECK(kv.v_elements == 0);
    CHECK(kv.total == 61LL * 32768 * 576 * 2);
    // ik_llama.cpp (the same latent cache) logs for a 61-layer DeepSeek at n_ctx 32768
    // (ikawrakow/ik_llama.cpp PR #235): "KV self size  = 2196.00 MiB, c^KV (f16): 2196.00 MiB".
    CHECK(mib(kv.total) == 2196.0);
    // ... and PR #259 with a q8_0 latent: "c^KV (q8_0): 1166.62 MiB" (printf of 1166.625).
    KvRequest q8 = llama_cpp(32768, KvType::q8_0, true);
    q8.type_v = KvType::f16;
    const KvCache kv8 = compute_kv_cache(m.arch, q8);
    CHECK(kv8.total == 61LL * 32768 * (576 / 32 * 34));
    CHECK(mib(kv8.total) == 1166.625);  // printed with %.2f as 1166.62
}

TEST_CASE("vLLM allocates whole 16-token blocks per sequence", "[kv_cache]") {
    const PreparedModel m = wif::test::model("llama-3.1-8b");
    KvRequest r;
    r.engine = Engine::vllm;
    r.context = 1000;  // 62.5 blocks -> 63 blocks of 16 = 1008 tokens
    const KvCache kv = compute_kv_cache(m.arch, r);
    CHECK(kv.cells_full == 1008);
    CHECK(kv.total == 32LL * 1008 * 8 * 128 * 2 * 2);
}

TEST_CASE("running several sequences multiplies the cells", "[kv_cache]") {
    const PreparedModel m = wif::test::model("llama-3.1-8b");
    KvRequest one = llama_cpp(8192);
    KvRequest four = one;
    four.sequences = 4;
    const KvCache a = compute_kv_cache(m.arch, one);
    const KvCache b = compute_kv_cache(m.arch, four);
    CHECK(b.cells_full == 4 * 8192);
    CHECK(b.total == 32LL * 8 * 128 * 2 * 2 * 4 * 8192);
    CHECK(b.total == 4 * a.total);

    KvRequest vllm;
    vllm.engine = Engine::vllm;
    vllm.context = 1000;
    vllm.sequences = 4;
    CHECK(compute_kv_cache(m.arch, vllm).cells_full == 4 * 1008);
}

TEST_CASE("llama.cpp rounds the context up to a multiple of 256 cells", "[kv_cache]") {
    // src/llama-context.cpp since ggml-org/llama.cpp PR #17046: cparams.n_ctx = GGML_PAD(cparams.n_ctx, 256).
    const PreparedModel m = wif::test::model("llama-3.1-8b");
    const KvCache kv = compute_kv_cache(m.arch, llama_cpp(31072, KvType::f16, false));
    CHECK(kv.cells_full == 122 * 256);  // 31072 / 256 = 121.4
    CHECK(kv.total == 32LL * 8 * 128 * 2 * 2 * (122 * 256));
}

TEST_CASE("check_kv_types refuses cache types an engine does not have", "[kv_cache]") {
    // llama-context.cpp: "V cache quantization requires flash_attn".
    Expected<bool> r = check_kv_types(Engine::llama_cpp, KvType::q8_0, KvType::q8_0, false);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "kv_needs_flash_attn");
    CHECK(check_kv_types(Engine::llama_cpp, KvType::q8_0, KvType::q8_0, true).ok());
    // A quantized K alone works without flash attention.
    CHECK(check_kv_types(Engine::llama_cpp, KvType::q8_0, KvType::f16, false).ok());

    // fp8 is vLLM's --kv-cache-dtype, not a ggml type.
    r = check_kv_types(Engine::llama_cpp, KvType::fp8, KvType::fp8, true);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "unsupported_kv_type");

    // vLLM offers auto (16-bit) and fp8 only.
    r = check_kv_types(Engine::vllm, KvType::q8_0, KvType::q8_0, true);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "unsupported_kv_type");
    CHECK(check_kv_types(Engine::vllm, KvType::fp8, KvType::fp8, true).ok());
    CHECK(check_kv_types(Engine::vllm, KvType::f16, KvType::f16, false).ok());
}

TEST_CASE("KV cache type names parse and a q8_0 row of 1024 values takes 32 blocks of 34 bytes", "[kv_cache]") {
    KvType t = KvType::f32;
    REQUIRE(parse_kv_type("q8_0", t));
    CHECK(t == KvType::q8_0);
    REQUIRE(parse_kv_type("fp16", t));
    CHECK(t == KvType::f16);
    REQUIRE(parse_kv_type("q4_0", t));
    CHECK(t == KvType::q4_0);
    CHECK_FALSE(parse_kv_type("q3_k", t));
    CHECK(kv_row_bytes(KvType::q8_0, 1024) == 1024 / 32 * 34);
    CHECK(kv_row_bytes(KvType::f16, 1024) == 2048);
    CHECK(kv_type_is_quantized(KvType::q4_0));
    CHECK_FALSE(kv_type_is_quantized(KvType::bf16));
}

// Issue 11: signed overflow for absurd but valid configs answered "KV cache 0 bytes".
TEST_CASE("KV cache sizes past 1 EiB clamp and say so instead of wrapping", "[kv_cache][hardening]") {
    // The largest architecture validate_arch accepts: 1024 layers x 4096 KV heads x 4096 dims.
    ModelArch a = wif::test::llama_arch(4194304, 1048576, 1048576, 1024, 4096, 4096);
    a.head_dim = 4096;
    REQUIRE(validate_arch(a));
    for (Engine engine : {Engine::llama_cpp, Engine::vllm, Engine::transformers, Engine::mlx, Engine::exllamav2}) {
        KvRequest r = llama_cpp(16777216, KvType::f32);
        r.engine = engine;
        r.sequences = 4096;
        const KvCache kv = compute_kv_cache(a, r);
        CHECK(kv.out_of_range);
        CHECK(kv.total == kMaxBytes);
        CHECK(kv.bytes_per_cell > 0);
        for (bytes_t layer : kv.layers) CHECK(layer > 0);
    }
    // An ordinary request is exact and in range.
    const KvCache ok = compute_kv_cache(open_llama_7b(), llama_cpp(4096));
    CHECK_FALSE(ok.out_of_range);
    CHECK(ok.total == 32LL * 4096 * 2 * 2 * 4096);
}

// Hybrid models: attention layers keep per-token KV, recurrent layers a fixed state per sequence.

TEST_CASE("Qwen3-Next in llama.cpp: 12 attention layers of KV plus 75.4 MiB of F32 DeltaNet state per sequence", "[kv_cache][hybrid]") {
    const ModelArch& a = wif::test::model("qwen3-next-80b-a3b").arch;
    const KvCache kv = compute_kv_cache(a, llama_cpp(131072));
    // Per DeltaNet layer and sequence (llama.cpp n_embd_r / n_embd_s with ssm_d_conv 4, d_inner
    // 4096, d_state 128, n_group 16): conv (4 - 1) x (4096 + 2 x 16 x 128) = 24,576 values, scan
    // 128 x 4096 = 524,288 values, both F32: 2,195,456 bytes; 36 layers: 79,036,416 bytes.
    CHECK(kv.conv_elements == 24576);
    CHECK(kv.ssm_elements == 524288);
    CHECK(kv.conv_type == KvType::f32);
    CHECK(kv.ssm_type == KvType::f32);
    CHECK(kv.recurrent_layers == 36);
    CHECK(kv.state_slots == 1);
    CHECK(kv.state_bytes == 36LL * (24576 + 524288) * 4);
    // llama_memory_recurrent would print R (f32): 3.38 MiB (36 x 24,576 x 4 = 3,538,944 bytes) and
    // S (f32): 72.00 MiB (36 x 524,288 x 4 = 75,497,472 bytes).
    CHECK(mib(36LL * 24576 * 4) == 3.375);
    CHECK(mib(36LL * 524288 * 4) == 72.0);
    // Attention: 12 layers x 131,072 cells x 2 KV heads x 256 dims x (K + V) x 2 bytes = 3 GiB.
    CHECK(kv.full_layers == 12);
    CHECK(kv.total - kv.state_bytes == 12LL * 131072 * 2 * 256 * 2 * 2);
    CHECK(kv.total - kv.state_bytes == 3 * GiB);
    // The state lives in the recurrent layers' own entries (what -ngl offloads with them).
    CHECK(kv.layers[0] == 2195456);
    CHECK(kv.attention_bytes(0) == 0);
    CHECK(kv.layers[3] == 131072LL * 2048);
    // Four parallel sequences: four states, the same attention cells (one unified buffer).
    KvRequest four = llama_cpp(131072);
    four.sequences = 4;
    CHECK(compute_kv_cache(a, four).state_bytes == 4 * kv.state_bytes);
}

TEST_CASE("Granite-4.0-H-Small in llama.cpp: 4 attention layers and 36 Mamba-2 states of 4.1 MiB", "[kv_cache][hybrid]") {
    const ModelArch& a = wif::test::model("granite-4.0-h-small").arch;
    const KvCache kv = compute_kv_cache(a, llama_cpp(32768));
    // Mamba-2 (d_inner 8192, d_state 128, 1 group, conv 4): conv 3 x (8192 + 2 x 128) = 25,344,
    // scan 128 x 8192 = 1,048,576 values, F32: 4,295,680 bytes per layer; 36 layers: 154,644,480
    // bytes (147.5 MiB).
    CHECK(kv.state_bytes == 36LL * (25344 + 1048576) * 4);
    CHECK(kv.state_bytes == 154'644'480LL);
    // Attention: 4 layers x 32,768 cells x 8 x 128 x 2 x 2 bytes = 512 MiB.
    CHECK(kv.total - kv.state_bytes == 512 * MiB);
}

TEST_CASE("vLLM sizes hybrid blocks so an attention page holds a recurrent state (Qwen3-Next: 544 tokens)", "[kv_cache][hybrid]") {
    const ModelArch& a = wif::test::model("qwen3-next-80b-a3b").arch;
    KvRequest r;
    r.engine = Engine::vllm;
    r.context = 131072;
    const KvCache kv = compute_kv_cache(a, r);
    // State page in bf16 (mamba_cache_dtype "auto"): conv 3 x 8192 x 2 = 49,152 + scan 32 x 128 x
    // 128 x 2 = 1,048,576 = 1,097,728 bytes. Attention page per token and layer: 2 x 256 x (K + V)
    // x 2 = 2,048 bytes. Block = 16 x ceil(1,097,728 / (16 x 2,048)) = 16 x 34 = 544 tokens, the
    // "non-standard block size (544)" of vLLM PR #32492 (ROCm, Qwen3-Next, 2026-01-16); the state
    // page is padded to 544 x 2,048 = 1,114,112 bytes.
    CHECK(kv.conv_type == KvType::bf16);
    CHECK(kv.ssm_type == KvType::bf16);
    CHECK(kv.state_bytes_per_slot == 544 * 2048);
    CHECK(kv.state_bytes == 36LL * 544 * 2048);
    // 131,072 tokens round up to 241 blocks of 544 = 131,104 cells.
    CHECK(kv.cells_full == 241 * 544);
    CHECK(kv.total - kv.state_bytes == 12LL * 131104 * 2048);
}

TEST_CASE("vLLM's NemotronH block is 672 tokens with a 16-bit SSM state, 1312 with the float32 default", "[kv_cache][hybrid]") {
    const ModelArch& a = wif::test::model("nemotron-nano-9b-v2").arch;
    KvRequest r;
    r.engine = Engine::vllm;
    r.context = 8192;
    // Conv state 3 x (10240 + 2 x 8 x 128) = 36,864 values in bf16 = 73,728 bytes. Attention page
    // per token and layer: 8 KV heads x 128 x 2 x 2 = 4,096 bytes.
    // vLLM issue #24280 (2025-09-04): "672 tokens for nvidia/NVIDIA-Nemotron-Nano-9B-v2", with the
    // scan state 128 x 80 x 128 = 1,310,720 values in 16 bits: (73,728 + 2,621,440) / (16 x 4,096)
    // = 41.1 -> 42 x 16 = 672.
    KvRequest half = r;
    half.state_type = KvType::bf16;
    CHECK(compute_kv_cache(a, half).state_bytes_per_slot == 672 * 4096);
    // Today vLLM keeps NemotronH's scan state in float32 (NemotronHForCausalLMConfig): (73,728 +
    // 5,242,880) / 65,536 = 81.1 -> 82 x 16 = 1312 tokens.
    const KvCache kv = compute_kv_cache(a, r);
    CHECK(kv.ssm_type == KvType::f32);
    CHECK(kv.state_bytes_per_slot == 1312 * 4096);
    CHECK(kv.state_bytes == 27LL * 1312 * 4096);
    CHECK(kv.cells_full == 1312 * 7);  // 8192 tokens in blocks of 1312
}

TEST_CASE("a hybrid's state does not grow with the context; its attention layers' KV does", "[kv_cache][hybrid]") {
    for (const char* id : {"qwen3-next-80b-a3b", "granite-4.0-h-tiny", "nemotron-nano-12b-v2", "falcon-h1-0.5b"}) {
        INFO(id);
        const ModelArch& a = wif::test::model(id).arch;
        for (Engine engine : {Engine::llama_cpp, Engine::vllm, Engine::transformers, Engine::mlx}) {
            KvRequest r;
            r.engine = engine;
            r.context = 4096;
            const KvCache small = compute_kv_cache(a, r);
            r.context = 131072;
            const KvCache large = compute_kv_cache(a, r);
            CHECK(small.state_bytes > 0);
            CHECK(small.state_bytes == large.state_bytes);
            CHECK(large.total - large.state_bytes > small.total - small.state_bytes);
        }
    }
}

TEST_CASE("Falcon-H1 keeps both a KV cache and a Mamba-2 state in every layer", "[kv_cache][hybrid]") {
    const ModelArch& a = wif::test::model("falcon-h1-7b").arch;
    const KvCache kv = compute_kv_cache(a, llama_cpp(4096));
    // 44 layers: KV 4096 cells x 2 KV heads x 128 x 2 x 2 bytes = 4 MiB each; state conv 3 x (3072 +
    // 2 x 256) = 10,752 + scan 256 x 3072 = 786,432 values in F32 = 3,188,736 bytes each.
    CHECK(kv.full_layers == 44);
    CHECK(kv.recurrent_layers == 44);
    CHECK(kv.layers[0] == 4 * MiB + (10752 + 786432) * 4);
    CHECK(kv.total == 44 * (4 * MiB + (10752LL + 786432) * 4));
}

TEST_CASE("Llama 4 Scout at 131072 tokens: 12 full layers and 36 chunked layers of one 8192-token chunk", "[kv_cache]") {
    const ModelArch& a = wif::test::model("llama-4-scout").arch;
    CHECK(a.chunked_attention);
    CHECK(a.sliding_window == 8192);
    // llama.cpp: LLAMA_SWA_TYPE_CHUNKED, n_swa 8192, pattern 4 (layers 3, 7, ... are NoPE full
    // attention). Full layers: 131,072 cells; chunked layers: 8192 + one ubatch of 512 = 8,704
    // cells. Per cell and layer: 8 KV heads x 128 x (K + V) x 2 bytes = 4,096 bytes.
    const KvCache kv = compute_kv_cache(a, llama_cpp(131072));
    CHECK(kv.full_layers == 12);
    CHECK(kv.swa_layers == 36);
    CHECK(kv.cells_swa == 8704);
    CHECK(kv.total == 12LL * 131072 * 4096 + 36LL * 8704 * 4096);
    CHECK(kv.total == 7'725'907'968LL);  // 7.2 GiB; counted as full attention it was 48 x 131,072 x 4,096 = 24 GiB
    // vLLM ChunkedLocalAttentionSpec: ceil(min(8192 + 2048, 131072) / 16) = 640 blocks = 10,240 cells.
    KvRequest v;
    v.engine = Engine::vllm;
    v.context = 131072;
    const KvCache vk = compute_kv_cache(a, v);
    CHECK(vk.cells_swa == 10240);
    CHECK(vk.total == 12LL * 131072 * 4096 + 36LL * 10240 * 4096);
}

TEST_CASE("a hybrid's memory barely grows with the context next to a dense model of the same size", "[kv_cache][hybrid]") {
    // NVIDIA-Nemotron-Nano-9B-v2 (4 attention layers of 56) against Llama-3.1-8B (32 attention
    // layers), both Q4_K_M in llama.cpp on one H100, at 4,096 and 131,072 tokens.
    const Device& h100 = wif::test::device("h100-sxm");
    auto growth = [&](const char* id) {
        const PreparedModel m = wif::test::model(id);
        const Estimate small = wif::test::estimate(m, "Q4_K_M", h100, wif::test::with_context(4096));
        const Estimate large = wif::test::estimate(m, "Q4_K_M", h100, wif::test::with_context(131072));
        return large.total_bytes - small.total_bytes;
    };
    const bytes_t hybrid = growth("nemotron-nano-9b-v2");
    const bytes_t dense = growth("llama-3.1-8b");
    // KV alone: 4 x 126,976 more cells x 4,096 bytes = 1.94 GiB against 32 x 126,976 x 4,096 =
    // 15.5 GiB; the compute buffers grow a little with the context for both.
    CHECK(hybrid < dense / 6);
    CHECK(hybrid >= 4LL * 126976 * 4096);
    CHECK(dense >= 32LL * 126976 * 4096);
    // The recurrent state itself is the same at both lengths: 27 layers x (3 x 12,288 + 128 x 10,240)
    // values in F32 = 145,539,072 bytes.
    const Estimate e = wif::test::estimate(wif::test::model("nemotron-nano-9b-v2"), "Q4_K_M", h100, wif::test::with_context(131072));
    CHECK(e.kv.state_bytes == 27LL * (3 * 12288 + 128 * 10240) * 4);
    bytes_t item = 0;
    for (const LineItem& i : e.items) {
        if (std::string(i.key) == "recurrent_state") item = i.bytes;
    }
    CHECK(item == e.kv.state_bytes);
    CHECK(e.kv_cache_bytes == e.kv.total);  // KV + state, as the bar shows it
}
