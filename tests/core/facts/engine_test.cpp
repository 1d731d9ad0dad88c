#include <catch2/catch.hpp>

#include <string>

#include "facts/engine.hpp"

using namespace wif;

TEST_CASE("engine names parse in the spellings people use", "[engine]") {
    struct Spelling { const char* text; Engine engine; };
    const Spelling spellings[] = {
        {"llama.cpp", Engine::llama_cpp}, {"llamacpp", Engine::llama_cpp},   {"llama-server", Engine::llama_cpp},
        {"LM Studio", Engine::llama_cpp}, {"ollama", Engine::ollama},         {"Ollama", Engine::ollama},
        {"vllm", Engine::vllm},           {"vLLM", Engine::vllm},             {"transformers", Engine::transformers},
        {"hf", Engine::transformers},     {"mlx", Engine::mlx},               {"mlx-lm", Engine::mlx},
        {"mlx_lm", Engine::mlx},          {"exllamav2", Engine::exllamav2},   {"exl2", Engine::exllamav2},
        {"TabbyAPI", Engine::exllamav2},
    };
    for (const Spelling& s : spellings) {
        INFO(s.text);
        Engine e = Engine::vllm;
        REQUIRE(parse_engine(s.text, e));
        CHECK(e == s.engine);
    }
    Engine e = Engine::llama_cpp;
    CHECK_FALSE(parse_engine("tensorrt-llm", e));
    CHECK_FALSE(parse_engine("", e));
    CHECK_FALSE(parse_engine("llama", e));
}

TEST_CASE("every engine's printed name parses back to the same engine", "[engine]") {
    for (Engine e : {Engine::llama_cpp, Engine::ollama, Engine::vllm, Engine::transformers, Engine::mlx, Engine::exllamav2}) {
        INFO(engine_name(e));
        Engine back = e == Engine::vllm ? Engine::mlx : Engine::vllm;
        REQUIRE(parse_engine(engine_name(e), back));
        CHECK(back == e);
    }
    CHECK(std::string(engine_name(Engine::llama_cpp)) == "llama.cpp");
}

TEST_CASE("backend names parse, with hip for ROCm and xpu for SYCL", "[engine]") {
    struct Spelling { const char* text; Backend backend; };
    const Spelling spellings[] = {
        {"cuda", Backend::cuda}, {"CUDA", Backend::cuda},   {"rocm", Backend::rocm},     {"hip", Backend::rocm},
        {"metal", Backend::metal}, {"Metal", Backend::metal}, {"sycl", Backend::sycl},   {"xpu", Backend::sycl},
        {"vulkan", Backend::vulkan}, {"cpu", Backend::cpu},
    };
    for (const Spelling& s : spellings) {
        INFO(s.text);
        Backend b = Backend::cpu;
        REQUIRE(parse_backend(s.text, b));
        CHECK(b == s.backend);
    }
    Backend b = Backend::cuda;
    CHECK_FALSE(parse_backend("opencl", b));
    CHECK_FALSE(parse_backend("mps", b));
    for (Backend x : {Backend::cuda, Backend::rocm, Backend::metal, Backend::sycl, Backend::vulkan, Backend::cpu}) {
        Backend back = x == Backend::cpu ? Backend::cuda : Backend::cpu;
        REQUIRE(parse_backend(backend_name(x), back));
        CHECK(back == x);
    }
    CHECK(std::string(backend_label(Backend::rocm)) == "ROCm");
}

TEST_CASE("MLX runs only on Metal and vLLM never on Metal", "[engine]") {
    for (Backend b : {Backend::cuda, Backend::rocm, Backend::sycl, Backend::vulkan, Backend::cpu}) {
        INFO(backend_name(b));
        CHECK_FALSE(engine_supports_backend(Engine::mlx, b));
    }
    CHECK(engine_supports_backend(Engine::mlx, Backend::metal));

    CHECK_FALSE(engine_supports_backend(Engine::vllm, Backend::metal));
    CHECK(engine_supports_backend(Engine::vllm, Backend::cuda));
    CHECK(engine_supports_backend(Engine::vllm, Backend::rocm));

    // ggml has a backend for each of them.
    for (Backend b : {Backend::cuda, Backend::rocm, Backend::metal, Backend::sycl, Backend::vulkan, Backend::cpu}) {
        INFO(backend_name(b));
        CHECK(engine_supports_backend(Engine::llama_cpp, b));
        CHECK(engine_supports_backend(Engine::ollama, b));
    }
    CHECK_FALSE(engine_supports_backend(Engine::exllamav2, Backend::metal));
}

TEST_CASE("only llama.cpp and ollama run layers from system RAM as a matter of course", "[engine]") {
    CHECK(engine_can_offload(Engine::llama_cpp));
    CHECK(engine_can_offload(Engine::ollama));
    CHECK_FALSE(engine_can_offload(Engine::vllm));
    CHECK_FALSE(engine_can_offload(Engine::transformers));
    CHECK_FALSE(engine_can_offload(Engine::mlx));
    CHECK_FALSE(engine_can_offload(Engine::exllamav2));
}

TEST_CASE("engine versions are read by their names and apply to their own engine", "[engine][engine_version]") {
    EngineVersion v = EngineVersion::vllm_v0;
    CHECK(parse_engine_version("", v));
    CHECK(v == EngineVersion::latest);
    CHECK(parse_engine_version("llama.cpp-2025.10", v));
    CHECK(v == EngineVersion::llama_cpp_2025_10);
    CHECK(parse_engine_version("VLLM-V0", v));
    CHECK(v == EngineVersion::vllm_v0);
    CHECK_FALSE(parse_engine_version("v2", v));
    for (EngineVersion e : {EngineVersion::latest, EngineVersion::llama_cpp_2025_10, EngineVersion::vllm_v0}) {
        EngineVersion back = EngineVersion::latest;
        CHECK(parse_engine_version(engine_version_name(e), back));
        CHECK(back == e);
    }
    CHECK(engine_version_applies(EngineVersion::llama_cpp_2025_10, Engine::ollama));
    CHECK_FALSE(engine_version_applies(EngineVersion::llama_cpp_2025_10, Engine::vllm));
    CHECK(engine_version_applies(EngineVersion::vllm_v0, Engine::vllm));
    CHECK(engine_version_applies(EngineVersion::latest, Engine::mlx));
    // The words name the rule's source.
    CHECK(std::string(engine_rules_text(Engine::llama_cpp, EngineVersion::latest)).find("PR #17046") != std::string::npos);
    CHECK(std::string(engine_rules_text(Engine::vllm, EngineVersion::vllm_v0)).find("V0") != std::string::npos);
}
