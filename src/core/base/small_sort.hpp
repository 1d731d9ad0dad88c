// A stable insertion sort for the short lists the core sorts (matches, candidates).
// std::stable_sort instantiates a merge sort per comparator; each costs kilobytes of
// WebAssembly, while these lists hold at most a few hundred items.
#pragma once

#include <utility>

namespace wif {

template <class It, class Less>
void small_stable_sort(It first, It last, Less less) {
    if (first == last) return;
    for (It i = first + 1; i != last; ++i) {
        auto item = std::move(*i);
        It j = i;
        while (j != first && less(item, *(j - 1))) {
            *j = std::move(*(j - 1));
            --j;
        }
        *j = std::move(item);
    }
}

}  // namespace wif
