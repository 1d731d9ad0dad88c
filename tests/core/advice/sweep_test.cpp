#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/estimate.hpp"
#include "advice/sweep.hpp"
#include "test_support.hpp"

using namespace wif;

namespace {

constexpr int kFits = static_cast<int>(Verdict::fits);
constexpr int kOffload = static_cast<int>(Verdict::fits_with_offload);
constexpr int kNo = static_cast<int>(Verdict::does_not_fit);
constexpr int kUnsupported = -1;

// The full catalog swept once at the default context, shared by the tests that only read it.
const SweepResult& full_sweep() {
    static const SweepResult s = sweep_catalog(test::catalog(), kDefaultContext);
    return s;
}

int index_of(const Lookup& l) {
    REQUIRE(l.index >= 0);
    return l.index;
}

// The row of one combination, found by its indices (not by its position in the list).
const SweepRow& row_of(const SweepResult& s, const std::string& model, const std::string& quant, const std::string& device) {
    const Catalog& c = test::catalog();
    const int mi = index_of(c.find_model(model)), qi = index_of(c.find_quant(quant)), di = index_of(c.find_device(device));
    for (const SweepRow& r : s.rows) {
        if (r.model == mi && r.quant == qi && r.device == di) return r;
    }
    FAIL("no row for " << model << " / " << quant << " / " << device);
    return s.rows.front();
}

// A catalog of a few entries copied from the real one, small enough to reason about every row.
Catalog small_catalog(const std::vector<std::string>& models, const std::vector<std::string>& quants,
                      const std::vector<std::string>& devices) {
    const Catalog& full = test::catalog();
    Catalog c;
    for (const std::string& id : models) c.models.push_back(full.models[static_cast<size_t>(index_of(full.find_model(id)))]);
    for (const std::string& id : quants) c.quants.push_back(full.quants[static_cast<size_t>(index_of(full.find_quant(id)))]);
    for (const std::string& id : devices) c.devices.push_back(full.devices[static_cast<size_t>(index_of(full.find_device(id)))]);
    return c;
}

std::int64_t count_verdict(const SweepResult& s, int verdict) {
    std::int64_t n = 0;
    for (const SweepRow& r : s.rows) n += r.verdict == verdict ? 1 : 0;
    return n;
}

}  // namespace

TEST_CASE("the sweep has one row for every model x format x device of the catalog, each exactly once", "[sweep]") {
    const Catalog& c = test::catalog();
    const SweepResult& s = full_sweep();
    const size_t models = c.models.size(), quants = c.quants.size(), devices = c.devices.size();
    REQUIRE(s.rows.size() == models * quants * devices);
    std::vector<char> seen(s.rows.size(), 0);
    for (const SweepRow& r : s.rows) {
        REQUIRE(r.model < models);
        REQUIRE(r.quant < quants);
        REQUIRE(r.device < devices);
        const size_t k = (r.model * quants + r.quant) * devices + r.device;
        CHECK(seen[k] == 0);
        seen[k] = 1;
    }
}

TEST_CASE("the sweep's four counts add up to the rows and match the verdicts in them", "[sweep]") {
    const SweepResult& s = full_sweep();
    CHECK(s.fits + s.offload + s.no + s.unsupported == static_cast<std::int64_t>(s.rows.size()));
    CHECK(s.fits == count_verdict(s, kFits));
    CHECK(s.offload == count_verdict(s, kOffload));
    CHECK(s.no == count_verdict(s, kNo));
    CHECK(s.unsupported == count_verdict(s, kUnsupported));
    // A catalog of consumer GPUs, Macs, CPUs and 1T-parameter models has every outcome.
    CHECK(s.fits > 0);
    CHECK(s.offload > 0);
    CHECK(s.no > 0);
    CHECK(s.unsupported > 0);
}

TEST_CASE("counting without keeping rows gives the same counts and no rows", "[sweep]") {
    const SweepResult& kept = full_sweep();
    const SweepResult counted = sweep_catalog(test::catalog(), kDefaultContext, false);
    CHECK(counted.rows.empty());
    CHECK(counted.fits == kept.fits);
    CHECK(counted.offload == kept.offload);
    CHECK(counted.no == kept.no);
    CHECK(counted.unsupported == kept.unsupported);
}

TEST_CASE("a longer context never turns a verdict better and never changes what can run", "[sweep]") {
    // 32768 tokens need 8x the KV cache of 4096 and no less of anything else.
    const SweepResult& shorter = full_sweep();
    const SweepResult longer = sweep_catalog(test::catalog(), 32768);
    REQUIRE(longer.rows.size() == shorter.rows.size());
    CHECK(longer.unsupported == shorter.unsupported);
    CHECK(longer.fits <= shorter.fits);
    int worse = 0;
    for (size_t i = 0; i < shorter.rows.size(); ++i) {
        const SweepRow& a = shorter.rows[i];
        const SweepRow& b = longer.rows[i];
        REQUIRE(a.model == b.model);
        REQUIRE(a.quant == b.quant);
        REQUIRE(a.device == b.device);
        CHECK((a.verdict < 0) == (b.verdict < 0));
        if (a.verdict < 0) continue;
        CHECK(b.verdict >= a.verdict);  // fits < fits_with_offload < does_not_fit
        CHECK(b.gpu_bytes >= a.gpu_bytes);
        worse += b.verdict > a.verdict ? 1 : 0;
    }
    CHECK(worse > 0);  // some combinations that fit at 4096 tokens do not at 32768
}

TEST_CASE("a sweep of an empty catalog has no rows and counts nothing", "[sweep]") {
    const SweepResult s = sweep_catalog(Catalog{}, kDefaultContext);
    CHECK(s.rows.empty());
    CHECK(s.fits + s.offload + s.no + s.unsupported == 0);
}

TEST_CASE("a small catalog's sweep gives the verdicts worked out by hand", "[sweep]") {
    // Qwen2.5 0.5B is about 1 GB in fp16 and fits everything here. Llama 3.1 70B is 141 GB in
    // fp16, about 40 GB in 4-bit MLX and about 42 GB in Q4_K_M: only llama.cpp on the 24 GB card
    // (with 32 GB of assumed desktop RAM) can spread it over GPU and RAM. MLX runs only on the Mac.
    const Catalog c = small_catalog({"qwen2.5-0.5b", "llama-3.1-70b"}, {"fp16", "mlx-4bit", "Q4_K_M"},
                                    {"rtx-4090", "apple-m2-8gb", "cpu-ddr5-5600-dual-32gb"});
    const int expected[2][3][3] = {
        // rtx-4090, apple-m2-8gb, cpu 32 GB
        {{kFits, kFits, kFits}, {kUnsupported, kFits, kUnsupported}, {kFits, kFits, kFits}},  // qwen2.5-0.5b
        {{kNo, kNo, kNo}, {kUnsupported, kNo, kUnsupported}, {kOffload, kNo, kNo}},          // llama-3.1-70b
    };
    const SweepResult s = sweep_catalog(c, kDefaultContext);
    REQUIRE(s.rows.size() == 18);
    for (const SweepRow& r : s.rows) {
        INFO(c.models[r.model].id << " / " << c.quants[r.quant].spec.id << " / " << c.devices[r.device].id);
        CHECK(static_cast<int>(r.verdict) == expected[r.model][r.quant][r.device]);
    }
    CHECK(s.fits == 7);
    CHECK(s.offload == 1);
    CHECK(s.no == 6);
    CHECK(s.unsupported == 4);
}

TEST_CASE("in the catalog sweep a 0.5B model in fp16 fits an 80 GB H100 with every layer on the GPU", "[sweep]") {
    // 494M parameters x 2 bytes is under 1 GB; Qwen2.5 0.5B has 24 blocks, + 1 output layer.
    const SweepRow& r = row_of(full_sweep(), "qwen2.5-0.5b", "fp16", "h100-sxm");
    CHECK(r.verdict == kFits);
    CHECK(r.gpu_layers == 25);
    CHECK(r.gpu_bytes > 494'032'768LL * 2);
    CHECK(r.gpu_bytes < 80 * GiB);
    CHECK(test::estimate(test::model("qwen2.5-0.5b"), "fp16", test::device("h100-sxm"), test::with_context(kDefaultContext)).gpu_bytes == r.gpu_bytes);
}

TEST_CASE("in the catalog sweep a 70B model in fp32 does not fit an 8 GB RTX 4060", "[sweep]") {
    // 70.55B parameters x 4 bytes = 282 GB of weights alone, 33x the card.
    const SweepRow& r = row_of(full_sweep(), "llama-3.1-70b", "fp32", "rtx-4060");
    CHECK(r.verdict == kNo);
    CHECK(r.gpu_bytes > 70'553'706'496LL * 4);
    CHECK(test::estimate(test::model("llama-3.1-70b"), "fp32", test::device("rtx-4060"), test::with_context(kDefaultContext)).gpu_bytes == r.gpu_bytes);
}

TEST_CASE("in the catalog sweep formats an engine cannot load on a device are marked unsupported", "[sweep]") {
    const SweepResult& s = full_sweep();
    // MLX needs Apple Silicon; bitsandbytes needs a CUDA or ROCm GPU; GGUF runs on a Mac.
    CHECK(row_of(s, "llama-3.1-8b", "mlx-4bit", "rtx-4090").verdict == kUnsupported);
    CHECK(row_of(s, "llama-3.1-8b", "nf4", "apple-m2-ultra-192gb").verdict == kUnsupported);
    CHECK(row_of(s, "llama-3.1-8b", "Q4_K_M", "apple-m2-ultra-192gb").verdict == kFits);
    CHECK(row_of(s, "llama-3.1-8b", "mlx-4bit", "apple-m2-ultra-192gb").verdict == kFits);
}

TEST_CASE("in the catalog sweep Llama 3.1 70B in Q4_K_M spills part of its layers from one 24 GB card", "[sweep]") {
    // About 42 GB of weights on a 24 GB card: some of the 81 layers stay on the GPU, the rest in RAM.
    const SweepRow& r = row_of(full_sweep(), "llama-3.1-70b", "Q4_K_M", "rtx-3090");
    CHECK(r.verdict == kOffload);
    CHECK(r.gpu_layers > 0);
    CHECK(r.gpu_layers < 81);
}
