#include "facts/quant.hpp"

#include "base/checked.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

namespace wif {

namespace {

// Block layouts: ggml/src/ggml-common.h (each block_* struct has a static_assert on its size).
constexpr std::array<GgmlTypeTraits, static_cast<size_t>(GgmlType::count)> kTraits{{
    {"f32", 1, 4},      {"f16", 1, 2},      {"bf16", 1, 2},     {"q4_0", 32, 18},
    {"q4_1", 32, 20},   {"q5_0", 32, 22},   {"q5_1", 32, 24},   {"q8_0", 32, 34},
    {"q2_K", 256, 84},  {"q3_K", 256, 110}, {"q4_K", 256, 144}, {"q5_K", 256, 176},
    {"q6_K", 256, 210}, {"iq2_xxs", 256, 66}, {"iq2_xs", 256, 74}, {"iq2_s", 256, 82},
    {"iq3_xxs", 256, 98}, {"iq3_s", 256, 110}, {"iq1_s", 256, 50}, {"iq1_m", 256, 56},
    {"iq4_nl", 32, 18}, {"iq4_xs", 256, 136}, {"tq1_0", 256, 54}, {"tq2_0", 256, 66},
    {"mxfp4", 32, 17},
}};

struct FtypeName {
    GgufFtype ftype;
    const char* name;
};
constexpr FtypeName kFtypeNames[] = {
    {GgufFtype::all_f32, "F32"},   {GgufFtype::f16, "F16"},       {GgufFtype::bf16, "BF16"},
    {GgufFtype::q8_0, "Q8_0"},     {GgufFtype::q6_k, "Q6_K"},     {GgufFtype::q5_k_m, "Q5_K_M"},
    {GgufFtype::q5_k_s, "Q5_K_S"}, {GgufFtype::q5_0, "Q5_0"},     {GgufFtype::q5_1, "Q5_1"},
    {GgufFtype::q4_k_m, "Q4_K_M"}, {GgufFtype::q4_k_s, "Q4_K_S"}, {GgufFtype::q4_0, "Q4_0"},
    {GgufFtype::q4_1, "Q4_1"},     {GgufFtype::q3_k_l, "Q3_K_L"}, {GgufFtype::q3_k_m, "Q3_K_M"},
    {GgufFtype::q3_k_s, "Q3_K_S"}, {GgufFtype::q2_k, "Q2_K"},     {GgufFtype::q2_k_s, "Q2_K_S"},
    {GgufFtype::iq4_xs, "IQ4_XS"}, {GgufFtype::iq4_nl, "IQ4_NL"}, {GgufFtype::iq3_m, "IQ3_M"},
    {GgufFtype::iq3_s, "IQ3_S"},   {GgufFtype::iq3_xs, "IQ3_XS"}, {GgufFtype::iq3_xxs, "IQ3_XXS"},
    {GgufFtype::iq2_m, "IQ2_M"},   {GgufFtype::iq2_s, "IQ2_S"},   {GgufFtype::iq2_xs, "IQ2_XS"},
    {GgufFtype::iq2_xxs, "IQ2_XXS"}, {GgufFtype::iq1_m, "IQ1_M"}, {GgufFtype::iq1_s, "IQ1_S"},
    {GgufFtype::tq1_0, "TQ1_0"},   {GgufFtype::tq2_0, "TQ2_0"},   {GgufFtype::mxfp4_moe, "MXFP4_MOE"},
    {GgufFtype::q4_0_qat, "Q4_0_QAT"},
};

bool is_quantized(GgmlType t) { return t != GgmlType::f32 && t != GgmlType::f16 && t != GgmlType::bf16; }

// llama.cpp llama_ftype_get_default_type.
GgmlType default_type(GgufFtype f) {
    switch (f) {
        case GgufFtype::all_f32: return GgmlType::f32;
        case GgufFtype::f16: return GgmlType::f16;
        case GgufFtype::bf16: return GgmlType::bf16;
        case GgufFtype::q8_0: return GgmlType::q8_0;
        case GgufFtype::q6_k: return GgmlType::q6_k;
        case GgufFtype::q5_k_m: case GgufFtype::q5_k_s: return GgmlType::q5_k;
        case GgufFtype::q5_0: return GgmlType::q5_0;
        case GgufFtype::q5_1: return GgmlType::q5_1;
        case GgufFtype::q4_k_m: case GgufFtype::q4_k_s: return GgmlType::q4_k;
        case GgufFtype::q4_0: case GgufFtype::q4_0_qat: return GgmlType::q4_0;
        case GgufFtype::q4_1: return GgmlType::q4_1;
        case GgufFtype::q3_k_l: case GgufFtype::q3_k_m: case GgufFtype::q3_k_s: return GgmlType::q3_k;
        case GgufFtype::q2_k: case GgufFtype::q2_k_s: return GgmlType::q2_k;
        case GgufFtype::iq4_xs: return GgmlType::iq4_xs;
        case GgufFtype::iq4_nl: return GgmlType::iq4_nl;
        case GgufFtype::iq3_m: case GgufFtype::iq3_s: case GgufFtype::iq3_xs: return GgmlType::iq3_s;
        case GgufFtype::iq3_xxs: return GgmlType::iq3_xxs;
        case GgufFtype::iq2_m: return GgmlType::iq2_s;
        case GgufFtype::iq2_s: case GgufFtype::iq2_xs: return GgmlType::iq2_xs;
        case GgufFtype::iq2_xxs: return GgmlType::iq2_xxs;
        case GgufFtype::iq1_m: return GgmlType::iq1_m;
        case GgufFtype::iq1_s: return GgmlType::iq1_s;
        case GgufFtype::tq1_0: return GgmlType::tq1_0;
        case GgufFtype::tq2_0: return GgmlType::tq2_0;
        case GgufFtype::mxfp4_moe: return GgmlType::mxfp4;
    }
    return GgmlType::f16;
}

// llama-quant.cpp tensor_get_category.
enum class Category { token_embd, attn_q, attn_v, attn_k, attn_qkv, attn_kv_b, attn_output, ffn_up, ffn_gate, ffn_down, output, other };

Category category_of(TensorRole r) {
    switch (r) {
        case TensorRole::token_embd: return Category::token_embd;
        case TensorRole::output: return Category::output;
        case TensorRole::attn_q: return Category::attn_q;
        case TensorRole::attn_k: return Category::attn_k;
        case TensorRole::attn_v: return Category::attn_v;
        case TensorRole::attn_qkv: return Category::attn_qkv;
        case TensorRole::attn_kv_b: return Category::attn_kv_b;
        case TensorRole::attn_output: return Category::attn_output;
        case TensorRole::ffn_up: case TensorRole::ffn_up_exps: case TensorRole::ffn_up_shexp: return Category::ffn_up;
        case TensorRole::ffn_gate: case TensorRole::ffn_gate_exps: case TensorRole::ffn_gate_shexp:
        case TensorRole::ffn_gate_inp_shexp: return Category::ffn_gate;
        case TensorRole::ffn_down: case TensorRole::ffn_down_exps: case TensorRole::ffn_down_shexp: return Category::ffn_down;
        default: return Category::other;
    }
}

bool is_attn_v_like(Category c) { return c == Category::attn_v || c == Category::attn_qkv || c == Category::attn_kv_b; }

// llama-quant.cpp tensor_allows_quantization: 2-D/3-D weights except norms and the MoE router.
bool allows_quantization(const Tensor& t) {
    if (t.one_dimensional) return false;
    return t.role != TensorRole::ffn_gate_inp && t.role != TensorRole::vision;
}

// Type a tensor keeps when it is not quantized: convert_hf_to_gguf.py writes 1-D tensors and
// the MoE router in F32, every other matrix in the file's 16-bit type.
GgmlType unquantized_type(const Tensor& t, GgmlType file_type) {
    if (t.one_dimensional || t.role == TensorRole::ffn_gate_inp) return GgmlType::f32;
    return is_quantized(file_type) ? GgmlType::f16 : file_type;
}

bool use_more_bits(std::int64_t i, std::int64_t n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

struct RecipeState {
    GgufFtype ftype;
    std::int64_t n_layer;
    std::int64_t n_expert;     // max(1, num_experts)
    std::int64_t gqa;
    bool tied;
    bool is_70b;               // llama.cpp LLM_TYPE_70B (80-layer Llama/Qwen2)
    bool imatrix;
    std::int64_t n_attention_wv = 0;
    std::int64_t i_attention_wv = 0;
};

template <class... Fs>
constexpr bool any_of(GgufFtype f, Fs... list) {
    return ((f == list) || ...);
}

// llama-quant.cpp llama_tensor_get_type_impl, for the file types we offer.
GgmlType recipe_type(RecipeState& s, const Tensor& t, GgmlType new_type) {
    using F = GgufFtype;
    using G = GgmlType;
    const F ftype = s.ftype;
    const Category cat = category_of(t.role);
    const std::int64_t layer = t.layer < 0 ? 0 : t.layer;

    // Google's QAT GGUFs (google/gemma-3-*-it-qat-q4_0-gguf) are not llama-quantize output: every
    // weight matrix Q4_0 (no Q4_1 or Q6_K promotions), the embeddings table left in F16 ("use fp16
    // (instead of Q6_K) for the embeddings table": stduhpf/google-gemma-3-27b-it-qat-q4_0-gguf-small).
    if (ftype == F::q4_0_qat) return cat == Category::token_embd ? G::f16 : G::q4_0;
    if (cat == Category::output || (s.tied && cat == Category::token_embd)) {
        const std::int64_t block = ggml_traits(new_type).block;
        if (ftype == F::mxfp4_moe) return G::q8_0;
        if (t.ne0 % block != 0) return G::q8_0;
        if (any_of(ftype, F::iq2_xxs, F::iq2_xs, F::iq3_xxs, F::iq1_s, F::iq2_s, F::iq2_m, F::iq1_m)) return G::q5_k;
        if (new_type != G::q8_0) return G::q6_k;
        return new_type;
    }
    if (ftype == F::mxfp4_moe) return t.ne2 > 1 ? G::mxfp4 : G::q8_0;
    if (cat == Category::token_embd) {
        if (any_of(ftype, F::iq2_xxs, F::iq2_xs, F::iq1_s, F::iq1_m)) return G::q2_k;
        if (any_of(ftype, F::iq2_s, F::iq2_m, F::iq3_xxs)) return G::iq3_s;
        if (any_of(ftype, F::tq1_0, F::tq2_0)) return G::q4_k;
        return new_type;
    }
    if (any_of(ftype, F::iq2_xxs, F::iq2_xs, F::iq1_s, F::iq2_s, F::iq2_m, F::iq1_m)) {
        const bool iq2_sm = ftype == F::iq2_s || ftype == F::iq2_m;
        if (is_attn_v_like(cat)) {
            ++s.i_attention_wv;
            if (s.gqa >= 4 || s.n_expert >= 4) return G::q4_k;
            return iq2_sm ? G::iq3_s : G::q2_k;
        }
        if (s.n_expert == 8 && cat == Category::attn_k) return G::q4_k;
        if (cat == Category::ffn_down) return layer < s.n_layer / 8 ? (iq2_sm ? G::iq3_s : G::q2_k) : new_type;
        if (cat == Category::attn_output) {
            if (s.n_expert == 8) return G::q5_k;
            if (ftype == F::iq1_s || ftype == F::iq1_m) return G::iq2_xxs;
            if (iq2_sm) return G::iq3_s;
        }
        return new_type;
    }
    if (is_attn_v_like(cat)) {
        const std::int64_t i = s.i_attention_wv++;
        if (ftype == F::q2_k) new_type = s.gqa >= 4 ? G::q4_k : G::q3_k;
        else if (ftype == F::q2_k_s && s.gqa >= 4) new_type = G::q4_k;
        else if (ftype == F::iq3_xxs) new_type = s.gqa >= 4 ? G::q4_k : !s.imatrix ? G::iq3_s : G::iq3_xxs;
        else if ((ftype == F::iq3_xs || ftype == F::iq3_s) && s.gqa >= 4) new_type = G::q4_k;
        else if (ftype == F::iq3_m) new_type = G::q4_k;
        else if (ftype == F::q3_k_m) new_type = i < 2 ? G::q5_k : G::q4_k;
        else if (ftype == F::q3_k_l) new_type = G::q5_k;
        else if ((ftype == F::iq4_nl || ftype == F::iq4_xs) && s.gqa >= 4) new_type = G::q5_k;
        else if ((ftype == F::q4_k_m || ftype == F::q5_k_m) && use_more_bits(i, s.n_attention_wv)) new_type = G::q6_k;
        else if (ftype == F::q4_k_s && i < 4) new_type = G::q5_k;
        // 70B: attn_v is 8x smaller than attn_q, so a few more bits cost almost nothing.
        if (s.is_70b && (new_type == G::q3_k || new_type == G::q4_k)) new_type = G::q5_k;
        if (s.n_expert == 8) new_type = G::q8_0;  // Mixtral: "trades just ~128MB"
        return new_type;
    }
    if (cat == Category::attn_k) {
        if (s.n_expert == 8) return G::q8_0;
        if (ftype == F::iq3_xs) return G::iq3_xxs;
        if (ftype == F::iq3_xxs) return G::iq2_s;
        return new_type;
    }
    if (cat == Category::attn_q) {
        if (ftype == F::iq3_xs) return G::iq3_xxs;
        if (ftype == F::iq3_xxs) return G::iq2_s;
        return new_type;
    }
    if (cat == Category::ffn_down) {
        const std::int64_t i = layer, n = s.n_layer;
        if (ftype == F::q2_k) return G::q3_k;
        if (ftype == F::q2_k_s) return i < n / 8 ? G::q4_k : new_type;
        if (ftype == F::iq3_xxs && !s.imatrix) return i < n / 8 ? G::q4_k : G::q3_k;
        if (ftype == F::q3_k_m) return i < n / 16 ? G::q5_k : G::q4_k;
        if (ftype == F::iq3_m && (i < n / 8 || (s.n_expert == 8 && use_more_bits(i, n)))) return G::q4_k;
        if (ftype == F::q3_k_l) return G::q5_k;
        if (ftype == F::q4_k_m) return use_more_bits(i, n) ? G::q6_k : new_type;
        if (i < n / 8 && (ftype == F::iq4_nl || ftype == F::iq4_xs) && !s.imatrix) return G::q5_k;
        if (ftype == F::q5_k_m && use_more_bits(i, n)) return G::q6_k;
        if (ftype == F::q4_k_s && i < n / 8) return G::q5_k;
        if ((ftype == F::q4_0 || ftype == F::q5_0) && s.imatrix && i < n / 8) return ftype == F::q4_0 ? G::q4_1 : G::q5_1;
        return new_type;
    }
    if (cat == Category::attn_output) {
        if (s.n_expert == 8) {
            if (any_of(ftype, F::q2_k, F::iq3_xs, F::iq3_xxs, F::q3_k_s, F::q3_k_m, F::iq4_nl, F::q4_k_s, F::q4_k_m,
                               F::iq3_s, F::iq3_m, F::iq4_xs))
                return G::q5_k;
            return new_type;
        }
        if (ftype == F::q2_k) return G::q3_k;
        if (ftype == F::iq3_xxs) return G::iq3_s;
        if (ftype == F::q3_k_m) return G::q4_k;
        if (ftype == F::q3_k_l) return G::q5_k;
        if (ftype == F::iq3_m) return G::q4_k;
        return new_type;
    }
    if (cat == Category::attn_qkv) {
        if (ftype == F::q3_k_m || ftype == F::q3_k_l || ftype == F::iq3_m) return G::q4_k;
        if (ftype == F::q4_k_m) return G::q5_k;
        if (ftype == F::q5_k_m) return G::q6_k;
        return new_type;
    }
    if (cat == Category::ffn_gate || cat == Category::ffn_up) {
        const std::int64_t i = layer, n = s.n_layer;
        if (ftype == F::iq3_xs && i >= n / 8 && i < 7 * n / 8) return G::iq3_xxs;
        return new_type;
    }
    return new_type;
}

// llama-quant.cpp tensor_type_fallback: rows whose length the block does not divide.
GgmlType fallback(GgmlType type, std::int64_t ne0) {
    using G = GgmlType;
    if (ne0 % ggml_traits(type).block == 0) return type;
    G out;
    switch (type) {
        case G::iq1_s: case G::iq1_m: case G::iq2_xxs: case G::iq2_xs: case G::iq2_s:
        case G::iq3_xxs: case G::iq3_s: case G::iq4_xs: out = G::iq4_nl; break;
        case G::q2_k: case G::q3_k: case G::tq1_0: case G::tq2_0: out = G::q4_0; break;
        case G::q4_k: out = G::q5_0; break;
        case G::q5_k: out = G::q5_1; break;
        case G::q6_k: out = G::q8_0; break;
        default: out = G::f16; break;
    }
    if (ne0 % ggml_traits(out).block != 0) out = G::f16;
    return out;
}

bool is_linear_weight(const Tensor& t) {
    return !t.one_dimensional && t.role != TensorRole::token_embd && t.role != TensorRole::output &&
           t.role != TensorRole::ffn_gate_inp && t.role != TensorRole::vision;
}

bool parse_number(std::string_view text, double& out) {
    if (text.empty() || text.size() > 20) return false;
    std::string s(text);
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || !std::isfinite(v)) return false;
    out = v;
    return true;
}

// The recipe's per-model inputs, gathered as llama_model_quantize_impl does (src/llama-quant.cpp).
RecipeState recipe_state(const ModelArch& arch, const std::vector<Tensor>& tensors, GgufFtype ftype, bool imatrix) {
    RecipeState s{};
    s.ftype = ftype;
    s.n_layer = arch.num_hidden_layers;
    s.n_expert = std::max<std::int64_t>(1, arch.num_experts);
    s.gqa = arch.gqa_ratio();
    s.tied = arch.tie_word_embeddings;
    // llama.cpp classifies 80-layer llama/qwen2 models as LLM_TYPE_70B (src/llama-model.cpp load_hparams).
    s.is_70b = arch.num_hidden_layers == 80 &&
               (arch.model_type == "llama" || arch.model_type == "mistral" || arch.model_type == "qwen2");
    s.imatrix = imatrix;
    for (const Tensor& t : tensors) {
        if (is_attn_v_like(category_of(t.role))) ++s.n_attention_wv;
    }
    return s;
}

// One tensor's type in the file, in file order (the recipe counts attn_v and ffn_down as it goes):
// tensors that are never quantized keep a float type, the rest follow the recipe and its fallback.
GgmlType tensor_type(RecipeState& s, const Tensor& t, GgmlType base) {
    if (!allows_quantization(t)) return unquantized_type(t, base);
    return is_quantized(base) ? fallback(recipe_type(s, t, base), t.ne0) : base;
}

}  // namespace

const GgmlTypeTraits& ggml_traits(GgmlType type) { return kTraits[static_cast<size_t>(type)]; }

bytes_t ggml_bytes(GgmlType type, std::int64_t elements) {
    const GgmlTypeTraits& t = ggml_traits(type);
    return ceil_div(elements, t.block) * t.bytes;
}

bool ggml_parse_type(std::string_view name, GgmlType& out) {
    const std::string lower = to_lower(name);
    for (size_t i = 0; i < kTraits.size(); ++i) {
        if (to_lower(kTraits[i].name) == lower) {
            out = static_cast<GgmlType>(i);
            return true;
        }
    }
    return false;
}

bool gguf_parse_ftype(std::string_view name, GgufFtype& out) {
    std::string upper(name);
    for (char& c : upper) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (c == '-') c = '_';
    }
    if (upper == "MXFP4") upper = "MXFP4_MOE";
    if (upper == "FP16") upper = "F16";
    if (upper == "FP32" || upper == "ALL_F32") upper = "F32";
    for (const FtypeName& f : kFtypeNames) {
        if (upper == f.name) {
            out = f.ftype;
            return true;
        }
    }
    return false;
}

const char* gguf_ftype_name(GgufFtype ftype) {
    for (const FtypeName& f : kFtypeNames) {
        if (f.ftype == ftype) return f.name;
    }
    return "?";
}

const char* quant_family_name(QuantFamily family) {
    switch (family) {
        case QuantFamily::dtype: return "dtype";
        case QuantFamily::gguf: return "gguf";
        case QuantFamily::bnb: return "bnb";
        case QuantFamily::gptq: return "gptq";
        case QuantFamily::awq: return "awq";
        case QuantFamily::exl2: return "exl2";
        case QuantFamily::mlx: return "mlx";
        case QuantFamily::mxfp4: return "mxfp4";
    }
    return "?";
}

Expected<QuantSpec> parse_quant_spec(std::string_view text) {
    const std::string lower = to_lower(text);
    auto bad = [&](const std::string& why) {
        return make_error("invalid_quant", "quant \"" + std::string(text) + "\": " + why);
    };
    // Split "family:a:b".
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        const size_t colon = lower.find(':', start);
        parts.push_back(lower.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    QuantSpec q;
    double a = 0, b = 0;
    if (parts.size() == 1 && lower.size() > 3 && lower.compare(lower.size() - 3, 3, "bpw") == 0) {
        parts = {"exl2", lower.substr(0, lower.size() - 3)};
    }
    if (parts.size() < 2 || parts.size() > 3) return bad("expected a catalog id or family:bits[:group], e.g. exl2:4.65 or gptq:4:128");
    if (!parse_number(parts[1], a)) return bad("\"" + parts[1] + "\" is not a number");
    if (parts.size() == 3 && !parse_number(parts[2], b)) return bad("\"" + parts[2] + "\" is not a number");
    const std::string& family = parts[0];
    if (family == "exl2") {
        if (parts.size() != 2) return bad("exl2 takes one value: bits per weight, e.g. exl2:4.65");
        if (a < 2 || a > 8.5) return bad("ExLlamaV2 quantizes to between 2 and 8 bits per weight");
        q.family = QuantFamily::exl2;
        q.bits_per_weight = a;
        q.id = "exl2:" + parts[1];
        q.name = "EXL2 " + parts[1] + " bpw";
        return q;
    }
    if (family == "gptq" || family == "awq" || family == "mlx") {
        // checked_int32: a cast of 1e300 to int is undefined behaviour (issue 11).
        const int bits = checked_int32(a, 0, 64).value_or(0);
        if (bits != 2 && bits != 3 && bits != 4 && bits != 6 && bits != 8)
            return bad("bits must be 2, 3, 4, 6 or 8");
        if (family != "mlx" && bits == 6) return bad(family + " does not have a 6-bit format");
        int group = family == "mlx" ? 64 : 128;
        if (parts.size() == 3) {
            if (b != std::floor(b) || !(b == -1 || (b >= 16 && b <= 4096))) return bad("group size must be -1 or between 16 and 4096");
            group = checked_int32(b, -1, 4096).value_or(-1);
        }
        if (family == "mlx" && group == -1) return bad("mlx needs a group size");
        q.family = family == "gptq" ? QuantFamily::gptq : family == "awq" ? QuantFamily::awq : QuantFamily::mlx;
        q.bits = bits;
        q.group_size = group;
        q.id = family + ":" + std::to_string(bits) + ":" + std::to_string(group);
        q.name = (family == "gptq" ? std::string("GPTQ ") : family == "awq" ? std::string("AWQ ") : std::string("MLX ")) +
                 std::to_string(bits) + "-bit, group " + std::to_string(group);
        return q;
    }
    return bad("unknown family \"" + family + "\" (exl2, gptq, awq, mlx)");
}

std::vector<GgmlType> gguf_tensor_types(const ModelArch& arch, const std::vector<Tensor>& tensors, GgufFtype ftype,
                                        bool imatrix) {
    const GgmlType base = default_type(ftype);
    RecipeState s = recipe_state(arch, tensors, ftype, imatrix);
    std::vector<GgmlType> types;
    types.reserve(tensors.size());
    for (const Tensor& t : tensors) types.push_back(tensor_type(s, t, base));
    return types;
}

namespace {

// Bytes of one tensor in a format; `type` is its GGUF type for the gguf family.
double tensor_bytes(const Tensor& t, const QuantSpec& q, GgmlType type) {
    const std::int64_t n = t.elements();
    switch (q.family) {
        case QuantFamily::dtype: return static_cast<double>(n) * q.bytes_per_param;
        case QuantFamily::gguf: return static_cast<double>(ggml_bytes(type, n));
        case QuantFamily::bnb:
            if (!is_linear_weight(t)) return 2.0 * n;  // embeddings, LM head and norms stay in the 16-bit compute dtype
            if (q.bits == 8) return static_cast<double>(n) + 4.0 * t.ne1 * t.ne2;  // Linear8bitLt: int8 + fp32 scale per row (SCB)
            {
                // quantize_4bit: blocksize 64, fp32 absmax per block; double quant stores the absmax as
                // 8-bit in blocks of 256 with an fp32 scale each (QLoRA section 3).
                const double blocks = std::ceil(static_cast<double>(n) / 64);
                return std::ceil(n / 2.0) + (q.double_quant ? blocks + 4.0 * std::ceil(blocks / 256) + 4 : 4.0 * blocks);
            }
        case QuantFamily::gptq:
        case QuantFamily::awq: {
            if (!is_linear_weight(t)) return 2.0 * n;
            const std::int64_t in = t.ne0, out = t.ne1 * t.ne2;
            const double groups = q.group_size > 0 ? std::ceil(static_cast<double>(in) / q.group_size) : 1;
            double bytes = static_cast<double>(n) * q.bits / 8.0  // packed qweight
                           + groups * out * q.bits / 8.0           // packed qzeros
                           + groups * out * 2.0;                   // fp16 scales
            if (q.family == QuantFamily::gptq) bytes += 4.0 * in * t.ne2;  // int32 g_idx per input column
            return bytes;
        }
        case QuantFamily::exl2:
            if (t.role == TensorRole::output) return static_cast<double>(n) * q.head_bits / 8.0;
            if (is_linear_weight(t)) return static_cast<double>(n) * q.bits_per_weight / 8.0;
            return 2.0 * n;
        case QuantFamily::mlx: {
            // mlx.nn.quantize: Linear and Embedding layers whose rows the group divides; one scale and
            // one bias per group in the model's 16-bit dtype.
            const bool quantizable = !t.one_dimensional && t.role != TensorRole::ffn_gate_inp &&
                                     t.role != TensorRole::vision && t.ne0 % q.group_size == 0;
            return quantizable ? static_cast<double>(n) * q.bits / 8.0 + static_cast<double>(n) / q.group_size * 4.0 : 2.0 * n;
        }
        case QuantFamily::mxfp4:
            // gpt-oss checkpoints: expert blocks of 32 values = 16 bytes + one E8M0 scale byte.
            return t.is_routed_expert() ? static_cast<double>(ggml_bytes(GgmlType::mxfp4, n)) : 2.0 * n;
    }
    return 0;
}

bool same_shape(const Tensor& a, const Tensor& b) {
    return a.role == b.role && a.ne0 == b.ne0 && a.ne1 == b.ne1 && a.ne2 == b.ne2 && a.one_dimensional == b.one_dimensional;
}

// A computed block, reused for later blocks of the same shape whose recipe choices are the same:
// most models repeat one block dozens of times, and llama.cpp's choices depend on the block index
// only through a handful of predicates.
struct BlockMemo {
    size_t first = 0, count = 0;  // the tensors of the block it was computed for
    std::uint32_t key = 0;
    std::int64_t attn_v = 0;      // attn_v-like tensors in it (the recipe's counter advances by this)
    bytes_t bytes = 0, routed = 0;
    double fractional = 0;
    std::vector<std::pair<GgmlType, bytes_t>> types;  // one entry per tensor, for the by-type tally
};

std::uint32_t recipe_key(const RecipeState& s, std::int64_t il) {
    const std::int64_t n = s.n_layer, c = s.i_attention_wv, nv = s.n_attention_wv;
    std::uint32_t key = 0;
    key |= use_more_bits(c, nv) ? 1u : 0u;
    key |= use_more_bits(c + 1, nv) ? 2u : 0u;
    key |= c < 2 ? 4u : 0u;
    key |= c + 1 < 2 ? 8u : 0u;
    key |= c < 4 ? 16u : 0u;
    key |= c + 1 < 4 ? 32u : 0u;
    key |= use_more_bits(il, n) ? 64u : 0u;
    key |= il < n / 8 ? 128u : 0u;
    key |= il < n / 16 ? 256u : 0u;
    key |= (il >= n / 8 && il < 7 * n / 8) ? 512u : 0u;
    return key;
}

}  // namespace

Expected<WeightBreakdown> weight_bytes(const ModelArch& arch, const std::vector<Tensor>& tensors, const QuantSpec& q) {
    if (q.family == QuantFamily::dtype && !(q.bytes_per_param > 0 && q.bytes_per_param <= 8)) {
        return make_error("invalid_quant", "bytes_per_param of \"" + q.id + "\" must be between 0 and 8");
    }
    WeightBreakdown w;
    w.layers.assign(static_cast<size_t>(arch.num_hidden_layers), 0);
    if (arch.is_moe()) w.layer_routed.assign(static_cast<size_t>(arch.num_hidden_layers), 0);
    const bool gguf = q.family == QuantFamily::gguf;
    const GgmlType base = default_type(q.ftype);
    RecipeState s = gguf ? recipe_state(arch, tensors, q.ftype, q.imatrix) : RecipeState{};
    // One tensor: its GGUF type (f16 stands in for other families), exact and whole bytes.
    struct Sized { GgmlType type; double exact; bytes_t bytes; };
    auto size_of = [&](const Tensor& t) {
        const GgmlType type = gguf ? tensor_type(s, t, base) : GgmlType::f16;
        const double exact = tensor_bytes(t, q, type);
        return Sized{type, exact, gguf ? static_cast<bytes_t>(exact) : round_bytes(exact)};
    };
    std::array<std::pair<int, bytes_t>, static_cast<size_t>(GgmlType::count)> per_type{};
    auto tally = [&](GgmlType type, bytes_t bytes) {
        if (!gguf) return;
        per_type[static_cast<size_t>(type)].first += 1;
        per_type[static_cast<size_t>(type)].second += bytes;
    };
    double fractional_total = 0;  // dtype family: exact P x bytes, rounded once at the end
    std::int64_t params = 0;
    std::vector<BlockMemo> memo;

    for (size_t i = 0; i < tensors.size();) {
        const Tensor& t = tensors[i];
        if (t.layer < 0) {
            const Sized z = size_of(t);
            fractional_total += z.exact;
            params += t.elements();
            tally(z.type, z.bytes);
            if (t.role == TensorRole::token_embd) w.token_embd += z.bytes;
            else if (t.role == TensorRole::vision) w.vision += z.bytes;
            else w.output += z.bytes;
            ++i;
            continue;
        }
        // One repeating block: tensors [i, end).
        size_t end = i;
        while (end < tensors.size() && tensors[end].layer == t.layer) ++end;
        const std::uint32_t key = gguf ? recipe_key(s, t.layer) : 0;
        const BlockMemo* hit = nullptr;
        for (const BlockMemo& m : memo) {
            if (m.key != key || m.count != end - i) continue;
            bool same = true;
            for (size_t k = 0; k < m.count && same; ++k) same = same_shape(tensors[m.first + k], tensors[i + k]);
            if (same) {
                hit = &m;
                break;
            }
        }
        BlockMemo computed;
        if (hit) {
            s.i_attention_wv += hit->attn_v;
            for (const auto& [type, b] : hit->types) tally(type, b);
        } else {
            computed.first = i;
            computed.count = end - i;
            computed.key = key;
            const std::int64_t counter_before = s.i_attention_wv;
            for (size_t k = i; k < end; ++k) {
                const Sized z = size_of(tensors[k]);
                computed.bytes += z.bytes;
                computed.fractional += z.exact;
                if (tensors[k].is_routed_expert()) computed.routed += z.bytes;
                computed.types.emplace_back(z.type, z.bytes);
                tally(z.type, z.bytes);
            }
            computed.attn_v = s.i_attention_wv - counter_before;
        }
        const BlockMemo& block = hit ? *hit : computed;
        w.layers[static_cast<size_t>(t.layer)] += block.bytes;
        w.routed_experts += block.routed;
        if (!w.layer_routed.empty()) w.layer_routed[static_cast<size_t>(t.layer)] += block.routed;
        fractional_total += block.fractional;
        // Keys only cover two attn_v-like tensors per block; blocks with more are never reused.
        if (!hit && computed.attn_v <= 2) memo.push_back(std::move(computed));
        for (size_t k = i; k < end; ++k) params += tensors[k].elements();
        i = end;
    }
    w.total = w.token_embd + w.output + w.vision;
    for (bytes_t b : w.layers) w.total += b;
    w.params = arch.stated_params > 0 ? arch.stated_params : params;
    if (q.family == QuantFamily::dtype) {
        // "As people quote them": parameters x bytes, exactly (the stated count for assumed shapes).
        const double exact = arch.stated_params > 0 ? static_cast<double>(arch.stated_params) * q.bytes_per_param
                                                    : fractional_total;
        const bytes_t target = round_bytes(exact);
        w.output += target - w.total;  // per-tensor rounding and shape residue, a few bytes
        w.total = target;
    }
    w.bits_per_weight = w.params > 0 ? 8.0 * static_cast<double>(w.total) / static_cast<double>(w.params) : 0;
    for (size_t i = 0; i < per_type.size(); ++i) {
        if (per_type[i].first > 0) {
            w.by_type.push_back({ggml_traits(static_cast<GgmlType>(i)).name, per_type[i].first, per_type[i].second});
        }
    }
    return w;
}

bytes_t routed_expert_bytes(const ModelArch& a, const WeightBreakdown& w, std::int64_t il) {
    if (il < 0 || il >= static_cast<std::int64_t>(w.layers.size())) return 0;
    if (w.layer_routed.size() == w.layers.size()) return w.layer_routed[static_cast<size_t>(il)];
    if (!a.is_moe_layer(il)) return 0;
    // No per-block tally: every MoE layer holds the same routed experts (one expert shape per model).
    std::int64_t moe_layers = 0;
    for (std::int64_t k = 0; k < static_cast<std::int64_t>(w.layers.size()); ++k) moe_layers += a.is_moe_layer(k) ? 1 : 0;
    return moe_layers > 0 ? w.routed_experts / moe_layers : 0;
}

bytes_t gguf_file_bytes(const ModelArch& arch, const WeightBreakdown& weights) {
    const std::int64_t tensors = arch.num_hidden_layers * 12 + 4;
    // Tokenizer metadata: every token string, its type and score, plus BPE merges; about 64 bytes
    // per vocabulary entry for Llama-3-style vocabularies [estimate from GGUF header sizes].
    const bytes_t metadata = 64 * arch.vocab_size + 96 * tensors;
    const bytes_t alignment = 16 * tensors;  // tensors start at 32-byte boundaries: half a unit each on average
    return weights.total - weights.vision + metadata + alignment;
}

}  // namespace wif
