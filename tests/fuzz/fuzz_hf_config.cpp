// config.json import (`--hf-config`, a file dropped on the page), then the KV cache and the
// whole estimate for the architecture it gives, so absurd but valid configs reach the arithmetic.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/json_fields.hpp"

#include "facts/hf_config.hpp"
#include "facts/kv_cache.hpp"
#include "fuzz_common.hpp"
#include "present/answer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 256 * 1024) return 0;
    const std::string text(reinterpret_cast<const char*>(data), size);
    // parse_json is its own reader: it must accept what nlohmann's strict parser accepts (below
    // the nesting limit) and build the same values (dump() tells 1 from 1.0 and -0.0 from 0).
    {
        const wif::Expected<wif::Json> ours = wif::parse_json(text, "t");
        const wif::Json reference = wif::Json::parse(text, nullptr, /*allow_exceptions=*/false);
        const bool too_deep = !ours && ours.error().code == "too_deep";
        // nlohmann stops at a NUL byte outside strings as at the end of the text; parse_json refuses
        // what follows, as RFC 8259 does. Elsewhere the two must agree both ways.
        const bool nul = text.find('\0') != std::string::npos;
        if (ours && reference.is_discarded()) __builtin_trap();
        if (!ours && !reference.is_discarded() && !too_deep && !nul) __builtin_trap();
        if (ours && ours.value().dump() != reference.dump()) __builtin_trap();
    }
    wif::Expected<wif::ModelArch> arch = wif::arch_from_hf_config_text(text, "config.json");
    if (!arch) return 0;
    for (wif::Engine engine : {wif::Engine::llama_cpp, wif::Engine::vllm, wif::Engine::transformers, wif::Engine::mlx}) {
        wif::KvRequest r;
        r.engine = engine;
        r.context = 131072;
        r.sequences = 4;
        (void)wif::compute_kv_cache(arch.value(), r);
    }
    // The same config through a request, as the page sends a dropped file.
    if (size < 16 * 1024) {
        wif::Expected<wif::Json> parsed = wif::parse_json(text, "config.json");
        if (parsed) {
            wif::Json request = {{"hf_config", parsed.value()}, {"quant", "Q4_K_M"}, {"device", "rtx-4090"}, {"ctx", 32768}};
            const std::string json = wif::estimate_json(wif_fuzz::catalog(), request.dump());
            if (!nlohmann::json::accept(json)) __builtin_trap();
        }
    }
    return 0;
}
