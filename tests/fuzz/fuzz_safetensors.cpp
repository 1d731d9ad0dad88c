// safetensors headers (`willitfit inspect`, `--safetensors`, a file dropped on the page):
// read_safetensors_header on the raw bytes (file size unknown, exact, larger, smaller), the
// need_more protocol on a prefix, then the model description through the answer path.
// Three more modes read the files that come with a checkpoint, after a first line:
//   "#config\n" CONFIG "\n#file\n" FILE  config.json (architecture, quantization_config) with one shard
//   "#index\n" INDEX                      model.safetensors.index.json, with a fixed shard
//   "#files\n#file NAME\n" BYTES ...      shards, index and config.json by name, through
//                                         inspect_model_files (see fuzz_model_file.hpp)
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "files/safetensors.hpp"
#include "fuzz_model_file.hpp"

namespace {

// A valid two-tensor shard for the index mode.
const wif::SafetensorsHeader& fixed_shard() {
    static const wif::SafetensorsHeader h = [] {
        std::string json =
            R"({"model.embed_tokens.weight":{"dtype":"BF16","shape":[16,8],"data_offsets":[0,256]},)"
            R"("model.layers.0.mlp.up_proj.weight":{"dtype":"BF16","shape":[8,8],"data_offsets":[256,384]}})";
        while (json.size() % 8) json += ' ';
        std::string file(8, '\0');
        for (int i = 0; i < 8; ++i) file[static_cast<size_t>(i)] = static_cast<char>((json.size() >> (8 * i)) & 0xFF);
        file += json;
        wif::Expected<wif::SafetensorsHeader> r = wif::read_safetensors_header(file, file.size() + 384);
        if (!r) __builtin_trap();
        return r.value();
    }();
    return h;
}

void read_file(std::string_view bytes, const std::string& config, unsigned pick) {
    const std::size_t size = bytes.size();
    std::uint64_t need = 0;
    for (std::uint64_t file_size : {std::uint64_t{0}, std::uint64_t{size}, std::uint64_t{size} * 3 + 4096, std::uint64_t{size / 2}}) {
        need = 0;
        wif::Expected<wif::SafetensorsHeader> h = wif::read_safetensors_header(bytes, file_size, &need);
        if (!h) wif_fuzz::check_need_more(h.error(), need, size);
    }
    if (size > 16) {
        need = 0;
        wif::Expected<wif::SafetensorsHeader> p = wif::read_safetensors_header(bytes.substr(0, size / 2), 0, &need);
        if (!p) wif_fuzz::check_need_more(p.error(), need, size / 2);
    }
    need = 0;
    wif::Expected<wif::ModelFile> file = wif::inspect_model_file(bytes, 0, &need);
    if (!file) wif_fuzz::check_need_more(file.error(), need, size);

    wif::Expected<wif::SafetensorsHeader> h = wif::read_safetensors_header(bytes, 0, &need);
    if (!h) return;
    if (!config.empty()) {
        (void)wif::read_quantization_config(config);
        file = wif::model_file_from_safetensors({h.value()}, {}, nullptr, config);
    }
    if (!file) return;
    wif_fuzz::answer_model_file(file.value(), pick);
    // Two shards holding the same tensors must not merge silently into one model.
    (void)wif::model_file_from_safetensors({h.value(), h.value()}, {"a.safetensors", "b.safetensors"});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 1024 * 1024) return 0;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const unsigned pick = wif_fuzz::pick_of(data, size);
    if (wif_fuzz::inspect_files(input, pick)) return 0;
    if (input.starts_with("#index\n")) {
        const std::string text(input.substr(7));
        wif::Expected<wif::SafetensorsIndex> index = wif::read_safetensors_index(text);
        if (!index) return 0;
        if (index->shards.size() > 64) return 0;
        const std::string shard_name = index->shards.empty() ? "model.safetensors" : index->shards.front();
        std::vector<wif::SafetensorsHeader> shards(index->shards.empty() ? 1 : index->shards.size(), fixed_shard());
        std::vector<std::string> names = index->shards.empty() ? std::vector<std::string>{shard_name} : index->shards;
        wif::Expected<wif::ModelFile> m = wif::model_file_from_safetensors(shards, names, &index.value());
        if (m) wif_fuzz::answer_model_file(m.value(), pick);
        return 0;
    }
    if (input.starts_with("#config\n")) {
        const std::size_t sep = input.find("\n#file\n");
        if (sep == std::string_view::npos) {
            (void)wif::read_quantization_config(std::string(input.substr(8)));
            return 0;
        }
        read_file(input.substr(sep + 7), std::string(input.substr(8, sep - 8)), pick);
        return 0;
    }
    read_file(input, "", pick);
    return 0;
}
