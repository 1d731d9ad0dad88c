#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "test_support.hpp"
#include "workloads/serving.hpp"

using namespace wif;

namespace {

Estimate vllm_estimate(const PreparedModel& m, const std::string& quant, const Device& d, int gpus = 1,
                       std::int64_t context = 8192) {
    InferenceOptions o;
    o.engine = Engine::vllm;
    o.gpu_count = gpus;
    o.context = context;
    o.explain = false;
    return test::estimate(m, quant, d, o);
}

bytes_t item(const Estimate& e, const std::string& key) {
    bytes_t b = 0;
    for (const LineItem& i : e.items) {
        if (key == i.key) b += i.bytes;
    }
    return b;
}

}  // namespace

TEST_CASE("vLLM KV budget, blocks and concurrency as vLLM computes them", "[serving]") {
    const PreparedModel m = test::model("llama-3.1-8b");
    const Device& d = test::device("h100-sxm");
    const Estimate e = vllm_estimate(m, "bf16", d);
    const Expected<ServingEstimate> r = estimate_serving(m, e, d, {});
    REQUIRE(r.ok());
    const ServingEstimate& s = r.value();

    // requested = 0.9 x 80 GiB; KV = requested - weights - activation peak - non-torch.
    const bytes_t requested = round_bytes(0.9 * 80.0 * static_cast<double>(GiB));
    CHECK(s.requested_bytes == requested);
    CHECK(s.weights_bytes == item(e, "weights"));
    CHECK(s.activation_peak_bytes == item(e, "activation_peak"));
    CHECK(s.non_torch_bytes == item(e, "non_torch_memory"));
    CHECK(s.kv_budget_bytes == requested - s.weights_bytes - s.activation_peak_bytes - s.non_torch_bytes);
    CHECK(s.weights_bytes > 15'000'000'000);  // 8.03B x 2 bytes

    // 32 layers x 8 KV heads x 128 x 2 (K, V) x 2 bytes = 131,072 B per token; blocks of 16 tokens.
    CHECK(s.kv_bytes_per_token == 131072);
    CHECK(s.block_size == 16);
    CHECK(s.num_blocks == s.kv_budget_bytes / (131072 * 16));
    CHECK(s.kv_tokens == s.num_blocks * 16);
    CHECK(s.max_model_len == 8192);
    CHECK(s.max_concurrency == Approx(static_cast<double>(s.kv_tokens) / 8192.0));
    CHECK(s.max_sequences == static_cast<std::int64_t>(std::floor(s.max_concurrency)));
    CHECK(s.fits);
    CHECK(s.log_line.rfind("Maximum concurrency for 8,192 tokens per request: ", 0) == 0);
    CHECK(s.log_line.back() == 'x');

    // Batched decode: many streams together beat one stream; each stream is slower than one alone.
    CHECK(s.batch == std::min<std::int64_t>(s.max_sequences, 1024));
    CHECK(s.aggregate_decode_tps > s.single_stream_decode_tps);
    CHECK(s.per_sequence_decode_tps < s.single_stream_decode_tps);
    CHECK(std::isfinite(s.aggregate_decode_tps));
}

TEST_CASE("max_model_len and gpu_memory_utilization options", "[serving]") {
    const PreparedModel m = test::model("llama-3.1-8b");
    const Device& d = test::device("a100-80gb-sxm");
    const Estimate e = vllm_estimate(m, "bf16", d);
    ServingOptions o;
    o.max_model_len = 4096;
    o.gpu_memory_utilization = 0.5;
    const ServingEstimate s = estimate_serving(m, e, d, o).value();
    CHECK(s.max_model_len == 4096);
    CHECK(s.requested_bytes == round_bytes(0.5 * 80.0 * static_cast<double>(GiB)));
    CHECK(s.log_line.rfind("Maximum concurrency for 4,096 tokens per request: ", 0) == 0);
    CHECK(s.batch <= 256);  // A100 keeps max_num_seqs 256 (vllm/engine/arg_utils.py)
}

TEST_CASE("more GPUs never lower the KV budget", "[serving]") {
    const PreparedModel m = test::model("llama-3.1-70b");
    const Device& d = test::device("h100-sxm");
    bytes_t last = -1;
    for (int gpus : {2, 4, 8}) {
        const ServingEstimate s = estimate_serving(m, vllm_estimate(m, "bf16", d, gpus), d, {}).value();
        INFO(gpus << " GPUs");
        CHECK(s.kv_budget_bytes >= last);
        CHECK(s.gpu_count == gpus);
        last = s.kv_budget_bytes;
    }
}

TEST_CASE("a model that leaves no room for the cache does not fit", "[serving]") {
    const PreparedModel m = test::model("llama-3.1-70b");
    const Device& d = test::device("h100-sxm");
    const ServingEstimate s = estimate_serving(m, vllm_estimate(m, "bf16", d, 1), d, {}).value();
    CHECK(s.kv_budget_bytes == 0);
    CHECK(s.num_blocks == 0);
    CHECK_FALSE(s.fits);
    CHECK(std::isfinite(s.aggregate_decode_tps));
    CHECK_FALSE(s.notes.empty());
}

TEST_CASE("a mixture of experts reads more experts as the batch grows", "[serving]") {
    const PreparedModel m = test::model("qwen3-30b-a3b");
    const Device& d = test::device("h100-sxm");
    const ServingEstimate s = estimate_serving(m, vllm_estimate(m, "bf16", d), d, {}).value();
    CHECK(s.fits);
    CHECK(s.aggregate_decode_tps > s.single_stream_decode_tps);
}

TEST_CASE("serving rejects other engines and bad options", "[serving]") {
    const PreparedModel m = test::model("llama-3.1-8b");
    const Device& d = test::device("h100-sxm");
    InferenceOptions lo;
    lo.engine = Engine::llama_cpp;
    const Estimate llama = test::estimate(m, "Q4_K_M", d, lo);
    CHECK(estimate_serving(m, llama, d, {}).error().code == "serving_needs_vllm");
    const Estimate e = vllm_estimate(m, "bf16", d);
    ServingOptions nan;
    nan.gpu_memory_utilization = std::numeric_limits<double>::quiet_NaN();
    CHECK(estimate_serving(m, e, d, nan).error().code == "invalid_gpu_util");
    ServingOptions over;
    over.gpu_memory_utilization = 1.2;
    CHECK(estimate_serving(m, e, d, over).error().code == "invalid_gpu_util");
    ServingOptions neg;
    neg.max_model_len = -5;
    CHECK(estimate_serving(m, e, d, neg).error().code == "invalid_context");
    Device none = d;
    none.bandwidth_gbs = 0;
    CHECK(estimate_serving(m, e, none, {}).error().code == "no_bandwidth");
}
