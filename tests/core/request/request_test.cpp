#include <catch2/catch.hpp>

#include "request/request.hpp"
#include "test_support.hpp"

using namespace wif;

namespace {

Expected<ResolvedRequest> resolve(const std::string& json) {
    const Expected<Json> parsed = parse_json(json, "request");
    REQUIRE(parsed.ok());
    const Expected<Request> r = request_from_json(parsed.value());
    if (!r) return r.error();
    return resolve_request(test::catalog(), r.value());
}

}  // namespace

TEST_CASE("sizes read as marketed: 24GB is 24 GiB of card, 512MB half a GiB", "[request]") {
    CHECK(parse_size_gib("24GB", "memory").value() == 24);
    CHECK(parse_size_gib("24 GiB", "memory").value() == 24);
    CHECK(parse_size_gib("512MB", "memory").value() == 0.5);
    CHECK(parse_size_gib("1.5TB", "memory").value() == 1536);
    CHECK(parse_size_gib("-8GB", "memory").error().code == "invalid_size");
    CHECK(parse_size_gib("lots", "memory").error().message.find("memory \"lots\"") != std::string::npos);
    CHECK(parse_size_gib("8 parsecs", "memory").error().message.find("unknown unit") != std::string::npos);
}

TEST_CASE("parameter counts read with their units", "[request]") {
    CHECK(parse_param_count("7B").value() == 7'000'000'000);
    CHECK(parse_param_count("1.5b").value() == 1'500'000'000);
    CHECK(parse_param_count("405M").value() == 405'000'000);
    CHECK(parse_param_count("7000000000").value() == 7'000'000'000);
    CHECK(parse_param_count("7").error().message.find("add a unit") != std::string::npos);
    CHECK(parse_param_count("9T").error().code == "params_out_of_range");
}

TEST_CASE("a request names its model and device by id, alias, repo or size", "[request]") {
    const auto a = resolve(R"({"model":"meta-llama/Llama-3.1-8B-Instruct","device":"GeForce RTX 4090","quant":"q4_k_m"})");
    REQUIRE(a.ok());
    CHECK(a->model.id == "llama-3.1-8b");
    CHECK(a->device.id == "rtx-4090");
    CHECK(a->quant.id == "Q4_K_M");
    const auto b = resolve(R"({"params":"7B","memory":"24GB"})");
    REQUIRE(b.ok());
    CHECK(b->model.params.total == 7'000'000'000);
    CHECK(b->device.memory_gib == 24);
    CHECK_FALSE(b->assumptions.empty());
    const auto c = resolve(R"({"model":"13B","device":"16GB"})");
    REQUIRE(c.ok());
    CHECK(c->model.params.total == 13'000'000'000);
}

TEST_CASE("the precision defaults to how the checkpoint is published, and says so", "[request]") {
    CHECK(resolve(R"({"model":"llama-3.1-8b","device":"rtx-4090"})")->quant.id == "bf16");
    CHECK(resolve(R"({"model":"gpt-oss-20b","device":"rtx-4090"})")->quant.id == "mxfp4");
    CHECK(resolve(R"({"model":"deepseek-v3","device":"h100-sxm"})")->quant.id == "fp8");
    const auto r = resolve(R"({"params":"7B","device":"rtx-4090"})");
    CHECK(r->quant.id == "fp16");
    bool said = false;
    for (const std::string& a : r->assumptions) said = said || a.find("precision: fp16") != std::string::npos;
    CHECK(said);
}

TEST_CASE("unknown names fail with close candidates", "[request]") {
    const auto m = resolve(R"({"model":"llama 3.1 80b","device":"rtx-4090"})");
    REQUIRE_FALSE(m.ok());
    CHECK(m.error().code == "unknown_model");
    CHECK(m.error().message.find("did you mean") != std::string::npos);
    const auto d = resolve(R"({"model":"llama-3.1-8b","device":"rtx 4095"})");
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().code == "unknown_device");
    const auto q = resolve(R"({"model":"llama-3.1-8b","device":"rtx-4090","quant":"Q4_K_Q"})");
    CHECK(q.error().code == "unknown_quant");
    CHECK(resolve(R"({"model":"someone/unknown-model","device":"rtx-4090"})").error().message.find("config.json") != std::string::npos);
}

TEST_CASE("missing, conflicting and mistyped fields are errors that name the field", "[request]") {
    CHECK(resolve(R"({"device":"rtx-4090"})").error().code == "missing_model");
    CHECK(resolve(R"({"model":"llama-3.1-8b"})").error().code == "missing_device");
    CHECK(resolve(R"({"model":"llama-3.1-8b","params":"8B","device":"rtx-4090"})").error().code == "conflicting_model");
    CHECK(resolve(R"({"model":"llama-3.1-8b","device":"rtx-4090","memory":24})").error().code == "conflicting_device");
    CHECK(resolve(R"({"model":"llama-3.1-8b","device":"rtx-4090","ctx":"long"})").error().message.find("ctx: expected an integer") != std::string::npos);
    CHECK(resolve(R"({"model":"llama-3.1-8b","device":"rtx-4090","count":-2})").error().message.find("count: must be between 1 and 64") != std::string::npos);
    CHECK(resolve(R"({"model":"llama-3.1-8b","device":"rtx-4090","engine":"tensorrt"})").error().code == "unknown_engine");
    CHECK(resolve(R"({"model":"llama-3.1-8b","device":"rtx-4090","kv_type":"q3"})").error().code == "unknown_kv_type");
    CHECK(resolve(R"({"model":"llama-3.1-8b","device":"rtx-4090","flash_attn":"sometimes"})").error().code == "invalid_flash_attn");
    CHECK(resolve(R"({"model":"llama-3.1-8b","device":"rtx-4090","memory":1e300})").error().code == "invalid_size");
    CHECK(resolve(R"({"model":"llama-3.1-8b","device":"rtx-4090","units":"furlongs"})").error().code == "invalid_units");
    CHECK(resolve(R"(["model"])").error().message.find("expected an object") != std::string::npos);
}

TEST_CASE("a config.json given inline is estimated like a catalog model", "[request]") {
    const auto r = resolve(R"({"hf_config":{"model_type":"llama","vocab_size":32000,"hidden_size":4096,"intermediate_size":11008,
        "num_hidden_layers":32,"num_attention_heads":32},"device":"rtx-4090"})");
    REQUIRE(r.ok());
    // Llama-2-7B's shape: 6,738,415,616 parameters (32 blocks of 202,383,360 + 2 x 32000 x 4096 + 4096).
    CHECK(r->model.params.total == 6'738'415'616);
    CHECK(resolve(R"({"hf_config":"{not json","device":"rtx-4090"})").error().code == "invalid_json");
}

TEST_CASE("n_cpu_moe reads a layer count or all, and names llama.cpp as the engine when none is given", "[request][n_cpu_moe]") {
    const auto twenty = resolve(R"({"model":"qwen3-30b-a3b","device":"rtx-4060","quant":"Q4_K_M","n_cpu_moe":20})");
    REQUIRE(twenty.ok());
    CHECK(twenty->options.n_cpu_moe == 20);
    const auto all = resolve(R"({"model":"qwen3-30b-a3b","device":"rtx-4060","quant":"Q4_K_M","n_cpu_moe":"all"})");
    REQUIRE(all.ok());
    CHECK(all->options.n_cpu_moe == -1);
    CHECK(request_from_json(Json::parse(R"({"n_cpu_moe": -2})")).error().message.find("n_cpu_moe") != std::string::npos);
    CHECK_FALSE(request_from_json(Json::parse(R"({"n_cpu_moe": "some"})")).ok());
    CHECK(request_from_json(Json::object()).value().n_cpu_moe == 0);

    // MXFP4 on a CUDA GPU would be vLLM's; --n-cpu-moe makes it llama.cpp's GGUF, and says so.
    const auto oss = resolve(R"({"model":"gpt-oss-120b","device":"rtx-4090","quant":"mxfp4","n_cpu_moe":"all"})");
    REQUIRE(oss.ok());
    REQUIRE(oss->options.engine.has_value());
    CHECK(*oss->options.engine == Engine::llama_cpp);
    bool said = false;
    for (const std::string& s : oss->assumptions) said = said || s.find("--n-cpu-moe") != std::string::npos;
    CHECK(said);
    // A named engine stays named (and the estimate then refuses the option: pipeline tests).
    const auto named = resolve(R"({"model":"qwen3-30b-a3b","device":"h100-sxm","engine":"vllm","n_cpu_moe":4})");
    REQUIRE(named.ok());
    CHECK(*named->options.engine == Engine::vllm);
}
