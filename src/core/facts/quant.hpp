// Weight formats and the bytes each tensor takes in them.
//
// GGUF sizes follow llama.cpp exactly: block layouts from ggml/src/ggml-common.h and the
// per-tensor type choice of src/llama-quant.cpp (llama_tensor_get_type_impl). The other
// families follow the layouts of bitsandbytes, AutoGPTQ/AutoAWQ, ExLlamaV2 and MLX.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "facts/architecture.hpp"
#include "base/expected.hpp"
#include "base/units.hpp"

namespace wif {

// ggml tensor types (ggml/include/ggml.h enum ggml_type), only those a weight or KV cache uses.
enum class GgmlType : std::uint8_t {
    f32, f16, bf16, q4_0, q4_1, q5_0, q5_1, q8_0,
    q2_k, q3_k, q4_k, q5_k, q6_k,
    iq2_xxs, iq2_xs, iq2_s, iq3_xxs, iq3_s, iq1_s, iq1_m, iq4_nl, iq4_xs,
    tq1_0, tq2_0, mxfp4,
    count
};

struct GgmlTypeTraits {
    const char* name;      // as llama.cpp prints it ("q4_K")
    std::int64_t block;    // elements per block
    std::int64_t bytes;    // bytes per block
};

const GgmlTypeTraits& ggml_traits(GgmlType type);
// Bytes of `elements` values stored as `type`; `elements` must be a multiple of the block.
bytes_t ggml_bytes(GgmlType type, std::int64_t elements);
bool ggml_parse_type(std::string_view name, GgmlType& out);

// llama.cpp file types ("ftype", llama.h enum llama_ftype), the recipes people download.
enum class GgufFtype : std::uint8_t {
    all_f32, f16, bf16, q8_0, q6_k, q5_k_m, q5_k_s, q5_0, q5_1, q4_k_m, q4_k_s, q4_0, q4_1,
    q3_k_l, q3_k_m, q3_k_s, q2_k, q2_k_s, iq4_xs, iq4_nl, iq3_m, iq3_s, iq3_xs, iq3_xxs,
    iq2_m, iq2_s, iq2_xs, iq2_xxs, iq1_m, iq1_s, tq1_0, tq2_0, mxfp4_moe,
    q4_0_qat,  // Google's quantization-aware-trained Gemma GGUFs: Q4_0 matrices, F16 token embeddings
};

bool gguf_parse_ftype(std::string_view name, GgufFtype& out);
const char* gguf_ftype_name(GgufFtype ftype);

enum class QuantFamily : std::uint8_t {
    dtype,  // plain bytes per parameter: fp32/fp16/bf16/fp8/int8/int4
    gguf,   // llama.cpp GGUF file types
    bnb,    // bitsandbytes LLM.int8 / NF4 / FP4 (transformers)
    gptq,   // AutoGPTQ / GPTQModel checkpoints
    awq,    // AutoAWQ checkpoints
    exl2,   // ExLlamaV2, any bits per weight
    mlx,    // mlx-lm affine group quantization
    mxfp4,  // OpenAI gpt-oss native: MXFP4 experts, bf16 elsewhere
};

const char* quant_family_name(QuantFamily family);

// One weight format with every parameter its size depends on. Catalog entries (quants.json)
// fill these fields; parse_quant_spec() accepts ad-hoc forms like "exl2:4.65" or "gptq:3:64".
struct QuantSpec {
    std::string id;
    std::string name;
    QuantFamily family = QuantFamily::dtype;
    double bytes_per_param = 2;  // dtype
    GgufFtype ftype = GgufFtype::f16;  // gguf
    bool imatrix = false;        // gguf: importance matrix used (changes a few first-layer choices)
    int bits = 4;                // bnb (8 or 4), gptq/awq/mlx bits
    int group_size = 128;        // gptq/awq/mlx group size (-1 = per channel)
    bool double_quant = false;   // bnb NF4 double quantization of the absmax values
    bool desc_act = false;       // gptq act-order g_idx (stored either way; kept for display)
    double bits_per_weight = 4;  // exl2 average over linear layers
    int head_bits = 6;           // exl2 LM head bits (convert.py default -hb 6)

    bool operator==(const QuantSpec&) const = default;
};

// "exl2:4.65", "4.65bpw", "gptq:3:64", "awq:4:128", "mlx:6", "mlx:4:32".
Expected<QuantSpec> parse_quant_spec(std::string_view text);

// The type llama-quantize gives each tensor of a model for a file type.
std::vector<GgmlType> gguf_tensor_types(const ModelArch& arch, const std::vector<Tensor>& tensors,
                                        GgufFtype ftype, bool imatrix);

// Where a model's weight bytes sit, as the runtimes place them.
struct WeightBreakdown {
    bytes_t total = 0;                 // all tensors (no file metadata)
    bytes_t token_embd = 0;            // input embedding
    bytes_t output = 0;                // output norm + LM head (0 for the head when tied)
    bytes_t vision = 0;                // multimodal tower (a separate mmproj file for GGUF)
    bytes_t routed_experts = 0;        // routed-expert tensors (MoE)
    std::vector<bytes_t> layers;       // each repeating block
    std::vector<bytes_t> layer_routed; // routed-expert bytes of each block (MoE only; empty for dense models)
    double bits_per_weight = 0;        // total bits / total parameters
    std::int64_t params = 0;
    // ggml type -> tensors and bytes, for GGUF (shown as "what llama-quantize would write").
    struct TypeUse { const char* type; int tensors; bytes_t bytes; };
    std::vector<TypeUse> by_type;
};

Expected<WeightBreakdown> weight_bytes(const ModelArch& arch, const std::vector<Tensor>& tensors,
                                       const QuantSpec& quant);

// Routed-expert bytes of repeating block `il` (its ffn_{gate,up,down}_exps tensors, the ones llama.cpp's
// --n-cpu-moe keeps in system RAM): the block's own tally, or, where a breakdown has none, an equal
// share of all routed experts over the MoE layers. 0 for dense blocks and dense models.
bytes_t routed_expert_bytes(const ModelArch& arch, const WeightBreakdown& weights, std::int64_t il);

// GGUF file size: tensor data (each tensor aligned to 32 bytes, GGUF_DEFAULT_ALIGNMENT) plus
// header and metadata (tokenizer strings dominate). Vision towers go to a separate mmproj file.
bytes_t gguf_file_bytes(const ModelArch& arch, const WeightBreakdown& weights);

}  // namespace wif
