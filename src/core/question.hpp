// Free-text questions ("llama 3.1 70b q4_k_m on 2x 3090") -> an InferenceRequest, with what was
// understood, what was ambiguous (and the candidates), and what was not recognized.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog.hpp"
#include "expected.hpp"
#include "request.hpp"

namespace wif {

struct ParsedQuestion {
    InferenceRequest request;
    std::vector<std::string> understood;   // "model: Llama 3.1 70B", "device: 2 x NVIDIA GeForce RTX 3090"
    std::vector<std::string> ambiguities;  // what could mean several things, the pick and the candidates
    std::vector<std::string> model_candidates;   // catalog ids, when the model was ambiguous
    std::vector<std::string> device_candidates;  // catalog ids, when the device was ambiguous
};

// Fails (with candidates in the message) when no model or no device can be found.
Expected<ParsedQuestion> parse_question(const Catalog& catalog, std::string_view text);

}  // namespace wif
