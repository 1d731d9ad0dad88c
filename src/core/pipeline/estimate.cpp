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
    // Google publishes QAT Q4_0 GGUFs for Gemma 3 only; elsewhere the recipe is counted, not a file.
    if (o.explain && quant.id == "Q4_0_QAT" && m.arch.model_type.rfind("gemma3", 0) != 0)
        p.assumptions.push_back("Google publishes QAT Q4_0 files for Gemma 3; " + m.name +
                                " is counted with the same recipe (Q4_0 matrices, F16 token embeddings)");
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
    e.engine_version = engine_version_applies(o.engine_version, e.engine) ? o.engine_version : EngineVersion::latest;
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
    // --n-cpu-moe N: llama.cpp puts blk.<i>.ffn_{up,down,gate}_exps of blocks i < N in a CPU buffer
    // (common/arg.cpp, one override per block); everything else in the block follows -ngl as before.
    if (p.n_cpu_moe > 0 && split.ggml && !cpu_only) {
        const std::int64_t blocks = std::min<std::int64_t>(p.n_cpu_moe, static_cast<std::int64_t>(e.weights.layers.size()));
        e.layer_cpu_moe.assign(e.weights.layers.size(), 0);
        for (std::int64_t il = 0; il < blocks; ++il) {
            e.layer_cpu_moe[static_cast<size_t>(il)] = routed_expert_bytes(a, e.weights, il);
            e.cpu_moe_bytes += e.layer_cpu_moe[static_cast<size_t>(il)];
        }
        e.n_cpu_moe = blocks;
        if (e.cpu_moe_bytes == 0) {
            e.layer_cpu_moe.clear();
            e.n_cpu_moe = 0;
        }
    }

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
        add("weights", ItemCategory::weights, split.accel - e.cpu_moe_bytes, Location::gpu, [&](LineItem& i) {
            i.label = "model weights (repeating layers and output head)";
            i.formula = std::to_string(a.num_hidden_layers) + " layers + output" + (split.tied_copy > 0 ? " (tied embeddings copied to the GPU)" : "");
            i.source = "llama.cpp src/llama-model.cpp load_tensors; types from src/llama-quant.cpp";
        });
        add("token_embeddings", ItemCategory::weights, split.host, Location::host, [&](LineItem& i) {
            i.label = "token embeddings (kept in system RAM)";
            i.formula = format_int(a.vocab_size) + " x " + format_int(a.hidden_size) + " in " + e.quant.id;
            i.source = "llama.cpp keeps the input layer on the CPU (src/llama-model.cpp load_tensors)";
        });
        if (e.cpu_moe_bytes > 0) {
            const bool all = e.n_cpu_moe >= a.num_hidden_layers;
            std::int64_t moe_blocks = 0;
            for (std::int64_t il = 0; il < e.n_cpu_moe; ++il) moe_blocks += e.layer_cpu_moe[static_cast<size_t>(il)] > 0 ? 1 : 0;
            add("moe_experts_cpu", ItemCategory::weights, e.cpu_moe_bytes, Location::host, [&](LineItem& i) {
                i.label = all ? "MoE experts in system RAM (all " + std::to_string(e.n_cpu_moe) + " layers, --cpu-moe)"
                              : "MoE experts in system RAM (first " + std::to_string(e.n_cpu_moe) + " layers, --n-cpu-moe)";
                i.formula = "routed experts (ffn_up/gate/down_exps) of " + std::to_string(moe_blocks) + " MoE blocks" +
                            (moe_blocks > 0 ? ", about " + format_bytes(e.cpu_moe_bytes / moe_blocks, o.units) + " each" : std::string()) +
                            ", moved off the GPU";
                i.source = "llama.cpp common/arg.cpp --n-cpu-moe/--cpu-moe: a CPU buffer override for blk.N.ffn_(up|down|gate)_exps";
            });
            if (o.explain) {
                e.assumptions.push_back("--n-cpu-moe " + std::to_string(e.n_cpu_moe) + ": " + format_bytes(e.cpu_moe_bytes, o.units) +
                                        " of routed experts stay in system RAM; generating reads a token's active experts there (on the CPU), "
                                        "and a prompt batch of 32+ tokens copies the experts it uses to the GPU");
            }
        }
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
    add("kv_cache", ItemCategory::kv_cache, e.kv.total - e.kv.state_bytes, accel, [&](LineItem& i) {
        i.label = "KV cache";
        i.formula = format_int(e.kv.cells_full) + " cells x " + format_int(e.kv.bytes_per_cell) + " B per cell over the full-attention layers" +
                    (e.kv.swa_layers > 0 ? " + " + std::to_string(e.kv.swa_layers) + (a.chunked_attention ? " chunked-attention" : " sliding-window") +
                                               " layers of " + format_int(e.kv.cells_swa) + " cells" : std::string());
        i.source = "cells x (K + V row bytes) per layer: llama.cpp src/llama-kv-cache.cpp, vLLM kv_cache_interface.py";
    });
    if (e.kv.state_bytes > 0) {
        // Hybrids: the recurrent layers' fixed-size state, part of the cache (kv_cache_bytes) but its own line.
        add("recurrent_state", ItemCategory::kv_cache, e.kv.state_bytes, accel, [&](LineItem& i) {
            i.label = "recurrent state";
            i.formula = format_int(e.kv.state_slots) + (e.kv.state_slots == 1 ? " sequence x " : " sequences x ") +
                        std::to_string(e.kv.recurrent_layers) + " layers x " + format_int(e.kv.state_bytes_per_slot) +
                        " B (convolution + scan state), the same at any context";
            i.source = "llama.cpp src/llama-memory-recurrent.cpp (n_embd_r + n_embd_s per layer and sequence, F32); "
                       "vLLM mamba_utils.py state shapes, one page per request";
        });
    }
    std::vector<LineItem> runtime = runtime_items(a, e.kv, p.runtime);
    for (LineItem& item : runtime) e.items.push_back(std::move(item));

    // Totals, by category and by where they live (the same sums the sweeps take via needs_from).
    const RuntimeTotals rt = runtime_totals(runtime);
    const Needs n = needs_from(split, e.kv, rt, e.weights, e.engine, cpu_only, e.layer_cpu_moe.empty() ? nullptr : &e.layer_cpu_moe);
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
    if (e.engine == Engine::ollama && e.verdict == Verdict::fits_with_offload && o.ngl < 0 && o.explain) {
        e.assumptions.push_back("ollama keeps one layer's worth of memory free when it places layers (llm/memory.go), so it "
                                "puts about one layer fewer on the GPU than llama.cpp would");
    }
    if (e.cpu_moe_bytes > 0 && e.verdict == Verdict::does_not_fit && e.headroom_bytes >= 0 && o.explain) {
        e.warnings.push_back("the GPU side fits, but system RAM (" + format_bytes(e.system_usable_bytes, o.units) +
                             " usable) cannot hold the " + format_bytes(e.host_bytes, o.units) + " kept there, " +
                             format_bytes(e.cpu_moe_bytes, o.units) + " of it MoE experts (--n-cpu-moe)");
    }
    return req;
}

}  // namespace wif
