// A small GGUF writer for tests: builds GGUF v2/v3 files in memory (header, and optionally zeroed
// tensor data) so the reader can be checked on files whose every byte the test controls, and the
// Node test can compare it with @huggingface/gguf on the same files.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace wif::test {

// Block size and bytes per block of each ggml type id, written out from ggml-common.h's structs
// (independently of the reader's table, so a typo in one shows up against the other).
inline bool ggml_block_layout(std::uint32_t id, std::uint64_t& block, std::uint64_t& bytes) {
    constexpr std::uint64_t K = 256;  // QK_K
    struct L { std::uint32_t id; std::uint64_t block, bytes; };
    const L layouts[] = {
        {0, 1, 4}, {1, 1, 2}, {30, 1, 2}, {24, 1, 1}, {25, 1, 2}, {26, 1, 4}, {27, 1, 8}, {28, 1, 8},
        {2, 32, 2 + 16},                 // block_q4_0: d + qs[16]
        {3, 32, 2 + 2 + 16},             // block_q4_1: d, m + qs[16]
        {6, 32, 2 + 4 + 16},             // block_q5_0: d + qh[4] + qs[16]
        {7, 32, 2 + 2 + 4 + 16},         // block_q5_1
        {8, 32, 2 + 32},                 // block_q8_0
        {9, 32, 2 + 2 + 32},             // block_q8_1: d, s + qs[32]
        {10, K, K / 16 + K / 4 + 2 + 2}, // block_q2_K: scales, qs, d, dmin
        {11, K, K / 8 + K / 4 + 12 + 2}, // block_q3_K: hmask, qs, scales[12], d
        {12, K, 2 + 2 + 12 + K / 2},     // block_q4_K
        {13, K, 2 + 2 + 12 + K / 8 + K / 2},  // block_q5_K: + qh
        {14, K, K / 2 + K / 4 + K / 16 + 2},  // block_q6_K
        {15, K, 4 + K + 2 * (K / 16)},   // block_q8_K: float d, qs, int16 bsums[16]
        {16, K, 2 + 2 * (K / 8)},        // block_iq2_xxs: d + uint16 qs[K/8]
        {17, K, 2 + 2 * (K / 8) + K / 32},    // block_iq2_xs
        {18, K, 2 + 3 * K / 8},          // block_iq3_xxs
        {19, K, 2 + K / 8 + 2 * (K / 32)},    // block_iq1_s: d, qs[K/8], uint16 qh[K/32]
        {20, 32, 2 + 16},                // block_iq4_nl
        {21, K, 2 + K / 4 + K / 32 + K / 8 + K / 64},  // block_iq3_s: d, qs, qh, signs, scales
        {22, K, 2 + K / 4 + K / 32 + K / 32},          // block_iq2_s: d, qs[K/4], qh, scales
        {23, K, 2 + 2 + K / 64 + K / 2}, // block_iq4_xs
        {29, K, K / 8 + K / 16 + K / 32},     // block_iq1_m: qs, qh, scales
        {34, K, (K - 4 * K / 64) / 5 + 4 * K / 64 / 4 + 2},  // block_tq1_0: qs, qh, d
        {35, K, K / 4 + 2},              // block_tq2_0
        {39, 32, 1 + 16},                // block_mxfp4: e + qs[16]
        {40, 64, 4 + 32},                // block_nvfp4: d[4] + qs[32]
        {41, 128, 2 + 16},               // block_q1_0
        {42, 64, 2 + 16},                // block_q2_0
    };
    for (const L& l : layouts) {
        if (l.id == id) {
            block = l.block;
            bytes = l.bytes;
            return true;
        }
    }
    return false;
}

inline std::uint64_t ggml_tensor_bytes(std::uint32_t type, const std::vector<std::uint64_t>& dims) {
    std::uint64_t block = 1, bytes = 0;
    if (!ggml_block_layout(type, block, bytes)) return 0;
    std::uint64_t n = bytes * (dims.empty() ? 1 : dims[0] / block);
    for (size_t i = 1; i < dims.size(); ++i) n *= dims[i];
    return n;
}

// Little-endian byte building.
struct Bytes {
    std::string s;
    Bytes& u8(std::uint8_t v) { s.push_back(static_cast<char>(v)); return *this; }
    Bytes& u16(std::uint16_t v) { return le(v, 2); }
    Bytes& u32(std::uint32_t v) { return le(v, 4); }
    Bytes& u64(std::uint64_t v) { return le(v, 8); }
    Bytes& i32(std::int32_t v) { return le(static_cast<std::uint32_t>(v), 4); }
    Bytes& i64(std::int64_t v) { return le(static_cast<std::uint64_t>(v), 8); }
    Bytes& f32(float v) { std::uint32_t b; std::memcpy(&b, &v, 4); return le(b, 4); }
    Bytes& f64(double v) { std::uint64_t b; std::memcpy(&b, &v, 8); return le(b, 8); }
    Bytes& str(const std::string& v) { u64(v.size()); s += v; return *this; }
    Bytes& raw(const std::string& v) { s += v; return *this; }
    Bytes& le(std::uint64_t v, int n) {
        for (int i = 0; i < n; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
        return *this;
    }
};

enum : std::uint32_t {
    kU8 = 0, kI8 = 1, kU16 = 2, kI16 = 3, kU32 = 4, kI32 = 5, kF32 = 6, kBool = 7, kString = 8, kArray = 9, kU64 = 10, kI64 = 11, kF64 = 12,
};

class GgufWriter {
public:
    explicit GgufWriter(std::uint32_t version = 3, std::uint64_t alignment = 32) : version_(version), alignment_(alignment) {}

    // A key with an already-encoded value (type id + payload).
    GgufWriter& kv_raw(const std::string& key, std::uint32_t type, const std::string& payload) {
        Bytes b;
        b.str(key).u32(type).raw(payload);
        kvs_ += b.s;
        ++kv_count_;
        return *this;
    }
    GgufWriter& u32(const std::string& k, std::uint32_t v) { return kv_raw(k, kU32, Bytes().u32(v).s); }
    GgufWriter& i32(const std::string& k, std::int32_t v) { return kv_raw(k, kI32, Bytes().i32(v).s); }
    GgufWriter& u64(const std::string& k, std::uint64_t v) { return kv_raw(k, kU64, Bytes().u64(v).s); }
    GgufWriter& u16(const std::string& k, std::uint16_t v) { return kv_raw(k, kU16, Bytes().u16(v).s); }
    GgufWriter& f32(const std::string& k, float v) { return kv_raw(k, kF32, Bytes().f32(v).s); }
    GgufWriter& boolean(const std::string& k, bool v) { return kv_raw(k, kBool, Bytes().u8(v ? 1 : 0).s); }
    GgufWriter& string(const std::string& k, const std::string& v) { return kv_raw(k, kString, Bytes().str(v).s); }
    GgufWriter& strings(const std::string& k, const std::vector<std::string>& v) {
        Bytes b;
        b.u32(kString).u64(v.size());
        for (const std::string& s : v) b.str(s);
        return kv_raw(k, kArray, b.s);
    }
    GgufWriter& i32s(const std::string& k, const std::vector<std::int32_t>& v) {
        Bytes b;
        b.u32(kI32).u64(v.size());
        for (std::int32_t x : v) b.i32(x);
        return kv_raw(k, kArray, b.s);
    }
    GgufWriter& u32s(const std::string& k, const std::vector<std::uint32_t>& v) {
        Bytes b;
        b.u32(kU32).u64(v.size());
        for (std::uint32_t x : v) b.u32(x);
        return kv_raw(k, kArray, b.s);
    }
    GgufWriter& bools(const std::string& k, const std::vector<bool>& v) {
        Bytes b;
        b.u32(kBool).u64(v.size());
        for (bool x : v) b.u8(x ? 1 : 0);
        return kv_raw(k, kArray, b.s);
    }
    GgufWriter& f32s(const std::string& k, const std::vector<float>& v) {
        Bytes b;
        b.u32(kF32).u64(v.size());
        for (float x : v) b.f32(x);
        return kv_raw(k, kArray, b.s);
    }

    // A tensor placed after the previous one at the next aligned offset; returns its bytes.
    std::uint64_t tensor(const std::string& name, std::uint32_t type, const std::vector<std::uint64_t>& dims) {
        const std::uint64_t bytes = ggml_tensor_bytes(type, dims);
        tensor_at(name, type, dims, data_size_);
        data_size_ += (bytes + alignment_ - 1) / alignment_ * alignment_;
        total_bytes_ += bytes;
        return bytes;
    }
    // A tensor info with any offset (hostile files).
    void tensor_at(const std::string& name, std::uint32_t type, const std::vector<std::uint64_t>& dims, std::uint64_t offset) {
        Bytes b;
        b.str(name).u32(static_cast<std::uint32_t>(dims.size()));
        for (std::uint64_t d : dims) b.u64(d);
        b.u32(type).u64(offset);
        infos_ += b.s;
        ++tensor_count_;
    }

    std::string header() const {
        Bytes b;
        b.raw("GGUF").u32(version_).u64(tensor_count_).u64(kv_count_).raw(kvs_).raw(infos_);
        return b.s;
    }
    // Header, padding to the alignment, and zeroed tensor data: a complete file.
    std::string file() const {
        std::string h = header();
        h.resize((h.size() + alignment_ - 1) / alignment_ * alignment_, '\0');
        h.resize(h.size() + data_size_, '\0');
        return h;
    }
    std::uint64_t total_tensor_bytes() const { return total_bytes_; }
    std::uint64_t data_size() const { return data_size_; }

private:
    std::uint32_t version_;
    std::uint64_t alignment_;
    std::string kvs_, infos_;
    std::uint64_t kv_count_ = 0, tensor_count_ = 0, data_size_ = 0, total_bytes_ = 0;
};

}  // namespace wif::test
