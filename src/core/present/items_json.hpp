// The line items of a memory bill as JSON, the same fields for every workload's bill (inference
// LineItem, training TrainingItem): key, category, label, bytes, location, formula, source.
#pragma once

#include <vector>

#include "base/json_writer.hpp"
#include "facts/runtime.hpp"

namespace wif {

template <class Item, class CategoryName>
void write_items(JsonWriter& w, const std::vector<Item>& items, CategoryName category_name) {
    w.key("items").begin_array();
    for (const Item& i : items) {
        w.begin_object();
        w.field("key", i.key).field("category", category_name(i.category)).field("label", i.label);
        w.field("bytes", i.bytes).field("location", location_name(i.location));
        w.field("formula", i.formula).field("source", i.source);
        w.end_object();
    }
    w.end_array();
}

}  // namespace wif
