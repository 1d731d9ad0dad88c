#include "files/model_set.hpp"

#include <utility>

#include "base/units.hpp"

namespace wif {

namespace {

// File names compare without case ("MODEL.JSON" is a JSON side file too).
bool ends_with(std::string_view name, std::string_view tail) { return to_lower(name).ends_with(tail); }

Error named(const std::string& name, const Error& e) { return Error{e.code, name + ": " + e.message}; }

}  // namespace

bool is_json_side_file(std::string_view name) { return ends_with(name, ".json"); }

Expected<ModelFile> inspect_model_files(const std::vector<FileHead>& files, std::size_t* need_file, std::uint64_t* need_bytes) {
    if (need_file) *need_file = 0;
    if (need_bytes) *need_bytes = 0;
    if (files.empty()) return make_error("no_files", "no model file given");
    if (files.size() > kMaxModelFiles) {
        return make_error("too_many_files", std::to_string(files.size()) + " files given; a model has at most " + std::to_string(kMaxModelFiles));
    }
    std::vector<GgufHeader> gguf;
    std::vector<std::string> gguf_names;
    std::vector<SafetensorsHeader> shards;
    std::vector<std::string> shard_names;
    std::string config_json, config_name, index_name;
    SafetensorsIndex index;
    bool have_index = false;

    for (size_t i = 0; i < files.size(); ++i) {
        const FileHead& f = files[i];
        auto need = [&](std::uint64_t bytes) -> Error {
            if (need_file) *need_file = i;
            if (need_bytes) *need_bytes = bytes;
            return make_error("need_more", f.name + ": need more bytes: " + std::to_string(bytes));
        };
        if (f.head.size() > f.size) return make_error("invalid_argument", f.name + ": more bytes given than the file holds");
        if (is_json_side_file(f.name)) {
            const bool is_index = ends_with(f.name, ".index.json");
            const std::uint64_t limit = is_index ? kMaxIndexJson : kMaxConfigJson;
            if (f.size > limit) {
                return make_error("file_too_large", f.name + ": " + std::to_string(f.size) + " bytes; a " +
                                                        (is_index ? "safetensors index" : "config.json") + " is read up to " +
                                                        std::to_string(limit) + " bytes");
            }
            if (f.head.size() < f.size) return need(f.size);
            if (is_index) {
                if (have_index) return make_error("invalid_argument", f.name + ": a second index (" + index_name + " was given first)");
                Expected<SafetensorsIndex> ix = read_safetensors_index(std::string(f.head));
                if (!ix) return named(f.name, ix.error());
                index = std::move(ix.value());
                index_name = f.name;
                have_index = true;
            } else {
                if (!config_name.empty()) return make_error("invalid_argument", f.name + ": a second config.json (" + config_name + " was given first)");
                config_json = std::string(f.head);
                config_name = f.name;
            }
            continue;
        }
        std::uint64_t more = 0;
        if (f.head.size() >= 4 && f.head.substr(0, 4) == "GGUF") {
            Expected<GgufHeader> h = read_gguf_header(f.head, f.size, &more);
            if (!h) return h.error().code == "need_more" ? need(more) : named(f.name, h.error());
            gguf.push_back(std::move(h.value()));
            gguf_names.push_back(f.name);
        } else if (f.head.size() >= 9 && f.head[8] == '{') {
            Expected<SafetensorsHeader> h = read_safetensors_header(f.head, f.size, &more);
            if (!h) return h.error().code == "need_more" ? need(more) : named(f.name, h.error());
            shards.push_back(std::move(h.value()));
            const size_t slash = f.name.find_last_of("/\\");
            shard_names.push_back(slash == std::string::npos ? f.name : f.name.substr(slash + 1));
        } else if (f.head.size() < 9 && f.head.size() < f.size) {
            return need(9);
        } else {
            return make_error("unknown_format", f.name + ": neither a GGUF file (no \"GGUF\" magic) nor a safetensors file (no JSON header)");
        }
    }

    if (!gguf.empty() && !shards.empty()) {
        return make_error("mixed_formats", "GGUF and safetensors files were given together (" + gguf_names[0] + ", " + shard_names[0] +
                                               "): give the files of one model");
    }
    if (gguf.empty() && shards.empty()) {
        if (!config_name.empty()) return make_error("config_only", config_name + ": a config.json without weight files: it is answered as the model's config");
        return make_error("no_weights", index_name + " names " + std::to_string(index.shards.size()) + " shard(s): give them too");
    }

    if (!gguf.empty()) {
        std::vector<GgufHeader> text;
        std::vector<ModelFile> projectors;
        for (GgufHeader& h : gguf) {
            Expected<ModelFile> one = model_file_from_gguf(h);
            if (!one) return one.error();
            if (one->format == "gguf-mmproj") projectors.push_back(std::move(one.value()));
            else text.push_back(std::move(h));
        }
        if (projectors.size() > 1) return make_error("invalid_argument", "more than one multimodal projector (mmproj) file given");
        if (text.empty()) return std::move(projectors[0]);
        const bool one_part = text.size() == 1 && text[0].split_count > 1;
        const int part = text[0].split_no + 1, parts = text[0].split_count;
        Expected<GgufHeader> merged = one_part ? Expected<GgufHeader>(std::move(text[0])) : merge_gguf_splits(std::move(text));
        if (!merged) return merged.error();
        Expected<ModelFile> m = model_file_from_gguf(merged.value());
        if (!m) return m.error();
        if (one_part) {
            m->notes.push_back("part " + std::to_string(part) + " of " + std::to_string(parts) + " of a split GGUF: only this part's tensors were read, so the weights are this part's; give all " +
                               std::to_string(parts) + " parts for the whole model");
        } else if (parts > 1) {
            m->notes.push_back("a split GGUF: " + std::to_string(parts) + " parts read and merged");
        }
        if (!projectors.empty()) add_mmproj(m.value(), projectors[0]);
        if (!config_name.empty() || have_index) m->notes.push_back("JSON side files are not used with GGUF: the GGUF header carries the architecture");
        return m;
    }

    Expected<ModelFile> m = model_file_from_safetensors(shards, shard_names, have_index ? &index : nullptr, config_json);
    if (!m) return m.error();
    // Shards are named as GGUF splits are ("model-00001-of-00004.safetensors", transformers'
    // save_pretrained): without the index, say when shards of the checkpoint are missing.
    if (!have_index && ends_with(shard_names[0], ".safetensors")) {
        const std::string& first = shard_names[0];
        const GgufSplitName s = gguf_split_name(first.substr(0, first.size() - 12) + ".gguf");
        if (s.count > 1 && shards.size() < static_cast<size_t>(s.count)) {
            m->notes.push_back(std::to_string(shards.size()) + " of the " + std::to_string(s.count) +
                               " shards of this checkpoint were read, so the weights are theirs; give every shard (or the index with them) for the whole model");
        }
    }
    return m;
}

}  // namespace wif
