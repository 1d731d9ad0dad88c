// Where a LiteJson and an nlohmann::json first differ (empty when they hold the same value, with
// the same number types and the same key order): json_lite_test and fuzz_estimate.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "base/json_lite.hpp"

namespace wif::test {

inline // Empty when `a` and `b` hold the same value, else where they first differ.
std::string diff(const LiteJson& a, const nlohmann::json& b, const std::string& at = "$") {
    if (a.is_null() != b.is_null() || a.is_boolean() != b.is_boolean() || a.is_string() != b.is_string() ||
        a.is_array() != b.is_array() || a.is_object() != b.is_object() || a.is_number() != b.is_number() ||
        a.is_number_integer() != b.is_number_integer() || a.is_number_unsigned() != b.is_number_unsigned() ||
        a.is_number_float() != b.is_number_float()) {
        return at + ": different types";
    }
    if (a.size() != b.size() || a.empty() != b.empty()) return at + ": different sizes";
    if (a.is_boolean() && a.get<bool>() != b.get<bool>()) return at + ": different booleans";
    if (a.is_string() && a.get<std::string>() != b.get<std::string>()) return at + ": different strings";
    if (a.is_number_unsigned() && a.get<std::uint64_t>() != b.get<std::uint64_t>()) return at + ": different numbers";
    if (a.is_number_integer() && a.get<std::int64_t>() != b.get<std::int64_t>()) return at + ": different numbers";
    if (a.is_number() && a.get<double>() != b.get<double>()) return at + ": different numbers";
    if (a.is_array()) {
        for (std::size_t i = 0; i < b.size(); ++i) {
            if (std::string d = diff(a[i], b[i], at + "[" + std::to_string(i) + "]"); !d.empty()) return d;
        }
    }
    if (a.is_object()) {
        auto ia = a.begin();
        for (auto ib = b.begin(); ib != b.end(); ++ib, ++ia) {
            if (ia.key() != ib.key()) return at + ": key order differs at \"" + ib.key() + "\"";
            if (std::string d = diff(ia.value(), ib.value(), at + "." + ib.key()); !d.empty()) return d;
        }
        if (ia != a.end()) return at + ": extra members";
    }
    return "";
}

}  // namespace wif::test
