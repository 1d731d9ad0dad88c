#include "request/training_request.hpp"

#include <catch2/catch.hpp>

using namespace wif;
using Catch::Matchers::Contains;

namespace {
TrainingOptions read(const char* text) {
    Expected<Json> j = parse_json(text, "test");
    REQUIRE(j.ok());
    Expected<TrainingOptions> o = training_options_from_json(j.value());
    if (!o) FAIL(o.error().message);
    return o.value();
}
Error error_of(const char* text) {
    Expected<Json> j = parse_json(text, "test");
    REQUIRE(j.ok());
    Expected<TrainingOptions> o = training_options_from_json(j.value());
    REQUIRE_FALSE(o.ok());
    CHECK(o.error().code == "invalid_training_request");
    return o.error();
}
}  // namespace

TEST_CASE("Training options are read from snake_case JSON keys", "[training_request]") {
    const TrainingOptions o = read(R"({"method": "lora", "optimizer": "adamw8bit", "precision": "bf16", "batch": 4,
        "seq": 4096, "checkpointing": "selective", "attention": "eager", "lora_rank": 64, "lora_targets": "q,k,v,o",
        "zero": 2, "offload_optimizer": true, "count": 8, "tokens": "500B", "mfu": 0.35, "price": 2.5,
        "outlet_watts": 3600})");
    CHECK(o.method == TrainMethod::lora);
    CHECK(o.optimizer == TrainOptimizer::adamw8bit);
    CHECK(o.precision == TrainPrecision::bf16);
    CHECK(o.batch == 4);
    CHECK(o.seq == 4096);
    CHECK(o.checkpointing == Checkpointing::selective);
    CHECK(o.attention == TrainAttention::eager);
    CHECK(o.lora_rank == 64);
    CHECK(o.lora_targets == kLoraAttn);
    CHECK(o.sharding == Sharding::zero2);
    CHECK(o.offload_optimizer);
    CHECK(o.gpu_count == 8);
    CHECK(o.tokens == 500e9);
    CHECK(o.mfu == 0.35);
    CHECK(o.price_usd_per_gpu_hour == 2.5);
    CHECK(o.outlet_watts == 3600);
}

TEST_CASE("Training request defaults, booleans, arrays and names", "[training_request]") {
    const TrainingOptions d = read("{}");
    CHECK(d.method == TrainMethod::full);
    CHECK(d.optimizer == TrainOptimizer::adamw);
    CHECK(d.precision == TrainPrecision::mixed_bf16);
    CHECK(d.checkpointing == Checkpointing::none);
    CHECK(d.sharding == Sharding::none);
    CHECK(d.mfu == 0.4);
    CHECK(d.outlet_watts == 1800);
    // QLoRA defaults to paged 8-bit AdamW unless an optimizer is given.
    CHECK(read(R"({"method": "qlora"})").optimizer == TrainOptimizer::paged_adamw8bit);
    CHECK(read(R"({"method": "qlora", "optimizer": "adamw"})").optimizer == TrainOptimizer::adamw);
    CHECK(read(R"({"checkpointing": true})").checkpointing == Checkpointing::full);
    CHECK(read(R"({"checkpointing": false})").checkpointing == Checkpointing::none);
    CHECK(read(R"({"lora_targets": ["q_proj", "v_proj"]})").lora_targets == (lora_q | lora_v));
    CHECK(read(R"({"lora_targets": "all"})").lora_targets == kLoraAll);
    CHECK(read(R"({"lora_targets": "attn"})").lora_targets == kLoraAttn);
    CHECK(read(R"({"lora_targets": "gate, up, down"})").lora_targets == (lora_gate | lora_up | lora_down));
    CHECK(read(R"({"zero": "fsdp"})").sharding == Sharding::fsdp);
    CHECK(read(R"({"zero": 3})").sharding == Sharding::zero3);
    CHECK(read(R"({"zero": "3"})").sharding == Sharding::zero3);
    CHECK(read(R"({"zero": 0})").sharding == Sharding::none);
    CHECK(read(R"({"tokens": "2T"})").tokens == 2e12);
    CHECK(read(R"({"tokens": 1.5e9})").tokens == 1.5e9);
    CHECK(read(R"({"tokens": "20M"})").tokens == 20e6);
}

TEST_CASE("Unknown training values name the key and the allowed values", "[training_request]") {
    CHECK_THAT(error_of(R"({"method": "dpo"})").message, Contains("method") && Contains("full, lora, qlora"));
    CHECK_THAT(error_of(R"({"optimizer": "adam16"})").message, Contains("optimizer") && Contains("paged_adamw8bit"));
    CHECK_THAT(error_of(R"({"precision": "int8"})").message, Contains("precision") && Contains("mixed_bf16"));
    CHECK_THAT(error_of(R"({"checkpointing": "some"})").message, Contains("checkpointing") && Contains("selective"));
    CHECK_THAT(error_of(R"({"attention": "ring"})").message, Contains("attention") && Contains("flash, eager"));
    CHECK_THAT(error_of(R"({"lora_targets": "q,x"})").message, Contains("lora_targets") && Contains("gate"));
    CHECK_THAT(error_of(R"({"lora_targets": []})").message, Contains("lora_targets"));
    CHECK_THAT(error_of(R"({"zero": 4})").message, Contains("zero") && Contains("fsdp"));
    CHECK_THAT(error_of(R"({"zero": "zero4"})").message, Contains("zero"));
    CHECK_THAT(error_of(R"({"tokens": "2X"})").message, Contains("tokens") && Contains("unit"));
    CHECK_THAT(error_of(R"({"tokens": -5})").message, Contains("tokens"));
    CHECK_THAT(error_of(R"({"batch": 0})").message, Contains("batch"));
    CHECK_THAT(error_of(R"({"seq": 1.5})").message, Contains("seq"));
    CHECK_THAT(error_of(R"({"lora_rank": 0})").message, Contains("lora_rank"));
    CHECK_THAT(error_of(R"({"mfu": 0})").message, Contains("mfu"));
    CHECK_THAT(error_of(R"({"mfu": 2})").message, Contains("mfu"));
    CHECK_THAT(error_of(R"({"count": 0})").message, Contains("count"));
    CHECK_THAT(error_of(R"({"price": -1})").message, Contains("price"));
    CHECK_THAT(error_of(R"({"outlet_watts": "lots"})").message, Contains("outlet_watts"));
    CHECK_THAT(error_of(R"({"offload_optimizer": "yes"})").message, Contains("offload_optimizer"));
    CHECK_THAT(error_of("[1, 2]").message, Contains("expected an object"));
}

TEST_CASE("Token counts with units", "[training_request]") {
    CHECK(parse_token_count("2T").value() == 2e12);
    CHECK(parse_token_count(" 500b ").value() == 500e9);
    CHECK(parse_token_count("1.5e12").value() == 1.5e12);
    CHECK(parse_token_count("10k").value() == 10e3);
    CHECK_FALSE(parse_token_count("").ok());
    CHECK_FALSE(parse_token_count("0").ok());
    CHECK_FALSE(parse_token_count("1e20").ok());
    CHECK_FALSE(parse_token_count("nanT").ok());
}
