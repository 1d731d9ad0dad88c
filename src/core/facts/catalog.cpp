#include "facts/catalog.hpp"

#include <algorithm>

#include "base/small_sort.hpp"
#include <set>


namespace wif {

namespace {

std::vector<std::string> tokens_of(std::string_view text) {
    std::vector<std::string> out;
    std::string current;
    auto kind = [](char c) { return (c >= '0' && c <= '9') ? 1 : ((c >= 'a' && c <= 'z') ? 2 : 0); };
    for (char raw : text) {
        const char c = (raw >= 'A' && raw <= 'Z') ? static_cast<char>(raw - 'A' + 'a') : raw;
        const int k = kind(c);
        if (k == 0 || (!current.empty() && kind(current.back()) != k)) {
            if (!current.empty()) out.push_back(current);
            current.clear();
        }
        if (k != 0) current.push_back(c);
    }
    if (!current.empty()) out.push_back(current);
    return out;
}

// Share of the query's tokens found among an entry's tokens, with a bonus for numbers
// (sizes like 8, 70, 4090 identify a model or card more than words do).
double similarity(const std::vector<std::string>& query, const std::set<std::string>& entry) {
    if (query.empty()) return 0;
    double hit = 0, total = 0;
    for (const std::string& q : query) {
        const bool number = q[0] >= '0' && q[0] <= '9';
        const double weight = number ? 2 : 1;
        total += weight;
        if (entry.count(q)) hit += weight;
    }
    return hit / total;
}

template <class Names>
std::vector<int> closest(std::string_view query, int count, const Names& names_of) {
    const std::vector<std::string> q = tokens_of(query);
    std::vector<std::pair<double, int>> scored;
    for (int i = 0; i < count; ++i) {
        std::set<std::string> tokens;
        for (const std::string& name : names_of(i)) {
            for (std::string& t : tokens_of(name)) tokens.insert(std::move(t));
        }
        const double s = similarity(q, tokens);
        if (s >= 0.5) scored.emplace_back(s, i);
    }
    small_stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<int> out;
    for (size_t i = 0; i < scored.size() && i < 8; ++i) out.push_back(scored[i].second);
    return out;
}

std::vector<std::string> quant_names(const QuantEntry& q) {
    std::vector<std::string> names = q.aliases;
    names.push_back(q.spec.id);
    names.push_back(q.spec.name);
    return names;
}

template <class Entries, class Names>
Expected<bool> index_names(const Entries& entries, const Names& names_of, const char* what,
                           std::map<std::string, int>& index) {
    index.clear();
    for (size_t i = 0; i < entries.size(); ++i) {
        for (const std::string& name : names_of(entries[i])) {
            const std::string key = lookup_key(name);
            if (key.empty()) continue;
            const auto [it, inserted] = index.emplace(key, static_cast<int>(i));
            if (!inserted && it->second != static_cast<int>(i)) {
                return make_error("invalid_catalog", std::string(what) + ": the name \"" + name + "\" of entry " +
                                                         std::to_string(i) + " already names entry " +
                                                         std::to_string(it->second));
            }
        }
    }
    return true;
}

}  // namespace

std::vector<std::string> model_names(const ModelEntry& m) {
    std::vector<std::string> names = m.aliases;
    names.push_back(m.id);
    names.push_back(m.name);
    names.push_back(m.hf_repo);
    const size_t slash = m.hf_repo.find('/');
    if (slash != std::string::npos) names.push_back(m.hf_repo.substr(slash + 1));  // "Llama-3.1-8B-Instruct"
    return names;
}

std::vector<std::string> device_names(const Device& d) {
    std::vector<std::string> names = d.aliases;
    names.push_back(d.id);
    names.push_back(d.name);
    return names;
}

std::string lookup_key(std::string_view text) {
    std::string key;
    for (char c : text) {
        if (c >= 'A' && c <= 'Z') key.push_back(static_cast<char>(c - 'A' + 'a'));
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) key.push_back(c);
        else if (c == '+') key += "plus";  // "Command R+" is not "Command R"
    }
    return key;
}

Expected<bool> Catalog::build_index() {
    if (auto ok = index_names(models, model_names, "models.json", model_index_); !ok) return ok.error();
    if (auto ok = index_names(devices, device_names, "devices.json", device_index_); !ok) return ok.error();
    return index_names(quants, quant_names, "quants.json", quant_index_);
}

Lookup Catalog::find_model(std::string_view key) const {
    Lookup l;
    if (auto it = model_index_.find(lookup_key(key)); it != model_index_.end()) {
        l.index = it->second;
        return l;
    }
    l.candidates = closest(key, static_cast<int>(models.size()), [&](int i) { return model_names(models[static_cast<size_t>(i)]); });
    return l;
}

Lookup Catalog::find_device(std::string_view key) const {
    Lookup l;
    if (auto it = device_index_.find(lookup_key(key)); it != device_index_.end()) {
        l.index = it->second;
        return l;
    }
    l.candidates = closest(key, static_cast<int>(devices.size()), [&](int i) { return device_names(devices[static_cast<size_t>(i)]); });
    return l;
}

Lookup Catalog::find_quant(std::string_view key) const {
    Lookup l;
    if (auto it = quant_index_.find(lookup_key(key)); it != quant_index_.end()) {
        l.index = it->second;
        return l;
    }
    l.candidates = closest(key, static_cast<int>(quants.size()), [&](int i) { return quant_names(quants[static_cast<size_t>(i)]); });
    return l;
}

}  // namespace wif
