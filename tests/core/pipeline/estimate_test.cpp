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

// ---- MoE experts kept in system RAM (llama.cpp --n-cpu-moe / --cpu-moe) ----------------------------

namespace {

InferenceOptions cpu_moe(std::int64_t n, double ram_gib = 128) {
    InferenceOptions o;
    o.engine = Engine::llama_cpp;
    o.n_cpu_moe = n;
    o.system_ram = static_cast<bytes_t>(ram_gib * static_cast<double>(GiB));
    return o;
}

const LineItem* item(const Estimate& e, const std::string& key) {
    for (const LineItem& i : e.items) {
        if (i.key == key) return &i;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("keeping the experts of N layers in system RAM moves exactly N x one layer's expert bytes off the GPU", "[estimate][n_cpu_moe]") {
    // Qwen3 30B-A3B: 48 MoE blocks of 128 experts x 3 matrices x 2048 x 768 = 603,979,776 weights;
    // in Q8_0 (34 bytes per 32 weights) 641,728,512 bytes a block.
    const PreparedModel m = test::model("qwen3-30b-a3b");
    const Device& d = test::device("rtx-pro-6000-blackwell");  // 96 GB: every layer fits either way
    const Estimate base = test::estimate(m, "Q8_0", d, cpu_moe(0));
    const Estimate ten = test::estimate(m, "Q8_0", d, cpu_moe(10));
    const bytes_t per_block = 641'728'512;
    CHECK(routed_expert_bytes(m.arch, base.weights, 0) == per_block);
    CHECK(ten.n_cpu_moe == 10);
    CHECK(ten.cpu_moe_bytes == 10 * per_block);
    CHECK(ten.gpu_bytes == base.gpu_bytes - 10 * per_block);
    CHECK(ten.host_bytes == base.host_bytes + 10 * per_block);
    CHECK(ten.total_bytes == base.total_bytes);  // moved, never counted twice
    const LineItem* experts = item(ten, "moe_experts_cpu");
    REQUIRE(experts != nullptr);
    CHECK(experts->bytes == 10 * per_block);
    CHECK(experts->location == Location::host);
    CHECK(experts->label == "MoE experts in system RAM (first 10 layers, --n-cpu-moe)");
    CHECK(item(ten, "weights")->bytes == item(base, "weights")->bytes - 10 * per_block);
    CHECK(item(base, "moe_experts_cpu") == nullptr);
    CHECK(ten.verdict == Verdict::fits);
    CHECK(ten.gpu_layers == ten.total_layers);

    // --cpu-moe (-1), and any N past the last block, keep all 48 blocks' experts in RAM.
    const Estimate all = test::estimate(m, "Q8_0", d, cpu_moe(-1));
    CHECK(all.n_cpu_moe == 48);
    CHECK(all.cpu_moe_bytes == 48 * per_block);
    CHECK(all.cpu_moe_bytes == all.weights.routed_experts);
    CHECK(item(all, "moe_experts_cpu")->label == "MoE experts in system RAM (all 48 layers, --cpu-moe)");
    CHECK(test::estimate(m, "Q8_0", d, cpu_moe(1000)).gpu_bytes == all.gpu_bytes);
}

TEST_CASE("more layers of experts in system RAM never need more GPU memory nor put fewer layers on the GPU", "[estimate][n_cpu_moe]") {
    const PreparedModel m = test::model("qwen3-30b-a3b");
    const Device& d = test::device("rtx-2080");  // 8 GB: the 18 GB Q4_K_M file does not fit whole
    bytes_t last_gpu = INT64_MAX;
    std::int64_t last_layers = -1;
    for (std::int64_t n = 0; n <= 48; n += 4) {
        INFO("n_cpu_moe " << n);
        const Estimate e = test::estimate(m, "Q4_K_M", d, cpu_moe(n, 64));
        CHECK(e.gpu_bytes <= last_gpu);
        CHECK(e.gpu_layers >= last_layers);
        CHECK(e.verdict != Verdict::does_not_fit);
        last_gpu = e.gpu_bytes;
        last_layers = e.gpu_layers;
    }
    // Without it llama.cpp must offload whole layers; with every layer's experts in RAM all 49 fit.
    CHECK(test::estimate(m, "Q4_K_M", d, cpu_moe(0, 64)).verdict == Verdict::fits_with_offload);
    const Estimate all = test::estimate(m, "Q4_K_M", d, cpu_moe(-1, 64));
    CHECK(all.verdict == Verdict::fits);
    CHECK(all.gpu_layers == 49);
}

TEST_CASE("with -ngl, an offloaded block's experts kept in RAM are counted once", "[estimate][n_cpu_moe]") {
    const PreparedModel m = test::model("qwen3-30b-a3b");
    const Device& d = test::device("rtx-4060");  // 8 GB
    InferenceOptions o = cpu_moe(30, 64);
    o.ngl = 40;  // blocks 8..47 on the GPU; blocks 0..7 (experts and all) in RAM
    const Estimate e = test::estimate(m, "Q4_K_M", d, o);
    REQUIRE(e.verdict == Verdict::fits_with_offload);
    CHECK(e.gpu_layers == 40);
    // On the GPU: the buffers and blocks 8..47 less the experts of blocks 8..29. In RAM: the host
    // items (embeddings, the 30 blocks' experts) plus the rest of blocks 0..7 and the output layer.
    const bytes_t on_gpu = e.usable_bytes - e.headroom_bytes;
    CHECK(on_gpu + e.host_bytes + e.offloaded_bytes == e.total_bytes);
    bytes_t expected_gpu = e.gpu_fixed_bytes;
    for (std::int64_t il = 8; il < 48; ++il) {
        expected_gpu += e.weights.layers[static_cast<size_t>(il)] + e.kv.layers[static_cast<size_t>(il)] -
                        (il < 30 ? routed_expert_bytes(m.arch, e.weights, il) : 0);
    }
    CHECK(on_gpu == expected_gpu);
}

TEST_CASE("the experts kept in system RAM must fit there, and on a Mac the one memory is not counted twice", "[estimate][n_cpu_moe]") {
    // Qwen3 235B-A22B in Q4_K_M is about 142 GB, nearly all of it experts.
    const PreparedModel m = test::model("qwen3-235b-a22b");
    const Estimate small = test::estimate(m, "Q4_K_M", test::device("rtx-4090"), cpu_moe(-1, 64));
    CHECK(small.verdict == Verdict::does_not_fit);
    CHECK(small.headroom_bytes >= 0);  // the GPU side alone would fit
    REQUIRE_FALSE(small.warnings.empty());
    CHECK(small.warnings.back().find("--n-cpu-moe") != std::string::npos);
    CHECK(test::estimate(m, "Q4_K_M", test::device("rtx-4090"), cpu_moe(-1, 192)).verdict == Verdict::fits);

    // A 32 GB Mac: whatever the split, the GPU's part and the CPU's part share the same RAM.
    const PreparedModel q = test::model("qwen3-30b-a3b");
    const Device& mac = test::device("apple-m2-max-32gb");
    for (std::int64_t n : {0, 24, -1}) {
        for (const char* quant : {"Q4_K_M", "Q8_0"}) {
            const Estimate e = test::estimate(q, quant, mac, cpu_moe(n));
            INFO(quant << " n_cpu_moe " << n);
            if (e.verdict == Verdict::fits) CHECK(e.host_bytes + std::min(e.gpu_bytes, e.usable_bytes) <= e.system_usable_bytes);
        }
    }
    // Q8_0 (32 GB of weights) never fits 32 GB of unified memory by moving experts to the CPU side.
    CHECK(test::estimate(q, "Q8_0", mac, cpu_moe(-1)).verdict == Verdict::does_not_fit);
}

TEST_CASE("n_cpu_moe is a llama.cpp option for a mixture of experts: other engines refuse it, a dense model is told", "[estimate][n_cpu_moe]") {
    const PreparedModel moe = test::model("qwen3-30b-a3b");
    InferenceOptions vllm = cpu_moe(10);
    vllm.engine = Engine::vllm;
    const Expected<Estimate> v = estimate_inference(moe, test::quant("bf16"), test::device("h100-sxm"), vllm);
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().code == "unsupported_option");
    CHECK(v.error().message.find("llama.cpp") != std::string::npos);
    InferenceOptions ollama = cpu_moe(10);
    ollama.engine = Engine::ollama;
    const Expected<Estimate> ol = estimate_inference(moe, test::quant("Q4_K_M"), test::device("rtx-4090"), ollama);
    REQUIRE_FALSE(ol.ok());
    CHECK(ol.error().message.find("ollama") != std::string::npos);

    // A dense model has no ffn_*_exps tensors: the same bill, and a warning that says so.
    const PreparedModel dense = test::model("llama-3.1-8b");
    const Estimate plain = test::estimate(dense, "Q4_K_M", test::device("rtx-4060"), cpu_moe(0));
    const Estimate told = test::estimate(dense, "Q4_K_M", test::device("rtx-4060"), cpu_moe(10));
    CHECK(told.gpu_bytes == plain.gpu_bytes);
    CHECK(told.cpu_moe_bytes == 0);
    bool warned = false;
    for (const std::string& w : told.warnings) warned = warned || w.find("not a mixture of experts") != std::string::npos;
    CHECK(warned);
    // A CPU-only machine holds every weight in RAM already.
    const Estimate cpu = test::estimate(moe, "Q4_K_M", test::device("cpu-ddr5-5600-dual-64gb"), cpu_moe(10));
    CHECK(cpu.cpu_moe_bytes == 0);
    CHECK_FALSE(cpu.warnings.empty());
}

TEST_CASE("vLLM's V0 engine profiles the whole max_model_len and 256 sequences, V1 its batched-token budget", "[estimate][engine_version]") {
    // Llama 3.1 8B: hidden 4096, QKV (32 + 2 x 8) x 128 = 6144, FFN 14336, vocab 128256; bytes per
    // profiled token (4 x 4096 + 6144 + 2 x 14336) x 2 B = 102,400.
    // V1 on an H100 (80 GB): 8192 batched tokens and 1024 sequences of fp32 sampler logits.
    // V0, max_model_len 32768 (chunked prefill off up to 32K): 32768 tokens and 256 sequences.
    InferenceOptions o;
    o.engine = Engine::vllm;
    o.context = 32768;
    const Estimate v1 = test::estimate(test::model("llama-3.1-8b"), "bf16", test::device("h100-sxm"), o);
    o.engine_version = EngineVersion::vllm_v0;
    const Estimate v0 = test::estimate(test::model("llama-3.1-8b"), "bf16", test::device("h100-sxm"), o);
    auto activation = [](const Estimate& e) {
        for (const LineItem& i : e.items) {
            if (std::string(i.key) == "activation_peak") return i.bytes;
        }
        return bytes_t{0};
    };
    CHECK(activation(v1) == 8192LL * 102400 + 1024LL * 128256 * 4);
    CHECK(activation(v0) == 32768LL * 102400 + 256LL * 128256 * 4);
    CHECK(v0.engine_version == EngineVersion::vllm_v0);
    // Past 32K tokens V0 turned chunked prefill on: 2048 tokens a step.
    o.context = 65536;
    const Estimate long_v0 = test::estimate(test::model("llama-3.1-8b"), "bf16", test::device("h100-sxm"), o);
    CHECK(activation(long_v0) == 2048LL * 102400 + 256LL * 128256 * 4);
}
