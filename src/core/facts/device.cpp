#include "facts/device.hpp"

#include <algorithm>
#include <cmath>

namespace wif {

const char* device_kind_name(DeviceKind kind) {
    switch (kind) {
        case DeviceKind::gpu: return "gpu";
        case DeviceKind::unified: return "unified";
        case DeviceKind::cpu: return "cpu";
    }
    return "?";
}

// An idle desktop OS with a browser holds 2-4 GB [estimate]; keep 10% (at least 2 GiB).
bytes_t os_reserve(bytes_t ram) { return std::max<bytes_t>(2 * GiB, ram / 10); }

bytes_t Device::memory_bytes() const { return round_bytes(memory_gib * static_cast<double>(GiB)); }

bool Device::name_says_size() const {
    return name.find(" GB") != std::string::npos || name.find("GB)") != std::string::npos || name.find("GB ") != std::string::npos ||
           (name.size() > 2 && name.compare(name.size() - 2, 2, "GB") == 0);
}

UsableMemory usable_memory(const Device& d, const UsableOptions& o, bool describe) {
    UsableMemory u;
    u.device_bytes = d.memory_bytes();
    const double total = static_cast<double>(u.device_bytes);
    auto say = [&](std::string rule, const char* source) {
        if (!describe) return;
        u.rule = std::move(rule);
        u.source = source;
    };
    if (d.kind == DeviceKind::cpu) {
        const bytes_t reserve = o.reserve_bytes >= 0 ? o.reserve_bytes : os_reserve(u.device_bytes);
        u.usable_bytes = std::max<bytes_t>(0, u.device_bytes - reserve);
        if (describe) {
            say("system RAM minus " + format_bytes(reserve, Units::gb) + " for the OS and other programs",
                "llama.cpp/ollama check the model against free system memory (ollama llm/memory.go)");
        }
        return u;
    }
    if (d.kind == DeviceKind::unified) {
        if (o.wired_limit_mb > 0) {
            u.usable_bytes = std::min(u.device_bytes, round_bytes(o.wired_limit_mb * MiB));
            if (describe) {
                say("iogpu.wired_limit_mb = " + format_fixed(o.wired_limit_mb, 0) + " MiB",
                    "sudo sysctl iogpu.wired_limit_mb (macOS 14+); Metal then reports it as recommendedMaxWorkingSetSize");
            }
        } else if (d.is_apple()) {
            // Logged recommendedMaxWorkingSetSize: 8 GB -> 5461.34 MB, 16 GB -> 10922.67 MiB and
            // 32 GB -> 21845.34 MB (2/3); 64 GB -> 49152 MiB and 96 GB -> 73728 MB (3/4).
            const bool small = d.memory_gib <= 36;
            u.usable_bytes = round_bytes(total * (small ? 2.0 / 3.0 : 0.75));
            say(small ? "macOS lets the GPU wire 2/3 of unified memory up to 36 GB"
                      : "macOS lets the GPU wire 3/4 of unified memory above 36 GB",
                "Metal recommendedMaxWorkingSetSize in llama.cpp logs (llama.cpp #1870, #2011, #3213; ollama #434)");
        } else {
            const double fraction = d.usable_fraction > 0 ? d.usable_fraction : 0.75;
            u.usable_bytes = round_bytes(total * fraction);
            if (describe) {
                say("the GPU may use " + format_sig3(fraction * 100) + "% of unified memory",
                    d.usable_fraction > 0 ? "device catalog" : "assumed default for unified-memory machines [estimate]");
            }
        }
        if (o.reserve_bytes > 0) u.usable_bytes = std::max<bytes_t>(0, u.usable_bytes - o.reserve_bytes);
    } else {
        const bytes_t reserve = std::max<bytes_t>(0, o.reserve_bytes);
        u.usable_bytes = std::max<bytes_t>(0, u.device_bytes - reserve);
        if (describe) {
            say(reserve > 0 ? "all of its memory minus " + format_bytes(reserve, Units::gb) + " reserved"
                            : "all of its memory; the runtime's own context is counted as overhead",
                "NVIDIA/AMD drivers expose nearly all VRAM; the CUDA/HIP context is itemized separately");
        }
    }
    if (o.gpu_memory_utilization > 0) {
        // vllm/v1/worker/gpu_worker.py: requested_memory = total x gpu_memory_utilization.
        u.usable_bytes = std::min(u.usable_bytes, round_bytes(total * o.gpu_memory_utilization));
        if (describe) {
            say("vLLM takes gpu_memory_utilization = " + format_sig3(o.gpu_memory_utilization) + " of the GPU",
                "vllm/v1/worker/gpu_worker.py (determine_available_memory)");
        }
    }
    return u;
}

Device custom_device(double memory_gib, DeviceKind kind) {
    Device d;
    d.kind = kind;
    d.memory_gib = memory_gib;
    const std::string size = format_sig3(memory_gib) + " GB";
    if (kind == DeviceKind::cpu) {
        d.id = "custom-cpu";
        d.name = "a computer with " + size + " of RAM";
        d.backend = Backend::cpu;
        d.vendor = "generic";
        d.segment = "cpu";
    } else if (kind == DeviceKind::unified) {
        d.id = "custom-unified";
        d.name = "a Mac with " + size + " of unified memory";
        d.backend = Backend::metal;
        d.vendor = "apple";
        d.segment = "apple";
    } else {
        d.id = "custom-gpu";
        d.name = "a " + size + " GPU";
        d.backend = Backend::cuda;
        d.vendor = "nvidia";
        d.segment = "desktop";
    }
    return d;
}

}  // namespace wif
