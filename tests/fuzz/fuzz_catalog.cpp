// Catalog loading (`--catalog-dir`): the input is one catalog file; with a first line
// "#models", "#devices" or "#quants" it replaces that catalog among the embedded ones so that the
// index and the lookups run on it too. Every catalog that loads is written as the page's binary
// snapshot and must read back equal; with a first line "#snapshot" the rest is snapshot bytes for
// read_catalog_snapshot, and what it accepts must write and read back equal.
#include <cstddef>
#include <cstdint>
#include <string>

#include "facts/catalog_snapshot.hpp"
#include "fuzz_common.hpp"

namespace {

// The snapshot of a catalog reads back as that catalog (a field written and not read, or read
// wrong, stops the fuzzer here).
void check_snapshot(const wif::Catalog& c) {
    const wif::Expected<wif::Catalog> back = wif::read_catalog_snapshot(wif::write_catalog_snapshot(c));
    if (!back || back->models != c.models || back->devices != c.devices || back->quants != c.quants) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 256 * 1024) return 0;
    std::string text(reinterpret_cast<const char*>(data), size);
    if (text.rfind("#snapshot\n", 0) == 0) {
        const wif::Expected<wif::Catalog> c = wif::read_catalog_snapshot(std::string_view(text).substr(10));
        if (c) check_snapshot(c.value());
        return 0;
    }
    std::vector<wif::CatalogText> texts;
    const char* kinds[] = {"#models\n", "#devices\n", "#quants\n"};
    int replace = -1;
    for (int k = 0; k < 3; ++k) {
        if (text.rfind(kinds[k], 0) == 0) {
            replace = k;
            text.erase(0, std::string(kinds[k]).size());
        }
    }
    if (replace < 0) {
        texts.push_back({"fuzz.json", text});
    } else {
        static const std::vector<wif::CatalogText> embedded = wif::embedded_catalogs();
        for (int k = 0; k < 3 && k < static_cast<int>(embedded.size()); ++k) {
            texts.push_back(k == replace ? wif::CatalogText{"fuzz.json", text} : embedded[static_cast<size_t>(k)]);
        }
    }
    wif::Expected<wif::Catalog> c = wif::load_catalog(texts);
    if (c) {
        check_snapshot(c.value());
        (void)c->find_model("llama 3.1 8b");
        (void)c->find_device("rtx 4090");
        (void)c->find_quant("q4_k_m");
    }
    return 0;
}
