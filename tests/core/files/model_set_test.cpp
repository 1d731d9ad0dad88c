#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/files/gguf_corpus.hpp"
#include "core/files/safetensors_writer.hpp"
#include "files/model_set.hpp"

using namespace wif;
using namespace wif::test;

namespace {

std::vector<FileHead> heads(const std::vector<GgufSample>& samples) {
    std::vector<FileHead> out;
    for (const GgufSample& s : samples) out.push_back({s.name, s.bytes, s.bytes.size()});
    return out;
}

// A two-layer Llama in two shards; hand count in tests/cli/cli.test.mjs: 6,224 BF16 parameters.
struct Checkpoint {
    std::string shard1, shard2, index, config;
};

Checkpoint llama_shards() {
    auto layer = [](int i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        return std::vector<StTensor>{{p + "self_attn.q_proj.weight", "BF16", {16, 16}}, {p + "self_attn.k_proj.weight", "BF16", {16, 16}},
                                     {p + "self_attn.v_proj.weight", "BF16", {16, 16}}, {p + "self_attn.o_proj.weight", "BF16", {16, 16}},
                                     {p + "mlp.gate_proj.weight", "BF16", {32, 16}},    {p + "mlp.up_proj.weight", "BF16", {32, 16}},
                                     {p + "mlp.down_proj.weight", "BF16", {16, 32}},    {p + "input_layernorm.weight", "BF16", {16}},
                                     {p + "post_attention_layernorm.weight", "BF16", {16}}};
    };
    std::vector<StTensor> a{{"model.embed_tokens.weight", "BF16", {32, 16}}};
    for (const StTensor& t : layer(0)) a.push_back(t);
    std::vector<StTensor> b = layer(1);
    b.push_back({"model.norm.weight", "BF16", {16}});
    b.push_back({"lm_head.weight", "BF16", {32, 16}});
    std::string map;
    for (const StTensor& t : a) map += (map.empty() ? "" : ",") + ("\"" + t.name + "\":\"model-00001-of-00002.safetensors\"");
    for (const StTensor& t : b) map += ",\"" + t.name + "\":\"model-00002-of-00002.safetensors\"";
    return {safetensors_file(a), safetensors_file(b), "{\"metadata\":{\"total_size\":12448},\"weight_map\":{" + map + "}}",
            R"({"model_type":"llama","vocab_size":32,"hidden_size":16,"intermediate_size":32,"num_hidden_layers":2,)"
            R"("num_attention_heads":2,"num_key_value_heads":2,"max_position_embeddings":2048,"torch_dtype":"bfloat16"})"};
}

}  // namespace

TEST_CASE("the parts of a split GGUF, in any order, make one model with every part's tensors") {
    std::vector<GgufSample> parts = sample_split();
    std::swap(parts[0], parts[2]);
    const Expected<ModelFile> m = inspect_model_files(heads(parts));
    REQUIRE(m.ok());
    CHECK(m->tensors.size() == 6);  // split.tensors.count
    CHECK(m->weight_bytes == parts[0].tensor_bytes + parts[1].tensor_bytes + parts[2].tensor_bytes);
    CHECK(m->arch_known);
}

TEST_CASE("one part of a split GGUF alone is read, with a note that the others are missing") {
    const std::vector<GgufSample> parts = sample_split();
    const Expected<ModelFile> m = inspect_model_files(heads({parts[1]}));
    REQUIRE(m.ok());
    CHECK(m->weight_bytes == parts[1].tensor_bytes);
    REQUIRE(!m->notes.empty());
    CHECK(m->notes.back().find("part 2 of 3") != std::string::npos);
}

TEST_CASE("two of three parts is an error that names the missing part") {
    const std::vector<GgufSample> parts = sample_split();
    const Expected<ModelFile> m = inspect_model_files(heads({parts[0], parts[2]}));
    REQUIRE_FALSE(m.ok());
    CHECK(m.error().code == "missing_split");
    CHECK(m.error().message.find("missing part(s) 2") != std::string::npos);
}

TEST_CASE("a projector GGUF beside the text model becomes its projector line item") {
    const GgufSample text = sample_llama(), projector = sample_mmproj();
    const Expected<ModelFile> m = inspect_model_files(heads({projector, text}));
    REQUIRE(m.ok());
    CHECK(m->format == "gguf");
    CHECK(m->weight_bytes == text.tensor_bytes);
    CHECK(m->mmproj_bytes == projector.tensor_bytes);
}

TEST_CASE("a file whose head ends inside its header says which file needs how many bytes") {
    const std::vector<GgufSample> parts = sample_split();
    std::vector<FileHead> files = heads(parts);
    files[1].head = files[1].head.substr(0, 40);
    size_t which = 99;
    std::uint64_t need = 0;
    const Expected<ModelFile> m = inspect_model_files(files, &which, &need);
    REQUIRE_FALSE(m.ok());
    CHECK(m.error().code == "need_more");
    CHECK(which == 1);
    CHECK(need > 40);
}

TEST_CASE("safetensors shards with their index and config.json: exact parameters and a known architecture") {
    const Checkpoint c = llama_shards();
    const Expected<ModelFile> m = inspect_model_files({{"model.safetensors.index.json", c.index, c.index.size()},
                                                       {"model-00002-of-00002.safetensors", c.shard2, c.shard2.size()},
                                                       {"config.json", c.config, c.config.size()},
                                                       {"model-00001-of-00002.safetensors", c.shard1, c.shard1.size()}});
    REQUIRE(m.ok());
    CHECK(m->params == 6224);
    CHECK(m->weight_bytes == 12448);
    CHECK(m->arch_known);
    CHECK(m->arch.num_hidden_layers == 2);
}

TEST_CASE("a shard the index places elsewhere, or a shard the index names but nobody gave, is an error") {
    const Checkpoint c = llama_shards();
    const Expected<ModelFile> missing = inspect_model_files({{"model.safetensors.index.json", c.index, c.index.size()},
                                                             {"model-00001-of-00002.safetensors", c.shard1, c.shard1.size()}});
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find("model-00002-of-00002.safetensors") != std::string::npos);
}

TEST_CASE("one shard without its index says how many shards the checkpoint has") {
    const Checkpoint c = llama_shards();
    const Expected<ModelFile> m = inspect_model_files({{"model-00001-of-00002.safetensors", c.shard1, c.shard1.size()}});
    REQUIRE(m.ok());
    CHECK(m->weight_bytes == (512 + 2592) * 2);
    CHECK(m->notes.back().find("1 of the 2 shards") != std::string::npos);
}

TEST_CASE("a config.json alone, mixed formats, JSON past its bound and unknown bytes are clear errors") {
    const Checkpoint c = llama_shards();
    const GgufSample g = sample_llama();
    CHECK(inspect_model_files({{"config.json", c.config, c.config.size()}}).error().code == "config_only");
    CHECK(inspect_model_files({{g.name, g.bytes, g.bytes.size()}, {"model-00001-of-00002.safetensors", c.shard1, c.shard1.size()}})
              .error().code == "mixed_formats");
    CHECK(inspect_model_files({{"config.json", "{}", kMaxConfigJson + 1}}).error().code == "file_too_large");
    const Expected<ModelFile> half = inspect_model_files({{"config.json", c.config.substr(0, 10), c.config.size()}});
    CHECK(half.error().code == "need_more");
    CHECK(inspect_model_files({{"notes.txt", "hello, world", 12}}).error().code == "unknown_format");
    CHECK(inspect_model_files({}).error().code == "no_files");
    CHECK(inspect_model_files(std::vector<FileHead>(kMaxModelFiles + 1, {"x.gguf", "GGUF", 4})).error().code == "too_many_files");
}
