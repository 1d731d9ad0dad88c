#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_support.hpp"
#include "workloads/speed.hpp"

using namespace wif;

namespace {

InferenceOptions llama_options(int gpus = 1) {
    InferenceOptions o;
    o.engine = Engine::llama_cpp;
    o.gpu_count = gpus;
    o.explain = false;
    return o;
}

SpeedEstimate speed(const PreparedModel& m, const Estimate& e, const Device& d, const SpeedOptions& o = {}) {
    const Expected<SpeedEstimate> s = estimate_speed(m, e, d, o);
    if (!s) FAIL(s.error().message);
    return s.value();
}

bytes_t sum(const std::vector<bytes_t>& v) {
    bytes_t s = 0;
    for (bytes_t b : v) s += b;
    return s;
}

}  // namespace

TEST_CASE("decode of a dense model on one GPU: bytes over bandwidth plus the per-layer cost", "[speed]") {
    const PreparedModel m = test::model("llama-3.1-8b");
    const Device& d = test::device("rtx-4090");  // 1008 GB/s
    const Estimate e = test::estimate(m, "Q4_0", d, llama_options());
    REQUIRE(e.gpu_layers == e.total_layers);
    SpeedOptions o;
    o.bandwidth_efficiency = 0.5;
    const SpeedEstimate s = speed(m, e, d, o);

    // Per token: every block and the output head; not the input embedding (a row lookup).
    const bytes_t expected_bytes = sum(e.weights.layers) + e.weights.output;
    CHECK(s.bytes_per_token == expected_bytes);
    CHECK(s.bytes_per_token == e.weights.total - e.weights.token_embd);
    CHECK(s.bytes_per_token > 4'000'000'000);  // ~4.4 GB of the 4.66 GB file
    CHECK(s.bytes_per_token < 4'700'000'000);
    CHECK(s.host_bytes_per_token == 0);
    CHECK(s.kv_bytes_per_token == 0);  // depth 0, as llama-bench tg128 starts

    // e x 1008 / bytes tokens per second, plus 85 us for each of the 33 layers.
    const double t = static_cast<double>(expected_bytes) / (0.5 * 1008e9) + 33 * 85e-6;
    CHECK(s.decode_tps == Approx(1.0 / t).epsilon(1e-9));
    CHECK(s.bandwidth_efficiency == 0.5);
    CHECK(s.bandwidth_efficiency_source == "given");
    CHECK(s.decode_bound == SpeedBound::bandwidth);
    REQUIRE(s.parts.size() == 1);
    CHECK(s.parts[0].where == "gpu");
    CHECK(s.parts[0].layers == 33);
}

TEST_CASE("the table's efficiency differs by backend and device class", "[speed]") {
    const QuantSpec& q = test::quant("Q4_K_M");
    CHECK(decode_bandwidth_efficiency(test::device("rtx-4090"), Backend::cuda, q).value == Approx(0.90));
    CHECK(decode_bandwidth_efficiency(test::device("a100-80gb-sxm"), Backend::cuda, q).value == Approx(0.80));
    CHECK(decode_bandwidth_efficiency(test::device("rx-7900-xtx"), Backend::rocm, q).value == Approx(0.80));
    CHECK(decode_bandwidth_efficiency(test::device("apple-m2-ultra-192gb"), Backend::metal, q).value == Approx(0.90));
    CHECK(decode_bandwidth_efficiency(test::device("apple-m1-max-64gb"), Backend::metal, q).value < 0.7);
    // I-quants run slower kernels than k-quants of the same size.
    CHECK(decode_bandwidth_efficiency(test::device("rtx-4090"), Backend::cuda, test::quant("IQ4_XS")).value <
          decode_bandwidth_efficiency(test::device("rtx-4090"), Backend::cuda, q).value);
    // The share of peak a whole run achieves is smaller for a small quant than for F16 on the same Mac,
    // because the per-layer cost weighs more against fewer bytes.
    const PreparedModel m = test::model("llama-3-8b");
    const Device& mac = test::device("apple-m2-ultra-192gb");
    const SpeedEstimate q4 = speed(m, test::estimate(m, "Q4_0", mac, llama_options()), mac);
    const SpeedEstimate f16 = speed(m, test::estimate(m, "fp16", mac, llama_options()), mac);
    CHECK(q4.effective_bandwidth_gbs / mac.bandwidth_gbs < f16.effective_bandwidth_gbs / mac.bandwidth_gbs);
    CHECK(q4.decode_tps > f16.decode_tps);
}

TEST_CASE("a mixture of experts reads only its active experts", "[speed]") {
    const PreparedModel m = test::model("qwen3-30b-a3b");  // 128 experts, 8 per token
    const Device& d = test::device("rtx-4090");
    const Estimate e = test::estimate(m, "Q4_K_M", d, llama_options());
    REQUIRE(e.weights.routed_experts > 0);
    const SpeedEstimate s = speed(m, e, d);
    const double unread = static_cast<double>(e.weights.routed_experts) * (1.0 - 8.0 / 128.0);
    const double expected = static_cast<double>(e.weights.total - e.weights.token_embd) - unread;
    CHECK(static_cast<double>(s.bytes_per_token) == Approx(expected).margin(64));
    CHECK(s.bytes_per_token < e.weights.total / 5);
    CHECK(s.moe);

    // A dense model of the same file size is several times slower.
    const PreparedModel dense = test::model("qwen3-32b");
    const Estimate de = test::estimate(dense, "Q4_K_M", test::device("rtx-5090"), llama_options());
    const SpeedEstimate ds = speed(dense, de, test::device("rtx-5090"));
    const SpeedEstimate ms = speed(m, test::estimate(m, "Q4_K_M", test::device("rtx-5090"), llama_options()), test::device("rtx-5090"));
    CHECK(ms.decode_tps > 3 * ds.decode_tps);
}

TEST_CASE("partial offload adds the time of each memory a token crosses", "[speed]") {
    const PreparedModel m = test::model("llama-3.3-70b");
    const Device& d = test::device("rtx-4090");
    Estimate e = test::estimate(m, "Q4_K_M", d, llama_options());
    e.gpu_layers = 41;  // the output layer and the last 40 of 80 blocks
    SpeedOptions o;
    o.system_ram_bandwidth_gbs = 60;
    o.cpu_threads = 16;
    const SpeedEstimate s = speed(m, e, d, o);
    REQUIRE(s.parts.size() == 2);
    CHECK(s.parts[0].where == "gpu");
    CHECK(s.parts[0].layers == 41);
    CHECK(s.parts[1].where == "system_ram");
    CHECK(s.parts[1].layers == 40);
    CHECK(s.parts[1].peak_bandwidth_gbs == 60);
    CHECK(s.gpu_bytes_per_token + s.host_bytes_per_token == s.bytes_per_token);
    CHECK(s.gpu_bytes_per_token == sum(std::vector<bytes_t>(e.weights.layers.begin() + 40, e.weights.layers.end())) + e.weights.output);
    CHECK(1.0 / s.decode_tps == Approx(s.parts[0].seconds + s.parts[1].seconds).epsilon(1e-12));
    // Host part: 40 blocks at 0.75 x 60 GB/s + 20 us a layer.
    const double host = static_cast<double>(s.host_bytes_per_token) / (0.75 * 60e9) + 40 * 20e-6;
    CHECK(s.parts[1].seconds == Approx(host).epsilon(1e-9));
    // Faster than the CPU alone, slower than all on the GPU.
    CHECK(s.cpu_only_decode_tps < s.decode_tps);
    e.gpu_layers = e.total_layers;
    CHECK(speed(m, e, d, o).decode_tps > s.decode_tps);
    // Prefill pays for copying the CPU layers' weights to the GPU per ubatch.
    CHECK(s.prefill_tps < speed(m, e, d, o).prefill_tps);
}

TEST_CASE("experts kept in system RAM by --n-cpu-moe are read there, only the active ones, at RAM bandwidth", "[speed][n_cpu_moe]") {
    const PreparedModel m = test::model("qwen3-30b-a3b");  // 48 MoE blocks, 8 of 128 experts a token
    const Device& d = test::device("rtx-4090");
    InferenceOptions o = llama_options();
    o.n_cpu_moe = 20;
    const Estimate e = test::estimate(m, "Q4_K_M", d, o);
    REQUIRE(e.gpu_layers == e.total_layers);
    SpeedOptions so;
    so.system_ram_bandwidth_gbs = 60;
    so.cpu_threads = 64;  // enough cores that reading, not computing, sets the CPU's pace
    const SpeedEstimate s = speed(m, e, d, so);
    REQUIRE(s.parts.size() == 2);
    CHECK(s.parts[0].where == "gpu");
    CHECK(s.parts[0].layers == 49);
    CHECK(s.parts[1].where == "system_ram");
    CHECK(s.parts[1].layers == 20);
    // Blocks 0..19: 8/128 of each block's expert bytes, from RAM at 0.55 x 0.75 x 60 GB/s (experts reach
    // 0.55 of the CPU's dense figure) + 20 us a block.
    bytes_t active = 0;
    for (std::int64_t il = 0; il < 20; ++il) active += round_bytes(static_cast<double>(routed_expert_bytes(m.arch, e.weights, il)) * 8.0 / 128.0);
    CHECK(s.parts[1].weight_bytes == active);
    CHECK(s.parts[1].bandwidth_efficiency == Approx(0.55 * 0.75));
    CHECK(s.parts[1].seconds == Approx(static_cast<double>(active) / (0.55 * 0.75 * 60e9) + 20 * 20e-6).epsilon(1e-9));
    CHECK(s.host_bytes_per_token == active);
    // The bytes a token reads are the same; only where they are read from changes.
    const SpeedEstimate all_gpu = speed(m, test::estimate(m, "Q4_K_M", d, llama_options()), d, so);
    CHECK(s.bytes_per_token == all_gpu.bytes_per_token);
    CHECK(s.gpu_bytes_per_token == all_gpu.gpu_bytes_per_token - active);
    CHECK(s.decode_tps < all_gpu.decode_tps);
    CHECK(s.decode_tps > s.cpu_only_decode_tps);
    // A 512-token ubatch routes to every expert ((120/128)^512 is about 0): prefill copies all 20
    // blocks' experts over PCIe.
    CHECK(s.prefill_tps < all_gpu.prefill_tps);
    // More blocks' experts in RAM: never faster.
    o.n_cpu_moe = 40;
    CHECK(speed(m, test::estimate(m, "Q4_K_M", d, o), d, so).decode_tps < s.decode_tps);
}

TEST_CASE("a layer split over several GPUs does not add bandwidth for one stream", "[speed]") {
    const PreparedModel m = test::model("llama-3-8b");
    const Device& d = test::device("rtx-3090");
    const SpeedEstimate one = speed(m, test::estimate(m, "Q4_K_M", d, llama_options(1)), d);
    const SpeedEstimate two = speed(m, test::estimate(m, "Q4_K_M", d, llama_options(2)), d);
    CHECK(two.decode_tps == Approx(one.decode_tps).epsilon(1e-9));
    CHECK_FALSE(two.assumptions.empty());
}

TEST_CASE("deeper context reads more KV cache and decodes slower", "[speed]") {
    const PreparedModel m = test::model("llama-3.1-8b");
    const Device& d = test::device("rtx-4090");
    const Estimate e = test::estimate(m, "Q4_K_M", d, test::with_context(32768));
    SpeedOptions o;
    o.depth = 16384;
    const SpeedEstimate deep = speed(m, e, d, o);
    // 32 layers x 8 KV heads x 128 x 2 (K, V) x 2 bytes = 131,072 bytes per token of context.
    CHECK(deep.kv_bytes_per_token == 16384LL * 131072);
    CHECK(deep.decode_tps < speed(m, e, d).decode_tps);
    // Prefill at depth pays attention's quadratic term.
    CHECK(deep.prefill_tps < speed(m, e, d).prefill_tps);
}

TEST_CASE("a bigger quant never decodes faster", "[speed]") {
    const PreparedModel m = test::model("llama-3.1-8b");
    for (const char* dev : {"rtx-4090", "apple-m4-pro-48gb", "rx-7900-xtx", "a100-80gb-sxm"}) {
        const Device& d = test::device(dev);
        double last = std::numeric_limits<double>::infinity();
        for (const char* q : {"Q2_K", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0"}) {
            const SpeedEstimate s = speed(m, test::estimate(m, q, d, llama_options()), d);
            INFO(dev << " " << q);
            CHECK(s.decode_tps <= last);
            last = s.decode_tps;
        }
    }
}

TEST_CASE("CPU-only devices use the RAM profile and the thread count", "[speed]") {
    const PreparedModel m = test::model("llama-3.1-8b");
    Device cpu = custom_device(64, DeviceKind::cpu);
    cpu.bandwidth_gbs = 80;
    const Estimate e = test::estimate(m, "Q4_K_M", cpu, llama_options());
    SpeedOptions o;
    o.cpu_threads = 4;
    const SpeedEstimate s = speed(m, e, cpu, o);
    REQUIRE(s.parts.size() == 1);
    CHECK(s.parts[0].where == "system_ram");
    CHECK(s.gpu_bytes_per_token == 0);
    CHECK(s.bandwidth_efficiency == Approx(0.75));
    CHECK(s.decode_tps == Approx(s.cpu_only_decode_tps));
    CHECK(s.effective_tflops == Approx(4 * 50e9 / 1e12));
    CHECK(s.prefill_bound == SpeedBound::compute);
}

TEST_CASE("bad inputs give errors, never NaN or infinity", "[speed]") {
    const PreparedModel m = test::model("llama-3.1-8b");
    Device d = test::device("rtx-4090");
    const Estimate e = test::estimate(m, "Q4_K_M", d, llama_options());
    SpeedOptions nan;
    nan.bandwidth_efficiency = std::numeric_limits<double>::quiet_NaN();
    CHECK(estimate_speed(m, e, d, nan).error().code == "invalid_efficiency");
    SpeedOptions big;
    big.compute_efficiency = 1.5;
    CHECK(estimate_speed(m, e, d, big).error().code == "invalid_efficiency");
    SpeedOptions inf;
    inf.system_ram_bandwidth_gbs = std::numeric_limits<double>::infinity();
    CHECK(estimate_speed(m, e, d, inf).error().code == "invalid_bandwidth");
    SpeedOptions neg;
    neg.depth = -1;
    CHECK(estimate_speed(m, e, d, neg).error().code == "invalid_depth");
    SpeedOptions zero;
    zero.prompt_tokens = 0;
    CHECK(estimate_speed(m, e, d, zero).error().code == "invalid_prompt");
    Device none = d;
    none.bandwidth_gbs = 0;
    CHECK(estimate_speed(m, e, none, {}).error().code == "no_bandwidth");
    none.bandwidth_gbs = std::numeric_limits<double>::quiet_NaN();
    CHECK(estimate_speed(m, e, none, {}).error().code == "no_bandwidth");
    Estimate broken = e;
    broken.weights.layers.clear();
    CHECK(estimate_speed(m, broken, d, {}).error().code == "invalid_estimate");
}

TEST_CASE("every catalog device gives a finite speed", "[speed]") {
    const PreparedModel m = test::model("qwen3-8b");
    int checked = 0;
    for (const Device& d : test::catalog().devices) {
        if (d.bandwidth_gbs <= 0) continue;
        const Expected<Estimate> e = estimate_inference(m, test::quant("Q4_K_M"), d, llama_options());
        REQUIRE(e.ok());
        const Expected<SpeedEstimate> s = estimate_speed(m, e.value(), d, {});
        REQUIRE(s.ok());
        INFO(d.id);
        CHECK(std::isfinite(s->decode_tps));
        CHECK(s->decode_tps > 0);
        CHECK(std::isfinite(s->prefill_tps));
        CHECK(s->prefill_tps > 0);
        CHECK(std::isfinite(s->time_to_first_token_s));
        CHECK(std::isfinite(s->cpu_only_decode_tps));
        ++checked;
    }
    CHECK(checked > 100);
}

// ---- Measured truth -------------------------------------------------------------------------------

namespace {

struct Row {
    std::string id, role, test;
    double measured = 0, predicted = 0, error = 0;
};

double median_abs(std::vector<double> v) {
    if (v.empty()) return 0;
    for (double& x : v) x = std::fabs(x);
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

Device device_from(const nlohmann::json& p) {
    if (p.contains("device_spec")) {
        const nlohmann::json& s = p["device_spec"];
        Device d = custom_device(s.at("memory_gib").get<double>(),
                                 s.at("kind").get<std::string>() == "cpu" ? DeviceKind::cpu : DeviceKind::gpu);
        d.id = "measured";
        d.name = s.at("name").get<std::string>();
        d.bandwidth_gbs = s.at("bandwidth_gbs").get<double>();
        d.fp16_tflops = s.value("fp16_tflops", 0.0);
        d.segment = s.value("segment", std::string("desktop"));
        Backend b = Backend::cuda;
        REQUIRE(parse_backend(s.at("backend").get<std::string>(), b));
        d.backend = b;
        return d;
    }
    return test::device(p.at("device").get<std::string>());
}

}  // namespace

TEST_CASE("predicted speeds match published measurements", "[speed][measured]") {
    const nlohmann::json doc = nlohmann::json::parse(test::read_text(std::string(WIF_TEST_DATA_DIR) + "/speed_measured.json"));
    const nlohmann::json& points = doc.at("points");
    REQUIRE(points.size() >= 20);
    std::vector<Row> rows;
    for (const nlohmann::json& p : points) {
        INFO(p.at("id").get<std::string>());
        REQUIRE(!p.at("source").get<std::string>().empty());
        const PreparedModel m = test::model(p.at("model").get<std::string>());
        const Device d = device_from(p);
        InferenceOptions o;
        Engine engine = Engine::llama_cpp;
        REQUIRE(parse_engine(p.value("engine", std::string("llama.cpp")), engine));
        o.engine = engine;
        o.gpu_count = p.value("gpu_count", 1);
        o.n_cpu_moe = p.value("n_cpu_moe", 0);  // llama.cpp --n-cpu-moe N (-1: --cpu-moe)
        o.explain = false;
        Estimate e = test::estimate(m, p.at("quant").get<std::string>(), d, o);
        // The measured run's layer count, as printed; without -ngl every layer was on the GPU.
        e.gpu_layers = d.kind == DeviceKind::cpu ? 0 : std::min<std::int64_t>(p.value("ngl", e.total_layers), e.total_layers);
        SpeedOptions so;
        so.depth = p.value("depth", 0);
        so.prompt_tokens = p.value("prompt", 512);
        so.cpu_threads = p.value("cpu_threads", 0);
        so.system_ram_bandwidth_gbs = p.value("system_ram_gbs", 0.0);
        const Expected<SpeedEstimate> s = estimate_speed(m, e, d, so);
        REQUIRE(s.ok());
        Row r;
        r.id = p.at("id").get<std::string>();
        r.role = p.at("role").get<std::string>();
        r.test = p.at("test").get<std::string>();
        const bool prefill = r.test.rfind("pp", 0) == 0;
        r.measured = p.at("measured_tps").get<double>();
        r.predicted = prefill ? s->prefill_tps : s->decode_tps;
        REQUIRE(std::isfinite(r.predicted));
        r.error = r.predicted / r.measured - 1.0;
        rows.push_back(r);
    }
    std::vector<double> decode, prefill, decode_check;
    std::ostringstream table;
    table << "predicted vs measured (error = predicted / measured - 1)\n";
    for (const Row& r : rows) {
        const bool pp = r.test.rfind("pp", 0) == 0;
        (pp ? prefill : decode).push_back(r.error);
        if (!pp && r.role == "check") decode_check.push_back(r.error);
        table << "  " << r.id << " [" << r.role << "] " << r.test << ": predicted " << r.predicted << ", measured " << r.measured
              << ", " << static_cast<int>(std::lround(r.error * 100)) << "%\n";
    }
    table << "median |error|: decode " << median_abs(decode) * 100 << "% over " << decode.size() << " points (checks only: "
          << median_abs(decode_check) * 100 << "% over " << decode_check.size() << "), prefill " << median_abs(prefill) * 100
          << "% over " << prefill.size() << " points";
    WARN(table.str());
    CHECK(decode.size() >= 20);
    CHECK(median_abs(decode) <= 0.20);
    CHECK(median_abs(decode_check) <= 0.20);
    CHECK(median_abs(prefill) <= 0.25);
}
