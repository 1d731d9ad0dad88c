#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/json_writer.hpp"

using namespace wif;

namespace {

std::string escaped(std::string_view text) {
    std::string out;
    append_json_string(out, text);
    return out;
}

// One value written on its own, compact.
template <class T>
std::string one(const T& v) {
    JsonWriter w;
    w.value(v);
    return w.str();
}

const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

}  // namespace

TEST_CASE("a compact object separates members with commas and keys with a bare colon", "[json_writer]") {
    JsonWriter w;
    w.begin_object().field("a", 1).field("b", "x").field("c", true).end_object();
    CHECK(w.str() == R"({"a":1,"b":"x","c":true})");
}

TEST_CASE("empty objects and arrays are written as {} and [] in both styles", "[json_writer]") {
    for (int indent : {-1, 2}) {
        INFO("indent " << indent);
        JsonWriter o(indent);
        o.begin_object().end_object();
        CHECK(o.str() == "{}");
        JsonWriter a(indent);
        a.begin_array().end_array();
        CHECK(a.str() == "[]");
    }
}

TEST_CASE("arrays and objects nest, with commas only between siblings", "[json_writer]") {
    JsonWriter w;
    w.begin_array();
    w.begin_array().end_array();
    w.begin_array().value(1).end_array();
    w.begin_object().key("k").begin_array().value(1).value(2).end_array().field("e", "").end_object();
    w.begin_object().end_object();
    w.end_array();
    CHECK(w.str() == R"([[],[1],{"k":[1,2],"e":""},{}])");
}

TEST_CASE("a pretty writer puts each member on its own line, indented by depth", "[json_writer]") {
    JsonWriter w(2);
    w.begin_object().field("a", 1).key("b").begin_array().value(1).value(2).end_array().key("c").begin_object().end_object().end_object();
    CHECK(w.str() ==
          "{\n"
          "  \"a\": 1,\n"
          "  \"b\": [\n"
          "    1,\n"
          "    2\n"
          "  ],\n"
          "  \"c\": {}\n"
          "}");
}

TEST_CASE("the indent width sets how many spaces each level adds", "[json_writer]") {
    JsonWriter w(4);
    w.begin_object().key("x").begin_object().field("y", 1).end_object().end_object();
    CHECK(w.str() == "{\n    \"x\": {\n        \"y\": 1\n    }\n}");
}

TEST_CASE("pretty and compact output of the same calls parse to the same JSON", "[json_writer]") {
    auto write = [](JsonWriter& w) {
        w.begin_object()
            .field("name", "Llama 3.1 8B")
            .field("bytes", std::int64_t{4'920'733'696})
            .field("ratio", 0.5)
            .field("ok", false)
            .key("none")
            .null()
            .field("tags", std::vector<std::string>{"a", "b"})
            .key("nested")
            .begin_array()
            .begin_object()
            .field("n", -3)
            .end_object()
            .end_array()
            .end_object();
    };
    JsonWriter compact, pretty(2);
    write(compact);
    write(pretty);
    CHECK(compact.str().find('\n') == std::string::npos);
    CHECK(pretty.str().find('\n') != std::string::npos);
    const nlohmann::json a = nlohmann::json::parse(compact.str());
    const nlohmann::json b = nlohmann::json::parse(pretty.str());
    CHECK(a == b);
    CHECK(a["name"] == "Llama 3.1 8B");
    CHECK(a["bytes"].get<std::int64_t>() == 4'920'733'696);
    CHECK(a["ratio"].get<double>() == 0.5);
    CHECK(a["ok"] == false);
    CHECK(a["none"].is_null());
    CHECK(a["tags"] == nlohmann::json::array({"a", "b"}));
    CHECK(a["nested"][0]["n"] == -3);
}

TEST_CASE("take hands over the text written so far", "[json_writer]") {
    JsonWriter w;
    w.begin_array().value(1).end_array();
    const std::string text = w.take();
    CHECK(text == "[1]");
}

TEST_CASE("quotes and backslashes are escaped with a backslash", "[json_writer]") {
    CHECK(escaped("say \"hi\"") == R"("say \"hi\"")");
    CHECK(escaped("C:\\models\\") == R"("C:\\models\\")");
    CHECK(escaped("") == R"("")");
    CHECK(escaped("/ stays /") == R"("/ stays /")");
}

TEST_CASE("newline, tab and carriage return get their short escapes, other control bytes \\u00XX", "[json_writer]") {
    CHECK(escaped("a\nb") == R"("a\nb")");
    CHECK(escaped("a\tb") == R"("a\tb")");
    CHECK(escaped("a\rb") == R"("a\rb")");
    CHECK(escaped("\x01") == R"("\u0001")");
    CHECK(escaped("\x1f") == R"("\u001f")");
    CHECK(escaped("\x08\x0c") == R"("\u0008\u000c")");
    CHECK(escaped(std::string_view("a\0b", 3)) == R"("a\u0000b")");  // an embedded NUL is kept, escaped
    CHECK(escaped("\x7f") == "\"\x7f\"");  // DEL is not a control character in JSON
}

TEST_CASE("escaped text round-trips through a JSON parser", "[json_writer]") {
    const std::string text = std::string("quote \" backslash \\ nl \n tab \t cr \r one \x01 nul ") + '\0' + " end";
    JsonWriter w;
    w.begin_object().field("t", text).end_object();
    const nlohmann::json j = nlohmann::json::parse(w.str());
    CHECK(j["t"].get<std::string>() == text);
}

TEST_CASE("valid multi-byte UTF-8 passes through unchanged", "[json_writer]") {
    // e-acute (2 bytes), euro sign (3 bytes), grinning face (4 bytes).
    const std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";
    CHECK(escaped(text) == "\"" + text + "\"");
    CHECK(nlohmann::json::parse(escaped(text)).get<std::string>() == text);
}

TEST_CASE("each byte that is not valid UTF-8 becomes one U+FFFD", "[json_writer]") {
    CHECK(escaped("\xFF") == "\"" + kReplacement + "\"");
    CHECK(escaped("a\xFF\xFE" "b") == "\"a" + kReplacement + kReplacement + "b\"");
    // A continuation byte with no lead byte.
    CHECK(escaped("\x80") == "\"" + kReplacement + "\"");
    // A 3-byte lead cut short by the end of the text: both bytes are invalid on their own.
    CHECK(escaped("\xE2\x82") == "\"" + kReplacement + kReplacement + "\"");
    // A 2-byte lead followed by plain ASCII: the lead is replaced, the ASCII kept.
    CHECK(escaped("\xC3" "A") == "\"" + kReplacement + "A\"");
    // The result is valid JSON whose string has the replacement characters.
    CHECK(nlohmann::json::parse(escaped("x\xFFy")).get<std::string>() == "x" + kReplacement + "y");
}

TEST_CASE("overlong forms, surrogates and code points above U+10FFFF are not valid UTF-8", "[json_writer]") {
    // RFC 3629: C0/C1 leads and E0 80..9F / F0 80..8F are overlong; ED A0..BF are UTF-16
    // surrogates; F4 90.. and F5.. lie above U+10FFFF. Each byte of them becomes one U+FFFD.
    const std::string r = kReplacement;
    CHECK(escaped("\xC0\x80") == "\"" + r + r + "\"");
    CHECK(escaped("\xC1\xBF") == "\"" + r + r + "\"");
    CHECK(escaped("\xE0\x80\x80") == "\"" + r + r + r + "\"");
    CHECK(escaped("\xED\xA0\x80") == "\"" + r + r + r + "\"");
    CHECK(escaped("\xF0\x80\x80\x80") == "\"" + r + r + r + r + "\"");
    CHECK(escaped("\xF4\x90\x80\x80") == "\"" + r + r + r + r + "\"");
    CHECK(escaped("\xF5\x80\x80\x80") == "\"" + r + r + r + r + "\"");
    // The edges that are valid stay as they are: U+0080, U+0800, U+D7FF, U+E000, U+10000, U+10FFFF.
    for (const std::string ok : {"\xC2\x80", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xEE\x80\x80", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF"}) {
        CHECK(escaped(ok) == "\"" + ok + "\"");
    }
    // Whatever the bytes, the result parses as JSON.
    CHECK_NOTHROW(nlohmann::json::parse(escaped("7B \xC0\xAF on a 4090 \xED\xA0\x80 \xF4\x90\x80\x80")));
}

TEST_CASE("integers are written exactly, up to the int64 limits", "[json_writer]") {
    CHECK(one(0) == "0");
    CHECK(one(-1) == "-1");
    CHECK(one(std::int64_t{14'000'000'000}) == "14000000000");
    CHECK(one(std::numeric_limits<std::int64_t>::max()) == "9223372036854775807");
    CHECK(one(std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
    const nlohmann::json j = nlohmann::json::parse("[" + one(std::numeric_limits<std::int64_t>::max()) + "," +
                                                   one(std::numeric_limits<std::int64_t>::min()) + "]");
    CHECK(j[0].get<std::int64_t>() == std::numeric_limits<std::int64_t>::max());
    CHECK(j[1].get<std::int64_t>() == std::numeric_limits<std::int64_t>::min());
}

TEST_CASE("doubles get at most 6 decimals with trailing zeros dropped", "[json_writer]") {
    CHECK(one(1.5) == "1.5");
    CHECK(one(2.0) == "2");
    CHECK(one(100.0) == "100");  // zeros before the point stay
    CHECK(one(0.1) == "0.1");
    CHECK(one(-2.25) == "-2.25");
    CHECK(one(1.0 / 3.0) == "0.333333");
    CHECK(one(2.0 / 3.0) == "0.666667");       // rounded, not cut
    CHECK(one(0.0000004) == "0");              // below the 6th decimal
    CHECK(one(0.0000006) == "0.000001");       // rounds up at the 6th decimal
    CHECK(one(-0.0000004) == "0");             // no "-0"
    CHECK(one(-0.0) == "0");
    CHECK(one(123456.125) == "123456.125");
}

TEST_CASE("large doubles keep only the decimals a double holds exactly, and never wrap around", "[json_writer]") {
    // |x| x 10^d must stay below 2^53 = 9.007e15 for the d-th decimal to be exact.
    CHECK(one(1e12) == "1000000000000");
    CHECK(one(1.5e12 + 0.25) == "1500000000000.25");  // 1.5e15 < 2^53: three decimals
    CHECK(one(999999999999.5) == "999999999999.5");    // no digits that are not in the value
    CHECK(one(123456789.5) == "123456789.5");
    // Beyond the int64 range (9.22e18) the digits come from the double, not from a wrapped integer.
    CHECK(one(1e19) == "10000000000000000000");
    CHECK(one(9.3e18) == "9300000000000000000");
    CHECK(one(-1e20) == "-100000000000000000000");
    CHECK(nlohmann::json::parse(one(-1e20)).get<double>() == -1e20);
}

TEST_CASE("NaN and infinities, which JSON cannot represent, are written as null", "[json_writer]") {
    CHECK(one(std::numeric_limits<double>::quiet_NaN()) == "null");
    CHECK(one(std::numeric_limits<double>::infinity()) == "null");
    CHECK(one(-std::numeric_limits<double>::infinity()) == "null");
    JsonWriter w;
    w.begin_object().field("x", std::numeric_limits<double>::quiet_NaN()).field("y", 1.0).end_object();
    const nlohmann::json j = nlohmann::json::parse(w.str());
    CHECK(j["x"].is_null());
    CHECK(j["y"] == 1);
}

TEST_CASE("written doubles parse back to the value within the 6th decimal", "[json_writer]") {
    for (double v : {0.0, 3.14159265, -273.15, 4.92, 1e-3, 123456789.123456}) {
        INFO(v);
        const nlohmann::json j = nlohmann::json::parse(one(v));
        CHECK(j.get<double>() == Approx(v).margin(5e-7));
    }
}

TEST_CASE("booleans, null and raw JSON are written as given", "[json_writer]") {
    JsonWriter w;
    w.begin_array().value(true).value(false).null().raw(R"({"pre":[1,2]})").raw("7").end_array();
    CHECK(w.str() == R"([true,false,null,{"pre":[1,2]},7])");
}

TEST_CASE("a raw value after a key sits where any value would", "[json_writer]") {
    JsonWriter w;
    w.begin_object().field("a", 1).key("b").raw("[1, 2]").field("c", 3).end_object();
    CHECK(w.str() == R"({"a":1,"b":[1, 2],"c":3})");
}

TEST_CASE("a string literal is written as a string, not as a boolean", "[json_writer]") {
    JsonWriter w;
    w.begin_object().field("s", "text").field("t", std::string("more")).field("v", std::string_view("view")).end_object();
    CHECK(w.str() == R"({"s":"text","t":"more","v":"view"})");
}

TEST_CASE("keys are escaped like any other string", "[json_writer]") {
    JsonWriter w;
    w.begin_object().field("a\"b", 1).end_object();
    CHECK(w.str() == R"({"a\"b":1})");
    CHECK(nlohmann::json::parse(w.str())["a\"b"] == 1);
}

TEST_CASE("field with a list of strings writes an array of strings", "[json_writer]") {
    JsonWriter w;
    w.begin_object().field("tags", std::vector<std::string>{"fast", "q\"uote"}).field("none", std::vector<std::string>{}).end_object();
    CHECK(w.str() == R"({"tags":["fast","q\"uote"],"none":[]})");

    JsonWriter p(2);
    p.begin_object().field("tags", std::vector<std::string>{"a", "b"}).end_object();
    CHECK(p.str() == "{\n  \"tags\": [\n    \"a\",\n    \"b\"\n  ]\n}");
}
