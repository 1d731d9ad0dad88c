// A transformer described by the fields of its Hugging Face config.json, and every
// weight tensor derived from it (names and shapes as llama.cpp's GGUF files use them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/expected.hpp"

namespace wif {

// What a tensor is for; it decides which quantization rule applies
// (llama.cpp src/llama-quant.cpp, tensor_get_category) and where the runtime puts it.
enum class TensorRole : std::uint8_t {
    token_embd,     // input embedding: looked up, one row per token
    output,         // LM head (absent when embeddings are tied)
    output_norm,
    norm,           // any per-layer norm weight (1-D)
    bias,           // any bias vector (1-D)
    attn_q,
    attn_k,
    attn_v,
    attn_qkv,       // fused Q/K/V (Phi-3 GGUF)
    attn_output,
    attn_q_a,       // MLA low-rank query down-projection
    attn_q_b,       // MLA query up-projection
    attn_kv_a_mqa,  // MLA latent KV down-projection (+ shared RoPE key)
    attn_kv_b,      // MLA latent KV up-projection
    attn_sinks,     // gpt-oss per-head attention sinks (1-D)
    ffn_gate,
    ffn_up,
    ffn_down,
    ffn_gate_inp,   // MoE router: never quantized
    ffn_gate_exps,  // routed experts, 3-D (ne2 = number of experts)
    ffn_up_exps,
    ffn_down_exps,
    ffn_gate_shexp, // shared experts
    ffn_up_shexp,
    ffn_down_shexp,
    ffn_gate_inp_shexp,
    vision,         // multimodal tower, shipped in a separate mmproj file for GGUF
    ssm_in,         // recurrent mixer input projection (Mamba-2 in_proj, DeltaNet qkvz and beta/alpha)
    ssm_conv1d,     // depthwise causal convolution (kept in F32 by llama.cpp, never quantized)
    ssm_param,      // per-head A, D and dt bias (1-D)
    ssm_out,        // recurrent mixer output projection
};

const char* tensor_role_name(TensorRole role);

struct Tensor {
    TensorRole role;
    std::int32_t layer;  // -1 for tensors outside the repeating blocks
    std::int64_t ne0;    // row length (input features): quant blocks run along it
    std::int64_t ne1;    // rows
    std::int64_t ne2;    // experts for 3-D expert tensors, else 1
    bool one_dimensional;

    std::int64_t elements() const { return ne0 * ne1 * ne2; }
    bool is_routed_expert() const {
        return role == TensorRole::ffn_gate_exps || role == TensorRole::ffn_up_exps ||
               role == TensorRole::ffn_down_exps;
    }
};

enum class AttentionKind : std::uint8_t { standard, mla };

// What a repeating block mixes tokens with. A plain transformer has only attention blocks.
enum class BlockMixer : std::uint8_t {
    attention,  // self-attention: a KV cache that grows with the context
    recurrent,  // Mamba-2 or gated DeltaNet: a fixed-size state per sequence
    parallel,   // attention and Mamba-2 side by side in one block (Falcon-H1): both caches
    ffn,        // no token mixer, only the FFN (Nemotron-H "-" blocks)
};

// The recurrent mixer of a hybrid model.
enum class RecurrentKind : std::uint8_t { none, mamba2, gated_delta_net };
const char* recurrent_kind_name(RecurrentKind kind);

struct ModelArch {
    std::string model_type;  // config.json "model_type" (llama, qwen2, gemma3, deepseek_v3, gpt_oss, ...)
    std::int64_t vocab_size = 0;
    std::int64_t hidden_size = 0;
    std::int64_t intermediate_size = 0;  // dense FFN width
    std::int64_t num_hidden_layers = 0;
    std::int64_t num_attention_heads = 0;
    std::int64_t num_key_value_heads = 0;
    std::int64_t head_dim = 0;  // defaults to hidden_size / num_attention_heads
    bool tie_word_embeddings = false;
    std::int64_t max_position_embeddings = 0;
    std::string torch_dtype = "bfloat16";
    std::string native_quant;  // quantization_config.quant_method of the release (fp8, mxfp4, ...)

    // Block details that change the tensor list.
    bool mlp_gated = true;        // SwiGLU/GeGLU: gate+up+down; otherwise up+down
    bool qkv_bias = false;        // Qwen2 family, attention_bias=true models
    bool o_bias = false;
    bool mlp_bias = false;
    bool norm_bias = false;       // LayerNorm with bias (StarCoder2, Phi-3.5-MoE)
    int norms_per_layer = 2;      // Gemma 2/3 have four
    bool qk_norm = false;         // Qwen3, Gemma 3: per-head RMSNorm on Q and K
    bool fused_qkv = false;       // Phi-3 stores attn_qkv in GGUF
    bool fused_gate_up = false;   // Phi-3 stores ffn_up as [gate; up]
    bool attn_sinks = false;      // gpt-oss

    // Mixture of experts.
    std::int64_t num_experts = 0;
    std::int64_t num_experts_per_tok = 0;
    std::int64_t moe_intermediate_size = 0;
    std::int64_t shared_expert_intermediate_size = 0;  // all shared experts together
    bool shared_expert_gate = false;  // Qwen2-MoE's sigmoid gate on the shared expert
    bool expert_bias = false;         // gpt-oss experts and router carry biases
    bool router_bias = false;         // DeepSeek-V3's e_score_correction_bias, gpt-oss router bias
    std::int64_t first_k_dense_replace = 0;  // DeepSeek/GLM: the first k layers are dense
    std::int64_t moe_layer_step = 1;         // every n-th layer is MoE (Llama 4 Maverick: 2)
    std::vector<std::int64_t> mlp_only_layers;
    std::int64_t dense_intermediate_size = 0;  // dense layers' width when it differs (Llama 4)

    // Sliding-window attention: layer il uses the window when
    // il % sliding_window_pattern < sliding_window_pattern - 1 (llama.cpp set_swa_pattern).
    std::int64_t sliding_window = 0;
    std::int64_t sliding_window_pattern = 0;  // 0 = no sliding-window layers

    // Multi-head latent attention (DeepSeek-V2/V3).
    AttentionKind attention = AttentionKind::standard;
    std::int64_t kv_lora_rank = 0;
    std::int64_t q_lora_rank = 0;  // 0 = plain query projection (V2-Lite)
    std::int64_t qk_rope_head_dim = 0;
    std::int64_t qk_nope_head_dim = 0;
    std::int64_t v_head_dim = 0;

    // Llama 4: the window layers attend within fixed chunks of sliding_window tokens (llama.cpp
    // LLAMA_SWA_TYPE_CHUNKED, vLLM ChunkedLocalAttentionSpec) instead of a sliding window.
    bool chunked_attention = false;
    bool attn_output_gate = false;  // Qwen3-Next: q_proj also yields a sigmoid gate (2 x q_dim rows)

    // Hybrid and recurrent models. `mixers` has one entry per block; empty means every block is
    // attention. The recurrent geometry uses llama.cpp's ssm_* names (src/llama-hparams.h), which
    // convert_hf_to_gguf.py fills for both Mamba-2 and gated DeltaNet:
    //   Mamba-2:  d_inner = heads x head_dim, d_state, n_group, n_head = heads
    //   DeltaNet: d_inner = value heads x value head dim, d_state = key head dim,
    //             n_group = key heads, n_head = value heads
    std::vector<BlockMixer> mixers;
    RecurrentKind recurrent = RecurrentKind::none;
    std::int64_t ssm_d_inner = 0;
    std::int64_t ssm_d_state = 0;
    std::int64_t ssm_n_group = 0;
    std::int64_t ssm_n_head = 0;
    std::int64_t ssm_d_conv = 0;     // convolution kernel width
    bool ssm_conv_bias = false;
    bool ssm_proj_bias = false;
    bool ssm_norm = true;            // Mamba-2 gated RMSNorm over d_inner
    bool ffn_in_mixer_blocks = true;  // false for Nemotron-H, whose FFNs are blocks of their own

    std::int64_t vision_params = 0;  // multimodal tower in the same checkpoint
    // Set only for assumed shapes: the parameter count the question stated, which the
    // plain bytes-per-parameter arithmetic uses exactly ("7B x 2 bytes = 14 GB").
    std::int64_t stated_params = 0;

    bool is_moe() const { return num_experts > 1; }
    bool is_moe_layer(std::int64_t il) const;
    bool is_swa_layer(std::int64_t il) const;
    std::int64_t gqa_ratio() const;

    BlockMixer mixer(std::int64_t il) const;
    bool has_attention(std::int64_t il) const;  // keeps a per-token KV cache
    bool has_recurrent(std::int64_t il) const;  // keeps a fixed-size recurrent state
    bool has_ffn(std::int64_t il) const;
    bool is_hybrid() const { return recurrent != RecurrentKind::none; }
    // Channels the causal convolution runs over: d_inner + 2 x n_group x d_state (Mamba-2: x, B, C;
    // DeltaNet: q, k, v).
    std::int64_t ssm_conv_channels() const { return ssm_d_inner + 2 * ssm_n_group * ssm_d_state; }
    // Values of one layer's state for one sequence, as llama.cpp sizes them (src/llama-hparams.cpp):
    // the convolution keeps its last d_conv - 1 inputs (n_embd_r), the scan its d_state x d_inner
    // matrix (n_embd_s; DeltaNet: value heads x key dim x value dim).
    std::int64_t ssm_conv_state() const { return ssm_d_conv > 0 ? (ssm_d_conv - 1) * ssm_conv_channels() : 0; }
    std::int64_t ssm_state() const { return ssm_d_state * ssm_d_inner; }

    bool operator==(const ModelArch&) const = default;
};

// Checks the shape for values no real model has (zero layers, heads not dividing, ...).
// Messages name the config.json field.
Expected<bool> validate_arch(const ModelArch& arch);

// Every weight tensor, in block order (token_embd, blk.0..., output_norm, output).
std::vector<Tensor> enumerate_tensors(const ModelArch& arch);

struct ParamCounts {
    std::int64_t total = 0;       // every parameter, vision tower included
    std::int64_t active = 0;      // used per token (MoE: only experts_per_tok routed experts)
    std::int64_t text = 0;        // total minus the vision tower
    std::int64_t embedding = 0;   // token_embd (+ output when untied)
    std::int64_t routed_expert = 0;
};

ParamCounts count_params(const ModelArch& arch);
ParamCounts count_params(const std::vector<Tensor>& tensors, const ModelArch& arch);

// A typical modern dense decoder of `params` parameters, for questions that give only a
// size ("a 7B model"). Shapes follow the nearest published Llama-3-style configuration and
// the FFN width is solved so the tensors add up to exactly `params`.
struct AssumedShape {
    ModelArch arch;
    std::string reference;  // which published model the shape follows
};
Expected<AssumedShape> assume_shape(std::int64_t params);

}  // namespace wif
