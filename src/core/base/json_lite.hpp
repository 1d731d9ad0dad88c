// A small JSON value for the page's core, which reads only requests (a flat object, its training
// options one level down): nlohmann::json's DOM cost the page 1.8 KB of its LZMA download.
// It has the part of nlohmann::json's interface that the request path uses, with the same
// meaning, so json_fields.hpp can name either as `Json` (LiteJson where WIF_PAGE_CORE is set).
// Objects keep their keys sorted, as nlohmann's std::map does, so both iterate alike; a repeated
// key keeps its last value. Reads of the wrong type give an empty value instead of aborting
// (callers check the type first, as they must with nlohmann). json_lite_test checks both DOMs
// against each other on the same texts, and fuzz_estimate does on every input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace wif {

class LiteJson {
public:
    enum class Kind : std::uint8_t { null, boolean, integer, unsigned_integer, real, string, array, object };

    LiteJson() = default;
    LiteJson(std::nullptr_t) {}
    LiteJson(bool b) : kind_(Kind::boolean), b_(b) {}
    template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
    LiteJson(T n) {
        if constexpr (std::is_unsigned_v<T>) kind_ = Kind::unsigned_integer, u_ = n;
        else kind_ = Kind::integer, i_ = n;
    }
    LiteJson(double d) : kind_(Kind::real), d_(d) {}
    LiteJson(const char* s) : kind_(Kind::string), s_(s) {}
    LiteJson(std::string s) : kind_(Kind::string), s_(std::move(s)) {}

    static LiteJson object() { return LiteJson(Kind::object); }
    static LiteJson array() { return LiteJson(Kind::array); }

    bool is_null() const { return kind_ == Kind::null; }
    bool is_boolean() const { return kind_ == Kind::boolean; }
    bool is_number() const { return kind_ == Kind::integer || kind_ == Kind::unsigned_integer || kind_ == Kind::real; }
    bool is_number_integer() const { return kind_ == Kind::integer || kind_ == Kind::unsigned_integer; }
    bool is_number_unsigned() const { return kind_ == Kind::unsigned_integer; }
    bool is_number_float() const { return kind_ == Kind::real; }
    bool is_string() const { return kind_ == Kind::string; }
    bool is_array() const { return kind_ == Kind::array; }
    bool is_object() const { return kind_ == Kind::object; }

    // bool, std::string, or a number type (converted as nlohmann converts: by static_cast).
    template <class T>
    T get() const {
        if constexpr (std::is_same_v<T, bool>) {
            return b_;
        } else if constexpr (std::is_same_v<T, std::string>) {
            return s_;
        } else {
            switch (kind_) {
                case Kind::integer: return static_cast<T>(i_);
                case Kind::unsigned_integer: return static_cast<T>(u_);
                case Kind::real: return static_cast<T>(d_);
                default: return T{};
            }
        }
    }

    // As nlohmann counts: elements of an array, members of an object, 0 for null, 1 for a scalar.
    std::size_t size() const;
    bool empty() const { return size() == 0; }

    // Arrays.
    const LiteJson& operator[](std::size_t i) const { return i < a_.size() ? a_[i] : null_value(); }
    void push_back(LiteJson v);

    // Objects: iterated in key order; it.key() and it.value() as nlohmann's iterators give them.
    class const_iterator {
    public:
        const_iterator(const LiteJson* object, std::size_t i) : object_(object), i_(i) {}
        const std::string& key() const { return object_->keys_[i_]; }
        const LiteJson& value() const { return object_->a_[i_]; }
        const LiteJson& operator*() const { return value(); }
        const LiteJson* operator->() const { return &value(); }
        const_iterator& operator++() {
            ++i_;
            return *this;
        }
        bool operator==(const const_iterator& o) const { return i_ == o.i_; }
        bool operator!=(const const_iterator& o) const { return i_ != o.i_; }

    private:
        const LiteJson* object_;
        std::size_t i_;
    };
    const_iterator begin() const;
    const_iterator end() const;
    const_iterator find(std::string_view key) const;
    bool contains(std::string_view key) const { return find(key) != end(); }
    const LiteJson& at(std::string_view key) const;
    // Turns a null into an object, as nlohmann does, and adds a null member when `key` is missing.
    LiteJson& operator[](std::string_view key);
    std::size_t erase(std::string_view key);

private:
    explicit LiteJson(Kind k) : kind_(k) {}
    static const LiteJson& null_value();
    std::size_t lower_bound(std::string_view key) const;  // where `key` is or would go in keys_

    Kind kind_ = Kind::null;
    bool b_ = false;
    std::int64_t i_ = 0;
    std::uint64_t u_ = 0;
    double d_ = 0;
    std::string s_;
    std::vector<LiteJson> a_;        // an array's elements, or an object's values
    std::vector<std::string> keys_;  // an object's keys, sorted; keys_[i] names a_[i]
};

}  // namespace wif
