// Training options read from a JSON object (the page's form, the CLI's flags turned into JSON).
#pragma once

#include <string>

#include "base/expected.hpp"
#include "base/json_fields.hpp"
#include "workloads/training.hpp"

namespace wif {

// Reads the snake_case keys method, optimizer, precision, batch, seq, checkpointing (true/false or
// "none"|"selective"|"full"), attention ("flash"|"eager"), lora_rank, lora_alpha, lora_targets
// ("all"|"attn"|"q,k,v,..." or an array of names), double_quant, chunked_loss,
// optimizer_in_backward, zero (0|1|2|3|"fsdp", or the
// names none/zero1/.../fsdp), offload_optimizer, count, tokens (a number or "2T", "500B", "20M"),
// mfu, price, outlet_watts. Absent keys keep TrainingOptions' defaults, except that QLoRA
// defaults to paged_adamw8bit (as the QLoRA paper and its HF examples configure it).
// Errors (code invalid_training_request) name the key and the allowed values.
Expected<TrainingOptions> training_options_from_json(const Json& object);

// "2T", "500B", "1.5e12", "20M" -> a token count (1 to 1e16).
Expected<double> parse_token_count(const std::string& text);

}  // namespace wif
