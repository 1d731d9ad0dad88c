#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "facts/architecture.hpp"
#include "test_support.hpp"

using namespace wif;

namespace {

std::vector<Tensor> with_role(const std::vector<Tensor>& tensors, TensorRole role) {
    std::vector<Tensor> out;
    for (const Tensor& t : tensors) {
        if (t.role == role) out.push_back(t);
    }
    return out;
}

std::int64_t sum_elements(const std::vector<Tensor>& tensors) {
    std::int64_t n = 0;
    for (const Tensor& t : tensors) n += t.elements();
    return n;
}

// A valid Llama-3-8B-shaped arch to break one field at a time.
ModelArch llama3_8b_shape() { return wif::test::llama_arch(128256, 4096, 14336, 32, 32, 8); }

}  // namespace

TEST_CASE("every catalog model's derived parameter count is within 1% of its published count", "[architecture]") {
    const Catalog& c = wif::test::catalog();
    REQUIRE_FALSE(c.models.empty());
    for (const ModelEntry& m : c.models) {
        INFO("model " << m.id << ": published " << m.published_params << " (" << m.params_source << ")");
        REQUIRE(m.published_params > 0);
        const std::int64_t derived = count_params(m.arch).total;
        INFO("derived " << derived);
        const double ratio = static_cast<double>(derived) / static_cast<double>(m.published_params);
        CHECK(std::abs(ratio - 1.0) <= 0.01);
    }
}

TEST_CASE("Mixtral-8x7B has exactly the 46,702,792,704 parameters of its safetensors and 12.9B active", "[architecture]") {
    const PreparedModel m = wif::test::model("mixtral-8x7b");
    // config.json: vocab 32000, hidden 4096, 32 layers, 32 heads / 8 KV heads (head_dim 128),
    // 8 experts of width 14336, 2 per token, untied embeddings.
    constexpr std::int64_t attn = 4096LL * 4096 + 4096LL * 1024 + 4096LL * 1024 + 4096LL * 4096;
    constexpr std::int64_t norms = 2 * 4096;
    constexpr std::int64_t router = 4096LL * 8;
    constexpr std::int64_t expert = 3LL * 4096 * 14336;  // gate, up, down
    constexpr std::int64_t embeddings = 2LL * 32000 * 4096 + 4096;  // token_embd, output, output_norm
    constexpr std::int64_t total = 32 * (attn + norms + router + 8 * expert) + embeddings;
    constexpr std::int64_t active = 32 * (attn + norms + router + 2 * expert) + embeddings;
    static_assert(total == 46'702'792'704LL, "the safetensors count on the model page");
    CHECK(m.params.total == total);
    CHECK(m.params.active == active);
    // Mistral's announcement: "12.9B used per token" (rounded to 0.1B, hence the 1% band).
    CHECK(std::abs(static_cast<double>(m.params.active) / 12.9e9 - 1.0) <= 0.01);
}

TEST_CASE("Qwen3-30B-A3B activates 8 of its 128 experts per token", "[architecture]") {
    const PreparedModel m = wif::test::model("qwen3-30b-a3b");
    // config.json: vocab 151936, hidden 2048, 48 layers, 32 heads / 4 KV heads of head_dim 128,
    // q/k RMSNorm, 128 experts of width 768, 8 per token, untied.
    constexpr std::int64_t attn = 2048LL * 4096 + 2048LL * 512 + 2048LL * 512 + 4096LL * 2048 + 2 * 128;
    constexpr std::int64_t norms = 2 * 2048;
    constexpr std::int64_t router = 2048LL * 128;
    constexpr std::int64_t expert = 3LL * 2048 * 768;
    constexpr std::int64_t embeddings = 2LL * 151936 * 2048 + 2048;
    constexpr std::int64_t total = 48 * (attn + norms + router + 128 * expert) + embeddings;
    constexpr std::int64_t active = 48 * (attn + norms + router + 8 * expert) + embeddings;
    CHECK(m.params.total == total);
    CHECK(m.params.active == active);
    static_assert(total == 30'532'122'624LL, "the model page's safetensors count");
}

TEST_CASE("Llama-3.1-8B has the 291 GGUF tensors with llama.cpp's shapes and an untied output", "[architecture]") {
    const PreparedModel m = wif::test::model("llama-3.1-8b");
    const std::vector<Tensor>& t = m.tensors;
    // token_embd + 32 x (attn_norm, q, k, v, o, ffn_norm, gate, up, down) + output_norm + output: the
    // "291 tensors" llama.cpp prints when loading a Llama-3-8B GGUF.
    CHECK(t.size() == 1 + 32 * 9 + 2);

    REQUIRE(t.front().role == TensorRole::token_embd);
    CHECK(t.front().ne0 == 4096);
    CHECK(t.front().ne1 == 128256);

    struct Shape { TensorRole role; std::int64_t ne0, ne1; };
    const Shape shapes[] = {
        {TensorRole::attn_q, 4096, 4096},      {TensorRole::attn_k, 4096, 1024},
        {TensorRole::attn_v, 4096, 1024},      {TensorRole::attn_output, 4096, 4096},
        {TensorRole::ffn_gate, 4096, 14336},   {TensorRole::ffn_up, 4096, 14336},
        {TensorRole::ffn_down, 14336, 4096},
    };
    for (const Shape& s : shapes) {
        INFO(tensor_role_name(s.role));
        const std::vector<Tensor> found = with_role(t, s.role);
        REQUIRE(found.size() == 32);
        for (size_t il = 0; il < found.size(); ++il) {
            CHECK(found[il].layer == static_cast<std::int32_t>(il));
            CHECK(found[il].ne0 == s.ne0);
            CHECK(found[il].ne1 == s.ne1);
            CHECK(found[il].ne2 == 1);
            CHECK_FALSE(found[il].one_dimensional);
        }
    }
    CHECK(with_role(t, TensorRole::norm).size() == 64);
    CHECK(with_role(t, TensorRole::bias).empty());

    const std::vector<Tensor> output = with_role(t, TensorRole::output);
    REQUIRE(output.size() == 1);
    CHECK(output[0].layer == -1);
    CHECK(output[0].ne0 == 4096);
    CHECK(output[0].ne1 == 128256);
    CHECK(with_role(t, TensorRole::output_norm).size() == 1);

    // Total: 8,030,261,248 on the model page.
    CHECK(sum_elements(t) == 8'030'261'248LL);
}

TEST_CASE("DeepSeek-V3 attention is MLA: a 7168 -> 576 latent down-projection and a 512 -> 128 x 256 up-projection", "[architecture]") {
    const PreparedModel m = wif::test::model("deepseek-v3");
    REQUIRE(m.arch.attention == AttentionKind::mla);
    // config.json: hidden 7168, 128 heads, kv_lora_rank 512, qk_rope_head_dim 64, qk_nope_head_dim 128,
    // v_head_dim 128, q_lora_rank 1536.
    const std::vector<Tensor> kv_a = with_role(m.tensors, TensorRole::attn_kv_a_mqa);
    const std::vector<Tensor> kv_b = with_role(m.tensors, TensorRole::attn_kv_b);
    const std::vector<Tensor> q_a = with_role(m.tensors, TensorRole::attn_q_a);
    const std::vector<Tensor> q_b = with_role(m.tensors, TensorRole::attn_q_b);
    const std::vector<Tensor> o = with_role(m.tensors, TensorRole::attn_output);
    REQUIRE(kv_a.size() == 61);
    REQUIRE(kv_b.size() == 61);
    REQUIRE(q_a.size() == 61);
    REQUIRE(q_b.size() == 61);
    REQUIRE(o.size() == 61);
    CHECK(kv_a[0].ne0 == 7168);
    CHECK(kv_a[0].ne1 == 512 + 64);
    CHECK(kv_b[0].ne0 == 512);
    CHECK(kv_b[0].ne1 == 128 * (128 + 128));
    CHECK(q_a[0].ne0 == 7168);
    CHECK(q_a[0].ne1 == 1536);
    CHECK(q_b[0].ne0 == 1536);
    CHECK(q_b[0].ne1 == 128 * (128 + 64));
    CHECK(o[0].ne0 == 128 * 128);
    CHECK(o[0].ne1 == 7168);
    // No plain per-head K/V projections.
    CHECK(with_role(m.tensors, TensorRole::attn_k).empty());
    CHECK(with_role(m.tensors, TensorRole::attn_v).empty());

    // first_k_dense_replace = 3: layers 0-2 dense (width 18432), 3-60 carry 256 routed experts of width 2048.
    const std::vector<Tensor> dense = with_role(m.tensors, TensorRole::ffn_gate);
    REQUIRE(dense.size() == 3);
    CHECK(dense[2].layer == 2);
    CHECK(dense[0].ne1 == 18432);
    const std::vector<Tensor> experts = with_role(m.tensors, TensorRole::ffn_gate_exps);
    REQUIRE(experts.size() == 58);
    CHECK(experts[0].layer == 3);
    CHECK(experts[0].ne0 == 7168);
    CHECK(experts[0].ne1 == 2048);
    CHECK(experts[0].ne2 == 256);
    // n_shared_experts = 1: one shared expert of moe_intermediate_size.
    const std::vector<Tensor> shared = with_role(m.tensors, TensorRole::ffn_up_shexp);
    REQUIRE(shared.size() == 58);
    CHECK(shared[0].ne1 == 2048);
}

TEST_CASE("Gemma 3 uses its sliding window on five layers out of six: layer 5 is global, 0-4 are local", "[architecture]") {
    const PreparedModel m = wif::test::model("gemma-3-27b");
    const ModelArch& a = m.arch;
    CHECK(a.sliding_window == 1024);
    for (std::int64_t il = 0; il <= 4; ++il) {
        INFO("layer " << il);
        CHECK(a.is_swa_layer(il));
    }
    CHECK_FALSE(a.is_swa_layer(5));
    CHECK(a.is_swa_layer(6));
    CHECK_FALSE(a.is_swa_layer(11));
    // 62 layers: global ones are 5, 11, ..., 59 (ten of them).
    int global = 0;
    for (std::int64_t il = 0; il < a.num_hidden_layers; ++il) global += a.is_swa_layer(il) ? 0 : 1;
    CHECK(a.num_hidden_layers == 62);
    CHECK(global == 10);
}

TEST_CASE("a model with tied embeddings has no output tensor and counts the embedding once", "[architecture]") {
    const PreparedModel m = wif::test::model("llama-3.2-1b");
    REQUIRE(m.arch.tie_word_embeddings);
    CHECK(with_role(m.tensors, TensorRole::output).empty());
    CHECK(with_role(m.tensors, TensorRole::token_embd).size() == 1);
    // config.json: vocab 128256, hidden 2048, 16 layers, 32 heads / 8 KV heads of 64, FFN 8192, tied.
    constexpr std::int64_t layer = 2048LL * 2048 + 2 * 2048LL * 512 + 2048LL * 2048 + 3LL * 2048 * 8192 + 2 * 2048;
    constexpr std::int64_t total = 16 * layer + 128256LL * 2048 + 2048;
    static_assert(total == 1'235'814'400LL, "the model page's safetensors count");
    CHECK(m.params.total == total);
    CHECK(m.params.embedding == 128256LL * 2048);

    const PreparedModel gemma = wif::test::model("gemma-3-1b");
    CHECK(gemma.arch.tie_word_embeddings);
    CHECK(with_role(gemma.tensors, TensorRole::output).empty());
}

TEST_CASE("a 7B model of assumed shape adds up to 7 billion parameters", "[architecture]") {
    const Expected<AssumedShape> shape = assume_shape(7'000'000'000LL);
    REQUIRE(shape.ok());
    const ModelArch& a = shape->arch;
    REQUIRE(validate_arch(a).ok());
    const std::int64_t summed = sum_elements(enumerate_tensors(a));
    INFO("tensors add up to " << summed << " (shape follows " << shape->reference << ")");
    CHECK(std::abs(static_cast<double>(summed) - 7e9) <= 7e9 * 1e-4);
    CHECK(count_params(a).total == 7'000'000'000LL);
    // The FFN width is a whole number of 256-element k-quant blocks.
    CHECK(a.intermediate_size % 256 == 0);
}

TEST_CASE("assume_shape refuses sizes no published dense model has", "[architecture]") {
    const Expected<AssumedShape> tiny = assume_shape(50'000'000LL);
    REQUIRE_FALSE(tiny.ok());
    CHECK(tiny.error().code == "params_out_of_range");
    const Expected<AssumedShape> huge = assume_shape(5'000'000'000'000LL);
    REQUIRE_FALSE(huge.ok());
    CHECK(huge.error().code == "params_out_of_range");
}

TEST_CASE("validate_arch names the config.json field that is wrong", "[architecture]") {
    using Catch::Matchers::Contains;
    REQUIRE(validate_arch(llama3_8b_shape()).ok());

    ModelArch a = llama3_8b_shape();
    a.num_key_value_heads = 3;  // 32 heads cannot be shared by 3 KV heads
    Expected<bool> r = validate_arch(a);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Contains("num_key_value_heads"));

    a = llama3_8b_shape();
    a.hidden_size = 0;
    r = validate_arch(a);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Contains("hidden_size"));

    a = llama3_8b_shape();
    a.num_hidden_layers = -2;
    r = validate_arch(a);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Contains("num_hidden_layers"));

    a = llama3_8b_shape();
    a.num_experts = 8;
    a.num_experts_per_tok = 9;  // more experts per token than there are
    a.moe_intermediate_size = 14336;
    r = validate_arch(a);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Contains("num_experts_per_tok"));

    a = llama3_8b_shape();
    a.attention = AttentionKind::mla;  // MLA without a latent rank
    r = validate_arch(a);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Contains("kv_lora_rank"));
}

// Hybrid and recurrent models: every tensor counted by hand from config.json, as llama.cpp loads them.

TEST_CASE("Qwen3-Next-80B-A3B: 36 gated DeltaNet layers, 12 gated-attention layers, 512 experts", "[architecture][hybrid]") {
    const PreparedModel m = wif::test::model("qwen3-next-80b-a3b");
    const ModelArch& a = m.arch;
    // config.json: hidden 2048, 48 layers, full attention every 4th (full_attention_interval 4),
    // 16 heads / 2 KV heads of head_dim 256, linear attention with 16 key heads and 32 value heads
    // of 128 dims and a 4-wide convolution, 512 experts of width 512 (10 per token) plus a gated
    // shared expert of width 512, vocab 151936, untied.
    REQUIRE(a.recurrent == RecurrentKind::gated_delta_net);
    std::int64_t attention = 0, recurrent = 0;
    for (std::int64_t il = 0; il < a.num_hidden_layers; ++il) {
        attention += a.has_attention(il) ? 1 : 0;
        recurrent += a.has_recurrent(il) ? 1 : 0;
    }
    CHECK(attention == 12);
    CHECK(recurrent == 36);
    CHECK(a.has_attention(3));
    CHECK(a.has_recurrent(0));
    // DeltaNet layer (llama.cpp src/models/qwen3next.cpp): ssm_in 2048 x (2 x 2048 + 2 x 4096) for
    // q, k, v, z; ssm_beta_alpha 2048 x 64; conv1d 4 x (2 x 2048 + 4096); dt bias and A 32 each;
    // norm 128; ssm_out 4096 x 2048.
    constexpr std::int64_t delta = 2048LL * 12288 + 2048LL * 64 + 4 * 8192 + 32 + 32 + 128 + 4096LL * 2048;
    static_assert(delta == 33'718'464);
    // Gated attention: wq 2048 x (16 x 256 x 2), wk and wv 2048 x 512, wo 4096 x 2048, q/k norms 256.
    constexpr std::int64_t gated_attn = 2048LL * 8192 + 2 * 2048LL * 512 + 4096LL * 2048 + 2 * 256;
    // MoE on every layer: router 2048 x 512, 512 experts x 3 x 2048 x 512, shared expert 3 x 2048 x 512
    // and its 2048-wide gate.
    constexpr std::int64_t moe = 2048LL * 512 + 512LL * 3 * 2048 * 512 + 3LL * 2048 * 512 + 2048;
    constexpr std::int64_t norms = 2 * 2048;
    constexpr std::int64_t total = 36 * delta + 12 * gated_attn + 48 * (moe + norms) + 2LL * 151936 * 2048 + 2048;
    static_assert(total == 79'674'391'296LL);
    CHECK(m.params.total == total);
    // Model card: "80B in total" (within 0.5%; the multi-token-prediction layer is not loaded).
    CHECK(std::abs(static_cast<double>(total) / 80e9 - 1.0) < 0.005);
    // Active: 10 of 512 experts.
    CHECK(m.params.active == total - 48LL * 502 * 3 * 2048 * 512);
}

TEST_CASE("Granite-4.0-H-Small: 36 Mamba-2 layers and 4 attention layers, each with 72 experts and a shared MLP", "[architecture][hybrid]") {
    const PreparedModel m = wif::test::model("granite-4.0-h-small");
    // config.json: hidden 4096, 40 layers (attention at 5, 15, 25, 35), 32 heads / 8 KV heads
    // (head_dim 128), Mamba-2 with 128 heads of 64 (d_inner 2 x 4096 = 8192), d_state 128, 1 group,
    // conv 4 with bias; 72 experts of 768, 10 per token, shared MLP 1536; vocab 100352, tied.
    constexpr std::int64_t h = 4096;
    constexpr std::int64_t mamba = h * (2 * 8192 + 2 * 128 + 128)  // in_proj: z, x, B, C, dt
                                   + 4 * (8192 + 2 * 128) + (8192 + 2 * 128)  // conv1d and its bias
                                   + 3 * 128                                  // dt bias, A, D
                                   + 8192                                     // gated RMSNorm
                                   + 8192 * h;                                // out_proj
    constexpr std::int64_t attn = h * 4096 + 2 * h * 1024 + 4096 * h;
    constexpr std::int64_t ffn = h * 72 + 72 * 3 * h * 768 + 3 * h * 1536;
    constexpr std::int64_t total = 36 * mamba + 4 * attn + 40 * (ffn + 2 * h) + 100352 * h + h;
    static_assert(total == 32'207'337'984LL);
    CHECK(m.params.total == total);
    CHECK(m.params.active == total - 40LL * 62 * 3 * h * 768);  // 62 of 72 experts idle per token
    // Granite-4.0-Micro: the same model type with every layer attention and no Mamba.
    const PreparedModel micro = wif::test::model("granite-4.0-micro");
    CHECK_FALSE(micro.arch.is_hybrid());
    CHECK(micro.params.total == 3'402'836'480LL);  // 40 x (attn + 3 x 2560 x 8192 + norms) + tied vocab
}

TEST_CASE("NVIDIA-Nemotron-Nano-9B-v2: 27 Mamba-2, 4 attention and 25 MLP blocks from hybrid_override_pattern", "[architecture][hybrid]") {
    const PreparedModel m = wif::test::model("nemotron-nano-9b-v2");
    const ModelArch& a = m.arch;
    std::int64_t mamba = 0, attention = 0, mlp = 0;
    for (std::int64_t il = 0; il < a.num_hidden_layers; ++il) {
        mamba += a.mixer(il) == BlockMixer::recurrent ? 1 : 0;
        attention += a.mixer(il) == BlockMixer::attention ? 1 : 0;
        mlp += a.mixer(il) == BlockMixer::ffn ? 1 : 0;
        CHECK(a.has_ffn(il) == (a.mixer(il) == BlockMixer::ffn));  // FFNs are blocks of their own
    }
    CHECK(mamba == 27);
    CHECK(attention == 4);
    CHECK(mlp == 25);
    // hidden 4480; Mamba-2 128 heads x 80 = 10240, d_state 128, 8 groups, conv 4 with bias; attention
    // 40 heads / 8 KV heads x 128; squared-ReLU MLP 4480 -> 15680 -> 4480; one norm per block;
    // vocab 131072, untied.
    constexpr std::int64_t h = 4480;
    constexpr std::int64_t conv = 10240 + 2 * 8 * 128;
    constexpr std::int64_t block_mamba = h * (2 * 10240 + 2 * 8 * 128 + 128) + 4 * conv + conv + 3 * 128 + 10240 + 10240 * h;
    constexpr std::int64_t block_attn = h * 5120 + 2 * h * 1024 + 5120 * h;
    constexpr std::int64_t block_mlp = 2 * h * 15680;
    constexpr std::int64_t total = 27 * block_mamba + 4 * block_attn + 25 * block_mlp + 56 * h + 2LL * 131072 * h + h;
    static_assert(total == 8'888'227'328LL);
    CHECK(m.params.total == total);
}

TEST_CASE("Falcon-H1-34B runs attention and Mamba-2 side by side in all 72 layers", "[architecture][hybrid]") {
    const PreparedModel m = wif::test::model("falcon-h1-34b");
    const ModelArch& a = m.arch;
    for (std::int64_t il = 0; il < a.num_hidden_layers; ++il) {
        CHECK(a.has_attention(il));
        CHECK(a.has_recurrent(il));
    }
    // config.json (Hub copy): hidden 5120, 20 heads / 4 KV heads x 128, mamba_d_ssm 4096 in 32
    // heads, d_state 256, 2 groups, conv 4 with bias, mamba_rms_norm true, SwiGLU 21504, vocab
    // 261120, untied, two norms per layer.
    constexpr std::int64_t h = 5120;
    constexpr std::int64_t conv = 4096 + 2 * 2 * 256;
    constexpr std::int64_t mamba = h * (2 * 4096 + 2 * 2 * 256 + 32) + 4 * conv + conv + 3 * 32 + 4096 + 4096 * h;
    constexpr std::int64_t attn = h * 2560 + 2 * h * 512 + 2560 * h;
    constexpr std::int64_t layer = 2 * h + attn + mamba + 3 * h * 21504;
    constexpr std::int64_t total = 72 * layer + 2LL * 261120 * h + h;
    static_assert(total == 33'642'516'224LL);
    CHECK(m.params.total == total);
}

TEST_CASE("validate_arch names the recurrent field that is wrong", "[architecture][hybrid]") {
    ModelArch a = wif::test::model("granite-4.0-h-micro").arch;
    REQUIRE(validate_arch(a));
    ModelArch bad = a;
    bad.ssm_n_head = 7;  // does not divide d_inner 4096
    REQUIRE_FALSE(validate_arch(bad));
    CHECK(validate_arch(bad).error().message.find("mamba_num_heads") != std::string::npos);
    bad = a;
    bad.mixers.pop_back();
    REQUIRE_FALSE(validate_arch(bad));
    CHECK(validate_arch(bad).error().message.find("layer_types") != std::string::npos);
}
