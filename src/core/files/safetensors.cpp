#include "files/safetensors.hpp"

#include <algorithm>
#include <set>

#include "base/checked.hpp"
#include "base/json_fields.hpp"
#include "base/units.hpp"
#include "files/byte_reader.hpp"

namespace wif {

namespace {

std::string num(std::uint64_t v) { return std::to_string(v); }
std::string snum(std::int64_t v) { return std::to_string(v); }

constexpr int kMaxDepth = 16;  // a safetensors header nests three levels deep

// Builds the DOM like parse_json, and also refuses duplicate keys in the top-level object
// (nlohmann keeps the last silently) and nesting deeper than kMaxDepth; never throws.
struct CheckedDom {
    using Dom = nlohmann::detail::json_sax_dom_parser<Json>;
    Dom dom;
    int depth = 0;
    std::set<std::string> top_keys;
    std::string duplicate;
    bool too_deep = false;

    explicit CheckedDom(Json& out) : dom(out, /*allow_exceptions=*/false) {}
    bool null() { return dom.null(); }
    bool boolean(bool v) { return dom.boolean(v); }
    bool number_integer(Json::number_integer_t v) { return dom.number_integer(v); }
    bool number_unsigned(Json::number_unsigned_t v) { return dom.number_unsigned(v); }
    bool number_float(Json::number_float_t v, const Json::string_t& s) { return dom.number_float(v, s); }
    bool string(Json::string_t& v) { return dom.string(v); }
    bool binary(Json::binary_t& v) { return dom.binary(v); }
    bool start_object(std::size_t n) {
        if (++depth > kMaxDepth) return !(too_deep = true);
        return dom.start_object(n);
    }
    bool key(Json::string_t& k) {
        if (depth == 1 && !top_keys.insert(k).second) {
            duplicate = k;
            return false;
        }
        return dom.key(k);
    }
    bool end_object() {
        --depth;
        return dom.end_object();
    }
    bool start_array(std::size_t n) {
        if (++depth > kMaxDepth) return !(too_deep = true);
        return dom.start_array(n);
    }
    bool end_array() {
        --depth;
        return dom.end_array();
    }
    bool parse_error(std::size_t pos, const std::string& token, const nlohmann::detail::exception& e) {
        return dom.parse_error(pos, token, e);
    }
};

Expected<Json> parse_checked(const std::string& text, const std::string& source) {
    Json parsed;
    CheckedDom sax(parsed);
    auto input = nlohmann::detail::input_adapter(text);
    nlohmann::detail::parser<Json, decltype(input)> parser(std::move(input), nullptr, /*allow_exceptions=*/false);
    const bool ok = parser.sax_parse(&sax, /*strict=*/true) && !sax.dom.is_errored();
    if (!sax.duplicate.empty()) return make_error("invalid_safetensors", source + ": the name \"" + sax.duplicate + "\" appears twice");
    if (sax.too_deep) return make_error("too_deep", source + ": nested more than " + num(kMaxDepth) + " levels deep");
    if (!ok) return parse_json(text, source).error();  // parse_json words the syntax error (line, column)
    return parsed;
}

// A non-negative JSON integer, or -1.
std::int64_t non_negative(const Json& v) {
    if (v.is_number_unsigned()) {
        const std::uint64_t u = v.get<std::uint64_t>();
        return u > static_cast<std::uint64_t>(INT64_MAX) ? -1 : static_cast<std::int64_t>(u);
    }
    if (v.is_number_integer()) {
        const std::int64_t i = v.get<std::int64_t>();
        return i < 0 ? -1 : i;
    }
    return -1;
}

struct Dtype {
    const char* name;
    int bits;
};
// safetensors/src/tensor.rs Dtype and Dtype::bitsize.
constexpr Dtype kDtypes[] = {
    {"BOOL", 8},    {"U8", 8},       {"I8", 8},       {"F8_E5M2", 8}, {"F8_E4M3", 8}, {"F8_E8M0", 8},
    {"I16", 16},    {"U16", 16},     {"F16", 16},     {"BF16", 16},   {"I32", 32},    {"U32", 32},
    {"F32", 32},    {"F64", 64},     {"I64", 64},     {"U64", 64},    {"F4", 4},      {"F6_E2M3", 6},
    {"F6_E3M2", 6}, {"C64", 64},
};

}  // namespace

int safetensors_dtype_bits(std::string_view dtype) {
    for (const Dtype& d : kDtypes) {
        if (dtype == d.name) return d.bits;
    }
    return 0;
}

const char* safetensors_dtype_name(std::string_view dtype) {
    for (const Dtype& d : kDtypes) {
        if (dtype == d.name) return d.name;
    }
    return nullptr;
}

Expected<SafetensorsHeader> read_safetensors_header(std::string_view bytes, std::uint64_t file_size, std::uint64_t* need_bytes) {
    if (need_bytes) *need_bytes = 0;
    if (file_size > 0 && bytes.size() > file_size) bytes = bytes.substr(0, static_cast<size_t>(file_size));
    auto need = [&](std::uint64_t n) -> Error {
        if (file_size > 0 && n > file_size) {
            return make_error("truncated", "safetensors: the header runs past the end of the file (" + num(file_size) +
                                               " bytes; it needs " + num(n) + ")");
        }
        if (need_bytes) *need_bytes = n;
        return make_error("need_more", "need more bytes: " + num(n) + " (have " + num(bytes.size()) + ")");
    };
    ByteReader r(bytes);
    std::uint64_t n = 0;
    if (!r.u64(n)) return need(8);
    if (n > kMaxSafetensorsHeader) {
        return make_error("header_too_large", "safetensors: the header length is " + num(n) + " bytes (at most " +
                                                  num(kMaxSafetensorsHeader) + "; not a safetensors file?)");
    }
    if (n < 2) return make_error("invalid_safetensors", "safetensors: the header length is " + num(n) + " bytes (too short for a JSON object)");
    std::string_view raw;
    if (!r.take(n, raw)) return need(8 + n);
    if (raw[0] != '{') return make_error("invalid_safetensors", "safetensors: the header does not start with '{' (not a safetensors file?)");

    const Expected<Json> parsed = parse_checked(std::string(raw), "safetensors header");
    if (!parsed) return parsed.error();
    const Json& root = parsed.value();
    if (!root.is_object()) return make_error("invalid_safetensors", "safetensors: the header is not a JSON object");

    SafetensorsHeader h;
    h.header_bytes = 8 + n;
    h.file_size = file_size;
    h.tensors.reserve(root.size());
    for (auto it = root.begin(); it != root.end(); ++it) {
        const std::string& name = it.key();
        const Json& v = it.value();
        if (name == "__metadata__") {
            if (!v.is_object()) return make_error("invalid_safetensors", "safetensors: __metadata__ must be an object of strings");
            for (auto m = v.begin(); m != v.end(); ++m) {
                if (!m.value().is_string()) {
                    return make_error("invalid_safetensors", "safetensors: __metadata__." + m.key() + " is " + json_type_name(m.value()) +
                                                                 ", expected a string");
                }
                h.metadata.emplace_back(m.key(), m.value().get<std::string>());
            }
            continue;
        }
        const std::string tn = "safetensors: tensor \"" + name + "\"";
        if (!v.is_object()) return make_error("invalid_safetensors", tn + " is " + json_type_name(v) + ", expected an object");
        const auto dtype = v.find("dtype");
        const auto shape = v.find("shape");
        const auto offsets = v.find("data_offsets");
        if (dtype == v.end() || !dtype->is_string()) return make_error("invalid_safetensors", tn + ": missing \"dtype\" string");
        if (shape == v.end() || !shape->is_array()) return make_error("invalid_safetensors", tn + ": missing \"shape\" array");
        if (offsets == v.end() || !offsets->is_array() || offsets->size() != 2) {
            return make_error("invalid_safetensors", tn + ": \"data_offsets\" must be [begin, end]");
        }
        SafetensorsTensor t;
        t.name = name;
        t.dtype = dtype->get<std::string>();
        const int bits = safetensors_dtype_bits(t.dtype);
        if (bits == 0) return make_error("unknown_dtype", tn + ": unknown dtype \"" + t.dtype + "\"");
        std::int64_t elements = 1;
        bool overflow = false;
        t.shape.reserve(shape->size());
        for (const Json& d : *shape) {
            const std::int64_t dim = non_negative(d);
            if (dim < 0) return make_error("invalid_safetensors", tn + ": shape entries must be integers between 0 and 2^63 - 1");
            t.shape.push_back(dim);
            if (!overflow) {
                const std::optional<std::int64_t> product = checked_mul(elements, dim);
                if (product) elements = *product;
                else overflow = true;
            }
        }
        if (overflow && std::find(t.shape.begin(), t.shape.end(), 0) == t.shape.end()) {
            return make_error("invalid_safetensors", tn + ": the shape's element count overflows 64 bits");
        }
        if (overflow) elements = 0;
        const std::optional<std::int64_t> total_bits = checked_mul(elements, bits);
        if (!total_bits) return make_error("invalid_safetensors", tn + ": the tensor's size overflows 64 bits");
        if (*total_bits % 8 != 0) {
            return make_error("invalid_safetensors", tn + ": " + snum(elements) + " " + t.dtype + " values do not fill whole bytes");
        }
        t.elements = elements;
        t.begin = non_negative((*offsets)[0]);
        t.end = non_negative((*offsets)[1]);
        if (t.begin < 0 || t.end < 0 || t.end < t.begin) {
            return make_error("invalid_safetensors", tn + ": data_offsets must be integers with 0 <= begin <= end");
        }
        t.bytes = t.end - t.begin;
        if (t.bytes != *total_bits / 8) {
            return make_error("invalid_safetensors", tn + ": data_offsets span " + snum(t.bytes) + " bytes, but " +
                                                         snum(elements) + " " + t.dtype + " values take " + snum(*total_bits / 8));
        }
        h.tensors.push_back(std::move(t));
    }
    // The data section is the tensors back to back, in offset order (safetensors validate()).
    std::sort(h.tensors.begin(), h.tensors.end(), [](const SafetensorsTensor& a, const SafetensorsTensor& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    std::int64_t end = 0;
    for (const SafetensorsTensor& t : h.tensors) {
        if (t.begin != end) {
            return make_error("invalid_safetensors", "safetensors: tensor \"" + t.name + "\" starts at data byte " + snum(t.begin) +
                                                         (t.begin < end ? ", inside the tensor before it (overlap)" : ", leaving a gap after the tensor before it") +
                                                         " (expected " + snum(end) + ")");
        }
        end = t.end;
        h.elements = saturating_add(h.elements, t.elements, INT64_MAX);
    }
    h.data_bytes = end;
    if (file_size > 0 && static_cast<std::uint64_t>(end) > file_size - h.header_bytes) {
        return make_error("offset_past_end", "safetensors: the tensors end at byte " + num(h.header_bytes + static_cast<std::uint64_t>(end)) +
                                                 ", past the end of the " + num(file_size) + "-byte file");
    }
    return h;
}

Expected<SafetensorsIndex> read_safetensors_index(const std::string& json_text) {
    const Expected<Json> parsed = parse_json(json_text, "model.safetensors.index.json");
    if (!parsed) return parsed.error();
    const Json& root = parsed.value();
    auto bad = [](const std::string& why) { return make_error("invalid_index", "model.safetensors.index.json: " + why); };
    if (!root.is_object()) return bad("expected a JSON object");
    const auto map = root.find("weight_map");
    if (map == root.end() || !map->is_object()) return bad("missing the \"weight_map\" object");
    SafetensorsIndex index;
    std::set<std::string> seen;
    for (auto it = map->begin(); it != map->end(); ++it) {
        if (!it.value().is_string() || it.value().get<std::string>().empty()) {
            return bad("weight_map[\"" + it.key() + "\"] must name a shard file");
        }
        const std::string shard = it.value().get<std::string>();
        index.weight_map.emplace_back(it.key(), shard);
        if (seen.insert(shard).second) index.shards.push_back(shard);
    }
    const auto meta = root.find("metadata");
    if (meta != root.end() && meta->is_object()) {
        const auto total = meta->find("total_size");
        if (total != meta->end() && !total->is_null()) {
            // Some exporters write it as a float ("total_size": 1.5e10).
            std::int64_t size = non_negative(*total);
            if (size < 0 && total->is_number_float()) size = checked_int(total->get<double>(), 0, kMaxBytes, true).value_or(-1);
            if (size < 0) return bad("metadata.total_size must be a non-negative integer");
            index.total_size = size;
        }
    }
    return index;
}

Expected<QuantizationConfig> read_quantization_config(const std::string& config_json_text) {
    const Expected<Json> parsed = parse_json(config_json_text, "config.json");
    if (!parsed) return parsed.error();
    const Json& root = parsed.value();
    QuantizationConfig q;
    if (!root.is_object()) return make_error("invalid_config", "config.json: expected a JSON object");
    const Json* qc = nullptr;
    for (const char* key : {"quantization_config", "compression_config"}) {
        const auto it = root.find(key);
        if (it != root.end() && it->is_object()) {
            qc = &*it;
            break;
        }
    }
    if (!qc) {
        const auto text = root.find("text_config");
        if (text != root.end() && text->is_object()) {
            const auto it = text->find("quantization_config");
            if (it != text->end() && it->is_object()) qc = &*it;
        }
    }
    if (!qc) return q;
    auto str = [&](const Json& o, const char* key) {
        const auto it = o.find(key);
        return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto integer = [&](const Json& o, const char* key, int fallback) {
        const auto it = o.find(key);
        if (it == o.end()) return fallback;
        const std::int64_t v = it->is_number_integer() ? it->get<std::int64_t>() : fallback;
        return v >= -1 && v <= 1'000'000 ? static_cast<int>(v) : fallback;
    };
    auto boolean = [&](const Json& o, const char* key) {
        const auto it = o.find(key);
        return it != o.end() && it->is_boolean() && it->get<bool>();
    };
    q.method = to_lower(str(*qc, "quant_method"));
    q.bits = integer(*qc, "bits", integer(*qc, "w_bit", 0));
    q.group_size = integer(*qc, "group_size", integer(*qc, "q_group_size", 0));
    q.desc_act = boolean(*qc, "desc_act");
    if (q.method == "bitsandbytes") {
        q.bits = boolean(*qc, "load_in_4bit") ? 4 : boolean(*qc, "load_in_8bit") ? 8 : q.bits;
        q.format = str(*qc, "bnb_4bit_quant_type");
    } else if (q.method == "fp8") {
        q.bits = 8;
    } else if (q.method == "mxfp4") {
        q.bits = 4;
        q.group_size = 32;
    } else if (q.method == "compressed-tensors") {
        q.format = str(*qc, "format");
        const auto groups = qc->find("config_groups");
        if (groups != qc->end() && groups->is_object()) {
            for (auto g = groups->begin(); g != groups->end(); ++g) {
                if (!g.value().is_object()) continue;
                const auto w = g.value().find("weights");
                if (w == g.value().end() || !w->is_object()) continue;
                q.bits = integer(*w, "num_bits", q.bits);
                q.group_size = integer(*w, "group_size", q.group_size);
                break;
            }
        }
    }
    return q;
}

}  // namespace wif
