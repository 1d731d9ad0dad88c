#include "present/training_json.hpp"

#include "present/items_json.hpp"

#include <cmath>

namespace wif {

namespace {

std::string method_words(TrainMethod m) {
    switch (m) {
        case TrainMethod::full: return "Full fine-tuning";
        case TrainMethod::lora: return "LoRA";
        case TrainMethod::qlora: return "QLoRA";
    }
    return "";
}

std::string sharding_words(Sharding s) {
    switch (s) {
        case Sharding::none: return "DDP (a full copy on every GPU)";
        case Sharding::zero1: return "ZeRO-1 (optimizer states sharded)";
        case Sharding::zero2: return "ZeRO-2 (optimizer states and gradients sharded)";
        case Sharding::zero3: return "ZeRO-3 (weights, gradients and optimizer states sharded)";
        case Sharding::fsdp: return "FSDP (weights, gradients and optimizer states sharded)";
    }
    return "";
}

std::string hours(double h) {
    if (h < 1) return format_sig3(h * 60) + " minutes";
    if (h < 48) return format_sig3(h) + " hours";
    return format_sig3(h / 24) + " days";
}

std::string dollars(double usd) {
    std::string out = "$";
    out += usd >= 1000 ? format_int(static_cast<std::int64_t>(std::llround(usd))) : format_fixed(usd, 2);
    return out;
}

// 8.09e22
std::string sci(double v) {
    if (!(v > 0)) return "0";
    int exp = 0;
    while (v >= 10) { v /= 10; ++exp; }
    while (v < 1) { v *= 10; --exp; }
    return format_fixed(v, 2) + "e" + std::to_string(exp);
}

// 2T, 500B, 20M tokens
std::string token_count(double t) {
    if (t >= 1e12) return format_sig3(t / 1e12) + "T";
    if (t >= 1e9) return format_sig3(t / 1e9) + "B";
    if (t >= 1e6) return format_sig3(t / 1e6) + "M";
    return format_int(static_cast<std::int64_t>(std::llround(t)));
}

const char* strategy_short(Sharding s) { return s == Sharding::none ? "DDP" : s == Sharding::fsdp ? "FSDP" : sharding_name(s); }

std::string watts(double w) { return format_int(static_cast<std::int64_t>(std::llround(w))) + " W"; }

std::string item_sum(const TrainingEstimate& e, TrainCategory c, Units u) {
    std::string s;
    for (const TrainingItem& i : e.items) {
        if (i.category != c || i.location != Location::gpu) continue;
        s += (s.empty() ? "" : "; ") + i.label + ": " + i.formula + " = " + format_bytes(i.bytes, u);
    }
    return s;
}

}  // namespace

std::string training_headline(const TrainingEstimate& e, Units u, const std::string& model_name) {
    std::string what = method_words(e.options.method) + (model_name.empty() ? "" : " of " + model_name);
    const std::string per = e.options.gpu_count > 1 ? " per GPU" : "";
    const std::string dev = e.device_name.empty() ? "the GPU" : "the " + e.device_name;
    std::string head;
    switch (e.verdict) {
        case Verdict::fits: head = "Fits: "; break;
        case Verdict::fits_with_offload: head = "Fits with the optimizer offloaded to CPU RAM: "; break;
        case Verdict::does_not_fit: head = "Does not fit: "; break;
    }
    head += what + " needs " + format_bytes(e.total_bytes, u) + per + "; " + dev + " can use " + format_bytes(e.usable_bytes, u) + ".";
    if (e.verdict == Verdict::does_not_fit) {
        if (e.recommended_gpus > 0) {
            head += ' ';
            head += std::to_string(e.recommended_gpus);
            head += e.recommended_sharding == Sharding::fsdp ? " GPUs with FSDP would hold it." : " GPUs with ZeRO-3 would hold it.";
        } else {
            head += " No count up to ";
            head += std::to_string(kMaxGpus);
            head += " GPUs holds it.";
        }
    }
    return head;
}

std::vector<std::string> explain_training(const TrainingEstimate& e, Units u) {
    std::vector<std::string> out;
    const TrainingOptions& o = e.options;
    const bool many = o.gpu_count > 1;
    out.push_back(method_words(o.method) + ": " + format_params(e.trainable_params) + " of " + format_params(e.total_params) +
                  " parameters are trained (" + train_precision_name(o.precision) + ", " + train_optimizer_name(o.optimizer) +
                  "); frozen parameters carry no gradients or optimizer states.");
    out.push_back("Weights: " + item_sum(e, TrainCategory::weights, u) + ".");
    out.push_back("+ Gradients: " + item_sum(e, TrainCategory::gradients, u) + ".");
    if (e.optimizer_bytes > 0) out.push_back("+ Optimizer: " + item_sum(e, TrainCategory::optimizer, u) + ".");
    else if (e.host_bytes > 0) out.push_back("+ Optimizer: none on the GPU; " + format_bytes(e.host_bytes, u) + " of states in CPU RAM (ZeRO-Offload).");
    else out.push_back("+ Optimizer: no state (" + std::string(train_optimizer_name(o.optimizer)) + ").");
    out.push_back("+ Activations: " + item_sum(e, TrainCategory::activations, u) + ".");
    out.push_back("+ Overhead: " + item_sum(e, TrainCategory::overhead, u) + ".");
    std::string total = "= " + format_bytes(e.total_bytes, u) + (many ? " per GPU" : "") + " vs " + format_bytes(e.usable_bytes, u) + " usable";
    if (e.total_bytes <= e.usable_bytes) total += ": " + format_bytes(e.usable_bytes - e.total_bytes, u) + " to spare.";
    else total += ": " + format_bytes(e.total_bytes - e.usable_bytes, u) + " short.";
    out.push_back(total);
    if (e.total_with_checkpointing > 0) {
        out.push_back("With full activation checkpointing it would need " + format_bytes(e.total_with_checkpointing, u) +
                      (many ? " per GPU" : "") + (e.total_with_checkpointing <= e.usable_bytes ? ", which fits." : "."));
    }
    if (many || o.sharding != Sharding::none) out.push_back("Strategy: " + sharding_words(o.sharding) + " over " + std::to_string(o.gpu_count) + " GPUs.");
    if (e.min_gpus > 0) {
        out.push_back("With " + std::string(strategy_short(o.sharding)) + ", the smallest count that fits is " + std::to_string(e.min_gpus) +
                      (e.min_gpus == 1 ? " GPU." : " GPUs."));
    } else if (o.sharding == Sharding::none) {
        out.push_back("DDP keeps a full copy on every GPU, so no count of this GPU fits it without sharding.");
    } else {
        out.push_back("No count up to " + std::to_string(kMaxGpus) + " of this GPU fits it with " + strategy_short(o.sharding) + ".");
    }
    if (e.recommended_gpus > 0) {
        out.push_back("Recommended: " + sharding_words(e.recommended_sharding) + " on " + std::to_string(e.recommended_gpus) +
                      (e.recommended_gpus == 1 ? " GPU." : " GPUs."));
    }
    const TrainingTime& t = e.time;
    if (t.tokens > 0 && t.gpu_hours > 0) {
        out.push_back("Time: " + format_sig3(t.flops_per_token / std::max<double>(1, static_cast<double>(e.active_params))) +
                      " x " + format_params(e.active_params) + " parameters x " + token_count(t.tokens) + " tokens = " +
                      sci(t.flops) + " FLOPs; at " + format_sig3(t.mfu * 100) + "% of " + format_sig3(t.peak_tflops) +
                      " TFLOPS that is " + format_int(static_cast<std::int64_t>(std::llround(t.gpu_hours))) + " GPU-hours (" +
                      hours(t.wall_hours) + " on " + std::to_string(o.gpu_count) + (o.gpu_count == 1 ? " GPU)." : " GPUs)."));
        if (e.cost.usd_per_gpu_hour > 0) {
            out.push_back("Cost: " + format_int(static_cast<std::int64_t>(std::llround(t.gpu_hours))) + " GPU-hours x " +
                          dollars(e.cost.usd_per_gpu_hour) + " = " + dollars(e.cost.usd) +
                          (e.cost.price_from_catalog ? " (catalog cloud price)." : "."));
        }
    }
    const TrainingPower& p = e.power;
    if (p.known) {
        std::string s = "Power: " + std::to_string(o.gpu_count) + " x " + watts(p.gpu_watts / static_cast<double>(o.gpu_count)) +
                        " GPUs + " + watts(p.host_watts) + " host and PSU losses = " + watts(p.total_watts) + " vs a " +
                        watts(p.outlet_watts) + " circuit";
        if (p.trips_outlet) s += ": it would trip the breaker.";
        else if (p.over_continuous_limit) s += ": above the 80% (" + watts(p.continuous_limit_watts) + ") a continuous load may draw.";
        else s += ": fine.";
        out.push_back(s);
    }
    return out;
}

void write_training(JsonWriter& w, const TrainingEstimate& e, Units u, const std::string& model_name) {
    w.begin_object();
    write_training_fields(w, e, u, model_name);
    w.end_object();
}

void write_training_fields(JsonWriter& w, const TrainingEstimate& e, Units u, const std::string& model_name, const std::string* headline,
                           const std::vector<std::string>* explanation) {
    const TrainingOptions& o = e.options;
    w.field("verdict", verdict_name(e.verdict));
    w.field("headline", headline ? *headline : training_headline(e, u, model_name));
    w.key("explanation").begin_array();
    for (const std::string& line : explanation ? *explanation : explain_training(e, u)) w.value(line);
    w.end_array();

    w.key("options").begin_object();
    w.field("method", train_method_name(o.method)).field("optimizer", train_optimizer_name(o.optimizer));
    w.field("precision", train_precision_name(o.precision)).field("batch", o.batch).field("seq", o.seq);
    w.field("checkpointing", checkpointing_name(o.checkpointing)).field("attention", train_attention_name(o.attention));
    if (o.method != TrainMethod::full) {
        w.field("lora_rank", o.lora_rank).field("lora_targets", lora_targets_name(o.lora_targets));
    }
    if (o.method == TrainMethod::qlora) w.field("double_quant", o.double_quant);
    w.field("chunked_loss", o.chunked_loss).field("optimizer_in_backward", o.optimizer_in_backward);
    w.field("sharding", sharding_name(o.sharding)).field("offload_optimizer", o.offload_optimizer);
    w.field("count", o.gpu_count);
    w.end_object();

    w.key("memory").begin_object();
    w.field("weights_bytes", e.weights_bytes).field("gradients_bytes", e.gradients_bytes);
    w.field("optimizer_bytes", e.optimizer_bytes).field("activations_bytes", e.activations_bytes);
    w.field("overhead_bytes", e.overhead_bytes).field("total_bytes", e.total_bytes);
    w.field("usable_bytes", e.usable_bytes).field("device_bytes", e.device_bytes).field("host_bytes", e.host_bytes);
    w.field("per_gpu", true);
    write_items(w, e.items, train_category_name);
    w.end_object();

    w.field("trainable_params", e.trainable_params).field("total_params", e.total_params);
    w.field("active_params", e.active_params);
    if (e.quantized_params > 0) w.field("quantized_params", e.quantized_params);
    if (e.total_with_checkpointing > 0) w.field("total_with_checkpointing_bytes", e.total_with_checkpointing);
    w.field("min_gpus", e.min_gpus).field("recommended_sharding", sharding_name(e.recommended_sharding));
    w.field("recommended_gpus", e.recommended_gpus);

    w.key("time").begin_object();
    w.field("tokens", e.time.tokens).field("flops", e.time.flops).field("flops_per_token", e.time.flops_per_token);
    w.field("gpu_hours", e.time.gpu_hours).field("wall_hours", e.time.wall_hours);
    w.field("mfu", e.time.mfu).field("peak_tflops", e.time.peak_tflops);
    w.end_object();

    w.key("cost").begin_object();
    w.field("usd", e.cost.usd).field("usd_per_gpu_hour", e.cost.usd_per_gpu_hour);
    w.field("price_from_catalog", e.cost.price_from_catalog);
    w.end_object();

    w.key("power").begin_object();
    w.field("watts", e.power.total_watts).field("gpu_watts", e.power.gpu_watts).field("host_watts", e.power.host_watts);
    w.field("outlet_watts", e.power.outlet_watts).field("continuous_limit_watts", e.power.continuous_limit_watts);
    w.field("trips_outlet", e.power.trips_outlet).field("over_continuous_limit", e.power.over_continuous_limit);
    w.field("known", e.power.known);
    w.end_object();
}

void write_sparsity(JsonWriter& w, const SparsityEstimate& s) {
    w.begin_object();
    w.field("nnz", s.nnz).field("dense_bytes", s.dense_bytes).field("csr_bytes", s.csr_bytes);
    w.field("row_pointer_bytes", s.row_pointer_bytes).field("index_bytes", s.index_bytes).field("value_bytes", s.value_bytes);
    w.field("saving", s.saving).field("break_even_sparsity", s.break_even_sparsity).field("csr_smaller", s.csr_smaller);
    w.end_object();
}

}  // namespace wif
