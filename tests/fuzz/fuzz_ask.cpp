// The whole ask -> answer path, as `willitfit ask --json` and the page's question box run it:
// question parser, request resolution, estimate, advice, JSON writer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.hpp"
#include "present/answer.hpp"
#include "question/question.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 1024) return 0;
    static const wif::QuestionParser parser(wif_fuzz::catalog());
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::string json = wif::ask_json(parser, wif_fuzz::catalog(), text);
    // The answer must be JSON in every case (the page parses it).
    if (!nlohmann::json::accept(json)) __builtin_trap();
    return 0;
}
