// Speed and serving answers as JSON and in plain words, written from the finished numbers.
#pragma once

#include <string>
#include <vector>

#include "base/json_writer.hpp"
#include "workloads/serving.hpp"
#include "workloads/speed.hpp"

namespace wif {

// One JSON object: decode_tps, prefill_tps, time_to_first_token_s, prompt_tokens, depth,
// bandwidth_efficiency, bandwidth_efficiency_source, compute_efficiency, compute_efficiency_source,
// bytes_per_token, gpu_bytes_per_token, host_bytes_per_token, kv_bytes_per_token,
// effective_bandwidth_gbs, bound, prefill_bound, cpu_only_decode_tps, speedup_vs_cpu,
// gpu_layers, total_layers, system_ram_bandwidth_gbs, parts [...], assumptions [...].
void write_speed(JsonWriter& json, const SpeedEstimate& speed);

// One JSON object: gpu_count, gpu_memory_utilization, total_bytes, requested_bytes, weights_bytes,
// activation_peak_bytes, non_torch_bytes, kv_budget_bytes, block_size, kv_bytes_per_token,
// num_blocks, kv_tokens, max_model_len, max_concurrency, max_sequences, log_line, fits, batch,
// aggregate_decode_tps, per_sequence_decode_tps, single_stream_decode_tps, bound, notes [...].
void write_serving(JsonWriter& json, const ServingEstimate& serving);

// "about 12 tokens/s" (two significant figures above 10, one decimal below).
std::string speed_headline(const SpeedEstimate& speed);
// "12 tokens/s": the decode rate alone.
std::string speed_rate(const SpeedEstimate& speed);
// "1.3x faster than the CPU alone", or "" when every layer is already on the CPU.
std::string speedup_words(const SpeedEstimate& speed);

std::vector<std::string> explain_speed(const SpeedEstimate& speed, Units units = Units::gb);
std::vector<std::string> explain_serving(const ServingEstimate& serving, Units units = Units::gb);

}  // namespace wif
