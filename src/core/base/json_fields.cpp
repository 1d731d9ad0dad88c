#include "base/json_fields.hpp"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>

#include "base/checked.hpp"

#include "base/units.hpp"

namespace wif {

namespace {

// A number as it appeared, for messages (nlohmann's dump() would pull in its whole serializer).
std::string number_text(const Json& v) {
    if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
    if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
    if (v.is_number_float()) {
        const double d = v.get<double>();
        return std::isfinite(d) ? format_sig3(d) : "a non-finite number";
    }
    return json_type_name(v);
}

// A strict RFC 8259 reader that builds nlohmann's DOM directly and knows where it stopped
// (nlohmann reports no position without exceptions, and its parser, lexer and SAX builder are
// about 5 KB of the page's gzipped WebAssembly). It accepts exactly what nlohmann's strict parse
// accepts and builds the same values (checked against it by a unit test and the fuzzers): a UTF-8
// byte-order mark is skipped; integers that fit are int64 (with '-') or uint64, others double;
// a number that overflows a double is refused; strings are checked UTF-8, \u escapes joined
// into surrogate pairs; a repeated key keeps its last value. One difference: nlohmann ends the
// text at a NUL byte outside strings, this reader refuses anything after a value but whitespace.
// Recursion is bounded by the nesting check that runs first (kMaxJsonDepth).
class Reader {
public:
    explicit Reader(const std::string& text) : s_(text) {}
    size_t at() const { return i_; }

    bool document(Json& out) {
        if (s_.size() >= 3 && s_.compare(0, 3, "\xEF\xBB\xBF") == 0) i_ = 3;
        if (!value(out)) return false;
        ws();
        return i_ == s_.size();
    }

private:
    const std::string& s_;
    size_t i_ = 0;

    int peek() const { return i_ < s_.size() ? static_cast<unsigned char>(s_[i_]) : -1; }
    void ws() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) ++i_;
    }
    bool eat(char c) {
        if (peek() != static_cast<unsigned char>(c)) return false;
        ++i_;
        return true;
    }
    bool word(const char* w) {
        size_t n = 0;
        for (; w[n] != '\0'; ++n) {
            if (i_ + n >= s_.size() || s_[i_ + n] != w[n]) {
                i_ += n;  // the first character that differs
                return false;
            }
        }
        i_ += n;
        return true;
    }

    bool value(Json& out) {
        ws();
        switch (peek()) {
            case '{': {
                ++i_;
                out = Json::object();
                ws();
                if (eat('}')) return true;
                while (true) {
                    ws();
                    std::string key;
                    if (peek() != '"' || !string(key)) return false;
                    ws();
                    if (!eat(':')) return false;
                    Json v;
                    if (!value(v)) return false;
                    out[key] = std::move(v);
                    ws();
                    if (eat('}')) return true;
                    if (!eat(',')) return false;
                }
            }
            case '[': {
                ++i_;
                out = Json::array();
                ws();
                if (eat(']')) return true;
                while (true) {
                    Json v;
                    if (!value(v)) return false;
                    out.push_back(std::move(v));
                    ws();
                    if (eat(']')) return true;
                    if (!eat(',')) return false;
                }
            }
            case '"': {
                std::string text;
                if (!string(text)) return false;
                out = std::move(text);
                return true;
            }
            case 't': out = true; return word("true");
            case 'f': out = false; return word("false");
            case 'n': out = nullptr; return word("null");
            default: return number(out);
        }
    }

    bool digits() {
        const size_t start = i_;
        while (peek() >= '0' && peek() <= '9') ++i_;
        return i_ > start;
    }

    bool number(Json& out) {
        const size_t start = i_;
        const bool negative = eat('-');
        if (eat('0')) {
        } else if (!digits()) {
            return false;
        }
        bool integral = true;
        if (eat('.')) {
            integral = false;
            if (!digits()) return false;
        }
        if (peek() == 'e' || peek() == 'E') {
            ++i_;
            integral = false;
            if (!eat('+')) eat('-');
            if (!digits()) return false;
        }
        if (integral) {
            // Magnitude as uint64, stopping at overflow (nlohmann then reads the number as a double).
            std::uint64_t m = 0;
            bool fits = true;
            for (size_t k = start + (negative ? 1 : 0); k < i_ && fits; ++k) {
                const std::uint64_t d = static_cast<std::uint64_t>(s_[k] - '0');
                if (m > (std::numeric_limits<std::uint64_t>::max() - d) / 10) fits = false;
                else m = m * 10 + d;
            }
            if (fits && !negative) {
                out = m;
                return true;
            }
            constexpr std::uint64_t kMinMagnitude = std::uint64_t{1} << 63;  // -INT64_MIN
            if (fits && m <= kMinMagnitude) {
                out = m == kMinMagnitude ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(m);
                return true;
            }
        }
        const std::string token = s_.substr(start, i_ - start);
        const double d = std::strtod(token.c_str(), nullptr);
        if (!std::isfinite(d)) {
            i_ = start;  // nlohmann: "number overflow"
            return false;
        }
        out = d;
        return true;
    }

    bool hex4(std::uint32_t& v) {
        v = 0;
        for (int k = 0; k < 4; ++k) {
            const int c = peek();
            int h;
            if (c >= '0' && c <= '9') h = c - '0';
            else if (c >= 'a' && c <= 'f') h = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') h = c - 'A' + 10;
            else return false;
            v = v * 16 + static_cast<std::uint32_t>(h);
            ++i_;
        }
        return true;
    }

    static void put_utf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    // One raw UTF-8 sequence, well-formed as RFC 3629 defines it (no overlongs, no surrogates).
    bool utf8(std::string& out) {
        const int c = peek();
        // Lead byte: how many continuation bytes follow, and the range of the first of them.
        struct Lead { int first, last, more, lo, hi; };
        static constexpr Lead kLeads[] = {
            {0xC2, 0xDF, 1, 0x80, 0xBF}, {0xE0, 0xE0, 2, 0xA0, 0xBF}, {0xE1, 0xEC, 2, 0x80, 0xBF},
            {0xED, 0xED, 2, 0x80, 0x9F}, {0xEE, 0xEF, 2, 0x80, 0xBF}, {0xF0, 0xF0, 3, 0x90, 0xBF},
            {0xF1, 0xF3, 3, 0x80, 0xBF}, {0xF4, 0xF4, 3, 0x80, 0x8F},
        };
        const Lead* lead = nullptr;
        for (const Lead& l : kLeads) {
            if (c >= l.first && c <= l.last) lead = &l;
        }
        if (lead == nullptr) return false;
        const int more = lead->more, lo = lead->lo, hi = lead->hi;
        const size_t start = i_++;
        for (int k = 0; k < more; ++k) {
            const int b = peek();
            if (b < (k == 0 ? lo : 0x80) || b > (k == 0 ? hi : 0xBF)) return false;
            ++i_;
        }
        out.append(s_, start, i_ - start);
        return true;
    }

    bool string(std::string& out) {
        ++i_;  // the opening quote
        while (true) {
            const int c = peek();
            if (c < 0x20) return false;  // the end of the text, or a control character
            if (c == '"') {
                ++i_;
                return true;
            }
            if (c >= 0x80) {
                if (!utf8(out)) return false;
                continue;
            }
            ++i_;
            if (c != '\\') {
                out += static_cast<char>(c);
                continue;
            }
            const int e = peek();
            ++i_;
            switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    std::uint32_t cp;
                    if (!hex4(cp)) return false;
                    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate alone
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        std::uint32_t low;
                        if (!eat('\\') || !eat('u') || !hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    }
                    put_utf8(out, cp);
                    break;
                }
                default: --i_; return false;
            }
        }
    }
};

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
    Reader reader(text);
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
