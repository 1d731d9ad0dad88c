#include "pipeline/placement.hpp"

#include "base/limits.hpp"


#include <algorithm>
#include <cmath>

namespace wif {

namespace {

QuantSpec gguf_spec(GgufFtype ftype) {
    QuantSpec q;
    q.family = QuantFamily::gguf;
    q.ftype = ftype;
    q.id = gguf_ftype_name(ftype);
    q.name = std::string("GGUF ") + q.id;
    return q;
}

QuantSpec mlx_spec(int bits) {
    QuantSpec q;
    q.family = QuantFamily::mlx;
    q.bits = bits;
    q.group_size = 64;
    q.id = "mlx-" + std::to_string(bits) + "bit";
    q.name = "MLX " + std::to_string(bits) + "-bit";
    return q;
}

Error incompatible(Engine e, const QuantSpec& q, const std::string& hint) {
    return make_error("incompatible_format", std::string(engine_name(e)) + " cannot load " + q.name + ": " + hint);
}

}  // namespace

const char* verdict_name(Verdict v) {
    switch (v) {
        case Verdict::fits: return "fits";
        case Verdict::fits_with_offload: return "fits_with_offload";
        case Verdict::does_not_fit: return "does_not_fit";
    }
    return "?";
}

PreparedModel prepare_model(std::string id, std::string name, ModelArch arch, std::string assumed_shape) {
    PreparedModel m;
    m.id = std::move(id);
    m.name = std::move(name);
    m.arch = std::move(arch);
    m.tensors = enumerate_tensors(m.arch);
    m.params = count_params(m.tensors, m.arch);
    m.assumed_shape = std::move(assumed_shape);
    return m;
}

Expected<EngineChoice> choose_engine(const QuantSpec& q, const Device& d, std::optional<Engine> requested) {
    const bool apple = d.kind == DeviceKind::unified && d.backend == Backend::metal;
    const bool cpu = d.kind == DeviceKind::cpu;
    EngineChoice c{Engine::transformers, q, ""};
    if (requested) {
        c.engine = *requested;
    } else {
        switch (q.family) {
            case QuantFamily::gguf: c.engine = Engine::llama_cpp; break;
            case QuantFamily::exl2: c.engine = Engine::exllamav2; break;
            case QuantFamily::mlx: c.engine = Engine::mlx; break;
            // vLLM's MXFP4 kernels are CUDA's; elsewhere the GGUF MXFP4 file under llama.cpp.
            case QuantFamily::mxfp4: c.engine = (apple || cpu || d.backend != Backend::cuda) ? Engine::llama_cpp : Engine::vllm; break;
            case QuantFamily::bnb:
            case QuantFamily::gptq:
            case QuantFamily::awq: c.engine = Engine::transformers; break;
            case QuantFamily::dtype:
                if (apple) c.engine = Engine::mlx;
                else if (cpu || d.backend == Backend::vulkan) c.engine = Engine::llama_cpp;
                else c.engine = Engine::transformers;
                break;
        }
    }
    const Engine e = c.engine;
    if (!engine_supports_backend(e, d.backend)) {
        std::string where = cpu ? "a CPU-only machine" : std::string("a ") + backend_name(d.backend) + " device";
        std::string hint = e == Engine::mlx ? " (MLX needs Apple Silicon)" : e == Engine::vllm ? " (vLLM needs CUDA, ROCm or Intel XPU)" : "";
        return make_error("incompatible_engine", std::string(engine_name(e)) + " does not run on " + where + hint);
    }
    switch (e) {
        case Engine::llama_cpp:
        case Engine::ollama:
            if (q.family == QuantFamily::gguf) return c;
            if (q.family == QuantFamily::mxfp4) {
                c.quant = gguf_spec(GgufFtype::mxfp4_moe);
                c.note = "llama.cpp loads gpt-oss as GGUF MXFP4_MOE (MXFP4 experts, Q8_0 elsewhere)";
                return c;
            }
            if (q.family == QuantFamily::dtype) {
                if (q.id == "fp32") c.quant = gguf_spec(GgufFtype::all_f32);
                else if (q.id == "bf16") c.quant = gguf_spec(GgufFtype::bf16);
                else if (q.id == "fp16") c.quant = gguf_spec(GgufFtype::f16);
                else if (q.id == "int8") c.quant = gguf_spec(GgufFtype::q8_0);
                else if (q.id == "int4") c.quant = gguf_spec(GgufFtype::q4_0);
                else return incompatible(e, q, "GGUF has no FP8 weights; pick Q8_0");
                if (q.id == "int8" || q.id == "int4") {
                    c.note = std::string(engine_name(e)) + " stores " + q.id + " as GGUF " + c.quant.id + " (with block scales)";
                } else {
                    c.note = std::string(engine_name(e)) + " loads " + q.id + " as GGUF " + c.quant.id;
                }
                return c;
            }
            return incompatible(e, q, "it reads GGUF files; choose a GGUF type such as Q4_K_M");
        case Engine::vllm:
            if (q.family == QuantFamily::gguf || q.family == QuantFamily::exl2 || q.family == QuantFamily::mlx)
                return incompatible(e, q, "vLLM serves 16-bit, FP8, GPTQ, AWQ, bitsandbytes and MXFP4 checkpoints");
            return c;
        case Engine::transformers:
            if (q.family == QuantFamily::gguf || q.family == QuantFamily::exl2 || q.family == QuantFamily::mlx)
                return incompatible(e, q, "transformers loads safetensors checkpoints (16-bit, bitsandbytes, GPTQ, AWQ, FP8)");
            if (q.family == QuantFamily::bnb && (apple || cpu))
                return incompatible(e, q, "bitsandbytes quantization needs a CUDA or ROCm GPU");
            return c;
        case Engine::mlx:
            if (q.family == QuantFamily::mlx) return c;
            if (q.family == QuantFamily::dtype) {
                if (q.id == "fp8") return incompatible(e, q, "MLX has no FP8 weights; pick mlx-8bit");
                if (q.id == "int8" || q.id == "int4") {
                    c.note = q.id + " counted as " + format_sig3(q.bytes_per_param) + " bytes per parameter, as usually quoted; " +
                             mlx_spec(q.id == "int8" ? 8 : 4).name + " adds a scale and bias per 64 weights (+0.5 bits)";
                }
                return c;
            }
            return incompatible(e, q, "mlx-lm loads 16-bit or MLX-quantized checkpoints");
        case Engine::exllamav2:
            if (q.family == QuantFamily::exl2 || (q.family == QuantFamily::gptq && q.bits == 4)) return c;
            return incompatible(e, q, "ExLlamaV2 loads EXL2 and 4-bit GPTQ checkpoints");
    }
    return c;
}

Expected<RunPlan> plan_run(const PreparedModel& m, const QuantSpec& quant, const Device& d, const InferenceOptions& o) {
    RunPlan p;
    // Inputs a person could get wrong: say which and why.
    if (o.gpu_count < 1 || o.gpu_count > kMaxDevices) return make_error("invalid_count", "count must be between 1 and 64");
    if (o.gpu_count > 1 && d.kind != DeviceKind::gpu)
        return make_error("invalid_count", "count applies to discrete GPUs; " + d.name + " is one machine");
    if (o.sequences < 1 || o.sequences > 4096) return make_error("invalid_batch", "batch must be between 1 and 4096 sequences");
    if (o.context < 0 || o.context > kMaxContext) return make_error("invalid_context", "context must be between 1 and 16,777,216 tokens");
    if (o.ubatch < 1 || o.ubatch > 65536) return make_error("invalid_ubatch", "ubatch must be between 1 and 65536");
    if (!(o.gpu_memory_utilization > 0 && o.gpu_memory_utilization <= 1))
        return make_error("invalid_gpu_memory_utilization", "gpu_memory_utilization must be in (0, 1]");
    if (d.memory_gib <= 0) return make_error("invalid_memory", "the device has no memory size");

    Expected<EngineChoice> choice = choose_engine(quant, d, o.engine);
    if (!choice) return choice.error();
    if (Expected<bool> ok = fill_plan(m, choice.value(), quant, d, o, p); !ok) return ok.error();
    return p;
}

Expected<Estimate> estimate_requirements(const PreparedModel& m, const QuantSpec& quant, const Device& d,
                                         const InferenceOptions& o, const WeightBreakdown* cached_weights) {
    const ModelArch& a = m.arch;
    Expected<RunPlan> planned = plan_run(m, quant, d, o);
    if (!planned) return planned.error();
    RunPlan& p = planned.value();
    Estimate e;
    e.items.reserve(8);
    e.engine = p.engine;
    e.quant = p.quant;
    e.flash_attn = p.flash_attn;
    e.kv_type = p.kv_type;
    e.context = p.context;
    e.backend = d.backend;
    e.gpu_count = o.gpu_count;
    e.sequences = o.sequences;
    e.assumptions = std::move(p.assumptions);
    e.warnings = std::move(p.warnings);
    const bool cpu_only = p.cpu_only;

    // Weights, KV cache and runtime buffers.
    if (cached_weights) {
        e.weights = *cached_weights;
    } else {
        Expected<WeightBreakdown> w = weight_bytes(a, m.tensors, e.quant);
        if (!w) return w.error();
        e.weights = std::move(w.value());
    }
    e.kv = compute_kv_cache(a, p.kv);
    if (e.kv.out_of_range) {
        return make_error("out_of_range", "the KV cache of this configuration is larger than any machine (over 2^60 bytes)");
    }
    const WeightSplit split = split_weights(e.weights, a, e.engine, cpu_only);

    // Line items: where each engine keeps what.
    const Location accel = cpu_only ? Location::host : Location::gpu;
    auto add = [&](const char* key, ItemCategory category, bytes_t bytes, Location where, auto words) {
        LineItem item;
        item.key = key;
        item.category = category;
        item.bytes = bytes;
        item.location = where;
        if (o.explain) words(item);
        e.items.push_back(std::move(item));
    };
    if (split.ggml && !cpu_only) {
        add("weights", ItemCategory::weights, split.accel, Location::gpu, [&](LineItem& i) {
            i.label = "model weights (repeating layers and output head)";
            i.formula = std::to_string(a.num_hidden_layers) + " layers + output" + (split.tied_copy > 0 ? " (tied embeddings copied to the GPU)" : "");
            i.source = "llama.cpp src/llama-model.cpp load_tensors; types from src/llama-quant.cpp";
        });
        add("token_embeddings", ItemCategory::weights, split.host, Location::host, [&](LineItem& i) {
            i.label = "token embeddings (kept in system RAM)";
            i.formula = format_int(a.vocab_size) + " x " + format_int(a.hidden_size) + " in " + e.quant.id;
            i.source = "llama.cpp keeps the input layer on the CPU (src/llama-model.cpp load_tensors)";
        });
    } else {
        add("weights", ItemCategory::weights, split.accel, accel, [&](LineItem& i) {
            i.label = "model weights";
            i.formula = format_params(e.weights.params) + " parameters at " + format_fixed(e.weights.bits_per_weight, 2) + " bits";
            i.source = "format layout (quants catalog); GGUF types from llama.cpp src/llama-quant.cpp";
        });
    }
    if (split.vision_dropped && o.explain) {
        e.assumptions.push_back("text only: the " + format_params(a.vision_params) + " vision tower is not loaded (" +
                                (split.ggml ? "llama.cpp loads it from a separate mmproj file" : "text generation") + ")");
    }
    add("kv_cache", ItemCategory::kv_cache, e.kv.total, accel, [&](LineItem& i) {
        i.label = "KV cache";
        i.formula = format_int(e.kv.cells_full) + " cells x " + format_int(e.kv.bytes_per_cell) + " B per cell over the full-attention layers" +
                    (e.kv.swa_layers > 0 ? " + " + std::to_string(e.kv.swa_layers) + " sliding-window layers of " + format_int(e.kv.cells_swa) + " cells" : std::string());
        i.source = "cells x (K + V row bytes) per layer: llama.cpp src/llama-kv-cache.cpp, vLLM kv_cache_interface.py";
    });
    std::vector<LineItem> runtime = runtime_items(a, e.kv, p.runtime);
    for (LineItem& item : runtime) e.items.push_back(std::move(item));

    // Totals, by category and by where they live (the same sums the sweeps take via needs_from).
    const RuntimeTotals rt = runtime_totals(runtime);
    const Needs n = needs_from(split, e.kv, rt, e.weights, e.engine, cpu_only);
    e.weights_bytes = split.accel + split.host;
    e.kv_cache_bytes = e.kv.total;
    e.compute_bytes = rt.compute;
    e.overhead_bytes = rt.overhead;
    e.gpu_bytes = n.gpu_bytes;
    e.host_bytes = n.host_bytes;
    e.total_bytes = n.total_bytes;
    e.gpu_fixed_bytes = n.gpu_fixed_bytes;
    e.head_bytes = n.head_bytes;
    e.total_layers = a.num_hidden_layers + 1;
    return e;
}

Expected<Estimate> estimate_inference(const PreparedModel& m, const QuantSpec& quant, const Device& d,
                                      const InferenceOptions& o, const WeightBreakdown* cached_weights) {
    Expected<Estimate> req = estimate_requirements(m, quant, d, o, cached_weights);
    if (!req) return req;
    Estimate& e = req.value();
    const Placement p = place_on_device(needs_of(e), m.arch, device_budget(d, e.engine, o));
    e.verdict = p.verdict;
    e.device_bytes = p.device_bytes;
    e.usable_bytes = p.usable_bytes;
    e.headroom_bytes = p.headroom_bytes;
    e.system_ram_bytes = p.system_ram_bytes;
    e.system_usable_bytes = p.system_usable_bytes;
    e.offloaded_bytes = p.offloaded_bytes;
    e.total_layers = p.total_layers;
    e.gpu_layers = p.gpu_layers;
    return req;
}

}  // namespace wif
