// The numeric half of an estimate: run plans, where bytes live, and placement on a device.
// Sweeps over the whole catalog run through these functions hundreds of thousands of times, so
// the WebAssembly build compiles this file for speed (see src/wasm/CMakeLists.txt).
#include <algorithm>
#include <string>

#include "pipeline/placement.hpp"

namespace wif {

namespace {

bool one_of(const std::string& s, std::initializer_list<const char*> list) {
    for (const char* item : list) {
        if (s == item) return true;
    }
    return false;
}

// System RAM people pair with a GPU when nothing says otherwise [estimate: typical configurations].
bytes_t assumed_system_ram(const Device& d, int gpu_count) {
    if (d.segment == "laptop") return 16 * GiB;
    if (d.segment == "workstation") return 128 * GiB;
    if (d.segment == "datacenter") return std::max<bytes_t>(256 * GiB, 2 * gpu_count * d.memory_bytes());
    return 32 * GiB;
}

}  // namespace

Expected<bool> fill_plan(const PreparedModel& m, const EngineChoice& choice, const QuantSpec& quant, const Device& d,
                         const InferenceOptions& o, RunPlan& p) {
    const ModelArch& a = m.arch;
    p.assumptions.clear();
    p.warnings.clear();
    p.engine = choice.engine;
    p.quant = choice.quant;
    if (!choice.note.empty() && o.explain) p.assumptions.push_back(choice.note);
    if (!o.engine && o.explain) {
        p.assumptions.push_back(std::string("engine: ") + engine_name(p.engine) + " (the usual runtime for " + quant.id +
                                " weights on " + (d.kind == DeviceKind::cpu ? "a CPU" : d.kind == DeviceKind::unified ? "a Mac" : std::string("a ") + backend_label(d.backend) + " GPU") + ")");
    }
    if (p.engine == Engine::mlx && o.gpu_count > 1) return make_error("invalid_count", "mlx runs on one Mac");
    p.cpu_only = d.kind == DeviceKind::cpu;

    // --n-cpu-moe / --cpu-moe: llama.cpp's tensor buffer override (common/arg.cpp); no other engine has it.
    p.n_cpu_moe = 0;
    if (o.n_cpu_moe != 0) {
        if (p.engine == Engine::ollama) {
            // ollama passes no tensor overrides to its runner (ollama issue #11772, open).
            return make_error("unsupported_option", "n_cpu_moe (--n-cpu-moe) is a llama.cpp option; ollama has no way to keep experts "
                                                    "in system RAM (ollama issue #11772): choose engine llama.cpp");
        }
        if (p.engine != Engine::llama_cpp) {
            return make_error("unsupported_option", std::string("n_cpu_moe (--n-cpu-moe) is a llama.cpp option; ") + engine_name(p.engine) +
                                                    " cannot keep a mixture of experts' experts in system RAM: choose engine llama.cpp");
        }
        if (o.n_cpu_moe < -1) return make_error("invalid_n_cpu_moe", "n_cpu_moe must be -1 (every layer) or 0 or more layers");
        if (!a.is_moe()) {
            // The override's pattern (blk.N.ffn_*_exps) matches no tensor of a dense model.
            if (o.explain) p.warnings.push_back("n_cpu_moe has no effect: " + m.name + " is not a mixture of experts (no ffn_*_exps tensors to keep in system RAM)");
        } else if (p.cpu_only) {
            if (o.explain) p.warnings.push_back("n_cpu_moe has no effect on a CPU-only machine: every weight is in system RAM already");
        } else {
            // --cpu-moe, or N past the last block: every block's experts (the pattern matches blocks 0..N-1).
            p.n_cpu_moe = o.n_cpu_moe < 0 ? a.num_hidden_layers : std::min<std::int64_t>(o.n_cpu_moe, a.num_hidden_layers);
        }
    }

    // Context.
    const std::int64_t trained = a.max_position_embeddings;
    if (o.context > 0) {
        p.context = o.context;
        if (trained > 0 && o.context > trained && o.explain) {
            p.warnings.push_back("context " + format_int(o.context) + " is beyond the " + format_int(trained) +
                                 " tokens the model was trained for");
        }
    } else {
        p.context = default_context(trained);
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
    const bool version_applies = engine_version_applies(o.engine_version, p.engine);
    if (p.engine == Engine::vllm && o.engine_version == EngineVersion::vllm_v0) {
        // V0 (vllm/config.py SchedulerConfig): without chunked prefill max_num_batched_tokens is
        // max(max_model_len, 2048); arg_utils turned chunked prefill on past 32K tokens (then 2048).
        rr.max_num_batched_tokens = p.context > 32768 ? 2048 : std::max<std::int64_t>(p.context, 2048);
        rr.max_num_seqs = 256;
    }
    if (o.explain) {
        p.assumptions.push_back(std::string("memory rules: ") + engine_rules_text(p.engine, version_applies ? o.engine_version : EngineVersion::latest));
        if (!version_applies) {
            p.warnings.push_back(std::string("engine_version ") + engine_version_name(o.engine_version) + " concerns another engine; " +
                                 engine_name(p.engine) + "'s latest rules are used");
        }
    }

    KvRequest& kr = p.kv;
    kr.engine = p.engine;
    kr.context = p.context;
    kr.sequences = o.sequences;
    kr.type_k = kr.type_v = p.kv_type;
    kr.flash_attn = p.flash_attn;
    kr.ubatch = rr.ubatch;
    kr.max_num_batched_tokens = rr.max_num_batched_tokens;
    // llama.cpp from May 2024 (PR #7257) to October 2025 padded the cache to 32 cells without flash
    // attention, 256 with it; since PR #17046 to 256 either way.
    kr.llama_pad = o.engine_version == EngineVersion::llama_cpp_2025_10 && !p.flash_attn ? 32 : 256;
    return true;
}

const WeightBreakdown* EstimateCache::weights(const PreparedModel& m, const QuantSpec& q) {
    for (const auto& w : weights_) {
        if (w->quant == q.id) return &w->weights;
    }
    Expected<WeightBreakdown> w = weight_bytes(m.arch, m.tensors, q);
    if (!w) return nullptr;
    weights_.push_back(std::make_unique<WeightsEntry>(WeightsEntry{q.id, std::move(w.value())}));
    return &weights_.back()->weights;
}

const KvCache& EstimateCache::kv(const ModelArch& arch, const KvRequest& request) {
    for (const auto& k : kv_) {
        if (k->request == request) return k->kv;
    }
    kv_.push_back(std::make_unique<KvEntry>(KvEntry{request, compute_kv_cache(arch, request)}));
    return kv_.back()->kv;
}

void EstimateCache::clear() {
    weights_.clear();
    kv_.clear();
    runtime_.clear();
}

bool engine_is_text_only(Engine engine) {
    return engine == Engine::llama_cpp || engine == Engine::ollama || engine == Engine::mlx || engine == Engine::exllamav2;
}

WeightSplit split_weights(const WeightBreakdown& w, const ModelArch& a, Engine engine, bool cpu_only) {
    WeightSplit s;
    bytes_t layers = 0;
    for (bytes_t b : w.layers) layers += b;
    s.ggml = engine == Engine::llama_cpp || engine == Engine::ollama;
    const bool text_only = engine_is_text_only(engine);
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
        if (r->request == request && r->cells == kv.cells_full) return r->totals;
    }
    runtime_.push_back(std::make_unique<RuntimeEntry>(RuntimeEntry{request, kv.cells_full, runtime_totals(runtime_items(arch, kv, request))}));
    return runtime_.back()->totals;
}

Needs needs_from(const WeightSplit& w, const KvCache& kv, const RuntimeTotals& rt, const WeightBreakdown& weights,
                 Engine engine, bool cpu_only, const std::vector<bytes_t>* layer_cpu_moe) {
    Needs n;
    n.engine = engine;
    const bytes_t on_accel = w.accel + kv.total;
    n.gpu_bytes = cpu_only ? 0 : on_accel + rt.gpu;
    n.host_bytes = (cpu_only ? on_accel : 0) + w.host + rt.host + (cpu_only ? rt.gpu : 0);
    if (layer_cpu_moe && !cpu_only) {
        // --n-cpu-moe: these experts move from the GPU side to system RAM, counted once.
        bytes_t moved = 0;
        for (bytes_t b : *layer_cpu_moe) moved += b;
        n.gpu_bytes -= moved;
        n.host_bytes += moved;
        n.layer_cpu_moe = layer_cpu_moe;
    }
    n.total_bytes = n.gpu_bytes + n.host_bytes;
    n.gpu_fixed_bytes = cpu_only ? 0 : rt.gpu;
    n.head_bytes = w.head;
    n.layer_weights = &weights.layers;
    n.layer_kv = &kv.layers;
    return n;
}

bytes_t Needs::layer_cost(std::int64_t il) const {
    const size_t i = static_cast<size_t>(il);
    const bytes_t experts_in_ram = layer_cpu_moe && i < layer_cpu_moe->size() ? (*layer_cpu_moe)[i] : 0;
    return (*layer_weights)[i] - experts_in_ram + (*layer_kv)[i];
}

DeviceBudget device_budget(const Device& d, Engine engine, const InferenceOptions& o) {
    DeviceBudget b;
    b.kind = d.kind;
    UsableOptions uo = o.usable;
    if (engine == Engine::vllm) uo.gpu_memory_utilization = o.gpu_memory_utilization;
    const UsableMemory um = usable_memory(d, uo, /*describe=*/false);
    b.device_bytes = um.device_bytes * o.gpu_count;
    b.usable_bytes = um.usable_bytes * o.gpu_count;
    b.ngl = o.ngl;
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
    n.layer_cpu_moe = e.layer_cpu_moe.empty() ? nullptr : &e.layer_cpu_moe;
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
    // -ngl N: the person chose the layers. llama.cpp puts the last N blocks on the GPU and the
    // output layer too only when N exceeds the blocks (src/llama-model.cpp load_tensors:
    // i_gpu_start = n_layer - N, the output is layer n_layer), and fails to load when they do not fit.
    if (b.ngl >= 0 && b.ngl < p.total_layers && engine_can_offload(e.engine)) {
        const std::int64_t first_gpu = a.num_hidden_layers - b.ngl;
        bytes_t on_gpu = e.gpu_fixed_bytes;
        for (std::int64_t il = 0; il < a.num_hidden_layers; ++il) {
            const bytes_t cost = e.layer_cost(il);
            if (il >= first_gpu) on_gpu += cost;
            else p.offloaded_bytes += cost;
        }
        p.offloaded_bytes += e.head_bytes;  // the output layer stays in system RAM
        p.gpu_layers = b.ngl;
        p.headroom_bytes = p.usable_bytes - on_gpu;
        const bytes_t gpu_side_used = b.kind == DeviceKind::unified ? std::min(on_gpu, p.usable_bytes) : 0;
        const bool host_fits = e.host_bytes + p.offloaded_bytes <= p.system_usable_bytes - gpu_side_used;
        p.verdict = p.headroom_bytes >= 0 && host_fits ? Verdict::fits_with_offload : Verdict::does_not_fit;
        return p;
    }
    // ollama's scheduler keeps one block's worth of memory (blk.0's weights and its share of the KV
    // cache) free as a buffer before it places any layer (llm/memory.go EstimateGPULayers: "add one
    // layer worth of memory as a buffer"): it offloads a layer sooner than llama.cpp would.
    const bytes_t buffer = e.engine == Engine::ollama && a.num_hidden_layers > 0 ? e.layer_cost(0) : 0;
    if (p.headroom_bytes >= buffer) {
        p.verdict = Verdict::fits;
        p.gpu_layers = p.total_layers;
        if (e.layer_cpu_moe) {
            // Experts kept in system RAM (--n-cpu-moe) must fit there too; on a Mac beside what the GPU wired.
            const bytes_t gpu_side_used = b.kind == DeviceKind::unified ? std::min(e.gpu_bytes, p.usable_bytes) : 0;
            if (e.host_bytes > p.system_usable_bytes - gpu_side_used) {
                p.verdict = Verdict::does_not_fit;
                p.gpu_layers = 0;
            }
        }
        return p;
    }
    if (!engine_can_offload(e.engine)) return p;

    // Offload: keep the output layer and the last blocks on the GPU (llama.cpp -ngl counts the output
    // as a layer and offloads from the end, src/llama-model.cpp load_tensors), the rest in system RAM.
    bytes_t pool = p.usable_bytes - e.gpu_fixed_bytes - e.head_bytes - buffer;
    if (pool < 0) return p;  // not even the buffers and the output layer: nothing to gain from the GPU
    std::int64_t placed = 1;
    for (std::int64_t il = a.num_hidden_layers - 1; il >= 0; --il) {
        const bytes_t cost = e.layer_cost(il);
        if (cost > pool) break;
        pool -= cost;
        ++placed;
    }
    for (std::int64_t il = 0; il < a.num_hidden_layers - (placed - 1); ++il) p.offloaded_bytes += e.layer_cost(il);
    p.gpu_layers = placed;
    // On a Mac the offloaded layers share the RAM that the GPU's part already occupies.
    const bytes_t gpu_side_used = b.kind == DeviceKind::unified ? std::min(e.gpu_bytes, p.usable_bytes) : 0;
    const bytes_t host_need = e.host_bytes + std::max<bytes_t>(0, p.offloaded_bytes);
    const bool host_fits = host_need <= p.system_usable_bytes - gpu_side_used;
    p.verdict = host_fits ? Verdict::fits_with_offload : Verdict::does_not_fit;
    return p;
}

}  // namespace wif
