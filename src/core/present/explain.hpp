// The arithmetic of an estimate in plain words: headline, explanation lines, assumptions.
// Kept apart from the numbers (estimate.cpp) so the hot numeric code can be built for speed and
// this text-heavy code for size.
#pragma once

#include "advice/bands.hpp"
#include "pipeline/estimate.hpp"

namespace wif {

// The error bands an answer carries (advice/bands.hpp), for the words: the memory band beside the
// memory needed, the layer band beside the layers on the GPU, and "Borderline" when the memory band
// straddles the usable memory.
struct EstimateBands {
    const Band* memory = nullptr;
    const Band* layers = nullptr;
    bool borderline = false;
};

void explain_estimate(Estimate& estimate, const PreparedModel& model, const Device& device, const InferenceOptions& options,
                      const EstimateBands& bands = {});

// "Borderline: 14.6-15.8 GB (± 4%) straddles the 15.5 GB usable ..." (empty when not borderline).
// `entirely`: a miss could still run with layers offloaded ("does not fit entirely").
std::string borderline_words(const Band& band, double usable_bytes, Units units, const std::string& what, bool entirely = false);

}  // namespace wif
