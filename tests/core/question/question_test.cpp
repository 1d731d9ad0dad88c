#include <catch2/catch.hpp>

#include <cmath>

#include "question/question.hpp"
#include "test_support.hpp"

using namespace wif;

namespace {

// The request fields a question can set, as the corpus names them, with their defaults.
void check_field(const Json& expect, const char* key, const std::string& actual, const std::string& fallback = "") {
    INFO("field " << key);
    if (expect.contains(key)) CHECK(actual == expect[key].get<std::string>());
    else CHECK(actual == fallback);
}

void check_number(const Json& expect, const char* key, double actual, double fallback) {
    INFO("field " << key);
    if (expect.contains(key)) CHECK(actual == Approx(expect[key].get<double>()));
    else CHECK(actual == fallback);
}

}  // namespace

TEST_CASE("every question of the corpus parses to the request written beside it", "[question]") {
    // tests/data/questions.json: phrasings with the parse a person expects, written by hand.
    const Json corpus = Json::parse(test::read_text(std::string(WIF_TEST_DATA_DIR) + "/questions.json"));
    const Json& questions = corpus["questions"];
    REQUIRE(questions.size() >= 60);
    for (const Json& item : questions) {
        const std::string text = item["text"].get<std::string>();
        INFO("question: " << text);
        const Expected<ParsedQuestion> parsed = parse_question(test::catalog(), text);
        if (item.contains("error")) {
            REQUIRE_FALSE(parsed.ok());
            CHECK(parsed.error().code == item["error"].get<std::string>());
            continue;
        }
        if (!parsed) FAIL_CHECK("error: " << parsed.error().message);
        if (!parsed) continue;
        const Request& r = parsed->request;
        const Json& expect = item["expect"];
        check_field(expect, "model", r.model);
        check_field(expect, "quant", r.quant);
        check_field(expect, "device", r.device);
        check_field(expect, "device_kind", r.memory_gib > 0 ? r.device_kind : std::string());
        check_field(expect, "kv_type", r.kv_type);
        check_field(expect, "engine", r.engine);
        check_field(expect, "flash_attn", r.flash_attn == "auto" ? std::string() : r.flash_attn);
        check_number(expect, "params", static_cast<double>(r.params), 0);
        check_number(expect, "memory", r.memory_gib, 0);
        check_number(expect, "count", r.count, 1);
        check_number(expect, "ctx", static_cast<double>(r.ctx), 0);
        check_number(expect, "batch", static_cast<double>(r.batch), 1);
        check_number(expect, "ram", r.ram_gib, 0);
        // What the question asks, and the training details it gives.
        check_field(expect, "intent", intent_name(r.intent), "memory");
        check_field(expect, "method", r.training.value("method", std::string()));
        check_number(expect, "lora_rank", r.training.value("lora_rank", 0.0), 0);
        check_number(expect, "tokens", r.training.value("tokens", 0.0), 0);
        if (item.value("ambiguous", false)) CHECK_FALSE(parsed->ambiguities.empty());
        CHECK_FALSE(parsed->understood.empty());
    }
}

TEST_CASE("a question says what it understood in words", "[question]") {
    const Expected<ParsedQuestion> q = parse_question(test::catalog(), "llama 3.1 70b q4_k_m on 2x 3090 at 8k context");
    REQUIRE(q.ok());
    std::string all;
    for (const std::string& line : q->understood) all += line + "\n";
    CHECK(all.find("Llama 3.1 70B") != std::string::npos);
    CHECK(all.find("Q4_K_M") != std::string::npos);
    CHECK(all.find("2 x NVIDIA GeForce RTX 3090") != std::string::npos);
    CHECK(all.find("8,192 tokens") != std::string::npos);
}

TEST_CASE("a family name with a size that matches several models lists the candidates", "[question]") {
    const Expected<ParsedQuestion> q = parse_question(test::catalog(), "llama 70b on an h100");
    REQUIRE(q.ok());
    REQUIRE(q->model_candidates.size() >= 3);
    CHECK(q->request.model == q->model_candidates.front());
    REQUIRE_FALSE(q->ambiguities.empty());
    CHECK(q->ambiguities.front().find("could be") != std::string::npos);
}

TEST_CASE("a model size that no member of the named family has is an error, not another model", "[question]") {
    const Expected<ParsedQuestion> q = parse_question(test::catalog(), "llama 3.1 13b on a 4090");
    REQUIRE_FALSE(q.ok());
    CHECK(q.error().code == "unknown_model");
    CHECK(q.error().message.find("Llama 3.1 8B") != std::string::npos);
}

TEST_CASE("hostile or empty questions get a clear error", "[question]") {
    CHECK(parse_question(test::catalog(), "").error().code == "empty_question");
    CHECK(parse_question(test::catalog(), std::string(5000, 'a')).error().code == "question_too_long");
    CHECK(parse_question(test::catalog(), "\xff\xfe\x01 7B on a 4090").ok());
    CHECK(parse_question(test::catalog(), "will it fit?").error().code == "no_model");
    // A model and no hardware is no error: it asks what the model needs.
    CHECK(parse_question(test::catalog(), "7B fp16").value().request.intent == Intent::sizes);
}
