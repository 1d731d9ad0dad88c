// Request JSON, the wasm `estimate` entry point and the page's form (estimate_json); and the page
// core's JSON value (LiteJson) against nlohmann::json on the same text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "../core/base/json_lite_compare.hpp"
#include "base/json_fields.hpp"
#include "base/json_reader.hpp"
#include "fuzz_common.hpp"
#include "present/answer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 256 * 1024) return 0;
    const std::string text(reinterpret_cast<const char*>(data), size);
    const std::string json = wif::estimate_json(wif_fuzz::catalog(), text);
    if (!nlohmann::json::accept(json)) __builtin_trap();

    // The reader recurses once per level: only texts parse_json would read (not too deep).
    const wif::Expected<wif::Json> parsed = wif::parse_json(text, "request");
    if (!parsed && parsed.error().code == "too_deep") return 0;
    wif::LiteJson lite;
    nlohmann::json dom;
    wif::JsonReader<wif::LiteJson> a(text);
    wif::JsonReader<nlohmann::json> b(text);
    const bool ok = a.document(lite);
    if (ok != b.document(dom) || a.at() != b.at() || (ok && !wif::test::diff(lite, dom).empty())) __builtin_trap();
    return 0;
}
