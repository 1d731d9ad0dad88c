#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>

#include "facts/device.hpp"
#include "test_support.hpp"

using namespace wif;

TEST_CASE("a Mac's GPU may use the recommendedMaxWorkingSetSize that Metal logs: 2/3 of RAM up to 36 GB, 3/4 above", "[device]") {
    // tests/data/published_figures.json apple_working_set: ggml_metal_init lines of that era print
    // recommendedMaxWorkingSetSize / 2^20 with the label "MB".
    struct Logged { const char* device; double mib; const char* source; };
    const Logged logged[] = {
        {"apple-m2-8gb", 5461.34, "li-plus/chatglm.cpp#76 (M2 MacBook Air 8GB)"},
        {"apple-m1-16gb", 10922.67, "ise-uiuc/magicoder#19 (MacBook Air M1 16G)"},
        {"apple-m1-max-32gb", 21845.34, "ggml-org/llama.cpp#2011 (M1 Max 32GB)"},
        {"apple-m2-max-32gb", 21845.34, "ollama/ollama#434 (M2 Max 32GB)"},
        {"apple-m1-max-64gb", 49152.00, "ggml-org/llama.cpp#1870 (M1 Max 64GB)"},
        {"apple-m2-max-96gb", 73728.00, "ggml-org/llama.cpp#3213 (M2 Max 96GB, printed '73728,00')"},
    };
    for (const Logged& l : logged) {
        INFO(l.device << ": logged " << l.mib << " MiB in " << l.source);
        const Device& d = wif::test::device(l.device);
        const UsableMemory u = usable_memory(d, UsableOptions{});
        INFO("usable " << static_cast<double>(u.usable_bytes) / MiB << " MiB");
        // macOS reports a whole number of 16 KiB pages (2/3 of 8 GiB is 5461.33 MiB, logged as 5461.34), so a
        // fraction of RAM matches the log to within one page, 1/64 MiB.
        CHECK(std::abs(static_cast<double>(u.usable_bytes) / MiB - l.mib) <= 1.0 / 64);
    }
    // Above 36 GB the share is exactly 3/4.
    CHECK(usable_memory(wif::test::device("apple-m1-max-64gb"), UsableOptions{}).usable_bytes == 49152 * MiB);
    CHECK(usable_memory(wif::test::device("apple-m2-max-96gb"), UsableOptions{}).usable_bytes == 73728 * MiB);
}

TEST_CASE("iogpu.wired_limit_mb replaces the default working set of a Mac", "[device]") {
    const Device& mac = wif::test::device("apple-m1-max-64gb");
    UsableOptions o;
    o.wired_limit_mb = 57344;  // sudo sysctl iogpu.wired_limit_mb=57344 (56 GiB)
    CHECK(usable_memory(mac, o).usable_bytes == 57344 * MiB);
    // A limit above the RAM cannot give more than the RAM.
    o.wired_limit_mb = 100000;
    CHECK(usable_memory(mac, o).usable_bytes == 64 * GiB);
}

TEST_CASE("a discrete GPU offers all of its memory minus what the user reserves", "[device]") {
    const Device& gpu = wif::test::device("rtx-4090");
    REQUIRE(gpu.kind == DeviceKind::gpu);
    const UsableMemory all = usable_memory(gpu, UsableOptions{});
    CHECK(all.device_bytes == 24 * GiB);
    CHECK(all.usable_bytes == 24 * GiB);
    UsableOptions o;
    o.reserve_bytes = 1536 * MiB;
    CHECK(usable_memory(gpu, o).usable_bytes == 24 * GiB - 1536 * MiB);
}

TEST_CASE("a CPU-only machine keeps 10% of its RAM, and at least 2 GiB, for the OS", "[device]") {
    const Device big = custom_device(64, DeviceKind::cpu);
    const bytes_t ram = 64 * GiB;
    CHECK(usable_memory(big, UsableOptions{}).usable_bytes == ram - ram / 10);  // 6.4 GiB kept
    const Device small = custom_device(16, DeviceKind::cpu);
    CHECK(usable_memory(small, UsableOptions{}).usable_bytes == 14 * GiB);  // 1.6 GiB < 2 GiB: 2 GiB kept
    UsableOptions o;
    o.reserve_bytes = 4 * GiB;
    CHECK(usable_memory(small, o).usable_bytes == 12 * GiB);
}

TEST_CASE("vLLM takes gpu_memory_utilization 0.9 of the GPU", "[device]") {
    // vllm/v1/worker/gpu_worker.py: requested_memory = total_memory x gpu_memory_utilization.
    UsableOptions o;
    o.gpu_memory_utilization = 0.9;
    CHECK(usable_memory(wif::test::device("h100-sxm"), o).usable_bytes == 72 * GiB);  // 80 GiB x 0.9
    const bytes_t rtx = usable_memory(wif::test::device("rtx-4090"), o).usable_bytes;
    CHECK(std::abs(static_cast<double>(rtx) - 0.9 * 24 * static_cast<double>(GiB)) <= 1.0);  // rounded to a byte
}

TEST_CASE("a device made from a bare size has that many GiB", "[device]") {
    const Device d = custom_device(24, DeviceKind::gpu);
    CHECK(d.memory_bytes() == 24 * GiB);
    CHECK(d.kind == DeviceKind::gpu);
    const Device mac = custom_device(16, DeviceKind::unified);
    CHECK(mac.is_apple());
    CHECK(mac.backend == Backend::metal);
    CHECK(custom_device(32, DeviceKind::cpu).backend == Backend::cpu);
}
