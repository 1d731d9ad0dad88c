// LiteJson (the page core's JSON value) against nlohmann::json: the same text read by the same
// reader gives the same values in the same key order, and the reads the request path makes
// answer alike. Expected values come from nlohmann::json itself, an independent implementation.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "base/json_lite.hpp"
#include "base/json_reader.hpp"
#include "core/base/json_lite_compare.hpp"

using wif::LiteJson;
using wif::test::diff;
using nlohmann::json;

namespace {

bool read(const std::string& text, LiteJson& lite, json& dom) {
    wif::JsonReader<LiteJson> r1(text);
    wif::JsonReader<json> r2(text);
    const bool ok1 = r1.document(lite), ok2 = r2.document(dom);
    REQUIRE(ok1 == ok2);
    REQUIRE(r1.at() == r2.at());
    return ok1;
}

}  // namespace

TEST_CASE("LiteJson holds what nlohmann::json holds for the same text, in the same key order", "[json_lite]") {
    const char* texts[] = {
        R"({"model": "llama-3.1-8b", "quant": "Q4_K_M", "device": "rtx-4090", "ctx": 8192, "count": 2})",
        R"({"zeta": 1, "alpha": 2, "mid": 3, "Alpha": 4, "alpha2": 5})",
        R"({"a": 1, "a": "again", "b": null, "c": true, "d": false})",
        R"({"training": {"method": "qlora", "optimizer": "adamw_8bit", "batch": 4, "gradient_checkpointing": true}})",
        R"({"n": [0, -0, 1, -1, 9223372036854775807, -9223372036854775808, 18446744073709551615, 18446744073709551616, 1e3, 1.5, -2.25e-3]})",
        R"({"hf_config": {"architectures": ["LlamaForCausalLM"], "rope_scaling": {"factor": 8.0}, "layers": [[1, 2], [], {}]}})",
        "\xEF\xBB\xBF{\"bom\": \"\\u00e9\\ud83d\\ude00 \\\"quoted\\\" \\\\ \\/ \\n\", \"raw\": \"caf\xC3\xA9\"}",
        "[]", "{}", "null", "12", "\"text\"", "[1, [2, [3, {\"x\": [4]}]]]",
    };
    for (const char* text : texts) {
        LiteJson lite;
        json dom;
        INFO(text);
        REQUIRE(read(text, lite, dom));
        CHECK(diff(lite, dom) == "");
    }
}

TEST_CASE("LiteJson's reader stops at the same place as nlohmann's on broken text", "[json_lite]") {
    for (const char* text : {R"({"a": 1,})", R"({"a": [1, 2)", "{\"a\": \"\\ud800\"}", R"({"a": 1e999})", R"({} x)", R"({"a" 1})", "\"\x01\""}) {
        LiteJson lite;
        json dom;
        INFO(text);
        CHECK_FALSE(read(text, lite, dom));
    }
}

TEST_CASE("LiteJson answers the request path's reads as nlohmann::json does", "[json_lite]") {
    LiteJson lite;
    json dom;
    REQUIRE(read(R"({"i": 7, "u": 18446744073709551615, "f": 2.5, "s": "x", "o": {"k": 1}, "a": [1, "two"]})", lite, dom));
    CHECK(lite.get<double>() == 0);  // an object read as a number: nlohmann throws, LiteJson gives 0
    CHECK(lite.at("i").get<double>() == dom.at("i").get<double>());
    CHECK(lite.at("f").get<std::int64_t>() == dom.at("f").get<std::int64_t>());
    CHECK(lite.at("u").get<std::uint64_t>() == dom.at("u").get<std::uint64_t>());
    CHECK(lite.contains("o") == dom.contains("o"));
    CHECK(lite.contains("missing") == dom.contains("missing"));
    CHECK((lite.find("missing") == lite.end()) == (dom.find("missing") == dom.end()));
    CHECK(lite.at("missing").is_null());
    CHECK(lite.at("a")[1].get<std::string>() == dom.at("a")[1].get<std::string>());
    CHECK(lite.at("a")[5].is_null());

    // Writing, as the question parser fills training options.
    LiteJson t;
    json n;
    t["method"] = "qlora";
    n["method"] = "qlora";
    t["batch"] = 4;
    n["batch"] = 4;
    t["pretraining"] = true;
    n["pretraining"] = true;
    t["batch"] = 8;
    n["batch"] = 8;
    CHECK(t.erase("pretraining") == n.erase("pretraining"));
    CHECK(t.erase("pretraining") == n.erase("pretraining"));
    CHECK(diff(t, n).empty());
    LiteJson list;
    json nlist;
    list.push_back(1);
    nlist.push_back(1);
    list.push_back("two");
    nlist.push_back("two");
    CHECK(diff(list, nlist).empty());
    CHECK(LiteJson().empty() == json().empty());
    CHECK(LiteJson(3).size() == json(3).size());
    CHECK(LiteJson::object().empty());
}
