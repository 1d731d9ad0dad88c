#include <catch2/catch.hpp>

#include <cctype>
#include <regex>
#include <set>
#include <string>

#include "request/request.hpp"
#include "request/schema.hpp"
#include "test_support.hpp"

using namespace wif;

TEST_CASE("every request field has a snake_case key and, when it has a flag, the same name in kebab-case", "[schema]") {
    std::set<std::string> keys;
    for (const FieldSpec& f : kRequestFields) {
        const std::string key = f.key;
        INFO("field " << key);
        CHECK(keys.insert(key).second);
        CHECK(std::regex_match(key, std::regex("[a-z][a-z0-9_]*")));
        const std::string flag = f.flag;
        if (flag.empty() || key == "gpu_memory_utilization") continue;  // --gpu-util: the vLLM flag's short name
        std::string kebab = key;
        for (char& c : kebab) c = c == '_' ? '-' : c;
        CHECK(flag == kebab);
        if (f.kind == FieldKind::integer || f.kind == FieldKind::number || f.kind == FieldKind::tokens) {
            CHECK(f.min <= f.fallback);
            CHECK(f.fallback <= f.max);
        }
    }
}

TEST_CASE("the page's TypeScript Request names every field of the schema", "[schema]") {
    // web/willitfit.d.ts is written by hand for page authors; this keeps it in step with the schema.
    const std::string dts = test::read_text(std::string(WIF_SOURCE_DIR) + "/web/willitfit.d.ts");
    const size_t start = dts.find("export interface Request {");
    REQUIRE(start != std::string::npos);
    const std::string body = dts.substr(start, dts.find('}', start) - start);
    for (const FieldSpec& f : kRequestFields) {
        INFO("field " << f.key);
        CHECK(body.find(std::string("  ") + f.key + "?:") != std::string::npos);
    }
}

TEST_CASE("request JSON is checked against the schema's ranges", "[schema]") {
    // count: 1..64 (kMaxDevices); ctx: 0..16,777,216 (kMaxContext); batch: 1..4096.
    CHECK(request_from_json(Json::parse(R"({"count": 64})")).ok());
    CHECK_FALSE(request_from_json(Json::parse(R"({"count": 65})")).ok());
    CHECK(request_from_json(Json::parse(R"({"ctx": 16777216})")).ok());
    CHECK_FALSE(request_from_json(Json::parse(R"({"ctx": 16777217})")).ok());
    CHECK_FALSE(request_from_json(Json::parse(R"({"batch": 0})")).ok());
    CHECK_FALSE(request_from_json(Json::parse(R"({"gpu_memory_utilization": 1.5})")).ok());
    const Expected<Request> defaults = request_from_json(Json::object());
    REQUIRE(defaults.ok());
    CHECK(defaults->count == 1);
    CHECK(defaults->ubatch == 512);
    CHECK(defaults->gpu_memory_utilization == Approx(0.9));
    CHECK(defaults->intent == Intent::memory);
}

TEST_CASE("an unknown intent is an error that lists the intents", "[schema]") {
    const Expected<Request> r = request_from_json(Json::parse(R"({"intent": "dance"})"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "invalid_intent");
    CHECK(r.error().message.find("what_fits") != std::string::npos);
}
