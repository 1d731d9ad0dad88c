// Request JSON, the wasm `estimate` entry point and the page's form (estimate_json).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "present/answer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 256 * 1024) return 0;
    const std::string text(reinterpret_cast<const char*>(data), size);
    const std::string json = wif::estimate_json(wif_fuzz::catalog(), text);
    if (!nlohmann::json::accept(json)) __builtin_trap();
    return 0;
}
