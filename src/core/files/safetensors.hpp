// safetensors header reader: an 8-byte little-endian header length, then a JSON object of
// tensors (dtype, shape, data_offsets) and an optional "__metadata__" map of strings.
// Format: huggingface/safetensors README and safetensors/src/tensor.rs (offsets must cover the
// data section exactly, in order, without holes or overlaps). Also the sharded-checkpoint index
// (model.safetensors.index.json) and the quantization_config of a config.json.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/expected.hpp"

namespace wif {

// Header lengths above this are refused (safetensors itself allows 100 MB).
inline constexpr std::uint64_t kMaxSafetensorsHeader = 100'000'000;

// Bits per element of a safetensors dtype ("BF16" -> 16, "F8_E4M3" -> 8, "F4" -> 4); 0 if unknown.
int safetensors_dtype_bits(std::string_view dtype);
// The same name in static storage ("BF16"), or nullptr if unknown.
const char* safetensors_dtype_name(std::string_view dtype);

struct SafetensorsTensor {
    std::string name;
    std::string dtype;
    std::vector<std::int64_t> shape;
    std::int64_t begin = 0, end = 0;  // data_offsets, relative to the data section
    std::int64_t elements = 0;        // product of the shape (1 for a scalar)
    std::int64_t bytes = 0;           // end - begin, checked against elements x dtype size
};

struct SafetensorsHeader {
    std::uint64_t header_bytes = 0;   // 8 + the JSON header's length: where the data starts
    std::uint64_t file_size = 0;      // as given (0 = unknown)
    std::vector<SafetensorsTensor> tensors;  // in data order
    std::vector<std::pair<std::string, std::string>> metadata;  // "__metadata__"
    std::int64_t data_bytes = 0;      // sum of tensor bytes
    std::int64_t elements = 0;        // sum of shape products, exactly
};

// Reads the header from the first bytes of a .safetensors file (`file_size` = whole file, 0 if
// unknown). "need_more" as for GGUF: the message says "need more bytes: N", *need_bytes = N.
Expected<SafetensorsHeader> read_safetensors_header(std::string_view bytes, std::uint64_t file_size,
                                                    std::uint64_t* need_bytes = nullptr);

// model.safetensors.index.json: which shard holds each tensor, and metadata.total_size.
struct SafetensorsIndex {
    std::vector<std::pair<std::string, std::string>> weight_map;  // tensor -> shard file name
    std::vector<std::string> shards;                              // distinct shard names, first-seen order
    std::int64_t total_size = 0;                                  // 0 when absent
};
Expected<SafetensorsIndex> read_safetensors_index(const std::string& json_text);

// The quantization_config object of a config.json (GPTQ, AWQ, bitsandbytes, fp8,
// compressed-tensors, mxfp4); method empty when the checkpoint is not quantized.
struct QuantizationConfig {
    std::string method;   // quant_method ("gptq", "awq", "bitsandbytes", "fp8", "compressed-tensors", "mxfp4")
    int bits = 0;         // weight bits (GPTQ/AWQ/compressed-tensors; 4 or 8 for bitsandbytes)
    int group_size = 0;
    bool desc_act = false;
    std::string format;   // compressed-tensors "format" (pack-quantized, float-quantized, ...) or bnb quant type (nf4, fp4)
};
Expected<QuantizationConfig> read_quantization_config(const std::string& config_json_text);

}  // namespace wif
