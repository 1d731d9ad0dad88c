#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "facts/architecture.hpp"
#include "base/json_fields.hpp"
#include "facts/quant.hpp"
#include "test_support.hpp"

using namespace wif;

namespace {

Tensor matrix(TensorRole role, std::int32_t layer, std::int64_t ne0, std::int64_t ne1) {
    return Tensor{role, layer, ne0, ne1, 1, false};
}

Tensor vector1d(TensorRole role, std::int32_t layer, std::int64_t n) { return Tensor{role, layer, n, 1, 1, true}; }

// One repeating block is enough for weight_bytes to place hand-built tensors.
ModelArch one_layer_arch() { return wif::test::llama_arch(32000, 4096, 11008, 1, 32, 32); }

bytes_t total_bytes(const std::vector<Tensor>& tensors, const QuantSpec& q) {
    const Expected<WeightBreakdown> w = weight_bytes(one_layer_arch(), tensors, q);
    REQUIRE(w.ok());
    return w->total;
}

QuantSpec gguf(GgufFtype ftype, bool imatrix = false) {
    QuantSpec q;
    q.family = QuantFamily::gguf;
    q.ftype = ftype;
    q.imatrix = imatrix;
    return q;
}

// Layers whose attn_v / ffn_down get Q6_K in Q4_K_M for a 32-layer model. llama-quant.cpp:
// use_more_bits(i, n) = i < n/8 || i >= 7n/8 || (i - n/8) % 3 == 2, with n/8 = 4 and 7n/8 = 28:
// 0-3, then 6, 9, ..., 27, then 28-31.
const std::set<std::int32_t> kMoreBits32{0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31};

}  // namespace

TEST_CASE("ggml block layouts match the structs of ggml-common.h", "[quant]") {
    struct Layout { GgmlType type; std::int64_t block, bytes; };
    const Layout layouts[] = {
        // block_q4_K: d, dmin (fp16) + scales[12] + qs[QK_K/2]
        {GgmlType::q4_k, 256, 2 * 2 + 12 + 256 / 2},
        // block_q6_K: ql[QK_K/2] + qh[QK_K/4] + scales[QK_K/16] + d (fp16)
        {GgmlType::q6_k, 256, 256 / 2 + 256 / 4 + 256 / 16 + 2},
        // block_q8_0: d (fp16) + qs[32]
        {GgmlType::q8_0, 32, 2 + 32},
        // block_iq4_xs: d (fp16) + scales_h (uint16) + scales_l[QK_K/64] + qs[QK_K/2]
        {GgmlType::iq4_xs, 256, 2 + 2 + 256 / 64 + 256 / 2},
        // block_mxfp4: e (E8M0) + qs[32/2]
        {GgmlType::mxfp4, 32, 1 + 32 / 2},
        // block_q2_K: scales[QK_K/16] + qs[QK_K/4] + d, dmin (fp16)
        {GgmlType::q2_k, 256, 256 / 16 + 256 / 4 + 2 * 2},
        // block_iq2_xxs: d (fp16) + qs[QK_K/8] uint16
        {GgmlType::iq2_xxs, 256, 2 + 256 / 8 * 2},
        // block_iq1_s: d (fp16) + qs[QK_K/8] + qh[QK_K/32] uint16
        {GgmlType::iq1_s, 256, 2 + 256 / 8 + 256 / 32 * 2},
        // block_q4_0: d (fp16) + qs[32/2]
        {GgmlType::q4_0, 32, 2 + 32 / 2},
    };
    for (const Layout& l : layouts) {
        INFO(ggml_traits(l.type).name);
        CHECK(ggml_traits(l.type).block == l.block);
        CHECK(ggml_traits(l.type).bytes == l.bytes);
    }
    CHECK(ggml_traits(GgmlType::f16).bytes == 2);
    CHECK(ggml_traits(GgmlType::f32).bytes == 4);
    // A 4096 x 4096 matrix in Q4_K: 65536 blocks of 144 bytes.
    CHECK(ggml_bytes(GgmlType::q4_k, 4096LL * 4096) == 4096LL * 4096 / 256 * 144);
}

TEST_CASE("Q4_K_M gives Llama-3-8B Q6_K for 16 of 32 attn_v and ffn_down tensors, Q6_K output and Q4_K elsewhere", "[quant]") {
    const PreparedModel m = wif::test::model("llama-3-8b");
    const std::vector<GgmlType> types = gguf_tensor_types(m.arch, m.tensors, GgufFtype::q4_k_m, false);
    REQUIRE(types.size() == m.tensors.size());
    int v6 = 0, down6 = 0;
    for (size_t i = 0; i < m.tensors.size(); ++i) {
        const Tensor& t = m.tensors[i];
        INFO(tensor_role_name(t.role) << " of layer " << t.layer);
        if (t.one_dimensional) {
            CHECK(types[i] == GgmlType::f32);
        } else if (t.role == TensorRole::attn_v || t.role == TensorRole::ffn_down) {
            const bool more = kMoreBits32.count(t.layer) > 0;
            CHECK(types[i] == (more ? GgmlType::q6_k : GgmlType::q4_k));
            if (types[i] == GgmlType::q6_k) (t.role == TensorRole::attn_v ? v6 : down6) += 1;
        } else if (t.role == TensorRole::output) {
            CHECK(types[i] == GgmlType::q6_k);
        } else {
            CHECK(types[i] == GgmlType::q4_k);  // token_embd, q, k, o, gate, up
        }
    }
    CHECK(v6 == 16);
    CHECK(down6 == 16);
}

TEST_CASE("Llama-3-8B Q4_K_M has the tensor types and buffer sizes llama.cpp logs", "[quant]") {
    // llama.cpp log of mradermacher's static Q4_K_M of llama-3-Korean-Bllossom-8B (a Llama-3-8B
    // fine-tune, same shapes), quoted in the README of github.com/developer0hye/llama-3-korean-bllossom-8b-q4-docker:
    //   llama_model_loader: - type  f32:   65 tensors / q4_K:  193 tensors / q6_K:   33 tensors
    //   llm_load_tensors:        CPU buffer size =   281.81 MiB   (token_embd stays on the CPU)
    //   llm_load_tensors:      CUDA0 buffer size =  4403.49 MiB
    const PreparedModel m = wif::test::model("llama-3-8b");
    const Expected<WeightBreakdown> w = weight_bytes(m.arch, m.tensors, gguf(GgufFtype::q4_k_m));
    REQUIRE(w.ok());

    int f32 = 0, q4k = 0, q6k = 0;
    for (const WeightBreakdown::TypeUse& u : w->by_type) {
        const std::string name = u.type;
        if (name == "f32") f32 = u.tensors;
        else if (name == "q4_K") q4k = u.tensors;
        else if (name == "q6_K") q6k = u.tensors;
        else FAIL("unexpected type " << name);
    }
    CHECK(f32 == 65);
    CHECK(q4k == 193);
    CHECK(q6k == 33);

    const auto q4 = [](std::int64_t n) { return n / 256 * 144; };
    const auto q6 = [](std::int64_t n) { return n / 256 * 210; };
    const std::int64_t token_embd = q4(128256LL * 4096);
    const std::int64_t per_layer = q4(4096LL * 4096) * 2 + q4(4096LL * 1024) + 2 * q4(4096LL * 14336) + 2 * 4096 * 4;
    const std::int64_t v_and_down = 16 * (q6(4096LL * 1024) + q6(14336LL * 4096)) + 16 * (q4(4096LL * 1024) + q4(14336LL * 4096));
    const std::int64_t gpu = 32 * per_layer + v_and_down + q6(128256LL * 4096) + 4096 * 4;
    CHECK(w->token_embd == token_embd);
    CHECK(w->total - w->token_embd == gpu);
    // The log prints MiB to two decimals.
    CHECK(std::abs(static_cast<double>(w->token_embd) / MiB - 281.81) < 0.005);
    CHECK(std::abs(static_cast<double>(w->total - w->token_embd) / MiB - 4403.49) < 0.005);
}

TEST_CASE("a 1152-wide row cannot take 256-element k-quant blocks: Gemma-3-1B falls back to Q8_0 and Q5_0", "[quant]") {
    const PreparedModel m = wif::test::model("gemma-3-1b");
    REQUIRE(m.arch.hidden_size == 1152);
    static_assert(1152 % 256 != 0 && 1152 % 32 == 0);
    REQUIRE(m.arch.tie_word_embeddings);
    const std::vector<GgmlType> types = gguf_tensor_types(m.arch, m.tensors, GgufFtype::q4_k_m, false);
    bool saw_embd = false, saw_q = false, saw_v = false, saw_down = false;
    for (size_t i = 0; i < m.tensors.size(); ++i) {
        const Tensor& t = m.tensors[i];
        INFO(tensor_role_name(t.role) << " of layer " << t.layer);
        // Tied: token_embd doubles as the output, whose Q6_K needs ne0 % 256 == 0; else Q8_0
        // (llama-quant.cpp: "nx % QK_K != 0 -> Q8_0").
        if (t.role == TensorRole::token_embd) {
            CHECK(types[i] == GgmlType::q8_0);
            saw_embd = true;
        }
        if (t.layer == 0 && t.role == TensorRole::attn_q) {
            CHECK(types[i] == GgmlType::q5_0);  // tensor_type_fallback: Q4_K -> Q5_0 (1152 = 36 x 32)
            saw_q = true;
        }
        if (t.layer == 0 && t.role == TensorRole::attn_v) {
            CHECK(types[i] == GgmlType::q8_0);  // use_more_bits wants Q6_K; fallback Q6_K -> Q8_0
            saw_v = true;
        }
        if (t.layer == 0 && t.role == TensorRole::ffn_down) {
            CHECK(t.ne0 == 6912);  // 27 x 256: k-quants fit
            CHECK(types[i] == GgmlType::q6_k);
            saw_down = true;
        }
        if (!t.one_dimensional && t.ne0 % 256 != 0) {
            CHECK(types[i] != GgmlType::q4_k);
            CHECK(types[i] != GgmlType::q6_k);
        }
    }
    CHECK(saw_embd);
    CHECK(saw_q);
    CHECK(saw_v);
    CHECK(saw_down);
}

TEST_CASE("Q4_K_M gives Mixtral's attn_k and attn_v Q8_0 and attn_output Q5_K because it has 8 experts", "[quant]") {
    const PreparedModel m = wif::test::model("mixtral-8x7b");
    REQUIRE(m.arch.num_experts == 8);
    const std::vector<GgmlType> types = gguf_tensor_types(m.arch, m.tensors, GgufFtype::q4_k_m, false);
    int k = 0, v = 0, o = 0;
    for (size_t i = 0; i < m.tensors.size(); ++i) {
        const Tensor& t = m.tensors[i];
        INFO(tensor_role_name(t.role) << " of layer " << t.layer);
        if (t.role == TensorRole::attn_k) {
            CHECK(types[i] == GgmlType::q8_0);
            ++k;
        } else if (t.role == TensorRole::attn_v) {
            CHECK(types[i] == GgmlType::q8_0);
            ++v;
        } else if (t.role == TensorRole::attn_output) {
            CHECK(types[i] == GgmlType::q5_k);
            ++o;
        } else if (t.role == TensorRole::ffn_gate_inp) {
            CHECK(types[i] == GgmlType::f32);  // the router is never quantized
        }
    }
    CHECK(k == 32);
    CHECK(v == 32);
    CHECK(o == 32);
}

TEST_CASE("predicted GGUF sizes are within 2% of every published file size of a catalog model", "[quant]") {
    const Expected<Json> doc = parse_json(wif::test::read_text(std::string(WIF_TEST_DATA_DIR) + "/published_figures.json"),
                                          "published_figures.json");
    REQUIRE(doc.ok());
    const Json& sizes = doc.value()["gguf_file_sizes"];
    REQUIRE(sizes.is_array());
    const Catalog& c = wif::test::catalog();
    int compared = 0, excluded = 0;
    for (const Json& e : sizes) {
        const std::string model = e.value("model", "");
        const std::string quant = e.value("quant", "");
        const std::string note = e.value("note", "");
        // Skip records flagged as suspect ("CAUTION: ... prints identical sizes for Q4_0 and Q4_K_M") and
        // files made with a custom recipe ("Q4_K_M with all FFN kept at MXFP4_MOE").
        if (note.find("CAUTION") != std::string::npos || note.find("kept at MXFP4") != std::string::npos) continue;
        // Files made by older llama.cpp recipes, or figures whose unit or value the record shows to be
        // wrong, carry an "excluded" reason; they are counted so the list cannot silently grow.
        if (e.contains("excluded")) {
            ++excluded;
            continue;
        }

        Lookup lm = c.find_model(model);
        if (lm.index < 0 && model.find('/') != std::string::npos) lm = c.find_model(model.substr(model.find('/') + 1));
        if (lm.index < 0) continue;  // no catalog model
        QuantSpec spec;
        const Lookup lq = c.find_quant(quant);
        if (lq.index >= 0 && c.quants[static_cast<size_t>(lq.index)].spec.family == QuantFamily::gguf) {
            spec = c.quants[static_cast<size_t>(lq.index)].spec;
        } else if (!gguf_parse_ftype(quant, spec.ftype)) {
            continue;  // a quant the catalog lacks
        } else {
            spec.family = QuantFamily::gguf;  // F16/F32 files: the catalog lists them only as plain dtypes
        }
        if (e.contains("imatrix") && e["imatrix"].is_boolean() && e["imatrix"].get<bool>()) spec.imatrix = true;

        const ModelEntry& entry = c.models[static_cast<size_t>(lm.index)];
        const PreparedModel p = prepare_model(entry.id, entry.name, entry.arch);
        const Expected<WeightBreakdown> w = weight_bytes(p.arch, p.tensors, spec);
        REQUIRE(w.ok());
        const std::string unit = e.value("unit", "");
        REQUIRE((unit == "GB" || unit == "GiB"));
        const double published = e.value("size", 0.0) * (unit == "GB" ? 1e9 : static_cast<double>(GiB));
        const double file = static_cast<double>(gguf_file_bytes(p.arch, w.value()));
        // A GGUF holds the text model; a vision tower goes to a separate mmproj file.
        const double tensors = static_cast<double>(w->total - w->vision);
        const double scale = unit == "GB" ? 1e9 : static_cast<double>(GiB);
        INFO("source: " << e.value("source", ""));
        INFO(model << " " << quant << ": published " << e.value("size", 0.0) << " " << unit << ", predicted file "
                   << file / scale << ", tensors " << tensors / scale);
        CHECK(std::abs(file / published - 1.0) <= 0.02);
        CHECK(std::abs(tensors / published - 1.0) <= 0.02);
        ++compared;
    }
    // Most of the 165 records name a catalog model and quant; make sure the loop really ran, and that
    // exclusions stay the exception (each names the llama.cpp change or data problem behind it).
    CHECK(compared >= 100);
    CHECK(excluded <= 12);
}

TEST_CASE("bitsandbytes NF4 stores 4.5 bits per weight, 4.127 with double quantization, and keeps embeddings in 16 bits", "[quant]") {
    const std::int64_t n = 4096LL * 4096;
    const std::vector<Tensor> linear{matrix(TensorRole::attn_q, 0, 4096, 4096)};

    // quantize_4bit, blocksize 64: packed nibbles + one fp32 absmax per 64 values = 4 + 32/64 bits.
    const bytes_t nf4 = total_bytes(linear, wif::test::quant("nf4"));
    CHECK(nf4 == n / 2 + n / 64 * 4);
    CHECK(8.0 * static_cast<double>(nf4) / static_cast<double>(n) == 4.5);

    // Double quant (QLoRA section 3): the absmax values become int8 in blocks of 256, each with an fp32
    // scale, plus one fp32 offset per tensor: 4 + 8/64 + 32/(64 x 256) = 4.127 bits.
    const bytes_t dq = total_bytes(linear, wif::test::quant("nf4-dq"));
    CHECK(dq == n / 2 + n / 64 + n / 64 / 256 * 4 + 4);
    // 4.127 is the QLoRA paper's figure rounded to three decimals.
    CHECK(std::abs(8.0 * static_cast<double>(dq) / static_cast<double>(n) - 4.127) < 0.0005);

    // transformers keeps the embedding, the LM head and the norms in the 16-bit compute dtype.
    const std::vector<Tensor> kept{matrix(TensorRole::token_embd, -1, 4096, 32000), vector1d(TensorRole::norm, 0, 4096),
                                   matrix(TensorRole::output, -1, 4096, 32000)};
    CHECK(total_bytes(kept, wif::test::quant("nf4")) == 2 * (4096LL * 32000 * 2 + 4096));
    CHECK(total_bytes(kept, wif::test::quant("bnb-int8")) == 2 * (4096LL * 32000 * 2 + 4096));
}

TEST_CASE("bitsandbytes LLM.int8 stores one byte per weight plus an fp32 scale per output row", "[quant]") {
    // Linear8bitLt: int8 CB [out, in] and fp32 SCB [out].
    const std::vector<Tensor> up{matrix(TensorRole::ffn_up, 0, 4096, 11008)};
    CHECK(total_bytes(up, wif::test::quant("bnb-int8")) == 4096LL * 11008 + 11008 * 4);
}

TEST_CASE("GPTQ 4-bit group 128 stores qweight, qzeros, fp16 scales and g_idx; AWQ the same without g_idx", "[quant]") {
    // A Llama-2-7B ffn_up: 4096 inputs, 11008 outputs, 4096 / 128 = 32 groups.
    const std::vector<Tensor> up{matrix(TensorRole::ffn_up, 0, 4096, 11008)};
    const std::int64_t qweight = 4096 / 8 * 11008 * 4;    // int32 [in / 8, out]
    const std::int64_t qzeros = 32 * (11008 / 8) * 4;     // int32 [groups, out / 8]
    const std::int64_t scales = 32 * 11008 * 2;           // fp16 [groups, out]
    const std::int64_t g_idx = 4096 * 4;                  // int32 [in]
    const Expected<QuantSpec> gptq = parse_quant_spec("gptq:4:128");
    REQUIRE(gptq.ok());
    CHECK(total_bytes(up, gptq.value()) == qweight + qzeros + scales + g_idx);
    CHECK(total_bytes(up, wif::test::quant("gptq-int4")) == qweight + qzeros + scales + g_idx);
    // AutoAWQ WQLinear_GEMM: qweight int32 [in, out / 8], qzeros int32 [groups, out / 8], scales fp16 [groups, out].
    CHECK(total_bytes(up, wif::test::quant("awq-int4")) == 4096 * (11008 / 8) * 4 + qzeros + scales);
}

TEST_CASE("EXL2 spends the stated bits per weight on linear layers, 6 bits on the head and 16 on embeddings", "[quant]") {
    const Expected<QuantSpec> exl2 = parse_quant_spec("exl2:5.0");
    REQUIRE(exl2.ok());
    CHECK(exl2->head_bits == 6);  // ExLlamaV2 convert.py -hb default
    const std::vector<Tensor> tensors{matrix(TensorRole::token_embd, -1, 4096, 32000), matrix(TensorRole::attn_q, 0, 4096, 4096),
                                      vector1d(TensorRole::norm, 0, 4096), matrix(TensorRole::output, -1, 4096, 32000)};
    const std::int64_t expected = 4096LL * 32000 * 2       // embedding, fp16
                                  + 4096LL * 4096 * 5 / 8  // 5.0 bpw
                                  + 4096 * 2               // norm, fp16
                                  + 4096LL * 32000 * 6 / 8;  // head at 6 bits
    CHECK(total_bytes(tensors, exl2.value()) == expected);
}

TEST_CASE("MLX 4-bit with group 64 stores 4.5 bits per weight", "[quant]") {
    // mlx.nn.quantize: 4-bit values + an fp16 scale and an fp16 bias per 64 values = 4 + 32/64 bits.
    const std::vector<Tensor> q{matrix(TensorRole::attn_q, 0, 4096, 4096)};
    const bytes_t b = total_bytes(q, wif::test::quant("mlx-4bit"));
    CHECK(b == 4096LL * 4096 / 2 + 4096LL * 4096 / 64 * 4);
    CHECK(8.0 * static_cast<double>(b) / (4096.0 * 4096.0) == 4.5);
}

TEST_CASE("a 1B model needs 4 GB in fp32, 2 GB in fp16 and 1 GB in int8", "[quant]") {
    const Expected<AssumedShape> shape = assume_shape(1'000'000'000LL);
    REQUIRE(shape.ok());
    const std::vector<Tensor> tensors = enumerate_tensors(shape->arch);
    const auto bytes = [&](const char* id) {
        const Expected<WeightBreakdown> w = weight_bytes(shape->arch, tensors, wif::test::quant(id));
        REQUIRE(w.ok());
        return w->total;
    };
    CHECK(bytes("fp32") == 4'000'000'000LL);
    CHECK(bytes("fp16") == 2'000'000'000LL);
    CHECK(bytes("bf16") == 2'000'000'000LL);
    CHECK(bytes("int8") == 1'000'000'000LL);
    CHECK(bytes("int4") == 500'000'000LL);
}

TEST_CASE("parse_quant_spec reads exl2:4.65, gptq:4:128 and 4.65bpw and refuses formats that do not exist", "[quant]") {
    const Expected<QuantSpec> exl2 = parse_quant_spec("exl2:4.65");
    REQUIRE(exl2.ok());
    CHECK(exl2->family == QuantFamily::exl2);
    CHECK(exl2->bits_per_weight == 4.65);

    const Expected<QuantSpec> gptq = parse_quant_spec("gptq:4:128");
    REQUIRE(gptq.ok());
    CHECK(gptq->family == QuantFamily::gptq);
    CHECK(gptq->bits == 4);
    CHECK(gptq->group_size == 128);

    const Expected<QuantSpec> bpw = parse_quant_spec("4.65bpw");
    REQUIRE(bpw.ok());
    CHECK(bpw->family == QuantFamily::exl2);
    CHECK(bpw->bits_per_weight == 4.65);

    const Expected<QuantSpec> mlx = parse_quant_spec("mlx:4:32");
    REQUIRE(mlx.ok());
    CHECK(mlx->family == QuantFamily::mlx);
    CHECK(mlx->group_size == 32);

    for (const char* bad : {"exl2:12", "gptq:5", "awq:4:0", "mlx:4:-1", "gptq:four", "foo:4"}) {
        INFO(bad);
        const Expected<QuantSpec> r = parse_quant_spec(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "invalid_quant");
    }
}

// Issue 11: static_cast<int>(1e300) in the ad-hoc format parser was undefined behaviour.
TEST_CASE("ad-hoc formats with absurd numbers are refused, not cast", "[quant][hardening]") {
    for (const char* text : {"gptq:1e300", "awq:-1e300:128", "mlx:4:1e300", "gptq:4.5", "gptq:4:1e19", "mlx:9007199254740993",
                             "exl2:1e300", "1e300bpw"}) {
        const Expected<QuantSpec> q = parse_quant_spec(text);
        CHECK_FALSE(q);
        if (!q) CHECK(q.error().code == "invalid_quant");
    }
    const Expected<QuantSpec> ok = parse_quant_spec("gptq:4:128");
    REQUIRE(ok);
    CHECK(ok->bits == 4);
    CHECK(ok->group_size == 128);
}

TEST_CASE("Google's QAT Q4_0 keeps Gemma 3's token embeddings in F16 and every matrix in Q4_0", "[quant]") {
    const PreparedModel m = wif::test::model("gemma-3-27b");
    REQUIRE(m.arch.tie_word_embeddings);
    REQUIRE(m.arch.hidden_size % 256 == 0);  // 5376 = 21 x 256: llama.cpp's Q4_0 gives the tied table Q6_K
    const std::vector<GgmlType> qat = gguf_tensor_types(m.arch, m.tensors, GgufFtype::q4_0_qat, false);
    std::int64_t embd_params = 0;
    for (size_t i = 0; i < m.tensors.size(); ++i) {
        const Tensor& t = m.tensors[i];
        INFO(tensor_role_name(t.role) << " of layer " << t.layer);
        if (t.role == TensorRole::token_embd) {
            CHECK(qat[i] == GgmlType::f16);
            embd_params = t.ne0 * t.ne1;
        } else if (!t.one_dimensional) {
            CHECK(qat[i] == GgmlType::q4_0);
        }
    }
    REQUIRE(embd_params == 262208LL * 5376);  // vocab_size x hidden_size of google/gemma-3-27b-it config.json

    // The two files differ only in the table: F16 (2 bytes) against Q6_K (210 bytes per 256 weights).
    const Expected<WeightBreakdown> a = weight_bytes(m.arch, m.tensors, gguf(GgufFtype::q4_0_qat));
    const Expected<WeightBreakdown> b = weight_bytes(m.arch, m.tensors, gguf(GgufFtype::q4_0));
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->total - b->total == embd_params * 2 - embd_params / 256 * 210);
    // Cited: Google's file 17.2 GB, the same weights with a Q6_K table 15.6 GB
    // (stduhpf/google-gemma-3-27b-it-qat-q4_0-gguf-small); both printed to 0.1 GB.
    CHECK(std::abs(static_cast<double>(a->total - b->total) / 1e9 - (17.2 - 15.6)) <= 0.1);
}
