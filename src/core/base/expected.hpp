// Errors as values. The core never throws: the WebAssembly build runs without
// exception support (Emscripten 3.1.6 cannot carry C++ exceptions to JS), so every
// fallible function returns Expected<T> and callers check ok().
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace wif {

// `code` is a stable snake_case identifier scripts can switch on; `message` says
// what was wrong and where, for people.
struct Error {
    std::string code;
    std::string message;
};

template <class T>
class Expected {
public:
    Expected(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
    Expected(Error error) : state_(std::move(error)) {}  // NOLINT

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    const T& value() const& { return *std::get_if<0>(&state_); }
    T& value() & { return *std::get_if<0>(&state_); }
    T&& value() && { return std::move(*std::get_if<0>(&state_)); }
    const T* operator->() const { return std::get_if<0>(&state_); }
    T* operator->() { return std::get_if<0>(&state_); }
    const T& operator*() const& { return value(); }

    const Error& error() const { return *std::get_if<1>(&state_); }

private:
    std::variant<T, Error> state_;
};

inline Error make_error(std::string code, std::string message) {
    return Error{std::move(code), std::move(message)};
}

}  // namespace wif
