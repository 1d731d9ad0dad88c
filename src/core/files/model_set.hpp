// A model given as several files: the parts of a split GGUF (model-00001-of-00003.gguf ...) with an
// optional mmproj GGUF, or the shards of a safetensors checkpoint with its
// model.safetensors.index.json and config.json. The CLI and the page both read files this way:
// the head of each file (its header only), then one ModelFile for the whole model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"
#include "files/model_file.hpp"

namespace wif {

// One file: its name (the base name is enough), the bytes read from its start, its whole size.
struct FileHead {
    std::string name;
    std::string_view head;
    std::uint64_t size = 0;
};

// JSON side files (config.json, the index) are read whole; these bound them. A config.json is a
// few KB; the index of a 1T-parameter checkpoint (tens of thousands of tensors) is about 2 MB.
inline constexpr std::uint64_t kMaxConfigJson = std::uint64_t{4} << 20;
inline constexpr std::uint64_t kMaxIndexJson = std::uint64_t{32} << 20;
// More files than any real checkpoint has (Kimi K2 ships 62 shards, DeepSeek-V3 163).
inline constexpr std::size_t kMaxModelFiles = 1024;

// What kind of file a name says it is, so the caller knows how much of it to read first: a JSON
// side file is read whole (up to the bounds above), a model file from its head.
bool is_json_side_file(std::string_view name);

// Reads the files, in any order. GGUF: the parts of one split model are merged (each must be there
// once); a multimodal projector GGUF becomes the projector line item of the text model; one part of
// a split model alone is read with a note that the other parts are missing. safetensors: every
// shard, checked against the index when given; config.json gives the architecture.
// Errors: "need_more" when a file's head ends before its header does (`*need_file` = which file,
// `*need_bytes` = the prefix length it needs); "config_only" when only a config.json was given (it
// is answered as a model's config, not as files); "mixed_formats"; "too_many_files"; "unknown_format"
// and the readers' own errors, each message naming the file.
Expected<ModelFile> inspect_model_files(const std::vector<FileHead>& files, std::size_t* need_file = nullptr,
                                        std::uint64_t* need_bytes = nullptr);

}  // namespace wif
