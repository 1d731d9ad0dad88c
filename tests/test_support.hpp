// Shared helpers for the Catch2 tests: the catalogs from the source tree, loaded once.
#pragma once

#include <cstdint>
#include <string>

#include "facts/catalog.hpp"
#include "pipeline/estimate.hpp"

namespace wif::test {

// Reads a file under the source tree (aborts the test run if it is missing).
std::string read_text(const std::string& path);

// models.json, devices.json and quants.json from catalogs/ (with their citation fields).
const Catalog& catalog();

// The catalog model `id`, prepared for estimation (REQUIREs that it exists).
PreparedModel model(const std::string& id);
const Device& device(const std::string& id);
const QuantSpec& quant(const std::string& id);

// A model of `params` parameters in the shape assume_shape gives it (REQUIREs that there is one).
PreparedModel assumed_model(std::int64_t params, const std::string& name = "assumed");

// estimate_inference with the catalog format `quant`; an error fails the test with its message.
Estimate estimate(const PreparedModel& model, const std::string& quant, const Device& device,
                  const InferenceOptions& options = {});

// Default options with the context set to `tokens`.
InferenceOptions with_context(std::int64_t tokens);

// A dense llama-architecture model from the numbers a llama.cpp log prints (n_vocab, n_embd,
// n_ff, n_layer, n_head, n_head_kv); head_dim = n_embd / n_head, untied output.
ModelArch llama_arch(std::int64_t vocab, std::int64_t hidden, std::int64_t ffn, std::int64_t layers,
                     std::int64_t heads, std::int64_t kv_heads);

}  // namespace wif::test
