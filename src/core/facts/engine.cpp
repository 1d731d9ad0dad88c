#include "facts/engine.hpp"

#include <string>

#include "base/units.hpp"

namespace wif {

const char* engine_name(Engine engine) {
    switch (engine) {
        case Engine::llama_cpp: return "llama.cpp";
        case Engine::ollama: return "ollama";
        case Engine::vllm: return "vllm";
        case Engine::transformers: return "transformers";
        case Engine::mlx: return "mlx";
        case Engine::exllamav2: return "exllamav2";
    }
    return "?";
}

const char* backend_name(Backend backend) {
    switch (backend) {
        case Backend::cuda: return "cuda";
        case Backend::rocm: return "rocm";
        case Backend::metal: return "metal";
        case Backend::sycl: return "sycl";
        case Backend::vulkan: return "vulkan";
        case Backend::cpu: return "cpu";
    }
    return "?";
}

bool parse_engine(std::string_view text, Engine& out) {
    const std::string t = to_lower(text);
    if (t == "llama.cpp" || t == "llamacpp" || t == "llama-cpp" || t == "llama_cpp" || t == "llama-server" ||
        t == "lm studio" || t == "lmstudio" || t == "koboldcpp") {
        out = Engine::llama_cpp;
    } else if (t == "ollama") {
        out = Engine::ollama;
    } else if (t == "vllm") {
        out = Engine::vllm;
    } else if (t == "transformers" || t == "hf" || t == "huggingface" || t == "pytorch") {
        out = Engine::transformers;
    } else if (t == "mlx" || t == "mlx-lm" || t == "mlx_lm") {
        out = Engine::mlx;
    } else if (t == "exllamav2" || t == "exllama" || t == "exl2" || t == "tabbyapi") {
        out = Engine::exllamav2;
    } else {
        return false;
    }
    return true;
}

bool parse_backend(std::string_view text, Backend& out) {
    const std::string t = to_lower(text);
    if (t == "cuda") out = Backend::cuda;
    else if (t == "rocm" || t == "hip") out = Backend::rocm;
    else if (t == "metal") out = Backend::metal;
    else if (t == "sycl" || t == "xpu") out = Backend::sycl;
    else if (t == "vulkan") out = Backend::vulkan;
    else if (t == "cpu") out = Backend::cpu;
    else return false;
    return true;
}

bool engine_can_offload(Engine engine) { return engine == Engine::llama_cpp || engine == Engine::ollama; }

const char* backend_label(Backend backend) {
    switch (backend) {
        case Backend::cuda: return "CUDA";
        case Backend::rocm: return "ROCm";
        case Backend::metal: return "Metal";
        case Backend::sycl: return "SYCL";
        case Backend::vulkan: return "Vulkan";
        case Backend::cpu: return "CPU";
    }
    return "?";
}

bool engine_supports_backend(Engine engine, Backend backend) {
    switch (engine) {
        case Engine::llama_cpp:
        case Engine::ollama: return true;  // ggml has CUDA, ROCm, Metal, SYCL, Vulkan and CPU backends
        case Engine::vllm: return backend == Backend::cuda || backend == Backend::rocm || backend == Backend::sycl;
        case Engine::transformers: return true;  // PyTorch: CUDA, ROCm, MPS, XPU, CPU
        case Engine::mlx: return backend == Backend::metal;
        case Engine::exllamav2: return backend == Backend::cuda || backend == Backend::rocm;
    }
    return false;
}

const char* engine_version_name(EngineVersion version) {
    switch (version) {
        case EngineVersion::latest: return "latest";
        case EngineVersion::llama_cpp_2025_10: return "llama.cpp-2025.10";
        case EngineVersion::vllm_v0: return "vllm-v0";
    }
    return "?";
}

bool parse_engine_version(std::string_view text, EngineVersion& out) {
    const std::string t = to_lower(text);
    if (t.empty() || t == "latest" || t == "current" || t == "vllm-v1" || t == "v1") {
        out = EngineVersion::latest;
    } else if (t == "llama.cpp-2025.10" || t == "llama.cpp-2024" || t == "llama.cpp-old") {
        out = EngineVersion::llama_cpp_2025_10;
    } else if (t == "vllm-v0" || t == "v0") {
        out = EngineVersion::vllm_v0;
    } else {
        return false;
    }
    return true;
}

bool engine_version_applies(EngineVersion version, Engine engine) {
    switch (version) {
        case EngineVersion::latest: return true;
        case EngineVersion::llama_cpp_2025_10: return engine == Engine::llama_cpp || engine == Engine::ollama;
        case EngineVersion::vllm_v0: return engine == Engine::vllm;
    }
    return false;
}

const char* engine_rules_text(Engine engine, EngineVersion version) {
    switch (engine) {
        case Engine::llama_cpp:
        case Engine::ollama:
            return version == EngineVersion::llama_cpp_2025_10
                       ? "llama.cpp builds of May 2024 - October 2025 (PR #7257 to PR #16812): KV cache padded to 32 cells "
                         "without flash attention, 256 with it; compute buffers of one ubatch's worst-case graph"
                       : "llama.cpp since PR #17046 (November 2025): context padded to 256 cells; compute buffers of one "
                         "ubatch's worst-case graph (engine_version llama.cpp-2025.10 for older builds)";
        case Engine::vllm:
            return version == EngineVersion::vllm_v0
                       ? "vLLM V0 engine: the profile run takes max(max_model_len, 2048) tokens (2048 past 32768 with "
                         "chunked prefill) and 256 sequences"
                       : "vLLM V1 engine (default since v0.8): the profile run takes max_num_batched_tokens (8192 on "
                         "GPUs of 70 GiB or more, else 2048) and max_num_seqs (engine_version vllm-v0 for the V0 engine)";
        case Engine::mlx: return "mlx-lm 0.22+ (fused causal attention, PR #40, March 2025): no score matrix kept; prefill in 2048-token steps";
        case Engine::transformers: return "transformers with PyTorch SDPA (no score matrix kept); the prompt prefilled at once";
        case Engine::exllamav2: return "ExLlamaV2: prompt processed in 2048-token chunks";
    }
    return "";
}

}  // namespace wif
