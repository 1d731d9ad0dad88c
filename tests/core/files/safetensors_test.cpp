#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/files/safetensors_writer.hpp"
#include "files/model_file.hpp"
#include "files/safetensors.hpp"

using namespace wif;
using namespace wif::test;

namespace {

std::vector<StTensor> small_llama() {
    std::vector<StTensor> t = {{"model.embed_tokens.weight", "BF16", {1000, 64}}};
    for (int i = 0; i < 2; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        t.push_back({p + "input_layernorm.weight", "BF16", {64}});
        t.push_back({p + "self_attn.q_proj.weight", "BF16", {64, 64}});
        t.push_back({p + "self_attn.k_proj.weight", "BF16", {32, 64}});
        t.push_back({p + "self_attn.v_proj.weight", "BF16", {32, 64}});
        t.push_back({p + "self_attn.o_proj.weight", "BF16", {64, 64}});
        t.push_back({p + "post_attention_layernorm.weight", "BF16", {64}});
        t.push_back({p + "mlp.gate_proj.weight", "BF16", {128, 64}});
        t.push_back({p + "mlp.up_proj.weight", "BF16", {128, 64}});
        t.push_back({p + "mlp.down_proj.weight", "BF16", {64, 128}});
    }
    t.push_back({"model.norm.weight", "BF16", {64}});
    t.push_back({"lm_head.weight", "BF16", {1000, 64}});
    return t;
}

const char* kLlamaConfig = R"({"model_type": "llama", "vocab_size": 1000, "hidden_size": 64, "intermediate_size": 128,
  "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 2048,
  "torch_dtype": "bfloat16"})";

std::string error_of(const std::string& file, std::uint64_t size) {
    const Expected<SafetensorsHeader> h = read_safetensors_header(file, size);
    REQUIRE_FALSE(h.ok());
    return h.error().code + ": " + h.error().message;
}

}  // namespace

TEST_CASE("the safetensors parameter count equals the sum of shape products exactly", "[safetensors]") {
    const std::vector<StTensor> tensors = small_llama();
    const std::string file = safetensors_file(tensors, {{"format", "pt"}});
    const Expected<SafetensorsHeader> h = read_safetensors_header(file, file.size());
    REQUIRE(h.ok());
    std::int64_t elements = 0, bytes = 0;
    for (const StTensor& t : tensors) {
        std::int64_t n = 1;
        for (std::uint64_t d : t.shape) n *= static_cast<std::int64_t>(d);
        elements += n;
        bytes += static_cast<std::int64_t>(st_bytes(t));
    }
    CHECK(h->tensors.size() == tensors.size());
    CHECK(h->elements == elements);
    CHECK(h->data_bytes == bytes);
    CHECK(h->header_bytes + static_cast<std::uint64_t>(bytes) == file.size());
    REQUIRE(h->metadata.size() == 1);
    CHECK(h->metadata[0].second == "pt");

    const Expected<ModelFile> m = model_file_from_safetensors({h.value()}, {}, nullptr, kLlamaConfig);
    REQUIRE(m.ok());
    CHECK(m->params == elements);
    CHECK(m->stored_elements == elements);
    CHECK(m->weight_bytes == bytes);
    CHECK(m->arch_known);
    CHECK(m->arch.num_hidden_layers == 2);
    // The file's tensors are the ones the architecture predicts.
    CHECK(count_params(m->arch).total == elements);
    const WeightBreakdown w = weight_breakdown(m.value());
    CHECK(w.total == bytes);
    CHECK(w.layers.size() == 2);
    CHECK(w.token_embd == 1000 * 64 * 2);
    CHECK(w.output == (1000 * 64 + 64) * 2);
}

TEST_CASE("every safetensors dtype has its size, and unknown dtypes are named", "[safetensors]") {
    const std::vector<StTensor> tensors = {
        {"a", "BOOL", {3}}, {"b", "U8", {3}}, {"c", "I8", {3}}, {"d", "I16", {3}}, {"e", "U16", {3}},
        {"f", "F16", {3}}, {"g", "BF16", {3}}, {"h", "I32", {3}}, {"i", "U32", {3}}, {"j", "F32", {3}},
        {"k", "F64", {3}}, {"l", "I64", {3}}, {"m", "U64", {3}}, {"n", "F8_E4M3", {3}}, {"o", "F8_E5M2", {3}},
        {"p", "F4", {4}}, {"q", "F32", {}},
    };
    const std::string file = safetensors_file(tensors);
    const Expected<SafetensorsHeader> h = read_safetensors_header(file, file.size());
    REQUIRE(h.ok());
    CHECK(h->data_bytes == 3 * (1 + 1 + 1 + 2 + 2 + 2 + 2 + 4 + 4 + 4 + 8 + 8 + 8 + 1 + 1) + 2 + 4);
    CHECK(h->elements == 15 * 3 + 4 + 1);
    const std::string bad = safetensors_from_json(R"({"x":{"dtype":"F7","shape":[1],"data_offsets":[0,1]}})", 1);
    CHECK(error_of(bad, bad.size()).find("\"F7\"") != std::string::npos);
}

TEST_CASE("a safetensors head says how many bytes it needs", "[safetensors]") {
    const std::string file = safetensors_file(small_llama());
    std::uint64_t need = 0;
    Expected<SafetensorsHeader> h = read_safetensors_header(std::string_view(file).substr(0, 4), file.size(), &need);
    REQUIRE_FALSE(h.ok());
    CHECK(h.error().code == "need_more");
    CHECK(need == 8);
    h = read_safetensors_header(std::string_view(file).substr(0, 100), file.size(), &need);
    CHECK(h.error().code == "need_more");
    REQUIRE(need > 100);
    h = read_safetensors_header(std::string_view(file).substr(0, need), file.size(), &need);
    CHECK(h.ok());
}

TEST_CASE("a safetensors file truncated at every byte offset is a clear error", "[safetensors][hostile]") {
    const std::string file = safetensors_file({{"a", "F16", {4, 4}}, {"b", "F32", {2}}});
    for (size_t k = 1; k < file.size(); ++k) {
        const std::string cut = file.substr(0, k);
        INFO("cut at " << k);
        const Expected<SafetensorsHeader> h = read_safetensors_header(cut, cut.size());
        REQUIRE_FALSE(h.ok());
        CHECK((h.error().code == "truncated" || h.error().code == "offset_past_end"));
    }
}

TEST_CASE("hostile safetensors headers are each a clear error", "[safetensors][hostile]") {
    auto file = [](const std::string& json, std::uint64_t data = 64) { return safetensors_from_json(json, data); };
    // An absurd header length, and one past the end of the file.
    const std::string absurd = Bytes().u64(1ull << 62).s + "{}";
    CHECK(error_of(absurd, 0).rfind("header_too_large", 0) == 0);
    const std::string past = Bytes().u64(1000).s + "{}";
    CHECK(error_of(past, past.size()).rfind("truncated", 0) == 0);
    CHECK(error_of(file("[1, 2]"), 0).find("'{'") != std::string::npos);
    CHECK(error_of(file("{\"a\": "), 0).rfind("invalid_json", 0) == 0);
    // Shape products that overflow, negative and fractional dims.
    CHECK(error_of(file(R"({"a":{"dtype":"F16","shape":[4294967296,4294967296,4],"data_offsets":[0,2]}})"), 0).find("overflows") !=
          std::string::npos);
    CHECK(error_of(file(R"({"a":{"dtype":"F16","shape":[-1],"data_offsets":[0,2]}})"), 0).find("shape") != std::string::npos);
    CHECK(error_of(file(R"({"a":{"dtype":"F16","shape":[1.5],"data_offsets":[0,2]}})"), 0).find("shape") != std::string::npos);
    // Offsets that disagree with the shape, leave gaps, overlap, or run past the end.
    CHECK(error_of(file(R"({"a":{"dtype":"F16","shape":[4],"data_offsets":[0,6]}})"), 0).find("take 8") != std::string::npos);
    CHECK(error_of(file(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[8,12]}})"), 0).find("gap") != std::string::npos);
    CHECK(error_of(file(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})"), 0)
              .find("overlap") != std::string::npos);
    const std::string beyond = file(R"({"a":{"dtype":"U8","shape":[1000],"data_offsets":[0,1000]}})", 10);
    CHECK(error_of(beyond, beyond.size()).rfind("offset_past_end", 0) == 0);
    CHECK(error_of(file(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,18446744073709551615]}})"), 0).find("data_offsets") !=
          std::string::npos);
    // Duplicate names (JSON would silently keep the last) and deep nesting.
    CHECK(error_of(file(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})"), 0)
              .find("appears twice") != std::string::npos);
    CHECK(error_of(file("{\"a\":" + std::string(5000, '[') + std::string(5000, ']') + "}"), 0).rfind("too_deep", 0) == 0);
    CHECK(error_of(file(R"({"__metadata__":{"a":1}})"), 0).find("__metadata__.a") != std::string::npos);
}

TEST_CASE("sharded safetensors checkpoints merge through the index", "[safetensors]") {
    const std::vector<StTensor> all = small_llama();
    const std::vector<StTensor> one(all.begin(), all.begin() + 10), two(all.begin() + 10, all.end());
    std::string index = R"({"metadata": {"total_size": )";
    std::int64_t total = 0;
    for (const StTensor& t : all) total += static_cast<std::int64_t>(st_bytes(t));
    index += std::to_string(total) + R"(}, "weight_map": {)";
    for (size_t i = 0; i < all.size(); ++i) {
        index += (i ? "," : "") + ("\"" + all[i].name + "\": \"model-0000" + (i < 10 ? "1" : "2") + "-of-00002.safetensors\"");
    }
    index += "}}";
    const Expected<SafetensorsIndex> idx = read_safetensors_index(index);
    REQUIRE(idx.ok());
    CHECK(idx->shards.size() == 2);
    CHECK(idx->total_size == total);
    const std::string f1 = safetensors_file(one), f2 = safetensors_file(two);
    const SafetensorsHeader h1 = read_safetensors_header(f1, f1.size()).value();
    const SafetensorsHeader h2 = read_safetensors_header(f2, f2.size()).value();
    const std::vector<std::string> names = {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"};
    const Expected<ModelFile> m = model_file_from_safetensors({h1, h2}, names, &idx.value(), kLlamaConfig);
    REQUIRE(m.ok());
    CHECK(m->weight_bytes == total);
    CHECK(m->file_bytes == f1.size() + f2.size());
    CHECK(m->notes.empty());
    // A missing shard, a tensor in the wrong shard.
    const Expected<ModelFile> missing = model_file_from_safetensors({h1}, {names[0]}, &idx.value());
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == "missing_shard");
    const Expected<ModelFile> swapped = model_file_from_safetensors({h1, h2}, {names[1], names[0]}, &idx.value());
    REQUIRE_FALSE(swapped.ok());
    CHECK(swapped.error().message.find("the index puts") != std::string::npos);
    CHECK(model_file_from_safetensors({h1, h1}).error().message.find("more than one shard") != std::string::npos);
    CHECK_FALSE(read_safetensors_index(R"({"metadata": {}})").ok());
}

TEST_CASE("GPTQ, AWQ, bitsandbytes, MXFP4 and fp8 checkpoints count stored and unpacked parameters", "[safetensors]") {
    SECTION("GPTQ 4-bit: I32 qweight holds 8 values per element, scales and zeros are not parameters") {
        const std::vector<StTensor> t = {
            {"model.layers.0.self_attn.q_proj.qweight", "I32", {4096 / 8, 4096}},
            {"model.layers.0.self_attn.q_proj.qzeros", "I32", {32, 4096 / 8}},
            {"model.layers.0.self_attn.q_proj.scales", "F16", {32, 4096}},
            {"model.layers.0.self_attn.q_proj.g_idx", "I32", {4096}},
        };
        const std::string f = safetensors_file(t);
        const SafetensorsHeader h = read_safetensors_header(f, f.size()).value();
        const std::string config = R"({"quantization_config": {"quant_method": "gptq", "bits": 4, "group_size": 128, "desc_act": true}})";
        const Expected<ModelFile> m = model_file_from_safetensors({h}, {}, nullptr, config);
        REQUIRE(m.ok());
        CHECK(m->quant_method == "gptq");
        CHECK(m->params == 4096LL * 4096);
        CHECK(m->stored_elements == 512LL * 4096 + 32 * 512 + 32 * 4096 + 4096);
        CHECK(m->weight_bytes == 4LL * 512 * 4096 + 4 * 32 * 512 + 2 * 32 * 4096 + 4 * 4096);
        CHECK(m->tensors[0].role == "attn_q");
        CHECK(m->tensors[1].role == "quant_meta");
    }
    SECTION("AWQ: qweight packs along the output dimension") {
        const std::vector<StTensor> t = {{"model.layers.0.mlp.up_proj.qweight", "I32", {4096, 11008 / 8}},
                                         {"model.layers.0.mlp.up_proj.scales", "F16", {32, 11008}}};
        const std::string f = safetensors_file(t);
        const Expected<ModelFile> m = model_file_from_safetensors({read_safetensors_header(f, f.size()).value()}, {}, nullptr,
                                                                  R"({"quantization_config": {"quant_method": "awq", "bits": 4}})");
        REQUIRE(m.ok());
        CHECK(m->params == 4096LL * 11008);
    }
    SECTION("bitsandbytes 4-bit, MXFP4 blocks and fp8 scales") {
        const std::vector<StTensor> t = {
            {"model.layers.0.mlp.down_proj.weight", "U8", {1024 * 256 / 2, 1}},
            {"model.layers.0.mlp.down_proj.weight.absmax", "F32", {1024 * 256 / 64}},
            {"model.layers.0.mlp.down_proj.weight.quant_map", "F32", {16}},
            {"model.layers.0.mlp.experts.gate_up_proj_blocks", "U8", {4, 512, 8, 16}},
            {"model.layers.0.mlp.experts.gate_up_proj_scales", "U8", {4, 512, 8}},
            {"model.layers.0.self_attn.o_proj.weight", "F8_E4M3", {256, 256}},
            {"model.layers.0.self_attn.o_proj.weight_scale_inv", "F32", {2, 2}},
        };
        const std::string f = safetensors_file(t);
        const Expected<ModelFile> m = model_file_from_safetensors({read_safetensors_header(f, f.size()).value()});
        REQUIRE(m.ok());
        CHECK(m->params == 1024LL * 256 + 4LL * 512 * 8 * 32 + 256 * 256);
        CHECK(m->tensors.size() == 7);
        CHECK_FALSE(m->arch_known);
    }
}

TEST_CASE("quantization_config is read from config.json for every common method", "[safetensors]") {
    CHECK(read_quantization_config(R"({"model_type": "llama"})")->method.empty());
    const QuantizationConfig gptq = read_quantization_config(R"({"quantization_config": {"quant_method": "GPTQ", "bits": 3, "group_size": 64}})").value();
    CHECK(gptq.method == "gptq");
    CHECK(gptq.bits == 3);
    CHECK(gptq.group_size == 64);
    const QuantizationConfig awq = read_quantization_config(R"({"quantization_config": {"quant_method": "awq", "w_bit": 4, "q_group_size": 128}})").value();
    CHECK(awq.bits == 4);
    CHECK(awq.group_size == 128);
    const QuantizationConfig bnb = read_quantization_config(
        R"({"quantization_config": {"quant_method": "bitsandbytes", "load_in_4bit": true, "bnb_4bit_quant_type": "nf4"}})").value();
    CHECK(bnb.bits == 4);
    CHECK(bnb.format == "nf4");
    CHECK(read_quantization_config(R"({"quantization_config": {"quant_method": "fp8", "weight_block_size": [128, 128]}})")->bits == 8);
    const QuantizationConfig ct = read_quantization_config(R"({"quantization_config": {"quant_method": "compressed-tensors",
        "format": "pack-quantized", "config_groups": {"group_0": {"weights": {"num_bits": 4, "group_size": 128}}}}})").value();
    CHECK(ct.bits == 4);
    CHECK(ct.format == "pack-quantized");
    CHECK_FALSE(read_quantization_config("{oops").ok());
}

TEST_CASE("randomly corrupted safetensors headers never crash the reader", "[safetensors][hostile]") {
    const std::string file = safetensors_file(small_llama());
    const std::uint64_t header = read_safetensors_header(file, file.size())->header_bytes;
    std::uint64_t state = 0x2545F4914F6CDD1Dull;
    auto next = [&]() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    const char alphabet[] = "{}[],:\"0123456789-.eE aF";
    for (int round = 0; round < 1000; ++round) {
        std::string bytes = file;
        const size_t at = static_cast<size_t>(next() % header);
        bytes[at] = (next() & 1) ? static_cast<char>(next() & 0xFF) : alphabet[next() % (sizeof alphabet - 1)];
        const Expected<SafetensorsHeader> h = read_safetensors_header(bytes, bytes.size());
        if (!h) CHECK_FALSE(h.error().message.empty());
        else CHECK(h->data_bytes <= static_cast<std::int64_t>(file.size()));
    }
}
