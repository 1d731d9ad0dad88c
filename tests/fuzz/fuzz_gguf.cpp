// GGUF headers (`willitfit inspect`, `--gguf`, a .gguf dropped on the page): read_gguf_header on
// the raw bytes with the file size unknown, equal to the input and larger; the need_more
// protocol on a prefix; the split merger; then the model description through the answer path.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "files/gguf.hpp"
#include "fuzz_model_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 1024 * 1024) return 0;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);

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

    // A prefix: the first read of a large file. Success on a prefix must agree with the whole.
    if (size > 16) {
        need = 0;
        wif::Expected<wif::GgufHeader> p = wif::read_gguf_header(bytes.substr(0, size / 2), 0, &need);
        if (!p) wif_fuzz::check_need_more(p.error(), need, size / 2);
    }

    wif::Expected<wif::GgufHeader> h = wif::read_gguf_header(bytes, 0, &need);
    if (!h) return 0;
    // Split models: the header alone, and twice (a repeated split must be an error).
    (void)wif::merge_gguf_splits({h.value()});
    if (wif::merge_gguf_splits({h.value(), h.value()})) __builtin_trap();  // the same part twice
    wif::Expected<wif::ModelFile> m = wif::model_file_from_gguf(h.value());
    if (!m) return 0;
    if (file && file->tensors.size() != m->tensors.size()) __builtin_trap();
    wif::ModelFile model = m.value();
    // A projector added to itself: the page's model + mmproj pair.
    if (model.format == "gguf-mmproj") wif::add_mmproj(model, m.value());
    wif_fuzz::answer_model_file(model, wif_fuzz::pick_of(data, size));
    return 0;
}
