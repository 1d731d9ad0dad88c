// Properties over the whole catalog (issue 11): every figure the facts layer computes for every
// model is non-negative and in range, and more context, more sequences or more bits never need
// less memory.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "base/checked.hpp"
#include "facts/architecture.hpp"
#include "facts/kv_cache.hpp"
#include "facts/quant.hpp"
#include "test_support.hpp"

using namespace wif;

TEST_CASE("every catalog model's KV cache is non-negative and grows with context and sequences",
          "[catalog][properties]") {
    const Catalog& c = wif::test::catalog();
    REQUIRE_FALSE(c.models.empty());
    const Engine engines[] = {Engine::llama_cpp, Engine::ollama, Engine::vllm, Engine::transformers, Engine::mlx,
                              Engine::exllamav2};
    const std::int64_t contexts[] = {1, 255, 256, 4096, 32768, 131072, 1048576, 16777216};
    for (const ModelEntry& m : c.models) {
        INFO(m.id);
        for (Engine engine : engines) {
            INFO(engine_name(engine));
            for (KvType type : {KvType::f16, KvType::q8_0, KvType::q4_0, KvType::f32}) {
                for (std::int64_t seqs : {1, 4, 64}) {
                    bytes_t previous = -1;
                    for (std::int64_t ctx : contexts) {
                        KvRequest r;
                        r.engine = engine;
                        r.context = ctx;
                        r.sequences = seqs;
                        r.type_k = r.type_v = type;
                        const KvCache kv = compute_kv_cache(m.arch, r);
                        INFO("ctx " << ctx << " seqs " << seqs);
                        CHECK(kv.total >= 0);
                        CHECK(kv.total <= kMaxBytes);
                        CHECK_FALSE(kv.out_of_range);  // catalog models stay far below 1 EiB
                        CHECK(kv.total >= previous);
                        previous = kv.total;
                        bytes_t sum = 0;
                        for (bytes_t layer : kv.layers) {
                            CHECK(layer >= 0);
                            sum += layer;
                        }
                        CHECK(sum == kv.total);
                        KvRequest more = r;
                        more.sequences = seqs * 2;
                        CHECK(compute_kv_cache(m.arch, more).total >= kv.total);
                    }
                }
            }
        }
    }
}

TEST_CASE("every catalog model's weights are positive and more bits never weigh less", "[catalog][properties]") {
    const Catalog& c = wif::test::catalog();
    // Families ordered by bits within each family.
    const std::vector<std::vector<std::string>> ladders = {
        {"Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0"},
        {"gptq:2:128", "gptq:3:128", "gptq:4:128", "gptq:8:128"},
        {"mlx:2:64", "mlx:3:64", "mlx:4:64", "mlx:6:64", "mlx:8:64"},
        {"exl2:2.5", "exl2:4.0", "exl2:6.0", "exl2:8.0"},
    };
    for (const ModelEntry& m : c.models) {
        INFO(m.id);
        const std::vector<Tensor> tensors = enumerate_tensors(m.arch);
        for (const QuantEntry& q : c.quants) {
            INFO(q.spec.id);
            const Expected<WeightBreakdown> w = weight_bytes(m.arch, tensors, q.spec);
            if (!w) continue;  // a format the model cannot take
            CHECK(w->total > 0);
            CHECK(w->total < kMaxBytes);
        }
        for (const std::vector<std::string>& ladder : ladders) {
            bytes_t previous = 0;
            for (const std::string& id : ladder) {
                INFO(id);
                const Lookup l = c.find_quant(id);
                Expected<QuantSpec> spec = l.index >= 0 ? Expected<QuantSpec>(c.quants[static_cast<size_t>(l.index)].spec)
                                                        : parse_quant_spec(id);
                REQUIRE(spec);
                const Expected<WeightBreakdown> w = weight_bytes(m.arch, tensors, spec.value());
                if (!w) continue;
                CHECK(w->total >= previous);
                previous = w->total;
            }
        }
    }
}
