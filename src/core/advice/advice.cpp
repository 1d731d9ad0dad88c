#include "advice/advice.hpp"

#include <algorithm>

#include "base/small_sort.hpp"

namespace wif {

namespace {

Option option_from(const std::string& id, const std::string& name, const Expected<Estimate>& e) {
    Option o;
    o.id = id;
    o.name = name;
    if (!e) {
        o.error = e.error().message;
        return o;
    }
    o.engine = engine_name(e->engine);
    o.verdict = e->verdict;
    // On the device as placed: with offload, the layers kept in system RAM are not on it.
    o.gpu_bytes = e->verdict == Verdict::fits_with_offload ? e->gpu_bytes - e->offloaded_bytes : e->gpu_bytes;
    o.total_bytes = e->total_bytes;
    o.usable_bytes = e->usable_bytes;
    o.weights_bytes = e->weights_bytes;
    o.gpu_layers = e->gpu_layers;
    o.total_layers = e->total_layers;
    o.bits_per_weight = e->weights.bits_per_weight;
    return o;
}

InferenceOptions quiet(const InferenceOptions& o) {
    InferenceOptions q = o;
    q.explain = false;
    return q;
}

// Formats people pick between, best quality first, for suggestions.
const char* const kLadder[] = {"bf16", "fp16", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M", "IQ3_XXS", "Q2_K", "IQ2_XXS", "IQ1_S"};

}  // namespace

Expected<Estimate> estimate_variant(const ResolvedRequest& r, const Variant& v) {
    InferenceOptions o = quiet(r.options);
    const QuantSpec& quant = v.quant ? *v.quant : r.quant;
    const Device& device = v.device ? *v.device : r.device;
    if (v.context > 0) o.context = v.context;
    if (v.count > 0) o.gpu_count = v.count;
    if (v.kv_type) o.kv_type = v.kv_type;
    if (v.n_cpu_moe != 0) {
        o.n_cpu_moe = v.n_cpu_moe;
        o.engine = Engine::llama_cpp;  // --n-cpu-moe is llama.cpp's option
    }
    // Keep a requested engine only if it can load this format on this device.
    if ((v.quant || v.device) && o.engine && !choose_engine(quant, device, o.engine)) o.engine.reset();
    return estimate_inference(r.model, quant, device, o, v.weights);
}

bool can_add_devices(const ResolvedRequest& r, Engine engine) {
    return r.device.kind == DeviceKind::gpu && engine != Engine::mlx && engine != Engine::exllamav2;
}

int devices_needed(const ResolvedRequest& r) {
    const Expected<EngineChoice> choice = choose_engine(r.quant, r.device, r.options.engine);
    if (!choice) return 0;
    Expected<WeightBreakdown> weights = weight_bytes(r.model.arch, r.model.tensors, choice->quant);
    if (!weights) return 0;
    auto fits = [&](std::int64_t count) {
        const Expected<Estimate> e = estimate_variant(r, {.count = static_cast<int>(count), .weights = &weights.value()});
        return e && e->verdict == Verdict::fits;
    };
    const std::int64_t top = can_add_devices(r, choice->engine) ? kMaxDevices : 1;
    return static_cast<int>(smallest_that_fits(1, top, fits));
}

std::vector<Option> model_options(const Catalog& c, const ResolvedRequest& r) {
    std::vector<Option> out;
    out.reserve(c.models.size());
    ResolvedRequest each = r;
    for (const ModelEntry& m : c.models) {
        each.model = prepare_model(m.id, m.name, m.arch);
        Option o = option_from(m.id, m.name, estimate_variant(each, {}));
        o.params = each.model.params.total;
        out.push_back(std::move(o));
    }
    // Fitting models first, largest first: "the biggest model that runs" leads.
    small_stable_sort(out.begin(), out.end(), [](const Option& a, const Option& b) {
        const int ra = a.error.empty() ? static_cast<int>(a.verdict) : 3, rb = b.error.empty() ? static_cast<int>(b.verdict) : 3;
        return ra != rb ? ra < rb : a.params > b.params;
    });
    return out;
}

namespace {

// A mixture of experts that a GPU holds only with layers in system RAM often runs faster with
// every layer on the GPU and the routed experts of the first N layers in RAM instead (llama.cpp
// --n-cpu-moe, common/arg.cpp): a token reads only its few active experts there, and attention
// and the shared weights stay on the GPU. That setup with the smallest such N, when one fits.
std::optional<Setup> expert_offload(const ResolvedRequest& r, const QuantSpec& q, const std::optional<KvType>& kv, Engine engine) {
    const ModelArch& a = r.model.arch;
    if (!a.is_moe() || r.device.kind != DeviceKind::gpu || r.options.n_cpu_moe != 0) return std::nullopt;
    if (engine != Engine::llama_cpp && engine != Engine::ollama) return std::nullopt;  // GGUF runners; ollama users switch to llama.cpp for it
    if (r.options.engine && *r.options.engine != Engine::llama_cpp) return std::nullopt;  // another engine was asked for
    // More experts in RAM only ever leave less on the GPU, so the search is monotone.
    auto on_gpu = [&](std::int64_t n) {
        const Expected<Estimate> e = estimate_variant(r, {.quant = &q, .kv_type = kv, .n_cpu_moe = n});
        return e && e->gpu_bytes <= e->usable_bytes;
    };
    const std::int64_t n = smallest_that_fits(1, a.num_hidden_layers, on_gpu);
    if (n == 0) return std::nullopt;
    const Expected<Estimate> e = estimate_variant(r, {.quant = &q, .kv_type = kv, .n_cpu_moe = n});
    if (!e || e->verdict != Verdict::fits) return std::nullopt;  // system RAM cannot hold the experts
    Setup s;
    s.quant = q.id;
    s.engine = engine_name(e->engine);
    s.kv_type = kv_type_name(e->kv_type);
    s.bits_per_weight = e->weights.bits_per_weight;
    s.verdict = e->verdict;
    s.gpu_layers = e->gpu_layers;
    s.total_layers = e->total_layers;
    s.n_cpu_moe = e->n_cpu_moe;
    s.gpu_bytes = e->gpu_bytes;
    s.ram_bytes = e->host_bytes;
    s.usable_bytes = e->usable_bytes;
    if (const Expected<SpeedEstimate> sp = estimate_speed(r.model, e.value(), r.device, r.speed)) {
        s.decode_tps = sp->decode_tps;
        s.prefill_tps = sp->prefill_tps;
    }
    return s;
}

}  // namespace

Solution solve(const Catalog& c, const ResolvedRequest& r, double min_speed) {
    Solution out;
    out.min_speed = min_speed;
    std::vector<std::optional<KvType>> kv_types = {r.options.kv_type};
    if (!r.options.kv_type || *r.options.kv_type != KvType::q8_0) kv_types.push_back(KvType::q8_0);  // half the cache, near-lossless
    // The ladder of common formats, and the format asked for when the ladder lacks it (gpt-oss's
    // MXFP4, an EXL2 or AWQ checkpoint).
    std::vector<const QuantSpec*> formats;
    bool asked = false;
    for (const char* id : kLadder) {
        const Lookup l = c.find_quant(id);
        if (l.index < 0) continue;
        formats.push_back(&c.quants[static_cast<size_t>(l.index)].spec);
        asked = asked || formats.back()->id == r.quant.id;
    }
    if (!asked) formats.insert(formats.begin(), &r.quant);
    for (const QuantSpec* format : formats) {
        const QuantSpec& q = *format;
        int base = -1, expert = -1;  // this format's setups with the requested KV type, by index
        for (const std::optional<KvType>& kv : kv_types) {
            const Expected<Estimate> e = estimate_variant(r, {.quant = &q, .kv_type = kv});
            if (!e || e->verdict == Verdict::does_not_fit) continue;
            const Expected<SpeedEstimate> sp = estimate_speed(r.model, e.value(), r.device, r.speed);
            Setup s;
            s.quant = q.id;
            s.engine = engine_name(e->engine);
            s.kv_type = kv_type_name(e->kv_type);
            s.bits_per_weight = e->weights.bits_per_weight;
            s.verdict = e->verdict;
            s.gpu_layers = e->gpu_layers;
            s.total_layers = e->total_layers;
            s.n_cpu_moe = e->n_cpu_moe;  // as the request set it
            // As placed: the layers kept in system RAM are not on the device (Estimate::gpu_bytes
            // counts every layer there).
            s.gpu_bytes = e->gpu_bytes - e->offloaded_bytes;
            s.ram_bytes = e->host_bytes + e->offloaded_bytes;
            s.usable_bytes = e->usable_bytes;
            if (sp) {
                s.decode_tps = sp->decode_tps;
                s.prefill_tps = sp->prefill_tps;
            }
            // A q8_0 cache is only worth listing when it changes the placement (or the experts kept in RAM).
            const bool second_kv = kv && kv != r.options.kv_type;
            std::optional<Setup> experts = s.verdict == Verdict::fits_with_offload ? expert_offload(r, q, kv, e->engine) : std::nullopt;
            if (!second_kv || base < 0 || out.setups[static_cast<size_t>(base)].gpu_layers != s.gpu_layers) {
                base = static_cast<int>(out.setups.size());
                out.setups.push_back(std::move(s));
            }
            if (experts && (!second_kv || expert < 0 || out.setups[static_cast<size_t>(expert)].n_cpu_moe != experts->n_cpu_moe)) {
                expert = static_cast<int>(out.setups.size());
                out.setups.push_back(std::move(*experts));
            }
        }
    }
    small_stable_sort(out.setups.begin(), out.setups.end(), [](const Setup& a, const Setup& b) { return a.decode_tps > b.decode_tps; });
    // Best: the most bits per weight (quality) among setups fast enough; else the fastest.
    for (size_t i = 0; i < out.setups.size(); ++i) {
        const Setup& s = out.setups[i];
        if (s.decode_tps < min_speed) continue;
        if (out.best < 0 || s.bits_per_weight > out.setups[static_cast<size_t>(out.best)].bits_per_weight) out.best = static_cast<int>(i);
    }
    if (out.best < 0 && !out.setups.empty()) out.best = 0;
    return out;
}

std::vector<Option> quant_options(const Catalog& c, const ResolvedRequest& r) {
    std::vector<Option> out;
    out.reserve(c.quants.size());
    for (const QuantEntry& q : c.quants) out.push_back(option_from(q.spec.id, q.spec.name, estimate_variant(r, {.quant = &q.spec})));
    return out;
}

std::vector<Option> device_options(const Catalog& c, const ResolvedRequest& r) {
    std::vector<Option> out;
    out.reserve(c.devices.size());
    InferenceOptions base = quiet(r.options);
    base.gpu_count = 1;
    // Weights depend only on model and format: compute them once per format the engines map to.
    std::vector<std::pair<std::string, WeightBreakdown>> cache;
    for (const Device& d : c.devices) {
        InferenceOptions o = base;
        if (o.engine && !choose_engine(r.quant, d, o.engine)) o.engine.reset();
        const Expected<EngineChoice> choice = choose_engine(r.quant, d, o.engine);
        const WeightBreakdown* cached = nullptr;
        if (choice) {
            for (const auto& entry : cache) {
                if (entry.first == choice->quant.id) cached = &entry.second;
            }
            if (!cached) {
                Expected<WeightBreakdown> w = weight_bytes(r.model.arch, r.model.tensors, choice->quant);
                if (w) {
                    cache.emplace_back(choice->quant.id, std::move(w.value()));
                    cached = &cache.back().second;
                }
            }
        }
        out.push_back(option_from(d.id, d.name, estimate_inference(r.model, r.quant, d, o, cached)));
        out.back().kind = device_kind_name(d.kind);
    }
    return out;
}

std::vector<SizeRow> model_sizes(const Catalog& c, const ResolvedRequest& r) {
    std::vector<SizeRow> out;
    // The checkpoint's own 16-bit type (as transformers loads it), then llama.cpp's two most used
    // quantizations (the defaults of ollama's library tags are Q4_K_M, Q8_0 the near-lossless one).
    const std::string dtype = r.quant.id == "fp16" || r.quant.id == "bf16" ? r.quant.id : r.model.arch.torch_dtype == "float16" ? "fp16" : "bf16";
    std::vector<std::string> ids = {dtype, "Q8_0", "Q4_K_M"};
    // A format the question named comes first ("qwen2.5 7b q6_k" with no device).
    if (std::find(ids.begin(), ids.end(), r.quant.id) == ids.end()) ids.insert(ids.begin(), r.quant.id);
    for (const std::string& id : ids) {
        const Lookup l = c.find_quant(id);
        if (l.index < 0) continue;
        ResolvedRequest q = r;
        q.quant = c.quants[static_cast<size_t>(l.index)].spec;
        SizeRow row;
        row.quant = q.quant.id;
        const std::vector<Option> options = device_options(c, q);
        for (const char* kind : {"gpu", "unified", "cpu"}) {
            const Option* best = nullptr;
            for (const Option& o : options) {
                if (o.kind == kind && o.verdict == Verdict::fits && (!best || o.usable_bytes < best->usable_bytes)) best = &o;
            }
            if (best) row.smallest.push_back(*best);
        }
        for (const Option& o : row.smallest) {
            if (row.total_bytes == 0) {
                row.total_bytes = o.kind == "cpu" ? o.total_bytes : o.gpu_bytes;
                row.weights_bytes = o.weights_bytes;
            }
        }
        if (row.weights_bytes == 0 && !options.empty()) row.weights_bytes = options.front().weights_bytes;
        out.push_back(std::move(row));
    }
    return out;
}

std::int64_t largest_context(const ResolvedRequest& r) {
    const Expected<EngineChoice> choice = choose_engine(r.quant, r.device, r.options.engine);
    if (!choice) return 0;
    Expected<WeightBreakdown> weights = weight_bytes(r.model.arch, r.model.tensors, choice->quant);
    if (!weights) return 0;
    constexpr std::int64_t step = 256;
    auto fits = [&](std::int64_t steps) {
        const Expected<Estimate> e = estimate_variant(r, {.context = steps * step, .weights = &weights.value()});
        return e && e->verdict == Verdict::fits;
    };
    const std::int64_t top = r.model.arch.max_position_embeddings > 0 ? r.model.arch.max_position_embeddings : 1 << 20;
    // Contexts are multiples of 256 up to the model's maximum.
    if (!fits(1)) return 0;
    const Expected<Estimate> at_top = estimate_variant(r, {.context = top, .weights = &weights.value()});
    if (at_top && at_top->verdict == Verdict::fits) return top;
    return largest_that_fits(1, top / step, fits) * step;
}

std::vector<CurvePoint> context_curve(const ResolvedRequest& r, int points) {
    std::vector<CurvePoint> out;
    points = std::clamp(points, 2, 512);
    InferenceOptions o = quiet(r.options);
    const std::int64_t top = r.model.arch.max_position_embeddings > 0 ? r.model.arch.max_position_embeddings : 131072;
    const Expected<EngineChoice> choice = choose_engine(r.quant, r.device, o.engine);
    if (!choice) return out;
    Expected<WeightBreakdown> weights = weight_bytes(r.model.arch, r.model.tensors, choice->quant);
    if (!weights) return out;
    for (int i = 0; i < points; ++i) {
        const std::int64_t ctx = std::max<std::int64_t>(256, top * i / (points - 1) / 256 * 256);
        o.context = ctx;
        const Expected<Estimate> e = estimate_inference(r.model, r.quant, r.device, o, &weights.value());
        if (!e) break;
        CurvePoint p;
        p.ctx = ctx;
        p.weights_bytes = e->weights_bytes;
        p.kv_cache_bytes = e->kv_cache_bytes;
        p.compute_bytes = e->compute_bytes;
        p.overhead_bytes = e->overhead_bytes;
        p.gpu_bytes = e->gpu_bytes;
        out.push_back(p);
    }
    return out;
}

std::vector<Suggestion> suggestions(const Catalog& c, const ResolvedRequest& r, const Estimate& e, std::int64_t max_context) {
    std::vector<Suggestion> out;
    const Units u = r.options.units;
    if (e.verdict == Verdict::fits) return out;

    // 1. The best-quality format that fits entirely on the device.
    bool format_fits = false;
    for (const char* id : kLadder) {
        const Lookup l = c.find_quant(id);
        if (l.index < 0) continue;
        const QuantSpec& q = c.quants[static_cast<size_t>(l.index)].spec;
        if (q.id == e.quant.id || q.id == r.quant.id) continue;
        const Expected<Estimate> alt = estimate_variant(r, {.quant = &q});
        if (alt && alt->verdict == Verdict::fits) {
            Suggestion s;
            s.kind = "quant";
            s.quant = q.id;
            s.engine = engine_name(alt->engine);
            s.gpu_bytes = alt->gpu_bytes;
            s.text = q.id + " would fit with " + s.engine + ": " + format_bytes(alt->gpu_bytes, u) + " of " +
                     format_bytes(alt->usable_bytes, u) + ", " + format_bytes(alt->headroom_bytes, u) + " to spare.";
            out.push_back(s);
            format_fits = true;
            break;
        }
    }
    // 2. A shorter context, when the weights fit but the cache does not.
    if (max_context > 0 && max_context < e.context) {
        Suggestion s;
        s.kind = "context";
        s.ctx = max_context;
        s.text = "Up to " + format_int(max_context) + " tokens of context would fit in " + e.quant.id + ".";
        out.push_back(s);
    }
    // 3. More of the same GPU (engines that split a model across GPUs).
    if (can_add_devices(r, e.engine)) {
        auto fits = [&](std::int64_t count) {
            const Expected<Estimate> alt = estimate_variant(r, {.count = static_cast<int>(count)});
            return alt && alt->verdict == Verdict::fits;
        };
        const int count = static_cast<int>(smallest_that_fits(e.gpu_count + 1, 8, fits));
        const Expected<Estimate> alt = count > 0 ? estimate_variant(r, {.count = count}) : Expected<Estimate>(Error{});
        if (count > 0 && alt) {
            Suggestion s;
            s.kind = "count";
            s.count = count;
            s.gpu_bytes = alt->gpu_bytes;
            s.text = std::to_string(count) + " x " + r.device.name + " would fit " + e.quant.id + " (" +
                     format_bytes(alt->gpu_bytes, u) + " of " + format_bytes(alt->usable_bytes, u) + ").";
            out.push_back(s);
        }
    }
    // 4. Nothing fits entirely, and this engine cannot keep part of the model in system RAM
    //    (vLLM, transformers): llama.cpp with a GGUF can, layer by layer or, for a mixture of
    //    experts, with the experts of the first layers there (--n-cpu-moe).
    const bool can_offload = e.engine == Engine::llama_cpp || e.engine == Engine::ollama;
    if (!format_fits && e.verdict == Verdict::does_not_fit && !can_offload && !r.options.engine && r.device.kind == DeviceKind::gpu) {
        const Lookup l = c.find_quant(r.quant.family == QuantFamily::mxfp4 ? "MXFP4_MOE" : "Q4_K_M");
        if (l.index >= 0) {
            const QuantSpec& q = c.quants[static_cast<size_t>(l.index)].spec;
            Suggestion s;
            s.kind = "offload";
            s.quant = q.id;
            s.engine = engine_name(Engine::llama_cpp);
            if (const std::optional<Setup> x = expert_offload(r, q, std::nullopt, Engine::llama_cpp)) {
                s.n_cpu_moe = x->n_cpu_moe;
                s.gpu_bytes = x->gpu_bytes;
                s.text = "llama.cpp with " + q.id + " would run it with every layer on the GPU and the experts of " +
                         std::to_string(x->n_cpu_moe) + " layers in system RAM (--n-cpu-moe " + std::to_string(x->n_cpu_moe) + "): " +
                         format_bytes(x->gpu_bytes, u) + " on the GPU, " + format_bytes(x->ram_bytes, u) + " in RAM, about " +
                         format_sig3(x->decode_tps) + " tokens/s.";
                out.push_back(s);
            } else if (const Expected<Estimate> alt = estimate_variant(r, {.quant = &q}); alt && alt->verdict == Verdict::fits_with_offload) {
                const Expected<SpeedEstimate> sp = estimate_speed(r.model, alt.value(), r.device, r.speed);
                s.gpu_bytes = alt->gpu_bytes - alt->offloaded_bytes;
                s.text = std::string(engine_name(alt->engine)) + " with " + q.id + " would run it with " + std::to_string(alt->gpu_layers) +
                         " of " + std::to_string(alt->total_layers) + " layers on the GPU and the rest in system RAM" +
                         (sp ? ", about " + format_sig3(sp->decode_tps) + " tokens/s." : std::string("."));
                s.engine = engine_name(alt->engine);
                out.push_back(s);
            }
        }
    }
    return out;
}

}  // namespace wif
