#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "facts/kv_cache.hpp"
#include "facts/runtime.hpp"
#include "test_support.hpp"

using namespace wif;

// llama.cpp prints buffer sizes in MiB with two decimals, so "exact" below means within 0.005 MiB of
// the logged figure. The compute-buffer rule (largest of the f32 attention scores of one layer plus
// mask and activations, or the logits of one ubatch) reproduces every logged buffer to that precision.

namespace {

double mib(bytes_t b) { return static_cast<double>(b) / static_cast<double>(MiB); }

const LineItem* find_item(const std::vector<LineItem>& items, const std::string& key) {
    for (const LineItem& i : items) {
        if (key == i.key) return &i;
    }
    return nullptr;
}

bytes_t item_bytes(const std::vector<LineItem>& items, const std::string& key) {
    const LineItem* i = find_item(items, key);
    INFO("line item " << key);
    REQUIRE(i != nullptr);
    return i->bytes;
}

struct LlamaRun {
    std::vector<LineItem> items;
    KvCache kv;
};

// llama.cpp with one sequence and the default ubatch of 512.
LlamaRun llama_cpp(const ModelArch& arch, std::int64_t n_ctx, bool flash_attn, Backend backend,
                   std::int64_t logged_cells = 0) {
    KvRequest k;
    k.engine = Engine::llama_cpp;
    k.context = n_ctx;
    k.flash_attn = flash_attn;
    LlamaRun run;
    run.kv = compute_kv_cache(arch, k);
    if (logged_cells > 0) run.kv.cells_full = logged_cells;
    RuntimeRequest r;
    r.engine = Engine::llama_cpp;
    r.backend = backend;
    r.flash_attn = flash_attn;
    r.context = n_ctx;
    run.items = runtime_items(arch, run.kv, r);
    return run;
}

// open-llama 7B v2 as the ggml-org CI logs print it (n_vocab 32000, n_embd 4096, 32 heads, 32 KV heads).
ModelArch open_llama_7b() { return wif::test::llama_arch(32000, 4096, 11008, 32, 32, 32); }

}  // namespace

TEST_CASE("llama.cpp's compute buffer for Llama-3.1-8B at 131072 tokens without flash attention is 8480 MiB", "[runtime]") {
    // llama.cpp log quoted in the README of a "Meta LLaMa 3.1 ... simple apps" repository (2024-07-25,
    // Apple M1 Pro, llama3_1-8B.gguf f16, n_ctx 131072, n_ubatch 512, flash_attn = 0):
    //   "Metal compute buffer size =  8480.00 MiB", "CPU compute buffer size =   264.01 MiB".
    const PreparedModel m = wif::test::model("llama-3.1-8b");
    const LlamaRun run = llama_cpp(m.arch, 131072, false, Backend::metal);
    CHECK(std::abs(mib(item_bytes(run.items, "compute_buffer")) - 8480.00) < 0.005);
    // Host buffer: the f32 KQ mask (131072 x 512 x 4 B) and one ubatch of f32 embeddings; the log's extra
    // 0.01 MiB are small inputs (token ids, positions) the rule leaves out, hence 0.02 MiB.
    CHECK(std::abs(mib(item_bytes(run.items, "host_compute_buffer")) - 264.01) < 0.02);
}

TEST_CASE("llama.cpp's compute buffer for Llama-3.1-8B at 31072 cells without flash attention is 2034.69 MiB", "[runtime]") {
    // Same README, "./llama-server -m ./llama3_1-8B.gguf -c 31072": "Metal KV buffer size = 3884.00 MiB",
    // "Metal compute buffer size = 2034.69 MiB", "CPU compute buffer size = 68.69 MiB".
    // That build padded the cache to 32 cells without flash attention, so it held 31072 cells:
    // 3884.00 MiB = 31072 cells x 32 layers x 1024 x (K + V) x 2 B. Today's llama.cpp pads to 256
    // (kv_cache_test checks that); this test feeds the logged cell count to the compute-buffer rule.
    static_assert(31072LL * 32 * 1024 * 2 * 2 == 3884 * MiB);
    const PreparedModel m = wif::test::model("llama-3.1-8b");
    const LlamaRun run = llama_cpp(m.arch, 31072, false, Backend::metal, 31072);
    CHECK(std::abs(mib(item_bytes(run.items, "compute_buffer")) - 2034.69) < 0.005);
    CHECK(std::abs(mib(item_bytes(run.items, "host_compute_buffer")) - 68.69) < 0.02);
}

TEST_CASE("llama.cpp's compute buffer for Llama-3-8B at 512 tokens is the 258.50 MiB of the logits", "[runtime]") {
    // llama.cpp log in the README of github.com/developer0hye/llama-3-korean-bllossom-8b-q4-docker
    // (Llama-3-8B fine-tune, Q4_K_M, RTX 3070, n_ctx 512, flash_attn = 0):
    //   "CUDA0 compute buffer size =   258.50 MiB", "CUDA_Host compute buffer size =     9.01 MiB",
    //   "CUDA_Host  output buffer size =     0.49 MiB".
    const PreparedModel m = wif::test::model("llama-3-8b");
    const LlamaRun run = llama_cpp(m.arch, 512, false, Backend::cuda);
    // 512 x (128256 + 4096) x 4 B of logits outweigh the attention scores at this context.
    CHECK(item_bytes(run.items, "compute_buffer") == 512LL * (128256 + 4096) * 4);
    CHECK(std::abs(mib(item_bytes(run.items, "compute_buffer")) - 258.50) < 0.005);
    CHECK(std::abs(mib(item_bytes(run.items, "host_compute_buffer")) - 9.01) < 0.02);
    CHECK(std::abs(mib(item_bytes(run.items, "output_buffer")) - 0.49) < 0.005);
}

TEST_CASE("llama.cpp's compute buffer for open-llama 7B is 70.50 MiB at 512 tokens and 164.00 MiB at 2048", "[runtime]") {
    // tests/data/published_figures.json llama_cpp_logs: ggml-org/ci, llama.cpp 40f74e4d (build 2709),
    // Tesla V100, no flash attention in that build:
    //   n_ctx 512:  "CUDA0 compute buffer size =    70.50 MiB", "CUDA_Host compute buffer size =     9.01 MiB",
    //               "CUDA_Host  output buffer size =     0.12 MiB"
    //   n_ctx 2048: "CUDA0 compute buffer size =   164.00 MiB", "CUDA_Host compute buffer size =    12.01 MiB"
    const ModelArch a = open_llama_7b();
    const LlamaRun small = llama_cpp(a, 512, false, Backend::cuda);
    CHECK(std::abs(mib(item_bytes(small.items, "compute_buffer")) - 70.50) < 0.005);
    CHECK(std::abs(mib(item_bytes(small.items, "host_compute_buffer")) - 9.01) < 0.02);
    CHECK(std::abs(mib(item_bytes(small.items, "output_buffer")) - 0.12) < 0.005);
    const LlamaRun large = llama_cpp(a, 2048, false, Backend::cuda);
    // 2048 cells x 512 tokens x 32 heads x 4 B of scores + the f32 mask + 512 x 4096 x 16 B of activations.
    CHECK(item_bytes(large.items, "compute_buffer") == 2048LL * 512 * 32 * 4 + 2048LL * 512 * 4 + 512LL * 4096 * 16);
    CHECK(std::abs(mib(item_bytes(large.items, "compute_buffer")) - 164.00) < 0.005);
    CHECK(std::abs(mib(item_bytes(large.items, "host_compute_buffer")) - 12.01) < 0.02);
}

TEST_CASE("llama.cpp's compute buffer for Mistral-7B-Instruct-v0.2 at 32000 tokens is 2094.50 MiB", "[runtime]") {
    // tests/data/published_figures.json llama_cpp_logs: llama.cpp issue #7450 (build 2961), flash_attn = 0:
    //   "CUDA0 compute buffer size =  2094.50 MiB", "CUDA_Host compute buffer size =    70.51 MiB".
    ModelArch a = open_llama_7b();
    a.num_key_value_heads = 8;
    a.intermediate_size = 14336;
    const LlamaRun run = llama_cpp(a, 32000, false, Backend::cuda);
    CHECK(std::abs(mib(item_bytes(run.items, "compute_buffer")) - 2094.50) < 0.005);
    CHECK(std::abs(mib(item_bytes(run.items, "host_compute_buffer")) - 70.51) < 0.02);
}

TEST_CASE("vLLM's profiled activation peak for Llama-3-8B on an 80 GB GPU is about the logged 1.26 GiB", "[runtime]") {
    // tests/data/published_figures.json vllm_logs: vLLM PR #10511, "vllm serve meta-llama/Meta-Llama-3-8B",
    // total_gpu_memory 79.22GiB: "PyTorch activation peak memory       1.26GiB".
    // A measured peak that the rule approximates from the batch shape: within 5%.
    const PreparedModel m = wif::test::model("llama-3-8b");
    RuntimeRequest r;
    r.engine = Engine::vllm;
    r.backend = Backend::cuda;
    apply_vllm_defaults(r, 79.22, false);
    KvRequest k;
    k.engine = Engine::vllm;
    k.context = 8192;
    const std::vector<LineItem> items = runtime_items(m.arch, compute_kv_cache(m.arch, k), r);
    const double peak = static_cast<double>(item_bytes(items, "activation_peak")) / static_cast<double>(GiB);
    INFO("predicted activation peak " << peak << " GiB");
    CHECK(std::abs(peak / 1.26 - 1.0) <= 0.05);
}

TEST_CASE("PyTorch's CUDA context takes 426 MiB per GPU", "[runtime]") {
    // unslothai/unsloth-zoo PR #1053: torch.cuda.mem_get_info() creates a context of 426 MiB
    // (PyTorch 2.10.0+cu130, RTX 6000 Ada, nvidia-smi).
    const PreparedModel m = wif::test::model("llama-3.1-8b");
    KvRequest k;
    k.engine = Engine::transformers;
    const KvCache kv = compute_kv_cache(m.arch, k);
    RuntimeRequest r;
    r.engine = Engine::transformers;
    r.backend = Backend::cuda;
    CHECK(item_bytes(runtime_items(m.arch, kv, r), "cuda_context") == 426 * MiB);
    r.gpu_count = 2;
    CHECK(item_bytes(runtime_items(m.arch, kv, r), "cuda_context") == 2 * 426 * MiB);
    // No CUDA context on a Mac.
    r.gpu_count = 1;
    r.backend = Backend::metal;
    CHECK(find_item(runtime_items(m.arch, kv, r), "cuda_context") == nullptr);
}
