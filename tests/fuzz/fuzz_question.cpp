// The free-text question parser alone (fast: many executions per second).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.hpp"
#include "question/question.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 4096) return 0;  // questions are short; longer inputs only slow the search down
    static const wif::QuestionParser parser(wif_fuzz::catalog());
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)parser.parse(text);
    return 0;
}
