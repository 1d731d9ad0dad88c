// GGUF headers (`willitfit inspect`, `--gguf`, a .gguf dropped on the page): read_gguf_header on
// the raw bytes with the file size unknown, equal to the input and larger; the need_more
// protocol on a prefix; the split merger; then the model description through the answer path.
// An input starting "#files\n" is a set of files (split parts, an mmproj) for inspect_model_files
// (see fuzz_model_file.hpp).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "files/gguf.hpp"
#include "fuzz_model_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 1024 * 1024) return 0;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    if (wif_fuzz::inspect_files(bytes, wif_fuzz::pick_of(data, size))) return 0;

    // The page's and the CLI's way in: whichever format the bytes are.
    std::uint64_t need = 0;
    wif::Expected<wif::ModelFile> file = wif::inspect_model_file(bytes, 0, &need);
    if (!file) wif_fuzz::check_need_more(file.error(), need, size);

    // The file size as given by the file system: exactly these bytes, or more (tensor data past
    // what was read), or less than was read (a lying caller).
    for (std::uint64_t file_size : {std::uint64_t{size}, std::uint64_t{size} * 3 + 4096, std::uint64_t{size / 2}}) {
        need = 0;
        wif::Expected<wif::GgufHeader> h = wif::read_gguf_header(bytes, file_size, &need);
        if (!h) wif_fuzz::check_need_more(h.error(), need, size);
    }

    // A prefix: the first read of a large file. When the header fits in it, reading more bytes
    // must give the same header.
    std::optional<wif::GgufHeader> prefix;
    if (size > 16) {
        need = 0;
        wif::Expected<wif::GgufHeader> p = wif::read_gguf_header(bytes.substr(0, size / 2), 0, &need);
        if (!p) wif_fuzz::check_need_more(p.error(), need, size / 2);
        else prefix = std::move(p.value());
    }

    wif::Expected<wif::GgufHeader> h = wif::read_gguf_header(bytes, 0, &need);
    if (prefix && (!h || h->tensors.size() != prefix->tensors.size() || h->metadata.size() != prefix->metadata.size() ||
                   h->header_bytes != prefix->header_bytes || h->tensor_bytes != prefix->tensor_bytes)) {
        __builtin_trap();
    }
    if (!h) return 0;
    // Split models: the header alone, and twice (a repeated split must be an error).
    (void)wif::merge_gguf_splits({h.value()});
    if (wif::merge_gguf_splits({h.value(), h.value()})) __builtin_trap();  // the same part twice
    wif::Expected<wif::ModelFile> m = wif::model_file_from_gguf(h.value());
    if (!m) return 0;
    if (file && file->tensors.size() != m->tensors.size()) __builtin_trap();
    // The CLI's and the page's reader for a set of files, given this one file.
    const std::vector<wif::FileHead> one = {{"model.gguf", bytes, size}};
    wif::Expected<wif::ModelFile> set = wif::inspect_model_files(one);
    if (set && set->tensors.size() != m->tensors.size()) __builtin_trap();
    wif::ModelFile model = m.value();
    // A projector added to itself: the page's model + mmproj pair.
    if (model.format == "gguf-mmproj") wif::add_mmproj(model, m.value());
    wif_fuzz::answer_model_file(model, wif_fuzz::pick_of(data, size));
    return 0;
}
