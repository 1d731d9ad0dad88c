// config.json import (`--hf-config`, a file dropped on the page), then the KV cache and the
// whole estimate for the architecture it gives, so absurd but valid configs reach the arithmetic.
#include <cstddef>
#include <cstdint>
#include <string>

#include "facts/hf_config.hpp"
#include "facts/kv_cache.hpp"
#include "fuzz_common.hpp"
#include "present/answer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 256 * 1024) return 0;
    const std::string text(reinterpret_cast<const char*>(data), size);
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
