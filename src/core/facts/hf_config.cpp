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

// Block kinds from a list of names (layer_types / layers_block_type); false on an unknown name.
bool mixers_from_names(const std::vector<std::string>& names, std::vector<BlockMixer>& out, std::string& unknown) {
    out.clear();
    for (const std::string& n : names) {
        if (n == "attention" || n == "full_attention") out.push_back(BlockMixer::attention);
        else if (n == "mamba" || n == "linear_attention") out.push_back(BlockMixer::recurrent);
        else {
            unknown = n;
            return false;
        }
    }
    return true;
}

// Hybrid models: which blocks are recurrent, and the recurrent mixer's geometry (keys and defaults
// of each transformers config class; llama.cpp convert_hf_to_gguf.py maps them to ssm.*).
Expected<bool> read_hybrid(FieldReader& f, const Json& text, ModelArch& a) {
    const std::string& t = a.model_type;
    const std::int64_t n = a.num_hidden_layers;
    auto list_from = [&](const char* key) -> bool {
        const std::vector<std::string> names = f.strings(key);
        if (!f.ok() || names.empty()) return false;
        std::string unknown;
        if (!mixers_from_names(names, a.mixers, unknown)) {
            f.fail(key, "unknown layer type \"" + unknown + "\"");
            return false;
        }
        if (static_cast<std::int64_t>(a.mixers.size()) != n) {
            f.fail(key, "lists " + std::to_string(a.mixers.size()) + " layers, num_hidden_layers is " + std::to_string(n));
        }
        return true;
    };
    if (t == "qwen3_next") {
        // Qwen3NextConfig: gated DeltaNet layers, full attention every full_attention_interval-th.
        a.recurrent = RecurrentKind::gated_delta_net;
        a.attn_output_gate = true;
        a.ssm_d_conv = f.integer("linear_conv_kernel_dim", 4, 1, 1024);
        a.ssm_d_state = f.integer("linear_key_head_dim", 128, 1, 65536);
        a.ssm_n_group = f.integer("linear_num_key_heads", 16, 1, 65536);
        a.ssm_n_head = f.integer("linear_num_value_heads", 32, 1, 65536);
        a.ssm_d_inner = f.integer("linear_value_head_dim", 128, 1, 65536) * a.ssm_n_head;
        a.ssm_conv_bias = false;
        a.ssm_norm = true;
        if (!list_from("layer_types") && f.ok()) {
            const std::int64_t interval = f.integer("full_attention_interval", 4, 1, 4096);
            a.mixers.assign(static_cast<size_t>(n), BlockMixer::recurrent);
            for (std::int64_t il = 0; il < n; ++il) {
                if ((il + 1) % interval == 0) a.mixers[static_cast<size_t>(il)] = BlockMixer::attention;
            }
        }
    } else if (t == "granitemoehybrid") {
        // GraniteMoeHybridConfig: layer_types (older files: layers_block_type) of "mamba" and
        // "attention"; d_inner = mamba_expand x hidden_size split into mamba_n_heads heads.
        if (!list_from("layer_types") && f.ok()) list_from("layers_block_type");
        bool any_mamba = false;
        for (BlockMixer m : a.mixers) any_mamba = any_mamba || m == BlockMixer::recurrent;
        if (!any_mamba) {
            a.mixers.clear();  // Granite-4.0-Micro: every layer is attention
        } else {
            a.recurrent = RecurrentKind::mamba2;
            a.ssm_d_inner = f.integer("mamba_expand", 2, 1, 64) * a.hidden_size;
            a.ssm_n_head = f.integer("mamba_n_heads", 128, 1, 65536);
            a.ssm_d_state = f.integer("mamba_d_state", 256, 1, 65536);
            a.ssm_n_group = f.integer("mamba_n_groups", 1, 1, 65536);
            a.ssm_d_conv = f.integer("mamba_d_conv", 4, 1, 1024);
            a.ssm_conv_bias = f.boolean("mamba_conv_bias", true);
            a.ssm_proj_bias = f.boolean("mamba_proj_bias", false);
        }
    } else if (t == "nemotron_h") {
        // NemotronHConfig: hybrid_override_pattern, one character per block: M = Mamba-2,
        // * = attention, - = MLP (llama.cpp marks M as recurrent, * as the only KV layers).
        const std::string pattern = f.string("hybrid_override_pattern", "", true);
        if (!f.ok()) return f.error();
        a.mixers.clear();
        for (char c : pattern) {
            if (c == 'M') a.mixers.push_back(BlockMixer::recurrent);
            else if (c == '*') a.mixers.push_back(BlockMixer::attention);
            else if (c == '-') a.mixers.push_back(BlockMixer::ffn);
            else {
                f.fail("hybrid_override_pattern", std::string("block type '") + c + "' is not modelled (M, * and - are)");
                return f.error();
            }
        }
        if (static_cast<std::int64_t>(a.mixers.size()) != n) {
            f.fail("hybrid_override_pattern", "has " + std::to_string(a.mixers.size()) + " blocks, num_hidden_layers is " + std::to_string(n));
            return f.error();
        }
        a.recurrent = RecurrentKind::mamba2;
        a.ffn_in_mixer_blocks = false;
        a.ssm_n_head = f.integer("mamba_num_heads", 128, 1, 65536);
        a.ssm_d_inner = a.ssm_n_head * f.integer("mamba_head_dim", 64, 1, 65536);
        a.ssm_d_state = f.integer("ssm_state_size", 128, 1, 65536);
        a.ssm_n_group = f.integer("n_groups", 8, 1, 65536);
        a.ssm_d_conv = f.integer("conv_kernel", 4, 1, 1024);
        a.ssm_conv_bias = f.boolean("use_conv_bias", true);
        a.ssm_proj_bias = f.boolean("use_bias", false);
    } else if (t == "falcon_h1") {
        // FalconH1Config: attention and Mamba-2 in parallel in every block; the SSM width is
        // mamba_d_ssm when given, else heads x head_dim (the HF mixer reshapes to that), else
        // mamba_expand x hidden_size.
        a.recurrent = RecurrentKind::mamba2;
        a.mixers.assign(static_cast<size_t>(n), BlockMixer::parallel);
        a.ssm_n_head = f.integer("mamba_n_heads", 128, 1, 65536);
        const bool head_dim_given = text.contains("mamba_d_head") && text["mamba_d_head"].is_number_integer();
        if (f.has("mamba_d_ssm")) {
            a.ssm_d_inner = f.integer("mamba_d_ssm", 0, 1, kMax);
        } else if (head_dim_given) {
            a.ssm_d_inner = a.ssm_n_head * f.integer("mamba_d_head", 64, 1, 65536);
        } else {
            a.ssm_d_inner = f.integer("mamba_expand", 2, 1, 64) * a.hidden_size;
        }
        a.ssm_d_state = f.integer("mamba_d_state", 256, 1, 65536);
        a.ssm_n_group = f.integer("mamba_n_groups", 1, 1, 65536);
        a.ssm_d_conv = f.integer("mamba_d_conv", 4, 1, 1024);
        a.ssm_conv_bias = f.boolean("mamba_conv_bias", true);
        a.ssm_proj_bias = f.boolean("mamba_proj_bias", false);
        a.ssm_norm = f.boolean("mamba_rms_norm", false);
    }
    if (!f.ok()) return f.error();
    return true;
}

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
    // Nemotron-H's MLP is up + down with a squared ReLU (mlp_hidden_act "relu2").
    a.mlp_gated = !one_of(t, {"starcoder2", "gpt2", "gpt_neox", "gpt_bigcode", "phi", "bloom", "opt", "falcon", "gptj", "nemotron_h"});
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
    if (t == "nemotron_h") a.norms_per_layer = 1;                 // one norm per block (its mixer or its MLP)
    if (one_of(t, {"qwen3", "qwen3_moe", "qwen3_next", "gemma3", "olmo2"}) || f.boolean("use_qk_norm", false)) a.qk_norm = true;
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
        if (t == "granitemoehybrid") {
            // GraniteMoeHybrid: routed experts of intermediate_size plus an ungated shared MLP of
            // shared_intermediate_size on every layer (transformers modeling_granitemoehybrid.py).
            a.shared_expert_intermediate_size = f.integer("shared_intermediate_size", 0, 0, kMax);
            a.shared_expert_gate = false;
        }
    }
    // A dense GraniteMoeHybrid (num_local_experts 0) runs only the shared MLP.
    if (t == "granitemoehybrid" && !a.is_moe() && f.has("shared_intermediate_size")) {
        a.intermediate_size = f.integer("shared_intermediate_size", a.intermediate_size, 0, kMax);
    }
    if (!f.ok()) return f.error();
    if (Expected<bool> hybrid = read_hybrid(f, text, a); !hybrid) return hybrid.error();

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

    // Llama 4: RoPE layers attend within chunks of attention_chunk_size tokens, every 4th layer (NoPE)
    // attends to everything (transformers Llama4TextConfig no_rope_layer_interval; llama.cpp
    // LLAMA_SWA_TYPE_CHUNKED with n_swa 8192 and set_swa_pattern(4)).
    if (t == "llama4") {
        const std::int64_t chunk = f.integer("attention_chunk_size", 0, 0, 1LL << 26);
        if (chunk > 0) {
            a.sliding_window = chunk;
            a.sliding_window_pattern = f.integer("no_rope_layer_interval", 4, 1, 4096);
            a.chunked_attention = true;
        }
    }

    // Sliding-window layers: explicit layer_types, else each family's pattern as llama.cpp sets it.
    // Hybrids spell their block kinds in layer_types (read above), not attention windows.
    const std::int64_t window = a.chunked_attention ? 0 : f.integer("sliding_window", 0, 0, 1LL << 26);
    const std::vector<std::string> layer_types = a.is_hybrid() || a.chunked_attention ? std::vector<std::string>{} : f.strings("layer_types");
    if (!f.ok()) return f.error();
    if (window > 0 && !a.is_hybrid()) {
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
