#include "facts/hf_config.hpp"

#include <algorithm>

namespace wif {

namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool one_of(const std::string& s, std::initializer_list<const char*> list) {
    for (const char* item : list) {
        if (s == item) return true;
    }
    return false;
}

// "gemma3_text" -> "gemma3", "llama4_text" -> "llama4": the text model of a multimodal family.
std::string normalize_model_type(std::string type) {
    const std::string suffix = "_text";
    if (type.size() > suffix.size() && type.compare(type.size() - suffix.size(), suffix.size(), suffix) == 0) {
        type.resize(type.size() - suffix.size());
    }
    if (type == "kimi_k2") type = "deepseek_v3";
    return type;
}

constexpr std::int64_t kMax = 1LL << 24;

}  // namespace

Expected<ModelArch> arch_from_hf_config(const Json& config, const std::string& where, const std::string& prefix) {
    FieldReader top(config, where, prefix);
    if (!top.ok()) return top.error();
    std::string outer_type = top.string("model_type");

    // Multimodal checkpoints keep the language model in text_config.
    const bool nested = config.contains("text_config") && config["text_config"].is_object();
    const Json& text = nested ? config["text_config"] : config;
    const std::string text_prefix = nested ? (prefix.empty() ? "text_config" : prefix + ".text_config") : prefix;
    FieldReader f(text, where, text_prefix);
    if (!f.ok()) return f.error();

    ModelArch a;
    std::string type = f.string("model_type", outer_type);
    if (type.empty()) type = outer_type;
    if (nested && type == outer_type && starts_with(outer_type, "mistral3")) type = "mistral";
    a.model_type = normalize_model_type(type);
    if (a.model_type.empty()) {
        f.fail("model_type", "missing (expected e.g. \"llama\", \"qwen2\", \"gemma3\")");
        return f.error();
    }

    // Keys a config.json may omit take the defaults of transformers' config class; only Gemma 3
    // (Gemma3TextConfig) ships multimodal configs that rely on them.
    const bool gemma3 = a.model_type == "gemma3";
    a.vocab_size = f.integer("vocab_size", gemma3 ? 262208 : 0, 1, kMax, !gemma3);
    a.hidden_size = f.integer("hidden_size", 0, 1, kMax, true);
    a.num_hidden_layers = f.integer("num_hidden_layers", 0, 1, 4096, true);
    a.num_attention_heads = f.integer("num_attention_heads", gemma3 ? 8 : 0, 1, 65536, !gemma3);
    a.num_key_value_heads = f.integer("num_key_value_heads", gemma3 ? 4 : a.num_attention_heads, 1, 65536);
    a.intermediate_size = f.integer("intermediate_size", 0, 0, kMax);
    a.max_position_embeddings = f.integer("max_position_embeddings", gemma3 ? 131072 : 0, 0, 1LL << 26);
    if (!f.ok()) return f.error();
    a.head_dim = f.integer("head_dim", gemma3 ? 256 : a.hidden_size / a.num_attention_heads, 1, 65536);
    std::string dtype = f.string("torch_dtype", f.string("dtype", ""));
    if (dtype.empty()) dtype = top.string("torch_dtype", top.string("dtype", "bfloat16"));
    a.torch_dtype = dtype;
    if (config.contains("quantization_config") && config["quantization_config"].is_object()) {
        FieldReader qc(config["quantization_config"], where, prefix.empty() ? "quantization_config" : prefix + ".quantization_config");
        a.native_quant = qc.string("quant_method");
        if (!qc.ok()) return qc.error();
    }

    const bool gemma = starts_with(a.model_type, "gemma");
    // transformers' config classes: Gemma ties input and output embeddings by default, the rest do not.
    bool tied = gemma || a.model_type == "cohere" || a.model_type == "cohere2";
    if (top.has("tie_word_embeddings")) tied = top.boolean("tie_word_embeddings", tied);
    if (nested && f.has("tie_word_embeddings")) tied = f.boolean("tie_word_embeddings", tied);
    a.tie_word_embeddings = tied;

    // Block layout per family.
    const std::string& t = a.model_type;
    a.mlp_gated = !one_of(t, {"starcoder2", "gpt2", "gpt_neox", "gpt_bigcode", "phi", "bloom", "opt", "falcon", "gptj"});
    if (one_of(t, {"qwen2", "qwen2_moe", "qwen2_vl", "qwen2_5_vl"})) a.qkv_bias = true;
    const bool attention_bias = f.boolean("attention_bias", false);
    if (attention_bias) {
        a.qkv_bias = true;
        a.o_bias = t != "glm4" && t != "glm4_moe";  // GLM-4 biases only Q/K/V
    }
    a.mlp_bias = f.boolean("mlp_bias", false);
    if (t == "starcoder2" && f.boolean("use_bias", true)) {
        a.qkv_bias = a.o_bias = a.mlp_bias = true;
        a.norm_bias = true;
    }
    if (t == "phimoe") a.norm_bias = true;
    if (one_of(t, {"gemma2", "gemma3", "glm4"})) a.norms_per_layer = 4;
    if (one_of(t, {"cohere", "cohere2"})) a.norms_per_layer = 1;  // parallel attention + FFN share one norm
    if (one_of(t, {"qwen3", "qwen3_moe", "gemma3", "olmo2"}) || f.boolean("use_qk_norm", false)) a.qk_norm = true;
    if (t == "phi3") a.fused_qkv = a.fused_gate_up = true;
    if (t == "gpt_oss") a.attn_sinks = true;

    // Mixture of experts: transformers spells the expert count three ways.
    std::int64_t experts = f.integer("num_local_experts", 0, 0, 65536);
    if (experts == 0) experts = f.integer("num_experts", 0, 0, 65536);
    if (experts == 0) experts = f.integer("n_routed_experts", 0, 0, 65536);
    if (experts > 1) {
        a.num_experts = experts;
        a.num_experts_per_tok = f.integer("num_experts_per_tok", f.integer("experts_per_token", 0, 0, 65536), 0, 65536);
        // Mixtral, Phi-3.5-MoE and gpt-oss size their experts with intermediate_size.
        a.moe_intermediate_size = f.integer("moe_intermediate_size", a.intermediate_size, 0, kMax);
        a.shared_expert_intermediate_size = f.integer("shared_expert_intermediate_size", 0, 0, kMax);
        if (a.shared_expert_intermediate_size > 0) a.shared_expert_gate = true;  // Qwen2-MoE
        const std::int64_t n_shared = f.integer("n_shared_experts", 0, 0, 256);
        if (n_shared > 0) a.shared_expert_intermediate_size = n_shared * a.moe_intermediate_size;
        a.first_k_dense_replace = f.integer("first_k_dense_replace", 0, 0, 4096);
        a.moe_layer_step = f.integer("decoder_sparse_step", f.integer("moe_layer_freq", 1, 1, 4096), 1, 4096);
        a.mlp_only_layers = f.integers("mlp_only_layers", 0, 4095);
        if (t == "llama4") {
            // Llama 4: one shared expert as wide as a routed one; dense layers use intermediate_size_mlp.
            a.shared_expert_intermediate_size = a.moe_intermediate_size;
            a.dense_intermediate_size = f.integer("intermediate_size_mlp", 0, 0, kMax);
            a.moe_layer_step = f.integer("interleave_moe_layer_step", 1, 1, 4096);
        }
        if (one_of(t, {"deepseek_v3", "glm4_moe"})) a.router_bias = true;  // e_score_correction_bias
        if (t == "gpt_oss") a.router_bias = a.expert_bias = true;
    }

    // Multi-head latent attention.
    if (f.integer("kv_lora_rank", 0, 0, kMax) > 0) {
        a.attention = AttentionKind::mla;
        a.kv_lora_rank = f.integer("kv_lora_rank", 0, 0, kMax);
        a.q_lora_rank = f.integer("q_lora_rank", 0, 0, kMax);
        a.qk_rope_head_dim = f.integer("qk_rope_head_dim", 0, 0, 65536, true);
        a.qk_nope_head_dim = f.integer("qk_nope_head_dim", 0, 0, 65536, true);
        a.v_head_dim = f.integer("v_head_dim", 0, 0, 65536, true);
        a.head_dim = a.qk_nope_head_dim + a.qk_rope_head_dim;
    }

    // Sliding-window layers: explicit layer_types, else each family's pattern as llama.cpp sets it.
    const std::int64_t window = f.integer("sliding_window", 0, 0, 1LL << 26);
    const std::vector<std::string> layer_types = f.strings("layer_types");
    if (!f.ok()) return f.error();
    if (window > 0) {
        std::int64_t pattern = 0;
        if (!layer_types.empty()) {
            // Smallest period p whose last layer is the full-attention one: matches il % p < p - 1.
            // Only one period can match: all sliding gives p = 1; otherwise the first full layer
            // f0 must be the last of the first period, so p = f0 + 1. One linear check instead of
            // trying every p (quadratic: tens of seconds for a long list, issue 11).
            const auto n = static_cast<std::int64_t>(layer_types.size());
            std::int64_t first_full = -1;
            for (std::int64_t il = 0; il < n && first_full < 0; ++il) {
                if (layer_types[static_cast<size_t>(il)] != "sliding_attention") first_full = il;
            }
            const std::int64_t p = first_full < 0 ? 1 : first_full + 1;
            bool matches = true;
            for (std::int64_t il = 0; il < n && matches; ++il) {
                const bool swa = layer_types[static_cast<size_t>(il)] == "sliding_attention";
                matches = swa == (p == 1 ? true : il % p < p - 1);
            }
            if (matches) pattern = p;
            if (pattern == 0) {
                f.fail("layer_types", "sliding and full attention layers do not follow a repeating pattern");
                return f.error();
            }
        } else if (t == "gemma2") {
            pattern = 2;
        } else if (t == "gemma3" || t == "cohere2") {
            pattern = f.integer("sliding_window_pattern", t == "gemma3" ? 6 : 4, 1, 4096);
        } else if (t == "gpt_oss") {
            pattern = 2;
        }
        // Mistral v0.1, Qwen2 (use_sliding_window=false) and Phi-3 declare a window that
        // llama.cpp and vLLM do not apply, so their caches hold the full context.
        if (pattern > 0) {
            a.sliding_window = window;
            a.sliding_window_pattern = pattern;
        }
    }

    if (!f.ok()) return f.error();
    if (!top.ok()) return top.error();
    const Expected<bool> valid = validate_arch(a);
    if (!valid) {
        return make_error("invalid_config",
                          where + ": " + (text_prefix.empty() ? "" : text_prefix + ".") + valid.error().message);
    }
    return a;
}

Expected<ModelArch> arch_from_hf_config_text(const std::string& text, const std::string& where) {
    Expected<Json> parsed = parse_json(text, where);
    if (!parsed) return parsed.error();
    return arch_from_hf_config(parsed.value(), where);
}

}  // namespace wif
