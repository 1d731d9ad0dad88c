#include "base/json_fields.hpp"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>

#include "base/checked.hpp"
#include "base/json_reader.hpp"

#include "base/units.hpp"

namespace wif {

namespace {

// A number as it appeared, for messages (nlohmann's dump() would pull in its whole serializer).
std::string number_text(const Json& v) {
    if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
    if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
    if (v.is_number_float()) {
        const double d = v.get<double>();
        if (!std::isfinite(d)) return "a non-finite number";
        // 1e300 as "1e300", not three hundred digits.
        if (std::fabs(d) >= 1e15) {
            const int e = static_cast<int>(std::floor(std::log10(std::fabs(d))));
            return format_sig3(d / std::pow(10.0, e)) + "e" + std::to_string(e);
        }
        return format_sig3(d);
    }
    return json_type_name(v);
}

}  // namespace

std::string json_type_name(const Json& v) {
    if (v.is_null()) return "null";
    if (v.is_boolean()) return "a boolean";
    if (v.is_number()) return "a number";
    if (v.is_string()) return "a string";
    if (v.is_array()) return "an array";
    return "an object";
}

FieldReader::FieldReader(const Json& object, std::string where, std::string prefix)
    : object_(object), where_(std::move(where)), prefix_(std::move(prefix)) {
    if (!object_.is_object()) error_ = make_error("invalid_catalog", where_ + ": expected an object, got " + json_type_name(object_));
}

std::string FieldReader::path(const char* key) const { return prefix_.empty() ? std::string(key) : prefix_ + "." + key; }

void FieldReader::fail(const char* key, const std::string& what) {
    if (!ok()) return;
    error_ = make_error("invalid_catalog", where_ + ": " + path(key) + ": " + what);
}

bool FieldReader::has(const char* key) const {
    if (!object_.is_object()) return false;
    const auto it = object_.find(key);
    return it != object_.end() && !it->is_null();
}

std::int64_t FieldReader::integer(const char* key, std::int64_t fallback, std::int64_t min, std::int64_t max, bool required) {
    if (!ok()) return fallback;
    if (!has(key)) {
        if (required) fail(key, "missing (expected an integer)");
        return fallback;
    }
    const Json& v = object_.at(key);
    double d = 0;
    if (v.is_number_unsigned()) {
        const std::uint64_t u = v.get<std::uint64_t>();
        const auto n = static_cast<std::int64_t>(u);
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) || n < min || n > max) {
            fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + number_text(v));
            return fallback;
        }
        return n;
    } else if (v.is_number_integer()) {
        const std::int64_t n = v.get<std::int64_t>();
        if (n < min || n > max) {
            fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + number_text(v));
            return fallback;
        }
        return n;
    } else if (v.is_number_float()) {
        d = v.get<double>();
        if (!std::isfinite(d) || d != std::floor(d)) {
            fail(key, "expected an integer, got " + number_text(v));
            return fallback;
        }
    } else {
        fail(key, "expected an integer, got " + json_type_name(v));
        return fallback;
    }
    if (d < static_cast<double>(min) || d > static_cast<double>(max)) {
        fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + number_text(v));
        return fallback;
    }
    const std::optional<std::int64_t> n = checked_int(d, min, max);
    if (!n) {
        fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + number_text(v));
        return fallback;
    }
    return *n;
}

double FieldReader::number(const char* key, double fallback, double min, double max, bool required) {
    if (!ok()) return fallback;
    if (!has(key)) {
        if (required) fail(key, "missing (expected a number)");
        return fallback;
    }
    const Json& v = object_.at(key);
    if (!v.is_number()) {
        fail(key, "expected a number, got " + json_type_name(v));
        return fallback;
    }
    const double d = v.get<double>();
    if (!std::isfinite(d) || d < min || d > max) {
        fail(key, "must be between " + format_sig3(min) + " and " + format_sig3(max) + ", got " + number_text(v));
        return fallback;
    }
    return d;
}

std::string FieldReader::string(const char* key, const std::string& fallback, bool required) {
    if (!ok()) return fallback;
    if (!has(key)) {
        if (required) fail(key, "missing (expected a string)");
        return fallback;
    }
    const Json& v = object_.at(key);
    if (!v.is_string()) {
        fail(key, "expected a string, got " + json_type_name(v));
        return fallback;
    }
    std::string s = v.get<std::string>();
    if (required && s.empty()) fail(key, "must not be empty");
    return s;
}

bool FieldReader::boolean(const char* key, bool fallback) {
    if (!ok() || !has(key)) return fallback;
    const Json& v = object_.at(key);
    if (!v.is_boolean()) {
        fail(key, "expected true or false, got " + json_type_name(v));
        return fallback;
    }
    return v.get<bool>();
}

std::vector<std::string> FieldReader::strings(const char* key) {
    std::vector<std::string> out;
    if (!ok() || !has(key)) return out;
    const Json& v = object_.at(key);
    if (!v.is_array()) {
        fail(key, "expected an array of strings, got " + json_type_name(v));
        return out;
    }
    for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string()) {
            fail(key, "element " + std::to_string(i) + " is " + json_type_name(v[i]) + ", expected a string");
            return {};
        }
        out.push_back(v[i].get<std::string>());
    }
    return out;
}

std::vector<std::int64_t> FieldReader::integers(const char* key, std::int64_t min, std::int64_t max) {
    std::vector<std::int64_t> out;
    if (!ok() || !has(key)) return out;
    const Json& v = object_.at(key);
    if (!v.is_array()) {
        fail(key, "expected an array of integers, got " + json_type_name(v));
        return out;
    }
    for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_number_integer() || v[i].get<std::int64_t>() < min || v[i].get<std::int64_t>() > max) {
            fail(key, "element " + std::to_string(i) + " must be an integer between " + std::to_string(min) + " and " +
                          std::to_string(max));
            return {};
        }
        out.push_back(v[i].get<std::int64_t>());
    }
    return out;
}

// Deepest nesting of arrays and objects in `text`, counted outside strings; stops counting once
// past `limit`. Linear, no recursion.
int nesting_depth(const std::string& text, int limit) {
    int depth = 0, deepest = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > deepest) deepest = depth;
            if (deepest > limit) return deepest;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return deepest;
}

Expected<Json> parse_json(const std::string& text, const std::string& source) {
    // Deep nesting is refused before parsing: copying or printing a parsed value recurses once per
    // level, and 20,000 levels overflow the stack (issue 11). No catalog, config.json or request
    // comes near the limit.
    if (nesting_depth(text, kMaxJsonDepth) > kMaxJsonDepth) {
        return make_error("too_deep", source + ": nested more than " + std::to_string(kMaxJsonDepth) +
                                          " levels deep (arrays and objects)");
    }
    Json parsed;
    JsonReader<Json> reader(text);
    if (!reader.document(parsed)) {
        const size_t at = reader.at();
        size_t line = 1, column = 1;
        for (size_t k = 0; k < at && k < text.size(); ++k) {
            if (text[k] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        std::string near = text.substr(std::min(at, text.size()), 16);
        for (char& ch : near) {
            if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
        }
        return make_error("invalid_json", source + ": not valid JSON at line " + std::to_string(line) + ", column " +
                                              std::to_string(column) + (at >= text.size() ? " (the text ends too early)" : ", near \"" + near + "\""));
    }
    return parsed;
}

}  // namespace wif
