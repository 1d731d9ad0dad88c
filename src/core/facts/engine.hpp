// The inference runtimes we model, and the GPU backends they run on.
#pragma once

#include <cstdint>
#include <string_view>

namespace wif {

enum class Engine : std::uint8_t { llama_cpp, ollama, vllm, transformers, mlx, exllamav2 };
enum class Backend : std::uint8_t { cuda, rocm, metal, sycl, vulkan, cpu };

const char* engine_name(Engine engine);    // "llama.cpp", "ollama", "vllm", ...
const char* backend_name(Backend backend); // "cuda", "rocm", ...
bool parse_engine(std::string_view text, Engine& out);
bool parse_backend(std::string_view text, Backend& out);

const char* backend_label(Backend backend);  // "CUDA", "ROCm", "Metal", ...

// Whether the engine runs part of a model from system RAM as a matter of course: llama.cpp and
// ollama compute the layers they keep on the CPU (-ngl). transformers (device_map="auto") and
// vLLM (--cpu-offload-gb) can only stream offloaded weights over PCIe for every token, too slow
// to count as fitting; MLX and ExLlamaV2 need the whole model on the GPU.
bool engine_can_offload(Engine engine);

// Whether the engine runs on a backend (vLLM: CUDA/ROCm/XPU; MLX: Apple Metal only; ...).
bool engine_supports_backend(Engine engine, Backend backend);

}  // namespace wif
