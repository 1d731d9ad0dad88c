// Inference memory for one model, weight format and device: every line item, where it lives,
// the verdict, how many layers the GPU holds, and the arithmetic in plain words.
#pragma once

#include <algorithm>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "facts/architecture.hpp"
#include "facts/device.hpp"
#include "facts/engine.hpp"
#include "base/expected.hpp"
#include "facts/kv_cache.hpp"
#include "facts/quant.hpp"
#include "facts/runtime.hpp"
#include "pipeline/verdict.hpp"
#include "base/units.hpp"

namespace wif {

enum class FlashAttn : std::uint8_t { automatic, on, off };

// A model ready to estimate: its shape, tensors and parameter counts, computed once.
struct PreparedModel {
    std::string id;
    std::string name;
    ModelArch arch;
    std::vector<Tensor> tensors;
    ParamCounts params;
    std::string assumed_shape;  // set when the shape was assumed from a parameter count
};

PreparedModel prepare_model(std::string id, std::string name, ModelArch arch, std::string assumed_shape = "");

struct InferenceOptions {
    std::optional<Engine> engine;          // none: chosen from the format and device
    std::int64_t context = 0;              // 0: 4096, capped at the model's maximum
    std::int64_t sequences = 1;
    std::int64_t ubatch = 512;
    std::optional<KvType> kv_type;         // none: 16-bit
    FlashAttn flash_attn = FlashAttn::automatic;
    int gpu_count = 1;
    bytes_t system_ram = 0;                // 0: assumed from the device class
    UsableOptions usable;
    double gpu_memory_utilization = 0.9;   // vLLM
    std::int64_t ngl = -1;                 // llama.cpp -ngl (-1: as many layers as fit)
    std::int64_t n_cpu_moe = 0;            // llama.cpp --n-cpu-moe: routed experts of the first N blocks in system RAM (-1: all)
    EngineVersion engine_version = EngineVersion::latest;  // whose memory rules (facts/engine.hpp)
    Units units = Units::gb;
    bool explain = true;                   // build the explanation text (sweeps skip it)
};

inline constexpr std::int64_t kDefaultContext = 4096;
// The context an estimate uses when none is given: 4096 tokens, or the model's own maximum if smaller.
inline std::int64_t default_context(std::int64_t trained) { return trained > 0 ? std::min(kDefaultContext, trained) : kDefaultContext; }

struct Estimate {
    Verdict verdict = Verdict::does_not_fit;
    Engine engine = Engine::llama_cpp;
    Backend backend = Backend::cuda;
    bool flash_attn = true;
    std::int64_t context = 0;
    std::int64_t sequences = 1;
    KvType kv_type = KvType::f16;
    int gpu_count = 1;
    EngineVersion engine_version = EngineVersion::latest;  // whose memory rules the bill follows
    QuantSpec quant;          // as used (a plain dtype becomes the GGUF F16/Q8_0 for llama.cpp, ...)

    WeightBreakdown weights;
    KvCache kv;
    std::vector<LineItem> items;

    bytes_t weights_bytes = 0, kv_cache_bytes = 0, compute_bytes = 0, overhead_bytes = 0, total_bytes = 0;
    bytes_t gpu_bytes = 0;    // on the accelerator(s) with every layer there
    bytes_t gpu_fixed_bytes = 0;  // compute buffers and contexts on the accelerator(s)
    bytes_t head_bytes = 0;   // accelerator weights outside the repeating blocks (output head, ...)
    bytes_t host_bytes = 0;   // in system RAM with every layer on the accelerator(s)
    bytes_t device_bytes = 0; // memory of all devices together
    bytes_t usable_bytes = 0; // what the runtime may use of it
    bytes_t headroom_bytes = 0;  // usable - gpu (negative: short by that much)
    bytes_t system_ram_bytes = 0;
    bytes_t system_usable_bytes = 0;
    bytes_t offloaded_bytes = 0;  // layers kept in system RAM when offloading (their experts already in cpu_moe_bytes excepted)
    std::int64_t n_cpu_moe = 0;   // blocks whose routed experts stay in system RAM (--n-cpu-moe, clamped to the blocks)
    bytes_t cpu_moe_bytes = 0;    // those experts' bytes, in host_bytes and not in gpu_bytes
    std::vector<bytes_t> layer_cpu_moe;  // per block: its routed-expert bytes kept in system RAM (empty: none)
    std::int64_t total_layers = 0;  // repeating blocks + the output layer (llama.cpp counting)
    std::int64_t gpu_layers = 0;
    std::string usable_rule, usable_source;

    std::string headline;
    std::vector<std::string> explanation;
    std::vector<std::string> assumptions;
    std::vector<std::string> warnings;
};

// Picks the engine a format implies on a device (GGUF -> llama.cpp, MLX -> mlx, plain dtypes on
// a Mac -> mlx, else transformers) and maps the format to what that engine loads.
struct EngineChoice {
    Engine engine;
    QuantSpec quant;
    std::string note;  // why, when the choice or mapping is not obvious
};
Expected<EngineChoice> choose_engine(const QuantSpec& quant, const Device& device, std::optional<Engine> requested);

// `weights` may be passed when the caller already computed them for this model and the format the
// engine loads (EngineChoice::quant: a plain fp16 becomes GGUF F16 under llama.cpp).
Expected<Estimate> estimate_inference(const PreparedModel& model, const QuantSpec& quant, const Device& device,
                                      const InferenceOptions& options, const WeightBreakdown* weights = nullptr);

// Everything decided before any byte is counted: engine, format, context, cache and buffers.
struct RunPlan {
    Engine engine = Engine::llama_cpp;
    QuantSpec quant;  // the format the engine loads
    bool flash_attn = true;
    KvType kv_type = KvType::f16;
    std::int64_t context = 0;
    bool cpu_only = false;
    std::int64_t n_cpu_moe = 0;  // blocks whose routed experts stay in system RAM (0: none, or not applicable)
    RuntimeRequest runtime;
    KvRequest kv;
    std::vector<std::string> assumptions, warnings;
};
Expected<RunPlan> plan_run(const PreparedModel& model, const QuantSpec& quant, const Device& device,
                           const InferenceOptions& options);
// The part of plan_run after the engine is chosen, into an existing plan (sweeps reuse one plan
// and one choice per format and device class instead of building them per model).
Expected<bool> fill_plan(const PreparedModel& model, const EngineChoice& choice, const QuantSpec& requested,
                         const Device& device, const InferenceOptions& options, RunPlan& plan);

// Where the weights live: llama.cpp keeps the input embedding in system RAM and copies a tied
// head to the GPU; text-only engines skip a vision tower.
struct WeightSplit {
    bytes_t accel = 0;      // on the GPU (or in RAM for CPU-only runs)
    bytes_t host = 0;       // in system RAM beside a GPU
    bytes_t head = 0;       // accelerator weights outside the repeating blocks
    bytes_t tied_copy = 0;
    bool ggml = false;
    bool vision_dropped = false;
};
WeightSplit split_weights(const WeightBreakdown& weights, const ModelArch& arch, Engine engine, bool cpu_only);
// Engines that generate text without loading a vision tower (llama.cpp reads it from a separate mmproj).
bool engine_is_text_only(Engine engine);

struct RuntimeTotals {
    bytes_t gpu = 0, host = 0, compute = 0, overhead = 0;
};
RuntimeTotals runtime_totals(const std::vector<LineItem>& items);

// Memo of the per-model work (weights per format, KV cache per cache layout) for sweeps that
// estimate one model many times. Entries are keyed by the exact inputs, so a hit is always right.
class EstimateCache {
public:
    const WeightBreakdown* weights(const PreparedModel& model, const QuantSpec& quant);
    const KvCache& kv(const ModelArch& arch, const KvRequest& request);
    const RuntimeTotals& runtime(const ModelArch& arch, const KvCache& kv, const RuntimeRequest& request);
    void clear();

private:
    // Entries live on the heap so references handed out stay valid as entries are added.
    struct WeightsEntry { std::string quant; WeightBreakdown weights; };
    struct KvEntry { KvRequest request; KvCache kv; };
    struct RuntimeEntry { RuntimeRequest request; std::int64_t cells; RuntimeTotals totals; };
    std::vector<std::unique_ptr<WeightsEntry>> weights_;
    std::vector<std::unique_ptr<KvEntry>> kv_;
    std::vector<std::unique_ptr<RuntimeEntry>> runtime_;
};

// The two halves of estimate_inference, for sweeps over many devices: the memory bill depends on
// the device only through its class (engine, backend, kind, size class), the verdict on its size.
Expected<Estimate> estimate_requirements(const PreparedModel& model, const QuantSpec& quant, const Device& device,
                                         const InferenceOptions& options, const WeightBreakdown* weights = nullptr);

}  // namespace wif
