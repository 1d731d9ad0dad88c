#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "present/speed_json.hpp"
#include "test_support.hpp"

using namespace wif;

namespace {

bool has_line(const std::vector<std::string>& lines, const std::string& part) {
    for (const std::string& l : lines) {
        if (l.find(part) != std::string::npos) return true;
    }
    return false;
}

SpeedEstimate offloaded_70b() {
    const PreparedModel m = test::model("llama-3.3-70b");
    const Device& d = test::device("rtx-4090");
    InferenceOptions o;
    o.engine = Engine::llama_cpp;
    Estimate e = test::estimate(m, "Q4_K_M", d, o);
    e.gpu_layers = 41;
    return estimate_speed(m, e, d, {}).value();
}

}  // namespace

TEST_CASE("write_speed writes every key from the finished numbers", "[speed_json]") {
    const SpeedEstimate s = offloaded_70b();
    JsonWriter w;
    write_speed(w, s);
    const nlohmann::json j = nlohmann::json::parse(w.str());
    for (const char* key : {"decode_tps", "prefill_tps", "time_to_first_token_s", "bandwidth_efficiency", "bandwidth_efficiency_source",
                            "bytes_per_token", "gpu_bytes_per_token", "host_bytes_per_token", "bound", "cpu_only_decode_tps",
                            "compute_efficiency", "compute_efficiency_source", "parts", "gpu_layers", "total_layers", "speedup_vs_cpu"}) {
        INFO(key);
        CHECK(j.contains(key));
    }
    CHECK(j["decode_tps"].get<double>() == Approx(s.decode_tps).epsilon(1e-5));
    CHECK(j["bytes_per_token"].get<std::int64_t>() == s.bytes_per_token);
    CHECK(j["gpu_bytes_per_token"].get<std::int64_t>() + j["host_bytes_per_token"].get<std::int64_t>() == s.bytes_per_token);
    CHECK(j["bound"] == "bandwidth");
    CHECK(j["parts"].size() == 2);
    CHECK(j["parts"][1]["where"] == "system_ram");
    CHECK(j["gpu_layers"] == 41);
    CHECK(j["total_layers"] == 81);
}

TEST_CASE("explain_speed says the speed, the split and the basis in plain words", "[speed_json]") {
    const SpeedEstimate s = offloaded_70b();
    const std::string head = speed_headline(s);
    CHECK(head.rfind("about ", 0) == 0);
    CHECK(head.find(" tokens/s") != std::string::npos);
    CHECK(speedup_words(s).find("x faster than the CPU alone") != std::string::npos);
    const std::vector<std::string> lines = explain_speed(s);
    REQUIRE(lines.size() >= 5);
    CHECK(lines[0].rfind("Decode: about ", 0) == 0);
    CHECK(has_line(lines, "41 of 81 layers"));
    CHECK(has_line(lines, "40 of 81 layers"));
    CHECK(has_line(lines, "times add"));
    CHECK(has_line(lines, "Bandwidth efficiency 90%"));
    CHECK(has_line(lines, "Prefill: about "));
    CHECK(has_line(lines, "input embedding is only looked up"));
}

TEST_CASE("the headline rounds like a person would", "[speed_json]") {
    SpeedEstimate s;
    s.decode_tps = 12.34;
    CHECK(speed_headline(s) == "about 12 tokens/s");
    s.decode_tps = 1.34;
    CHECK(speed_headline(s) == "about 1.3 tokens/s");
    s.decode_tps = 0.423;
    CHECK(speed_headline(s) == "about 0.423 tokens/s");
    s.decode_tps = 1234.4;
    CHECK(speed_headline(s) == "about 1,234 tokens/s");
    CHECK(speedup_words(s).empty());  // no GPU layers: nothing to compare
}

TEST_CASE("write_serving and explain_serving", "[speed_json]") {
    const PreparedModel m = test::model("llama-3.1-8b");
    const Device& d = test::device("h100-sxm");
    InferenceOptions o;
    o.engine = Engine::vllm;
    o.context = 8192;
    const Estimate e = test::estimate(m, "bf16", d, o);
    const ServingEstimate s = estimate_serving(m, e, d, {}).value();
    JsonWriter w;
    write_serving(w, s);
    const nlohmann::json j = nlohmann::json::parse(w.str());
    for (const char* key : {"kv_budget_bytes", "num_blocks", "kv_tokens", "max_concurrency", "max_sequences", "log_line",
                            "aggregate_decode_tps", "weights_bytes", "activation_peak_bytes", "non_torch_bytes", "fits"}) {
        INFO(key);
        CHECK(j.contains(key));
    }
    CHECK(j["log_line"] == s.log_line);
    const std::vector<std::string> lines = explain_serving(s);
    CHECK(has_line(lines, "Maximum concurrency for 8,192 tokens per request: "));
    CHECK(has_line(lines, "blocks of 16 tokens"));
}
