// Devices and how much of their memory a model may use.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "facts/engine.hpp"
#include "base/units.hpp"

namespace wif {

enum class DeviceKind : std::uint8_t { gpu, unified, cpu };

const char* device_kind_name(DeviceKind kind);

struct Device {
    std::string id;
    std::string name;
    std::string vendor;
    DeviceKind kind = DeviceKind::gpu;
    std::string segment;  // desktop, laptop, workstation, datacenter, apple, apu, cpu
    std::vector<std::string> aliases;
    double memory_gib = 0;      // as marketed: a "24 GB" card has 24 GiB
    std::string memory_type;
    double bandwidth_gbs = 0;   // GB/s
    double fp16_tflops = 0;     // dense
    double fp8_tflops = 0;
    double tdp_w = 0;
    double price_usd = 0;
    double cloud_usd_per_hour = 0;
    Backend backend = Backend::cuda;
    std::int64_t release_year = 0;
    double usable_fraction = 0;  // unified memory the GPU may use, when the catalog knows it
    std::int64_t gpu_cores = 0;
    std::string source;

    bytes_t memory_bytes() const;
    // Whether the name already says its memory ("RTX 3080 Laptop GPU (16 GB)", "H100 SXM5 80GB"),
    // so words about it need not add "(16 GB)" again.
    bool name_says_size() const;
    bool is_apple() const { return kind == DeviceKind::unified && vendor == "apple"; }
    bool operator==(const Device&) const = default;
};

struct UsableOptions {
    double wired_limit_mb = 0;    // macOS iogpu.wired_limit_mb (0 = macOS default)
    bytes_t reserve_bytes = -1;   // memory other programs keep (display, OS); -1 = default
    double gpu_memory_utilization = 0;  // vLLM's fraction of the GPU (0 = not vLLM)
};

struct UsableMemory {
    bytes_t device_bytes = 0;  // per device
    bytes_t usable_bytes = 0;  // per device, what the runtime may allocate
    std::string rule;          // the rule applied, in words
    std::string source;        // where the rule comes from
};

// Apple: Metal's recommendedMaxWorkingSetSize (2/3 of RAM up to 36 GB, 3/4 above, as logged by
// llama.cpp), or iogpu.wired_limit_mb when set. Discrete GPUs: all of it minus `reserve`.
// CPU-only: RAM minus what the OS keeps. vLLM: gpu_memory_utilization x total.
// `describe` = false skips the rule text (sweeps over the whole catalog).
UsableMemory usable_memory(const Device& device, const UsableOptions& options, bool describe = true);

// What the OS and other programs keep of `ram` bytes of system memory: 10%, at least 2 GiB.
bytes_t os_reserve(bytes_t ram);

// A device made from a bare memory size ("a 24GB card"), for questions without a model name.
Device custom_device(double memory_gib, DeviceKind kind);

}  // namespace wif
