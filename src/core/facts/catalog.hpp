// The model, device and quant catalogs: parsed from JSON text, validated field by field,
// and indexed for lookup by id, alias or Hugging Face repo id.
//
// The core receives catalog *text* (the CLI reads files or uses the copies built into it,
// the page passes what the build embedded), so it stays free of I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <map>
#include <vector>

#include "facts/architecture.hpp"
#include "facts/device.hpp"
#include "base/expected.hpp"
#include "facts/quant.hpp"

namespace wif {

inline constexpr int kSchemaVersion = 1;

struct ModelEntry {
    std::string id;
    std::string name;
    std::string family;
    std::string hf_repo;
    std::vector<std::string> aliases;
    std::string release_date;
    std::int64_t published_params = 0;
    std::int64_t published_active_params = 0;
    std::string params_source;
    std::string config_source;
    ModelArch arch;

    bool operator==(const ModelEntry&) const = default;
};

struct QuantEntry {
    QuantSpec spec;
    std::vector<std::string> aliases;
    std::string description;
    std::string source;

    bool operator==(const QuantEntry&) const = default;
};

struct CatalogText {
    std::string name;  // file name for messages, e.g. "models.json"
    std::string text;
};

// What a name resolved to, or why it did not.
struct Lookup {
    int index = -1;                       // into the catalog vector; -1 when not found
    std::vector<int> candidates;          // close matches, best first (for "did you mean")
};

class Catalog {
public:
    std::vector<ModelEntry> models;
    std::vector<Device> devices;
    std::vector<QuantEntry> quants;
    std::string models_date, devices_date, quants_date;

    // Exact match on id, alias, Hugging Face repo id or name, ignoring case and punctuation.
    Lookup find_model(std::string_view key) const;
    Lookup find_device(std::string_view key) const;
    Lookup find_quant(std::string_view key) const;

    // Indexes every name; fails when two entries share one.
    Expected<bool> build_index();

private:
    std::map<std::string, int> model_index_, device_index_, quant_index_;
};

// Every name an entry answers to: aliases, id, display name (and for a model its Hugging Face repo
// id and the repo's own name, "Llama-3.1-8B-Instruct").
std::vector<std::string> model_names(const ModelEntry& model);
std::vector<std::string> device_names(const Device& device);

// "Llama-3.1 8B_Instruct" -> "llama318binstruct": the key every lookup compares.
std::string lookup_key(std::string_view text);

// Parses and validates the three catalogs ("models", "devices", "quants", told apart by their
// "catalog" field). Every message names the file, the entry and the field.
Expected<Catalog> load_catalog(const std::vector<CatalogText>& texts);

}  // namespace wif
