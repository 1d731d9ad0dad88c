// A small safetensors writer for tests: the 8-byte header length, the JSON header (offsets
// back to back, padded with spaces to 8 bytes as the safetensors library does) and zeroed data.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/files/gguf_writer.hpp"

namespace wif::test {

struct StTensor {
    std::string name;
    std::string dtype;
    std::vector<std::uint64_t> shape;
};

inline std::uint64_t st_dtype_bits(const std::string& d) {
    if (d == "F64" || d == "I64" || d == "U64") return 64;
    if (d == "F32" || d == "I32" || d == "U32") return 32;
    if (d == "F16" || d == "BF16" || d == "I16" || d == "U16") return 16;
    if (d == "F4") return 4;
    return 8;  // BOOL, U8, I8, F8_*
}

inline std::uint64_t st_bytes(const StTensor& t) {
    std::uint64_t n = 1;
    for (std::uint64_t d : t.shape) n *= d;
    return n * st_dtype_bits(t.dtype) / 8;
}

// The JSON header text (no length prefix).
inline std::string safetensors_json(const std::vector<StTensor>& tensors,
                                    const std::vector<std::pair<std::string, std::string>>& metadata = {}) {
    std::string j = "{";
    if (!metadata.empty()) {
        j += "\"__metadata__\":{";
        for (size_t i = 0; i < metadata.size(); ++i) j += (i ? "," : "") + ("\"" + metadata[i].first + "\":\"" + metadata[i].second + "\"");
        j += "}";
    }
    std::uint64_t offset = 0;
    for (size_t i = 0; i < tensors.size(); ++i) {
        const StTensor& t = tensors[i];
        if (i > 0 || !metadata.empty()) j += ",";
        j += "\"" + t.name + "\":{\"dtype\":\"" + t.dtype + "\",\"shape\":[";
        for (size_t k = 0; k < t.shape.size(); ++k) j += (k ? "," : "") + std::to_string(t.shape[k]);
        const std::uint64_t end = offset + st_bytes(t);
        j += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(end) + "]}";
        offset = end;
    }
    return j + "}";
}

// A whole file from a JSON header (padded to 8 bytes) and `data_bytes` zero bytes.
inline std::string safetensors_from_json(std::string json, std::uint64_t data_bytes) {
    while (json.size() % 8 != 0) json += ' ';
    return Bytes().u64(json.size()).s + json + std::string(data_bytes, '\0');
}

inline std::string safetensors_file(const std::vector<StTensor>& tensors,
                                    const std::vector<std::pair<std::string, std::string>>& metadata = {}) {
    std::uint64_t data = 0;
    for (const StTensor& t : tensors) data += st_bytes(t);
    return safetensors_from_json(safetensors_json(tensors, metadata), data);
}

}  // namespace wif::test
