#include "present/answer.hpp"

#include <cctype>

#include "present/explain.hpp"
#include "present/items_json.hpp"
#include "present/speed_json.hpp"
#include "present/training_json.hpp"
#include "request/training_request.hpp"

namespace wif {

namespace {

void write_request(JsonWriter& w, const Request& r) {
    w.begin_object();
    if (!r.model.empty()) w.field("model", r.model);
    if (r.params > 0) w.field("params", r.params);
    if (!r.quant.empty()) w.field("quant", r.quant);
    if (!r.device.empty()) w.field("device", r.device);
    if (r.memory_gib > 0) {
        w.field("memory", r.memory_gib);
        w.field("device_kind", r.device_kind.empty() ? std::string("gpu") : r.device_kind);
    }
    if (r.count > 1) w.field("count", r.count);
    if (r.ctx > 0) w.field("ctx", r.ctx);
    if (r.batch > 1) w.field("batch", r.batch);
    if (!r.kv_type.empty()) w.field("kv_type", r.kv_type);
    if (!r.engine.empty()) w.field("engine", r.engine);
    if (!r.engine_version.empty()) w.field("engine_version", r.engine_version);
    if (r.flash_attn != "auto") w.field("flash_attn", r.flash_attn);
    if (r.ram_gib > 0) w.field("ram", r.ram_gib);
    if (r.units == Units::gib) w.field("units", "gib");
    if (r.intent != Intent::memory) w.field("intent", intent_name(r.intent));
    if (!r.training.empty()) {
        // Flat values only (what the parser writes); nlohmann's serializer stays out of the wasm.
        w.key("training").begin_object();
        for (auto it = r.training.begin(); it != r.training.end(); ++it) {
            const Json& v = it.value();
            if (v.is_string()) w.field(it.key().c_str(), v.get<std::string>());
            else if (v.is_boolean()) w.field(it.key().c_str(), v.get<bool>());
            else if (v.is_number_integer()) w.field(it.key().c_str(), v.get<std::int64_t>());
            else if (v.is_number()) w.field(it.key().c_str(), v.get<double>());
        }
        w.end_object();
    }
    w.end_object();
}

// "2 x NVIDIA GeForce RTX 4090", or the name alone for one.
std::string times(int count, const std::string& name) { return (count > 1 ? std::to_string(count) + " x " : std::string()) + name; }

// Headlines of the intents that are not one estimate's verdict; numbers first, then these words.
std::string device_count_headline(const Answer& a) {
    const Estimate& e = a.estimate;
    const ResolvedRequest& r = a.request;
    const Units u = r.options.units;
    const std::string what = r.model.name + " in " + e.quant.id;
    if (a.devices_needed == 0) {
        if (r.device.kind != DeviceKind::gpu) return "No single " + r.device.name + " holds " + what + "; this calculator does not split a model across machines.";
        return "Even " + times(kMaxDevices, r.device.name) + " would not hold " + what + " with " + engine_name(e.engine) + ".";
    }
    return "You need " + times(a.devices_needed, r.device.name) + " for " + what + ": " +
           format_bytes(e.gpu_bytes, u) + " of " + format_bytes(e.usable_bytes, u) + " usable.";
}

std::string what_fits_headline(const Answer& a) {
    const ResolvedRequest& r = a.request;
    int fit = 0;
    for (const Option& o : a.models) fit += o.error.empty() && o.verdict == Verdict::fits;
    const std::string where = times(r.options.gpu_count, r.device.name);
    if (fit == 0) return "None of the " + std::to_string(a.models.size()) + " catalog models fits entirely on " + where + " in " + r.quant.id + ".";
    return std::to_string(fit) + " of " + std::to_string(a.models.size()) + " catalog models fit on " + where + " in " + r.quant.id +
           "; the largest is " + a.models.front().name + " (" + format_params(a.models.front().params) + " parameters).";
}

// The speed stage, after placement: tokens/s where the model runs at all, with their bands.
// "Llama 3.1 70B needs about 141 GB in bf16, 75.6 GB in Q8_0 and 42.5 GB in Q4_K_M at 4,096
// tokens" and, per format, the smallest GPU, Mac and CPU machine that hold it.
void sizes_words(Answer& a) {
    const ResolvedRequest& q = a.request;
    const Units u = q.options.units;
    std::string needs;
    for (size_t i = 0; i < a.sizes.size(); ++i) {
        const SizeRow& row = a.sizes[i];
        const std::string sep = i == 0 ? "" : i + 1 == a.sizes.size() ? " and " : ", ";
        needs += sep + (row.total_bytes > 0 ? format_bytes(row.total_bytes, u) : "more than any catalog device") + " in " + row.quant;
    }
    const std::int64_t ctx = q.options.context > 0 ? q.options.context : default_context(q.model.arch.max_position_embeddings);
    a.headline = q.model.name + " needs about " + needs + " at " + format_int(ctx) + " tokens of context (on a GPU; name a device for a verdict).";
    for (const SizeRow& row : a.sizes) {
        std::string line = row.quant + ": weights " + format_bytes(row.weights_bytes, u);
        if (row.smallest.empty()) line += "; no single catalog device holds it (ask how many GPUs it needs)";
        for (const Option& o : row.smallest) {
            const char* kind = o.kind == "gpu" ? "smallest GPU" : o.kind == "unified" ? "smallest Mac or unified-memory machine" : "smallest CPU-only machine";
            line += std::string("; ") + kind + ": " + o.name;
        }
        a.explanation.push_back(line);
    }
}

void add_speed(Answer& a) {
    const ResolvedRequest& q = a.request;
    if (a.estimate.verdict == Verdict::does_not_fit) {
        a.speed_error = "it does not fit on " + q.device.name + ", so it does not run there";
        return;
    }
    Expected<SpeedEstimate> s = estimate_speed(q.model, a.estimate, q.device, q.speed);
    if (!s) {
        a.speed_error = s.error().message;
        return;
    }
    a.speed = std::move(s.value());
    const char* engine = engine_name(a.estimate.engine);
    a.decode_band = make_band("decode_speed", engine, a.speed->decode_tps);
    a.prefill_band = make_band("prefill_speed", engine, a.speed->prefill_tps);
}

// The memory bands of an inference estimate, after placement and before the words: the band of the
// memory the verdict weighs and, offloading, of the layers on the GPU; borderline when the memory
// band straddles the usable memory.
void add_memory_bands(Answer& a) {
    const Estimate& e = a.estimate;
    const bool cpu_only = a.request.device.kind == DeviceKind::cpu;
    const double needed = static_cast<double>(cpu_only ? e.total_bytes : e.gpu_bytes);
    a.memory_band = make_band("inference_total", engine_name(e.engine), needed);
    if (e.verdict == Verdict::fits_with_offload && e.total_layers > 0) {
        a.layers_band = make_band("offload_layers", engine_name(e.engine), static_cast<double>(e.gpu_layers), static_cast<double>(e.total_layers));
    }
    if (a.memory_band && e.usable_bytes > 0) {
        const double usable = static_cast<double>(e.usable_bytes);
        a.borderline = a.memory_band->low <= usable && usable < a.memory_band->high;
    }
}

// "9.4 to 17 tokens/s": the range of a rate's band.
std::string rate_range(const Band& b) { return format_sig3(b.low) + " to " + format_sig3(b.high) + " tokens/s"; }

}  // namespace

Expected<Answer> answer_request(const Catalog& c, const Request& r) {
    Expected<ResolvedRequest> resolved = resolve_request(c, r);
    if (!resolved) return resolved.error();
    Answer a;
    a.intent = r.intent;
    a.request = std::move(resolved.value());
    const ResolvedRequest& q = a.request;
    const Units u = q.options.units;
#ifdef WIF_PAGE_CORE
    // The page's core leaves the rarely used stages to the full module, which it loads on demand.
    if (a.intent == Intent::training || a.intent == Intent::serving) {
        return make_error("module_needed", std::string(intent_name(a.intent)) + " answers come from the full module (willitfit-full)");
    }
#else
    if (a.intent == Intent::training) {
        // The question's batch, sequence length and GPU count are the run's, unless the training
        // options name their own.
        Json t_json = r.training;
        if (!t_json.contains("batch") && r.batch > 1) t_json["batch"] = r.batch;
        if (!t_json.contains("seq") && r.ctx > 0) t_json["seq"] = r.ctx;
        if (!t_json.contains("count") && r.count > 1) t_json["count"] = r.count;
        t_json.erase("pretraining");
        t_json.erase("asks_count");
        Expected<TrainingOptions> options = training_options_from_json(t_json);
        if (!options) return options.error();
        a.request.training = options.value();
        a.request.training.usable = q.options.usable;
        Expected<TrainingEstimate> t = estimate_training(q.model.arch, q.model.tensors, q.model.params, q.device, q.training);
        if (!t) return t.error();
        a.training = std::move(t.value());
        a.headline = training_headline(*a.training, u, q.model.name);
        a.explanation = explain_training(*a.training, u);
        // The band of the peak per GPU (training answers name no engine: the "*" row).
        a.memory_band = make_band("finetune_peak", "", static_cast<double>(a.training->total_bytes));
        if (a.memory_band) {
            // "needs 11.8 GB; ..." -> "needs 11.8 GB ± 6.9%; ...", as inference headlines say it.
            const size_t needs = a.headline.find(" needs ");
            const size_t semi = needs == std::string::npos ? std::string::npos : a.headline.find(';', needs);
            if (semi != std::string::npos) a.headline.insert(semi, " " + band_plus_minus(*a.memory_band));
            const double usable = static_cast<double>(a.training->usable_bytes);
            const std::string reason = usable > 0 ? borderline_words(*a.memory_band, usable, u, "the peak per GPU") : "";
            if (!reason.empty()) {
                a.borderline = true;
                a.borderline_reason = reason;
                // "Fits: ..." becomes "Borderline (fits by the estimate): ...".
                const size_t colon = a.headline.find(": ");
                std::string verdict = colon == std::string::npos ? std::string() : a.headline.substr(0, colon);
                for (char& ch : verdict) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                a.headline = colon == std::string::npos ? "Borderline: " + a.headline
                                                        : "Borderline (" + verdict + " by the estimate)" + a.headline.substr(colon);
                a.explanation.insert(a.explanation.begin(), reason);
            } else {
                a.explanation.insert(a.explanation.begin(), "Error band " + band_plus_minus(*a.memory_band) + ": the peak per GPU is likely " +
                                                                format_bytes(round_bytes(a.memory_band->low), u) + " to " +
                                                                format_bytes(round_bytes(a.memory_band->high), u) + ". " + a.memory_band->basis + ".");
            }
        }
        a.assumptions = q.assumptions;
        return a;
    }
#endif
    if (a.intent == Intent::sizes) {
        a.sizes = model_sizes(c, q);
        sizes_words(a);
        a.assumptions = q.assumptions;
        return a;
    }
    if (a.intent == Intent::what_fits) {
        a.models = model_options(c, q);
        a.headline = what_fits_headline(a);
        a.assumptions = q.assumptions;
        return a;
    }
    if (a.intent == Intent::device_count) {
        // The answer is about the fewest devices that hold it: the rest of it is at that count.
        a.devices_needed = devices_needed(q);
        if (a.devices_needed > 0) a.request.options.gpu_count = a.devices_needed;
    }
    Expected<Estimate> e = estimate_inference(q.model, q.quant, q.device, q.options, q.file_weights ? &*q.file_weights : nullptr);
    if (!e) return e.error();
    a.estimate = std::move(e.value());
    add_memory_bands(a);
    // The words, from the finished numbers.
    explain_estimate(a.estimate, q.model, q.device, q.options,
                     EstimateBands{a.memory_band ? &*a.memory_band : nullptr, a.layers_band ? &*a.layers_band : nullptr, a.borderline});
    if (a.borderline) {
        const bool cpu_only = q.device.kind == DeviceKind::cpu;
        a.borderline_reason = borderline_words(*a.memory_band, static_cast<double>(a.estimate.usable_bytes), u,
                                               cpu_only ? "the memory needed in RAM" : "the memory needed on the GPU",
                                               !cpu_only && engine_can_offload(a.estimate.engine));
    }
    // Assumptions from resolving the request come first: they are what the person left out.
    a.estimate.assumptions.insert(a.estimate.assumptions.begin(), q.assumptions.begin(), q.assumptions.end());
    a.max_context = largest_context(q);
    a.suggestions = suggestions(c, q, a.estimate, a.max_context);
    add_speed(a);
    a.headline = a.estimate.headline;
    a.explanation = a.estimate.explanation;
    a.assumptions = a.estimate.assumptions;
    if (a.intent == Intent::device_count) a.headline = device_count_headline(a);
    if (a.intent == Intent::speed) {
        // "How fast?" is answered first; the memory that makes it possible follows.
        const std::string range = a.decode_band ? " (likely " + rate_range(*a.decode_band) + ")" : "";
        a.headline = a.speed ? "About " + speed_rate(*a.speed) + range + " for " + q.model.name + " in " + a.estimate.quant.id + " on " +
                                   times(q.options.gpu_count, q.device.name) + (speedup_words(*a.speed).empty() ? "" : " (" + speedup_words(*a.speed) + ")") + "."
                             : "No speed: " + a.speed_error + ". " + a.estimate.headline;
        if (a.speed) {
            std::vector<std::string> lines = explain_speed(*a.speed, u);
            if (a.decode_band) {
                lines.push_back("Error band " + band_plus_minus(*a.decode_band) + ": decoding likely " + rate_range(*a.decode_band) + ". " +
                                a.decode_band->basis + ".");
            }
            if (a.prefill_band) {
                lines.push_back("Error band " + band_plus_minus(*a.prefill_band) + ": prompt processing likely " + rate_range(*a.prefill_band) +
                                ". " + a.prefill_band->basis + ".");
            }
            lines.push_back("Memory: " + a.estimate.headline);
            a.explanation.insert(a.explanation.begin(), lines.begin(), lines.end());
        }
    }
#ifndef WIF_PAGE_CORE
    if (a.intent == Intent::serving) {
        Expected<ServingEstimate> sv = estimate_serving(q.model, a.estimate, q.device, q.serving);
        if (!sv) return sv.error();
        a.serving = std::move(sv.value());
        const ServingEstimate& sv_ = *a.serving;
        const std::string where = times(sv_.gpu_count, q.device.name);
        a.headline = sv_.fits ? "vLLM serves " + q.model.name + " in " + a.estimate.quant.id + " on " + where + ": " +
                                    format_bytes(sv_.kv_budget_bytes, u) + " for the KV cache, " + format_int(sv_.max_sequences) +
                                    " requests of " + format_int(sv_.max_model_len) + " tokens at once."
                              : "vLLM cannot serve " + q.model.name + " in " + a.estimate.quant.id + " on " + where +
                                    ": no memory is left for the KV cache.";
        const std::vector<std::string> lines = explain_serving(sv_, u);
        a.explanation.insert(a.explanation.begin(), lines.begin(), lines.end());
    }
#endif
    return a;
}

namespace {

// A band as JSON: of bytes (memory), of tokens/s or of layers. `relative` is r of the band:
// a fraction (measured within value / (1 + r) .. value / (1 - r)), or layers (value -+ r).
void write_band(JsonWriter& w, const Band& b, bool bytes) {
    w.begin_object();
    if (bytes) {
        w.field("value_bytes", round_bytes(b.value)).field("low_bytes", round_bytes(b.low)).field("high_bytes", round_bytes(b.high));
    } else {
        w.field("value", b.value).field("low", b.low).field("high", b.high);
    }
    w.field("relative", b.relative).field("plus_minus", band_plus_minus(b));
    w.field("category", b.category).field("engine", b.engine).field("points", b.points).field("basis", b.basis);
    w.end_object();
}

void borderline_fields(JsonWriter& w, const Answer& a) {
    w.field("borderline", a.borderline);
    if (a.borderline) w.field("borderline_reason", a.borderline_reason);
}

void error_fields(JsonWriter& w, const Error& error) {
    w.field("ok", false).key("error").begin_object();
    w.field("code", error.code).field("message", error.message);
    w.end_object();
}

void device_fields(JsonWriter& w, const Device& d, int count) {
    w.key("device").begin_object();
    w.field("id", d.id).field("name", d.name).field("kind", device_kind_name(d.kind));
    w.field("memory_bytes", d.memory_bytes()).field("count", count).field("bandwidth_gbs", d.bandwidth_gbs);
    w.end_object();
}

// "What can I run on this?": the device, the format and every catalog model's verdict.
void what_fits_fields(JsonWriter& w, const Answer& a) {
    const ResolvedRequest& r = a.request;
    w.field("ok", true).field("intent", intent_name(a.intent)).field("headline", a.headline);
    device_fields(w, r.device, r.options.gpu_count);
    w.key("quant").begin_object().field("id", r.quant.id).field("name", r.quant.name).end_object();
    w.key("models");
    write_options(w, a.models);
    w.field("assumptions", a.assumptions).field("units", units_name(r.options.units));
}

void model_fields(JsonWriter& w, const ResolvedRequest& r);

void sizes_fields(JsonWriter& w, const Answer& a) {
    w.field("ok", true).field("intent", intent_name(a.intent)).field("headline", a.headline);
    model_fields(w, a.request);
    w.key("sizes").begin_array();
    for (const SizeRow& row : a.sizes) {
        w.begin_object().field("quant", row.quant).field("weights_bytes", row.weights_bytes).field("total_bytes", row.total_bytes);
        w.key("smallest").begin_array();
        for (const Option& o : row.smallest) {
            w.begin_object().field("id", o.id).field("name", o.name).field("kind", o.kind).field("gpu_bytes", o.gpu_bytes);
            w.field("total_bytes", o.total_bytes).field("usable_bytes", o.usable_bytes).end_object();
        }
        w.end_array().end_object();
    }
    w.end_array();
    w.field("explanation", a.explanation).field("assumptions", a.assumptions).field("units", units_name(a.request.options.units));
}

void model_fields(JsonWriter& w, const ResolvedRequest& r) {
    const PreparedModel& m = r.model;
    w.key("model").begin_object();
    w.field("id", m.id).field("name", m.name).field("params", m.params.total).field("active_params", m.params.active);
    w.field("layers", m.arch.num_hidden_layers).field("max_context", m.arch.max_position_embeddings);
    w.field("model_type", m.arch.model_type);
    if (!r.hf_repo.empty()) w.field("hf_repo", r.hf_repo);
    if (r.published_params > 0) w.field("published_params", r.published_params);
    if (r.published_active_params > 0) w.field("published_active_params", r.published_active_params);
    if (!m.assumed_shape.empty()) w.field("assumed_shape", m.assumed_shape);
    w.end_object();
}

#ifndef WIF_PAGE_CORE
// Training: the four memories per GPU, GPUs needed, time, cost and power (present/training_json).
void training_fields(JsonWriter& w, const Answer& a) {
    const ResolvedRequest& r = a.request;
    w.field("ok", true).field("intent", intent_name(a.intent));
    write_training_fields(w, *a.training, r.options.units, r.model.name, &a.headline, &a.explanation);
    borderline_fields(w, a);
    if (a.memory_band) {
        w.key("band");
        write_band(w, *a.memory_band, true);
    }
    model_fields(w, r);
    device_fields(w, r.device, static_cast<int>(a.training->options.gpu_count));
    w.field("assumptions", a.assumptions).field("units", units_name(r.options.units));
}
#endif

void answer_fields(JsonWriter& w, const Answer& a) {
    if (a.intent == Intent::what_fits) return what_fits_fields(w, a);
    if (a.intent == Intent::sizes) return sizes_fields(w, a);
#ifndef WIF_PAGE_CORE
    if (a.intent == Intent::training) return training_fields(w, a);
#endif
    const Estimate& e = a.estimate;
    const PreparedModel& m = a.request.model;
    const Device& d = a.request.device;
    w.field("ok", true).field("intent", intent_name(a.intent));
    w.field("verdict", verdict_name(e.verdict));
    borderline_fields(w, a);
    w.field("headline", a.headline);
    if (a.intent == Intent::device_count) w.field("devices_needed", a.devices_needed);
    model_fields(w, a.request);

    w.key("quant").begin_object();
    w.field("id", e.quant.id).field("name", e.quant.name).field("family", quant_family_name(e.quant.family));
    w.field("bits_per_weight", e.weights.bits_per_weight);
    if (a.request.quant.id != e.quant.id) w.field("requested", a.request.quant.id);
    if (e.quant.family == QuantFamily::gguf) {
        w.field("gguf_file_bytes", gguf_file_bytes(m.arch, e.weights));
        w.key("tensor_types").begin_array();
        for (const auto& t : e.weights.by_type) {
            w.begin_object().field("type", t.type).field("tensors", t.tensors).field("bytes", t.bytes).end_object();
        }
        w.end_array();
    }
    w.end_object();

    device_fields(w, d, e.gpu_count);

    w.field("engine", engine_name(e.engine)).field("backend", backend_name(e.backend));
    w.field("engine_version", engine_version_name(e.engine_version));
    w.field("flash_attn", e.flash_attn).field("ctx", e.context).field("batch", e.sequences);
    w.field("kv_type", kv_type_name(e.kv_type));

    w.key("memory").begin_object();
    w.field("weights_bytes", e.weights_bytes).field("kv_cache_bytes", e.kv_cache_bytes);
    w.field("compute_bytes", e.compute_bytes).field("overhead_bytes", e.overhead_bytes);
    w.field("total_bytes", e.total_bytes).field("gpu_bytes", e.gpu_bytes).field("host_bytes", e.host_bytes);
    write_items(w, e.items, item_category_name);
    if (a.memory_band) {
        w.key("band");
        write_band(w, *a.memory_band, true);
    }
    w.end_object();

    w.field("usable_bytes", e.usable_bytes).field("device_bytes", e.device_bytes).field("headroom_bytes", e.headroom_bytes);
    w.field("usable_rule", e.usable_rule).field("usable_source", e.usable_source);
    w.field("system_ram_bytes", e.system_ram_bytes).field("offloaded_bytes", e.offloaded_bytes);
    w.field("total_layers", e.total_layers).field("gpu_layers", e.gpu_layers).field("max_context", a.max_context);
    if (a.layers_band) {
        w.key("gpu_layers_band");
        write_band(w, *a.layers_band, false);
    }
    w.field("ram_bytes", e.host_bytes + e.offloaded_bytes);
    w.field("explanation", a.explanation).field("assumptions", a.assumptions).field("warnings", e.warnings);
    // Speed: tokens/s where it runs (llama-bench's pp512 and tg128 by default).
    if (a.speed) {
        w.key("tokens_per_second").begin_object().field("decode", a.speed->decode_tps).field("prefill", a.speed->prefill_tps);
        if (a.decode_band) {
            w.key("decode_band");
            write_band(w, *a.decode_band, false);
        }
        if (a.prefill_band) {
            w.key("prefill_band");
            write_band(w, *a.prefill_band, false);
        }
        w.end_object();
        w.key("speed");
        write_speed(w, *a.speed);
    } else {
        w.field("speed_error", a.speed_error);
    }
#ifndef WIF_PAGE_CORE
    if (a.serving) {
        w.key("serving");
        write_serving(w, *a.serving);
    }
#endif

    w.key("suggestions").begin_array();
    for (const Suggestion& s : a.suggestions) {
        w.begin_object().field("kind", s.kind).field("text", s.text);
        if (!s.quant.empty()) w.field("quant", s.quant);
        if (!s.engine.empty()) w.field("engine", s.engine);
        if (s.ctx > 0) w.field("ctx", s.ctx);
        if (s.count > 0) w.field("count", s.count);
        if (s.n_cpu_moe > 0) w.field("n_cpu_moe", s.n_cpu_moe);
        if (s.gpu_bytes > 0) w.field("gpu_bytes", s.gpu_bytes);
        w.end_object();
    }
    w.end_array();
    w.field("units", units_name(a.request.options.units));
}

}  // namespace

void write_error(JsonWriter& w, const Error& error) {
    w.begin_object();
    error_fields(w, error);
    w.end_object();
}

void write_answer(JsonWriter& w, const Answer& a) {
    w.begin_object();
    answer_fields(w, a);
    w.end_object();
}

std::string error_json(const Error& error, int indent) {
    JsonWriter w(indent);
    write_error(w, error);
    return w.take();
}

Asked ask(const QuestionParser& parser, const Catalog& c, std::string_view text, std::optional<Units> units) {
    Asked out;
    ParsedQuestion parsed;
    const Expected<bool> done = parser.parse_into(text, parsed);
    // What was understood before an error is kept (with its candidates), unless nothing was.
    if (!done) {
        out.error = done.error();
        if (!parsed.understood.empty() || !parsed.model_candidates.empty() || !parsed.device_candidates.empty()) {
            out.question = std::move(parsed);
        }
        return out;
    }
    out.question = std::move(parsed);
    if (units) out.question->request.units = *units;
    Expected<Answer> a = answer_request(c, out.question->request);
    if (a) out.answer = std::move(a.value());
    else out.error = a.error();
    return out;
}

void write_asked(JsonWriter& w, const Asked& asked, std::string_view text) {
    if (!asked.question) return write_error(w, asked.error);
    const ParsedQuestion& q = *asked.question;
    w.begin_object();
    if (asked.answer) answer_fields(w, *asked.answer);
    else error_fields(w, asked.error);
    w.key("question").begin_object();
    w.field("text", std::string(text)).field("intent", intent_name(q.request.intent));
    w.field("understood", q.understood).field("ambiguities", q.ambiguities);
    if (!q.model_candidates.empty()) w.field("model_candidates", q.model_candidates);
    if (!q.device_candidates.empty()) w.field("device_candidates", q.device_candidates);
    w.key("request");
    write_request(w, q.request);
    w.end_object();
    w.end_object();
}

std::string ask_json(const Catalog& c, std::string_view text, int indent) {
    return ask_json(QuestionParser(c), c, text, indent);
}

std::string ask_json(const QuestionParser& parser, const Catalog& c, std::string_view text, int indent, std::optional<Units> units) {
    JsonWriter w(indent);
    write_asked(w, ask(parser, c, text, units), text);
    return w.take();
}

std::string estimate_json(const Catalog& c, const std::string& text, int indent) {
    Expected<Json> parsed = parse_json(text, "request");
    if (!parsed) return error_json(parsed.error(), indent);
    Expected<Request> r = request_from_json(parsed.value());
    if (!r) return error_json(r.error(), indent);
    Expected<Answer> a = answer_request(c, r.value());
    if (!a) return error_json(a.error(), indent);
    JsonWriter w(indent);
    write_answer(w, a.value());
    return w.take();
}

void write_options(JsonWriter& w, const std::vector<Option>& options) {
    w.begin_array();
    for (const Option& o : options) {
        w.begin_object().field("id", o.id).field("name", o.name);
        if (!o.kind.empty()) w.field("kind", o.kind);
        if (o.params > 0) w.field("params", o.params);
        if (!o.error.empty()) {
            w.field("verdict", "unsupported").field("error", o.error);
        } else {
            w.field("verdict", verdict_name(o.verdict)).field("engine", o.engine);
            w.field("gpu_bytes", o.gpu_bytes).field("total_bytes", o.total_bytes).field("usable_bytes", o.usable_bytes);
            w.field("weights_bytes", o.weights_bytes).field("gpu_layers", o.gpu_layers).field("total_layers", o.total_layers);
            w.field("bits_per_weight", o.bits_per_weight);
        }
        w.end_object();
    }
    w.end_array();
}

void write_solution(JsonWriter& w, const Solution& s) {
    w.begin_object().field("ok", true).field("intent", "fit").field("min_speed", s.min_speed).field("best", s.best);
    w.key("setups").begin_array();
    for (const Setup& x : s.setups) {
        w.begin_object().field("quant", x.quant).field("engine", x.engine).field("kv_type", x.kv_type);
        w.field("bits_per_weight", x.bits_per_weight).field("verdict", verdict_name(x.verdict));
        w.field("gpu_layers", x.gpu_layers).field("total_layers", x.total_layers).field("n_cpu_moe", x.n_cpu_moe);
        w.field("gpu_bytes", x.gpu_bytes).field("ram_bytes", x.ram_bytes).field("usable_bytes", x.usable_bytes);
        w.key("tokens_per_second").begin_object().field("decode", x.decode_tps).field("prefill", x.prefill_tps).end_object();
        w.end_object();
    }
    w.end_array().end_object();
}

void write_curve(JsonWriter& w, const std::vector<CurvePoint>& curve) {
    w.begin_array();
    for (const CurvePoint& p : curve) {
        w.begin_object().field("ctx", p.ctx).field("weights_bytes", p.weights_bytes);
        w.field("kv_cache_bytes", p.kv_cache_bytes).field("compute_bytes", p.compute_bytes);
        w.field("overhead_bytes", p.overhead_bytes).field("gpu_bytes", p.gpu_bytes).end_object();
    }
    w.end_array();
}

void write_sweep(JsonWriter& w, const Catalog& c, const SweepResult& result, bool with_rows) {
    w.begin_object().field("ok", true).field("combinations", result.combinations());
    w.key("counts").begin_object().field("fits", result.fits).field("fits_with_offload", result.offload);
    w.field("does_not_fit", result.no).field("unsupported", result.unsupported).end_object();
    if (!with_rows) {
        w.end_object();
        return;
    }
    w.key("models").begin_array();
    for (const ModelEntry& m : c.models) w.value(m.id);
    w.end_array().key("quants").begin_array();
    for (const QuantEntry& q : c.quants) w.value(q.spec.id);
    w.end_array().key("devices").begin_array();
    for (const Device& d : c.devices) w.value(d.id);
    w.end_array();
    // Rows as [model, quant, device, verdict, gpu_bytes, gpu_layers], verdict -1 = cannot run.
    std::string rows = "[";
    for (size_t i = 0; i < result.rows.size(); ++i) {
        const SweepRow& r = result.rows[i];
        if (i) rows.push_back(',');
        const std::int64_t fields[] = {r.model, r.quant, r.device, r.verdict, r.gpu_bytes, r.gpu_layers};
        for (size_t k = 0; k < 6; ++k) {
            rows.push_back(k ? ',' : '[');
            rows += std::to_string(fields[k]);
        }
        rows.push_back(']');
    }
    rows.push_back(']');
    w.key("rows").raw(rows);
    w.end_object();
}

void write_models(JsonWriter& w, const Catalog& c) {
    w.begin_array();
    for (const ModelEntry& m : c.models) {
        const ParamCounts p = count_params(m.arch);
        w.begin_object().field("id", m.id).field("name", m.name).field("family", m.family).field("hf_repo", m.hf_repo);
        w.field("aliases", m.aliases).field("params", p.total).field("active_params", p.active);
        w.field("published_params", m.published_params).field("layers", m.arch.num_hidden_layers);
        w.field("max_context", m.arch.max_position_embeddings).field("model_type", m.arch.model_type);
        w.field("moe", m.arch.is_moe()).end_object();
    }
    w.end_array();
}

void write_devices(JsonWriter& w, const Catalog& c) {
    w.begin_array();
    for (const Device& d : c.devices) {
        w.begin_object().field("id", d.id).field("name", d.name).field("vendor", d.vendor);
        w.field("kind", device_kind_name(d.kind)).field("segment", d.segment).field("aliases", d.aliases);
        w.field("memory_bytes", d.memory_bytes()).field("memory_gib", d.memory_gib);
        w.field("bandwidth_gbs", d.bandwidth_gbs).field("backend", backend_name(d.backend));
        if (d.fp16_tflops > 0) w.field("fp16_tflops", d.fp16_tflops);
        if (d.price_usd > 0) w.field("price_usd", d.price_usd);
        if (d.cloud_usd_per_hour > 0) w.field("cloud_usd_per_hour", d.cloud_usd_per_hour);
        if (d.tdp_w > 0) w.field("tdp_w", d.tdp_w);
        w.end_object();
    }
    w.end_array();
}

void write_quants(JsonWriter& w, const Catalog& c) {
    w.begin_array();
    for (const QuantEntry& q : c.quants) {
        w.begin_object().field("id", q.spec.id).field("name", q.spec.name);
        w.field("family", quant_family_name(q.spec.family)).field("aliases", q.aliases);
        w.field("description", q.description).end_object();
    }
    w.end_array();
}

}  // namespace wif
