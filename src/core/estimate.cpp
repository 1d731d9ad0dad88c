#include "estimate.hpp"

#include <algorithm>
#include <cmath>

namespace wif {

namespace {

std::string fmt(bytes_t b, Units u) { return format_bytes(b, u); }

bool one_of(const std::string& s, std::initializer_list<const char*> list) {
    for (const char* item : list) {
        if (s == item) return true;
    }
    return false;
}

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

// System RAM people pair with a GPU when nothing says otherwise [estimate: typical configurations].
bytes_t assumed_system_ram(const Device& d, int gpu_count) {
    if (d.segment == "laptop") return 16 * GiB;
    if (d.segment == "workstation") return 128 * GiB;
    if (d.segment == "datacenter") return std::max<bytes_t>(256 * GiB, 2 * gpu_count * d.memory_bytes());
    return 32 * GiB;
}

bytes_t os_reserve(bytes_t ram) { return std::max<bytes_t>(2 * GiB, ram / 10); }

std::string device_phrase(const Device& d, int count) {
    const std::string memory = format_sig3(d.memory_gib) + " GB";
    const bool named_size = d.name.find(" GB") != std::string::npos || d.name.find("GB)") != std::string::npos;
    if (d.id.rfind("custom-", 0) == 0) return count > 1 ? std::to_string(count) + " x " + memory + " GPUs" : d.name;
    if (count > 1) return std::to_string(count) + " x " + d.name + " (" + memory + " each)";
    return named_size ? "the " + d.name : "the " + d.name + " (" + memory + ")";
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
    const std::string params = format_params(e.weights.params);
    const std::string w = fmt(e.weights.total - e.weights.vision, u);
    const QuantSpec& q = e.quant;
    std::string s;
    if (q.family == QuantFamily::dtype) {
        std::string bpp = format_sig3(q.bytes_per_param);
        s = params + " parameters x " + bpp + (q.bytes_per_param == 1 ? " byte" : " bytes") + " (" + q.id + ") = " +
            fmt(e.weights.total, u) + " of weights";
    } else if (q.family == QuantFamily::gguf) {
        s = params + " parameters in " + q.id + " (llama.cpp's per-tensor mix averages " +
            format_fixed(e.weights.bits_per_weight, 2) + " bits per weight) = " + fmt(e.weights.total, u) + " of weights";
    } else {
        s = params + " parameters in " + q.name + " (" + format_fixed(e.weights.bits_per_weight, 2) +
            " bits per weight with its scales) = " + fmt(e.weights.total, u) + " of weights";
    }
    (void)w;
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
        s += std::to_string(kv.full_layers) + (kv.swa_layers > 0 ? " full-attention layers x " : " layers x ") + heads +
             " x " + per + " x " + format_int(kv.cells_full) + " tokens";
        if (kv.swa_layers > 0) {
            s += " + " + std::to_string(kv.swa_layers) + " sliding-window layers that keep only " +
                 format_int(kv.cells_swa) + " tokens (window " + format_int(a.sliding_window) + ")";
        }
    }
    if (e.sequences > 1) s += " (" + std::to_string(e.sequences) + " sequences of " + format_int(e.context) + ")";
    s += " = " + fmt(kv.total, u);
    return s;
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
            case QuantFamily::mxfp4: c.engine = (apple || cpu) ? Engine::llama_cpp : Engine::vllm; break;
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

const WeightBreakdown* EstimateCache::weights(const PreparedModel& m, const QuantSpec& q) {
    for (const auto& w : weights_) {
        if (w.first == q.id) return &w.second;
    }
    Expected<WeightBreakdown> w = weight_bytes(m.arch, m.tensors, q);
    if (!w) return nullptr;
    weights_.emplace_back(q.id, std::move(w.value()));
    return &weights_.back().second;
}

const KvCache& EstimateCache::kv(const ModelArch& arch, const KvRequest& request) {
    for (const auto& k : kv_) {
        if (k.first == request) return k.second;
    }
    kv_.emplace_back(request, compute_kv_cache(arch, request));
    return kv_.back().second;
}

void EstimateCache::clear() {
    weights_.clear();
    kv_.clear();
    runtime_.clear();
}

Expected<RunPlan> plan_run(const PreparedModel& m, const QuantSpec& quant, const Device& d, const InferenceOptions& o) {
    const ModelArch& a = m.arch;
    RunPlan p;
    // Inputs a person could get wrong: say which and why.
    if (o.gpu_count < 1 || o.gpu_count > 64) return make_error("invalid_count", "count must be between 1 and 64");
    if (o.gpu_count > 1 && d.kind != DeviceKind::gpu)
        return make_error("invalid_count", "count applies to discrete GPUs; " + d.name + " is one machine");
    if (o.sequences < 1 || o.sequences > 4096) return make_error("invalid_batch", "batch must be between 1 and 4096 sequences");
    if (o.context < 0 || o.context > 16'777'216) return make_error("invalid_context", "context must be between 1 and 16,777,216 tokens");
    if (o.ubatch < 1 || o.ubatch > 65536) return make_error("invalid_ubatch", "ubatch must be between 1 and 65536");
    if (!(o.gpu_memory_utilization > 0 && o.gpu_memory_utilization <= 1))
        return make_error("invalid_gpu_memory_utilization", "gpu_memory_utilization must be in (0, 1]");
    if (d.memory_gib <= 0) return make_error("invalid_memory", "the device has no memory size");

    Expected<EngineChoice> choice = choose_engine(quant, d, o.engine);
    if (!choice) return choice.error();
    p.engine = choice->engine;
    p.quant = choice->quant;
    if (!choice->note.empty() && o.explain) p.assumptions.push_back(choice->note);
    if (!o.engine && o.explain) {
        p.assumptions.push_back(std::string("engine: ") + engine_name(p.engine) + " (the usual runtime for " + quant.id +
                                " weights on " + (d.kind == DeviceKind::cpu ? "a CPU" : d.kind == DeviceKind::unified ? "a Mac" : std::string("a ") + backend_label(d.backend) + " GPU") + ")");
    }
    if (p.engine == Engine::mlx && o.gpu_count > 1) return make_error("invalid_count", "mlx runs on one Mac");
    p.cpu_only = d.kind == DeviceKind::cpu;

    // Context.
    const std::int64_t trained = a.max_position_embeddings;
    if (o.context > 0) {
        p.context = o.context;
        if (trained > 0 && o.context > trained && o.explain) {
            p.warnings.push_back("context " + format_int(o.context) + " is beyond the " + format_int(trained) +
                                 " tokens the model was trained for");
        }
    } else {
        p.context = trained > 0 ? std::min(kDefaultContext, trained) : kDefaultContext;
        if (o.explain) p.assumptions.push_back("context: " + format_int(p.context) + " tokens (the model supports " +
                                               format_int(trained) + "; set ctx to change)");
    }

    // Flash attention, as each engine decides it.
    switch (p.engine) {
        case Engine::llama_cpp:
            p.flash_attn = o.flash_attn != FlashAttn::off;  // llama.cpp defaults to -fa auto
            if (o.flash_attn == FlashAttn::automatic && o.explain) p.assumptions.push_back("flash attention on (llama.cpp's default -fa auto)");
            break;
        case Engine::ollama:
            if (o.flash_attn == FlashAttn::automatic) {
                // ollama enables it by default for these architectures (llm/memory.go, fs/ggml SupportsFlashAttention).
                p.flash_attn = one_of(a.model_type, {"gemma3", "gpt_oss", "qwen3", "qwen3_moe"});
                if (o.explain) p.assumptions.push_back(std::string("flash attention ") + (p.flash_attn ? "on" : "off") +
                                                       " (ollama's default for " + a.model_type + "; OLLAMA_FLASH_ATTENTION=1 turns it on)");
            } else {
                p.flash_attn = o.flash_attn == FlashAttn::on;
            }
            break;
        case Engine::transformers:
            p.flash_attn = o.flash_attn != FlashAttn::off;
            if (o.flash_attn == FlashAttn::automatic && o.explain) p.assumptions.push_back("attention: PyTorch SDPA (transformers' default), no score matrix kept");
            break;
        default:
            p.flash_attn = true;
            if (o.flash_attn == FlashAttn::off && o.explain)
                p.warnings.push_back(std::string(engine_name(p.engine)) + " always uses fused attention; flash_attn off was ignored");
            break;
    }

    // KV cache type.
    p.kv_type = o.kv_type.value_or(KvType::f16);
    if (p.engine == Engine::ollama && kv_type_is_quantized(p.kv_type) && !p.flash_attn) {
        if (o.explain) p.warnings.push_back("ollama ignores OLLAMA_KV_CACHE_TYPE without flash attention and keeps an f16 cache");
        p.kv_type = KvType::f16;
    }
    if (Expected<bool> ok = check_kv_types(p.engine, p.kv_type, p.kv_type, p.flash_attn); !ok) return ok.error();
    if (!o.kv_type && o.explain) p.assumptions.push_back("KV cache: 16-bit (the engine's default)");

    // Buffers and cache layout.
    RuntimeRequest& rr = p.runtime;
    rr.engine = p.engine;
    rr.backend = d.backend;
    rr.flash_attn = p.flash_attn;
    rr.context = p.context;
    rr.sequences = o.sequences;
    rr.ubatch = std::min(o.ubatch, p.context * o.sequences);
    rr.gpu_count = o.gpu_count;
    rr.quant_family = p.quant.family;
    rr.cpu_only = p.cpu_only;
    rr.describe = o.explain;
    if (p.engine == Engine::vllm) apply_vllm_defaults(rr, d.memory_gib, d.id.rfind("a100", 0) == 0);

    KvRequest& kr = p.kv;
    kr.engine = p.engine;
    kr.context = p.context;
    kr.sequences = o.sequences;
    kr.type_k = kr.type_v = p.kv_type;
    kr.flash_attn = p.flash_attn;
    kr.ubatch = rr.ubatch;
    kr.max_num_batched_tokens = rr.max_num_batched_tokens;
    return p;
}

WeightSplit split_weights(const WeightBreakdown& w, const ModelArch& a, Engine engine, bool cpu_only) {
    WeightSplit s;
    bytes_t layers = 0;
    for (bytes_t b : w.layers) layers += b;
    s.ggml = engine == Engine::llama_cpp || engine == Engine::ollama;
    const bool text_only = s.ggml || engine == Engine::mlx || engine == Engine::exllamav2;
    if (s.ggml && !cpu_only) {
        // llama.cpp keeps the input embedding on the CPU (llama-model.cpp load_tensors: "very little
        // benefit to offloading the input layer"); a tied output head is a second copy on the GPU.
        s.tied_copy = a.tie_word_embeddings ? w.token_embd : 0;
        s.accel = layers + w.output + s.tied_copy;
        s.host = w.token_embd;
        s.head = w.output + s.tied_copy;
    } else {
        s.accel = w.total - (text_only ? w.vision : 0);
        s.head = s.accel - layers;
    }
    s.vision_dropped = text_only && w.vision > 0;
    return s;
}

RuntimeTotals runtime_totals(const std::vector<LineItem>& items) {
    RuntimeTotals t;
    for (const LineItem& i : items) {
        (i.location == Location::gpu ? t.gpu : t.host) += i.bytes;
        (i.category == ItemCategory::compute ? t.compute : t.overhead) += i.bytes;
    }
    return t;
}

const RuntimeTotals& EstimateCache::runtime(const ModelArch& arch, const KvCache& kv, const RuntimeRequest& request) {
    for (const auto& r : runtime_) {
        if (r.first.first == request && r.first.second == kv.cells_full) return r.second;
    }
    runtime_.push_back({{request, kv.cells_full}, runtime_totals(runtime_items(arch, kv, request))});
    return runtime_.back().second;
}

Needs needs_from(const WeightSplit& w, const KvCache& kv, const RuntimeTotals& rt, const WeightBreakdown& weights,
                 Engine engine, bool cpu_only) {
    Needs n;
    n.engine = engine;
    const bytes_t on_accel = w.accel + kv.total;
    n.gpu_bytes = cpu_only ? 0 : on_accel + rt.gpu;
    n.host_bytes = (cpu_only ? on_accel : 0) + w.host + rt.host + (cpu_only ? rt.gpu : 0);
    n.total_bytes = n.gpu_bytes + n.host_bytes;
    n.gpu_fixed_bytes = cpu_only ? 0 : rt.gpu;
    n.head_bytes = w.head;
    n.layer_weights = &weights.layers;
    n.layer_kv = &kv.layers;
    return n;
}

Expected<Estimate> estimate_requirements(const PreparedModel& m, const QuantSpec& quant, const Device& d,
                                         const InferenceOptions& o, const WeightBreakdown* cached_weights,
                                         EstimateCache* cache) {
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
    if (!cached_weights && cache) cached_weights = cache->weights(m, e.quant);
    if (cached_weights) {
        e.weights = *cached_weights;
    } else {
        Expected<WeightBreakdown> w = weight_bytes(a, m.tensors, e.quant);
        if (!w) return w.error();
        e.weights = std::move(w.value());
    }
    e.kv = cache ? cache->kv(a, p.kv) : compute_kv_cache(a, p.kv);
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


DeviceBudget device_budget(const Device& d, Engine engine, const InferenceOptions& o) {
    DeviceBudget b;
    b.kind = d.kind;
    UsableOptions uo = o.usable;
    if (engine == Engine::vllm) uo.gpu_memory_utilization = o.gpu_memory_utilization;
    const UsableMemory um = usable_memory(d, uo, /*describe=*/false);
    b.device_bytes = um.device_bytes * o.gpu_count;
    b.usable_bytes = um.usable_bytes * o.gpu_count;
    if (d.kind == DeviceKind::cpu) {
        b.system_ram_bytes = b.device_bytes;
        b.system_usable_bytes = b.usable_bytes;
        return b;
    }
    b.system_ram_bytes = d.kind == DeviceKind::unified ? um.device_bytes
                         : o.system_ram > 0          ? o.system_ram
                                                     : assumed_system_ram(d, o.gpu_count);
    b.system_usable_bytes = b.system_ram_bytes - os_reserve(b.system_ram_bytes);
    return b;
}

Needs needs_of(const Estimate& e) {
    Needs n;
    n.engine = e.engine;
    n.gpu_bytes = e.gpu_bytes;
    n.host_bytes = e.host_bytes;
    n.total_bytes = e.total_bytes;
    n.gpu_fixed_bytes = e.gpu_fixed_bytes;
    n.head_bytes = e.head_bytes;
    n.layer_weights = &e.weights.layers;
    n.layer_kv = &e.kv.layers;
    return n;
}

Placement place_on_device(const Needs& e, const ModelArch& a, const DeviceBudget& b) {
    Placement p;
    p.device_bytes = b.device_bytes;
    p.usable_bytes = b.usable_bytes;
    p.system_ram_bytes = b.system_ram_bytes;
    p.system_usable_bytes = b.system_usable_bytes;
    p.total_layers = a.num_hidden_layers + 1;
    if (b.kind == DeviceKind::cpu) {
        p.headroom_bytes = p.usable_bytes - e.total_bytes;
        p.verdict = p.headroom_bytes >= 0 ? Verdict::fits : Verdict::does_not_fit;
        return p;
    }
    p.headroom_bytes = p.usable_bytes - e.gpu_bytes;
    if (p.headroom_bytes >= 0) {
        p.verdict = Verdict::fits;
        p.gpu_layers = p.total_layers;
        return p;
    }
    if (!engine_can_offload(e.engine)) return p;

    // Offload: keep the output layer and the last blocks on the GPU (llama.cpp -ngl counts the output
    // as a layer and offloads from the end, src/llama-model.cpp load_tensors), the rest in system RAM.
    bytes_t pool = p.usable_bytes - e.gpu_fixed_bytes - e.head_bytes;
    if (pool < 0) return p;  // not even the buffers and the output layer: nothing to gain from the GPU
    std::int64_t placed = 1;
    for (std::int64_t il = a.num_hidden_layers - 1; il >= 0; --il) {
        const bytes_t cost = (*e.layer_weights)[static_cast<size_t>(il)] + (*e.layer_kv)[static_cast<size_t>(il)];
        if (cost > pool) break;
        pool -= cost;
        ++placed;
    }
    for (std::int64_t il = 0; il < a.num_hidden_layers - (placed - 1); ++il) {
        p.offloaded_bytes += (*e.layer_weights)[static_cast<size_t>(il)] + (*e.layer_kv)[static_cast<size_t>(il)];
    }
    p.gpu_layers = placed;
    // On a Mac the offloaded layers share the RAM that the GPU's part already occupies.
    const bytes_t gpu_side_used = b.kind == DeviceKind::unified ? std::min(e.gpu_bytes, p.usable_bytes) : 0;
    const bytes_t host_need = e.host_bytes + std::max<bytes_t>(0, p.offloaded_bytes);
    const bool host_fits = host_need <= p.system_usable_bytes - gpu_side_used;
    p.verdict = host_fits ? Verdict::fits_with_offload : Verdict::does_not_fit;
    return p;
}

namespace {

void explain(Estimate& e, const PreparedModel& m, const Device& d, const InferenceOptions& o) {
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
    if (!cpu_only && e.weights_bytes > e.usable_bytes) {
        first += ", already more than the " + fmt(e.usable_bytes, u) + " that " + dev + " can use";
    } else if (cpu_only && e.weights_bytes > e.usable_bytes) {
        first += ", already more than the " + fmt(e.usable_bytes, u) + " of RAM available";
    }
    e.explanation.push_back(first + ".");
    e.explanation.push_back("+ " + kv_sentence(a, e, u) + ".");
    bytes_t host_extra = 0;
    std::string host_list;
    for (const LineItem& item : e.items) {
        if (item.category == ItemCategory::weights || item.category == ItemCategory::kv_cache) {
            if (item.location == Location::host && !cpu_only) {
                host_extra += item.bytes;
                host_list += (host_list.empty() ? "" : ", ") + item.label + " " + fmt(item.bytes, u);
            }
            continue;
        }
        if (item.location == Location::host && !cpu_only) {
            host_extra += item.bytes;
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
    if (!host_list.empty()) e.explanation.push_back("System RAM also holds: " + host_list + ".");
    if (e.verdict == Verdict::fits_with_offload) {
        const std::int64_t cpu_layers = e.total_layers - e.gpu_layers;
        {
            e.explanation.push_back(std::string(engine_name(e.engine)) + " can keep " + std::to_string(e.gpu_layers) + " of " +
                                    std::to_string(e.total_layers) + " layers on the GPU" +
                                    (ggml ? " (-ngl " + std::to_string(e.gpu_layers) + ")" : std::string()) + " and run the other " +
                                    std::to_string(cpu_layers) + " (" + fmt(e.offloaded_bytes, u) + ") from system RAM (" +
                                    fmt(e.system_ram_bytes, u) + (d.kind == DeviceKind::unified ? "" : " assumed") +
                                    "); those layers run at system-RAM speed.");
        }
    } else if (e.verdict == Verdict::does_not_fit && !cpu_only && engine_can_offload(e.engine)) {
        e.explanation.push_back("Offloading layers to system RAM would not help: " + fmt(e.system_ram_bytes, u) +
                                " of RAM" + (d.kind == DeviceKind::unified ? "" : " (assumed)") + " cannot hold the rest.");
    } else if (e.verdict == Verdict::does_not_fit && !cpu_only && (e.engine == Engine::transformers || e.engine == Engine::vllm)) {
        e.explanation.push_back(std::string(engine_name(e.engine)) +
                                (e.engine == Engine::vllm ? " could stream weights from system RAM (--cpu-offload-gb)"
                                                          : " could offload layers to system RAM (device_map=\"auto\")") +
                                ", but every token would then copy them over PCIe: far too slow to count as fitting.");
    } else if (e.verdict == Verdict::does_not_fit && !cpu_only) {
        e.explanation.push_back(std::string(engine_name(e.engine)) + " keeps the whole model in GPU memory; it cannot offload layers.");
    }
    (void)host_extra;

    const std::string verdict_words = e.verdict == Verdict::fits ? "Fits" : e.verdict == Verdict::fits_with_offload ? "Fits with CPU offload" : "Does not fit";
    e.headline = verdict_words + ": " + model_name + " in " + e.quant.id + " needs " + needed + (cpu_only ? " of RAM" : "") +
                 "; " + dev + " can use " + fmt(e.usable_bytes, u) + ".";
    if (e.verdict == Verdict::fits_with_offload) {
        e.headline = verdict_words + ": " + std::to_string(e.gpu_layers) + " of " + std::to_string(e.total_layers) +
                     " layers of " + model_name + " (" + e.quant.id + ") on " + dev + ", the rest in system RAM.";
    }
    if (!d.id.empty() && d.kind == DeviceKind::gpu && d.id.rfind("custom-", 0) != 0 && d.segment != "datacenter") {
        e.assumptions.push_back("no memory reserved for a display or other programs (add reserve if this GPU drives your screen)");
    }
    e.assumptions.push_back("usable memory: " + e.usable_rule);
    if (!cpu_only && d.kind == DeviceKind::gpu && o.system_ram == 0 && e.verdict != Verdict::fits) {
        e.assumptions.push_back("system RAM: " + fmt(e.system_ram_bytes, u) + " (typical for a " + d.segment + " machine; set ram to change)");
    }
    if (e.engine == Engine::transformers) e.assumptions.push_back("the prompt fills the context and is prefilled at once (transformers generate)");
}

}  // namespace

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
    if (o.explain) explain(e, m, d, o);
    return req;
}

}  // namespace wif
