#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "base/json_fields.hpp"
#include "core/files/gguf_corpus.hpp"
#include "facts/quant.hpp"
#include "files/model_file.hpp"
#include "test_support.hpp"

using namespace wif;
using namespace wif::test;

namespace {

ModelFile from_sample(const GgufSample& s) {
    const Expected<GgufHeader> h = read_gguf_header(s.bytes, s.bytes.size());
    REQUIRE(h.ok());
    const Expected<ModelFile> m = model_file_from_gguf(h.value());
    REQUIRE(m.ok());
    return m.value();
}

// The GGUF id of a facts/quant.hpp type, by its llama.cpp name.
std::uint32_t gguf_id(GgmlType type) {
    for (const GgmlTypeInfo& t : ggml_type_table()) {
        if (std::string(t.name) == ggml_traits(type).name) return t.id;
    }
    FAIL("no GGUF id for " << ggml_traits(type).name);
    return 0;
}

// A header-only GGUF holding the tensors a catalog model has, in the types llama.cpp's recipe
// gives them for `quant`.
std::string recipe_gguf(const PreparedModel& model, const QuantSpec& quant) {
    const std::vector<GgmlType> types = gguf_tensor_types(model.arch, model.tensors, quant.ftype, quant.imatrix);
    GgufWriter w;
    w.string("general.architecture", model.arch.model_type == "qwen3_moe" ? "qwen3moe" : model.arch.model_type);
    int n = 0;
    for (size_t i = 0; i < model.tensors.size(); ++i) {
        const Tensor& t = model.tensors[i];
        std::string name = t.role == TensorRole::vision ? "v.tower." + std::to_string(n++) + ".weight"
                           : t.layer < 0 ? std::string(tensor_role_name(t.role)) + (t.role == TensorRole::output_norm ? "" : "") + ".weight"
                                         : "blk." + std::to_string(t.layer) + "." + tensor_role_name(t.role) + "." + std::to_string(n++) + ".weight";
        std::vector<std::uint64_t> dims = {static_cast<std::uint64_t>(t.ne0)};
        if (!t.one_dimensional) dims.push_back(static_cast<std::uint64_t>(t.ne1));
        if (t.ne2 > 1) dims.push_back(static_cast<std::uint64_t>(t.ne2));
        w.tensor(name, gguf_id(types[i]), dims);
    }
    return w.header();
}

}  // namespace

TEST_CASE("a GGUF built with llama.cpp's recipe for a catalog model gives the recipe's weight bytes", "[model_file][recipe]") {
    struct Case { const char* model; const char* quant; };
    for (const Case c : {Case{"llama-3.1-8b", "Q4_K_M"}, Case{"llama-3.1-8b", "Q3_K_M"}, Case{"qwen3-30b-a3b", "Q4_K_M"},
                         Case{"qwen3-30b-a3b", "IQ2_XXS"}}) {
        INFO(c.model << " " << c.quant);
        const PreparedModel model = wif::test::model(c.model);
        const QuantSpec& quant = wif::test::quant(c.quant);
        const Expected<WeightBreakdown> predicted = weight_bytes(model.arch, model.tensors, quant);
        REQUIRE(predicted.ok());
        const std::string header = recipe_gguf(model, quant);
        const Expected<GgufHeader> h = read_gguf_header(header, 0);  // header only: the data is not there
        REQUIRE(h.ok());
        const Expected<ModelFile> m = model_file_from_gguf(h.value());
        REQUIRE(m.ok());
        const double ratio = static_cast<double>(m->weight_bytes + m->mmproj_bytes) / static_cast<double>(predicted->total);
        CHECK(std::abs(ratio - 1) < 0.005);
        CHECK(m->params == count_params(model.tensors, model.arch).total);
        const WeightBreakdown w = weight_breakdown(m.value());
        CHECK(w.total == m->weight_bytes + m->mmproj_bytes);
        CHECK(w.layers.size() == predicted->layers.size());
        CHECK(w.layers[0] == predicted->layers[0]);
        CHECK(w.token_embd == predicted->token_embd);
        CHECK(w.routed_experts == predicted->routed_experts);
        CHECK(w.by_type.size() == predicted->by_type.size());
    }
}

TEST_CASE("GGUF architecture keys map to the model description", "[model_file]") {
    SECTION("llama: dense, GQA, untied") {
        const ModelFile m = from_sample(sample_llama());
        CHECK(m.format == "gguf");
        CHECK(m.architecture == "llama");
        CHECK(m.name == "Tiny Llama");
        CHECK(m.file_type == "Q4_K_M");
        REQUIRE(m.arch_known);
        const ModelArch& a = m.arch;
        CHECK(a.model_type == "llama");
        CHECK(a.num_hidden_layers == 2);
        CHECK(a.hidden_size == 256);
        CHECK(a.intermediate_size == 512);
        CHECK(a.num_attention_heads == 4);
        CHECK(a.num_key_value_heads == 2);
        CHECK(a.head_dim == 64);
        CHECK(a.vocab_size == 1000);
        CHECK(a.max_position_embeddings == 4096);
        CHECK_FALSE(a.tie_word_embeddings);
        // The description predicts the file's tensors exactly.
        CHECK(count_params(a).total == m.params);
        CHECK(m.tensors[0].role == "token_embd");
        CHECK(m.tensors[2].role == "attn_q");
        CHECK(m.tensors[2].layer == 0);
    }
    SECTION("qwen3moe: experts, qk-norm, tied, per-layer KV heads") {
        const ModelFile m = from_sample(sample_qwen3moe());
        REQUIRE(m.arch_known);
        const ModelArch& a = m.arch;
        CHECK(a.model_type == "qwen3_moe");
        CHECK(a.num_experts == 8);
        CHECK(a.num_experts_per_tok == 2);
        CHECK(a.moe_intermediate_size == 256);
        CHECK(a.num_key_value_heads == 2);
        CHECK(a.qk_norm);
        CHECK(a.tie_word_embeddings);
        CHECK(count_params(a).total == m.params);
        const WeightBreakdown w = weight_breakdown(m);
        CHECK(w.routed_experts > 0);
        CHECK(w.routed_experts < w.total);
    }
    SECTION("deepseek2: multi-head latent attention, dense first layer, shared expert") {
        const ModelFile m = from_sample(sample_deepseek2());
        REQUIRE(m.arch_known);
        const ModelArch& a = m.arch;
        CHECK(a.model_type == "deepseek_v3");
        CHECK(a.attention == AttentionKind::mla);
        CHECK(a.kv_lora_rank == 64);
        CHECK(a.q_lora_rank == 96);
        CHECK(a.qk_rope_head_dim == 32);
        CHECK(a.qk_nope_head_dim == 64);
        CHECK(a.v_head_dim == 64);
        CHECK(a.first_k_dense_replace == 1);
        CHECK(a.shared_expert_intermediate_size == 128);
        CHECK(a.router_bias);
        CHECK(count_params(a).total == m.params);
    }
    SECTION("gemma3: sliding window every 6th layer full, four norms") {
        const ModelFile m = from_sample(sample_gemma3());
        REQUIRE(m.arch_known);
        CHECK(m.arch.sliding_window == 512);
        CHECK(m.arch.sliding_window_pattern == 6);
        CHECK(m.arch.norms_per_layer == 4);
        CHECK(m.arch.head_dim == 64);
        CHECK(count_params(m.arch).total == m.params);
    }
    SECTION("gpt-oss: MXFP4 experts, sinks, alternating window") {
        const ModelFile m = from_sample(sample_gpt_oss());
        REQUIRE(m.arch_known);
        CHECK(m.arch.model_type == "gpt_oss");
        CHECK(m.file_type == "MXFP4_MOE");
        CHECK(m.arch.attn_sinks);
        CHECK(m.arch.sliding_window_pattern == 2);
        CHECK(m.arch.expert_bias);
        bool mxfp4 = false;
        for (const auto& [type, bytes] : m.bytes_by_type) mxfp4 = mxfp4 || (type == "mxfp4" && bytes > 0);
        CHECK(mxfp4);
    }
    SECTION("a projector file is its own line item") {
        const ModelFile proj = from_sample(sample_mmproj());
        CHECK(proj.format == "gguf-mmproj");
        CHECK(proj.weight_bytes == 0);
        CHECK(static_cast<std::uint64_t>(proj.mmproj_bytes) == sample_mmproj().tensor_bytes);
        ModelFile model = from_sample(sample_llama());
        const bytes_t text = model.weight_bytes;
        add_mmproj(model, proj);
        CHECK(model.weight_bytes == text);
        CHECK(model.mmproj_bytes == proj.mmproj_bytes);
        CHECK(weight_breakdown(model).vision == proj.mmproj_bytes);
    }
    SECTION("a recurrent architecture keeps exact weights and says the KV model is unknown") {
        const ModelFile m = from_sample(sample_mamba());
        CHECK_FALSE(m.arch_known);
        CHECK(static_cast<std::uint64_t>(m.weight_bytes) == sample_mamba().tensor_bytes);
        REQUIRE_FALSE(m.notes.empty());
        CHECK(m.notes[0].find("recurrent") != std::string::npos);
    }
    SECTION("a split model maps like one file") {
        std::vector<GgufHeader> parts;
        std::uint64_t bytes = 0;
        for (const GgufSample& s : sample_split()) {
            parts.push_back(read_gguf_header(s.bytes, s.bytes.size()).value());
            bytes += s.tensor_bytes;
        }
        const Expected<ModelFile> m = model_file_from_gguf(merge_gguf_splits(parts).value());
        REQUIRE(m.ok());
        CHECK(static_cast<std::uint64_t>(m->weight_bytes) == bytes);
        CHECK(m->arch.num_hidden_layers == 2);
        CHECK(m->tensors.back().file == 2);
    }
}

TEST_CASE("inspect reads either format from the head of a file", "[model_file]") {
    const GgufSample s = sample_gemma3();
    std::uint64_t need = 0;
    const Expected<ModelFile> head = inspect_model_file(std::string_view(s.bytes).substr(0, 64), s.bytes.size(), &need);
    REQUIRE_FALSE(head.ok());
    CHECK(head.error().code == "need_more");
    CHECK(need > 64);
    CHECK(inspect_model_file(s.bytes, s.bytes.size())->format == "gguf");
    const std::string st = Bytes().u64(8).s + "{}      ";
    CHECK(inspect_model_file(st, st.size())->format == "safetensors");
    CHECK(inspect_model_file("PK\x03\x04 not a model", 20).error().code == "unknown_format");
}

TEST_CASE("write_model_file gives the header's figures as JSON", "[model_file]") {
    const ModelFile m = from_sample(sample_llama());
    JsonWriter out;
    write_model_file(out, m);
    const Expected<Json> j = parse_json(out.str(), "model file");
    REQUIRE(j.ok());
    const Json& v = j.value();
    CHECK(v["format"] == "gguf");
    CHECK(v["arch_known"] == true);
    CHECK(v["arch"]["num_hidden_layers"] == 2);
    CHECK(v["weight_bytes"] == m.weight_bytes);
    CHECK(v["tensor_count"] == 21);
    CHECK(v["tensors"].size() == 21);
    CHECK(v["tensors"][0]["dims"][1] == 1000);
    CHECK(v["bytes_by_type"][0]["type"] == "q4_K");
    std::int64_t sum = 0;
    for (const Json& t : v["bytes_by_type"]) sum += t["bytes"].get<std::int64_t>();
    CHECK(sum == m.weight_bytes);
    JsonWriter brief;
    write_model_file(brief, m, false);
    CHECK(parse_json(brief.str(), "brief")->contains("tensors") == false);
}

TEST_CASE("a hybrid GGUF's ssm keys and mixer tensors give its KV cache and recurrent state", "[model_file][hybrid]") {
    // granitehybrid as convert_hf_to_gguf.py writes it: layer 0 Mamba-2 (head_count_kv 0), layer 1
    // attention; ssm.inner_size 512 = 8 heads (time_step_rank) x 64, state 16, 1 group, conv 4.
    GgufWriter w;
    w.string("general.architecture", "granitehybrid");
    w.u32("granitehybrid.block_count", 2).u32("granitehybrid.context_length", 4096).u32("granitehybrid.embedding_length", 256);
    w.u32("granitehybrid.feed_forward_length", 512).u32("granitehybrid.attention.head_count", 4);
    w.i32s("granitehybrid.attention.head_count_kv", {0, 2});
    w.u32("granitehybrid.ssm.conv_kernel", 4).u32("granitehybrid.ssm.inner_size", 512).u32("granitehybrid.ssm.state_size", 16);
    w.u32("granitehybrid.ssm.time_step_rank", 8).u32("granitehybrid.ssm.group_count", 1);
    w.strings("tokenizer.ggml.tokens", sample_tokens(100));
    w.tensor("token_embd.weight", F16, {256, 100});
    w.tensor("blk.0.attn_norm.weight", F32, {256});
    w.tensor("blk.0.ssm_in.weight", F16, {256, 2 * 512 + 2 * 16 + 8});
    w.tensor("blk.0.ssm_conv1d.weight", F32, {4, 512 + 2 * 16});
    w.tensor("blk.0.ssm_conv1d.bias", F32, {512 + 2 * 16});
    w.tensor("blk.0.ssm_norm.weight", F32, {512});
    w.tensor("blk.0.ssm_out.weight", F16, {512, 256});
    w.tensor("blk.1.attn_norm.weight", F32, {256});
    w.tensor("blk.1.attn_q.weight", F16, {256, 256});
    w.tensor("blk.1.attn_k.weight", F16, {256, 128});
    w.tensor("blk.1.attn_v.weight", F16, {256, 128});
    w.tensor("blk.1.attn_output.weight", F16, {256, 256});
    for (int il = 0; il < 2; ++il) {
        const std::string b = "blk." + std::to_string(il) + ".";
        w.tensor(b + "ffn_norm.weight", F32, {256});
        w.tensor(b + "ffn_gate.weight", F16, {256, 512});
        w.tensor(b + "ffn_up.weight", F16, {256, 512});
        w.tensor(b + "ffn_down.weight", F16, {512, 256});
    }
    w.tensor("output_norm.weight", F32, {256});
    const ModelFile m = from_sample(finish("granitehybrid.gguf", w));
    REQUIRE(m.arch_known);
    CHECK(m.arch.model_type == "granitemoehybrid");
    CHECK(m.arch.recurrent == RecurrentKind::mamba2);
    CHECK(m.arch.mixer(0) == BlockMixer::recurrent);
    CHECK(m.arch.mixer(1) == BlockMixer::attention);
    CHECK(m.arch.ssm_conv_bias);
    CHECK(m.arch.num_key_value_heads == 2);
    for (const std::string& note : m.notes) CHECK(note.find("head_count") == std::string::npos);
    // llama.cpp, 4096 cells: layer 1 KV 4096 x 2 heads x 64 x 2 x 2 bytes = 2 MiB; layer 0 state
    // conv 3 x (512 + 32) + scan 16 x 512 = 9,824 values in F32 = 39,296 bytes.
    KvRequest r;
    r.context = 4096;
    const KvCache kv = compute_kv_cache(m.arch, r);
    CHECK(kv.layers[1] == 2 * MiB);
    CHECK(kv.layers[0] == (3 * 544 + 16 * 512) * 4);
}
