// The answer to "will it fit?", shared by every workload (inference, training, serving).
#pragma once

#include <cstdint>

namespace wif {

enum class Verdict : std::uint8_t { fits, fits_with_offload, does_not_fit };
const char* verdict_name(Verdict verdict);

}  // namespace wif
