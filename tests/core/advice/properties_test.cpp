// Properties over the whole catalog that no single figure checks: more memory, more devices or a
// smaller format never make things worse, and the solver's best setup always runs.
#include <catch2/catch.hpp>

#include <cmath>

#include "advice/advice.hpp"
#include "request/request.hpp"
#include "test_support.hpp"
#include "workloads/serving.hpp"
#include "workloads/speed.hpp"

using namespace wif;

namespace {

ResolvedRequest resolved(const std::string& model, const std::string& quant, const std::string& device, int count = 1) {
    Request r;
    r.model = model;
    r.quant = quant;
    r.device = device;
    r.count = count;
    Expected<ResolvedRequest> q = resolve_request(test::catalog(), r);
    REQUIRE(q.ok());
    return q.value();
}

InferenceOptions quiet() {
    InferenceOptions o;
    o.explain = false;
    return o;
}

}  // namespace

TEST_CASE("more GPU memory never puts fewer layers on the GPU", "[properties]") {
    for (const ModelEntry& m : test::catalog().models) {
        const PreparedModel model = prepare_model(m.id, m.name, m.arch);
        INFO("model " << m.id);
        std::int64_t last_layers = -1;
        int last_verdict = 3;
        for (double gib = 4; gib <= 256; gib *= 1.5) {
            const Device d = custom_device(gib, DeviceKind::gpu);
            const Expected<Estimate> e = estimate_inference(model, test::quant("Q4_K_M"), d, quiet());
            REQUIRE(e.ok());
            INFO("memory " << gib << " GiB");
            CHECK(e->gpu_layers >= last_layers);
            // fits (0) < fits_with_offload (1) < does_not_fit (2): the verdict only improves.
            CHECK(static_cast<int>(e->verdict) <= last_verdict);
            last_layers = e->gpu_layers;
            last_verdict = static_cast<int>(e->verdict);
        }
    }
}

TEST_CASE("more of the same GPU never turns fits into does not fit", "[properties]") {
    for (const ModelEntry& m : test::catalog().models) {
        const PreparedModel model = prepare_model(m.id, m.name, m.arch);
        INFO("model " << m.id);
        int last_verdict = 3;
        for (int count = 1; count <= 8; count *= 2) {
            InferenceOptions o = quiet();
            o.gpu_count = count;
            const Expected<Estimate> e = estimate_inference(model, test::quant("Q4_K_M"), test::device("rtx-4090"), o);
            REQUIRE(e.ok());
            INFO("count " << count);
            CHECK(static_cast<int>(e->verdict) <= last_verdict);
            last_verdict = static_cast<int>(e->verdict);
        }
    }
}

TEST_CASE("a bigger format never decodes faster when the model sits in GPU memory", "[properties]") {
    // Decode is memory-bound: more bytes per token can only take longer.
    const Device& gpu = test::device("h200");
    for (const ModelEntry& m : test::catalog().models) {
        const PreparedModel model = prepare_model(m.id, m.name, m.arch);
        INFO("model " << m.id);
        double last_tps = 0;
        for (const char* q : {"Q8_0", "Q6_K", "Q4_K_M", "Q3_K_M", "Q2_K"}) {
            const Expected<Estimate> e = estimate_inference(model, test::quant(q), gpu, quiet());
            REQUIRE(e.ok());
            if (e->verdict != Verdict::fits) continue;
            const Expected<SpeedEstimate> s = estimate_speed(model, e.value(), gpu);
            REQUIRE(s.ok());
            INFO("format " << q);
            CHECK(std::isfinite(s->decode_tps));
            CHECK(s->decode_tps >= last_tps * (1 - 1e-9));
            last_tps = s->decode_tps;
        }
    }
}

TEST_CASE("more GPUs never lower the vLLM KV-cache budget", "[properties]") {
    for (const char* id : {"llama-3.1-8b", "qwen2.5-72b", "mixtral-8x7b", "gemma-3-27b"}) {
        const PreparedModel model = test::model(id);
        INFO("model " << id);
        bytes_t last = -1;
        for (int count = 1; count <= 8; count *= 2) {
            InferenceOptions o = quiet();
            o.gpu_count = count;
            o.engine = Engine::vllm;
            const Expected<Estimate> e = estimate_inference(model, test::quant("bf16"), test::device("h100-sxm"), o);
            REQUIRE(e.ok());
            const Expected<ServingEstimate> s = estimate_serving(model, e.value(), test::device("h100-sxm"));
            if (!s) continue;  // the weights alone may not fit one GPU
            INFO("count " << count);
            CHECK(s->kv_budget_bytes >= last);
            last = s->kv_budget_bytes;
        }
    }
}

TEST_CASE("the solver's best setup always runs, and the setups come fastest first", "[properties]") {
    const std::pair<const char*, const char*> cases[] = {
        {"llama-3.3-70b", "rx-7600-xt"}, {"llama-3.1-8b", "rtx-4060"},  {"qwen3-30b-a3b", "apple-m2-max-32gb"},
        {"mixtral-8x7b", "rtx-3090"},    {"gemma-3-27b", "rtx-4090"},  {"deepseek-v3", "h200"},
    };
    for (const auto& [model, device] : cases) {
        INFO(model << " on " << device);
        const Solution s = solve(test::catalog(), resolved(model, "Q4_K_M", device), 5);
        for (size_t i = 1; i < s.setups.size(); ++i) CHECK(s.setups[i - 1].decode_tps >= s.setups[i].decode_tps);
        if (s.setups.empty()) {
            CHECK(s.best == -1);
            continue;
        }
        REQUIRE(s.best >= 0);
        CHECK(s.setups[static_cast<size_t>(s.best)].verdict != Verdict::does_not_fit);
        // Every setup's share of the device, as placed, is within the device's usable memory.
        for (const Setup& x : s.setups) {
            INFO(x.quant << " " << x.kv_type << " " << x.gpu_layers << "/" << x.total_layers);
            CHECK(x.gpu_bytes <= x.usable_bytes);
            CHECK(x.ram_bytes >= 0);
        }
    }
}

TEST_CASE("the fewest devices that hold a model hold it, and one fewer does not", "[properties]") {
    for (const char* id : {"llama-3.1-70b", "qwen2.5-72b", "llama-3.1-405b"}) {
        INFO("model " << id);
        const ResolvedRequest r = resolved(id, "Q4_K_M", "rtx-4090");
        const int n = devices_needed(r);
        REQUIRE(n > 0);
        InferenceOptions o = quiet();
        o.gpu_count = n;
        CHECK(estimate_inference(r.model, r.quant, r.device, o)->verdict == Verdict::fits);
        if (n > 1) {
            o.gpu_count = n - 1;
            CHECK(estimate_inference(r.model, r.quant, r.device, o)->verdict != Verdict::fits);
        }
    }
}
