// GGUF header reader (versions 2 and 3): metadata key/values and tensor infos, with exact bytes
// per tensor for every ggml type. Reads only the header; tensor data is never touched.
//
// Format: ggml/docs/gguf.md and ggml/src/gguf.cpp (llama.cpp). Every count and length in the file
// is checked against the bytes available before anything is allocated from it; no exceptions.
//
// Reading a large file from its head (the page slices it with File.slice):
//   std::uint64_t need = 0;
//   Expected<GgufHeader> h = read_gguf_header(head, file_size, &need);
//   if (!h && h.error().code == "need_more") { /* slice max(need, 2 * head.size()) bytes, retry */ }
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"

namespace wif {

// ggml tensor types by their id in a GGUF file (ggml/include/ggml.h enum ggml_type).
struct GgmlTypeInfo {
    std::uint32_t id;
    const char* name;     // as ggml_type_name prints it ("q4_K", "iq2_xxs", "bf16")
    std::int64_t block;   // elements per block
    std::int64_t bytes;   // bytes per block
};

// nullptr for ids this code does not know (removed or newer types).
const GgmlTypeInfo* ggml_type_info(std::uint32_t id);
// Every known type, in id order.
const std::vector<GgmlTypeInfo>& ggml_type_table();

// GGUF metadata value types (gguf.md gguf_metadata_value_type).
enum class GgufType : std::uint32_t {
    u8 = 0, i8 = 1, u16 = 2, i16 = 3, u32 = 4, i32 = 5, f32 = 6, boolean = 7,
    string = 8, array = 9, u64 = 10, i64 = 11, f64 = 12,
};
const char* gguf_type_name(GgufType type);

struct GgufValue {
    GgufType type = GgufType::u8;
    // Scalars: integers in `i` (and `u` for unsigned types; `i` saturates above INT64_MAX),
    // every number also in `f`, booleans as 0/1.
    std::int64_t i = 0;
    std::uint64_t u = 0;
    double f = 0;
    std::string s;           // strings, kept up to kMaxKeptString bytes
    bool truncated = false;  // a longer string, or an array whose elements were not kept
    // Arrays: element type, element count, and the elements themselves when the array is small
    // (kMaxKeptArray) and the header's budget of kept values allows; otherwise only counted.
    GgufType elem = GgufType::u8;
    std::uint64_t count = 0;
    std::vector<GgufValue> items;

    bool is_integer() const;
    bool is_number() const;
};

struct GgufKV {
    std::string key;
    GgufValue value;
};

struct GgufTensorInfo {
    std::string name;
    std::uint32_t type_id = 0;
    const char* type_name = "";  // ggml_type_info(type_id)->name
    std::uint32_t n_dims = 0;
    std::array<std::int64_t, 4> dims{1, 1, 1, 1};  // ne0 (row length) .. ne3; unused dims are 1
    std::uint64_t offset = 0;    // relative to the data section
    std::int64_t elements = 0;
    std::int64_t bytes = 0;      // exact: ne0 / block * type bytes * ne1 * ne2 * ne3
    int split = 0;               // which file of a split model holds it (split.no)
};

struct GgufHeader {
    std::uint32_t version = 0;
    std::uint64_t tensor_count = 0;
    std::uint64_t kv_count = 0;
    std::vector<GgufKV> metadata;
    std::vector<GgufTensorInfo> tensors;
    std::uint64_t alignment = 32;     // general.alignment
    std::uint64_t header_bytes = 0;   // end of the tensor infos
    std::uint64_t data_offset = 0;    // start of tensor data: header_bytes rounded up to the alignment
    std::uint64_t file_size = 0;      // as given (0 = unknown); summed over the files of a split model
    std::int64_t tensor_bytes = 0;    // sum of every tensor's bytes
    int split_no = 0;                 // split.no (0 for an unsplit file)
    int split_count = 1;              // split.count (1 for an unsplit file)

    const GgufValue* find(std::string_view key) const;
};

// Limits: deepest array nesting, longest string kept in memory (longer ones are skipped), the
// largest array whose elements are kept, and how many values one header may keep in all.
inline constexpr int kGgufMaxNesting = 8;
inline constexpr std::uint64_t kMaxKeptString = 64 * 1024;
inline constexpr std::uint64_t kMaxKeptArray = 4096;
inline constexpr std::uint64_t kMaxKeptValues = 65536;
// A GGUF header larger than this is refused (the largest real ones, with 256k-token
// vocabularies, are tens of MB).
inline constexpr std::uint64_t kMaxGgufHeader = std::uint64_t{1} << 30;

// Reads the header from the first bytes of a GGUF file. `file_size` is the size of the whole
// file (0 when unknown). When `bytes` ends before the header does, the error has code
// "need_more", the message says "need more bytes: N" and `*need_bytes` (when given) is set to N,
// the prefix length the next read needs (a retry may need more still; grow geometrically).
// With `file_size` known, tensor data past the end of the file is an error.
Expected<GgufHeader> read_gguf_header(std::string_view bytes, std::uint64_t file_size,
                                      std::uint64_t* need_bytes = nullptr);

// "model-00001-of-00003.gguf" -> {1, 3}; {0, 0} when the name has no split suffix.
struct GgufSplitName { int no = 0; int count = 0; };
GgufSplitName gguf_split_name(std::string_view file_name);

// Merges the headers of a split model (split.no 0 .. split.count-1, any order) into one: the
// metadata of split 0, every tensor (tagged with its split), sizes summed. Checks that every split
// is there once, that split.tensors.count matches and that no tensor name repeats.
Expected<GgufHeader> merge_gguf_splits(std::vector<GgufHeader> splits);

}  // namespace wif
