// "What would fit": the same estimate swept over formats, devices and context lengths, and the
// suggestions drawn from those sweeps.
#pragma once

#include <cstdint>
#include <string>
#include <optional>
#include <vector>

#include "facts/catalog.hpp"
#include "pipeline/estimate.hpp"
#include "request/request.hpp"
#include "workloads/speed.hpp"

namespace wif {

struct Option {
    std::string id;       // quant, device or model id
    std::string name;
    std::string engine;
    Verdict verdict = Verdict::does_not_fit;
    bytes_t gpu_bytes = 0;
    bytes_t total_bytes = 0;
    bytes_t usable_bytes = 0;
    bytes_t weights_bytes = 0;
    std::int64_t gpu_layers = 0;
    std::int64_t total_layers = 0;
    double bits_per_weight = 0;
    std::int64_t params = 0;  // model options: the model's parameter count
    std::string kind;         // device options: gpu | unified | cpu
    std::string error;    // set when this combination cannot run at all (format needs CUDA, ...)
};

// The one "change one setting and estimate again" step every suggestion and search uses: the
// request's estimate with the format, device, context or device count replaced (numbers only).
struct Variant {
    const QuantSpec* quant = nullptr;   // another format (the engine follows it, unless requested and able)
    const Device* device = nullptr;     // another device
    std::int64_t context = 0;           // another context (0: as requested)
    int count = 0;                      // another device count (0: as requested)
    std::optional<KvType> kv_type = std::nullopt;  // another KV-cache type
    const WeightBreakdown* weights = nullptr;  // precomputed weights for the format the engine loads
    std::int64_t n_cpu_moe = 0;         // routed experts of the first N layers in system RAM (llama.cpp; 0: as requested)
};
Expected<Estimate> estimate_variant(const ResolvedRequest& request, const Variant& variant);

// The searches over one monotone setting: the largest value in [lo, hi] for which `fits` holds
// (0 when not even lo does), and the smallest (0 when not even hi does). Binary search: the
// settings searched (context, device count) only ever need more memory as they grow, or less.
template <class Fits>
std::int64_t largest_that_fits(std::int64_t lo, std::int64_t hi, Fits fits) {
    if (lo > hi || !fits(lo)) return 0;
    if (fits(hi)) return hi;
    while (hi - lo > 1) {  // fits(lo) holds, fits(hi) does not
        const std::int64_t mid = lo + (hi - lo) / 2;
        if (fits(mid)) lo = mid;
        else hi = mid;
    }
    return lo;
}
template <class Fits>
std::int64_t smallest_that_fits(std::int64_t lo, std::int64_t hi, Fits fits) {
    if (lo > hi || !fits(hi)) return 0;
    if (fits(lo)) return lo;
    while (hi - lo > 1) {  // fits(hi) holds, fits(lo) does not
        const std::int64_t mid = lo + (hi - lo) / 2;
        if (fits(mid)) hi = mid;
        else lo = mid;
    }
    return hi;
}

// Whether more devices of this kind can share the model (engines that split layers across GPUs).
bool can_add_devices(const ResolvedRequest& request, Engine engine);

// Fewest devices of the request's kind (1..64) that hold the model entirely; 0 when none do.
int devices_needed(const ResolvedRequest& request);

// Every catalog model in the request's format on its device ("what can I run on this?"),
// largest first among those that fit.
std::vector<Option> model_options(const Catalog& catalog, const ResolvedRequest& request);

// Every catalog format for the request's model on its device (engine as the format implies,
// unless the request named one that can load it).
std::vector<Option> quant_options(const Catalog& catalog, const ResolvedRequest& request);

// Every catalog device for the request's model and format (one of each).
std::vector<Option> device_options(const Catalog& catalog, const ResolvedRequest& request);

// A model with no device ("13b", "how much memory does llama 3.1 70b need"): what it needs in the
// common formats (its 16-bit checkpoint, Q8_0, Q4_K_M) at the request's context, and the smallest
// catalog GPU, Mac and CPU machine that hold it entirely in each.
struct SizeRow {
    std::string quant;             // catalog format id
    bytes_t weights_bytes = 0;
    bytes_t total_bytes = 0;       // on the smallest GPU that holds it (that engine's buffers included)
    std::vector<Option> smallest;  // at most one per device kind, GPUs first
};
std::vector<SizeRow> model_sizes(const Catalog& catalog, const ResolvedRequest& request);

// Largest context (a multiple of 256, up to the model's maximum) that fits entirely in GPU
// memory; 0 when not even 256 tokens do.
std::int64_t largest_context(const ResolvedRequest& request);

struct CurvePoint {
    std::int64_t ctx = 0;
    bytes_t weights_bytes = 0, kv_cache_bytes = 0, compute_bytes = 0, overhead_bytes = 0, gpu_bytes = 0;
};
// Memory against context from 256 tokens to the model's maximum, `points` samples.
std::vector<CurvePoint> context_curve(const ResolvedRequest& request, int points);

struct Suggestion {
    std::string kind;  // quant | context | count | offload
    std::string text;
    std::string quant;
    std::string engine;
    std::int64_t ctx = 0;
    int count = 0;
    std::int64_t n_cpu_moe = 0;  // offload: llama.cpp --n-cpu-moe N (0: layers offloaded instead)
    bytes_t gpu_bytes = 0;
};

// The solver: setups of the request's model on its device (format x KV-cache type, at the
// requested context and device count; for a mixture of experts on a GPU that cannot hold it, also
// llama.cpp's --n-cpu-moe with the fewest layers' experts in system RAM that lets every layer on
// the GPU) that run, each with its placement and expected speed,
// fastest first; `best` is the highest-quality setup at or above `min_speed` tokens/s (the fastest
// when none reaches it), -1 when nothing runs.
struct Setup {
    std::string quant;
    std::string engine;
    std::string kv_type;
    double bits_per_weight = 0;
    Verdict verdict = Verdict::does_not_fit;
    std::int64_t gpu_layers = 0, total_layers = 0;
    std::int64_t n_cpu_moe = 0;  // llama.cpp --n-cpu-moe N: the experts of the first N layers in system RAM (0: none)
    bytes_t gpu_bytes = 0, ram_bytes = 0, usable_bytes = 0;
    double decode_tps = 0, prefill_tps = 0;
};
struct Solution {
    std::vector<Setup> setups;
    int best = -1;
    double min_speed = 0;
};
// The speed a setup must reach to be called usable when nobody says: about the pace people read
// at (5 tokens/s is ~4 words a second); the CLI's fit --min-speed and the page both start from it.
inline constexpr double kDefaultMinSpeed = 5;
Solution solve(const Catalog& catalog, const ResolvedRequest& request, double min_speed);

std::vector<Suggestion> suggestions(const Catalog& catalog, const ResolvedRequest& request, const Estimate& estimate,
                                    std::int64_t max_context);

}  // namespace wif
