#pragma once

// The catalogs as the core holds them after reading them (every model's architecture already
// derived from its config.json fields), in a compact binary form the page's core starts from.
//
// Why: in the browser, parsing the catalogs' JSON text was a third of the time to the first answer
// (86 ms of 304, Liftoff-compiled nlohmann_json building a DOM of every entry), and the text is
// larger than the numbers it holds. The JSON files stay the source: the build reads them with
// load_catalog (validated as always) and writes this snapshot, which the page's core reads back.

#include <string>
#include <string_view>

#include "base/expected.hpp"
#include "facts/catalog.hpp"

namespace wif {

// Bumped whenever the layout of a snapshot changes (a field added to ModelArch, Device, ...).
inline constexpr int kCatalogSnapshotVersion = 3;

// The catalog's entries and dates as bytes (little-endian, varint integers).
std::string write_catalog_snapshot(const Catalog& catalog);

// Reads what write_catalog_snapshot wrote, checking every length, count and enum value against
// the bytes it has; the result is indexed (build_index) as load_catalog's is.
// Errors: invalid_snapshot.
Expected<Catalog> read_catalog_snapshot(std::string_view bytes);

// How many fields the snapshot stores per entry of each kind; tests compare them with the
// structs' own member counts so that a new field cannot be left out silently.
struct SnapshotFieldCounts {
    int model_entry, model_arch, device, quant_entry, quant_spec;
};
SnapshotFieldCounts catalog_snapshot_field_counts();

}  // namespace wif
