#include "workloads/training.hpp"

#include <algorithm>
#include <cmath>

namespace wif {

namespace {

// ---- Sources (one line each) ---------------------------------------------------------------
constexpr const char* kSrcZero =
    "ZeRO paper (Rajbhandari et al. 2020, sec. 3.1): mixed-precision Adam keeps 2 (fp16 weights) + 2 (fp16 "
    "gradients) + K=12 (fp32 master, momentum, variance) bytes per parameter";
constexpr const char* kSrcTorchtune =
    "torchtune: pure bf16 training keeps weights, gradients and AdamW states in bf16 (dtype: bf16 configs)";
constexpr const char* kSrcBnb =
    "bitsandbytes 8-bit optimizers (Dettmers et al. 2022): two 8-bit states = 2 bytes per parameter "
    "(block-wise absmax constants, <2%, ignored); paged variants page to CPU RAM only under memory pressure";
constexpr const char* kSrcAdafactor =
    "Adafactor (Shazeer & Stern 2018; transformers.optimization.Adafactor, beta1=None): factored second moment, "
    "one row and one column vector per matrix, a full vector for 1-D parameters";
constexpr const char* kSrcLion = "Lion (Chen et al. 2023): a single momentum state per parameter";
constexpr const char* kSrcSgd = "torch.optim.SGD: no state without momentum, one momentum buffer with it";
constexpr const char* kSrcKorthikanti =
    "Korthikanti et al. 2022, 'Reducing Activation Recomputation', eq. 1: sbh(34 + 5as/h) bytes per layer; "
    "adapted to SwiGLU/GQA, no dropout, RMSNorm inputs kept in fp32 (HF LlamaRMSNorm/torchtune RMSNorm upcast)";
constexpr const char* kSrcCheckpoint =
    "activation checkpointing (torch.utils.checkpoint, HF gradient_checkpointing): only each layer's input is "
    "kept; one layer's activations are recomputed at a time during backward (Korthikanti et al. 2022, sec. 4)";
constexpr const char* kSrcLogits =
    "transformers LlamaForCausalLM: logits.float() then cross_entropy (log_softmax output saved, fp32 gradient "
    "in backward)";
constexpr const char* kSrcLora =
    "LoRA (Hu et al. 2021) as in HF PEFT: A (r x d_in) and B (d_out x r) per targeted matrix; PEFT keeps adapters "
    "in fp32 when the base is 16-bit (autocast_adapter_dtype=True); torchtune keeps them in bf16";
constexpr const char* kSrcLoraAct =
    "PEFT LoRA forward lora_B(lora_A(dropout(x))): the dropout output (d_in) and A's output (r) are saved per "
    "adapter";
constexpr const char* kSrcChunkedLoss =
    "torchtune CEWithChunkedOutputLoss: the output projection and the fp32 upcast run per chunk (8 chunks); "
    "16-bit logits and their gradient stay whole";
constexpr const char* kSrcOptInBwd =
    "torchtune optimizer_in_bwd (PyTorch register_post_accumulate_grad_hook): each parameter steps and frees its "
    "gradient during backward";
constexpr const char* kSrcQlora =
    "QLoRA (Dettmers et al. 2023, sec. 3): NF4 with blocksize 64 and an fp32 absmax per block = 0.5 bits per "
    "parameter; double quantization (8-bit absmax, fp32 per 256) = 0.127 bits; embeddings, LM head and norms "
    "stay 16-bit (bitsandbytes Linear4bit replaces only nn.Linear in the blocks)";
constexpr const char* kSrcQloraDequant =
    "bitsandbytes Linear4bit dequantizes one weight to 16-bit for each matmul (forward and backward)";
constexpr const char* kSrcCuda =
    "PyTorch CUDA context with lazy module loading: 426 MiB with PyTorch 2.10 + CUDA 13.0 (unsloth-zoo PR #1053)";
constexpr const char* kSrcDdp =
    "PyTorch DDP (gradient_as_bucket_view=False, the default) copies every gradient into flat all-reduce buckets";
constexpr const char* kSrcZeroBuckets =
    "DeepSpeed ZeRO-1/2 defaults: reduce_bucket_size and allgather_bucket_size 5e8 elements each";
constexpr const char* kSrcFsdp =
    "FSDP/ZeRO-3: each layer's parameters are all-gathered before use, the next one prefetched; its gradients are "
    "full-size until reduce-scattered (Zhao et al. 2023, PyTorch FSDP)";
constexpr const char* kSrcOffload =
    "ZeRO-Offload (Ren et al. 2021): fp32 master weights and optimizer states live in CPU RAM; the CPU runs the "
    "update";
constexpr const char* kSrcBackward =
    "backward working set: the gradients of one layer's largest activations exist at once (estimate)";

constexpr bytes_t kTorchCudaContext = 426 * MiB;  // same figure as facts/runtime.cpp (unsloth-zoo PR #1053)
constexpr double kAdafactorNote = 0;              // marker: Adafactor state is counted per tensor

std::string num(double v) { return format_sig3(v); }

bool is_linear(const Tensor& t) {
    if (t.one_dimensional || t.layer < 0) return false;
    switch (t.role) {
        case TensorRole::token_embd: case TensorRole::output: case TensorRole::output_norm: case TensorRole::norm:
        case TensorRole::bias: case TensorRole::attn_sinks: case TensorRole::vision:
            return false;
        default:
            return true;
    }
}

// Which LoRA target a tensor is, or 0.
std::uint8_t lora_bit(TensorRole r) {
    switch (r) {
        case TensorRole::attn_q: case TensorRole::attn_q_a: case TensorRole::attn_q_b: return lora_q;
        case TensorRole::attn_k: case TensorRole::attn_kv_a_mqa: return lora_k;
        case TensorRole::attn_v: case TensorRole::attn_kv_b: return lora_v;
        case TensorRole::attn_qkv: return lora_q | lora_k | lora_v;
        case TensorRole::attn_output: return lora_o;
        case TensorRole::ffn_gate: case TensorRole::ffn_gate_exps: case TensorRole::ffn_gate_shexp: return lora_gate;
        case TensorRole::ffn_up: case TensorRole::ffn_up_exps: case TensorRole::ffn_up_shexp: return lora_up;
        case TensorRole::ffn_down: case TensorRole::ffn_down_exps: case TensorRole::ffn_down_shexp: return lora_down;
        default: return 0;
    }
}

bool targeted(const Tensor& t, std::uint8_t targets) {
    return !t.one_dimensional && t.layer >= 0 && (lora_bit(t.role) & targets) != 0;
}

// Bytes of one optimizer-state element, in the dtype the states are kept in.
double state_dtype_bytes(TrainPrecision p) { return p == TrainPrecision::bf16 ? 2.0 : 4.0; }

// Optimizer state bytes per parameter, not counting a master copy (Adafactor: per tensor, see below).
double states_per_param(TrainOptimizer o, double sd) {
    switch (o) {
        case TrainOptimizer::adamw: return 2 * sd;                 // m and v (torch.optim.AdamW)
        case TrainOptimizer::adamw8bit:
        case TrainOptimizer::paged_adamw8bit: return 2.0;          // two uint8 states (bitsandbytes)
        case TrainOptimizer::sgd: return 0;
        case TrainOptimizer::sgd_momentum: return sd;               // one momentum buffer
        case TrainOptimizer::lion: return sd;                       // one momentum (Lion)
        case TrainOptimizer::adafactor: return kAdafactorNote;      // factored: counted per tensor
    }
    return 0;
}

const char* optimizer_source(TrainOptimizer o) {
    switch (o) {
        case TrainOptimizer::adamw: return kSrcZero;
        case TrainOptimizer::adamw8bit: case TrainOptimizer::paged_adamw8bit: return kSrcBnb;
        case TrainOptimizer::sgd: case TrainOptimizer::sgd_momentum: return kSrcSgd;
        case TrainOptimizer::adafactor: return kSrcAdafactor;
        case TrainOptimizer::lion: return kSrcLion;
    }
    return "";
}

// Adafactor's factored state elements for one tensor: rows + cols per matrix, all elements of a vector.
double adafactor_elements(std::int64_t d_in, std::int64_t d_out, std::int64_t experts, bool vector) {
    if (vector) return static_cast<double>(d_in) * static_cast<double>(d_out) * static_cast<double>(experts);
    return static_cast<double>(d_in + d_out) * static_cast<double>(experts);
}

// What one strategy costs per GPU at N GPUs, from the sums that do not depend on N.
struct Sums {
    double weights_trainable = 0;  // bytes, unsharded
    double weights_frozen = 0;     // bytes, unsharded (16-bit and quantized base)
    double gradients = 0;
    double master = 0;
    double states = 0;
    double activations = 0;        // per GPU, independent of N
    double fixed_overhead = 0;     // CUDA context, backward temporaries, dequant buffer
    double layer_weight_bytes = 0; // one layer's parameters as stored (FSDP gather)
    double layer_grad_bytes = 0;   // one layer's gradients
    double trainable_params = 0;
};

struct PerGpu {
    double weights = 0, gradients = 0, optimizer = 0, host_optimizer = 0, comm = 0;
    double total() const { return weights + gradients + optimizer + comm; }
};

bool shards_states(Sharding s) { return s != Sharding::none; }
bool shards_grads(Sharding s) { return s == Sharding::zero2 || s == Sharding::zero3 || s == Sharding::fsdp; }
bool shards_weights(Sharding s) { return s == Sharding::zero3 || s == Sharding::fsdp; }

PerGpu per_gpu(const Sums& s, Sharding sharding, std::int64_t n, bool offload) {
    const double nd = static_cast<double>(n);
    PerGpu p;
    const double w = s.weights_trainable + s.weights_frozen;
    p.weights = shards_weights(sharding) ? w / nd : w;
    p.gradients = shards_grads(sharding) ? s.gradients / nd : s.gradients;
    const double opt = shards_states(sharding) ? (s.master + s.states) / nd : s.master + s.states;
    if (offload) p.host_optimizer = opt * nd;  // every GPU's shard, in the host's RAM
    else p.optimizer = opt;
    if (n > 1) {
        if (sharding == Sharding::none) p.comm = s.gradients;  // DDP buckets
        else if (sharding == Sharding::zero1 || sharding == Sharding::zero2)
            p.comm = std::min(s.trainable_params, 5e8) * (s.gradients / std::max(1.0, s.trainable_params)) * 2;
    }
    if (shards_weights(sharding) && n > 1) p.comm = 2 * s.layer_weight_bytes + s.layer_grad_bytes;
    return p;
}

double total_at(const Sums& s, Sharding sharding, std::int64_t n, bool offload) {
    return per_gpu(s, sharding, n, offload).total() + s.activations + s.fixed_overhead;
}

// Smallest N in 1..kMaxGpus with the per-GPU total within `usable`, or 0.
std::int64_t smallest_fit(const Sums& s, Sharding sharding, bool offload, double usable) {
    if (total_at(s, sharding, 1, offload) <= usable) return 1;
    if (sharding == Sharding::none) return 0;  // DDP replicates: more GPUs never shrink a copy
    if (total_at(s, sharding, kMaxGpus, offload) > usable) return 0;
    std::int64_t lo = 1, hi = kMaxGpus;  // total(lo) > usable >= total(hi)
    while (hi - lo > 1) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        if (total_at(s, sharding, mid, offload) <= usable) hi = mid;
        else lo = mid;
    }
    return hi;
}

Error bad(const std::string& field, const std::string& what) {
    return make_error("invalid_training_option", field + ": " + what);
}

}  // namespace

// ---- Names ---------------------------------------------------------------------------------

const char* train_method_name(TrainMethod v) {
    switch (v) {
        case TrainMethod::full: return "full";
        case TrainMethod::lora: return "lora";
        case TrainMethod::qlora: return "qlora";
    }
    return "";
}
const char* train_optimizer_name(TrainOptimizer v) {
    switch (v) {
        case TrainOptimizer::adamw: return "adamw";
        case TrainOptimizer::adamw8bit: return "adamw8bit";
        case TrainOptimizer::paged_adamw8bit: return "paged_adamw8bit";
        case TrainOptimizer::sgd: return "sgd";
        case TrainOptimizer::sgd_momentum: return "sgd_momentum";
        case TrainOptimizer::adafactor: return "adafactor";
        case TrainOptimizer::lion: return "lion";
    }
    return "";
}
const char* train_precision_name(TrainPrecision v) {
    switch (v) {
        case TrainPrecision::fp32: return "fp32";
        case TrainPrecision::mixed_bf16: return "mixed_bf16";
        case TrainPrecision::mixed_fp16: return "mixed_fp16";
        case TrainPrecision::bf16: return "bf16";
    }
    return "";
}
const char* checkpointing_name(Checkpointing v) {
    switch (v) {
        case Checkpointing::none: return "none";
        case Checkpointing::selective: return "selective";
        case Checkpointing::full: return "full";
    }
    return "";
}
const char* train_attention_name(TrainAttention v) { return v == TrainAttention::flash ? "flash" : "eager"; }
const char* sharding_name(Sharding v) {
    switch (v) {
        case Sharding::none: return "none";
        case Sharding::zero1: return "zero1";
        case Sharding::zero2: return "zero2";
        case Sharding::zero3: return "zero3";
        case Sharding::fsdp: return "fsdp";
    }
    return "";
}
const char* train_category_name(TrainCategory v) {
    switch (v) {
        case TrainCategory::weights: return "weights";
        case TrainCategory::gradients: return "gradients";
        case TrainCategory::optimizer: return "optimizer";
        case TrainCategory::activations: return "activations";
        case TrainCategory::overhead: return "overhead";
    }
    return "";
}

namespace {
template <class E, int N>
bool parse_enum(std::string_view text, E& out, const E (&values)[N], const char* (*name)(E)) {
    for (E v : values) {
        if (text == name(v)) {
            out = v;
            return true;
        }
    }
    return false;
}
}  // namespace

bool parse_train_method(std::string_view t, TrainMethod& out) {
    static const TrainMethod v[] = {TrainMethod::full, TrainMethod::lora, TrainMethod::qlora};
    return parse_enum(t, out, v, train_method_name);
}
bool parse_train_optimizer(std::string_view t, TrainOptimizer& out) {
    static const TrainOptimizer v[] = {TrainOptimizer::adamw, TrainOptimizer::adamw8bit, TrainOptimizer::paged_adamw8bit,
                                       TrainOptimizer::sgd, TrainOptimizer::sgd_momentum, TrainOptimizer::adafactor,
                                       TrainOptimizer::lion};
    return parse_enum(t, out, v, train_optimizer_name);
}
bool parse_train_precision(std::string_view t, TrainPrecision& out) {
    static const TrainPrecision v[] = {TrainPrecision::fp32, TrainPrecision::mixed_bf16, TrainPrecision::mixed_fp16,
                                       TrainPrecision::bf16};
    return parse_enum(t, out, v, train_precision_name);
}
bool parse_checkpointing(std::string_view t, Checkpointing& out) {
    static const Checkpointing v[] = {Checkpointing::none, Checkpointing::selective, Checkpointing::full};
    return parse_enum(t, out, v, checkpointing_name);
}
bool parse_train_attention(std::string_view t, TrainAttention& out) {
    static const TrainAttention v[] = {TrainAttention::flash, TrainAttention::eager};
    return parse_enum(t, out, v, train_attention_name);
}
bool parse_sharding(std::string_view t, Sharding& out) {
    static const Sharding v[] = {Sharding::none, Sharding::zero1, Sharding::zero2, Sharding::zero3, Sharding::fsdp};
    return parse_enum(t, out, v, sharding_name);
}

bool parse_lora_targets(std::string_view text, std::uint8_t& out) {
    if (text == "all" || text == "all_linear" || text == "all-linear") {
        out = kLoraAll;
        return true;
    }
    if (text == "attn" || text == "attention") {
        out = kLoraAttn;
        return true;
    }
    std::uint8_t bits = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t end = text.find(',', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view part = text.substr(pos, end - pos);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
        if (part.size() > 5 && part.substr(part.size() - 5) == "_proj") part.remove_suffix(5);
        if (part == "q") bits |= lora_q;
        else if (part == "k") bits |= lora_k;
        else if (part == "v") bits |= lora_v;
        else if (part == "o" || part == "out" || part == "output") bits |= lora_o;
        else if (part == "gate") bits |= lora_gate;
        else if (part == "up") bits |= lora_up;
        else if (part == "down") bits |= lora_down;
        else return false;
        pos = end + 1;
    }
    if (bits == 0) return false;
    out = bits;
    return true;
}

std::string lora_targets_name(std::uint8_t t) {
    if (t == kLoraAll) return "all";
    if (t == kLoraAttn) return "attn";
    static const struct { std::uint8_t bit; const char* name; } names[] = {
        {lora_q, "q"}, {lora_k, "k"}, {lora_v, "v"}, {lora_o, "o"}, {lora_gate, "gate"}, {lora_up, "up"}, {lora_down, "down"}};
    std::string s;
    for (const auto& n : names) {
        if (!(t & n.bit)) continue;
        if (!s.empty()) s += ',';
        s += n.name;
    }
    return s;
}

// ---- Model states ---------------------------------------------------------------------------

StateBytes state_bytes_per_param(TrainPrecision p, TrainOptimizer o) {
    StateBytes s;
    const double sd = state_dtype_bytes(p);
    switch (p) {
        case TrainPrecision::fp32:  // everything fp32: 4 + 4 + states (AdamW 8 = 16)
            s.weights = 4;
            s.gradients = 4;
            s.optimizer = states_per_param(o, sd);
            break;
        case TrainPrecision::mixed_bf16:
        case TrainPrecision::mixed_fp16:  // ZeRO paper: 2 + 2 + K, K = 4 (fp32 master) + fp32 states
            s.weights = 2;
            s.gradients = 2;
            s.optimizer = 4 + states_per_param(o, sd);
            break;
        case TrainPrecision::bf16:  // torchtune: 2 + 2 + bf16 states, no master copy
            s.weights = 2;
            s.gradients = 2;
            s.optimizer = states_per_param(o, sd);
            break;
    }
    return s;
}

std::int64_t lora_trainable_params(const std::vector<Tensor>& tensors, std::int64_t rank, std::uint8_t targets) {
    std::int64_t total = 0;
    for (const Tensor& t : tensors) {
        if (!targeted(t, targets)) continue;
        total += rank * (t.ne0 + t.ne1) * t.ne2;  // A: r x d_in, B: d_out x r (per expert)
    }
    return total;
}

double layer_activation_bytes_per_token(const ModelArch& a, std::int64_t il, std::int64_t seq, const TrainingOptions& o) {
    const double e = o.precision == TrainPrecision::fp32 ? 4.0 : 2.0;  // activation element bytes
    const double h = static_cast<double>(a.hidden_size);
    const double heads = static_cast<double>(a.num_attention_heads);
    double qd, kd, vd, od;
    if (a.attention == AttentionKind::mla) {
        qd = heads * static_cast<double>(a.qk_nope_head_dim + a.qk_rope_head_dim);
        kd = qd;
        vd = heads * static_cast<double>(a.v_head_dim);
        od = vd;
    } else {
        qd = heads * static_cast<double>(a.head_dim);
        kd = static_cast<double>(a.num_key_value_heads * a.head_dim);
        vd = kd;
        od = qd;
    }
    // Norms: each saves its input upcast to fp32 (HF LlamaRMSNorm, torchtune RMSNorm).
    const double norms = static_cast<double>(std::max(2, a.norms_per_layer)) * 4.0 * h;
    // Attention (Korthikanti 11sbh without the dropout mask, GQA-sized K and V): Q/K/V input, Q, K,
    // V, the attention output (kept by flash/SDPA for backward) and the output projection's input.
    double attn = e * (h + qd + kd + vd + od + od);
    // Eager attention keeps the scores: Korthikanti's 5as^2b (softmax output, dropout mask and output),
    // per token 5 x heads x seq bytes at 16 bits; flash/SDPA and selective recomputation drop it.
    if (o.attention == TrainAttention::eager && o.checkpointing != Checkpointing::selective) {
        attn += 5.0 * heads * static_cast<double>(seq) * (e / 2.0);
    }
    // MLP: input, then per intermediate element gate, up, act(gate) and act*up (SwiGLU: 4I), or fc1
    // output and activation (2I) for a plain MLP (Korthikanti's 19sbh at I = 4h, without the mask).
    const double per_i = a.mlp_gated ? 4.0 : 2.0;
    double mlp;
    if (a.is_moe() && a.is_moe_layer(il)) {
        const double k = static_cast<double>(a.num_experts_per_tok);
        mlp = e * (h + k * h + k * per_i * static_cast<double>(a.moe_intermediate_size) +
                   per_i * static_cast<double>(a.shared_expert_intermediate_size)) +
              4.0 * static_cast<double>(a.num_experts);  // routed copies of the input, fp32 router probabilities
    } else {
        const std::int64_t inter = (a.is_moe() && a.dense_intermediate_size > 0) ? a.dense_intermediate_size : a.intermediate_size;
        mlp = e * (h + per_i * static_cast<double>(inter));
    }
    return norms + attn + mlp;
}

// ---- The estimate ---------------------------------------------------------------------------

Expected<TrainingEstimate> estimate_training(const ModelArch& a, const std::vector<Tensor>& tensors,
                                             const ParamCounts& params, const Device& device,
                                             const TrainingOptions& o) {
    // Inputs.
    if (o.batch < 1 || o.batch > 65536) return bad("batch", "must be between 1 and 65536");
    if (o.seq < 1 || o.seq > 16'777'216) return bad("seq", "must be between 1 and 16777216 tokens");
    if (static_cast<double>(o.batch) * static_cast<double>(o.seq) > 1e9) return bad("batch", "batch x seq must be at most 1e9 tokens per GPU");
    if (o.method != TrainMethod::full && (o.lora_rank < 1 || o.lora_rank > 65536)) return bad("lora_rank", "must be between 1 and 65536");
    if (o.method != TrainMethod::full && (o.lora_targets & kLoraAll) == 0) return bad("lora_targets", "choose at least one of q,k,v,o,gate,up,down");
    if (o.gpu_count < 1 || o.gpu_count > 65536) return bad("count", "must be between 1 and 65536 GPUs");
    if (!(o.tokens >= 0) || o.tokens > 1e16) return bad("tokens", "must be between 0 and 1e16");
    if (!(o.mfu > 0) || o.mfu > 1) return bad("mfu", "must be more than 0 and at most 1");
    if (!(o.price_usd_per_gpu_hour >= 0) || o.price_usd_per_gpu_hour > 1e5) return bad("price", "must be between 0 and 100000 $ per GPU-hour");
    if (!(o.outlet_watts > 0) || o.outlet_watts > 1e6) return bad("outlet_watts", "must be more than 0 and at most 1000000 W");
    if (a.num_hidden_layers < 1 || a.hidden_size < 1 || a.vocab_size < 1) return bad("model", "needs layers, hidden_size and vocab_size");
    if (tensors.empty()) return bad("model", "has no tensors");
    if (o.method == TrainMethod::qlora && o.precision == TrainPrecision::fp32) {
        return bad("precision", "QLoRA computes in 16 bits; use bf16, mixed_bf16 or mixed_fp16");
    }

    TrainingEstimate est;
    est.options = o;
    est.device_name = device.name;
    const bool lora = o.method != TrainMethod::full;
    const bool qlora = o.method == TrainMethod::qlora;
    const double e = o.precision == TrainPrecision::fp32 ? 4.0 : 2.0;
    const double sd = state_dtype_bytes(o.precision);
    const StateBytes sb = state_bytes_per_param(o.precision, o.optimizer);
    const bool has_master = o.precision == TrainPrecision::mixed_bf16 || o.precision == TrainPrecision::mixed_fp16;

    // Parameters by kind, from the tensors.
    double total = 0, linear = 0, largest_linear = 0, vision = 0, adafactor_full = 0, trainable_lora = 0;
    double adafactor_lora = 0, lora_act_per_token = 0;  // LoRA's extra saved activations, all layers
    const double r = static_cast<double>(o.lora_rank);
    for (const Tensor& t : tensors) {
        const double n = static_cast<double>(t.ne0) * static_cast<double>(t.ne1) * static_cast<double>(t.ne2);
        total += n;
        if (t.role == TensorRole::vision) vision += n;
        if (is_linear(t)) {
            linear += n;
            largest_linear = std::max(largest_linear, static_cast<double>(t.ne0) * static_cast<double>(t.ne1));
        }
        adafactor_full += adafactor_elements(t.ne0, t.ne1, t.ne2, t.one_dimensional || t.ne1 == 1);
        if (lora && targeted(t, o.lora_targets)) {
            trainable_lora += r * static_cast<double>(t.ne0 + t.ne1) * static_cast<double>(t.ne2);
            adafactor_lora += static_cast<double>(t.ne2) * ((r + static_cast<double>(t.ne0)) + (static_cast<double>(t.ne1) + r));
            // Per token a routed expert's adapter sees only the tokens routed to it: k of ne2 experts.
            const double visits = t.is_routed_expert() ? static_cast<double>(std::max<std::int64_t>(1, a.num_experts_per_tok)) : 1.0;
            lora_act_per_token += visits * e * (static_cast<double>(t.ne0) + r);
        }
    }
    if (params.total > 0) total = std::max(total, static_cast<double>(params.total));
    est.total_params = static_cast<std::int64_t>(total);
    est.active_params = params.active > 0 ? params.active : est.total_params;
    if (lora && trainable_lora <= 0) return bad("lora_targets", "match no matrix of this model");
    const double trainable = lora ? trainable_lora : total;
    est.trainable_params = static_cast<std::int64_t>(trainable);
    est.frozen_params = lora ? est.total_params : 0;

    std::vector<TrainingItem>& items = est.items;
    bool too_big = false;  // an item past 1 EB: the inputs are beyond any machine (and int64 bytes)
    auto add = [&](const char* key, TrainCategory c, double bytes, std::string label, std::string formula, const char* source,
                   Location where = Location::gpu) {
        TrainingItem i;
        i.key = key;
        i.category = c;
        if (!(bytes <= 1e18)) {
            too_big = true;
            bytes = 1e18;
        }
        i.bytes = round_bytes(bytes);
        i.label = std::move(label);
        i.formula = std::move(formula);
        i.source = source;
        i.location = where;
        items.push_back(std::move(i));
    };

    Sums s;
    s.trainable_params = trainable;
    const std::string N = std::to_string(o.gpu_count);
    const std::int64_t n_gpu = o.gpu_count;
    const double nd = static_cast<double>(n_gpu);
    const bool shard_w = shards_weights(o.sharding) && n_gpu > 1;
    const bool shard_g = shards_grads(o.sharding) && n_gpu > 1;
    const bool shard_o = shards_states(o.sharding) && n_gpu > 1;
    const std::string per_n = " / " + N + " GPUs (" + std::string(sharding_name(o.sharding)) + ")";

    // Weights, gradients and optimizer states of the trainable parameters.
    double opt_states = 0, master = 0;
    if (!lora) {
        s.weights_trainable = total * sb.weights;
        s.gradients = total * sb.gradients;
        master = has_master ? total * 4 : 0;
        opt_states = o.optimizer == TrainOptimizer::adafactor ? adafactor_full * sd : total * states_per_param(o.optimizer, sd);
    } else {
        // Adapters: fp32 under PEFT with a 16-bit base (fp32 and mixed), bf16 under pure bf16 (torchtune).
        const double ab = o.precision == TrainPrecision::bf16 ? 2.0 : 4.0;
        s.weights_trainable = trainable * ab;
        s.gradients = trainable * ab;
        master = 0;  // the adapters are already fp32 (or deliberately bf16)
        const double asd = ab;
        opt_states = o.optimizer == TrainOptimizer::adafactor ? adafactor_lora * asd : trainable * states_per_param(o.optimizer, asd);
        // Frozen base.
        if (qlora) {
            const double bits = o.double_quant ? 4.0 + 8.0 / 64.0 + 32.0 / (64.0 * 256.0) : 4.0 + 32.0 / 64.0;
            const double quant = linear * bits / 8.0;
            const double kept = (total - linear) * 2.0;
            s.weights_frozen = quant + kept;
            est.quantized_params = static_cast<std::int64_t>(linear);
        } else {
            s.weights_frozen = total * (o.precision == TrainPrecision::fp32 ? 4.0 : 2.0);
        }
    }
    double largest_trainable = 0;  // elements of the largest trainable tensor
    for (const Tensor& t : tensors) {
        if (lora && !targeted(t, o.lora_targets)) continue;
        const double n = lora ? r * static_cast<double>(t.ne0 + t.ne1) * static_cast<double>(t.ne2)
                              : static_cast<double>(t.ne0) * static_cast<double>(t.ne1) * static_cast<double>(t.ne2);
        largest_trainable = std::max(largest_trainable, n);
    }
    const double grad_per_param = s.gradients / std::max(1.0, trainable);
    if (o.optimizer_in_backward) s.gradients = largest_trainable * grad_per_param;
    s.master = master;
    s.states = opt_states;
    const double layers = static_cast<double>(a.num_hidden_layers);
    const double per_layer_params = std::max(0.0, (total - static_cast<double>(params.embedding) - vision) / layers);
    s.layer_weight_bytes = per_layer_params * ((s.weights_trainable + s.weights_frozen) / std::max(1.0, total));
    s.layer_grad_bytes = (lora ? trainable / layers : per_layer_params) * grad_per_param;

    // Items for the model states (per GPU at the chosen count and sharding).
    if (!lora) {
        add("weights", TrainCategory::weights, shard_w ? s.weights_trainable / nd : s.weights_trainable,
            "weights (" + std::string(o.precision == TrainPrecision::fp32 ? "fp32" : "16-bit") + ")",
            format_params(est.total_params) + " parameters x " + num(sb.weights) + " bytes" + (shard_w ? per_n : ""),
            o.precision == TrainPrecision::bf16 ? kSrcTorchtune : kSrcZero);
        add("gradients", TrainCategory::gradients, shard_g ? s.gradients / nd : s.gradients, "gradients",
            o.optimizer_in_backward
                ? "one tensor at a time: " + format_params(static_cast<std::int64_t>(largest_trainable)) + " parameters x " + num(sb.gradients) + " bytes"
                : format_params(est.total_params) + " parameters x " + num(sb.gradients) + " bytes" + (shard_g ? per_n : ""),
            o.optimizer_in_backward ? kSrcOptInBwd : o.precision == TrainPrecision::bf16 ? kSrcTorchtune : kSrcZero);
    } else {
        if (qlora) {
            const double bits = o.double_quant ? 4.127 : 4.5;
            add("base_weights", TrainCategory::weights, shard_w ? s.weights_frozen / nd : s.weights_frozen,
                "frozen base (NF4 linear layers, 16-bit embeddings, head and norms)",
                format_params(static_cast<std::int64_t>(linear)) + " linear parameters x " + num(bits) + " bits (NF4" +
                    (o.double_quant ? " + double-quantized absmax" : " + fp32 absmax per 64") + ") + " +
                    format_params(static_cast<std::int64_t>(total - linear)) + " other parameters x 2 bytes" + (shard_w ? per_n : ""),
                kSrcQlora);
        } else {
            const double wb = o.precision == TrainPrecision::fp32 ? 4.0 : 2.0;
            add("base_weights", TrainCategory::weights, shard_w ? s.weights_frozen / nd : s.weights_frozen,
                "frozen base weights", format_params(est.total_params) + " parameters x " + num(wb) + " bytes" + (shard_w ? per_n : ""),
                kSrcLora);
        }
        const double ab = o.precision == TrainPrecision::bf16 ? 2.0 : 4.0;
        add("adapter_weights", TrainCategory::weights, shard_w ? s.weights_trainable / nd : s.weights_trainable,
            "LoRA adapters (rank " + std::to_string(o.lora_rank) + ", " + lora_targets_name(o.lora_targets) + ")",
            format_int(est.trainable_params) + " parameters (r x (d_in + d_out) per targeted matrix) x " + num(ab) + " bytes",
            kSrcLora);
        add("adapter_gradients", TrainCategory::gradients, shard_g ? s.gradients / nd : s.gradients, "adapter gradients",
            (o.optimizer_in_backward ? "one adapter at a time: " + format_int(static_cast<std::int64_t>(largest_trainable))
                                     : format_int(est.trainable_params)) +
                " parameters x " + num(ab) + " bytes; the frozen base has none",
            o.optimizer_in_backward ? kSrcOptInBwd : kSrcLora);
    }
    const Location opt_where = o.offload_optimizer ? Location::host : Location::gpu;
    const double opt_div = shard_o ? nd : 1.0;
    if (master > 0) {
        add("master_weights", TrainCategory::optimizer, o.offload_optimizer ? master : master / opt_div, "fp32 master weights",
            format_params(est.trainable_params) + " parameters x 4 bytes" + (shard_o && !o.offload_optimizer ? per_n : "") +
                (o.offload_optimizer ? " in CPU RAM" : ""),
            o.offload_optimizer ? kSrcOffload : kSrcZero, opt_where);
    }
    {
        std::string f;
        if (o.optimizer == TrainOptimizer::adafactor) {
            f = "factored: rows + cols per matrix x " + num(lora ? (o.precision == TrainPrecision::bf16 ? 2.0 : 4.0) : sd) + " bytes";
        } else {
            const double per = lora ? states_per_param(o.optimizer, o.precision == TrainPrecision::bf16 ? 2.0 : 4.0)
                                    : states_per_param(o.optimizer, sd);
            f = format_params(est.trainable_params) + " parameters x " + num(per) + " bytes (" + train_optimizer_name(o.optimizer) + ")";
        }
        if (shard_o && !o.offload_optimizer) f += per_n;
        if (o.offload_optimizer) f += " in CPU RAM";
        if (o.optimizer == TrainOptimizer::paged_adamw8bit) f += "; paged: moves to CPU RAM only when the GPU runs short";
        add("optimizer_states", TrainCategory::optimizer, o.offload_optimizer ? opt_states : opt_states / opt_div,
            std::string("optimizer states (") + train_optimizer_name(o.optimizer) + ")", f,
            o.offload_optimizer ? kSrcOffload : optimizer_source(o.optimizer), opt_where);
    }

    // Activations.
    const double tokens_per_step = static_cast<double>(o.batch) * static_cast<double>(o.seq);
    double per_token_all = 0, per_token_max = 0;
    const double lora_per_layer = lora_act_per_token / layers;
    for (std::int64_t il = 0; il < a.num_hidden_layers; ++il) {
        const double v = layer_activation_bytes_per_token(a, il, o.seq, o) + lora_per_layer;
        per_token_all += v;
        per_token_max = std::max(per_token_max, v);
    }
    double act = 0;
    const std::string tok = format_int(o.batch) + " x " + format_int(o.seq) + " tokens";
    if (o.checkpointing == Checkpointing::full) {
        act = tokens_per_step * (layers * e * static_cast<double>(a.hidden_size) + per_token_max);
        add("activations", TrainCategory::activations, act, "activations (full checkpointing)",
            tok + " x (" + format_int(a.num_hidden_layers) + " layer inputs x " + num(e) + " x " + format_int(a.hidden_size) +
                " + one layer recomputed: " + format_int(static_cast<std::int64_t>(per_token_max)) + " bytes per token)",
            kSrcCheckpoint);
    } else {
        act = tokens_per_step * per_token_all;
        add("activations", TrainCategory::activations, act,
            std::string("activations (") + (o.attention == TrainAttention::flash ? "flash/SDPA attention" : "eager attention") +
                (o.checkpointing == Checkpointing::selective ? ", selective checkpointing" : "") + ")",
            tok + " x " + format_int(static_cast<std::int64_t>(per_token_all / layers)) + " bytes per token per layer x " +
                format_int(a.num_hidden_layers) + " layers" + (lora ? " (LoRA inputs included)" : ""),
            kSrcKorthikanti);
    }
    const double vocab = static_cast<double>(a.vocab_size);
    // Whole: the logits (16-bit, or fp32), their fp32 upcast (none when already fp32), the
    // log_softmax output and its gradient. Chunked: the logits stay whole (saved for backward); each
    // chunk's gradient and its three fp32 tensors exist one chunk in 8 at a time (autograd runs each
    // chunk's loss and projection backward before the next).
    const double logit_bytes = o.chunked_loss ? e + (e + 12.0) / 8.0 : (e == 4.0 ? 12.0 : 14.0);
    const double logits = tokens_per_step * (vocab * logit_bytes + (4.0 + e) * static_cast<double>(a.hidden_size));
    add("logits_loss", TrainCategory::activations, logits, "logits and loss",
        tok + " x " + format_int(a.vocab_size) + " vocabulary x " + num(logit_bytes) +
            (o.chunked_loss ? " bytes (logits kept whole; gradient and fp32 work of one chunk in 8)"
                            : e == 4.0 ? " bytes (fp32 logits, log_softmax output, its gradient)"
                                       : " bytes (16-bit logits, fp32 upcast, log_softmax output, its gradient)"),
        o.chunked_loss ? kSrcChunkedLoss : kSrcLogits);
    s.activations = act + logits;

    // Overheads that do not shrink with more GPUs.
    const double inter_tok = a.is_moe() ? static_cast<double>(a.num_experts_per_tok * a.moe_intermediate_size + a.shared_expert_intermediate_size)
                                        : static_cast<double>(a.intermediate_size);
    const double backward_tmp = tokens_per_step * e * (2.0 * static_cast<double>(a.hidden_size) + 2.0 * inter_tok);
    add("cuda_context", TrainCategory::overhead, static_cast<double>(kTorchCudaContext), "CUDA context (PyTorch)", "426 MiB per GPU", kSrcCuda);
    add("backward_temporaries", TrainCategory::overhead, backward_tmp, "backward temporaries",
        tok + " x " + num(e) + " bytes x (2 x " + format_int(a.hidden_size) + " + 2 x " + format_int(static_cast<std::int64_t>(inter_tok)) + ")",
        kSrcBackward);
    s.fixed_overhead = static_cast<double>(kTorchCudaContext) + backward_tmp;
    if (qlora) {
        const double dq = 2.0 * largest_linear * 2.0;
        add("dequant_buffer", TrainCategory::overhead, dq, "NF4 dequantization buffers",
            "2 x largest matrix " + format_params(static_cast<std::int64_t>(largest_linear)) + " x 2 bytes", kSrcQloraDequant);
        s.fixed_overhead += dq;
    }
    const PerGpu chosen = per_gpu(s, o.sharding, n_gpu, o.offload_optimizer);
    if (chosen.comm > 0) {
        if (o.sharding == Sharding::none) {
            add("ddp_buckets", TrainCategory::overhead, chosen.comm, "DDP gradient buckets", "a second copy of the gradients", kSrcDdp);
        } else if (shards_weights(o.sharding)) {
            add("gathered_layers", TrainCategory::overhead, chosen.comm, "all-gathered layers",
                "2 layers of parameters (current + prefetched) + 1 layer of gradients, unsharded", kSrcFsdp);
        } else {
            add("zero_buckets", TrainCategory::overhead, chosen.comm, "ZeRO reduce and all-gather buckets",
                "2 x min(trainable parameters, 5e8) x gradient bytes", kSrcZeroBuckets);
        }
    }

    if (too_big) return bad("batch", "batch x seq needs more than 1 EB of memory per GPU; use fewer tokens per step");

    // Totals per GPU.
    for (const TrainingItem& i : items) {
        if (i.location == Location::host) {
            est.host_bytes += i.bytes;
            continue;
        }
        switch (i.category) {
            case TrainCategory::weights: est.weights_bytes += i.bytes; break;
            case TrainCategory::gradients: est.gradients_bytes += i.bytes; break;
            case TrainCategory::optimizer: est.optimizer_bytes += i.bytes; break;
            case TrainCategory::activations: est.activations_bytes += i.bytes; break;
            case TrainCategory::overhead: est.overhead_bytes += i.bytes; break;
        }
    }
    est.total_bytes = est.weights_bytes + est.gradients_bytes + est.optimizer_bytes + est.activations_bytes + est.overhead_bytes;
    const UsableMemory um = usable_memory(device, o.usable, false);
    est.usable_bytes = um.usable_bytes;
    est.device_bytes = um.device_bytes;
    if (est.total_bytes <= est.usable_bytes) est.verdict = o.offload_optimizer ? Verdict::fits_with_offload : Verdict::fits;
    else est.verdict = Verdict::does_not_fit;

    if (est.verdict == Verdict::does_not_fit && o.checkpointing != Checkpointing::full) {
        TrainingOptions with = o;
        with.checkpointing = Checkpointing::full;
        with.tokens = 0;
        Expected<TrainingEstimate> c = estimate_training(a, tensors, params, device, with);
        if (c) est.total_with_checkpointing = c->total_bytes;
    }

    // How many GPUs.
    const double usable = static_cast<double>(est.usable_bytes);
    est.min_gpus = smallest_fit(s, o.sharding, o.offload_optimizer, usable);
    if (smallest_fit(s, Sharding::none, o.offload_optimizer, usable) == 1) {
        est.recommended_sharding = Sharding::none;  // DDP when one GPU holds everything
        est.recommended_gpus = 1;
    } else {
        est.recommended_sharding = o.sharding == Sharding::fsdp ? Sharding::fsdp : Sharding::zero3;
        est.recommended_gpus = smallest_fit(s, est.recommended_sharding, o.offload_optimizer, usable);
    }

    // Time: 6 x N x tokens (Kaplan et al. 2020; forward 2N, backward 4N), 8N with full recomputation
    // (Korthikanti et al. 2022); MoE by active parameters. LoRA: forward 2N + backward 2N (input
    // gradients only; the frozen base gets no weight gradients) + 6 x adapter parameters.
    TrainingTime& t = est.time;
    t.tokens = o.tokens;
    t.mfu = o.mfu;
    t.peak_tflops = device.fp16_tflops;
    const double active = static_cast<double>(est.active_params);
    const double recompute = o.checkpointing == Checkpointing::full ? 2.0 : 0.0;
    if (!lora) t.flops_per_token = (6.0 + recompute) * active;
    else t.flops_per_token = (4.0 + recompute) * active + 6.0 * trainable * (active / std::max(1.0, total));
    t.flops = t.flops_per_token * o.tokens;
    if (device.fp16_tflops > 0 && o.tokens > 0) {
        t.gpu_hours = t.flops / (device.fp16_tflops * 1e12 * o.mfu * 3600.0);
        t.wall_hours = t.gpu_hours / nd;
    }
    // Cost at a per-GPU-hour price.
    est.cost.usd_per_gpu_hour = o.price_usd_per_gpu_hour > 0 ? o.price_usd_per_gpu_hour : device.cloud_usd_per_hour;
    est.cost.price_from_catalog = !(o.price_usd_per_gpu_hour > 0) && device.cloud_usd_per_hour > 0;
    est.cost.usd = t.gpu_hours * est.cost.usd_per_gpu_hour;

    // Power: board power x count, plus a host of 250 W (CPU, board, drives, fans) and 10% PSU
    // losses on the whole (80 PLUS Gold is ~90% efficient at typical load) [estimate]; against
    // the circuit, with the NEC 210.19(A)/210.20(A) rule that a continuous load (3 h or more) may
    // use 80% of it.
    TrainingPower& p = est.power;
    p.known = device.tdp_w > 0;
    p.gpu_watts = device.tdp_w * nd;
    const double dc = p.gpu_watts + 250.0;
    p.host_watts = 250.0 + 0.10 * dc;
    p.total_watts = p.gpu_watts + p.host_watts;
    p.outlet_watts = o.outlet_watts;
    p.continuous_limit_watts = 0.8 * o.outlet_watts;
    p.trips_outlet = p.known && p.total_watts > o.outlet_watts;
    p.over_continuous_limit = p.known && p.total_watts > p.continuous_limit_watts;
    return est;
}

}  // namespace wif
