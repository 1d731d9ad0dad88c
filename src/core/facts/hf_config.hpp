// Hugging Face config.json -> ModelArch.
//
// Reads the keys transformers uses for each model_type (Llama, Mistral/Mixtral, Qwen2/2.5/3
// and their MoE variants, Gemma 2/3, Phi-3/3.5/4, DeepSeek-V2/V3, gpt-oss, Llama 4, Cohere,
// StarCoder2, ...) and the hybrids with a recurrent state (Qwen3-Next, GraniteMoeHybrid,
// Nemotron-H, Falcon-H1), applies transformers' defaults for absent keys, and descends into
// text_config for multimodal checkpoints.
#pragma once

#include <string>

#include "facts/architecture.hpp"
#include "base/expected.hpp"
#include "base/json_fields.hpp"

namespace wif {

// `where` names the source in error messages ("config.json", "models.json: models[3]").
// `prefix` is the path of the config object inside it ("config").
Expected<ModelArch> arch_from_hf_config(const Json& config, const std::string& where, const std::string& prefix = "");

// Same, from config.json text.
Expected<ModelArch> arch_from_hf_config_text(const std::string& text, const std::string& where);

}  // namespace wif
