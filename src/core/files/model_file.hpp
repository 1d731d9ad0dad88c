// What a model file's header says, mapped to our model description: the architecture (ModelArch,
// for the KV cache and compute estimates) and every tensor with its exact bytes, so the pipeline
// can use measured weights instead of a recipe's prediction.
//
//   GGUF: read_gguf_header (+ merge_gguf_splits) -> model_file_from_gguf
//   safetensors: read_safetensors_header per shard (+ the index, + config.json) -> model_file_from_safetensors
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/expected.hpp"
#include "base/json_writer.hpp"
#include "base/units.hpp"
#include "facts/architecture.hpp"
#include "facts/quant.hpp"
#include "files/gguf.hpp"
#include "files/safetensors.hpp"

namespace wif {

struct FileTensor {
    std::string name;
    std::string type;                 // ggml type ("q4_K") or safetensors dtype ("BF16")
    std::vector<std::int64_t> dims;   // as the file stores them (GGUF: ne0 = row length first)
    std::int64_t elements = 0;        // product of dims, as stored
    std::int64_t params = 0;          // parameters it holds: unpacked for packed int4 (GPTQ/AWQ qweight,
                                      // compressed-tensors weight_packed, bnb 4-bit, MXFP4 blocks),
                                      // 0 for quantization metadata (scales, zeros, g_idx)
    bytes_t bytes = 0;
    std::string role;                 // guessed from the name: tensor_role_name() values, "vision",
                                      // "quant_meta" or "other"
    std::int32_t layer = -1;          // blk.N / layers.N, else -1
    int file = 0;                     // which split or shard holds it
};

struct ModelFile {
    std::string format;               // "gguf", "gguf-mmproj" or "safetensors"
    std::string architecture;         // GGUF general.architecture, or config.json model_type
    std::string name;                 // GGUF general.name
    std::string file_type;            // GGUF general.file_type as llama.cpp names it ("Q4_K_M"), if present
    std::string quant_method;         // safetensors: quantization_config.quant_method
    ModelArch arch;
    bool arch_known = false;          // arch is complete and valid (KV cache and compute can be estimated)
    std::vector<FileTensor> tensors;
    bytes_t weight_bytes = 0;         // every tensor but the multimodal projector's
    bytes_t mmproj_bytes = 0;         // multimodal projector / vision tower
    std::vector<std::pair<std::string, bytes_t>> bytes_by_type;  // all tensors, largest first
    std::int64_t params = 0;          // parameters (unpacked) of the text model's tensors
    std::int64_t stored_elements = 0; // sum of shape products as stored, every tensor
    std::uint64_t file_bytes = 0;     // whole file(s), when known
    std::vector<std::string> notes;
};

Expected<ModelFile> model_file_from_gguf(const GgufHeader& header);

// One or more safetensors shards (all of a sharded checkpoint). With `index` (the parsed
// model.safetensors.index.json), every shard it names must be given (`shard_names[i]` names
// `shards[i]`) and every tensor must sit in the shard the index says. `config_json` (may be
// empty) gives the architecture and quantization_config.
Expected<ModelFile> model_file_from_safetensors(const std::vector<SafetensorsHeader>& shards,
                                                const std::vector<std::string>& shard_names = {},
                                                const SafetensorsIndex* index = nullptr,
                                                const std::string& config_json = "");

// Adds a separate mmproj file's bytes to a model as its projector line item.
void add_mmproj(ModelFile& model, const ModelFile& mmproj);

// Reads whichever format the bytes are (GGUF magic, else a safetensors header), from the head of
// a file of `file_size` bytes. need_more as for read_gguf_header.
Expected<ModelFile> inspect_model_file(std::string_view head, std::uint64_t file_size, std::uint64_t* need_bytes = nullptr);

// The file's exact bytes in the shape of facts/quant.hpp's weight_bytes: blk.N.* / layers.N.* go
// to layer N, token_embd, output (+ norms and anything else outside the blocks), vision (mmproj),
// routed experts, by type.
WeightBreakdown weight_breakdown(const ModelFile& model);

// For `willitfit inspect --json` and the page. Keys: format, architecture, name, file_type,
// quant_method, arch_known, arch{...}, weight_bytes, mmproj_bytes, params, stored_elements,
// file_bytes, tensor_count, bytes_by_type[{type, tensors, bytes}], tensors[{name, type, dims,
// elements, params, bytes, role, layer, file}] (only with `with_tensors`), notes.
void write_model_file(JsonWriter& out, const ModelFile& model, bool with_tensors = true);

}  // namespace wif
