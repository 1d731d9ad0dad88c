#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "pipeline/estimate.hpp"
#include "present/explain.hpp"
#include "test_support.hpp"

using namespace wif;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;

namespace {

bool has_line(const std::vector<std::string>& lines, const std::string& part) {
    for (const std::string& l : lines) {
        if (l.find(part) != std::string::npos) return true;
    }
    return false;
}

const std::string* line_starting(const std::vector<std::string>& lines, const std::string& prefix) {
    for (const std::string& l : lines) {
        if (l.rfind(prefix, 0) == 0) return &l;
    }
    return nullptr;
}

// Every line item of the bill shows up in the explanation: weights in the first line, the KV cache
// in the second, the rest as "+ label: bytes." lines, and what sits beside a GPU in system RAM in
// the "System RAM also holds" line.
void check_every_item_explained(const Estimate& e, Units u, bool cpu_only) {
    REQUIRE(e.explanation.size() >= 3);
    CHECK_THAT(e.explanation[0], StartsWith("Weights: "));
    CHECK_THAT(e.explanation[1], StartsWith("+ KV cache: "));
    const std::string* host = line_starting(e.explanation, "System RAM also holds: ");
    for (const LineItem& item : e.items) {
        INFO(item.key << " (" << item.label << ", " << item.bytes << " bytes)");
        const std::string bytes = format_bytes(item.bytes, u);
        if (item.location == Location::host && !cpu_only) {
            REQUIRE(host != nullptr);
            CHECK_THAT(*host, Contains(item.label + " " + bytes));
        } else if (item.category == ItemCategory::kv_cache) {
            CHECK_THAT(e.explanation[1], EndsWith(" = " + bytes + "."));
        } else if (item.category == ItemCategory::weights) {
            CHECK_THAT(e.explanation[0], Contains("= " + format_bytes(e.weights.total, u) + " of weights"));
        } else {
            CHECK(has_line(e.explanation, "+ " + item.label + ": " + bytes + "."));
        }
    }
}

}  // namespace

TEST_CASE("the explanation of 7B in fp16 on an 8 GB RTX 4060 starts from 7B x 2 bytes = 14 GB", "[explain]") {
    const Estimate e = test::estimate(test::assumed_model(7'000'000'000, "a 7B model"), "fp16", test::device("rtx-4060"));
    REQUIRE_FALSE(e.explanation.empty());
    // 8 GiB = 8,589,934,592 bytes = 8.59 GB; the card's name has no size, so it is added.
    CHECK(e.explanation.front() ==
          "Weights: 7B parameters x 2 bytes (fp16) = 14 GB of weights, already more than the 8.59 GB that "
          "the NVIDIA GeForce RTX 4060 (8 GB) can use.");
    CHECK_THAT(e.headline, StartsWith("Does not fit: a 7B model in fp16 needs "));
    CHECK_THAT(e.headline, EndsWith("; the NVIDIA GeForce RTX 4060 can use 8.59 GB (an 8 GB card: 8 GiB = 8.59 GB)."));
}

TEST_CASE("one byte per parameter is written in the singular, four in the plural", "[explain]") {
    const Device& gpu = test::device("rtx-4090");
    const PreparedModel m = test::assumed_model(1'000'000'000, "a 1B model");
    CHECK_THAT(test::estimate(m, "int8", gpu).explanation.front(), StartsWith("Weights: 1B parameters x 1 byte (int8) = 1 GB of weights"));
    CHECK_THAT(test::estimate(m, "fp32", gpu).explanation.front(), StartsWith("Weights: 1B parameters x 4 bytes (fp32) = 4 GB of weights"));
}

TEST_CASE("in GiB units the same arithmetic reads 13 GiB of weights against 8 GiB", "[explain]") {
    InferenceOptions o;
    o.units = Units::gib;
    const Estimate e = test::estimate(test::assumed_model(7'000'000'000, "a 7B model"), "fp16", test::device("rtx-4060"), o);
    // 14e9 / 2^30 = 13.04 -> "13 GiB"; the card's marketed "8 GB" stays as it is named.
    CHECK(e.explanation.front() ==
          "Weights: 7B parameters x 2 bytes (fp16) = 13 GiB of weights, already more than the 8 GiB that "
          "the NVIDIA GeForce RTX 4060 (8 GB) can use.");
    CHECK_THAT(e.headline, EndsWith("can use 8 GiB."));
    for (const std::string& line : e.explanation) {
        INFO(line);
        CHECK(line.find(" GB.") == std::string::npos);
        CHECK(line.find(" GB ") == std::string::npos);
    }
}

TEST_CASE("the bytes in the explanation switch with the units, the verdict does not", "[explain]") {
    InferenceOptions gib = test::with_context(8192);
    gib.units = Units::gib;
    const PreparedModel m = test::model("llama-3.1-8b");
    const Estimate in_gb = test::estimate(m, "Q4_K_M", test::device("rtx-4090"), test::with_context(8192));
    const Estimate in_gib = test::estimate(m, "Q4_K_M", test::device("rtx-4090"), gib);
    CHECK(in_gb.verdict == in_gib.verdict);
    CHECK(in_gb.gpu_bytes == in_gib.gpu_bytes);
    REQUIRE(in_gb.explanation.size() == in_gib.explanation.size());
    CHECK_THAT(in_gb.explanation[1], EndsWith("= 1.07 GB."));
    CHECK_THAT(in_gib.explanation[1], EndsWith("= 1 GiB."));
    // 24 GiB usable is 25.8 GB.
    CHECK_THAT(in_gb.headline, EndsWith("can use 25.8 GB (a 24 GB card: 24 GiB = 25.8 GB)."));
    CHECK_THAT(in_gib.headline, EndsWith("can use 24 GiB."));
}

TEST_CASE("the KV cache line multiplies layers, KV heads, dims, K and V, bytes and tokens", "[explain]") {
    // Llama 3.1 8B: 32 layers x 8 KV heads x 128 dims x 2 x 2 bytes x 8192 tokens = 2^30 bytes.
    const Estimate e = test::estimate(test::model("llama-3.1-8b"), "Q4_K_M", test::device("rtx-4090"), test::with_context(8192));
    REQUIRE(e.explanation.size() >= 2);
    CHECK(e.explanation[1] == "+ KV cache: 32 layers x 8 KV heads x 128 dims x 2 (K and V) x 2 bytes (f16) x 8,192 tokens = 1.07 GB.");
}

TEST_CASE("a q8_0 KV cache is explained at 34 bytes per 32 values", "[explain]") {
    // ggml's q8_0 block: 32 int8 values and one 16-bit scale = 34 bytes, 1.0625 bytes per value.
    InferenceOptions o = test::with_context(8192);
    o.kv_type = KvType::q8_0;
    const Estimate e = test::estimate(test::model("llama-3.1-8b"), "Q4_K_M", test::device("rtx-4090"), o);
    REQUIRE(e.explanation.size() >= 2);
    CHECK_THAT(e.explanation[1], Contains("x 1.0625 bytes (q8_0) x 8,192 tokens"));
    // 32 x 8 x 128 x 2 x 1.0625 x 8192 = 570,425,344 bytes (the f16 cache's 2^30 x 1.0625 / 2).
    CHECK_THAT(e.explanation[1], EndsWith("= 570 MB."));
}

TEST_CASE("several sequences are named in the KV cache line", "[explain]") {
    InferenceOptions o = test::with_context(8192);
    o.sequences = 4;
    const Estimate e = test::estimate(test::model("llama-3.1-8b"), "Q4_K_M", test::device("h100-sxm"), o);
    REQUIRE(e.explanation.size() >= 2);
    // Four times 2^30 bytes = 4.29e9.
    CHECK_THAT(e.explanation[1], EndsWith("(4 sequences of 8,192) = 4.29 GB."));
}

TEST_CASE("a GGUF format is explained by its average bits per weight", "[explain]") {
    const Estimate e = test::estimate(test::model("llama-3.1-8b"), "Q4_K_M", test::device("rtx-4090"));
    REQUIRE_FALSE(e.explanation.empty());
    const std::string& first = e.explanation.front();
    const std::string lead = "Weights: 8.03B parameters in Q4_K_M (llama.cpp's per-tensor mix averages ";
    REQUIRE_THAT(first, StartsWith(lead));
    // Q4_K_M mixes 4.5-bit Q4_K with 6.56-bit Q6_K tensors: between 4.5 and 5.5 bits on average.
    const double bits = std::strtod(first.c_str() + lead.size(), nullptr);
    CHECK(bits > 4.5);
    CHECK(bits < 5.5);
    CHECK_THAT(first, Contains(" bits per weight) = "));
}

TEST_CASE("an MLX format is explained by its bits per weight with scales", "[explain]") {
    const Estimate e = test::estimate(test::model("llama-3.1-8b"), "mlx-4bit", test::device("apple-m2-ultra-192gb"));
    REQUIRE_FALSE(e.explanation.empty());
    CHECK_THAT(e.explanation.front(), StartsWith("Weights: 8.03B parameters in MLX 4-bit ("));
    CHECK_THAT(e.explanation.front(), Contains(" bits per weight with its scales) = "));
    // A Mac's GPU share: 3/4 of 192 GiB = 144 GiB = 155 GB, "for the GPU" rather than "on the GPU".
    CHECK(has_line(e.explanation, " needed for the GPU vs 155 GB usable on the Apple M2 Ultra (192 GB) "
                                  "(macOS lets the GPU wire 3/4 of unified memory above 36 GB): fits with "));
}

TEST_CASE("a mixture of experts is explained with all experts in memory and its active parameters", "[explain]") {
    // Mistral: Mixtral 8x7B has 8 experts, 2 used per token, 12.9B active parameters.
    const Estimate e = test::estimate(test::model("mixtral-8x7b"), "Q4_K_M", test::device("rtx-4090"));
    REQUIRE_FALSE(e.explanation.empty());
    CHECK_THAT(e.explanation.front(), Contains("; all 8 experts stay in memory although each token uses 2 (12.9B active parameters)"));
}

TEST_CASE("every line item of a llama.cpp estimate on a GPU appears in the explanation", "[explain]") {
    const Estimate e = test::estimate(test::model("llama-3.1-8b"), "Q4_K_M", test::device("rtx-4090"), test::with_context(8192));
    // llama.cpp keeps the token embeddings in system RAM: that line must exist.
    REQUIRE(line_starting(e.explanation, "System RAM also holds: token embeddings (kept in system RAM) ") != nullptr);
    check_every_item_explained(e, Units::gb, false);
    check_every_item_explained(test::estimate(test::model("llama-3.1-8b"), "Q4_K_M", test::device("rtx-4090"), [] {
                                   InferenceOptions o = test::with_context(8192);
                                   o.units = Units::gib;
                                   return o;
                               }()),
                               Units::gib, false);
}

TEST_CASE("every line item of transformers, vLLM, MLX and CPU estimates appears in the explanation", "[explain]") {
    const PreparedModel m = test::model("llama-3.1-8b");
    check_every_item_explained(test::estimate(m, "fp16", test::device("rtx-4090")), Units::gb, false);
    InferenceOptions vllm;
    vllm.engine = Engine::vllm;
    check_every_item_explained(test::estimate(m, "bf16", test::device("h100-sxm"), vllm), Units::gb, false);
    check_every_item_explained(test::estimate(m, "mlx-4bit", test::device("apple-m2-ultra-192gb")), Units::gb, false);
    check_every_item_explained(test::estimate(m, "Q4_K_M", test::device("cpu-ddr5-5600-dual-32gb")), Units::gb, true);
}

TEST_CASE("the total line compares what is needed with what the device can use", "[explain]") {
    const Estimate e = test::estimate(test::assumed_model(7'000'000'000, "a 7B model"), "fp16", test::device("rtx-4060"));
    const std::string* total = line_starting(e.explanation, "= ");
    REQUIRE(total != nullptr);
    CHECK_THAT(*total, StartsWith("= " + format_bytes(e.gpu_bytes, Units::gb) + " needed on the GPU vs 8.59 GB usable on "
                                  "the NVIDIA GeForce RTX 4060 (8 GB) (all of its memory"));
    // Short by what is needed beyond 8 GiB.
    CHECK_THAT(*total, EndsWith(": " + format_bytes(e.gpu_bytes - 8 * GiB, Units::gb) + " short."));
}

TEST_CASE("a model that fits says how much is left to spare", "[explain]") {
    const Estimate e = test::estimate(test::model("llama-3.1-8b"), "Q4_K_M", test::device("rtx-4090"));
    REQUIRE(e.verdict == Verdict::fits);
    CHECK_THAT(e.headline, StartsWith("Fits: Llama 3.1 8B in Q4_K_M needs " + format_bytes(e.gpu_bytes, Units::gb) + "; "));
    const std::string* total = line_starting(e.explanation, "= ");
    REQUIRE(total != nullptr);
    CHECK_THAT(*total, EndsWith(": fits with " + format_bytes(24 * GiB - e.gpu_bytes, Units::gb) + " to spare."));
}

TEST_CASE("a CPU-only machine is explained in RAM, less the share the OS keeps", "[explain]") {
    const Estimate e = test::estimate(test::model("llama-3.1-8b"), "Q4_K_M", test::device("cpu-ddr5-5600-dual-32gb"));
    // 32 GiB less a tenth (3.44 GB) for the OS leaves 30.9 GB.
    CHECK_THAT(e.headline, StartsWith("Fits: Llama 3.1 8B in Q4_K_M needs "));
    CHECK_THAT(e.headline, EndsWith(" of RAM; the Desktop CPU, DDR5-5600 dual channel (32 GB) can use 30.9 GB (32 GB of RAM: 32 GiB = 34.4 GB)."));
    CHECK(has_line(e.explanation, " needed in RAM vs 30.9 GB usable on the Desktop CPU, DDR5-5600 dual channel (32 GB) "
                                  "(system RAM minus 3.44 GB for the OS and other programs): fits with "));
    CHECK(line_starting(e.explanation, "System RAM also holds") == nullptr);
}

TEST_CASE("offloading to system RAM is explained with the layer split and -ngl", "[explain]") {
    const Estimate e = test::estimate(test::model("llama-3.1-70b"), "Q4_K_M", test::device("rtx-3090"));
    REQUIRE(e.verdict == Verdict::fits_with_offload);
    const std::string n = std::to_string(e.gpu_layers);
    CHECK(e.headline == "Fits with CPU offload: " + n + " of 81 layers of Llama 3.1 70B (Q4_K_M) on the NVIDIA GeForce RTX 3090 (24 GB), the rest in system RAM.");
    // A desktop is assumed to have 32 GiB = 34.4 GB of RAM.
    CHECK(has_line(e.explanation, "llama.cpp can keep " + n + " of 81 layers on the GPU (-ngl " + n + ") and run the other " +
                                      std::to_string(81 - e.gpu_layers) + " ("));
    CHECK(has_line(e.explanation, ") from system RAM (34.4 GB assumed); those layers run at system-RAM speed."));
    CHECK(has_line(e.assumptions, "system RAM: 34.4 GB (typical for a desktop machine; set ram to change)"));
}

TEST_CASE("when offloading cannot help the explanation says the RAM cannot hold the rest", "[explain]") {
    InferenceOptions o;
    o.system_ram = 16 * GiB;  // 17.2 GB
    const Estimate e = test::estimate(test::model("llama-3.1-70b"), "Q4_K_M", test::device("rtx-3090"), o);
    REQUIRE(e.verdict == Verdict::does_not_fit);
    CHECK(has_line(e.explanation, "Offloading layers to system RAM would not help: 17.2 GB of RAM cannot hold the rest."));
    // RAM was given, so it is not listed as an assumption.
    CHECK_FALSE(has_line(e.assumptions, "system RAM: "));
}

TEST_CASE("transformers that do not fit are told apart from offloading engines", "[explain]") {
    const Estimate e = test::estimate(test::assumed_model(7'000'000'000, "a 7B model"), "fp16", test::device("rtx-4060"));
    CHECK(e.engine == Engine::transformers);
    CHECK(has_line(e.explanation, "transformers could offload layers to system RAM (device_map=\"auto\"), but every token would "
                                  "then copy them over PCIe: far too slow to count as fitting."));
    CHECK(has_line(e.assumptions, "the prompt fills the context and is prefilled at once (transformers generate)"));
}

TEST_CASE("the assumptions name the engine, the default context and the usable-memory rule", "[explain]") {
    const Estimate e = test::estimate(test::model("llama-3.1-8b"), "Q4_K_M", test::device("rtx-4090"));
    CHECK(has_line(e.assumptions, "engine: llama.cpp (the usual runtime for Q4_K_M weights on a CUDA GPU)"));
    // Llama 3.1 was trained for 131,072 tokens; 4,096 are assumed.
    CHECK(has_line(e.assumptions, "context: 4,096 tokens (the model supports 131,072; set ctx to change)"));
    CHECK(has_line(e.assumptions, "usable memory: all of its memory; the runtime's own context is counted as overhead"));
    // A desktop card may drive a screen; the explanation says nothing is reserved for it.
    CHECK(has_line(e.assumptions, "no memory reserved for a display"));
}

TEST_CASE("a context that was asked for is not listed as an assumption", "[explain]") {
    const Estimate e = test::estimate(test::model("llama-3.1-8b"), "Q4_K_M", test::device("rtx-4090"), test::with_context(8192));
    CHECK_FALSE(has_line(e.assumptions, "context: "));
    InferenceOptions chosen;
    chosen.engine = Engine::llama_cpp;
    const Estimate f = test::estimate(test::model("llama-3.1-8b"), "Q4_K_M", test::device("rtx-4090"), chosen);
    CHECK_FALSE(has_line(f.assumptions, "engine: "));
}

TEST_CASE("vLLM's share of the GPU is the usable-memory rule, and a datacenter GPU drives no display", "[explain]") {
    InferenceOptions o;
    o.engine = Engine::vllm;
    const Estimate e = test::estimate(test::model("llama-3.1-8b"), "bf16", test::device("h100-sxm"), o);
    // 0.9 x 80 GiB = 77.3 GB.
    CHECK(has_line(e.assumptions, "usable memory: vLLM takes gpu_memory_utilization = 0.9 of the GPU"));
    CHECK_THAT(e.headline, EndsWith("can use 77.3 GB (an 80 GB card: 80 GiB = 85.9 GB)."));
    CHECK_FALSE(has_line(e.assumptions, "no memory reserved for a display"));
}

TEST_CASE("several GPUs are named with their count and the memory of each", "[explain]") {
    InferenceOptions o;
    o.gpu_count = 2;
    const Estimate e = test::estimate(test::model("llama-3.1-70b"), "Q4_K_M", test::device("rtx-3090"), o);
    // 2 x 24 GiB = 51.5 GB.
    CHECK_THAT(e.headline, EndsWith("; 2 x NVIDIA GeForce RTX 3090 can use 51.5 GB (24 GB cards: 24 GiB = 25.8 GB each)."));
    CHECK(has_line(e.explanation, " needed on the GPUs vs 51.5 GB usable on 2 x NVIDIA GeForce RTX 3090 (24 GB each) "));
}

TEST_CASE("a GPU given only by its size is named by that size", "[explain]") {
    const Estimate e = test::estimate(test::model("llama-3.1-8b"), "Q4_K_M", custom_device(24, DeviceKind::gpu));
    // 24 GiB = 25.8 GB; a made-up card is not assumed to be a desktop card driving a screen.
    CHECK_THAT(e.headline, EndsWith("; a 24 GB GPU can use 25.8 GB."));
    CHECK_FALSE(has_line(e.assumptions, "no memory reserved for a display"));
}

TEST_CASE("without explain an estimate carries numbers and no text", "[explain]") {
    InferenceOptions o;
    o.explain = false;
    const Estimate e = test::estimate(test::model("llama-3.1-8b"), "Q4_K_M", test::device("rtx-4090"), o);
    CHECK(e.headline.empty());
    CHECK(e.explanation.empty());
    CHECK(e.assumptions.empty());
    CHECK(e.gpu_bytes > 0);
}

TEST_CASE("explain_estimate on a numbers-only estimate writes the headline and the arithmetic", "[explain]") {
    const PreparedModel m = test::assumed_model(7'000'000'000, "a 7B model");
    const Device& d = test::device("rtx-4060");
    InferenceOptions quiet;
    quiet.explain = false;
    const Expected<Estimate> numbers = estimate_inference(m, test::quant("fp16"), d, quiet);
    REQUIRE(numbers.ok());
    Estimate e = numbers.value();
    InferenceOptions o;  // the same options with text
    explain_estimate(e, m, d, o);
    REQUIRE_FALSE(e.explanation.empty());
    CHECK_THAT(e.explanation.front(), StartsWith("Weights: 7B parameters x 2 bytes (fp16) = 14 GB of weights"));
    CHECK_THAT(e.headline, StartsWith("Does not fit: a 7B model in fp16 needs "));
    CHECK(has_line(e.assumptions, "usable memory: all of its memory"));
}
