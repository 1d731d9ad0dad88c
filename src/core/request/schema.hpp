// The one request schema: every input once, with its JSON key (also the page's property name),
// CLI flag, kind, unit, range and default. CLI flags, JSON reading, input checks and the .d.ts
// follow from this table (tests check the CLI and web/willitfit.d.ts against it), so defaults and
// limits are written once.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/limits.hpp"

namespace wif {

enum class FieldKind : std::uint8_t {
    text,     // a name or word ("llama-3.1-8b", "q8_0", "auto")
    integer,  // a whole number in [min, max]
    number,   // a real number in [min, max]
    size,     // memory: a number of GB (as marketed) or a string with a unit ("24GB", "512MB")
    tokens,   // a token count: a number or "8k"
    params,   // a parameter count: a number or "7B"
    file,     // the CLI reads a file, the page passes its text
    object,   // a nested object (training options)
};

struct FieldSpec {
    const char* key;       // JSON key and JS property, snake_case
    const char* flag;      // CLI flag without "--" ("" = JSON only)
    FieldKind kind;
    double min, max;       // for integer, number, size (GB) and tokens
    double fallback;       // the default when absent (numbers); text defaults are in `help`
    const char* unit;
    const char* help;
};

inline constexpr FieldSpec kRequestFields[] = {
    {"intent", "intent", FieldKind::text, 0, 0, 0, "", "memory | training | speed | device_count | what_fits | serving | sizes (default memory)"},
    {"model", "model", FieldKind::text, 0, 0, 0, "", "catalog id, alias or Hugging Face repo id"},
    {"hf_config", "hf-config", FieldKind::file, 0, 0, 0, "", "config.json (text or object) instead of a model name"},
    {"params", "params", FieldKind::params, 1e8, 3e12, 0, "parameters", "a bare parameter count instead of a model (7B)"},
    {"quant", "quant", FieldKind::text, 0, 0, 0, "", "weight format (catalog id or exl2:4.65, gptq:4:128, ...); default the checkpoint's dtype"},
    {"device", "device", FieldKind::text, 0, 0, 0, "", "catalog device id or name"},
    {"memory", "memory", FieldKind::size, 0, kMaxSizeGib, 0, "GB", "a bare memory size instead of a device"},
    {"device_kind", "device-kind", FieldKind::text, 0, 0, 0, "", "with memory: gpu | unified | cpu (default gpu)"},
    {"count", "count", FieldKind::integer, 1, kMaxDevices, 1, "devices", "how many of the device"},
    {"ctx", "ctx", FieldKind::tokens, 0, kMaxContext, 0, "tokens", "context length (0: 4096, capped at the model's maximum)"},
    {"batch", "batch", FieldKind::integer, 1, 4096, 1, "sequences", "parallel sequences"},
    {"ubatch", "ubatch", FieldKind::integer, 1, 65536, 512, "tokens", "llama.cpp physical batch (-ub)"},
    {"kv_type", "kv-type", FieldKind::text, 0, 0, 0, "", "KV-cache type: f16, bf16, fp8, q8_0, q4_0 (default f16)"},
    {"engine", "engine", FieldKind::text, 0, 0, 0, "", "llama.cpp | ollama | vllm | transformers | mlx | exllamav2 (default: from the format)"},
    {"flash_attn", "flash-attn", FieldKind::text, 0, 0, 0, "", "on | off | auto (default auto)"},
    {"engine_version", "engine-version", FieldKind::text, 0, 0, 0, "", "whose memory rules: latest | llama.cpp-2025.10 | vllm-v0 (default latest)"},
    {"ram", "ram", FieldKind::size, 0, kMaxSizeGib, 0, "GB", "system RAM beside the device (default: typical for the device)"},
    {"wired_limit_mb", "wired-limit-mb", FieldKind::number, 0, 1e8, 0, "MB", "macOS iogpu.wired_limit_mb"},
    {"reserve", "reserve", FieldKind::size, 0, kMaxSizeGib, -1, "GB", "memory other programs keep on the device"},
    {"gpu_memory_utilization", "gpu-util", FieldKind::number, 0.01, 1, 0.9, "", "vLLM's share of the GPU"},
    {"ngl", "ngl", FieldKind::integer, -1, 100000, -1, "layers", "llama.cpp -ngl: layers on the GPU (-1: as many as fit)"},
    {"n_cpu_moe", "n-cpu-moe", FieldKind::integer, -1, 100000, 0, "layers", "llama.cpp --n-cpu-moe: routed experts of the first N layers stay in system RAM (-1 or all: every layer, --cpu-moe)"},
    {"prompt", "prompt", FieldKind::tokens, 1, kMaxContext, 512, "tokens", "prompt length for prefill speed (llama-bench pp512)"},
    {"depth", "depth", FieldKind::tokens, 0, kMaxContext, 0, "tokens", "tokens already in context when decoding (llama-bench tg128: 0)"},
    {"bandwidth_efficiency", "bandwidth-efficiency", FieldKind::number, 0, 1, 0, "", "fraction of peak memory bandwidth decode reaches (0: from measurements)"},
    {"compute_efficiency", "compute-efficiency", FieldKind::number, 0, 1, 0, "", "fraction of peak fp16 compute prefill reaches (0: from measurements)"},
    {"ram_bandwidth", "ram-bandwidth", FieldKind::number, 0, 1e5, 0, "GB/s", "system RAM bandwidth for offloaded layers (0: typical)"},
    {"max_model_len", "max-model-len", FieldKind::tokens, 0, kMaxContext, 0, "tokens", "vLLM serving: tokens per request (0: the context)"},
    {"units", "units", FieldKind::text, 0, 0, 0, "", "gb | gib (default gb)"},
    {"training", "", FieldKind::object, 0, 0, 0, "", "training options (method, optimizer, precision, ...)"},
};

constexpr const FieldSpec* find_field(std::string_view key) {
    for (const FieldSpec& f : kRequestFields) {
        if (key == f.key) return &f;
    }
    return nullptr;
}

// Not constexpr: reaching it during constant evaluation is a compile error.
inline void unknown_request_field() {}

// The spec of a field this code names; a typo fails to compile (constant evaluation).
consteval const FieldSpec& field(std::string_view key) {
    const FieldSpec* f = find_field(key);
    if (!f) unknown_request_field();
    return *f;
}

// The part of a field's spec that reading a request needs. Readers take this instead of the
// FieldSpec, so programs that never print the help texts (the page's core) do not carry them.
struct FieldRange {
    const char* key;
    double min, max, fallback;
};

consteval FieldRange range(std::string_view key) {
    const FieldSpec& f = field(key);
    return {f.key, f.min, f.max, f.fallback};
}

}  // namespace wif
