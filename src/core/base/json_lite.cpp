#include "base/json_lite.hpp"

#include <algorithm>

namespace wif {

const LiteJson& LiteJson::null_value() {
    static const LiteJson null;
    return null;
}

std::size_t LiteJson::size() const {
    switch (kind_) {
        case Kind::null: return 0;
        case Kind::array:
        case Kind::object: return a_.size();
        default: return 1;
    }
}

void LiteJson::push_back(LiteJson v) {
    if (kind_ == Kind::null) kind_ = Kind::array;
    if (kind_ == Kind::array) a_.push_back(std::move(v));
}

LiteJson::const_iterator LiteJson::begin() const { return const_iterator(this, 0); }
LiteJson::const_iterator LiteJson::end() const { return const_iterator(this, kind_ == Kind::object ? a_.size() : 0); }

std::size_t LiteJson::lower_bound(std::string_view key) const {
    return static_cast<std::size_t>(std::lower_bound(keys_.begin(), keys_.end(), key) - keys_.begin());
}

LiteJson::const_iterator LiteJson::find(std::string_view key) const {
    const std::size_t i = lower_bound(key);
    return kind_ == Kind::object && i < keys_.size() && keys_[i] == key ? const_iterator(this, i) : end();
}

const LiteJson& LiteJson::at(std::string_view key) const {
    const const_iterator it = find(key);
    return it != end() ? it.value() : null_value();
}

LiteJson& LiteJson::operator[](std::string_view key) {
    if (kind_ == Kind::null) kind_ = Kind::object;
    const std::size_t i = lower_bound(key);
    if (i == keys_.size() || keys_[i] != key) {
        keys_.insert(keys_.begin() + static_cast<std::ptrdiff_t>(i), std::string(key));
        a_.insert(a_.begin() + static_cast<std::ptrdiff_t>(i), LiteJson());
    }
    return a_[i];
}

std::size_t LiteJson::erase(std::string_view key) {
    const std::size_t i = lower_bound(key);
    if (kind_ != Kind::object || i == keys_.size() || keys_[i] != key) return 0;
    keys_.erase(keys_.begin() + static_cast<std::ptrdiff_t>(i));
    a_.erase(a_.begin() + static_cast<std::ptrdiff_t>(i));
    return 1;
}

}  // namespace wif
