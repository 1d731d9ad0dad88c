#include "test_support.hpp"

#include "present/explain.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

namespace wif::test {

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) FAIL("cannot read " << path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

const Catalog& catalog() {
    static const Catalog c = [] {
        const std::string dir = WIF_CATALOG_DIR;
        Expected<Catalog> loaded = load_catalog({{"models.json", read_text(dir + "/models.json")},
                                                 {"devices.json", read_text(dir + "/devices.json")},
                                                 {"quants.json", read_text(dir + "/quants.json")}});
        if (!loaded) FAIL(loaded.error().message);
        return std::move(loaded.value());
    }();
    return c;
}

PreparedModel model(const std::string& id) {
    const Lookup l = catalog().find_model(id);
    REQUIRE(l.index >= 0);
    const ModelEntry& m = catalog().models[static_cast<size_t>(l.index)];
    return prepare_model(m.id, m.name, m.arch);
}

const Device& device(const std::string& id) {
    const Lookup l = catalog().find_device(id);
    REQUIRE(l.index >= 0);
    return catalog().devices[static_cast<size_t>(l.index)];
}

const QuantSpec& quant(const std::string& id) {
    const Lookup l = catalog().find_quant(id);
    REQUIRE(l.index >= 0);
    return catalog().quants[static_cast<size_t>(l.index)].spec;
}

PreparedModel assumed_model(std::int64_t params, const std::string& name) {
    const Expected<AssumedShape> shape = assume_shape(params);
    REQUIRE(shape.ok());
    return prepare_model("assumed", name, shape->arch);
}

Estimate estimate(const PreparedModel& model, const std::string& quant, const Device& device,
                  const InferenceOptions& options) {
    Expected<Estimate> e = estimate_inference(model, test::quant(quant), device, options);
    if (!e) FAIL(e.error().message);
    // The words are written from the finished numbers, as answer_request does.
    if (options.explain) explain_estimate(e.value(), model, device, options);
    return e.value();
}

InferenceOptions with_context(std::int64_t tokens) {
    InferenceOptions o;
    o.context = tokens;
    return o;
}

ModelArch llama_arch(std::int64_t vocab, std::int64_t hidden, std::int64_t ffn, std::int64_t layers,
                     std::int64_t heads, std::int64_t kv_heads) {
    ModelArch a;
    a.model_type = "llama";
    a.vocab_size = vocab;
    a.hidden_size = hidden;
    a.intermediate_size = ffn;
    a.num_hidden_layers = layers;
    a.num_attention_heads = heads;
    a.num_key_value_heads = kv_heads;
    a.head_dim = hidden / heads;
    return a;
}

}  // namespace wif::test
