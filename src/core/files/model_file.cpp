#include "files/model_file.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "base/checked.hpp"
#include "facts/hf_config.hpp"

namespace wif {

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(s.size() - p.size()) == p; }
bool contains(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }

// "blk.12.attn_q.weight" -> 12 and "attn_q.weight"; "model.layers.3.mlp..." -> 3 and "mlp...".
std::int32_t layer_of(std::string_view name, std::string_view& rest) {
    rest = name;
    for (std::string_view marker : {"blk.", "layers.", "h.", "blocks."}) {
        size_t at = 0;
        while ((at = name.find(marker, at)) != std::string_view::npos) {
            if (at == 0 || name[at - 1] == '.') {
                size_t i = at + marker.size();
                std::int64_t n = 0;
                const size_t digits_from = i;
                while (i < name.size() && name[i] >= '0' && name[i] <= '9' && n < 1'000'000) n = n * 10 + (name[i++] - '0');
                if (i > digits_from && i < name.size() && name[i] == '.' && n < 1'000'000) {
                    rest = name.substr(i + 1);
                    return static_cast<std::int32_t>(n);
                }
            }
            at += marker.size();
        }
    }
    return -1;
}

bool is_vision_name(std::string_view name) {
    return starts_with(name, "v.") || starts_with(name, "mm.") || starts_with(name, "a.") || contains(name, "vision_tower") ||
           contains(name, "vision_model") || contains(name, "visual.") || contains(name, "multi_modal_projector") ||
           contains(name, "vision_encoder") || contains(name, "audio_tower") || starts_with(name, "model.vision");
}

// The role of a GGUF tensor from its llama.cpp name (src/llama-arch.cpp LLM_TENSOR_NAMES).
std::string gguf_role(std::string_view name, std::int32_t layer, std::string_view rest) {
    if (is_vision_name(name)) return "vision";
    if (layer < 0) {
        if (name == "token_embd.weight") return "token_embd";
        if (name == "output.weight") return "output";
        if (starts_with(name, "output_norm")) return "output_norm";
        return "other";
    }
    const std::string_view base = rest.substr(0, rest.find('.'));
    const bool bias = ends_with(rest, ".bias");
    if (base == "exp_probs_b") return "bias";
    if (contains(base, "norm")) return bias ? "bias" : "norm";
    static const char* const kRoles[] = {
        "attn_q", "attn_k", "attn_v", "attn_qkv", "attn_output", "attn_q_a", "attn_q_b", "attn_kv_a_mqa", "attn_kv_b",
        "attn_sinks", "ffn_gate", "ffn_up", "ffn_down", "ffn_gate_inp", "ffn_gate_exps", "ffn_up_exps", "ffn_down_exps",
        "ffn_gate_shexp", "ffn_up_shexp", "ffn_down_shexp", "ffn_gate_inp_shexp",
    };
    for (const char* r : kRoles) {
        if (base == r) return bias && base != "attn_sinks" ? "bias" : std::string(r);
    }
    return "other";
}

// The role of a Hugging Face tensor from its transformers name.
std::string hf_role(std::string_view name, std::int32_t layer, std::string_view rest) {
    if (is_vision_name(name)) return "vision";
    const bool bias = ends_with(name, ".bias");
    if (layer < 0) {
        if (contains(name, "embed_tokens") || contains(name, "wte") || contains(name, "word_embeddings")) return "token_embd";
        if (contains(name, "lm_head")) return "output";
        if (contains(name, "norm")) return bias ? "bias" : "output_norm";
        return "other";
    }
    if (contains(rest, "norm")) return bias ? "bias" : "norm";
    if (bias && !contains(rest, "experts")) return "bias";
    const bool experts = contains(rest, "experts.") && !contains(rest, "shared_expert");
    const bool shared = contains(rest, "shared_expert");
    if (contains(rest, "sinks")) return "attn_sinks";
    if (contains(rest, "q_a_proj")) return "attn_q_a";
    if (contains(rest, "q_b_proj")) return "attn_q_b";
    if (contains(rest, "kv_a_proj")) return "attn_kv_a_mqa";
    if (contains(rest, "kv_b_proj")) return "attn_kv_b";
    if (contains(rest, "qkv_proj") || contains(rest, "query_key_value")) return "attn_qkv";
    if (contains(rest, "q_proj")) return "attn_q";
    if (contains(rest, "k_proj")) return "attn_k";
    if (contains(rest, "v_proj")) return "attn_v";
    if (contains(rest, "o_proj") || contains(rest, "attn.c_proj") || contains(rest, "attention.dense")) return "attn_output";
    if (shared && contains(rest, "gate") && !contains(rest, "proj")) return "ffn_gate_inp_shexp";
    if (contains(rest, "gate_up_proj")) return experts ? "ffn_up_exps" : shared ? "ffn_up_shexp" : "ffn_up";
    if (contains(rest, "gate_proj") || contains(rest, "w1.")) return experts ? "ffn_gate_exps" : shared ? "ffn_gate_shexp" : "ffn_gate";
    if (contains(rest, "up_proj") || contains(rest, "w3.")) return experts ? "ffn_up_exps" : shared ? "ffn_up_shexp" : "ffn_up";
    if (contains(rest, "down_proj") || contains(rest, "w2.")) return experts ? "ffn_down_exps" : shared ? "ffn_down_shexp" : "ffn_down";
    if (contains(rest, "mlp.gate") || contains(rest, "router") || contains(rest, "block_sparse_moe.gate")) return "ffn_gate_inp";
    return "other";
}

bool is_routed_expert_role(std::string_view role) {
    return role == "ffn_gate_exps" || role == "ffn_up_exps" || role == "ffn_down_exps";
}

// llama.h enum llama_ftype.
const char* ftype_name(std::int64_t id) {
    switch (id) {
        case 0: return "F32";       case 1: return "F16";       case 2: return "Q4_0";      case 3: return "Q4_1";
        case 7: return "Q8_0";      case 8: return "Q5_0";      case 9: return "Q5_1";      case 10: return "Q2_K";
        case 11: return "Q3_K_S";   case 12: return "Q3_K_M";   case 13: return "Q3_K_L";   case 14: return "Q4_K_S";
        case 15: return "Q4_K_M";   case 16: return "Q5_K_S";   case 17: return "Q5_K_M";   case 18: return "Q6_K";
        case 19: return "IQ2_XXS";  case 20: return "IQ2_XS";   case 21: return "Q2_K_S";   case 22: return "IQ3_XS";
        case 23: return "IQ3_XXS";  case 24: return "IQ1_S";    case 25: return "IQ4_NL";   case 26: return "IQ3_S";
        case 27: return "IQ3_M";    case 28: return "IQ2_S";    case 29: return "IQ2_M";    case 30: return "IQ4_XS";
        case 31: return "IQ1_M";    case 32: return "BF16";     case 36: return "TQ1_0";    case 37: return "TQ2_0";
        case 38: return "MXFP4_MOE";
        default: return "";
    }
}

// GGUF general.architecture -> config.json model_type (llama.cpp src/llama-arch.cpp LLM_ARCH_NAMES).
std::string model_type_of(const std::string& arch) {
    static const std::pair<const char*, const char*> kMap[] = {
        {"llama", "llama"},         {"llama4", "llama4"},         {"mistral3", "mistral"},   {"qwen2", "qwen2"},
        {"qwen2moe", "qwen2_moe"},  {"qwen2vl", "qwen2_vl"},      {"qwen3", "qwen3"},        {"qwen3moe", "qwen3_moe"},
        {"gemma", "gemma"},         {"gemma2", "gemma2"},         {"gemma3", "gemma3"},      {"gemma3n", "gemma3n"},
        {"deepseek", "deepseek"},   {"deepseek2", "deepseek_v3"}, {"gpt-oss", "gpt_oss"},    {"phi2", "phi"},
        {"phi3", "phi3"},           {"phimoe", "phimoe"},         {"starcoder2", "starcoder2"}, {"command-r", "cohere"},
        {"cohere2", "cohere2"},     {"glm4", "glm4"},             {"glm4moe", "glm4_moe"},   {"chatglm", "chatglm"},
        {"olmo", "olmo"},           {"olmo2", "olmo2"},           {"olmoe", "olmoe"},        {"granite", "granite"},
        {"granitemoe", "granitemoe"}, {"internlm2", "internlm2"}, {"exaone", "exaone"},      {"stablelm", "stablelm"},
        {"falcon", "falcon"},       {"gpt2", "gpt2"},             {"gptneox", "gpt_neox"},   {"bloom", "bloom"},
        {"smollm3", "smollm3"},     {"seed_oss", "seed_oss"},     {"minimax-m2", "minimax_m2"}, {"dots1", "dots1"},
        {"ernie4_5", "ernie4_5"},   {"ernie4_5-moe", "ernie4_5_moe"}, {"hunyuan-moe", "hunyuan_v1_moe"},
        {"arcee", "arcee"},         {"bailingmoe", "bailing_moe"},
        {"qwen3next", "qwen3_next"}, {"granitehybrid", "granitemoehybrid"}, {"falcon-h1", "falcon_h1"},
    };
    for (const auto& [gguf, hf] : kMap) {
        if (arch == gguf) return hf;
    }
    std::string out = arch;
    std::replace(out.begin(), out.end(), '-', '_');
    return out;
}

// Architectures whose state is not (only) a KV cache: SSMs, RWKV, hybrids.
bool is_recurrent_arch(const std::string& arch) {
    static const char* const kRecurrent[] = {"mamba", "mamba2", "rwkv6", "rwkv6qwen2", "rwkv7", "arwkv7", "jamba",
                                             "falcon-h1", "granitehybrid", "lfm2", "plamo2", "nemotron_h", "qwen3next",
                                             "bamba", "zamba2", "minimax01"};
    for (const char* r : kRecurrent) {
        if (arch == r) return true;
    }
    return false;
}

struct Gguf {
    const GgufHeader& h;
    std::string prefix;

    const GgufValue* key(const std::string& suffix) const { return h.find(prefix + "." + suffix); }
    // An integer key, or for a per-layer array its largest element; `varies` says whether they differ.
    std::int64_t integer(const std::string& suffix, std::int64_t fallback, bool* varies = nullptr) const {
        const GgufValue* v = key(suffix);
        if (!v) return fallback;
        if (v->is_integer()) return v->i;
        if (v->type == GgufType::array && !v->items.empty()) {
            std::int64_t best = 0;
            bool first = true, differ = false;
            for (const GgufValue& item : v->items) {
                if (!item.is_integer()) return fallback;
                if (!first && item.i != best) differ = true;
                best = first ? item.i : std::max(best, item.i);
                first = false;
            }
            if (varies) *varies = differ;
            return best;
        }
        return fallback;
    }
};

const FileTensor* find_tensor(const std::vector<FileTensor>& tensors, std::string_view name) {
    for (const FileTensor& t : tensors) {
        if (t.name == name) return &t;
    }
    return nullptr;
}

bool any_tensor(const std::vector<FileTensor>& tensors, std::string_view suffix) {
    for (const FileTensor& t : tensors) {
        if (t.layer >= 0 && ends_with(t.name, suffix)) return true;
    }
    return false;
}

// Tallies and the largest-first by-type list.
void finish_totals(ModelFile& m) {
    std::map<std::string, bytes_t> by_type;
    for (const FileTensor& t : m.tensors) {
        by_type[t.type] = saturating_add(by_type[t.type], t.bytes);
        m.stored_elements = saturating_add(m.stored_elements, t.elements, INT64_MAX);
        if (t.role == "vision") {
            m.mmproj_bytes = saturating_add(m.mmproj_bytes, t.bytes);
        } else {
            m.weight_bytes = saturating_add(m.weight_bytes, t.bytes);
            m.params = saturating_add(m.params, t.params, INT64_MAX);
        }
    }
    m.bytes_by_type.assign(by_type.begin(), by_type.end());
    std::stable_sort(m.bytes_by_type.begin(), m.bytes_by_type.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
}

void arch_from_gguf(const GgufHeader& h, ModelFile& m) {
    ModelArch& a = m.arch;
    const Gguf g{h, m.architecture};
    const std::vector<FileTensor>& ts = m.tensors;
    a.model_type = model_type_of(m.architecture);
    a.num_hidden_layers = g.integer("block_count", 0);
    a.hidden_size = g.integer("embedding_length", 0);
    bool ffn_varies = false, heads_varies = false, kv_varies = false;
    a.intermediate_size = g.integer("feed_forward_length", 0, &ffn_varies);
    a.num_attention_heads = g.integer("attention.head_count", 0, &heads_varies);
    a.num_key_value_heads = g.integer("attention.head_count_kv", a.num_attention_heads, &kv_varies);
    if (ffn_varies) m.notes.push_back("feed_forward_length varies by layer; the architecture uses the largest");
    if (heads_varies) m.notes.push_back("attention.head_count varies by layer; the architecture uses the largest");
    if (kv_varies) m.notes.push_back("attention.head_count_kv varies by layer; the KV cache estimate uses the largest for every layer");
    a.head_dim = g.integer("attention.key_length", a.num_attention_heads > 0 ? a.hidden_size / a.num_attention_heads : 0);
    const std::int64_t value_length = g.integer("attention.value_length", a.head_dim);
    a.max_position_embeddings = g.integer("context_length", 0);
    if (const GgufValue* tokens = h.find("tokenizer.ggml.tokens"); tokens && tokens->type == GgufType::array) {
        a.vocab_size = static_cast<std::int64_t>(std::min<std::uint64_t>(tokens->count, INT64_MAX));
    }
    const FileTensor* embd = find_tensor(ts, "token_embd.weight");
    if (embd && embd->dims.size() >= 2) {
        if (a.vocab_size == 0) a.vocab_size = embd->dims[1];
        else if (embd->dims[1] != a.vocab_size) {
            m.notes.push_back("the tokenizer lists " + std::to_string(a.vocab_size) + " tokens; token_embd has " +
                              std::to_string(embd->dims[1]) + " rows (used)");
            a.vocab_size = embd->dims[1];
        }
    }
    a.tie_word_embeddings = find_tensor(ts, "output.weight") == nullptr;

    // Block details from the tensors present.
    a.qkv_bias = any_tensor(ts, ".attn_q.bias") || any_tensor(ts, ".attn_qkv.bias");
    a.o_bias = any_tensor(ts, ".attn_output.bias");
    a.mlp_bias = any_tensor(ts, ".ffn_down.bias");
    a.norm_bias = any_tensor(ts, ".attn_norm.bias");
    a.qk_norm = any_tensor(ts, ".attn_q_norm.weight");
    a.fused_qkv = any_tensor(ts, ".attn_qkv.weight");
    a.attn_sinks = any_tensor(ts, ".attn_sinks.weight") || any_tensor(ts, ".attn_sinks");
    a.mlp_gated = any_tensor(ts, ".ffn_gate.weight") || any_tensor(ts, ".ffn_gate_exps.weight") || !any_tensor(ts, ".ffn_up.weight");
    if (!any_tensor(ts, ".ffn_gate.weight") && a.model_type == "phi3") {
        a.fused_gate_up = true;  // Phi-3 stores ffn_up as [gate; up]
        a.mlp_gated = true;
    }
    int norms = 0;
    for (const FileTensor& t : ts) {
        if (t.layer != 0 || t.role != "norm" || !ends_with(t.name, ".weight")) continue;
        const bool per_head_or_latent = contains(t.name, "attn_q_norm") || contains(t.name, "attn_k_norm") ||
                                        contains(t.name, "attn_q_a_norm") || contains(t.name, "attn_kv_a_norm");
        if (!per_head_or_latent) ++norms;
    }
    if (norms > 0) a.norms_per_layer = norms;

    // Mixture of experts.
    a.num_experts = g.integer("expert_count", 0);
    a.num_experts_per_tok = g.integer("expert_used_count", 0);
    if (a.is_moe()) {
        a.moe_intermediate_size = g.integer("expert_feed_forward_length", 0);
        std::int64_t shared = g.integer("expert_shared_feed_forward_length", 0);
        if (shared == 0) shared = g.integer("expert_shared_count", 0) * a.moe_intermediate_size;
        std::vector<char> moe_layer(static_cast<size_t>(std::clamp<std::int64_t>(a.num_hidden_layers, 0, 65536)), 0);
        for (const FileTensor& t : ts) {
            if (t.layer < 0 || static_cast<size_t>(t.layer) >= moe_layer.size()) continue;
            if (t.role == "ffn_gate_inp") moe_layer[static_cast<size_t>(t.layer)] = 1;
            if (t.role == "ffn_up_exps" && t.dims.size() >= 2 && a.moe_intermediate_size == 0) a.moe_intermediate_size = t.dims[1];
            if (t.role == "ffn_up_shexp" && t.dims.size() >= 2 && shared == 0) shared = t.dims[1];
        }
        a.shared_expert_intermediate_size = shared;
        a.shared_expert_gate = any_tensor(ts, ".ffn_gate_inp_shexp.weight");
        a.router_bias = any_tensor(ts, ".exp_probs_b.bias") || any_tensor(ts, ".ffn_gate_inp.bias");
        a.expert_bias = any_tensor(ts, ".ffn_up_exps.bias");
        a.first_k_dense_replace = g.integer("leading_dense_block_count", -1);
        if (a.first_k_dense_replace < 0) {
            a.first_k_dense_replace = 0;
            while (static_cast<size_t>(a.first_k_dense_replace) < moe_layer.size() && !moe_layer[static_cast<size_t>(a.first_k_dense_replace)])
                ++a.first_k_dense_replace;
        }
        for (size_t il = static_cast<size_t>(std::max<std::int64_t>(a.first_k_dense_replace, 0)); il < moe_layer.size(); ++il) {
            if (!moe_layer[il]) a.mlp_only_layers.push_back(static_cast<std::int64_t>(il));
        }
        if (a.mlp_only_layers.size() == moe_layer.size()) a.mlp_only_layers.clear();  // no router tensors seen
        if (!a.mlp_only_layers.empty() && a.intermediate_size == 0) {
            for (const FileTensor& t : ts) {
                if (t.role == "ffn_up" && t.dims.size() >= 2) a.intermediate_size = std::max(a.intermediate_size, t.dims[1]);
            }
        }
    }

    // Multi-head latent attention (DeepSeek-V2/V3, Kimi K2).
    const std::int64_t kv_lora = g.integer("attention.kv_lora_rank", 0);
    if (kv_lora > 0) {
        a.attention = AttentionKind::mla;
        a.kv_lora_rank = kv_lora;
        a.q_lora_rank = g.integer("attention.q_lora_rank", 0);
        a.qk_rope_head_dim = g.integer("rope.dimension_count", 0);
        // Newer conversions store the absorbed layout in key_length and the per-head one in *_mla.
        const std::int64_t key_length = g.integer("attention.key_length_mla", a.head_dim);
        a.v_head_dim = g.integer("attention.value_length_mla", value_length);
        a.qk_nope_head_dim = key_length - a.qk_rope_head_dim;
        a.head_dim = key_length;
        if (a.model_type == "deepseek_v3" && !a.router_bias) a.model_type = "deepseek_v2";
    } else if (value_length != a.head_dim) {
        m.notes.push_back("value heads are " + std::to_string(value_length) + " wide, keys " + std::to_string(a.head_dim) +
                          "; the KV cache estimate uses the key width for both");
    }

    // Sliding-window attention, as llama.cpp applies it per architecture (llama-model.cpp set_swa_pattern).
    const std::int64_t window = g.integer("attention.sliding_window", 0);
    if (window > 0) {
        std::int64_t pattern = 0;
        const GgufValue* p = g.key("attention.sliding_window_pattern");
        if (p && p->is_integer()) {
            pattern = p->i;
        } else if (p && p->type == GgufType::array && !p->items.empty()) {
            // Per-layer flags (true = sliding): the period whose last layer is the full one.
            const auto n = static_cast<std::int64_t>(p->items.size());
            std::int64_t first_full = -1;
            for (std::int64_t il = 0; il < n && first_full < 0; ++il) {
                if (p->items[static_cast<size_t>(il)].i == 0) first_full = il;
            }
            const std::int64_t period = first_full < 0 ? 1 : first_full + 1;
            bool matches = true;
            for (std::int64_t il = 0; il < n && matches; ++il) {
                matches = (p->items[static_cast<size_t>(il)].i != 0) == (period == 1 ? true : il % period < period - 1);
            }
            if (matches) pattern = period;
            else m.notes.push_back("the sliding-window layers do not follow a repeating pattern; treated as full attention");
        } else if (a.model_type == "gemma2" || a.model_type == "gpt_oss") {
            pattern = 2;
        } else if (a.model_type == "gemma3") {
            pattern = 6;
        } else if (a.model_type == "cohere2") {
            pattern = 4;
        }
        if (pattern > 0) {
            a.sliding_window = window;
            a.sliding_window_pattern = pattern;
        }
    }
}

// Hybrids whose recurrent layers the KV model covers: the ssm.* keys (convert_hf_to_gguf.py writes
// llama.cpp's ssm_d_conv, ssm_d_inner, ssm_d_state, ssm_dt_rank = heads, ssm_n_group) and, per
// layer, which mixer tensors the block has (attn_* = attention, ssm_* = recurrent, both for Falcon-H1,
// neither for Nemotron-H's MLP blocks).
bool hybrid_from_gguf(const GgufHeader& h, ModelFile& m) {
    ModelArch& a = m.arch;
    const std::string& arch = m.architecture;
    if (arch == "qwen3next") a.recurrent = RecurrentKind::gated_delta_net;
    else if (arch == "granitehybrid" || arch == "nemotron_h" || arch == "falcon-h1") a.recurrent = RecurrentKind::mamba2;
    else return false;
    const Gguf g{h, arch};
    a.ssm_d_conv = g.integer("ssm.conv_kernel", 0);
    a.ssm_d_inner = g.integer("ssm.inner_size", 0);
    a.ssm_d_state = g.integer("ssm.state_size", 0);
    a.ssm_n_head = g.integer("ssm.time_step_rank", 0);
    a.ssm_n_group = g.integer("ssm.group_count", 0);
    const auto n = static_cast<size_t>(std::clamp<std::int64_t>(a.num_hidden_layers, 0, 65536));
    std::vector<char> attention(n, 0), recurrent(n, 0);
    // Header values are unchecked until validate_arch: keep the product in range.
    const std::int64_t gated_q = a.num_attention_heads > 0 && a.num_attention_heads < (1 << 20) && a.head_dim > 0 && a.head_dim < (1 << 20)
                                     ? 2 * a.num_attention_heads * a.head_dim
                                     : -1;
    for (const FileTensor& t : m.tensors) {
        if (t.layer < 0 || static_cast<size_t>(t.layer) >= n) continue;
        std::string_view rest;
        layer_of(t.name, rest);
        if (starts_with(rest, "attn_q.") || starts_with(rest, "attn_qkv.")) attention[static_cast<size_t>(t.layer)] = 1;
        if (starts_with(rest, "ssm_in.") || starts_with(rest, "ssm_conv1d.")) recurrent[static_cast<size_t>(t.layer)] = 1;
        // Qwen3-Next's gated attention: wq holds query and gate (2 x heads x head_dim rows).
        if (starts_with(rest, "attn_q.weight") && t.dims.size() >= 2 && gated_q > 0 && t.dims[1] == gated_q) {
            a.attn_output_gate = true;
        }
    }
    a.mixers.assign(n, BlockMixer::ffn);
    for (size_t il = 0; il < n; ++il) {
        a.mixers[il] = attention[il] && recurrent[il] ? BlockMixer::parallel
                       : attention[il]                ? BlockMixer::attention
                       : recurrent[il]                ? BlockMixer::recurrent
                                                      : BlockMixer::ffn;
    }
    a.ffn_in_mixer_blocks = arch != "nemotron_h";
    a.ssm_conv_bias = any_tensor(m.tensors, ".ssm_conv1d.bias");
    a.ssm_proj_bias = any_tensor(m.tensors, ".ssm_in.bias");
    a.ssm_norm = any_tensor(m.tensors, ".ssm_norm.weight");
    // Per-layer head counts are 0 on the recurrent layers; the largest is the attention layers' own.
    std::erase_if(m.notes, [](const std::string& note) {
        return note.rfind("attention.head_count", 0) == 0;
    });
    return true;
}

std::string lower_dtype_torch(const std::string& dtype) {
    if (dtype == "BF16") return "bfloat16";
    if (dtype == "F16") return "float16";
    if (dtype == "F32") return "float32";
    return "";
}

}  // namespace

Expected<ModelFile> model_file_from_gguf(const GgufHeader& h) {
    ModelFile m;
    m.format = "gguf";
    m.file_bytes = h.file_size;
    if (const GgufValue* v = h.find("general.architecture"); v && v->type == GgufType::string) m.architecture = v->s;
    if (const GgufValue* v = h.find("general.name"); v && v->type == GgufType::string) m.name = v->s;
    if (const GgufValue* v = h.find("general.file_type"); v && v->is_integer()) m.file_type = ftype_name(v->i);
    bool mmproj = false;
    if (const GgufValue* v = h.find("general.type"); v && v->type == GgufType::string && v->s == "mmproj") mmproj = true;
    for (const GgufKV& kv : h.metadata) {
        if (starts_with(kv.key, "clip.")) mmproj = true;
    }
    if (m.architecture == "clip") mmproj = true;
    m.tensors.reserve(h.tensors.size());
    for (const GgufTensorInfo& t : h.tensors) {
        FileTensor f;
        f.name = t.name;
        f.type = t.type_name;
        f.dims.assign(t.dims.begin(), t.dims.begin() + t.n_dims);
        f.elements = t.elements;
        f.params = t.elements;
        f.bytes = t.bytes;
        std::string_view rest;
        f.layer = layer_of(f.name, rest);
        f.role = mmproj ? "vision" : gguf_role(f.name, f.layer, rest);
        f.file = t.split;
        m.tensors.push_back(std::move(f));
    }
    finish_totals(m);
    if (mmproj) {
        m.format = "gguf-mmproj";
        m.notes.push_back("a multimodal projector (mmproj) file: its bytes are a separate line item next to a text model");
        return m;
    }
    if (m.architecture.empty()) {
        m.notes.push_back("no general.architecture: the tensors are exact, the KV cache model is unknown");
        return m;
    }
    const bool hybrid_known = m.architecture == "qwen3next" || m.architecture == "granitehybrid" ||
                              m.architecture == "nemotron_h" || m.architecture == "falcon-h1";
    if (!hybrid_known && (is_recurrent_arch(m.architecture) || h.find(m.architecture + ".ssm.state_size") || h.find(m.architecture + ".wkv.head_size"))) {
        m.arch.model_type = model_type_of(m.architecture);
        m.notes.push_back("\"" + m.architecture + "\" keeps a recurrent state, not only a KV cache: the weights are exact, the KV model is unknown");
        return m;
    }
    arch_from_gguf(h, m);
    if (hybrid_known) hybrid_from_gguf(h, m);
    const Expected<bool> valid = validate_arch(m.arch);
    m.arch_known = valid.ok();
    if (!valid) {
        m.notes.push_back("the architecture keys of \"" + m.architecture + "\" are incomplete (" + valid.error().message +
                          "): the weights are exact, the KV model is unknown");
    }
    return m;
}

Expected<ModelFile> model_file_from_safetensors(const std::vector<SafetensorsHeader>& shards, const std::vector<std::string>& shard_names,
                                                const SafetensorsIndex* index, const std::string& config_json) {
    if (shards.empty()) return make_error("invalid_safetensors", "safetensors: no files given");
    if (index && shard_names.size() != shards.size()) {
        return make_error("invalid_safetensors", "safetensors: with an index, every shard needs its file name");
    }
    ModelFile m;
    m.format = "safetensors";
    QuantizationConfig quant;
    if (!config_json.empty()) {
        const Expected<QuantizationConfig> q = read_quantization_config(config_json);
        if (!q) return q.error();
        quant = q.value();
        m.quant_method = quant.method;
    }
    std::map<std::string, std::string> where;  // tensor -> shard, from the index
    if (index) {
        for (const auto& [tensor, shard] : index->weight_map) where[tensor] = shard;
        std::set<std::string> given(shard_names.begin(), shard_names.end());
        std::string missing;
        for (const std::string& s : index->shards) {
            if (!given.count(s)) missing += (missing.empty() ? "" : ", ") + s;
        }
        if (!missing.empty()) {
            return make_error("missing_shard", "safetensors: the index names shards that were not given: " + missing);
        }
    }
    std::set<std::string> names;
    for (size_t i = 0; i < shards.size(); ++i) {
        // The whole checkpoint's size when every shard's is known.
        if (i == 0 || m.file_bytes > 0) m.file_bytes = shards[i].file_size > 0 ? m.file_bytes + shards[i].file_size : 0;
        for (const SafetensorsTensor& t : shards[i].tensors) {
            if (!names.insert(t.name).second) {
                return make_error("invalid_safetensors", "safetensors: tensor \"" + t.name + "\" appears in more than one shard");
            }
            if (index) {
                const auto it = where.find(t.name);
                if (it == where.end()) {
                    m.notes.push_back("tensor \"" + t.name + "\" is not in the index's weight_map");
                } else if (it->second != shard_names[i]) {
                    return make_error("invalid_safetensors", "safetensors: the index puts \"" + t.name + "\" in " + it->second +
                                                                 ", but it is in " + shard_names[i]);
                }
            }
            FileTensor f;
            f.name = t.name;
            f.type = t.dtype;
            f.dims = t.shape;
            f.elements = t.elements;
            f.params = t.elements;
            f.bytes = t.bytes;
            f.file = static_cast<int>(i);
            std::string_view rest;
            f.layer = layer_of(f.name, rest);
            f.role = hf_role(f.name, f.layer, rest);
            m.tensors.push_back(std::move(f));
        }
    }
    if (index) {
        for (const auto& [tensor, shard] : index->weight_map) {
            if (!names.count(tensor)) {
                return make_error("invalid_safetensors", "safetensors: the index lists \"" + tensor + "\" in " + shard + ", which does not hold it");
            }
        }
    }

    // Packed and quantization-metadata tensors: count parameters as the unpacked model has them.
    std::set<std::string> all(names);
    const int bits = quant.bits > 0 ? quant.bits : 4;
    bool packed_seen = false;
    for (FileTensor& t : m.tensors) {
        const std::string& n = t.name;
        auto meta = [&]() {
            t.params = 0;
            t.role = "quant_meta";
        };
        if (ends_with(n, ".qweight") || ends_with(n, ".weight_packed")) {
            const int per_word = t.type == "I32" || t.type == "U32" ? 32 / bits : t.type == "U8" || t.type == "I8" ? 8 / bits : 1;
            t.params = saturating_mul(t.elements, per_word, INT64_MAX);
            packed_seen = true;
        } else if (ends_with(n, ".qzeros") || ends_with(n, ".scales") || ends_with(n, ".g_idx") || ends_with(n, ".weight_scale") ||
                   ends_with(n, ".weight_scale_inv") || ends_with(n, ".input_scale") || ends_with(n, ".weight_zero_point") ||
                   ends_with(n, ".weight_global_scale") || ends_with(n, ".weight_shape") || ends_with(n, ".absmax") ||
                   ends_with(n, ".quant_map") || ends_with(n, ".nested_absmax") || ends_with(n, ".nested_quant_map") ||
                   contains(n, ".quant_state.") || ends_with(n, ".SCB") || ends_with(n, ".weight_format") ||
                   ends_with(n, "_scales")) {
            meta();
        } else if (ends_with(n, "_blocks") && t.type == "U8") {
            t.params = saturating_mul(t.elements, 2, INT64_MAX);  // MXFP4: two 4-bit values per byte
            packed_seen = true;
        } else if ((t.type == "U8") && all.count(n + ".absmax")) {
            t.params = saturating_mul(t.elements, 2, INT64_MAX);  // bitsandbytes 4-bit: two values per byte
            packed_seen = true;
        }
        if (t.role == "quant_meta" || !packed_seen) continue;
        // Packed tensors take the role of the weight they hold.
        if (ends_with(n, ".qweight") || ends_with(n, ".weight_packed") || ends_with(n, "_blocks")) {
            std::string_view rest;
            const std::string as_weight = n.substr(0, n.rfind('.')) + ".weight";
            t.layer = layer_of(as_weight, rest);
            t.role = hf_role(as_weight, t.layer, rest);
        }
    }
    if (packed_seen) {
        m.notes.push_back("packed quantized tensors: parameters are counted unpacked (" + std::to_string(bits) +
                          "-bit), stored elements as they are in the file");
    }
    finish_totals(m);
    if (index && index->total_size > 0 && index->total_size != m.weight_bytes + m.mmproj_bytes) {
        m.notes.push_back("the index's metadata.total_size says " + std::to_string(index->total_size) + " bytes; the shards hold " +
                          std::to_string(m.weight_bytes + m.mmproj_bytes));
    }

    if (!config_json.empty()) {
        Expected<ModelArch> arch = arch_from_hf_config_text(config_json, "config.json");
        if (arch) {
            m.arch = std::move(arch.value());
            m.architecture = m.arch.model_type;
            m.arch_known = true;
        } else {
            m.notes.push_back("config.json: " + arch.error().message + ": the weights are exact, the KV model is unknown");
        }
    } else {
        m.notes.push_back("no config.json given: the weights are exact, the KV model is unknown");
    }
    if (m.arch.torch_dtype.empty() && !m.bytes_by_type.empty()) m.arch.torch_dtype = lower_dtype_torch(m.bytes_by_type[0].first);
    return m;
}

void add_mmproj(ModelFile& model, const ModelFile& mmproj) {
    for (const FileTensor& t : mmproj.tensors) {
        FileTensor v = t;
        v.role = "vision";
        v.file = -1;
        model.tensors.push_back(std::move(v));
    }
    model.weight_bytes = 0;
    model.mmproj_bytes = 0;
    model.params = 0;
    model.stored_elements = 0;
    finish_totals(model);
    model.notes.push_back("multimodal projector: " + std::to_string(mmproj.tensors.size()) + " tensors from a separate mmproj file");
}

Expected<ModelFile> inspect_model_file(std::string_view head, std::uint64_t file_size, std::uint64_t* need_bytes) {
    if (need_bytes) *need_bytes = 0;
    if (head.size() < 4 && (file_size == 0 || file_size > head.size())) {
        if (need_bytes) *need_bytes = 9;
        return make_error("need_more", "need more bytes: 9 (have " + std::to_string(head.size()) + ")");
    }
    if (head.substr(0, 4) == "GGUF") {
        Expected<GgufHeader> h = read_gguf_header(head, file_size, need_bytes);
        if (!h) return h.error();
        return model_file_from_gguf(h.value());
    }
    if (head.size() < 9 && (file_size == 0 || file_size > head.size())) {
        if (need_bytes) *need_bytes = 9;
        return make_error("need_more", "need more bytes: 9 (have " + std::to_string(head.size()) + ")");
    }
    if (head.size() >= 9 && head[8] == '{') {
        Expected<SafetensorsHeader> h = read_safetensors_header(head, file_size, need_bytes);
        if (!h) return h.error();
        return model_file_from_safetensors({h.value()});
    }
    return make_error("unknown_format", "neither a GGUF file (no \"GGUF\" magic) nor a safetensors file (no JSON header)");
}

WeightBreakdown weight_breakdown(const ModelFile& m) {
    WeightBreakdown w;
    std::int64_t layers = std::max<std::int64_t>(0, m.arch.num_hidden_layers);
    for (const FileTensor& t : m.tensors) {
        if (t.layer >= 0 && t.role != "vision") layers = std::max<std::int64_t>(layers, t.layer + 1);
    }
    w.layers.assign(static_cast<size_t>(std::min<std::int64_t>(layers, 65536)), 0);
    std::vector<WeightBreakdown::TypeUse> by_type;
    for (const FileTensor& t : m.tensors) {
        if (t.role == "vision") {
            w.vision = saturating_add(w.vision, t.bytes);
        } else if (t.layer >= 0 && static_cast<size_t>(t.layer) < w.layers.size()) {
            w.layers[static_cast<size_t>(t.layer)] = saturating_add(w.layers[static_cast<size_t>(t.layer)], t.bytes);
            if (is_routed_expert_role(t.role)) {
                w.routed_experts = saturating_add(w.routed_experts, t.bytes);
                if (w.layer_routed.empty()) w.layer_routed.assign(w.layers.size(), 0);
                w.layer_routed[static_cast<size_t>(t.layer)] = saturating_add(w.layer_routed[static_cast<size_t>(t.layer)], t.bytes);
            }
        } else if (t.role == "token_embd") {
            w.token_embd = saturating_add(w.token_embd, t.bytes);
        } else {
            w.output = saturating_add(w.output, t.bytes);
        }
        w.params = saturating_add(w.params, t.params, INT64_MAX);
        // Type names in static storage, as WeightBreakdown::TypeUse wants them.
        const char* type = safetensors_dtype_name(t.type);
        for (const GgmlTypeInfo& info : ggml_type_table()) {
            if (!type && t.type == info.name) type = info.name;
        }
        if (!type) type = "?";
        auto it = std::find_if(by_type.begin(), by_type.end(), [&](const WeightBreakdown::TypeUse& u) { return std::string_view(u.type) == type; });
        if (it == by_type.end()) by_type.push_back({type, 1, t.bytes});
        else it->tensors += 1, it->bytes = saturating_add(it->bytes, t.bytes);
    }
    w.total = saturating_add(saturating_add(w.token_embd, w.output), w.vision);
    for (bytes_t b : w.layers) w.total = saturating_add(w.total, b);
    w.bits_per_weight = w.params > 0 ? 8.0 * static_cast<double>(w.total) / static_cast<double>(w.params) : 0;
    w.by_type = std::move(by_type);
    return w;
}

void write_model_file(JsonWriter& out, const ModelFile& m, bool with_tensors) {
    const ModelArch& a = m.arch;
    out.begin_object();
    out.field("format", m.format);
    out.field("architecture", m.architecture);
    out.field("name", m.name);
    out.field("file_type", m.file_type);
    out.field("quant_method", m.quant_method);
    out.field("arch_known", m.arch_known);
    out.key("arch").begin_object();
    out.field("model_type", a.model_type);
    out.field("vocab_size", a.vocab_size);
    out.field("hidden_size", a.hidden_size);
    out.field("intermediate_size", a.intermediate_size);
    out.field("num_hidden_layers", a.num_hidden_layers);
    out.field("num_attention_heads", a.num_attention_heads);
    out.field("num_key_value_heads", a.num_key_value_heads);
    out.field("head_dim", a.head_dim);
    out.field("max_position_embeddings", a.max_position_embeddings);
    out.field("tie_word_embeddings", a.tie_word_embeddings);
    out.field("num_experts", a.num_experts);
    out.field("num_experts_per_tok", a.num_experts_per_tok);
    out.field("moe_intermediate_size", a.moe_intermediate_size);
    out.field("shared_expert_intermediate_size", a.shared_expert_intermediate_size);
    out.field("first_k_dense_replace", a.first_k_dense_replace);
    out.field("sliding_window", a.sliding_window);
    out.field("sliding_window_pattern", a.sliding_window_pattern);
    out.field("attention", a.attention == AttentionKind::mla ? "mla" : "standard");
    out.field("kv_lora_rank", a.kv_lora_rank);
    out.field("q_lora_rank", a.q_lora_rank);
    out.field("qk_rope_head_dim", a.qk_rope_head_dim);
    out.field("qk_nope_head_dim", a.qk_nope_head_dim);
    out.field("v_head_dim", a.v_head_dim);
    out.end_object();
    out.field("weight_bytes", m.weight_bytes);
    out.field("mmproj_bytes", m.mmproj_bytes);
    out.field("params", m.params);
    out.field("stored_elements", m.stored_elements);
    out.field("file_bytes", static_cast<std::int64_t>(std::min<std::uint64_t>(m.file_bytes, INT64_MAX)));
    out.field("tensor_count", static_cast<std::int64_t>(m.tensors.size()));
    out.key("bytes_by_type").begin_array();
    for (const auto& [type, bytes] : m.bytes_by_type) {
        std::int64_t count = 0;
        for (const FileTensor& t : m.tensors) count += t.type == type ? 1 : 0;
        out.begin_object().field("type", type).field("tensors", count).field("bytes", bytes).end_object();
    }
    out.end_array();
    if (with_tensors) {
        out.key("tensors").begin_array();
        for (const FileTensor& t : m.tensors) {
            out.begin_object();
            out.field("name", t.name);
            out.field("type", t.type);
            out.key("dims").begin_array();
            for (std::int64_t d : t.dims) out.value(d);
            out.end_array();
            out.field("elements", t.elements);
            out.field("params", t.params);
            out.field("bytes", t.bytes);
            out.field("role", t.role);
            out.field("layer", static_cast<std::int64_t>(t.layer));
            out.field("file", t.file);
            out.end_object();
        }
        out.end_array();
    }
    out.field("notes", m.notes);
    out.end_object();
}

}  // namespace wif
