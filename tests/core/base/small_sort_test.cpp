#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/small_sort.hpp"

using namespace wif;

namespace {

// A key and the position the item had before sorting, to see whether equal keys kept their order.
struct Item {
    int key;
    int original;
};

bool by_key(const Item& a, const Item& b) { return a.key < b.key; }

std::vector<int> originals(const std::vector<Item>& items) {
    std::vector<int> out;
    for (const Item& i : items) out.push_back(i.original);
    return out;
}

}  // namespace

TEST_CASE("small_stable_sort puts integers in ascending order", "[small_sort]") {
    std::vector<int> v{5, 3, 9, 1, 4, 1, 8, 2};
    small_stable_sort(v.begin(), v.end(), std::less<int>());
    CHECK(v == std::vector<int>{1, 1, 2, 3, 4, 5, 8, 9});
}

TEST_CASE("small_stable_sort handles input that is already sorted or sorted backwards", "[small_sort]") {
    std::vector<int> ascending{1, 2, 3, 4, 5};
    small_stable_sort(ascending.begin(), ascending.end(), std::less<int>());
    CHECK(ascending == std::vector<int>{1, 2, 3, 4, 5});

    std::vector<int> descending{5, 4, 3, 2, 1};
    small_stable_sort(descending.begin(), descending.end(), std::less<int>());
    CHECK(descending == std::vector<int>{1, 2, 3, 4, 5});
}

TEST_CASE("small_stable_sort keeps items with equal keys in their original order", "[small_sort]") {
    // Keys 2, 1, 2, 1, 0, 2 at positions 0..5: the 1s were at 1 and 3, the 2s at 0, 2 and 5.
    std::vector<Item> v{{2, 0}, {1, 1}, {2, 2}, {1, 3}, {0, 4}, {2, 5}};
    small_stable_sort(v.begin(), v.end(), by_key);
    CHECK(originals(v) == std::vector<int>{4, 1, 3, 0, 2, 5});
}

TEST_CASE("small_stable_sort leaves a list of equal keys exactly as it was", "[small_sort]") {
    std::vector<Item> v{{7, 0}, {7, 1}, {7, 2}, {7, 3}};
    small_stable_sort(v.begin(), v.end(), by_key);
    CHECK(originals(v) == std::vector<int>{0, 1, 2, 3});
}

TEST_CASE("small_stable_sort agrees with std::stable_sort on a longer list with many ties", "[small_sort]") {
    // 300 items with keys from a fixed linear congruential sequence, only 10 distinct keys.
    std::vector<Item> mine;
    std::uint32_t state = 12345;
    for (int i = 0; i < 300; ++i) {
        state = state * 1103515245u + 12345u;
        mine.push_back({static_cast<int>((state >> 16) % 10), i});
    }
    std::vector<Item> reference = mine;
    small_stable_sort(mine.begin(), mine.end(), by_key);
    std::stable_sort(reference.begin(), reference.end(), by_key);
    CHECK(originals(mine) == originals(reference));
}

TEST_CASE("small_stable_sort does nothing to an empty range or a single item", "[small_sort]") {
    std::vector<int> empty;
    small_stable_sort(empty.begin(), empty.end(), std::less<int>());
    CHECK(empty.empty());

    std::vector<int> one{42};
    small_stable_sort(one.begin(), one.end(), std::less<int>());
    CHECK(one == std::vector<int>{42});

    // An empty range in the middle of a list touches nothing around it.
    std::vector<int> around{3, 2, 1};
    small_stable_sort(around.begin() + 1, around.begin() + 1, std::less<int>());
    CHECK(around == std::vector<int>{3, 2, 1});
}

TEST_CASE("small_stable_sort sorts only the range it is given", "[small_sort]") {
    std::vector<int> v{9, 8, 7, 6, 5, 4};
    small_stable_sort(v.begin() + 1, v.begin() + 4, std::less<int>());
    CHECK(v == std::vector<int>{9, 6, 7, 8, 5, 4});
}

TEST_CASE("small_stable_sort works on plain arrays through pointers", "[small_sort]") {
    int a[] = {3, 1, 2};
    small_stable_sort(a, a + 3, std::less<int>());
    CHECK(a[0] == 1);
    CHECK(a[1] == 2);
    CHECK(a[2] == 3);
}

TEST_CASE("small_stable_sort moves move-only items such as unique_ptr without losing any", "[small_sort]") {
    std::vector<std::unique_ptr<int>> v;
    for (int x : {4, 2, 5, 1, 3}) v.push_back(std::make_unique<int>(x));
    const int* four = v[0].get();
    small_stable_sort(v.begin(), v.end(), [](const std::unique_ptr<int>& a, const std::unique_ptr<int>& b) { return *a < *b; });
    REQUIRE(v.size() == 5);
    for (size_t i = 0; i < v.size(); ++i) {
        INFO("position " << i);
        REQUIRE(v[i] != nullptr);
        CHECK(*v[i] == static_cast<int>(i) + 1);
    }
    // The same objects moved, not copies: the 4 is the very pointer we started with.
    CHECK(v[3].get() == four);
}

TEST_CASE("small_stable_sort follows a custom comparator: descending, and by string length", "[small_sort]") {
    std::vector<int> v{1, 3, 2, 5, 4};
    small_stable_sort(v.begin(), v.end(), std::greater<int>());
    CHECK(v == std::vector<int>{5, 4, 3, 2, 1});

    // By length only: words of the same length keep their order ("bb" before "aa", "ccc" before "abc").
    std::vector<std::string> words{"ccc", "bb", "dddd", "aa", "abc", "e"};
    small_stable_sort(words.begin(), words.end(), [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
    CHECK(words == std::vector<std::string>{"e", "bb", "aa", "ccc", "abc", "dddd"});
}
