#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "base/json_fields.hpp"

using namespace wif;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

Json object(const std::string& text) {
    const Expected<Json> j = parse_json(text, "test");
    REQUIRE(j.ok());
    return j.value();
}

}  // namespace

TEST_CASE("reading a string as an integer fails with the full path of the field", "[json_fields]") {
    const Json o = object(R"({"hidden_size": "4096"})");
    FieldReader f(o, "models.json: models[3] (\"llama-3.1-8b\")", "config");
    CHECK(f.integer("hidden_size", 7, 1, 1 << 20) == 7);  // the fallback
    REQUIRE_FALSE(f.ok());
    CHECK_THAT(f.error().message, StartsWith("models.json: models[3] (\"llama-3.1-8b\"): config.hidden_size: "));
    CHECK_THAT(f.error().message, Contains("a string"));
}

TEST_CASE("type errors of every reader name the field and the type found", "[json_fields]") {
    const Json o = object(R"({"n": [1], "x": true, "s": 5, "b": "yes", "list": "a", "nums": [1, "2"], "words": ["a", 3]})");
    {
        FieldReader f(o, "where", "cfg");
        f.number("x", 0, 0, 10);
        REQUIRE_FALSE(f.ok());
        CHECK_THAT(f.error().message, Contains("cfg.x"));
        CHECK_THAT(f.error().message, Contains("a boolean"));
    }
    {
        FieldReader f(o, "where", "cfg");
        f.integer("n", 0, 0, 10);
        REQUIRE_FALSE(f.ok());
        CHECK_THAT(f.error().message, Contains("cfg.n"));
        CHECK_THAT(f.error().message, Contains("an array"));
    }
    {
        FieldReader f(o, "where", "cfg");
        f.string("s");
        REQUIRE_FALSE(f.ok());
        CHECK_THAT(f.error().message, Contains("cfg.s"));
        CHECK_THAT(f.error().message, Contains("a number"));
    }
    {
        FieldReader f(o, "where", "cfg");
        CHECK(f.boolean("b", true));  // fallback
        REQUIRE_FALSE(f.ok());
        CHECK_THAT(f.error().message, Contains("cfg.b"));
        CHECK_THAT(f.error().message, Contains("a string"));
    }
    {
        FieldReader f(o, "where", "cfg");
        CHECK(f.strings("list").empty());
        REQUIRE_FALSE(f.ok());
        CHECK_THAT(f.error().message, Contains("cfg.list"));
    }
    {
        FieldReader f(o, "where", "cfg");
        CHECK(f.integers("nums", 0, 10).empty());
        REQUIRE_FALSE(f.ok());
        CHECK_THAT(f.error().message, Contains("cfg.nums"));
        CHECK_THAT(f.error().message, Contains("element 1"));
    }
    {
        FieldReader f(o, "where", "cfg");
        CHECK(f.strings("words").empty());
        REQUIRE_FALSE(f.ok());
        CHECK_THAT(f.error().message, Contains("cfg.words"));
        CHECK_THAT(f.error().message, Contains("element 1"));
    }
}

TEST_CASE("integers out of range or with a fraction are refused with the value and the bounds", "[json_fields]") {
    const Json o = object(R"({"layers": -4, "heads": 32.5, "experts": 8.0})");
    FieldReader f(o, "config.json");
    CHECK(f.integer("experts", 0, 0, 64) == 8);  // 8.0 is an integer
    REQUIRE(f.ok());
    f.integer("layers", 0, 1, 4096);
    REQUIRE_FALSE(f.ok());
    CHECK_THAT(f.error().message, Contains("layers"));
    CHECK_THAT(f.error().message, Contains("between 1 and 4096"));
    CHECK_THAT(f.error().message, Contains("-4"));

    FieldReader g(o, "config.json");
    g.integer("heads", 0, 1, 4096);
    REQUIRE_FALSE(g.ok());
    CHECK_THAT(g.error().message, Contains("heads"));
    CHECK_THAT(g.error().message, Contains("32.5"));
}

TEST_CASE("a required field that is missing is named, and null counts as missing", "[json_fields]") {
    const Json o = object(R"({"a": null, "b": 1})");
    FieldReader f(o, "quants.json: quants[0]");
    CHECK_FALSE(f.has("a"));
    CHECK_FALSE(f.has("zzz"));
    CHECK(f.has("b"));
    CHECK(f.integer("a", 5, 0, 10) == 5);  // optional: fallback, no error
    CHECK(f.ok());
    f.string("id", "", true);
    REQUIRE_FALSE(f.ok());
    CHECK_THAT(f.error().message, Contains("quants.json: quants[0]: id"));
    CHECK_THAT(f.error().message, Contains("missing"));
}

TEST_CASE("the first problem is kept and later reads return their fallbacks", "[json_fields]") {
    const Json o = object(R"({"a": "x", "b": true, "c": 3})");
    FieldReader f(o, "where");
    f.integer("a", 0, 0, 10);
    REQUIRE_FALSE(f.ok());
    const std::string first = f.error().message;
    CHECK(f.integer("c", 9, 0, 10) == 9);   // valid, but reading has stopped
    CHECK(f.string("b", "fb") == "fb");     // would be a second type error
    CHECK(f.error().message == first);
    CHECK_THAT(first, Contains("a: "));
}

TEST_CASE("a reader over something other than an object fails at once", "[json_fields]") {
    const Json arr = object("[1, 2]");
    FieldReader f(arr, "models.json: models[0]");
    REQUIRE_FALSE(f.ok());
    CHECK_THAT(f.error().message, Contains("models.json: models[0]"));
    CHECK_THAT(f.error().message, Contains("an array"));
}

TEST_CASE("parse_json reports the line and column where the text stops being JSON", "[json_fields]") {
    // Line 3 is `  "b": ]`; the stray bracket is its 8th character.
    Expected<Json> r = parse_json("{\n  \"a\": 1,\n  \"b\": ]\n}", "models.json");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "invalid_json");
    CHECK_THAT(r.error().message, StartsWith("models.json: "));
    CHECK_THAT(r.error().message, Contains("line 3, column 8"));

    // A trailing comma before the closing brace: the '}' is column 9 of line 1.
    r = parse_json("{\"a\": 1,}", "x.json");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Contains("line 1, column 9"));

    // Text after a complete value: the 'x' is at column 4.
    r = parse_json("{} x", "x.json");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Contains("line 1, column 4"));

    // Cut short.
    r = parse_json("{\"a\": [1, 2", "x.json");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Contains("ends too early"));

    r = parse_json("{\"a\": [1, 2]}", "x.json");
    REQUIRE(r.ok());
    CHECK(r.value()["a"].size() == 2);
}

TEST_CASE("JSON types are named for people", "[json_fields]") {
    CHECK(json_type_name(Json()) == "null");
    CHECK(json_type_name(Json(true)) == "a boolean");
    CHECK(json_type_name(Json(1.5)) == "a number");
    CHECK(json_type_name(Json("s")) == "a string");
    CHECK(json_type_name(Json::array()) == "an array");
    CHECK(json_type_name(Json::object()) == "an object");
}

// Issue 11 regressions.
TEST_CASE("parse_json refuses deep nesting before it can overflow the stack") {
    std::string deep;
    for (int i = 0; i < 20000; ++i) deep += "{\"a\":";
    deep += "1";
    deep += std::string(20000, '}');
    const wif::Expected<wif::Json> parsed = wif::parse_json(deep, "request");
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == "too_deep");
    CHECK(parsed.error().message == "request: nested more than 64 levels deep (arrays and objects)");
    // Brackets inside strings do not count; 64 levels are fine.
    CHECK(wif::parse_json("{\"a\":\"" + std::string(1000, '[') + "\"}", "x"));
    CHECK(wif::parse_json(std::string(64, '[') + std::string(64, ']'), "x"));
    CHECK_FALSE(wif::parse_json(std::string(65, '[') + std::string(65, ']'), "x"));
}

TEST_CASE("FieldReader::integer is defined for every number") {
    const wif::Json j = wif::Json::parse(R"({"big": 1e300, "edge": 9223372036854775808.0, "u": 18446744073709551615,
                                             "neg": -1e300, "ok": 12.0})");
    for (const char* key : {"big", "edge", "u", "neg"}) {
        wif::FieldReader f(j, "x");
        CHECK(f.integer(key, 7, 0, INT64_MAX) == 7);
        CHECK_FALSE(f.ok());
    }
    wif::FieldReader f(j, "x");
    CHECK(f.integer("ok", 0, 0, INT64_MAX) == 12);
    CHECK(f.ok());
}
