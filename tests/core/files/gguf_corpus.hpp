// GGUF files generated for the tests: several architectures, every ggml type, every metadata
// type, split files and a projector. Shared by the Catch2 tests and tests/files/gguf_dump.cpp,
// which writes them out for the Node comparison with @huggingface/gguf.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/files/gguf_writer.hpp"

namespace wif::test {

struct GgufSample {
    std::string name;            // file name
    std::string bytes;           // the whole file (zeroed tensor data)
    std::uint64_t tensor_bytes;  // sum of tensor sizes, from the writer's own block layouts
};

inline std::vector<std::string> sample_tokens(int n) {
    std::vector<std::string> t;
    t.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) t.push_back("tok" + std::to_string(i));
    return t;
}

// Ggml type ids used below.
enum : std::uint32_t {
    F32 = 0, F16 = 1, Q4_0 = 2, Q8_0 = 8, Q4_K = 12, Q5_K = 13, Q6_K = 14, IQ2_XXS = 16, IQ3_S = 21, IQ4_XS = 23,
    IQ1_M = 29, BF16 = 30, MXFP4 = 39,
};

inline void every_metadata_type(GgufWriter& w) {
    w.kv_raw("test.u8", kU8, Bytes().u8(200).s);
    w.kv_raw("test.i8", kI8, Bytes().u8(0x85).s);  // -123
    w.kv_raw("test.u16", kU16, Bytes().u16(65000).s);
    w.kv_raw("test.i16", kI16, Bytes().u16(static_cast<std::uint16_t>(-30000)).s);
    w.u32("test.u32", 4000000000u);
    w.i32("test.i32", -2000000000);
    w.f32("test.f32", 0.5f);
    w.boolean("test.bool", true);
    w.string("test.string", "hello \xE2\x9C\x93");
    w.u64("test.u64", 1ull << 40);
    w.kv_raw("test.i64", kI64, Bytes().i64(-(1ll << 40)).s);
    w.kv_raw("test.f64", kF64, Bytes().f64(0.25).s);
    // An array of arrays of u8: [[1, 2], [3]].
    w.kv_raw("test.nested", kArray, Bytes().u32(kArray).u64(2).u32(kU8).u64(2).u8(1).u8(2).u32(kU8).u64(1).u8(3).s);
    w.f32s("test.f32s", {1.0f, -2.5f});
}

inline GgufSample finish(const std::string& name, const GgufWriter& w) { return {name, w.file(), w.total_tensor_bytes()}; }

// A llama-architecture model in Q4_K_M-like types (2 layers, hidden 256).
inline GgufSample sample_llama(std::uint32_t version = 3) {
    GgufWriter w(version);
    w.string("general.architecture", "llama").string("general.name", "Tiny Llama").u32("general.file_type", 15);
    w.u32("llama.block_count", 2).u32("llama.context_length", 4096).u32("llama.embedding_length", 256);
    w.u32("llama.feed_forward_length", 512).u32("llama.attention.head_count", 4).u32("llama.attention.head_count_kv", 2);
    w.f32("llama.attention.layer_norm_rms_epsilon", 1e-5f).u32("llama.rope.dimension_count", 64);
    w.string("tokenizer.ggml.model", "gpt2").strings("tokenizer.ggml.tokens", sample_tokens(1000));
    every_metadata_type(w);
    w.tensor("token_embd.weight", Q4_K, {256, 1000});
    for (int i = 0; i < 2; ++i) {
        const std::string b = "blk." + std::to_string(i) + ".";
        w.tensor(b + "attn_norm.weight", F32, {256});
        w.tensor(b + "attn_q.weight", Q4_K, {256, 256});
        w.tensor(b + "attn_k.weight", Q4_K, {256, 128});
        w.tensor(b + "attn_v.weight", Q6_K, {256, 128});
        w.tensor(b + "attn_output.weight", Q4_K, {256, 256});
        w.tensor(b + "ffn_norm.weight", F32, {256});
        w.tensor(b + "ffn_gate.weight", Q4_K, {256, 512});
        w.tensor(b + "ffn_up.weight", Q4_K, {256, 512});
        w.tensor(b + "ffn_down.weight", Q6_K, {512, 256});
    }
    w.tensor("output_norm.weight", F32, {256});
    w.tensor("output.weight", Q6_K, {256, 1000});
    return finish(version == 2 ? "llama-v2.gguf" : "llama-q4_k_m.gguf", w);
}

// Qwen3-MoE with i-quant experts, tied embeddings and a per-layer head_count_kv array.
inline GgufSample sample_qwen3moe() {
    GgufWriter w(3, 64);
    w.string("general.architecture", "qwen3moe").u32("general.alignment", 64);
    w.u32("qwen3moe.block_count", 2).u32("qwen3moe.context_length", 32768).u32("qwen3moe.embedding_length", 256);
    w.u32("qwen3moe.feed_forward_length", 768).u32("qwen3moe.attention.head_count", 4);
    w.i32s("qwen3moe.attention.head_count_kv", {2, 2}).u32("qwen3moe.attention.key_length", 64).u32("qwen3moe.attention.value_length", 64);
    w.u32("qwen3moe.expert_count", 8).u32("qwen3moe.expert_used_count", 2).u32("qwen3moe.expert_feed_forward_length", 256);
    w.strings("tokenizer.ggml.tokens", sample_tokens(512));
    GgufWriter& x = w;
    x.tensor("token_embd.weight", IQ4_XS, {256, 512});
    for (int i = 0; i < 2; ++i) {
        const std::string b = "blk." + std::to_string(i) + ".";
        x.tensor(b + "attn_norm.weight", F32, {256});
        x.tensor(b + "attn_q.weight", IQ3_S, {256, 256});
        x.tensor(b + "attn_k.weight", IQ3_S, {256, 128});
        x.tensor(b + "attn_v.weight", Q4_K, {256, 128});
        x.tensor(b + "attn_q_norm.weight", F32, {64});
        x.tensor(b + "attn_k_norm.weight", F32, {64});
        x.tensor(b + "attn_output.weight", IQ3_S, {256, 256});
        x.tensor(b + "ffn_norm.weight", F32, {256});
        x.tensor(b + "ffn_gate_inp.weight", F32, {256, 8});
        x.tensor(b + "ffn_gate_exps.weight", IQ2_XXS, {256, 256, 8});
        x.tensor(b + "ffn_up_exps.weight", IQ2_XXS, {256, 256, 8});
        x.tensor(b + "ffn_down_exps.weight", IQ1_M, {256, 256, 8});
    }
    x.tensor("output_norm.weight", F32, {256});
    return finish("qwen3moe-iq.gguf", w);
}

// DeepSeek-V3-style MLA with a leading dense layer, a shared expert and the router bias.
inline GgufSample sample_deepseek2() {
    GgufWriter w;
    const std::string a = "deepseek2.";
    w.string("general.architecture", "deepseek2");
    w.u32(a + "block_count", 2).u32(a + "context_length", 163840).u32(a + "embedding_length", 256);
    w.u32(a + "feed_forward_length", 512).u32(a + "attention.head_count", 4).u32(a + "attention.head_count_kv", 4);
    w.u32(a + "attention.key_length", 96).u32(a + "attention.value_length", 64);
    w.u32(a + "attention.kv_lora_rank", 64).u32(a + "attention.q_lora_rank", 96).u32(a + "rope.dimension_count", 32);
    w.u32(a + "expert_count", 8).u32(a + "expert_used_count", 2).u32(a + "expert_feed_forward_length", 128);
    w.u32(a + "expert_shared_count", 1).u32(a + "leading_dense_block_count", 1);
    w.strings("tokenizer.ggml.tokens", sample_tokens(300));
    w.tensor("token_embd.weight", Q8_0, {256, 300});
    for (int i = 0; i < 2; ++i) {
        const std::string b = "blk." + std::to_string(i) + ".";
        w.tensor(b + "attn_norm.weight", F32, {256});
        w.tensor(b + "attn_q_a.weight", Q8_0, {256, 96});
        w.tensor(b + "attn_q_a_norm.weight", F32, {96});
        w.tensor(b + "attn_q_b.weight", Q8_0, {96, 4 * 96});
        w.tensor(b + "attn_kv_a_mqa.weight", Q8_0, {256, 64 + 32});
        w.tensor(b + "attn_kv_a_norm.weight", F32, {64});
        w.tensor(b + "attn_kv_b.weight", Q8_0, {64, 4 * (64 + 64)});
        w.tensor(b + "attn_output.weight", Q8_0, {4 * 64, 256});
        w.tensor(b + "ffn_norm.weight", F32, {256});
        if (i == 0) {
            w.tensor(b + "ffn_gate.weight", Q8_0, {256, 512});
            w.tensor(b + "ffn_up.weight", Q8_0, {256, 512});
            w.tensor(b + "ffn_down.weight", Q8_0, {512, 256});
        } else {
            w.tensor(b + "ffn_gate_inp.weight", F32, {256, 8});
            w.tensor(b + "exp_probs_b.bias", F32, {8});
            w.tensor(b + "ffn_gate_exps.weight", Q4_0, {256, 128, 8});
            w.tensor(b + "ffn_up_exps.weight", Q4_0, {256, 128, 8});
            w.tensor(b + "ffn_down_exps.weight", Q4_0, {128, 256, 8});
            w.tensor(b + "ffn_gate_shexp.weight", Q8_0, {256, 128});
            w.tensor(b + "ffn_up_shexp.weight", Q8_0, {256, 128});
            w.tensor(b + "ffn_down_shexp.weight", Q8_0, {128, 256});
        }
    }
    w.tensor("output_norm.weight", F32, {256});
    w.tensor("output.weight", Q8_0, {256, 300});
    return finish("deepseek2-mla.gguf", w);
}

// Gemma 3 with sliding-window layers, BF16 weights, four norms per layer, tied embeddings.
inline GgufSample sample_gemma3() {
    GgufWriter w;
    const std::string a = "gemma3.";
    w.string("general.architecture", "gemma3");
    w.u32(a + "block_count", 6).u32(a + "context_length", 131072).u32(a + "embedding_length", 128);
    w.u32(a + "feed_forward_length", 256).u32(a + "attention.head_count", 4).u32(a + "attention.head_count_kv", 1);
    w.u32(a + "attention.key_length", 64).u32(a + "attention.value_length", 64).u32(a + "attention.sliding_window", 512);
    w.strings("tokenizer.ggml.tokens", sample_tokens(200));
    w.tensor("token_embd.weight", BF16, {128, 200});
    for (int i = 0; i < 6; ++i) {
        const std::string b = "blk." + std::to_string(i) + ".";
        w.tensor(b + "attn_norm.weight", F32, {128});
        w.tensor(b + "attn_q.weight", BF16, {128, 256});
        w.tensor(b + "attn_k.weight", BF16, {128, 64});
        w.tensor(b + "attn_v.weight", BF16, {128, 64});
        w.tensor(b + "attn_q_norm.weight", F32, {64});
        w.tensor(b + "attn_k_norm.weight", F32, {64});
        w.tensor(b + "attn_output.weight", BF16, {256, 128});
        w.tensor(b + "post_attention_norm.weight", F32, {128});
        w.tensor(b + "ffn_norm.weight", F32, {128});
        w.tensor(b + "ffn_gate.weight", Q8_0, {128, 256});
        w.tensor(b + "ffn_up.weight", Q8_0, {128, 256});
        w.tensor(b + "ffn_down.weight", Q8_0, {256, 128});
        w.tensor(b + "post_ffw_norm.weight", F32, {128});
    }
    w.tensor("output_norm.weight", F32, {128});
    return finish("gemma3-swa.gguf", w);
}

// gpt-oss: MXFP4 experts with biases, attention sinks, alternating sliding window.
inline GgufSample sample_gpt_oss() {
    GgufWriter w;
    const std::string a = "gpt-oss.";
    w.string("general.architecture", "gpt-oss").u32("general.file_type", 38);
    w.u32(a + "block_count", 2).u32(a + "context_length", 131072).u32(a + "embedding_length", 256);
    w.u32(a + "feed_forward_length", 256).u32(a + "attention.head_count", 4).u32(a + "attention.head_count_kv", 2);
    w.u32(a + "attention.key_length", 64).u32(a + "attention.value_length", 64).u32(a + "attention.sliding_window", 128);
    w.u32(a + "expert_count", 4).u32(a + "expert_used_count", 2).u32(a + "expert_feed_forward_length", 256);
    w.strings("tokenizer.ggml.tokens", sample_tokens(256));
    w.tensor("token_embd.weight", Q8_0, {256, 256});
    for (int i = 0; i < 2; ++i) {
        const std::string b = "blk." + std::to_string(i) + ".";
        w.tensor(b + "attn_norm.weight", F32, {256});
        w.tensor(b + "attn_q.weight", Q8_0, {256, 256});
        w.tensor(b + "attn_q.bias", F32, {256});
        w.tensor(b + "attn_k.weight", Q8_0, {256, 128});
        w.tensor(b + "attn_k.bias", F32, {128});
        w.tensor(b + "attn_v.weight", Q8_0, {256, 128});
        w.tensor(b + "attn_v.bias", F32, {128});
        w.tensor(b + "attn_output.weight", Q8_0, {256, 256});
        w.tensor(b + "attn_output.bias", F32, {256});
        w.tensor(b + "attn_sinks.weight", F32, {4});
        w.tensor(b + "post_attention_norm.weight", F32, {256});
        w.tensor(b + "ffn_gate_inp.weight", F32, {256, 4});
        w.tensor(b + "ffn_gate_inp.bias", F32, {4});
        w.tensor(b + "ffn_gate_exps.weight", MXFP4, {256, 256, 4});
        w.tensor(b + "ffn_gate_exps.bias", F32, {256, 4});
        w.tensor(b + "ffn_up_exps.weight", MXFP4, {256, 256, 4});
        w.tensor(b + "ffn_up_exps.bias", F32, {256, 4});
        w.tensor(b + "ffn_down_exps.weight", MXFP4, {256, 256, 4});
        w.tensor(b + "ffn_down_exps.bias", F32, {256, 4});
    }
    w.tensor("output_norm.weight", F32, {256});
    w.tensor("output.weight", Q8_0, {256, 256});
    return finish("gpt-oss-mxfp4.gguf", w);
}

// A multimodal projector file.
inline GgufSample sample_mmproj() {
    GgufWriter w;
    w.string("general.architecture", "clip").string("general.type", "mmproj");
    w.boolean("clip.has_vision_encoder", true).u32("clip.vision.embedding_length", 128).u32("clip.vision.block_count", 1);
    w.tensor("v.patch_embd.weight", F16, {14, 14, 3, 128});
    w.tensor("v.blk.0.attn_q.weight", F16, {128, 128});
    w.tensor("v.blk.0.ffn_up.weight", F16, {128, 512});
    w.tensor("mm.0.weight", F16, {128, 256});
    w.tensor("mm.0.bias", F32, {256});
    return finish("mmproj.gguf", w);
}

// One tensor of every ggml type this reader knows.
inline GgufSample sample_all_types() {
    GgufWriter w;
    w.string("general.architecture", "llama");
    const std::uint32_t ids[] = {0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                 23, 24, 25, 26, 27, 28, 29, 30, 34, 35, 39, 40, 41, 42};
    for (std::uint32_t id : ids) w.tensor("type_" + std::to_string(id), id, {256, 3});
    return finish("all-types.gguf", w);
}

// A recurrent architecture (Mamba): weights exact, no KV model.
inline GgufSample sample_mamba() {
    GgufWriter w;
    w.string("general.architecture", "mamba");
    w.u32("mamba.block_count", 1).u32("mamba.embedding_length", 256).u32("mamba.ssm.state_size", 16);
    w.u32("mamba.ssm.conv_kernel", 4).u32("mamba.ssm.inner_size", 512);
    w.tensor("token_embd.weight", F16, {256, 100});
    w.tensor("blk.0.ssm_in.weight", F16, {256, 1024});
    w.tensor("blk.0.ssm_out.weight", F16, {512, 256});
    w.tensor("output_norm.weight", F32, {256});
    return finish("mamba.gguf", w);
}

// A model split in three files (gguf-split): metadata in the first, tensors spread out.
inline std::vector<GgufSample> sample_split() {
    std::vector<GgufSample> parts;
    for (int no = 0; no < 3; ++no) {
        GgufWriter w;
        w.u16("split.no", static_cast<std::uint16_t>(no)).u16("split.count", 3).i32("split.tensors.count", 6);
        if (no == 0) {
            w.string("general.architecture", "qwen2");
            w.u32("qwen2.block_count", 2).u32("qwen2.context_length", 32768).u32("qwen2.embedding_length", 256);
            w.u32("qwen2.feed_forward_length", 512).u32("qwen2.attention.head_count", 4).u32("qwen2.attention.head_count_kv", 2);
            w.strings("tokenizer.ggml.tokens", sample_tokens(128));
            w.tensor("token_embd.weight", Q8_0, {256, 128});
            w.tensor("output_norm.weight", F32, {256});
        } else {
            const std::string b = "blk." + std::to_string(no - 1) + ".";
            w.tensor(b + "attn_q.weight", Q5_K, {256, 256});
            w.tensor(b + "ffn_down.weight", Q6_K, {512, 256});
        }
        parts.push_back(finish("split-0000" + std::to_string(no + 1) + "-of-00003.gguf", w));
    }
    return parts;
}

inline std::vector<GgufSample> gguf_corpus() {
    std::vector<GgufSample> all = {sample_llama(), sample_llama(2), sample_qwen3moe(), sample_deepseek2(), sample_gemma3(),
                                   sample_gpt_oss(), sample_mmproj(), sample_all_types(), sample_mamba()};
    for (GgufSample& s : sample_split()) all.push_back(std::move(s));
    return all;
}

}  // namespace wif::test
