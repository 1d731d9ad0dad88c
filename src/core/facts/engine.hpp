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

// Which release's memory rules an estimate follows where the runtimes changed them materially.
// `latest` is what the line items cite (engine_rules_text says which versions); the others are
// older rules a person can pick (request field engine_version):
//   llama_cpp_2025_10: llama.cpp builds from May 2024 (PR #7257) to October 2025 (PR #16812) padded
//     the KV cache to 32 cells without flash attention, 256 with it; since PR #17046 (November 2025)
//     the context is padded to 256 cells either way. ollama's llama.cpp runner follows the build it vendors.
//   vllm_v0: vLLM's V0 engine profiled max(max_model_len, 2048) batched tokens when chunked prefill
//     was off (the default up to max_model_len 32768), with 256 sequences; V1 (the default since
//     v0.8) profiles max_num_batched_tokens (8192 or 2048) and max_num_seqs (1024 or 256).
enum class EngineVersion : std::uint8_t { latest, llama_cpp_2025_10, vllm_v0 };
const char* engine_version_name(EngineVersion version);  // "latest", "llama.cpp-2025.10", "vllm-v0"
bool parse_engine_version(std::string_view text, EngineVersion& out);
// Whether a version's rules concern an engine (latest concerns every engine).
bool engine_version_applies(EngineVersion version, Engine engine);
// The rules an estimate follows, in words, for the assumptions ("llama.cpp as of PR #17046 ...").
const char* engine_rules_text(Engine engine, EngineVersion version);

}  // namespace wif
