// A small streaming JSON writer for the core's answers.
//
// Reading uses nlohmann_json; writing does not, because building nlohmann value trees for every
// answer costs a lot of WebAssembly code and time, while appending text costs little. Output is
// deterministic (numbers formatted by the core's own routines), so the native and WebAssembly
// builds produce identical bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wif {

class JsonWriter {
public:
    explicit JsonWriter(int indent = -1) : indent_(indent) {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view name);

    JsonWriter& value(std::string_view text);
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
    JsonWriter& value(std::int64_t number);
    JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
    JsonWriter& value(double number);  // up to 6 decimals (fewer where a double has no more), trailing zeros dropped; NaN/inf as null
    JsonWriter& value(bool flag);
    JsonWriter& null();
    JsonWriter& raw(std::string_view json);  // an already-serialized value

    template <class T>
    JsonWriter& field(std::string_view name, const T& v) {
        key(name);
        return value(v);
    }
    JsonWriter& field(std::string_view name, const std::vector<std::string>& list);

    std::string take() { return std::move(out_); }
    const std::string& str() const { return out_; }

private:
    void before_value();
    void newline();
    std::string out_;
    std::vector<char> first_;  // per open container: nothing written yet (1)
    bool after_key_ = false;
    int indent_;
};

// Quotes and escapes text as a JSON string; invalid UTF-8 bytes become U+FFFD.
void append_json_string(std::string& out, std::string_view text);

}  // namespace wif
