#include "present/training_json.hpp"

#include <catch2/catch.hpp>

#include "base/json_fields.hpp"
#include "test_support.hpp"

using namespace wif;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {
TrainingEstimate train(const std::string& model, const std::string& device, const TrainingOptions& o) {
    const PreparedModel m = test::model(model);
    Expected<TrainingEstimate> e = estimate_training(m.arch, m.tensors, m.params, test::device(device), o);
    if (!e) FAIL(e.error().message);
    return e.value();
}
Json to_json(const TrainingEstimate& e) {
    JsonWriter w;
    write_training(w, e, Units::gb, "Llama 2 7B");
    Expected<Json> j = parse_json(w.str(), "write_training");
    if (!j) FAIL(j.error().message);
    return j.value();
}
}  // namespace

TEST_CASE("The training JSON carries the contract's keys with the estimate's numbers", "[training_json]") {
    TrainingOptions o;
    o.tokens = 2e12;
    o.gpu_count = 8;
    o.sharding = Sharding::zero3;
    const TrainingEstimate e = train("llama-2-7b", "a100-80gb-sxm", o);
    const Json j = to_json(e);
    CHECK(j.at("verdict") == "fits");
    for (const char* key : {"weights_bytes", "gradients_bytes", "optimizer_bytes", "activations_bytes", "overhead_bytes",
                            "total_bytes", "usable_bytes"}) {
        INFO(key);
        CHECK(j.at("memory").contains(key));
    }
    CHECK(j.at("memory").at("total_bytes").get<std::int64_t>() == e.total_bytes);
    CHECK(j.at("memory").at("weights_bytes").get<std::int64_t>() == e.weights_bytes);
    const Json& items = j.at("memory").at("items");
    REQUIRE(items.size() == e.items.size());
    for (const char* key : {"key", "category", "label", "bytes", "formula", "source"}) CHECK(items[0].contains(key));
    CHECK(items[0].at("bytes").get<std::int64_t>() == e.items[0].bytes);
    CHECK(j.at("trainable_params").get<std::int64_t>() == e.trainable_params);
    CHECK(j.at("total_params").get<std::int64_t>() == e.total_params);
    CHECK(j.at("min_gpus").get<std::int64_t>() == e.min_gpus);
    CHECK(j.at("recommended_sharding") == "zero3");  // 16 x 6.74B = 108 GB cannot be one A100
    CHECK(j.at("time").at("gpu_hours").get<double>() == Approx(e.time.gpu_hours).epsilon(1e-6));
    CHECK(j.at("time").at("flops").get<double>() == Approx(e.time.flops).epsilon(1e-9));
    CHECK(j.at("time").at("mfu").get<double>() == 0.4);
    CHECK(j.at("cost").at("usd").get<double>() == Approx(e.cost.usd).epsilon(1e-6));
    CHECK(j.at("cost").at("usd_per_gpu_hour").get<double>() == 1.5);
    CHECK(j.at("power").at("watts").get<double>() == Approx(e.power.total_watts));
    CHECK(j.at("power").at("gpu_watts").get<double>() == 3200);
    CHECK(j.at("power").at("trips_outlet") == true);
    CHECK(j.at("options").at("sharding") == "zero3");
    CHECK(j.at("explanation").is_array());
    CHECK(j.at("headline").get<std::string>() == training_headline(e, Units::gb, "Llama 2 7B"));
}

TEST_CASE("The training explanation is written from the numbers", "[training_json]") {
    TrainingOptions o;
    o.method = TrainMethod::lora;
    o.lora_rank = 16;
    o.tokens = 1e8;
    o.price_usd_per_gpu_hour = 0.5;
    const TrainingEstimate e = train("llama-3.1-8b", "rtx-4090", o);
    const std::vector<std::string> lines = explain_training(e, Units::gb);
    REQUIRE(lines.size() >= 6);
    CHECK_THAT(lines[0], StartsWith("LoRA: 41.9M of 8.03B parameters are trained"));
    CHECK_THAT(lines[1], StartsWith("Weights: "));
    CHECK_THAT(lines[1], Contains(format_bytes(e.items[0].bytes, Units::gb)));
    std::string all;
    for (const std::string& l : lines) all += l + "\n";
    CHECK_THAT(all, Contains("= " + format_bytes(e.total_bytes, Units::gb)));
    CHECK_THAT(all, Contains("Cost: "));
    CHECK_THAT(all, Contains("Power: 1 x 450 W GPUs"));
    const std::string head = training_headline(e, Units::gb, "Llama 3.1 8B");
    CHECK_THAT(head, StartsWith(e.verdict == Verdict::fits ? "Fits: LoRA of Llama 3.1 8B needs " : "Does not fit: LoRA of Llama 3.1 8B needs "));

    // Too big for one card: the headline names the GPUs that would hold it.
    const TrainingEstimate big = train("llama-2-70b", "a100-80gb-sxm", TrainingOptions{});
    CHECK(big.verdict == Verdict::does_not_fit);
    CHECK_THAT(training_headline(big, Units::gib), StartsWith("Does not fit: Full fine-tuning needs "));
    CHECK_THAT(training_headline(big, Units::gib), Contains("GPUs with ZeRO-3 would hold it."));
}

TEST_CASE("The sparsity JSON has the CSR and dense bytes and the break-even", "[training_json]") {
    SparsityOptions o;
    o.rows = 4096;
    o.cols = 4096;
    o.sparsity = 0.9;
    const Expected<SparsityEstimate> s = estimate_sparsity(o);
    REQUIRE(s.ok());
    JsonWriter w;
    write_sparsity(w, s.value());
    const Expected<Json> j = parse_json(w.str(), "write_sparsity");
    REQUIRE(j.ok());
    CHECK(j->at("dense_bytes").get<std::int64_t>() == 67108864);
    CHECK(j->at("csr_bytes").get<std::int64_t>() == s->csr_bytes);
    CHECK(j->at("csr_smaller") == true);
    CHECK(j->at("break_even_sparsity").get<double>() == Approx(s->break_even_sparsity).epsilon(1e-6));
}
