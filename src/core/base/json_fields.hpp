// Type-checked reads from parsed JSON that never throw and name the offending field.
//
// nlohmann::json's get<>() throws (or aborts without exceptions) on a type mismatch, so every
// read goes through these checks first. The first problem is kept; later reads become no-ops.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/expected.hpp"

// The page's core reads nothing but requests and keeps nlohmann_json out of its download: there
// `Json` is the small LiteJson, with the same interface for what the request path uses.
#ifdef WIF_PAGE_CORE
#include "base/json_lite.hpp"
namespace wif {
using Json = LiteJson;
}
#else
#include <nlohmann/json.hpp>
namespace wif {
using Json = nlohmann::json;
}
#endif

namespace wif {

class FieldReader {
public:
    // `where` prefixes every message, e.g. "models.json: models[3] (\"llama-3.1-8b\")".
    FieldReader(const Json& object, std::string where, std::string prefix = "");

    bool ok() const { return error_.code.empty(); }
    const Error& error() const { return error_; }
    bool has(const char* key) const;  // present and not null

    std::int64_t integer(const char* key, std::int64_t fallback, std::int64_t min, std::int64_t max, bool required = false);
    double number(const char* key, double fallback, double min, double max, bool required = false);
    std::string string(const char* key, const std::string& fallback = "", bool required = false);
    bool boolean(const char* key, bool fallback);
    std::vector<std::string> strings(const char* key);
    std::vector<std::int64_t> integers(const char* key, std::int64_t min, std::int64_t max);

    void fail(const char* key, const std::string& what);
    std::string path(const char* key) const;

private:
    const Json& object_;
    std::string where_;
    std::string prefix_;
    Error error_;
};

// Deepest nesting of arrays/objects parse_json accepts ("too_deep" beyond it).
inline constexpr int kMaxJsonDepth = 64;

// Parses JSON text without throwing: a syntax error becomes an Error that names `source`.
Expected<Json> parse_json(const std::string& text, const std::string& source);

// Short human description of a JSON value's type, for messages ("a string", "null").
std::string json_type_name(const Json& value);

}  // namespace wif
