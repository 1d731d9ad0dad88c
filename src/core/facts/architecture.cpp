#include "facts/architecture.hpp"

#include <algorithm>

namespace wif {

const char* tensor_role_name(TensorRole role) {
    switch (role) {
        case TensorRole::token_embd: return "token_embd";
        case TensorRole::output: return "output";
        case TensorRole::output_norm: return "output_norm";
        case TensorRole::norm: return "norm";
        case TensorRole::bias: return "bias";
        case TensorRole::attn_q: return "attn_q";
        case TensorRole::attn_k: return "attn_k";
        case TensorRole::attn_v: return "attn_v";
        case TensorRole::attn_qkv: return "attn_qkv";
        case TensorRole::attn_output: return "attn_output";
        case TensorRole::attn_q_a: return "attn_q_a";
        case TensorRole::attn_q_b: return "attn_q_b";
        case TensorRole::attn_kv_a_mqa: return "attn_kv_a_mqa";
        case TensorRole::attn_kv_b: return "attn_kv_b";
        case TensorRole::attn_sinks: return "attn_sinks";
        case TensorRole::ffn_gate: return "ffn_gate";
        case TensorRole::ffn_up: return "ffn_up";
        case TensorRole::ffn_down: return "ffn_down";
        case TensorRole::ffn_gate_inp: return "ffn_gate_inp";
        case TensorRole::ffn_gate_exps: return "ffn_gate_exps";
        case TensorRole::ffn_up_exps: return "ffn_up_exps";
        case TensorRole::ffn_down_exps: return "ffn_down_exps";
        case TensorRole::ffn_gate_shexp: return "ffn_gate_shexp";
        case TensorRole::ffn_up_shexp: return "ffn_up_shexp";
        case TensorRole::ffn_down_shexp: return "ffn_down_shexp";
        case TensorRole::ffn_gate_inp_shexp: return "ffn_gate_inp_shexp";
        case TensorRole::vision: return "vision";
        case TensorRole::ssm_in: return "ssm_in";
        case TensorRole::ssm_conv1d: return "ssm_conv1d";
        case TensorRole::ssm_param: return "ssm_param";
        case TensorRole::ssm_out: return "ssm_out";
    }
    return "unknown";
}

const char* recurrent_kind_name(RecurrentKind kind) {
    switch (kind) {
        case RecurrentKind::none: return "none";
        case RecurrentKind::mamba2: return "Mamba-2";
        case RecurrentKind::gated_delta_net: return "gated DeltaNet";
    }
    return "unknown";
}

bool ModelArch::is_moe_layer(std::int64_t il) const {
    if (!is_moe()) return false;
    if (il < first_k_dense_replace) return false;
    // transformers' Qwen2-MoE / Llama 4: layer il is sparse when (il + 1) % step == 0.
    if (moe_layer_step > 1 && (il + 1) % moe_layer_step != 0) return false;
    return std::find(mlp_only_layers.begin(), mlp_only_layers.end(), il) == mlp_only_layers.end();
}

bool ModelArch::is_swa_layer(std::int64_t il) const {
    if (sliding_window <= 0 || sliding_window_pattern <= 0) return false;
    if (sliding_window_pattern == 1) return true;  // every layer uses the window
    return il % sliding_window_pattern < sliding_window_pattern - 1;
}

std::int64_t ModelArch::gqa_ratio() const {
    return num_key_value_heads > 0 ? num_attention_heads / num_key_value_heads : 1;
}

BlockMixer ModelArch::mixer(std::int64_t il) const {
    if (il < 0 || static_cast<size_t>(il) >= mixers.size()) return BlockMixer::attention;
    return mixers[static_cast<size_t>(il)];
}

bool ModelArch::has_attention(std::int64_t il) const {
    const BlockMixer m = mixer(il);
    return m == BlockMixer::attention || m == BlockMixer::parallel;
}

bool ModelArch::has_recurrent(std::int64_t il) const {
    if (recurrent == RecurrentKind::none) return false;
    const BlockMixer m = mixer(il);
    return m == BlockMixer::recurrent || m == BlockMixer::parallel;
}

bool ModelArch::has_ffn(std::int64_t il) const {
    return ffn_in_mixer_blocks || mixer(il) == BlockMixer::ffn;
}

Expected<bool> validate_arch(const ModelArch& a) {
    auto bad = [](const std::string& field, const std::string& why) {
        return make_error("invalid_config", field + ": " + why);
    };
    constexpr std::int64_t kMaxDim = 1 << 20;
    if (a.vocab_size <= 0 || a.vocab_size > 4 * kMaxDim) return bad("vocab_size", "must be between 1 and 4194304");
    if (a.hidden_size <= 0 || a.hidden_size > kMaxDim) return bad("hidden_size", "must be between 1 and 1048576");
    if (a.num_hidden_layers <= 0 || a.num_hidden_layers > 1024) return bad("num_hidden_layers", "must be between 1 and 1024");
    if (a.num_attention_heads <= 0 || a.num_attention_heads > 4096) return bad("num_attention_heads", "must be between 1 and 4096");
    if (a.num_key_value_heads <= 0 || a.num_key_value_heads > a.num_attention_heads)
        return bad("num_key_value_heads", "must be between 1 and num_attention_heads");
    if (a.num_attention_heads % a.num_key_value_heads != 0)
        return bad("num_key_value_heads", "must divide num_attention_heads");
    if (a.head_dim <= 0 || a.head_dim > 4096) return bad("head_dim", "must be between 1 and 4096");
    if (a.intermediate_size < 0 || a.intermediate_size > 16 * kMaxDim) return bad("intermediate_size", "out of range");
    if (!a.is_moe() && a.intermediate_size <= 0) return bad("intermediate_size", "must be positive for a dense model");
    if (a.is_moe()) {
        if (a.num_experts > 4096) return bad("num_experts", "more than 4096 experts");
        if (a.num_experts_per_tok <= 0 || a.num_experts_per_tok > a.num_experts)
            return bad("num_experts_per_tok", "must be between 1 and the number of experts");
        if (a.moe_intermediate_size <= 0 || a.moe_intermediate_size > kMaxDim)
            return bad("moe_intermediate_size", "must be positive");
        if (a.first_k_dense_replace < 0 || a.first_k_dense_replace > a.num_hidden_layers)
            return bad("first_k_dense_replace", "must be between 0 and num_hidden_layers");
        if (a.moe_layer_step < 1 || a.moe_layer_step > a.num_hidden_layers)
            return bad("moe_layer_step", "must be between 1 and num_hidden_layers");
        const bool any_dense = a.first_k_dense_replace > 0 || a.moe_layer_step > 1 || !a.mlp_only_layers.empty();
        if (any_dense && a.intermediate_size <= 0 && a.dense_intermediate_size <= 0)
            return bad("intermediate_size", "must be positive: the model has dense layers");
    }
    if (a.attention == AttentionKind::mla) {
        if (a.kv_lora_rank <= 0 || a.kv_lora_rank > kMaxDim) return bad("kv_lora_rank", "must be positive for MLA");
        if (a.qk_rope_head_dim <= 0 || a.qk_nope_head_dim <= 0 || a.v_head_dim <= 0)
            return bad("qk_rope_head_dim", "qk_rope_head_dim, qk_nope_head_dim and v_head_dim must be positive for MLA");
        if (a.q_lora_rank < 0) return bad("q_lora_rank", "must not be negative");
    }
    if (!a.mixers.empty() && static_cast<std::int64_t>(a.mixers.size()) != a.num_hidden_layers)
        return bad("layer_types", "must list one type per layer (num_hidden_layers)");
    if (a.recurrent != RecurrentKind::none) {
        const bool delta = a.recurrent == RecurrentKind::gated_delta_net;
        if (a.ssm_d_conv <= 0 || a.ssm_d_conv > 1024)
            return bad(delta ? "linear_conv_kernel_dim" : "conv_kernel", "must be between 1 and 1024");
        if (a.ssm_d_inner <= 0 || a.ssm_d_inner > kMaxDim)
            return bad(delta ? "linear_value_head_dim" : "mamba_d_ssm", "the recurrent width must be between 1 and 1048576");
        if (a.ssm_d_state <= 0 || a.ssm_d_state > 65536)
            return bad(delta ? "linear_key_head_dim" : "ssm_state_size", "must be between 1 and 65536");
        if (a.ssm_n_head <= 0 || a.ssm_n_head > 65536 || a.ssm_d_inner % a.ssm_n_head != 0)
            return bad(delta ? "linear_num_value_heads" : "mamba_num_heads", "must be positive and divide the recurrent width");
        if (a.ssm_n_group <= 0 || a.ssm_n_group > a.ssm_n_head || a.ssm_n_head % a.ssm_n_group != 0)
            return bad(delta ? "linear_num_key_heads" : "n_groups", "must be positive and divide the number of heads");
        if (a.ssm_conv_channels() > 16 * kMaxDim)
            return bad(delta ? "linear_key_head_dim" : "ssm_state_size", "the convolution would run over more than 16777216 channels");
    } else {
        for (BlockMixer m : a.mixers) {
            if (m == BlockMixer::recurrent || m == BlockMixer::parallel)
                return bad("layer_types", "lists recurrent layers but the config has no recurrent geometry");
        }
    }
    if (a.sliding_window < 0) return bad("sliding_window", "must not be negative");
    if (a.sliding_window_pattern < 0) return bad("sliding_window_pattern", "must not be negative");
    if (a.max_position_embeddings < 0) return bad("max_position_embeddings", "must not be negative");
    if (a.vision_params < 0 || a.vision_params > 100'000'000'000LL) return bad("vision_params", "out of range");
    return true;
}

namespace {

// Hands each tensor to `emit`: a vector when the tensors are kept, a running tally when only the
// parameter counts are wanted (counting every catalog model must not allocate).
template <class Emit>
struct TensorList {
    Emit& emit;
    void matrix(TensorRole role, std::int32_t layer, std::int64_t ne0, std::int64_t ne1, std::int64_t ne2 = 1) {
        emit(Tensor{role, layer, ne0, ne1, ne2, false});
    }
    void vector(TensorRole role, std::int32_t layer, std::int64_t n) {
        if (n > 0) emit(Tensor{role, layer, n, 1, 1, true});
    }
};

template <class L>
void add_attention(const ModelArch& a, std::int32_t il, L& t) {
    const std::int64_t h = a.hidden_size;
    if (a.attention == AttentionKind::mla) {
        const std::int64_t heads = a.num_attention_heads;
        const std::int64_t qk_head = a.qk_nope_head_dim + a.qk_rope_head_dim;
        if (a.q_lora_rank > 0) {
            t.matrix(TensorRole::attn_q_a, il, h, a.q_lora_rank);
            t.vector(TensorRole::norm, il, a.q_lora_rank);
            t.matrix(TensorRole::attn_q_b, il, a.q_lora_rank, heads * qk_head);
        } else {
            t.matrix(TensorRole::attn_q, il, h, heads * qk_head);
        }
        t.matrix(TensorRole::attn_kv_a_mqa, il, h, a.kv_lora_rank + a.qk_rope_head_dim);
        t.vector(TensorRole::norm, il, a.kv_lora_rank);
        t.matrix(TensorRole::attn_kv_b, il, a.kv_lora_rank, heads * (a.qk_nope_head_dim + a.v_head_dim));
        t.matrix(TensorRole::attn_output, il, heads * a.v_head_dim, h);
        return;
    }
    const std::int64_t q_dim = a.num_attention_heads * a.head_dim;
    const std::int64_t kv_dim = a.num_key_value_heads * a.head_dim;
    if (a.fused_qkv) {
        t.matrix(TensorRole::attn_qkv, il, h, q_dim + 2 * kv_dim);
    } else {
        // Qwen3-Next's gated attention: wq yields query and gate, {n_embd, head_dim x n_head x 2}
        // (llama.cpp src/models/qwen3next.cpp load_arch_tensors).
        t.matrix(TensorRole::attn_q, il, h, a.attn_output_gate ? 2 * q_dim : q_dim);
        t.matrix(TensorRole::attn_k, il, h, kv_dim);
        t.matrix(TensorRole::attn_v, il, h, kv_dim);
    }
    if (a.qkv_bias) t.vector(TensorRole::bias, il, q_dim + 2 * kv_dim);
    t.matrix(TensorRole::attn_output, il, q_dim, h);
    if (a.o_bias) t.vector(TensorRole::bias, il, h);
    if (a.qk_norm) {
        t.vector(TensorRole::norm, il, a.head_dim);
        t.vector(TensorRole::norm, il, a.head_dim);
    }
    if (a.attn_sinks) t.vector(TensorRole::attn_sinks, il, a.num_attention_heads);
}

// The recurrent mixer of one block, tensor by tensor as llama.cpp loads it.
template <class L>
void add_recurrent(const ModelArch& a, std::int32_t il, L& t) {
    const std::int64_t h = a.hidden_size;
    const std::int64_t conv = a.ssm_conv_channels();
    if (a.recurrent == RecurrentKind::gated_delta_net) {
        // llama.cpp src/models/qwen3next.cpp: ssm_in {n_embd, 2 key_dim + 2 value_dim} (q, k, v, z),
        // ssm_beta_alpha {n_embd, 2 n_v_heads}, ssm_conv1d {d_conv, 2 key_dim + value_dim} without
        // bias, ssm_dt.bias and ssm_a {n_v_heads}, ssm_norm {head_v_dim}, ssm_out {value_dim, n_embd}.
        const std::int64_t key_dim = a.ssm_n_group * a.ssm_d_state;
        t.matrix(TensorRole::ssm_in, il, h, 2 * key_dim + 2 * a.ssm_d_inner);
        t.matrix(TensorRole::ssm_in, il, h, 2 * a.ssm_n_head);
        t.vector(TensorRole::ssm_conv1d, il, a.ssm_d_conv * conv);
        t.vector(TensorRole::ssm_param, il, a.ssm_n_head);
        t.vector(TensorRole::ssm_param, il, a.ssm_n_head);
        t.vector(TensorRole::norm, il, a.ssm_d_inner / a.ssm_n_head);
        t.matrix(TensorRole::ssm_out, il, a.ssm_d_inner, h);
        return;
    }
    // Mamba-2 (llama.cpp src/llama-model.cpp, LLM_ARCH_MAMBA2 and the hybrids that reuse it):
    // ssm_in {n_embd, 2 d_inner + 2 n_group d_state + n_head} (z, x, B, C, dt), ssm_conv1d
    // {d_conv, d_inner + 2 n_group d_state} + bias, ssm_dt.bias / ssm_a / ssm_d {n_head},
    // ssm_norm {d_inner / n_group, n_group}, ssm_out {d_inner, n_embd}.
    const std::int64_t in = 2 * a.ssm_d_inner + 2 * a.ssm_n_group * a.ssm_d_state + a.ssm_n_head;
    t.matrix(TensorRole::ssm_in, il, h, in);
    if (a.ssm_proj_bias) t.vector(TensorRole::bias, il, in);
    t.vector(TensorRole::ssm_conv1d, il, a.ssm_d_conv * conv);
    if (a.ssm_conv_bias) t.vector(TensorRole::bias, il, conv);
    t.vector(TensorRole::ssm_param, il, a.ssm_n_head);
    t.vector(TensorRole::ssm_param, il, a.ssm_n_head);
    t.vector(TensorRole::ssm_param, il, a.ssm_n_head);
    if (a.ssm_norm) t.vector(TensorRole::norm, il, a.ssm_d_inner);
    t.matrix(TensorRole::ssm_out, il, a.ssm_d_inner, h);
    if (a.ssm_proj_bias) t.vector(TensorRole::bias, il, h);
}

template <class L>
void add_dense_ffn(const ModelArch& a, std::int32_t il, std::int64_t width, L& t) {
    const std::int64_t h = a.hidden_size;
    if (a.fused_gate_up) {
        t.matrix(TensorRole::ffn_up, il, h, 2 * width);
    } else {
        if (a.mlp_gated) t.matrix(TensorRole::ffn_gate, il, h, width);
        t.matrix(TensorRole::ffn_up, il, h, width);
    }
    t.matrix(TensorRole::ffn_down, il, width, h);
    if (a.mlp_bias) {
        t.vector(TensorRole::bias, il, (a.mlp_gated ? 2 : 1) * width);
        t.vector(TensorRole::bias, il, h);
    }
}

template <class L>
void add_moe_ffn(const ModelArch& a, std::int32_t il, L& t) {
    const std::int64_t h = a.hidden_size;
    const std::int64_t e = a.num_experts;
    const std::int64_t w = a.moe_intermediate_size;
    t.matrix(TensorRole::ffn_gate_inp, il, h, e);
    if (a.router_bias) t.vector(TensorRole::bias, il, e);
    if (a.mlp_gated) t.matrix(TensorRole::ffn_gate_exps, il, h, w, e);
    t.matrix(TensorRole::ffn_up_exps, il, h, w, e);
    t.matrix(TensorRole::ffn_down_exps, il, w, h, e);
    if (a.expert_bias) {
        t.vector(TensorRole::bias, il, e * w * (a.mlp_gated ? 2 : 1));
        t.vector(TensorRole::bias, il, e * h);
    }
    if (a.shared_expert_intermediate_size > 0) {
        const std::int64_t s = a.shared_expert_intermediate_size;
        t.matrix(TensorRole::ffn_gate_shexp, il, h, s);
        t.matrix(TensorRole::ffn_up_shexp, il, h, s);
        t.matrix(TensorRole::ffn_down_shexp, il, s, h);
        if (a.shared_expert_gate) t.matrix(TensorRole::ffn_gate_inp_shexp, il, h, 1);
    }
}

template <class Emit>
void for_each_tensor(const ModelArch& a, Emit&& emit) {
    TensorList<Emit> t{emit};
    const std::int64_t h = a.hidden_size;
    t.matrix(TensorRole::token_embd, -1, h, a.vocab_size);
    for (std::int32_t il = 0; il < a.num_hidden_layers; ++il) {
        for (int n = 0; n < a.norms_per_layer; ++n) {
            t.vector(TensorRole::norm, il, h);
            if (a.norm_bias) t.vector(TensorRole::bias, il, h);
        }
        if (a.has_attention(il)) add_attention(a, il, t);
        if (a.has_recurrent(il)) add_recurrent(a, il, t);
        if (!a.has_ffn(il)) continue;
        if (a.is_moe_layer(il)) {
            add_moe_ffn(a, il, t);
        } else {
            const std::int64_t width = a.dense_intermediate_size > 0 ? a.dense_intermediate_size : a.intermediate_size;
            add_dense_ffn(a, il, width, t);
        }
    }
    t.vector(TensorRole::output_norm, -1, h);
    if (a.norm_bias) t.vector(TensorRole::bias, -1, h);
    if (!a.tie_word_embeddings) t.matrix(TensorRole::output, -1, h, a.vocab_size);
    if (a.vision_params > 0) t.vector(TensorRole::vision, -1, a.vision_params);
}

struct ParamTally {
    std::int64_t total = 0, embedding = 0, routed = 0, vision = 0;
    void operator()(const Tensor& t) {
        const std::int64_t n = t.elements();
        total += n;
        if (t.role == TensorRole::token_embd || t.role == TensorRole::output) embedding += n;
        if (t.is_routed_expert()) routed += n;
        if (t.role == TensorRole::vision) vision += n;
    }
};

ParamCounts counts_from(const ParamTally& tally, const ModelArch& a) {
    ParamCounts c;
    c.embedding = tally.embedding;
    c.routed_expert = tally.routed;
    // An assumed shape is solved to within a few thousand parameters of the stated size; report
    // the stated size so "7B" stays 7,000,000,000.
    c.total = a.stated_params > 0 ? a.stated_params : tally.total;
    c.text = c.total - tally.vision;
    // Each routed tensor holds num_experts experts; a token uses num_experts_per_tok of them.
    const std::int64_t inactive = a.is_moe() ? tally.routed / a.num_experts * (a.num_experts - a.num_experts_per_tok) : 0;
    c.active = c.total - inactive;
    return c;
}

}  // namespace

std::vector<Tensor> enumerate_tensors(const ModelArch& a) {
    std::vector<Tensor> tensors;
    tensors.reserve(static_cast<size_t>(a.num_hidden_layers) * 16 + 8);
    for_each_tensor(a, [&](const Tensor& t) { tensors.push_back(t); });
    return tensors;
}

ParamCounts count_params(const std::vector<Tensor>& tensors, const ModelArch& a) {
    ParamTally tally;
    for (const Tensor& t : tensors) tally(t);
    return counts_from(tally, a);
}

ParamCounts count_params(const ModelArch& arch) {
    ParamTally tally;
    for_each_tensor(arch, tally);
    return counts_from(tally, arch);
}

Expected<AssumedShape> assume_shape(std::int64_t params) {
    if (params < 100'000'000LL) {
        return make_error("params_out_of_range", "a model of fewer than 0.1B parameters is too small to assume a typical shape for");
    }
    if (params > 3'000'000'000'000LL) {
        return make_error("params_out_of_range", "no dense model of more than 3T parameters has been published; give a catalog model instead");
    }
    struct Anchor {
        std::int64_t up_to;  // use this shape below this many parameters
        std::int64_t hidden, layers, heads, kv_heads, head_dim, vocab;
        bool tied;
        const char* reference;
    };
    // Published shapes (config.json of each reference model), Llama-3 style: GQA, SwiGLU, RoPE.
    static const Anchor anchors[] = {
        {700'000'000LL, 896, 24, 14, 2, 64, 151936, true, "Qwen2.5-0.5B"},
        {2'200'000'000LL, 2048, 16, 32, 8, 64, 128256, true, "Llama-3.2-1B"},
        {5'000'000'000LL, 3072, 28, 24, 8, 128, 128256, true, "Llama-3.2-3B"},
        {10'500'000'000LL, 4096, 32, 32, 8, 128, 128256, false, "Llama-3.1-8B"},
        {20'000'000'000LL, 5120, 40, 32, 8, 128, 131072, false, "Mistral-NeMo-12B"},
        {45'000'000'000LL, 5120, 64, 40, 8, 128, 152064, false, "Qwen2.5-32B"},
        {150'000'000'000LL, 8192, 80, 64, 8, 128, 128256, false, "Llama-3.1-70B"},
        {3'000'000'000'001LL, 16384, 126, 128, 8, 128, 128256, false, "Llama-3.1-405B"},
    };
    const Anchor* anchor = &anchors[0];
    for (const Anchor& candidate : anchors) {
        anchor = &candidate;
        if (params < candidate.up_to) break;
    }
    ModelArch a;
    a.model_type = "llama";
    a.hidden_size = anchor->hidden;
    a.num_hidden_layers = anchor->layers;
    a.num_attention_heads = anchor->heads;
    a.num_key_value_heads = anchor->kv_heads;
    a.head_dim = anchor->head_dim;
    a.vocab_size = anchor->vocab;
    a.tie_word_embeddings = anchor->tied;
    a.max_position_embeddings = 131072;
    a.intermediate_size = 256;
    // Everything but the FFN, then the FFN width that fills the rest, rounded down to a
    // multiple of 256 (so k-quant blocks divide it), then vocabulary rows absorb the remainder.
    const std::int64_t without_ffn = count_params(a).total - a.num_hidden_layers * 3 * a.hidden_size * 256;
    const std::int64_t per_unit = 3 * a.hidden_size * a.num_hidden_layers;
    std::int64_t width = (params - without_ffn) / per_unit / 256 * 256;
    if (width < a.hidden_size) width = a.hidden_size;  // keep a sane FFN for tiny sizes
    a.intermediate_size = width;
    const std::int64_t remainder = params - count_params(a).total;
    const std::int64_t per_vocab_row = a.hidden_size * (a.tie_word_embeddings ? 1 : 2);
    if (remainder > 0) a.vocab_size += remainder / per_vocab_row;
    a.stated_params = params;
    return AssumedShape{a, anchor->reference};
}

}  // namespace wif
