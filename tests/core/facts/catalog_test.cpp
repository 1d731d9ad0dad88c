#include <catch2/catch.hpp>

#include <set>

#include "facts/catalog.hpp"
#include "embedded_catalogs.hpp"
#include "test_support.hpp"

using namespace wif;

namespace {

std::vector<CatalogText> with(const std::string& name, const std::string& text) {
    const std::string dir = WIF_CATALOG_DIR;
    std::vector<CatalogText> texts = {{"models.json", test::read_text(dir + "/models.json")},
                                      {"devices.json", test::read_text(dir + "/devices.json")},
                                      {"quants.json", test::read_text(dir + "/quants.json")}};
    for (CatalogText& t : texts) {
        if (t.name == name) t.text = text;
    }
    return texts;
}

std::string load_error(const std::string& name, const std::string& text) {
    const Expected<Catalog> c = load_catalog(with(name, text));
    REQUIRE_FALSE(c.ok());
    return c.error().message;
}

const std::string kDevice =
    R"({"id":"x","name":"X","vendor":"nvidia","kind":"gpu","segment":"desktop","memory_gib":8,"bandwidth_gbs":100,"backend":"cuda","source":"s"})";

std::string devices_with(const std::string& entry) {
    return R"({"schema_version":1,"catalog":"devices","devices":[)" + entry + "]}";
}

}  // namespace

TEST_CASE("the catalogs cover the models and devices people ask about", "[catalog]") {
    const Catalog& c = test::catalog();
    CHECK(c.models.size() >= 60);
    CHECK(c.devices.size() >= 100);
    std::set<std::string> kinds, segments;
    for (const Device& d : c.devices) {
        kinds.insert(device_kind_name(d.kind));
        segments.insert(d.segment);
    }
    CHECK(kinds == std::set<std::string>{"gpu", "unified", "cpu"});
    for (const char* s : {"desktop", "laptop", "workstation", "datacenter", "apple"}) CHECK(segments.count(s) == 1);
    for (const char* id : {"llama-3.1-8b", "mixtral-8x7b", "qwen3-30b-a3b", "gemma-3-27b", "phi-4", "deepseek-v3",
                           "deepseek-r1-distill-qwen-32b", "gpt-oss-20b", "llama-3.3-70b", "mistral-7b-v0.3"}) {
        INFO(id);
        CHECK(c.find_model(id).index >= 0);
    }
    for (const char* id : {"rtx-4090", "rtx-4060-laptop", "t4", "b200", "mi300x", "apple-m2-ultra-192gb", "apple-m1-8gb"}) {
        INFO(id);
        CHECK(c.find_device(id).index >= 0);
    }
}

TEST_CASE("every catalog entry cites where its figures come from", "[catalog]") {
    const Catalog& c = test::catalog();
    for (const ModelEntry& m : c.models) {
        INFO(m.id);
        CHECK_FALSE(m.params_source.empty());
        CHECK_FALSE(m.config_source.empty());
        CHECK(m.hf_repo.find('/') != std::string::npos);
    }
    for (const Device& d : c.devices) {
        INFO(d.id);
        CHECK_FALSE(d.source.empty());
        CHECK(d.bandwidth_gbs > 0);
    }
    for (const QuantEntry& q : c.quants) {
        INFO(q.spec.id);
        CHECK_FALSE(q.source.empty());
    }
}

TEST_CASE("names resolve ignoring case and punctuation, Hugging Face repo ids included", "[catalog]") {
    const Catalog& c = test::catalog();
    CHECK(c.find_model("Meta-Llama/LLAMA-3.1-8B-instruct").index == c.find_model("llama-3.1-8b").index);
    CHECK(c.find_model("Llama-3.1-8B-Instruct").index == c.find_model("llama-3.1-8b").index);
    CHECK(c.find_device("GeForce RTX 4090").index == c.find_device("rtx-4090").index);
    CHECK(c.find_quant("q4_k_m").index == c.find_quant("Q4_K_M").index);
    const Lookup none = c.find_model("llama 3.1 8");
    CHECK(none.index < 0);
    CHECK_FALSE(none.candidates.empty());
}

TEST_CASE("the stripped catalogs built into the programs hold the same entries", "[catalog]") {
    const Expected<Catalog> embedded = load_catalog(embedded_catalogs());
    REQUIRE(embedded.ok());
    CHECK(embedded->models.size() == test::catalog().models.size());
    CHECK(embedded->devices.size() == test::catalog().devices.size());
    CHECK(embedded->quants.size() == test::catalog().quants.size());
}

TEST_CASE("malformed catalog JSON is reported with the file, line and column", "[catalog]") {
    const std::string message = load_error("devices.json", "{\"schema_version\": 1,\n \"catalog\": \"devices\",\n \"devices\": [ {\"id\": } ]}");
    CHECK(message.find("devices.json") != std::string::npos);
    CHECK(message.find("line 3") != std::string::npos);
}

TEST_CASE("a bad field is reported with the file, the entry and the field", "[catalog]") {
    std::string bad = kDevice;
    bad.replace(bad.find("\"memory_gib\":8"), 14, "\"memory_gib\":\"8\"");
    const std::string message = load_error("devices.json", devices_with(bad));
    CHECK(message.find("devices.json: devices[0] (\"x\"): memory_gib: expected a number, got a string") != std::string::npos);

    std::string negative = kDevice;
    negative.replace(negative.find("\"memory_gib\":8"), 14, "\"memory_gib\":-8");
    CHECK(load_error("devices.json", devices_with(negative)).find("memory_gib: must be between") != std::string::npos);

    std::string kind = kDevice;
    kind.replace(kind.find("\"kind\":\"gpu\""), 12, "\"kind\":\"tpu\"");
    CHECK(load_error("devices.json", devices_with(kind)).find("kind: must be \"gpu\", \"unified\" or \"cpu\"") != std::string::npos);

    const std::string missing = R"({"schema_version":1,"catalog":"models","models":[{"id":"m","name":"M","hf_repo":"a/b","published_params":1000,"params_source":"s","config":{"model_type":"llama","vocab_size":100,"num_hidden_layers":2,"num_attention_heads":4,"intermediate_size":64}}]})";
    const std::string m = load_error("models.json", missing);
    CHECK(m.find("models.json: models[0] (\"m\"): config.hidden_size: missing") != std::string::npos);
}

TEST_CASE("an unknown schema version or catalog kind is refused", "[catalog]") {
    CHECK(load_error("quants.json", R"({"schema_version":2,"catalog":"quants","quants":[]})").find("schema_version 2 is not supported") != std::string::npos);
    CHECK(load_error("quants.json", R"({"schema_version":1,"catalog":"recipes","quants":[]})").find("catalog: expected") != std::string::npos);
    CHECK(load_error("quants.json", "[]").find("expected a JSON object") != std::string::npos);
}

TEST_CASE("two entries may not share a name", "[catalog]") {
    std::string second = kDevice;
    second.replace(second.find("\"id\":\"x\""), 8, "\"id\":\"y\"");
    second.replace(second.find("\"name\":\"X\""), 10, "\"name\":\"Y\",\"aliases\":[\"x\"]");
    CHECK(load_error("devices.json", devices_with(kDevice + "," + second)).find("already names entry 0") != std::string::npos);
}

// Issue 11: Json::value("catalog_date", "") threw type_error for a non-string and the CLI ended
// in "terminate called" (exit 134) with --catalog-dir.
TEST_CASE("a catalog_date that is not a string is an error, not an exception", "[catalog][hardening]") {
    for (const char* date : {"5", "[1]", "{}", "true"}) {
        const Expected<Catalog> c = load_catalog(
            {{"quants.json", std::string(R"({"schema_version":1,"catalog":"quants","catalog_date":)") + date + R"(,"quants":[]})"}});
        REQUIRE_FALSE(c);
        CHECK(c.error().message.find("quants.json: catalog_date: expected a string") == 0);
    }
    for (const char* kind : {"models", "devices"}) {
        const Expected<Catalog> c = load_catalog({{"x.json", std::string(R"({"schema_version":1,"catalog":")") + kind +
                                                                 R"(","catalog_date":5,")" + kind + R"(":[]})"}});
        REQUIRE_FALSE(c);
        CHECK(c.error().message.find("x.json: catalog_date: expected a string") == 0);
    }
}
