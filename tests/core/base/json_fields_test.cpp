#include <catch2/catch.hpp>

#include <cmath>
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

TEST_CASE("a huge number in a message is written with an exponent, not hundreds of digits", "[json_fields]") {
    const Json o = object(R"({"ctx": 1e300, "count": -2.5e17})");
    FieldReader f(o, "request");
    f.integer("ctx", 0, 0, 16777216);
    REQUIRE_FALSE(f.ok());
    CHECK(f.error().message == "request: ctx: must be between 0 and 16777216, got 1e300");
    FieldReader g(o, "request");
    g.number("count", 0, 1, 64);
    CHECK(g.error().message == "request: count: must be between 1 and 64, got -2.5e17");
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

namespace {

// The same value, type for type (nlohmann's == calls 1 and 1.0 equal; the reader must not differ
// even there, since FieldReader tells integers from other numbers).
bool same(const Json& a, const Json& b) {
    if (a.type() != b.type()) return false;
    switch (a.type()) {
        case Json::value_t::object: {
            if (a.size() != b.size()) return false;
            for (auto it = a.begin(), jt = b.begin(); it != a.end(); ++it, ++jt) {
                if (it.key() != jt.key() || !same(it.value(), jt.value())) return false;
            }
            return true;
        }
        case Json::value_t::array: {
            if (a.size() != b.size()) return false;
            for (size_t i = 0; i < a.size(); ++i) {
                if (!same(a[i], b[i])) return false;
            }
            return true;
        }
        case Json::value_t::number_float: {
            const double x = a.get<double>(), y = b.get<double>();
            return x == y && std::signbit(x) == std::signbit(y);
        }
        default: return a == b;
    }
}

// parse_json against nlohmann's own strict parser, which decides what is JSON and what it holds.
void agrees_with_nlohmann(const std::string& text) {
    INFO("text: " << text);
    const Json reference = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    const Expected<Json> ours = parse_json(text, "t");
    CHECK(ours.ok() == !reference.is_discarded());
    if (ours.ok() && !reference.is_discarded()) CHECK(same(ours.value(), reference));
}

}  // namespace

TEST_CASE("parse_json accepts exactly what nlohmann's strict parser accepts and builds the same values", "[json_fields][hardening]") {
    const char* cases[] = {
        "", " ", "null", "true", "false", "nul", "tru", "True", "0", "-0", "-0.0", "01", "-01", "1.", ".5", "-", "+1", "1e", "1e+",
        "1E-2", "1.5e300", "1e309", "-1e309", "1e-400", "18446744073709551615", "18446744073709551616", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "0x10", "1_000",
        "\"\"", "\"a\"", "\"\\u0041\\u00e9\\u4e2d\"", "\"\\ud83d\\ude00\"", "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83dx\"",
        "\"\\ud83d\\u0041\"", "\"\\u12\"", "\"\\u12g4\"", "\"\\x41\"", "\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"", "\"tab\there\"",
        "\"\x01\"", "\"\\u0000\"", "\"caf\xC3\xA9\"", "\"\xC3\"", "\"\xC0\xAF\"", "\"\xE0\x80\xAF\"", "\"\xED\xA0\x80\"",
        "\"\xF4\x90\x80\x80\"", "\"\xF0\x9F\x98\x80\"", "\"\xFF\"", "\"\x80\"", "\"unterminated", "\xEF\xBB\xBF{}", "\xEF\xBB{}",
        "{}", "[]", "[1,]", "[,1]", "[1 2]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":1},\"a\":[2]}",
        "{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}", "[[[[]]]]", "{} x", "{}{}", " [1] ", "\t\n\r[1]\r\n", "[1]\v", "[1] //",
        "[\"a\\u00\"]", "[1e1000]", "{\"\":0}", "[-]", "[--1]", "[1.0e+00]", "[0.1e-0]", "[1e01]", "\"\\u00e9\"",
    };
    for (const char* c : cases) agrees_with_nlohmann(c);
    // The one deliberate difference: nlohmann takes a NUL byte for the end of the text and ignores
    // what follows; here it is text after the value, refused.
    const std::string nul("{} \0 x", 6);
    CHECK_FALSE(Json::parse(nul, nullptr, false).is_discarded());
    CHECK(parse_json(nul, "t").error().code == "invalid_json");
}

TEST_CASE("parse_json agrees with nlohmann on thousands of damaged requests and configs", "[json_fields][hardening]") {
    const std::string seeds[] = {
        R"({"model":"llama-3.1-8b","quant":"Q4_K_M","device":"rtx-4090","ctx":8192,"memory":"24GB","ram":64.5,"training":{"method":"qlora","zero":3}})",
        R"({"architectures":["LlamaForCausalLM"],"hidden_size":4096,"rope_scaling":{"factor":8.0,"type":"llama3"},"rms_norm_eps":1e-05,"vocab_size":128256,"tie_word_embeddings":false,"name":"caf\u00e9 \ud83d\ude00"})",
        "[0,-1,18446744073709551615,-9223372036854775808,1.5e-3,true,false,null,\"\xC3\xA9\\n\"]",
    };
    const std::string alphabet = "{}[]\",:\\u0123456789.eE+-truefalsn \t\n\xC3\xA9\xED\xA0\x80\xF0\x9F";
    std::uint64_t state = 0x9E3779B97F4A7C15ULL;  // a fixed xorshift stream: the same texts every run
    auto next = [&state] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    int accepted = 0, refused = 0;
    for (int n = 0; n < 6000; ++n) {
        std::string text = seeds[next() % 3];
        const int edits = 1 + static_cast<int>(next() % 3);
        for (int e = 0; e < edits && !text.empty(); ++e) {
            const size_t at = next() % text.size();
            const char c = alphabet[next() % alphabet.size()];
            switch (next() % 3) {
                case 0: text[at] = c; break;
                case 1: text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c); break;
                default: text.erase(at, 1); break;
            }
        }
        const Json reference = Json::parse(text, nullptr, false);
        (reference.is_discarded() ? refused : accepted) += 1;
        agrees_with_nlohmann(text);
    }
    // Both kinds of text are well represented, so the test compares values as well as refusals.
    CHECK(accepted > 600);
    CHECK(refused > 600);
}
