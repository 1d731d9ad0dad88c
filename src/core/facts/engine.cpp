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

}  // namespace wif
