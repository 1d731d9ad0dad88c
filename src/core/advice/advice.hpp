// "What would fit": the same estimate swept over formats, devices and context lengths, and the
// suggestions drawn from those sweeps.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "facts/catalog.hpp"
#include "pipeline/estimate.hpp"
#include "request/request.hpp"

namespace wif {

struct Option {
    std::string id;       // quant or device id
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
    std::string error;    // set when this combination cannot run at all (format needs CUDA, ...)
};

// Every catalog format for the request's model on its device (engine as the format implies,
// unless the request named one that can load it).
std::vector<Option> quant_options(const Catalog& catalog, const ResolvedRequest& request);

// Every catalog device for the request's model and format (one of each).
std::vector<Option> device_options(const Catalog& catalog, const ResolvedRequest& request);

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
    bytes_t gpu_bytes = 0;
};

std::vector<Suggestion> suggestions(const Catalog& catalog, const ResolvedRequest& request, const Estimate& estimate,
                                    std::int64_t max_context);

}  // namespace wif
