#include <catch2/catch.hpp>

#include "present/answer.hpp"
#include "test_support.hpp"

using namespace wif;

TEST_CASE("an answer's JSON carries the fields scripts rely on, bytes as integers", "[answer]") {
    const Json a = Json::parse(estimate_json(test::catalog(), R"({"model":"llama-3.1-8b","quant":"Q4_K_M","device":"rtx-4060","ctx":8192})"));
    CHECK(a["ok"] == true);
    CHECK(a["verdict"] == "fits");
    for (const char* k : {"weights_bytes", "kv_cache_bytes", "compute_bytes", "overhead_bytes", "total_bytes"}) {
        INFO(k);
        CHECK(a["memory"][k].is_number_integer());
    }
    for (const char* k : {"usable_bytes", "device_bytes", "total_layers", "gpu_layers"}) {
        INFO(k);
        CHECK(a[k].is_number_integer());
    }
    CHECK(a["memory"]["kv_cache_bytes"] == 32LL * 8 * 128 * 2 * 2 * 8192);
    CHECK(a["explanation"].is_array());
    CHECK(a["memory"]["items"][0]["source"].get<std::string>().find("llama.cpp") != std::string::npos);
    const std::int64_t sum = a["memory"]["weights_bytes"].get<std::int64_t>() + a["memory"]["kv_cache_bytes"].get<std::int64_t>() +
                             a["memory"]["compute_bytes"].get<std::int64_t>() + a["memory"]["overhead_bytes"].get<std::int64_t>();
    CHECK(sum == a["memory"]["total_bytes"].get<std::int64_t>());
}

TEST_CASE("a question's JSON says what was understood and the request it became", "[answer]") {
    const Json a = Json::parse(ask_json(test::catalog(), "llama 3.1 70b q4_k_m on 2x 3090"));
    CHECK(a["ok"] == true);
    CHECK(a["question"]["request"]["model"] == "llama-3.1-70b");
    CHECK(a["question"]["request"]["count"] == 2);
    CHECK(a["device"]["count"] == 2);
    CHECK_FALSE(a["question"]["understood"].empty());
}

TEST_CASE("errors come back as data with a code and a message", "[answer]") {
    const Json e = Json::parse(estimate_json(test::catalog(), R"({"model":"nope","device":"rtx-4090"})"));
    CHECK(e["ok"] == false);
    CHECK(e["error"]["code"] == "unknown_model");
    const Json bad = Json::parse(estimate_json(test::catalog(), "{\"model\": "));
    CHECK(bad["error"]["code"] == "invalid_json");
    const Json q = Json::parse(ask_json(test::catalog(), "how tall is a giraffe"));
    CHECK(q["ok"] == false);
}

TEST_CASE("JSON text stays valid for any input bytes", "[answer]") {
    JsonWriter w;
    w.begin_object().field("text", std::string("quote \" backslash \\ newline \n tab \t bell \x07 bad \xff\xfe end")).end_object();
    const Json j = Json::parse(w.str());
    CHECK(j["text"].get<std::string>().find("\xEF\xBF\xBD") != std::string::npos);
    CHECK(j["text"].get<std::string>().find("bell \x07") != std::string::npos);
    const Json q = Json::parse(ask_json(test::catalog(), "7B \xff on a 4090"));
    CHECK(q["ok"] == true);
}

TEST_CASE("pretty-printed and compact JSON hold the same values", "[answer]") {
    const std::string request = R"({"model":"qwen3-30b-a3b","device":"apple-m4-max-128gb"})";
    CHECK(Json::parse(estimate_json(test::catalog(), request, 2)) == Json::parse(estimate_json(test::catalog(), request)));
}
