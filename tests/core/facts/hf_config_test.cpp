#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <vector>
#include <string>

#include "facts/architecture.hpp"
#include "facts/hf_config.hpp"
#include "test_support.hpp"

using namespace wif;
using Catch::Matchers::Contains;

namespace {

// Qwen/Qwen2.5-7B-Instruct config.json as published on the Hub.
const char* const kQwen25_7B = R"({
  "architectures": ["Qwen2ForCausalLM"],
  "attention_dropout": 0.0,
  "bos_token_id": 151643,
  "eos_token_id": 151645,
  "hidden_act": "silu",
  "hidden_size": 3584,
  "initializer_range": 0.02,
  "intermediate_size": 18944,
  "max_position_embeddings": 32768,
  "max_window_layers": 28,
  "model_type": "qwen2",
  "num_attention_heads": 28,
  "num_hidden_layers": 28,
  "num_key_value_heads": 4,
  "rms_norm_eps": 1e-06,
  "rope_theta": 1000000.0,
  "sliding_window": 131072,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.43.1",
  "use_cache": true,
  "use_sliding_window": false,
  "vocab_size": 152064
})";

// openai/gpt-oss-20b config.json (quantization_config trimmed to its method).
const char* const kGptOss20B = R"({
  "architectures": ["GptOssForCausalLM"],
  "attention_bias": true,
  "attention_dropout": 0.0,
  "eos_token_id": 200002,
  "experts_per_token": 4,
  "head_dim": 64,
  "hidden_act": "silu",
  "hidden_size": 2880,
  "initial_context_length": 4096,
  "initializer_range": 0.02,
  "intermediate_size": 2880,
  "layer_types": [
    "sliding_attention", "full_attention", "sliding_attention", "full_attention",
    "sliding_attention", "full_attention", "sliding_attention", "full_attention",
    "sliding_attention", "full_attention", "sliding_attention", "full_attention",
    "sliding_attention", "full_attention", "sliding_attention", "full_attention",
    "sliding_attention", "full_attention", "sliding_attention", "full_attention",
    "sliding_attention", "full_attention", "sliding_attention", "full_attention"
  ],
  "max_position_embeddings": 131072,
  "model_type": "gpt_oss",
  "num_attention_heads": 64,
  "num_experts_per_tok": 4,
  "num_hidden_layers": 24,
  "num_key_value_heads": 8,
  "num_local_experts": 32,
  "output_router_logits": false,
  "pad_token_id": 199999,
  "quantization_config": {"quant_method": "mxfp4"},
  "rms_norm_eps": 1e-05,
  "rope_scaling": {"beta_fast": 32.0, "beta_slow": 1.0, "factor": 32.0,
                   "original_max_position_embeddings": 4096, "rope_type": "yarn", "truncate": false},
  "rope_theta": 150000,
  "router_aux_loss_coef": 0.9,
  "sliding_window": 128,
  "swiglu_limit": 7.0,
  "tie_word_embeddings": false,
  "transformers_version": "4.55.0.dev0",
  "use_cache": true,
  "vocab_size": 201088
})";

// google/gemma-3-27b-it config.json: the language model sits in text_config and relies on
// Gemma3TextConfig defaults for vocab_size (262208) and tie_word_embeddings (true).
const char* const kGemma3_27B = R"({
  "architectures": ["Gemma3ForConditionalGeneration"],
  "boi_token_index": 255999,
  "eoi_token_index": 256000,
  "eos_token_id": [1, 106],
  "image_token_index": 262144,
  "initializer_range": 0.02,
  "mm_tokens_per_image": 256,
  "model_type": "gemma3",
  "text_config": {
    "head_dim": 128,
    "hidden_size": 5376,
    "intermediate_size": 21504,
    "model_type": "gemma3_text",
    "num_attention_heads": 32,
    "num_hidden_layers": 62,
    "num_key_value_heads": 16,
    "query_pre_attn_scalar": 168,
    "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
    "sliding_window": 1024
  },
  "torch_dtype": "bfloat16",
  "transformers_version": "4.50.0.dev0",
  "vision_config": {
    "hidden_size": 1152,
    "image_size": 896,
    "intermediate_size": 4304,
    "model_type": "siglip_vision_model",
    "num_attention_heads": 16,
    "num_hidden_layers": 27,
    "patch_size": 14,
    "vision_use_head": false
  }
})";

// Replaces the first occurrence of `from` in the Qwen config.
std::string qwen_with(const std::string& from, const std::string& to) {
    std::string text = kQwen25_7B;
    const size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("Qwen2.5-7B's config.json gives its shape, Q/K/V biases and no sliding window", "[hf_config]") {
    const Expected<ModelArch> r = arch_from_hf_config_text(kQwen25_7B, "config.json");
    REQUIRE(r.ok());
    const ModelArch& a = r.value();
    CHECK(a.model_type == "qwen2");
    CHECK(a.vocab_size == 152064);
    CHECK(a.hidden_size == 3584);
    CHECK(a.intermediate_size == 18944);
    CHECK(a.num_hidden_layers == 28);
    CHECK(a.num_attention_heads == 28);
    CHECK(a.num_key_value_heads == 4);
    CHECK(a.head_dim == 3584 / 28);
    CHECK(a.max_position_embeddings == 32768);
    CHECK(a.torch_dtype == "bfloat16");
    CHECK_FALSE(a.tie_word_embeddings);
    CHECK(a.qkv_bias);
    CHECK_FALSE(a.o_bias);
    CHECK_FALSE(a.is_moe());
    // use_sliding_window is false: every layer attends to the whole context.
    CHECK(a.sliding_window_pattern == 0);
    CHECK_FALSE(a.is_swa_layer(0));
    // Per layer: q 3584x3584, k and v 3584x512, o 3584x3584, their biases, SwiGLU 3 x 3584 x 18944, two norms.
    constexpr std::int64_t layer = 3584LL * 3584 * 2 + 2 * 3584LL * 512 + (3584 + 2 * 512) + 3LL * 3584 * 18944 + 2 * 3584;
    constexpr std::int64_t total = 28 * layer + 2LL * 152064 * 3584 + 3584;
    static_assert(total == 7'615'616'512LL, "the model page's safetensors count");
    CHECK(count_params(a).total == total);
}

TEST_CASE("gpt-oss-20b's config.json gives 32 experts, attention sinks and every other layer sliding", "[hf_config]") {
    const Expected<ModelArch> r = arch_from_hf_config_text(kGptOss20B, "config.json");
    REQUIRE(r.ok());
    const ModelArch& a = r.value();
    CHECK(a.model_type == "gpt_oss");
    CHECK(a.hidden_size == 2880);
    CHECK(a.head_dim == 64);
    CHECK(a.num_attention_heads == 64);
    CHECK(a.num_key_value_heads == 8);
    CHECK(a.num_experts == 32);
    CHECK(a.num_experts_per_tok == 4);
    CHECK(a.moe_intermediate_size == 2880);
    CHECK(a.attn_sinks);
    CHECK(a.native_quant == "mxfp4");
    CHECK(a.sliding_window == 128);
    // layer_types: sliding, full, sliding, full, ...
    for (std::int64_t il = 0; il < 24; ++il) {
        INFO("layer " << il);
        CHECK(a.is_swa_layer(il) == (il % 2 == 0));
    }
    // Per layer: q 2880x4096, k and v 2880x512, o 4096x2880 with biases (4096 + 512 + 512, 2880), 64 sinks,
    // two norms, router 2880x32 + bias, 32 experts of gate_up 2880x5760 + down 2880x2880 with biases.
    constexpr std::int64_t attn = 2880LL * 4096 + 2 * 2880LL * 512 + 4096LL * 2880 + (4096 + 512 + 512) + 2880 + 64;
    constexpr std::int64_t experts = 32 * (2880LL * 5760 + 2880LL * 2880) + 32 * (5760 + 2880);
    constexpr std::int64_t layer = attn + 2 * 2880 + (2880 * 32 + 32) + experts;
    constexpr std::int64_t total = 24 * layer + 2LL * 201088 * 2880 + 2880;
    CHECK(count_params(a).total == total);
    // OpenAI's model card: 20.91B parameters (rounded to 0.01B).
    static_assert(total >= 20'905'000'000LL && total < 20'915'000'000LL, "the model card's 20.91B");
}

TEST_CASE("Gemma 3's language model is read from text_config with Gemma3TextConfig's defaults", "[hf_config]") {
    const Expected<ModelArch> r = arch_from_hf_config_text(kGemma3_27B, "config.json");
    REQUIRE(r.ok());
    const ModelArch& a = r.value();
    CHECK(a.model_type == "gemma3");
    CHECK(a.hidden_size == 5376);
    CHECK(a.intermediate_size == 21504);
    CHECK(a.num_hidden_layers == 62);
    CHECK(a.num_attention_heads == 32);
    CHECK(a.num_key_value_heads == 16);
    CHECK(a.head_dim == 128);
    CHECK(a.vocab_size == 262208);  // Gemma3TextConfig default, absent from the file
    CHECK(a.tie_word_embeddings);
    CHECK(a.sliding_window == 1024);
    CHECK(a.sliding_window_pattern == 6);
    CHECK(a.torch_dtype == "bfloat16");
    // Text model: embedding 262208 x 5376 (tied), per layer q 5376x4096, k and v 5376x2048, o 4096x5376,
    // q/k norms of 128, four norms of 5376, GeGLU 3 x 5376 x 21504; plus the final norm. With the
    // 423,060,336-parameter vision tower this is the 27,432,406,640 on the model page.
    constexpr std::int64_t layer = 5376LL * 4096 * 2 + 2 * 5376LL * 2048 + 2 * 128 + 4 * 5376 + 3LL * 5376 * 21504;
    constexpr std::int64_t text = 62 * layer + 262208LL * 5376 + 5376;
    static_assert(text + 423'060'336LL == 27'432'406'640LL, "the model page's count with the vision tower");
    CHECK(count_params(a).total == text);
}

TEST_CASE("a config.json without hidden_size is refused with the field named", "[hf_config]") {
    const Expected<ModelArch> r = arch_from_hf_config_text(qwen_with("\"hidden_size\": 3584,", ""), "config.json");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Contains("hidden_size"));
    CHECK_THAT(r.error().message, Contains("config.json"));
}

TEST_CASE("a string where config.json needs a number is refused with the field named", "[hf_config]") {
    const Expected<ModelArch> r =
        arch_from_hf_config_text(qwen_with("\"num_hidden_layers\": 28", "\"num_hidden_layers\": \"28\""), "config.json");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Contains("num_hidden_layers"));
    CHECK_THAT(r.error().message, Contains("string"));
}

TEST_CASE("a negative layer count is refused with the field named", "[hf_config]") {
    const Expected<ModelArch> r =
        arch_from_hf_config_text(qwen_with("\"num_hidden_layers\": 28", "\"num_hidden_layers\": -4"), "config.json");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Contains("num_hidden_layers"));
}

TEST_CASE("num_key_value_heads that does not divide num_attention_heads is refused with the field named", "[hf_config]") {
    const Expected<ModelArch> r =
        arch_from_hf_config_text(qwen_with("\"num_key_value_heads\": 4", "\"num_key_value_heads\": 3"), "config.json");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Contains("num_key_value_heads"));
}

TEST_CASE("malformed config.json is refused with the line and column of the mistake", "[hf_config]") {
    // The comma after 3584 is missing; the parser stops at the quote that opens line 4, column 3.
    const std::string text = "{\n  \"model_type\": \"qwen2\",\n  \"hidden_size\": 3584\n  \"num_hidden_layers\": 28\n}";
    const Expected<ModelArch> r = arch_from_hf_config_text(text, "config.json");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "invalid_json");
    CHECK_THAT(r.error().message, Contains("config.json"));
    CHECK_THAT(r.error().message, Contains("line 4, column 3"));
}

TEST_CASE("an error inside text_config names the nested path", "[hf_config]") {
    std::string text = kGemma3_27B;
    const std::string from = "\"hidden_size\": 5376";
    text.replace(text.find(from), from.size(), "\"hidden_size\": \"5376\"");
    const Expected<ModelArch> r = arch_from_hf_config_text(text, "config.json");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Contains("text_config.hidden_size"));
}

TEST_CASE("layer_types that follow no repeating pattern are refused with the field named", "[hf_config]") {
    std::string text = kGptOss20B;
    const std::string from = "\"sliding_attention\", \"full_attention\", \"sliding_attention\", \"full_attention\",\n    \"sliding_attention\"";
    const size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), "\"full_attention\", \"full_attention\", \"sliding_attention\", \"full_attention\",\n    \"sliding_attention\"");
    const Expected<ModelArch> r = arch_from_hf_config_text(text, "config.json");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Contains("layer_types"));
}

// Issue 11: the layer_types pattern search tried every period (quadratic: tens of seconds for a
// few-MB config). It is linear now and gives the same periods.
TEST_CASE("layer_types patterns are found in linear time", "[hf_config][hardening]") {
    auto config = [](const std::vector<std::string>& types) {
        Json j = {{"model_type", "gemma3"}, {"vocab_size", 1000}, {"hidden_size", 64}, {"num_hidden_layers", 8},
                  {"num_attention_heads", 1}, {"num_key_value_heads", 1}, {"intermediate_size", 128},
                  {"sliding_window", 512}, {"layer_types", types}};
        return arch_from_hf_config(j, "config.json");
    };
    const std::string s = "sliding_attention", full = "full_attention";
    const Expected<ModelArch> six = config({s, s, s, s, s, full, s, s});
    REQUIRE(six);
    CHECK(six->sliding_window_pattern == 6);
    const Expected<ModelArch> all = config({s, s, s});
    REQUIRE(all);
    CHECK(all->sliding_window_pattern == 1);
    const Expected<ModelArch> two = config({s, full, s, full});
    REQUIRE(two);
    CHECK(two->sliding_window_pattern == 2);
    CHECK_FALSE(config({full, full, full}));  // a window but no sliding layer: no period fits
    CHECK_FALSE(config({s, full, s, s, full}));
    CHECK_FALSE(config({s, s, full, s, full}));

    // 400,000 entries (about 8 MB of JSON): linear is milliseconds, the old search was minutes.
    std::vector<std::string> many(400000, s);
    many.back() = full;
    const auto start = std::chrono::steady_clock::now();
    const Expected<ModelArch> long_list = config(many);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    REQUIRE(long_list);
    CHECK(long_list->sliding_window_pattern == 400000);
    CHECK(seconds < 2.0);
    many[1000] = full;  // no pattern any more
    CHECK_FALSE(config(many));
}

TEST_CASE("Falcon-H1-34B's config.json (as on the Hub) reads as 72 parallel attention + Mamba-2 blocks", "[hf_config][hybrid]") {
    // The file as fetched from huggingface.co/tiiuae/Falcon-H1-34B-Instruct (keys the core does not
    // read are kept, as a person would paste it).
    const char* text = R"({
  "architectures": ["FalconH1ForCausalLM"], "attention_bias": false, "attention_in_multiplier": 1.0,
  "attn_layer_indices": null, "head_dim": 128, "hidden_act": "silu", "hidden_size": 5120,
  "intermediate_size": 21504, "mamba_chunk_size": 128, "mamba_conv_bias": true, "mamba_d_conv": 4,
  "mamba_d_head": 128, "mamba_d_ssm": 4096, "mamba_d_state": 256, "mamba_expand": 2, "mamba_n_groups": 2,
  "mamba_n_heads": 32, "mamba_norm_before_gate": false, "mamba_proj_bias": false, "mamba_rms_norm": true,
  "mamba_use_mlp": true, "max_position_embeddings": 262144, "mlp_bias": false, "model_type": "falcon_h1",
  "num_attention_heads": 20, "num_hidden_layers": 72, "num_key_value_heads": 4, "projectors_bias": false,
  "rope_scaling": null, "tie_word_embeddings": false, "torch_dtype": "bfloat16", "vocab_size": 261120
})";
    const Expected<ModelArch> r = arch_from_hf_config_text(text, "config.json");
    REQUIRE(r.ok());
    const ModelArch& a = r.value();
    CHECK(a.recurrent == RecurrentKind::mamba2);
    CHECK(a.mixers.size() == 72);
    CHECK(a.mixer(71) == BlockMixer::parallel);
    CHECK(a.ssm_d_inner == 4096);
    CHECK(a.ssm_n_head == 32);
    CHECK(a.ssm_n_group == 2);
    CHECK(a.ssm_d_state == 256);
    CHECK(a.ssm_d_conv == 4);
    CHECK(a.ssm_norm);
    CHECK(a.ssm_conv_bias);
    CHECK_FALSE(a.ssm_proj_bias);
    CHECK(a.head_dim == 128);
    // The same count as the catalog entry built from this file.
    CHECK(count_params(a).total == 33'642'516'224LL);
}

TEST_CASE("Qwen3-Next places full attention every full_attention_interval-th layer, or where layer_types says", "[hf_config][hybrid]") {
    const std::string base = R"({"model_type": "qwen3_next", "vocab_size": 151936, "hidden_size": 2048,
        "intermediate_size": 5120, "num_hidden_layers": 8, "num_attention_heads": 16, "num_key_value_heads": 2,
        "head_dim": 256, "num_experts": 512, "num_experts_per_tok": 10, "moe_intermediate_size": 512,
        "shared_expert_intermediate_size": 512, "linear_num_value_heads": 32, "linear_num_key_heads": 16,
        "linear_key_head_dim": 128, "linear_value_head_dim": 128, "linear_conv_kernel_dim": 4, "sliding_window": null)";
    const Expected<ModelArch> r = arch_from_hf_config_text(base + R"(, "full_attention_interval": 4})", "config.json");
    REQUIRE(r.ok());
    for (std::int64_t il = 0; il < 8; ++il) {
        INFO("layer " << il);
        CHECK(r->has_attention(il) == (il == 3 || il == 7));
        CHECK(r->has_recurrent(il) == !(il == 3 || il == 7));
    }
    CHECK(r->attn_output_gate);
    CHECK(r->qk_norm);
    CHECK(r->ssm_d_inner == 32 * 128);
    // Newer files spell the layers out.
    const Expected<ModelArch> listed = arch_from_hf_config_text(
        base + R"(, "layer_types": ["full_attention", "linear_attention", "linear_attention", "linear_attention",
                                    "full_attention", "linear_attention", "linear_attention", "linear_attention"]})",
        "config.json");
    REQUIRE(listed.ok());
    CHECK(listed->has_attention(0));
    CHECK(listed->has_recurrent(1));
    CHECK(listed->has_attention(4));
    // A list of the wrong length is refused with the field named.
    const Expected<ModelArch> short_list = arch_from_hf_config_text(base + R"(, "layer_types": ["full_attention"]})", "config.json");
    REQUIRE_FALSE(short_list.ok());
    CHECK(short_list.error().message.find("layer_types") != std::string::npos);
}

TEST_CASE("GraniteMoeHybrid reads layers_block_type, and a dense one runs the shared MLP", "[hf_config][hybrid]") {
    // Granite-4.0-H-Micro's shape with the older spelling of the layer list.
    std::string types;
    for (int il = 0; il < 40; ++il) types += std::string(il ? ", " : "") + (il % 10 == 5 ? "\"attention\"" : "\"mamba\"");
    const std::string text = R"({"model_type": "granitemoehybrid", "vocab_size": 100352, "hidden_size": 2048,
        "intermediate_size": 8192, "shared_intermediate_size": 8192, "num_hidden_layers": 40, "num_attention_heads": 32,
        "num_key_value_heads": 8, "tie_word_embeddings": true, "num_local_experts": 0, "mamba_n_heads": 64,
        "mamba_d_head": 64, "mamba_d_state": 128, "mamba_n_groups": 1, "mamba_d_conv": 4, "mamba_expand": 2,
        "layers_block_type": [)" + types + "]}";
    const Expected<ModelArch> r = arch_from_hf_config_text(text, "config.json");
    REQUIRE(r.ok());
    CHECK(r->recurrent == RecurrentKind::mamba2);
    CHECK(r->has_attention(5));
    CHECK(r->has_recurrent(6));
    CHECK_FALSE(r->is_moe());
    CHECK(r->intermediate_size == 8192);
    CHECK(r->ssm_d_inner == 4096);
    // The catalog's Granite-4.0-H-Micro (layer_types spelling) counts the same.
    CHECK(count_params(r.value()).total == wif::test::model("granite-4.0-h-micro").params.total);
}

TEST_CASE("Nemotron-H's hybrid_override_pattern must cover every layer with M, * or -", "[hf_config][hybrid]") {
    const std::string head = R"({"model_type": "nemotron_h", "vocab_size": 131072, "hidden_size": 4480,
        "intermediate_size": 15680, "num_hidden_layers": 4, "num_attention_heads": 40, "num_key_value_heads": 8,
        "head_dim": 128, "mamba_num_heads": 128, "mamba_head_dim": 80, "ssm_state_size": 128, "n_groups": 8,
        "conv_kernel": 4, "hybrid_override_pattern": )";
    const Expected<ModelArch> ok = arch_from_hf_config_text(head + R"("M-*-"})", "config.json");
    REQUIRE(ok.ok());
    CHECK(ok->mixer(0) == BlockMixer::recurrent);
    CHECK(ok->mixer(1) == BlockMixer::ffn);
    CHECK(ok->mixer(2) == BlockMixer::attention);
    CHECK_FALSE(ok->mlp_gated);  // squared ReLU: up and down only
    const Expected<ModelArch> moe = arch_from_hf_config_text(head + R"("MEM*"})", "config.json");
    REQUIRE_FALSE(moe.ok());
    CHECK(moe.error().message.find("hybrid_override_pattern") != std::string::npos);
    const Expected<ModelArch> short_pattern = arch_from_hf_config_text(head + R"("M-*"})", "config.json");
    REQUIRE_FALSE(short_pattern.ok());
    CHECK(short_pattern.error().message.find("num_hidden_layers") != std::string::npos);
}

TEST_CASE("Llama 4 reads attention_chunk_size as chunked layers with every 4th layer global", "[hf_config]") {
    const Expected<ModelArch> r = arch_from_hf_config_text(R"({"model_type": "llama4", "text_config": {
        "model_type": "llama4_text", "vocab_size": 202048, "hidden_size": 5120, "intermediate_size": 8192,
        "intermediate_size_mlp": 16384, "num_hidden_layers": 48, "num_attention_heads": 40, "num_key_value_heads": 8,
        "head_dim": 128, "num_local_experts": 16, "num_experts_per_tok": 1, "interleave_moe_layer_step": 1,
        "attention_chunk_size": 8192}})", "config.json");
    REQUIRE(r.ok());
    CHECK(r->chunked_attention);
    CHECK(r->sliding_window == 8192);
    CHECK(r->is_swa_layer(0));
    CHECK(r->is_swa_layer(2));
    CHECK_FALSE(r->is_swa_layer(3));  // NoPE layer: attends to the whole context
    CHECK_FALSE(r->is_swa_layer(47));
}
