// The arithmetic of an estimate in plain words: headline, explanation lines, assumptions.
// Kept apart from the numbers (estimate.cpp) so the hot numeric code can be built for speed and
// this text-heavy code for size.
#pragma once

#include "pipeline/estimate.hpp"

namespace wif {

void explain_estimate(Estimate& estimate, const PreparedModel& model, const Device& device, const InferenceOptions& options);

}  // namespace wif
