#include "present/explain.hpp"

#include <cmath>

namespace wif {

namespace {

std::string fmt(bytes_t b, Units u) { return format_bytes(b, u); }

std::string device_phrase(const Device& d, int count) {
    const std::string memory = format_sig3(d.memory_gib) + " GB";
    if (d.id.rfind("custom-", 0) == 0) return count > 1 ? std::to_string(count) + " x " + memory + " GPUs" : d.name;
    if (count > 1) return std::to_string(count) + " x " + d.name + " (" + memory + " each)";
    return d.name_says_size() ? "the " + d.name : "the " + d.name + " (" + memory + ")";
}

std::string element_bytes_text(KvType t) {
    switch (t) {
        case KvType::f32: return "4 bytes";
        case KvType::f16: case KvType::bf16: return "2 bytes";
        case KvType::fp8: return "1 byte";
        default: {
            const double per = static_cast<double>(kv_row_bytes(t, 32)) / 32.0;
            return format_fixed(per, 4) + " bytes";
        }
    }
}

std::string weights_sentence(const PreparedModel& m, const Estimate& e, Units u) {
    // A text-only engine never loads the vision tower: describe the weights it does load.
    const bool drop_vision = engine_is_text_only(e.engine) && e.weights.vision > 0 && m.arch.vision_params < e.weights.params;
    const std::int64_t count = e.weights.params - (drop_vision ? m.arch.vision_params : 0);
    const bytes_t total = e.weights.total - (drop_vision ? e.weights.vision : 0);
    const double bits = drop_vision ? static_cast<double>(total) * 8.0 / static_cast<double>(count) : e.weights.bits_per_weight;
    const std::string params = format_params(count) + (drop_vision ? " text" : "");
    const QuantSpec& q = e.quant;
    std::string s;
    if (q.family == QuantFamily::dtype) {
        std::string bpp = format_sig3(q.bytes_per_param);
        s = params + " parameters x " + bpp + (q.bytes_per_param == 1 ? " byte" : " bytes") + " (" + q.id + ") = " +
            fmt(total, u) + " of weights";
    } else if (q.family == QuantFamily::gguf) {
        s = params + " parameters in " + q.id + " (llama.cpp's per-tensor mix averages " +
            format_fixed(bits, 2) + " bits per weight) = " + fmt(total, u) + " of weights";
    } else {
        s = params + " parameters in " + q.name + " (" + format_fixed(bits, 2) +
            " bits per weight with its scales) = " + fmt(total, u) + " of weights";
    }
    if (m.arch.is_moe()) {
        s += "; all " + std::to_string(m.arch.num_experts) + " experts stay in memory although each token uses " +
             std::to_string(m.arch.num_experts_per_tok) + " (" + format_params(m.params.active) + " active parameters)";
    }
    return s;
}

std::string kv_sentence(const ModelArch& a, const Estimate& e, Units u) {
    const KvCache& kv = e.kv;
    const std::string per = element_bytes_text(e.kv_type) + " (" + kv_type_name(e.kv_type) + ")";
    std::string s = "KV cache: ";
    if (a.attention == AttentionKind::mla && kv.v_elements == 0) {
        s += std::to_string(kv.full_layers) + " layers x " + format_int(kv.k_elements) +
             " latent values (MLA keeps one compressed vector per token) x " + per + " x " + format_int(kv.cells_full) +
             " tokens";
    } else {
        const std::string heads = a.attention == AttentionKind::mla
                                      ? format_int(kv.k_elements + kv.v_elements) + " values per token"
                                      : std::to_string(a.num_key_value_heads) + " KV heads x " +
                                            std::to_string(a.head_dim) + " dims x 2 (K and V)";
        s += std::to_string(kv.full_layers) +
             (kv.swa_layers > 0 ? " full-attention layers x " : kv.recurrent_layers > 0 ? " attention layers x " : " layers x ") + heads +
             " x " + per + " x " + format_int(kv.cells_full) + " tokens";
        if (kv.swa_layers > 0 && a.chunked_attention) {
            s += " + " + std::to_string(kv.swa_layers) + " chunked-attention layers that keep only " +
                 format_int(kv.cells_swa) + " tokens (chunks of " + format_int(a.sliding_window) + ")";
        } else if (kv.swa_layers > 0) {
            s += " + " + std::to_string(kv.swa_layers) + " sliding-window layers that keep only " +
                 format_int(kv.cells_swa) + " tokens (window " + format_int(a.sliding_window) + ")";
        }
    }
    if (e.sequences > 1) s += " (" + std::to_string(e.sequences) + " sequences of " + format_int(e.context) + ")";
    if (kv.state_bytes > 0) {
        s += " + recurrent state of " + std::to_string(kv.recurrent_layers) + " " + recurrent_kind_name(a.recurrent) +
             " layers: " + format_int(kv.conv_elements + kv.ssm_elements) + " values (" +
             (kv.conv_type == kv.ssm_type ? std::string(kv_type_name(kv.ssm_type))
                                          : std::string("convolution in ") + kv_type_name(kv.conv_type) + ", scan state in " + kv_type_name(kv.ssm_type)) +
             ") per layer and sequence, the same at any context (" + fmt(kv.state_bytes, u) + ")";
    }
    s += " = " + fmt(kv.total, u);
    return s;
}

}  // namespace

std::string borderline_words(const Band& b, double usable, Units u, const std::string& what, bool entirely) {
    if (!(b.low <= usable && usable < b.high)) return "";
    const bool fits = b.value <= usable;
    return "Borderline: " + what + " may lie anywhere from " + fmt(round_bytes(b.low), u) + " to " + fmt(round_bytes(b.high), u) + " (" +
           band_plus_minus(b) + "), which straddles the " + fmt(round_bytes(usable), u) + " usable, so it " +
           (fits ? "fits by the estimate but may not" : entirely ? "does not fit entirely by the estimate but may" : "does not fit by the estimate but may") + ". " + b.basis + ".";
}

void explain_estimate(Estimate& e, const PreparedModel& m, const Device& d, const InferenceOptions& o, const EstimateBands& bands) {
    const ModelArch& a = m.arch;
    const Units u = o.units;
    const bool cpu_only = d.kind == DeviceKind::cpu;
    const bool ggml = e.engine == Engine::llama_cpp || e.engine == Engine::ollama;
    {
        UsableOptions uo = o.usable;
        if (e.engine == Engine::vllm) uo.gpu_memory_utilization = o.gpu_memory_utilization;
        const UsableMemory um = usable_memory(d, uo);
        e.usable_rule = um.rule;
        e.usable_source = um.source;
    }

    // The arithmetic, starting from what people already know.
    const std::string dev = device_phrase(d, o.gpu_count);
    const std::string model_name = m.name;
    std::string first = "Weights: " + weights_sentence(m, e, u);
    if (!cpu_only && e.weights_bytes - e.cpu_moe_bytes > e.usable_bytes) {  // experts kept in RAM (--n-cpu-moe) are not the GPU's
        first += ", already more than the " + fmt(e.usable_bytes, u) + " that " + dev + " can use";
    } else if (cpu_only && e.weights_bytes > e.usable_bytes) {
        first += ", already more than the " + fmt(e.usable_bytes, u) + " of RAM available";
    }
    e.explanation.push_back(first + ".");
    e.explanation.push_back("+ " + kv_sentence(a, e, u) + ".");
    std::string host_list;
    for (const LineItem& item : e.items) {
        if (item.category == ItemCategory::weights || item.category == ItemCategory::kv_cache) {
            if (item.location == Location::host && !cpu_only) {
                host_list += (host_list.empty() ? "" : ", ") + item.label + " " + fmt(item.bytes, u);
            }
            continue;
        }
        if (item.location == Location::host && !cpu_only) {
            host_list += (host_list.empty() ? "" : ", ") + item.label + " " + fmt(item.bytes, u);
            continue;
        }
        e.explanation.push_back("+ " + item.label + ": " + fmt(item.bytes, u) + ".");
    }
    const std::string needed = fmt(cpu_only ? e.total_bytes : e.gpu_bytes, u);
    const std::string where = cpu_only ? "in RAM" : (d.kind == DeviceKind::unified ? "for the GPU" : (o.gpu_count > 1 ? "on the GPUs" : "on the GPU"));
    std::string total = "= " + needed + " needed " + where + " vs " + fmt(e.usable_bytes, u) + " usable on " + dev + " (" +
                        e.usable_rule + ")";
    if (e.headroom_bytes >= 0) total += ": fits with " + fmt(e.headroom_bytes, u) + " to spare.";
    else total += ": " + fmt(-e.headroom_bytes, u) + " short.";
    e.explanation.push_back(total);
    if (bands.memory) {
        const Band& b = *bands.memory;
        const std::string range = fmt(round_bytes(b.low), u) + " to " + fmt(round_bytes(b.high), u);
        if (bands.borderline) {
            e.explanation.push_back(borderline_words(b, static_cast<double>(e.usable_bytes), u, "the memory needed " + where,
                                                     !cpu_only && engine_can_offload(e.engine)));
        } else {
            e.explanation.push_back("Error band " + band_plus_minus(b) + ": the memory needed " + where + " is likely " + range + ". " + b.basis + ".");
        }
    }
    if (!host_list.empty()) e.explanation.push_back("System RAM also holds: " + host_list + ".");
    if (e.verdict == Verdict::fits_with_offload) {
        const std::int64_t cpu_layers = e.total_layers - e.gpu_layers;
        {
            e.explanation.push_back(std::string(engine_name(e.engine)) + " can keep " + std::to_string(e.gpu_layers) + " of " +
                                    std::to_string(e.total_layers) + " layers on the GPU" +
                                    (ggml ? " (-ngl " + std::to_string(e.gpu_layers) + ")" : std::string()) + " and run the other " +
                                    std::to_string(cpu_layers) + " (" + fmt(e.offloaded_bytes, u) + ") " +
                                    (d.kind == DeviceKind::unified
                                         ? "on the CPU, in the same unified memory (" + fmt(e.system_usable_bytes, u) +
                                               " usable by programs in all); those layers run at CPU speed."
                                         : "from system RAM (" + fmt(e.system_ram_bytes, u) + (o.system_ram > 0 ? "" : " assumed") +
                                               "); those layers run at system-RAM speed."));
        }
    } else if (e.verdict == Verdict::does_not_fit && !cpu_only && engine_can_offload(e.engine) && d.kind == DeviceKind::unified) {
        // One pool of memory: what the GPU cannot wire, the CPU side shares with everything else.
        e.explanation.push_back("Running layers on the CPU would not help: the CPU and the GPU share the same " +
                                fmt(e.system_ram_bytes, u) + " of unified memory, and " + fmt(e.system_usable_bytes, u) +
                                " of it is all that programs may use.");
    } else if (e.verdict == Verdict::does_not_fit && !cpu_only && engine_can_offload(e.engine)) {
        e.explanation.push_back("Offloading layers to system RAM would not help: " + fmt(e.system_ram_bytes, u) +
                                " of RAM" + (o.system_ram > 0 ? "" : " (assumed)") + " cannot hold the rest.");
    } else if (e.verdict == Verdict::does_not_fit && !cpu_only && (e.engine == Engine::transformers || e.engine == Engine::vllm)) {
        e.explanation.push_back(std::string(engine_name(e.engine)) +
                                (e.engine == Engine::vllm ? " could stream weights from system RAM (--cpu-offload-gb)"
                                                          : " could offload layers to system RAM (device_map=\"auto\")") +
                                ", but every token would then copy them over PCIe: far too slow to count as fitting.");
    } else if (e.verdict == Verdict::does_not_fit && !cpu_only) {
        e.explanation.push_back(std::string(engine_name(e.engine)) + " keeps the whole model in GPU memory; it cannot offload layers.");
    }

    std::string verdict_words = e.verdict == Verdict::fits ? "Fits" : e.verdict == Verdict::fits_with_offload ? "Fits with CPU offload" : "Does not fit";
    if (bands.borderline) {
        verdict_words = "Borderline (" + std::string(e.verdict == Verdict::fits ? "fits" : e.verdict == Verdict::fits_with_offload ? "fits with CPU offload" : "does not fit") +
                        " by the estimate)";
    }
    const std::string needed_band = bands.memory ? needed + " " + band_plus_minus(*bands.memory) : needed;
    const std::string layers_band = bands.layers ? " (" + band_plus_minus(*bands.layers) + ")" : "";
    // Memory is sold in binary units: say once, where the numbers meet, why an "8 GB" card can use
    // 8.59 GB (JEDEC: a "24 GB" card holds 24 GiB).
    const bool binary_gap = u == Units::gb && d.memory_gib > 0 && d.id.rfind("custom-", 0) != 0 &&
                            std::fabs(d.memory_gib * 1e9 - static_cast<double>(d.memory_bytes())) > 1e6;
    std::string sold;
    if (binary_gap) {
        const std::string size = format_sig3(d.memory_gib);
        const std::string what = cpu_only ? size + " GB of RAM" : o.gpu_count > 1 ? size + " GB cards" : (size[0] == '8' || size == "11" || size == "18" ? "an " : "a ") + size + " GB " + (d.kind == DeviceKind::unified ? "machine" : "card");
        sold = " (" + what + ": " + size + " GiB = " + fmt(d.memory_bytes(), u) + (o.gpu_count > 1 ? " each" : "") + ")";
    }
    const std::string dev_named = binary_gap ? (o.gpu_count > 1 ? std::to_string(o.gpu_count) + " x " + d.name : "the " + d.name) : dev;
    e.headline = verdict_words + ": " + model_name + " in " + e.quant.id + " needs " + needed_band + (cpu_only ? " of RAM" : "") +
                 "; " + dev_named + " can use " + fmt(e.usable_bytes, u) + sold + ".";
    if (e.verdict == Verdict::fits_with_offload) {
        e.headline = verdict_words + ": " + std::to_string(e.gpu_layers) + layers_band + " of " + std::to_string(e.total_layers) +
                     " layers of " + model_name + " (" + e.quant.id + ") on " + dev + ", the rest in system RAM.";
    }
    if (!d.id.empty() && d.kind == DeviceKind::gpu && d.id.rfind("custom-", 0) != 0 && d.segment != "datacenter") {
        e.assumptions.push_back("no memory reserved for a display or other programs (add reserve if this GPU drives your screen)");
    }
    e.assumptions.push_back("usable memory: " + e.usable_rule);
    if (u == Units::gb) {
        // Memory is sold in binary units (JEDEC): a "24 GB" card holds 24 GiB, which is 25.8 GB of 10^9 bytes.
        e.assumptions.push_back("GB here means 10^9 bytes; memory sold as " + format_sig3(d.memory_gib) + " GB holds " +
                                format_sig3(d.memory_gib) + " GiB = " + fmt(d.memory_bytes(), u) + " (switch to GiB to count in 2^30 bytes)");
    }
    if (!cpu_only && d.kind == DeviceKind::gpu && o.system_ram == 0 && e.verdict != Verdict::fits) {
        e.assumptions.push_back("system RAM: " + fmt(e.system_ram_bytes, u) + " (typical for a " + d.segment + " machine; set ram to change)");
    }
    if (e.engine == Engine::transformers) e.assumptions.push_back("the prompt fills the context and is prefilled at once (transformers generate)");
}

}  // namespace wif
