#include "present/speed_json.hpp"

#include <cmath>

namespace wif {

namespace {

// Rates for people: "12", "1.3", "0.42", "1,234".
std::string rate(double v) {
    if (!std::isfinite(v) || v <= 0) return "0";
    if (v >= 1000) return format_int(static_cast<std::int64_t>(std::llround(v)));
    if (v >= 10) return format_fixed(v, 0);
    if (v >= 1) return format_fixed(v, 1);
    return format_sig3(v);
}

std::string percent(double fraction) { return format_fixed(fraction * 100.0, 0) + "%"; }

std::string seconds(double s) {
    if (s >= 1) return format_sig3(s) + " s";
    return format_sig3(s * 1000.0) + " ms";
}

}  // namespace

void write_speed(JsonWriter& j, const SpeedEstimate& s) {
    j.begin_object();
    j.field("decode_tps", s.decode_tps);
    j.field("prefill_tps", s.prefill_tps);
    j.field("time_to_first_token_s", s.time_to_first_token_s);
    j.field("prompt_tokens", s.prompt_tokens);
    j.field("depth", s.depth);
    j.field("bandwidth_efficiency", s.bandwidth_efficiency);
    j.field("bandwidth_efficiency_source", s.bandwidth_efficiency_source);
    j.field("compute_efficiency", s.compute_efficiency);
    j.field("compute_efficiency_source", s.compute_efficiency_source);
    j.field("overhead_per_layer_s", s.overhead_per_layer_s);
    j.field("bytes_per_token", s.bytes_per_token);
    j.field("gpu_bytes_per_token", s.gpu_bytes_per_token);
    j.field("host_bytes_per_token", s.host_bytes_per_token);
    j.field("kv_bytes_per_token", s.kv_bytes_per_token);
    j.field("effective_bandwidth_gbs", s.effective_bandwidth_gbs);
    j.field("effective_tflops", s.effective_tflops);
    j.field("bound", speed_bound_name(s.decode_bound));
    j.field("prefill_bound", speed_bound_name(s.prefill_bound));
    j.field("cpu_only_decode_tps", s.cpu_only_decode_tps);
    j.field("cpu_only_prefill_tps", s.cpu_only_prefill_tps);
    j.field("speedup_vs_cpu", s.cpu_only_decode_tps > 0 ? s.decode_tps / s.cpu_only_decode_tps : 0.0);
    j.field("gpu_layers", s.gpu_layers);
    j.field("total_layers", s.total_layers);
    j.field("system_ram_bandwidth_gbs", s.system_ram_bandwidth_gbs);
    j.field("system_ram_source", s.system_ram_source);
    j.key("parts").begin_array();
    for (const SpeedPart& p : s.parts) {
        j.begin_object();
        j.field("where", p.where);
        j.field("label", p.label);
        j.field("layers", p.layers);
        j.field("weight_bytes", p.weight_bytes);
        j.field("kv_bytes", p.kv_bytes);
        j.field("peak_bandwidth_gbs", p.peak_bandwidth_gbs);
        j.field("bandwidth_efficiency", p.bandwidth_efficiency);
        j.field("seconds", p.seconds);
        j.field("overhead_seconds", p.overhead_seconds);
        j.end_object();
    }
    j.end_array();
    j.field("assumptions", s.assumptions);
    j.end_object();
}

void write_serving(JsonWriter& j, const ServingEstimate& s) {
    j.begin_object();
    j.field("gpu_count", s.gpu_count);
    j.field("gpu_memory_utilization", s.gpu_memory_utilization);
    j.field("total_bytes", s.total_bytes);
    j.field("requested_bytes", s.requested_bytes);
    j.field("weights_bytes", s.weights_bytes);
    j.field("activation_peak_bytes", s.activation_peak_bytes);
    j.field("non_torch_bytes", s.non_torch_bytes);
    j.field("kv_budget_bytes", s.kv_budget_bytes);
    j.field("block_size", s.block_size);
    j.field("kv_bytes_per_token", s.kv_bytes_per_token);
    j.field("num_blocks", s.num_blocks);
    j.field("kv_tokens", s.kv_tokens);
    j.field("max_model_len", s.max_model_len);
    j.field("max_concurrency", s.max_concurrency);
    j.field("max_sequences", s.max_sequences);
    j.field("log_line", s.log_line);
    j.field("fits", s.fits);
    j.field("batch", s.batch);
    j.field("step_seconds", s.step_seconds);
    j.field("aggregate_decode_tps", s.aggregate_decode_tps);
    j.field("per_sequence_decode_tps", s.per_sequence_decode_tps);
    j.field("single_stream_decode_tps", s.single_stream_decode_tps);
    j.field("bound", s.bound);
    j.field("bandwidth_efficiency", s.bandwidth_efficiency);
    j.field("compute_efficiency", s.compute_efficiency);
    j.field("efficiency_source", s.efficiency_source);
    j.field("notes", s.notes);
    j.end_object();
}

std::string speed_headline(const SpeedEstimate& s) { return "about " + speed_rate(s); }

std::string speed_rate(const SpeedEstimate& s) { return rate(s.decode_tps) + " tokens/s"; }

std::string speedup_words(const SpeedEstimate& s) {
    if (s.gpu_layers <= 0 || s.cpu_only_decode_tps <= 0) return "";
    const double x = s.decode_tps / s.cpu_only_decode_tps;
    return format_fixed(x, x >= 10 ? 0 : 1) + "x faster than the CPU alone";
}

std::vector<std::string> explain_speed(const SpeedEstimate& s, Units units) {
    std::vector<std::string> out;
    std::string head = "Decode: " + speed_headline(s);
    const std::string faster = speedup_words(s);
    if (!faster.empty()) head += ", " + faster + " (" + rate(s.cpu_only_decode_tps) + " tokens/s)";
    out.push_back(head + ".");
    std::string read = "Each token reads " + format_bytes(s.bytes_per_token, units);
    read += s.moe ? " (the shared weights and only the active experts: " + format_params(s.active_params) + " of " +
                        format_params(s.total_params) + " parameters)"
                  : " (every layer's weights and the output head; the input embedding is only looked up)";
    if (s.kv_bytes_per_token > 0) read += ", of which " + format_bytes(s.kv_bytes_per_token, units) + " KV cache at " + format_int(s.depth) + " tokens of context";
    out.push_back(read + ".");
    for (const SpeedPart& p : s.parts) {
        out.push_back("  " + p.label + ": " + std::to_string(p.layers) + " of " + std::to_string(s.total_layers) + " layers, " +
                      format_bytes(p.weight_bytes + p.kv_bytes, units) + " at " + percent(p.bandwidth_efficiency) + " of " +
                      format_sig3(p.peak_bandwidth_gbs) + " GB/s + " + seconds(p.overhead_seconds) + " of kernel launches = " +
                      seconds(p.seconds) + " per token.");
    }
    if (s.parts.size() > 1) out.push_back("  The parts run one after another, so their times add.");
    out.push_back("Bandwidth efficiency " + percent(s.bandwidth_efficiency) + ": " + s.bandwidth_efficiency_source + ".");
    out.push_back("Prefill: about " + rate(s.prefill_tps) + " tokens/s (" + format_int(s.prompt_tokens) + "-token prompt, first token after " +
                  seconds(s.time_to_first_token_s) + "), " + speed_bound_name(s.prefill_bound) + "-bound at " +
                  format_sig3(s.effective_tflops) + " effective TFLOPS (" + percent(s.compute_efficiency) + ": " + s.compute_efficiency_source + ").");
    for (const std::string& a : s.assumptions) out.push_back("Assumed: " + a + ".");
    return out;
}

std::vector<std::string> explain_serving(const ServingEstimate& s, Units units) {
    std::vector<std::string> out;
    out.push_back("KV cache budget: " + format_bytes(s.requested_bytes, units) + " (" + format_sig3(s.gpu_memory_utilization) + " of " +
                  format_bytes(s.total_bytes, units) + ") - weights " + format_bytes(s.weights_bytes, units) + " - activation peak " +
                  format_bytes(s.activation_peak_bytes, units) + " - non-torch " + format_bytes(s.non_torch_bytes, units) + " = " +
                  format_bytes(s.kv_budget_bytes, units) + ".");
    out.push_back(format_int(s.num_blocks) + " blocks of " + std::to_string(s.block_size) + " tokens at " +
                  format_bytes(s.kv_bytes_per_token, units) + " per token = " + format_int(s.kv_tokens) + " tokens.");
    out.push_back(s.log_line + " (" + format_int(s.max_sequences) + " full-length requests at once).");
    out.push_back("Decode with " + format_int(s.batch) + " streams: about " + rate(s.aggregate_decode_tps) + " tokens/s in all, " +
                  rate(s.per_sequence_decode_tps) + " per stream (" + s.bound + "-bound; one stream alone: " + rate(s.single_stream_decode_tps) +
                  " tokens/s) [" + s.efficiency_source + "].");
    for (const std::string& n : s.notes) out.push_back("Note: " + n + ".");
    return out;
}

}  // namespace wif
