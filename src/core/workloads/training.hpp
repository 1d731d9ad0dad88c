// Training and fine-tuning: the four memories (weights, gradients, optimizer states,
// activations) per GPU, LoRA and QLoRA, ZeRO/FSDP sharding, how many GPUs, and the time, cost
// and power of a run. Pure arithmetic over plain structs: no I/O and no sentences (the words are
// written from the finished numbers by present/training_json.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"
#include "base/units.hpp"
#include "facts/architecture.hpp"
#include "facts/device.hpp"
#include "facts/runtime.hpp"
#include "pipeline/verdict.hpp"

namespace wif {

enum class TrainMethod : std::uint8_t { full, lora, qlora };
enum class TrainOptimizer : std::uint8_t { adamw, adamw8bit, paged_adamw8bit, sgd, sgd_momentum, adafactor, lion };
// fp32: everything in fp32. mixed_*: 16-bit weights and gradients with fp32 master weights in the
// optimizer (HF Trainer AMP, DeepSpeed). bf16: weights, gradients and optimizer states all in
// bf16, no master copy (torchtune's default).
enum class TrainPrecision : std::uint8_t { fp32, mixed_bf16, mixed_fp16, bf16 };
enum class Checkpointing : std::uint8_t { none, selective, full };
enum class TrainAttention : std::uint8_t { flash, eager };
// none = plain DDP (a full copy per GPU); fsdp = FULL_SHARD, the same per-GPU states as zero3.
enum class Sharding : std::uint8_t { none, zero1, zero2, zero3, fsdp };
// The training bill's own categories (runtime.hpp's ItemCategory has no gradients/optimizer).
enum class TrainCategory : std::uint8_t { weights, gradients, optimizer, activations, overhead };

const char* train_method_name(TrainMethod v);
const char* train_optimizer_name(TrainOptimizer v);
const char* train_precision_name(TrainPrecision v);
const char* checkpointing_name(Checkpointing v);
const char* train_attention_name(TrainAttention v);
const char* sharding_name(Sharding v);
const char* train_category_name(TrainCategory v);

// Parse the snake_case names above (exact, lower case); false when unknown.
bool parse_train_method(std::string_view text, TrainMethod& out);
bool parse_train_optimizer(std::string_view text, TrainOptimizer& out);
bool parse_train_precision(std::string_view text, TrainPrecision& out);
bool parse_checkpointing(std::string_view text, Checkpointing& out);
bool parse_train_attention(std::string_view text, TrainAttention& out);
bool parse_sharding(std::string_view text, Sharding& out);

// LoRA target modules as a bit set over the seven Llama-style linear layers.
enum LoraTarget : std::uint8_t {
    lora_q = 1, lora_k = 2, lora_v = 4, lora_o = 8, lora_gate = 16, lora_up = 32, lora_down = 64,
};
inline constexpr std::uint8_t kLoraAttn = lora_q | lora_k | lora_v | lora_o;
inline constexpr std::uint8_t kLoraAll = kLoraAttn | lora_gate | lora_up | lora_down;
// "all", "attn", or a comma list of q,k,v,o,gate,up,down (also q_proj, ..., down_proj); false when
// a name is unknown or the list is empty.
bool parse_lora_targets(std::string_view text, std::uint8_t& out);
std::string lora_targets_name(std::uint8_t targets);  // "all", "attn" or "q,v"

struct TrainingOptions {
    TrainMethod method = TrainMethod::full;
    TrainOptimizer optimizer = TrainOptimizer::adamw;
    TrainPrecision precision = TrainPrecision::mixed_bf16;
    std::int64_t batch = 1;   // micro-batch per GPU
    std::int64_t seq = 2048;  // tokens per sequence
    Checkpointing checkpointing = Checkpointing::none;
    TrainAttention attention = TrainAttention::flash;
    std::int64_t lora_rank = 16;
    double lora_alpha = 0;    // scaling only: no effect on memory or time
    std::uint8_t lora_targets = kLoraAll;
    bool double_quant = true;  // QLoRA: quantize the NF4 absmax constants too (QLoRA paper)
    // The loss upcasts the logits to fp32 in chunks (torchtune CEWithChunkedOutputLoss, 8 chunks)
    // instead of all at once (transformers' logits.float()).
    bool chunked_loss = false;
    // Each parameter's optimizer step runs as soon as its gradient is ready and the gradient is
    // freed (torchtune optimizer_in_bwd): only one tensor's gradient exists at a time.
    bool optimizer_in_backward = false;
    Sharding sharding = Sharding::none;
    bool offload_optimizer = false;  // ZeRO-Offload: optimizer states and master weights in CPU RAM
    std::int64_t gpu_count = 1;
    double tokens = 0;               // training tokens; 0 = no time or cost asked
    double mfu = 0.4;                // model-FLOPs utilization of the device's dense 16-bit peak
    double price_usd_per_gpu_hour = 0;  // 0 = the device catalog's cloud price
    double outlet_watts = 1800;      // US 15 A x 120 V circuit
    UsableOptions usable;            // how much of each GPU may be used
};

// One line of the training bill, per GPU. Mirrors LineItem with the training categories.
struct TrainingItem {
    const char* key = "";
    TrainCategory category = TrainCategory::overhead;
    std::string label;
    bytes_t bytes = 0;  // per GPU (host items: per machine)
    Location location = Location::gpu;
    std::string formula;
    std::string source;
};

struct TrainingTime {
    double tokens = 0;
    double flops = 0;
    double flops_per_token = 0;  // the multiplier x parameters (6N, 8N, LoRA ~4N + 6N_adapters)
    double mfu = 0;
    double peak_tflops = 0;      // per GPU, dense 16-bit
    double gpu_hours = 0;
    double wall_hours = 0;       // gpu_hours / gpu_count
};

struct TrainingCost {
    double usd = 0;
    double usd_per_gpu_hour = 0;  // 0 = unknown (no catalog price and none given)
    bool price_from_catalog = false;
};

struct TrainingPower {
    double gpu_watts = 0;    // board power x count
    double host_watts = 0;   // CPU, board, drives, fans and PSU losses (estimate)
    double total_watts = 0;
    double outlet_watts = 0;
    double continuous_limit_watts = 0;  // 80% of the circuit (NEC 210.19(A)/210.20(A))
    bool trips_outlet = false;          // above the circuit's rating
    bool over_continuous_limit = false; // above 80% for a load that runs 3 hours or more
    bool known = false;                 // the device has a board power in the catalog
};

struct TrainingEstimate {
    Verdict verdict = Verdict::does_not_fit;
    TrainingOptions options;  // as applied
    std::string device_name;
    // Per GPU.
    bytes_t weights_bytes = 0;
    bytes_t gradients_bytes = 0;
    bytes_t optimizer_bytes = 0;   // on the GPU (0 when offloaded)
    bytes_t activations_bytes = 0;
    bytes_t overhead_bytes = 0;
    bytes_t total_bytes = 0;
    bytes_t usable_bytes = 0;
    bytes_t device_bytes = 0;
    bytes_t host_bytes = 0;        // per machine: offloaded optimizer states
    std::vector<TrainingItem> items;

    std::int64_t total_params = 0;
    std::int64_t trainable_params = 0;
    std::int64_t active_params = 0;
    std::int64_t frozen_params = 0;
    std::int64_t quantized_params = 0;  // QLoRA: parameters stored in NF4

    // When it does not fit without full activation checkpointing: the per-GPU total with it (else 0).
    bytes_t total_with_checkpointing = 0;

    std::int64_t min_gpus = 0;     // for the chosen strategy; 0 = none up to kMaxGpus
    Sharding recommended_sharding = Sharding::none;
    std::int64_t recommended_gpus = 0;  // with the recommended strategy; 0 = none up to kMaxGpus

    TrainingTime time;
    TrainingCost cost;
    TrainingPower power;
};

inline constexpr std::int64_t kMaxGpus = 4096;

// Model states per parameter (bytes), as the ZeRO paper splits them: 16-bit (or fp32) weights,
// gradients, and K bytes of optimizer state (fp32 master copy included when there is one).
struct StateBytes {
    double weights = 0;
    double gradients = 0;
    double optimizer = 0;  // K
};
StateBytes state_bytes_per_param(TrainPrecision precision, TrainOptimizer optimizer);

// LoRA's trainable parameters: r x (d_in + d_out) for every targeted matrix (per expert for
// routed experts).
std::int64_t lora_trainable_params(const std::vector<Tensor>& tensors, std::int64_t rank, std::uint8_t targets);

// Stored activation bytes of one transformer layer for one token (16-bit activations unless
// fp32), without checkpointing, as estimate_training counts them. Exposed for tests.
double layer_activation_bytes_per_token(const ModelArch& arch, std::int64_t layer, std::int64_t seq,
                                        const TrainingOptions& options);

Expected<TrainingEstimate> estimate_training(const ModelArch& arch, const std::vector<Tensor>& tensors,
                                             const ParamCounts& params, const Device& device,
                                             const TrainingOptions& options);

}  // namespace wif
