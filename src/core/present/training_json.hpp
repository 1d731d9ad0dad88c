// A training estimate as JSON and in plain words, written from the finished numbers.
#pragma once

#include <string>
#include <vector>

#include "base/json_writer.hpp"
#include "base/units.hpp"
#include "workloads/sparsity.hpp"
#include "workloads/training.hpp"

namespace wif {

// One object: verdict, headline, explanation, options, memory{..., items[]}, trainable_params,
// total_params, active_params, min_gpus, recommended_sharding, recommended_gpus, time{...},
// cost{...}, power{...}. `model_name` (may be empty) only changes the words.
void write_training(JsonWriter& out, const TrainingEstimate& estimate, Units units = Units::gb,
                    const std::string& model_name = "");

// "Fits: LoRA of Llama 3.1 8B needs 21.3 GB per GPU; the NVIDIA GeForce RTX 4090 can use 25.8 GB."
// The same fields into an object the caller has opened (the answer adds model, device, question).
// `headline` and `explanation`, when given, replace training_headline and explain_training (an
// answer's own, with its error band and "Borderline").
void write_training_fields(JsonWriter& out, const TrainingEstimate& estimate, Units units, const std::string& model_name,
                           const std::string* headline = nullptr, const std::vector<std::string>* explanation = nullptr);

std::string training_headline(const TrainingEstimate& estimate, Units units, const std::string& model_name = "");

// The arithmetic line by line: the four memories, the total against the usable memory, how many
// GPUs, time, cost and power.
std::vector<std::string> explain_training(const TrainingEstimate& estimate, Units units);

// {dense_bytes, csr_bytes, nnz, row_pointer_bytes, index_bytes, value_bytes, saving,
//  break_even_sparsity, csr_smaller}
void write_sparsity(JsonWriter& out, const SparsityEstimate& estimate);

}  // namespace wif
