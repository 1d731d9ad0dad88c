#include <catch2/catch.hpp>

#include "advice/advice.hpp"
#include "test_support.hpp"

using namespace wif;

namespace {

ResolvedRequest request(const std::string& json) {
    const Expected<Json> parsed = parse_json(json, "request");
    REQUIRE(parsed.ok());
    const Expected<Request> r = request_from_json(parsed.value());
    REQUIRE(r.ok());
    Expected<ResolvedRequest> resolved = resolve_request(test::catalog(), r.value());
    REQUIRE(resolved.ok());
    return resolved.value();
}

}  // namespace

TEST_CASE("the largest context that fits is the boundary of the verdict", "[advice]") {
    ResolvedRequest r = request(R"({"model":"llama-3.1-8b","quant":"Q4_K_M","device":"rtx-4060"})");
    const std::int64_t max = largest_context(r);
    REQUIRE(max > 4096);
    REQUIRE(max < 131072);
    CHECK(max % 256 == 0);
    r.options.context = max;
    CHECK(estimate_inference(r.model, r.quant, r.device, r.options)->verdict == Verdict::fits);
    r.options.context = max + 256;
    CHECK(estimate_inference(r.model, r.quant, r.device, r.options)->verdict != Verdict::fits);
}

TEST_CASE("the largest context is the model's own when everything fits, zero when nothing does", "[advice]") {
    CHECK(largest_context(request(R"({"model":"llama-3.2-1b","quant":"Q4_K_M","device":"h200"})")) == 131072);
    CHECK(largest_context(request(R"({"model":"llama-3.1-405b","quant":"fp16","device":"rtx-4060"})")) == 0);
}

TEST_CASE("every catalog format is tried, and formats an engine cannot load say why", "[advice]") {
    const std::vector<Option> options = quant_options(test::catalog(), request(R"({"model":"llama-3.1-8b","device":"apple-m2-max-64gb"})"));
    REQUIRE(options.size() == test::catalog().quants.size());
    bool nf4_refused = false, q4_fits = false;
    for (const Option& o : options) {
        if (o.id == "nf4") nf4_refused = !o.error.empty();
        if (o.id == "Q4_K_M") q4_fits = o.verdict == Verdict::fits;
    }
    CHECK(nf4_refused);  // bitsandbytes needs CUDA
    CHECK(q4_fits);
}

TEST_CASE("the devices that run a model are those whose usable memory holds it", "[advice]") {
    const std::vector<Option> options = device_options(test::catalog(), request(R"({"model":"llama-3.1-8b","quant":"Q4_K_M","device":"rtx-4090"})"));
    REQUIRE(options.size() == test::catalog().devices.size());
    for (const Option& o : options) {
        INFO(o.id);
        if (!o.error.empty() || o.verdict != Verdict::fits) continue;
        CHECK(o.gpu_bytes <= o.usable_bytes);
    }
}

TEST_CASE("memory grows with context and the curve ends at the model's maximum", "[advice]") {
    const std::vector<CurvePoint> curve = context_curve(request(R"({"model":"llama-3.1-8b","quant":"Q4_K_M","device":"rtx-4090"})"), 16);
    REQUIRE(curve.size() == 16);
    CHECK(curve.front().ctx == 256);
    CHECK(curve.back().ctx == 131072);
    for (size_t i = 1; i < curve.size(); ++i) CHECK(curve[i].kv_cache_bytes > curve[i - 1].kv_cache_bytes);
    CHECK(curve.back().kv_cache_bytes == 16 * GiB);
}

TEST_CASE("a request that does not fit gets a format that does, and a count of GPUs that does", "[advice]") {
    const ResolvedRequest r = request(R"({"params":"7B","quant":"fp16","device":"rtx-4060"})");
    const Expected<Estimate> e = estimate_inference(r.model, r.quant, r.device, r.options);
    REQUIRE(e.ok());
    REQUIRE(e->verdict == Verdict::does_not_fit);
    const std::vector<Suggestion> s = suggestions(test::catalog(), r, e.value(), largest_context(r));
    bool quant = false, count = false;
    for (const Suggestion& x : s) {
        if (x.kind == "quant") {
            quant = true;
            ResolvedRequest alt = r;
            alt.quant = test::quant(x.quant);
            CHECK(estimate_inference(alt.model, alt.quant, alt.device, alt.options)->verdict == Verdict::fits);
        }
        count = count || (x.kind == "count" && x.count == 2);
    }
    CHECK(quant);
    CHECK(count);
}

TEST_CASE("a model without a device gets its 16-bit, Q8_0 and Q4_K_M sizes and the smallest devices that hold each", "[advice]") {
    const ResolvedRequest r = request(R"({"model":"llama-3.1-8b","intent":"sizes"})");
    const std::vector<SizeRow> rows = model_sizes(test::catalog(), r);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].quant == "bf16");  // Llama 3.1 8B ships bfloat16
    CHECK(rows[1].quant == "Q8_0");
    CHECK(rows[2].quant == "Q4_K_M");
    // Fewer bits, less memory; bf16 weights are 2 bytes a parameter (8,030,261,248 published).
    CHECK(rows[0].weights_bytes > rows[1].weights_bytes);
    CHECK(rows[1].weights_bytes > rows[2].weights_bytes);
    CHECK(rows[0].weights_bytes == Approx(2.0 * 8'030'261'248).epsilon(0.01));
    for (const SizeRow& row : rows) {
        INFO(row.quant);
        REQUIRE(!row.smallest.empty());
        CHECK(row.smallest[0].kind == "gpu");
        // The smallest GPU is the smallest: no catalog GPU with less usable memory holds it.
        const Option& gpu = row.smallest[0];
        CHECK(gpu.verdict == Verdict::fits);
        ResolvedRequest q = r;
        q.quant = test::quant(row.quant);
        for (const Option& o : device_options(test::catalog(), q)) {
            if (o.kind == "gpu" && o.usable_bytes < gpu.usable_bytes) CHECK(o.verdict != Verdict::fits);
        }
    }
}

namespace {

// The solver's --n-cpu-moe setup for one format, if it offers one.
const Setup* expert_setup(const Solution& s, const std::string& quant) {
    for (const Setup& x : s.setups) {
        if (x.quant == quant && x.n_cpu_moe > 0) return &x;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("the solver offers --n-cpu-moe with the fewest layers' experts in RAM that put every layer on the GPU", "[advice]") {
    // Working setups people ran on an RTX 2080 (8 GB) at 4096 tokens of context, llama-server
    // -ngl 99 (AlexsJones/llmfit PRs #755, #775, #778): what they ran fits, so the fewest layers
    // the solver proposes is at most theirs.
    const struct {
        const char* model;
        const char* quant;
        std::int64_t people_ran;
    } cases[] = {{"qwen3-30b-a3b", "Q4_K_M", 36}, {"gpt-oss-20b", "MXFP4_MOE", 12}, {"deepseek-coder-v2-lite", "Q4_K_M", 16}};
    for (const auto& c : cases) {
        INFO(c.model);
        const ResolvedRequest r = request(std::string(R"({"device":"rtx-2080","ctx":4096,"ram":64,"model":")") + c.model + R"(","quant":")" + c.quant + "\"}");
        const Solution s = solve(test::catalog(), r, kDefaultMinSpeed);
        const Setup* x = expert_setup(s, r.quant.id);
        REQUIRE(x != nullptr);
        CHECK(x->engine == "llama.cpp");
        CHECK(x->gpu_layers == x->total_layers);
        CHECK(x->verdict == Verdict::fits);
        CHECK(x->n_cpu_moe <= c.people_ran);
        // The boundary, from the estimate itself: N layers' experts in RAM fit on the GPU, N - 1 do not.
        InferenceOptions o = r.options;
        o.engine = Engine::llama_cpp;
        o.kv_type = KvType::f16;
        if (x->kv_type == "q8_0") o.kv_type = KvType::q8_0;
        o.n_cpu_moe = x->n_cpu_moe;
        const Expected<Estimate> at = estimate_inference(r.model, r.quant, r.device, o);
        REQUIRE(at.ok());
        CHECK(at->gpu_bytes <= at->usable_bytes);
        CHECK(x->gpu_bytes == at->gpu_bytes);
        o.n_cpu_moe = x->n_cpu_moe - 1;
        const Expected<Estimate> fewer = estimate_inference(r.model, r.quant, r.device, o);
        REQUIRE(fewer.ok());
        CHECK(fewer->gpu_bytes > fewer->usable_bytes);
    }
}

TEST_CASE("the solver offers --n-cpu-moe only where llama.cpp could use it", "[advice]") {
    // A dense model has no experts; a Mac's RAM is the GPU's memory; vLLM has no such option; a
    // request that already sets n_cpu_moe is answered as asked.
    for (const char* json : {R"({"model":"llama-3.3-70b","quant":"Q4_K_M","device":"rtx-4090","ram":128})",
                             R"({"model":"qwen3-30b-a3b","quant":"Q8_0","device":"apple-m2-pro-16gb"})",
                             R"({"model":"qwen3-30b-a3b","quant":"Q4_K_M","device":"rtx-2080","ram":64,"n_cpu_moe":20})"}) {
        INFO(json);
        const Solution s = solve(test::catalog(), request(json), kDefaultMinSpeed);
        REQUIRE_FALSE(s.setups.empty());
        for (const Setup& x : s.setups) CHECK(x.n_cpu_moe == (std::string(json).find("n_cpu_moe") != std::string::npos ? 20 : 0));
    }
    const Solution v = solve(test::catalog(), request(R"({"model":"qwen3-30b-a3b","device":"rtx-2080","ram":64,"engine":"vllm"})"), kDefaultMinSpeed);
    for (const Setup& x : v.setups) CHECK(x.n_cpu_moe == 0);
}

TEST_CASE("an engine that cannot offload gets llama.cpp with part of the model in system RAM as a suggestion", "[advice]") {
    auto offload = [](const std::vector<Suggestion>& list) -> const Suggestion* {
        for (const Suggestion& s : list) {
            if (s.kind == "offload") return &s;
        }
        return nullptr;
    };
    auto suggested = [](const ResolvedRequest& r) {
        const Expected<Estimate> e = estimate_inference(r.model, r.quant, r.device, r.options);
        REQUIRE(e.ok());
        REQUIRE(e->verdict == Verdict::does_not_fit);
        return suggestions(test::catalog(), r, e.value(), 0);
    };
    SECTION("gpt-oss-120b, published as MXFP4 for vLLM, on one 24 GB card with 64 GB of RAM: --n-cpu-moe") {
        const ResolvedRequest r = request(R"({"model":"gpt-oss-120b","device":"rtx-4090","ram":64})");
        REQUIRE(r.quant.family == QuantFamily::mxfp4);
        const std::vector<Suggestion> list = suggested(r);
        const Suggestion* s = offload(list);
        REQUIRE(s != nullptr);
        CHECK(s->engine == "llama.cpp");
        CHECK(s->quant == "MXFP4_MOE");
        REQUIRE(s->n_cpu_moe > 0);
        CHECK(s->text.find("--n-cpu-moe " + std::to_string(s->n_cpu_moe)) != std::string::npos);
        // What it says runs, as an estimate of its own.
        InferenceOptions o = r.options;
        o.engine = Engine::llama_cpp;
        o.n_cpu_moe = s->n_cpu_moe;
        const Expected<Estimate> e = estimate_inference(r.model, test::quant("MXFP4_MOE"), r.device, o);
        REQUIRE(e.ok());
        CHECK(e->verdict == Verdict::fits);
        CHECK(e->gpu_bytes == s->gpu_bytes);
    }
    SECTION("a dense model no format of which fits: layers in RAM") {
        const ResolvedRequest r = request(R"({"model":"llama-3.1-405b","device":"rtx-4090","ram":512})");
        const std::vector<Suggestion> list = suggested(r);  // the pointer below points into it
        const Suggestion* s = offload(list);
        REQUIRE(s != nullptr);
        CHECK(s->n_cpu_moe == 0);
        CHECK(s->quant == "Q4_K_M");
        CHECK(s->text.find("layers on the GPU and the rest in system RAM") != std::string::npos);
    }
    SECTION("an engine that was asked for is kept") {
        const ResolvedRequest r = request(R"({"model":"gpt-oss-120b","device":"rtx-4090","ram":64,"engine":"vllm"})");
        const std::vector<Suggestion> list = suggested(r);
        CHECK(offload(list) == nullptr);
    }
}
