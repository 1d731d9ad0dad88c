#include <catch2/catch.hpp>

#include "pipeline/estimate.hpp"
#include "advice/sweep.hpp"
#include "test_support.hpp"

using namespace wif;

TEST_CASE("7B in fp16 does not fit an 8 GB RTX 4060: 7B x 2 bytes is 14 GB of weights", "[estimate]") {
    const Estimate e = test::estimate(test::assumed_model(7'000'000'000), "fp16", test::device("rtx-4060"));
    CHECK(e.verdict == Verdict::does_not_fit);
    CHECK(e.weights_bytes == 14'000'000'000);
    CHECK(e.usable_bytes == 8 * GiB);
    REQUIRE_FALSE(e.explanation.empty());
    // The explanation starts from the arithmetic people know.
    CHECK(e.explanation.front().find("7B parameters x 2 bytes (fp16) = 14 GB of weights") != std::string::npos);
    CHECK(e.headline.rfind("Does not fit", 0) == 0);
}

TEST_CASE("13B in fp16 does not fit a 24 GB RTX 4090: 26 GB of weights", "[estimate]") {
    const Estimate e = test::estimate(test::assumed_model(13'000'000'000), "fp16", test::device("rtx-4090"));
    CHECK(e.verdict == Verdict::does_not_fit);
    CHECK(e.weights_bytes == 26'000'000'000);
    CHECK(e.weights_bytes > e.usable_bytes);  // 26e9 > 24 x 2^30 = 25.77e9
}

TEST_CASE("Mixtral 8x7B on a 192 GB M2 Ultra: fp32 does not fit, fp16, int8 and int4 fit the GPU's share", "[estimate]") {
    const PreparedModel m = test::model("mixtral-8x7b");
    const Device& mac = test::device("apple-m2-ultra-192gb");
    // Metal's recommendedMaxWorkingSetSize on machines above 36 GB is 3/4 of RAM: 144 GiB.
    const Estimate fp32 = test::estimate(m, "fp32", mac);
    CHECK(fp32.usable_bytes == 144 * GiB);
    CHECK(fp32.verdict == Verdict::does_not_fit);
    CHECK(fp32.weights_bytes == 46'702'792'704LL * 4);  // every parameter in 4 bytes

    const Estimate fp16 = test::estimate(m, "fp16", mac);
    CHECK(fp16.verdict == Verdict::fits);
    CHECK(fp16.weights_bytes == 46'702'792'704LL * 2);  // "about 93 GB of weights"
    CHECK(fp16.weights_bytes > 93'000'000'000);
    CHECK(fp16.weights_bytes < 94'000'000'000);

    CHECK(test::estimate(m, "int8", mac).verdict == Verdict::fits);
    CHECK(test::estimate(m, "int4", mac).verdict == Verdict::fits);
}

TEST_CASE("7B in int8 does not fit an 8 GB MacBook Air once the GPU's 2/3 share applies, int4 fits at 2048 tokens", "[estimate]") {
    const Device& air = test::device("apple-m2-8gb");
    const PreparedModel m = test::assumed_model(7'000'000'000);
    const Estimate int8 = test::estimate(m, "int8", air, test::with_context(2048));
    // 8 GiB x 2/3 = 5.73e9 bytes usable, less than the 7e9 bytes of weights alone.
    CHECK(int8.usable_bytes == 8 * GiB * 2 / 3);
    CHECK(int8.weights_bytes == 7'000'000'000);
    CHECK(int8.verdict == Verdict::does_not_fit);
    const Estimate int4 = test::estimate(m, "int4", air, test::with_context(2048));
    CHECK(int4.weights_bytes == 3'500'000'000);
    CHECK(int4.verdict == Verdict::fits);
}

TEST_CASE("a 1B model needs 4 GB of weights in fp32, 2 GB in fp16 and 1 GB in int8", "[estimate]") {
    const PreparedModel m = test::assumed_model(1'000'000'000);
    const Device& gpu = test::device("rtx-4090");
    CHECK(test::estimate(m, "fp32", gpu).weights_bytes == 4'000'000'000);
    CHECK(test::estimate(m, "fp16", gpu).weights_bytes == 2'000'000'000);
    CHECK(test::estimate(m, "int8", gpu).weights_bytes == 1'000'000'000);
}

TEST_CASE("the KV cache of Llama-3.1-8B at 131072 tokens in f16 is exactly 16 GiB in the estimate", "[estimate]") {
    // 32 layers x 8 KV heads x 128 dims x 2 (K, V) x 2 bytes x 131072 tokens.
    const Estimate e = test::estimate(test::model("llama-3.1-8b"), "Q4_K_M", test::device("h100-sxm"), test::with_context(131072));
    CHECK(e.kv_cache_bytes == 32LL * 8 * 128 * 2 * 2 * 131072);
    CHECK(e.kv_cache_bytes == 16 * GiB);
}

TEST_CASE("Llama 3.1 70B in Q4_K_M spills to system RAM on one RTX 3090 and fits two", "[estimate]") {
    const PreparedModel m = test::model("llama-3.1-70b");
    const Estimate one = test::estimate(m, "Q4_K_M", test::device("rtx-3090"));
    CHECK(one.engine == Engine::llama_cpp);
    CHECK(one.verdict == Verdict::fits_with_offload);
    CHECK(one.gpu_layers > 1);
    CHECK(one.gpu_layers < one.total_layers);
    CHECK(one.total_layers == 81);  // 80 blocks + the output layer, as llama.cpp counts -ngl
    // What stays on the CPU is the first blocks: weights plus their KV cache.
    CHECK(one.offloaded_bytes > 0);

    InferenceOptions two;
    two.gpu_count = 2;
    const Estimate both = test::estimate(m, "Q4_K_M", test::device("rtx-3090"), two);
    CHECK(both.verdict == Verdict::fits);
    CHECK(both.usable_bytes == 2 * 24 * GiB);
    CHECK(both.gpu_layers == both.total_layers);
}

TEST_CASE("offloaded layers must fit the system RAM next to the GPU", "[estimate]") {
    InferenceOptions small_ram;
    small_ram.system_ram = 16 * GiB;
    const Estimate e = test::estimate(test::model("llama-3.1-70b"), "Q4_K_M", test::device("rtx-3090"), small_ram);
    // About 18 GB of layers would have to live in 16 GiB less the OS's share: not possible.
    CHECK(e.verdict == Verdict::does_not_fit);
}

TEST_CASE("llama.cpp keeps the token embeddings in system RAM and a tied head on the GPU", "[estimate]") {
    const Estimate untied = test::estimate(test::model("llama-3.1-8b"), "Q4_K_M", test::device("rtx-4090"));
    REQUIRE(untied.items.size() >= 2);
    const LineItem& embd = untied.items[1];
    CHECK(std::string(embd.key) == "token_embeddings");
    CHECK(embd.location == Location::host);
    CHECK(embd.bytes == untied.weights.token_embd);
    // Gemma ties its embeddings: llama.cpp loads the output copy on the GPU as well.
    const Estimate tied = test::estimate(test::model("gemma-3-4b"), "Q4_K_M", test::device("rtx-4090"));
    CHECK(tied.weights_bytes == tied.weights.total - tied.weights.vision + tied.weights.token_embd);
}

TEST_CASE("a CPU-only machine counts every byte against its RAM", "[estimate]") {
    const Estimate e = test::estimate(test::model("llama-3.1-8b"), "Q4_K_M", test::device("cpu-ddr5-5600-dual-32gb"));
    CHECK(e.gpu_bytes == 0);
    CHECK(e.host_bytes == e.total_bytes);
    CHECK(e.verdict == Verdict::fits);
    CHECK(e.gpu_layers == 0);
}

TEST_CASE("engines refuse formats and devices they cannot run, with the reason", "[estimate]") {
    InferenceOptions mlx;
    mlx.engine = Engine::mlx;
    const Expected<Estimate> mlx_on_cuda = estimate_inference(test::model("llama-3.1-8b"), test::quant("fp16"), test::device("rtx-4090"), mlx);
    REQUIRE_FALSE(mlx_on_cuda.ok());
    CHECK(mlx_on_cuda.error().message.find("Apple Silicon") != std::string::npos);

    const Expected<Estimate> bnb_on_mac = estimate_inference(test::model("llama-3.1-8b"), test::quant("nf4"), test::device("apple-m2-ultra-192gb"), {});
    REQUIRE_FALSE(bnb_on_mac.ok());
    CHECK(bnb_on_mac.error().code == "incompatible_format");

    InferenceOptions vllm;
    vllm.engine = Engine::vllm;
    const Expected<Estimate> gguf_in_vllm = estimate_inference(test::model("llama-3.1-8b"), test::quant("Q4_K_M"), test::device("h100-sxm"), vllm);
    REQUIRE_FALSE(gguf_in_vllm.ok());
}

TEST_CASE("absurd options are errors that name the option", "[estimate]") {
    const PreparedModel m = test::model("llama-3.1-8b");
    InferenceOptions o;
    o.gpu_count = 0;
    CHECK(estimate_inference(m, test::quant("fp16"), test::device("rtx-4090"), o).error().code == "invalid_count");
    o = {};
    o.context = -1;
    CHECK(estimate_inference(m, test::quant("fp16"), test::device("rtx-4090"), o).error().code == "invalid_context");
    o = {};
    o.sequences = 100000;
    CHECK(estimate_inference(m, test::quant("fp16"), test::device("rtx-4090"), o).error().code == "invalid_batch");
    o = {};
    o.gpu_count = 2;
    CHECK(estimate_inference(m, test::quant("fp16"), test::device("apple-m2-ultra-192gb"), o).error().code == "invalid_count");
}

TEST_CASE("a context beyond the model's training length is a warning, not a silent answer", "[estimate]") {
    const Estimate e = test::estimate(test::model("llama-2-7b"), "Q4_K_M", test::device("h100-sxm"), test::with_context(16384));
    REQUIRE_FALSE(e.warnings.empty());
    CHECK(e.warnings.front().find("4,096") != std::string::npos);
}

TEST_CASE("vLLM takes 90% of the GPU and its KV cache follows the requested context", "[estimate]") {
    InferenceOptions o;
    o.engine = Engine::vllm;
    o.context = 8192;
    const Estimate e = test::estimate(test::model("llama-3.1-8b"), "bf16", test::device("h100-sxm"), o);
    CHECK(e.usable_bytes == round_bytes(80.0 * GiB * 0.9));
    CHECK(e.kv_cache_bytes == 32LL * 8 * 128 * 2 * 2 * 8192);  // 8192 is a multiple of the 16-token block
}

TEST_CASE("the catalog sweep gives the same verdict, bytes and layers as single estimates", "[estimate]") {
    const Catalog& c = test::catalog();
    const SweepResult sweep = sweep_catalog(c, kDefaultContext);
    REQUIRE(sweep.rows.size() == c.models.size() * c.quants.size() * c.devices.size());
    InferenceOptions o;
    o.context = kDefaultContext;
    // Every 97th combination (a prime stride walks through all models, formats and devices).
    int checked = 0;
    for (size_t i = 0; i < sweep.rows.size(); i += 97) {
        const SweepRow& row = sweep.rows[i];
        const ModelEntry& me = c.models[row.model];
        const PreparedModel m = prepare_model(me.id, me.name, me.arch);
        const Expected<Estimate> e = estimate_inference(m, c.quants[row.quant].spec, c.devices[row.device], o);
        INFO(me.id << " / " << c.quants[row.quant].spec.id << " / " << c.devices[row.device].id);
        if (row.verdict < 0) {
            CHECK_FALSE(e.ok());
            continue;
        }
        REQUIRE(e.ok());
        CHECK(static_cast<int>(e->verdict) == row.verdict);
        CHECK(e->gpu_bytes == row.gpu_bytes);
        CHECK(e->gpu_layers == row.gpu_layers);
        ++checked;
    }
    CHECK(checked > 4000);
    CHECK(sweep.fits + sweep.offload + sweep.no + sweep.unsupported == static_cast<std::int64_t>(sweep.rows.size()));
}
