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

TEST_CASE("every inference answer carries an error band on its memory and its speeds", "[answer][bands]") {
    const Json a = Json::parse(estimate_json(test::catalog(), R"({"model":"llama-3.1-8b","quant":"Q4_K_M","device":"rtx-4090","ctx":8192})"));
    REQUIRE(a["ok"] == true);
    const Json& band = a["memory"]["band"];
    REQUIRE(band.is_object());
    // The band is of the memory the verdict weighs: the GPU's share.
    CHECK(band["value_bytes"] == a["memory"]["gpu_bytes"]);
    const double r = band["relative"].get<double>();
    const double v = band["value_bytes"].get<double>();
    CHECK(r >= 0.02);  // never below the floor of inference_total
    // measured = predicted / (1 + e), |e| <= r.
    CHECK(band["low_bytes"].get<double>() == Approx(v / (1 + r)).epsilon(1e-9));
    CHECK(band["high_bytes"].get<double>() == Approx(v / (1 - r)).epsilon(1e-9));
    CHECK(band["category"] == "inference_total");
    CHECK(band["engine"] == "llama.cpp");
    CHECK(band["basis"].get<std::string>().find("inference_total measurements") != std::string::npos);
    CHECK(a["borderline"] == false);
    // A 4090 holds this with gigabytes to spare: not borderline, and the headline carries "±".
    CHECK(a["headline"].get<std::string>().find("±") != std::string::npos);
    const Json& tps = a["tokens_per_second"];
    REQUIRE(tps["decode_band"].is_object());
    CHECK(tps["decode_band"]["low"].get<double>() < tps["decode"].get<double>());
    CHECK(tps["decode_band"]["high"].get<double>() > tps["decode"].get<double>());
    CHECK(tps["prefill_band"]["category"] == "prefill_speed");
    CHECK(a["engine_version"] == "latest");
}

TEST_CASE("a verdict whose band straddles the usable memory says borderline, and why", "[answer][bands]") {
    // Llama 3.1 8B Q4_K_M on an 8 GB RTX 4060 with 24,000 tokens of f16 cache (flash attention on):
    // weights 4.62 GB on the GPU + KV 32 x 1024 x 2 x 2 B x 24,064 cells (24,000 padded to 256) =
    // 3.15 GB + compute and context ~0.75 GB = ~8.52 GB, within 2% of the 8.59 GB the card holds.
    const Json a = Json::parse(estimate_json(test::catalog(), R"({"model":"llama-3.1-8b","quant":"Q4_K_M","device":"rtx-4060","ctx":24000})"));
    REQUIRE(a["ok"] == true);
    CHECK(a["memory"]["kv_cache_bytes"] == 24064LL * 32 * 1024 * 2 * 2);
    CHECK(a["verdict"] == "fits");
    CHECK(a["borderline"] == true);
    const double usable = a["usable_bytes"].get<double>();
    CHECK(a["memory"]["band"]["low_bytes"].get<double>() <= usable);
    CHECK(a["memory"]["band"]["high_bytes"].get<double>() > usable);
    CHECK(a["headline"].get<std::string>().rfind("Borderline (fits by the estimate)", 0) == 0);
    const std::string why = a["borderline_reason"].get<std::string>();
    CHECK(why.find("straddles") != std::string::npos);
    bool said = false;
    for (const Json& line : a["explanation"]) said = said || line.get<std::string>().rfind("Borderline:", 0) == 0;
    CHECK(said);
    // 8,192 tokens leave about 2 GB free: a confident fit.
    const Json roomy = Json::parse(estimate_json(test::catalog(), R"({"model":"llama-3.1-8b","quant":"Q4_K_M","device":"rtx-4060","ctx":8192})"));
    CHECK(roomy["borderline"] == false);
    CHECK(roomy.find("borderline_reason") == roomy.end());
}

TEST_CASE("an offloaded answer carries a band on its GPU layer count", "[answer][bands]") {
    const Json a = Json::parse(estimate_json(test::catalog(), R"({"model":"llama-3.3-70b","quant":"Q4_K_M","device":"rx-7600-xt","ram":"64GB"})"));
    REQUIRE(a["verdict"] == "fits_with_offload");
    const Json& b = a["gpu_layers_band"];
    REQUIRE(b.is_object());
    CHECK(b["value"] == a["gpu_layers"]);
    CHECK(b["category"] == "offload_layers");
    CHECK(b["low"].get<double>() == Approx(a["gpu_layers"].get<double>() - b["relative"].get<double>()));
    CHECK(b["high"].get<double>() <= a["total_layers"].get<double>());
}

TEST_CASE("a training answer carries the band of its peak per GPU", "[answer][bands]") {
    const Json a = Json::parse(estimate_json(test::catalog(),
        R"({"intent":"training","model":"llama-3.1-8b","device":"rtx-4090","training":{"method":"qlora","batch":1,"seq":2048}})"));
    REQUIRE(a["ok"] == true);
    REQUIRE(a["band"].is_object());
    CHECK(a["band"]["category"] == "finetune_peak");
    CHECK(a["band"]["value_bytes"] == a["memory"]["total_bytes"]);
    CHECK(a["borderline"].is_boolean());
}

TEST_CASE("an answer names the engine version its memory rules follow, and an older one can be picked", "[answer][engine_version]") {
    // llama.cpp builds of May 2024 - October 2025 padded the cache to 32 cells without flash
    // attention; today 256. 31,072 tokens: 31,072 cells then (the logged "KV self size = 3884.00
    // MiB" of Llama 3.1 8B), ceil(31072 / 256) x 256 = 31,232 cells now.
    const char* now = R"({"model":"llama-3.1-8b","quant":"F16","device":"apple-m1-pro-32gb","ctx":31072,"flash_attn":"off","engine":"llama.cpp"})";
    const char* then = R"({"model":"llama-3.1-8b","quant":"F16","device":"apple-m1-pro-32gb","ctx":31072,"flash_attn":"off","engine":"llama.cpp","engine_version":"llama.cpp-2025.10"})";
    const Json a = Json::parse(estimate_json(test::catalog(), now));
    const Json b = Json::parse(estimate_json(test::catalog(), then));
    REQUIRE(a["ok"] == true);
    REQUIRE(b["ok"] == true);
    CHECK(a["memory"]["kv_cache_bytes"] == 31232LL * 32 * 1024 * 2 * 2);
    CHECK(b["memory"]["kv_cache_bytes"] == 3884LL * 1024 * 1024);
    CHECK(a["engine_version"] == "latest");
    CHECK(b["engine_version"] == "llama.cpp-2025.10");
    bool named = false;
    for (const Json& s : a["assumptions"]) named = named || s.get<std::string>().find("PR #17046") != std::string::npos;
    CHECK(named);
    // An unknown version is an error that lists the known ones.
    const Json bad = Json::parse(estimate_json(test::catalog(), R"({"model":"llama-3.1-8b","device":"rtx-4090","engine_version":"llama.cpp-1999"})"));
    CHECK(bad["error"]["code"] == "unknown_engine_version");
    // A version of another engine is set aside with a warning.
    const Json other = Json::parse(estimate_json(test::catalog(), R"({"model":"llama-3.1-8b","quant":"Q4_K_M","device":"rtx-4090","engine_version":"vllm-v0"})"));
    REQUIRE(other["ok"] == true);
    CHECK(other["engine_version"] == "latest");
    bool warned = false;
    for (const Json& s : other["warnings"]) warned = warned || s.get<std::string>().find("vllm-v0") != std::string::npos;
    CHECK(warned);
}

TEST_CASE("a training answer whose peak band straddles the usable memory says borderline", "[answer][bands]") {
    // QLoRA of Llama 3.1 8B at 2,500 tokens needs about as much as a 12 GB RTX 3060 holds (12.9 GB):
    // with the ± band of fine-tuning peaks, it may or may not fit.
    const Json a = Json::parse(estimate_json(test::catalog(),
        R"({"intent":"training","model":"llama-3.1-8b","device":"rtx-3060-12gb","training":{"method":"qlora","seq":2500}})"));
    REQUIRE(a["ok"] == true);
    const double usable = a["memory"]["usable_bytes"].get<double>();
    REQUIRE(a["band"].is_object());
    CHECK(a["band"]["low_bytes"].get<double>() <= usable);
    CHECK(a["band"]["high_bytes"].get<double>() > usable);
    CHECK(a["borderline"] == true);
    CHECK(a["headline"].get<std::string>().rfind("Borderline (", 0) == 0);
    CHECK(a["headline"].get<std::string>().find("±") != std::string::npos);
    CHECK(a["explanation"][0].get<std::string>().rfind("Borderline:", 0) == 0);
}
