// The strict JSON text reader behind parse_json, as a template over the DOM it builds:
// nlohmann::json, or LiteJson in the page's core (json_lite.hpp). Internal to base/; a header so
// that json_lite_test can read the same text into both and compare.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

namespace wif {

// A strict RFC 8259 reader that builds the DOM directly and knows where it stopped
// (nlohmann reports no position without exceptions, and its parser, lexer and SAX builder are
// about 5 KB of the page's gzipped WebAssembly). It accepts exactly what nlohmann's strict parse
// accepts and builds the same values (checked against it by a unit test and the fuzzers): a UTF-8
// byte-order mark is skipped; integers that fit are int64 (with '-') or uint64, others double;
// a number that overflows a double is refused; strings are checked UTF-8, \u escapes joined
// into surrogate pairs; a repeated key keeps its last value. One difference: nlohmann ends the
// text at a NUL byte outside strings, this reader refuses anything after a value but whitespace.
// Recursion is bounded by the nesting check parse_json runs first (kMaxJsonDepth).
template <class J>
class JsonReader {
public:
    explicit JsonReader(const std::string& text) : s_(text) {}
    size_t at() const { return i_; }

    bool document(J& out) {
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

    bool value(J& out) {
        ws();
        switch (peek()) {
            case '{': {
                ++i_;
                out = J::object();
                ws();
                if (eat('}')) return true;
                while (true) {
                    ws();
                    std::string key;
                    if (peek() != '"' || !string(key)) return false;
                    ws();
                    if (!eat(':')) return false;
                    J v;
                    if (!value(v)) return false;
                    out[key] = std::move(v);
                    ws();
                    if (eat('}')) return true;
                    if (!eat(',')) return false;
                }
            }
            case '[': {
                ++i_;
                out = J::array();
                ws();
                if (eat(']')) return true;
                while (true) {
                    J v;
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

    bool number(J& out) {
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

}  // namespace wif
