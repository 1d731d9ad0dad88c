// Every catalog model x format x device at one context: the benchmark of the whole core and the
// parity check between the native and WebAssembly builds.
#pragma once

#include <cstdint>
#include <vector>

#include "facts/catalog.hpp"
#include "base/units.hpp"

namespace wif {

// One combination. Requirements are computed once per device class (same engine, backend, kind
// and vLLM size class) with the same functions estimate_inference uses, then placed on each device.
struct SweepRow {
    std::uint16_t model = 0, quant = 0, device = 0;
    std::int8_t verdict = -1;  // Verdict, or -1 when the combination cannot run
    bytes_t gpu_bytes = 0;
    std::int64_t gpu_layers = 0;
};

struct SweepResult {
    std::vector<SweepRow> rows;
    std::int64_t fits = 0, offload = 0, no = 0, unsupported = 0;
    std::int64_t combinations() const { return fits + offload + no + unsupported; }
};

// `keep_rows` keeps every combination's row (the parity check); counting alone skips them.
SweepResult sweep_catalog(const Catalog& catalog, std::int64_t context, bool keep_rows = true);

}  // namespace wif
