#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "base/expected.hpp"

using namespace wif;

namespace {

struct Point {
    int x = 0;
    int y = 0;
};

// A fallible function of the kind the core writes: a value, or an error with a code and a message.
Expected<int> parse_digit(char c) {
    if (c < '0' || c > '9') return make_error("not_a_digit", std::string("'") + c + "' is not a digit");
    return c - '0';
}

}  // namespace

// "explicit operator bool": an Expected can be tested in an if, but never silently becomes a bool.
static_assert(std::is_constructible_v<bool, Expected<int>>);
static_assert(!std::is_convertible_v<Expected<int>, bool>);
// Values and errors convert implicitly, so a function can `return value;` or `return make_error(...)`.
static_assert(std::is_convertible_v<int, Expected<int>>);
static_assert(std::is_convertible_v<Error, Expected<int>>);

TEST_CASE("an Expected made from a value is ok and holds that value", "[expected]") {
    const Expected<int> e = 7;
    CHECK(e.ok());
    CHECK(static_cast<bool>(e));
    CHECK(e.value() == 7);
    CHECK(*e == 7);
}

TEST_CASE("an Expected made from an error is not ok and carries its code and message", "[expected]") {
    const Expected<int> e = make_error("unknown_model", "no model called \"llama-9\"");
    CHECK_FALSE(e.ok());
    CHECK_FALSE(static_cast<bool>(e));
    CHECK(e.error().code == "unknown_model");
    CHECK(e.error().message == "no model called \"llama-9\"");
}

TEST_CASE("make_error fills the code and the message in that order", "[expected]") {
    const Error err = make_error("invalid_context", "context must be positive");
    CHECK(err.code == "invalid_context");
    CHECK(err.message == "context must be positive");
}

TEST_CASE("a function returns either a value or an error through the same type", "[expected]") {
    const Expected<int> good = parse_digit('7');
    REQUIRE(good.ok());
    CHECK(good.value() == 7);

    const Expected<int> bad = parse_digit('x');
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == "not_a_digit");
    CHECK(bad.error().message == "'x' is not a digit");

    int sum = 0;
    for (char c : std::string("3a4")) {
        if (Expected<int> d = parse_digit(c)) sum += d.value();  // the explicit bool in an if
    }
    CHECK(sum == 7);
}

TEST_CASE("the arrow operator reaches the members of the held value, and can change them", "[expected]") {
    Expected<Point> p = Point{3, 4};
    REQUIRE(p.ok());
    CHECK(p->x == 3);
    CHECK(p->y == 4);
    p->x = 10;
    p.value().y = 20;
    CHECK(p.value().x == 10);
    CHECK((*p).y == 20);

    const Expected<Point>& c = p;
    CHECK(c->x == 10);
}

TEST_CASE("the arrow operator of an error gives no pointer to a value", "[expected]") {
    Expected<Point> p = make_error("nope", "no point");
    CHECK(p.operator->() == nullptr);
    const Expected<Point>& c = p;
    CHECK(c.operator->() == nullptr);
}

TEST_CASE("a string value and a string-like error are told apart by type, not content", "[expected]") {
    const Expected<std::string> text = std::string("invalid_json");
    REQUIRE(text.ok());
    CHECK(text.value() == "invalid_json");

    const Expected<std::string> err = make_error("invalid_json", "unexpected end of input");
    REQUIRE_FALSE(err.ok());
    CHECK(err.error().code == "invalid_json");
}

TEST_CASE("a move-only value can be moved out of an rvalue Expected", "[expected]") {
    Expected<std::unique_ptr<int>> e = std::make_unique<int>(42);
    REQUIRE(e.ok());
    const int* raw = e.value().get();
    std::unique_ptr<int> taken = std::move(e).value();
    REQUIRE(taken != nullptr);
    CHECK(*taken == 42);
    CHECK(taken.get() == raw);
    CHECK(e.value() == nullptr);  // a moved-from unique_ptr is empty
}

TEST_CASE("copies of an Expected keep the state and the contents of the original", "[expected]") {
    const Expected<std::string> value = std::string("x");
    const Expected<std::string> value_copy = value;
    REQUIRE(value_copy.ok());
    CHECK(value_copy.value() == "x");

    const Expected<std::string> error = make_error("code", "message");
    const Expected<std::string> error_copy = error;
    REQUIRE_FALSE(error_copy.ok());
    CHECK(error_copy.error().code == "code");
    CHECK(error_copy.error().message == "message");
}

TEST_CASE("assigning an error over a value switches the state, and back again", "[expected]") {
    Expected<int> e = 1;
    REQUIRE(e.ok());
    e = make_error("gone", "the value was replaced");
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().code == "gone");
    e = 5;
    REQUIRE(e.ok());
    CHECK(e.value() == 5);
}
