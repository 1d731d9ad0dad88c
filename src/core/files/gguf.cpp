#include "files/gguf.hpp"

#include <algorithm>
#include <set>

#include "base/checked.hpp"
#include "files/byte_reader.hpp"

namespace wif {

namespace {

// ggml/src/ggml.c type_traits (blck_size, type_size = sizeof(block_*) in ggml-common.h), llama.cpp 00bdaa1; q2_0 (42) newer.
const std::vector<GgmlTypeInfo> kGgmlTypes = {
    {0, "f32", 1, 4},          {1, "f16", 1, 2},          {2, "q4_0", 32, 18},       {3, "q4_1", 32, 20},
    {6, "q5_0", 32, 22},       {7, "q5_1", 32, 24},       {8, "q8_0", 32, 34},       {9, "q8_1", 32, 36},
    {10, "q2_K", 256, 84},     {11, "q3_K", 256, 110},    {12, "q4_K", 256, 144},    {13, "q5_K", 256, 176},
    {14, "q6_K", 256, 210},    {15, "q8_K", 256, 292},    {16, "iq2_xxs", 256, 66},  {17, "iq2_xs", 256, 74},
    {18, "iq3_xxs", 256, 98},  {19, "iq1_s", 256, 50},    {20, "iq4_nl", 32, 18},    {21, "iq3_s", 256, 110},
    {22, "iq2_s", 256, 82},    {23, "iq4_xs", 256, 136},  {24, "i8", 1, 1},          {25, "i16", 1, 2},
    {26, "i32", 1, 4},         {27, "i64", 1, 8},         {28, "f64", 1, 8},         {29, "iq1_m", 256, 56},
    {30, "bf16", 1, 2},        {34, "tq1_0", 256, 54},    {35, "tq2_0", 256, 66},    {39, "mxfp4", 32, 17},
    {40, "nvfp4", 64, 36},     {41, "q1_0", 128, 18},     {42, "q2_0", 64, 18},
};

constexpr char kMagic[4] = {'G', 'G', 'U', 'F'};

std::string num(std::uint64_t v) { return std::to_string(v); }

// Smallest encoded size of one array element of `type` (strings: the 8-byte length).
std::uint64_t min_size(GgufType type) {
    switch (type) {
        case GgufType::u8: case GgufType::i8: case GgufType::boolean: return 1;
        case GgufType::u16: case GgufType::i16: return 2;
        case GgufType::u32: case GgufType::i32: case GgufType::f32: return 4;
        case GgufType::u64: case GgufType::i64: case GgufType::f64: case GgufType::string: return 8;
        case GgufType::array: return 12;
    }
    return 1;
}

bool valid_type(std::uint32_t t) { return t <= 12; }

struct Parser {
    ByteReader r;
    std::uint64_t file_size;
    std::uint64_t kept = 0;
    Error error;
    std::uint64_t need = 0;

    // Bytes the rest of the file can hold from the current position: the file when its size is
    // known, else the header limit.
    std::uint64_t room() const {
        const std::uint64_t end = file_size > 0 ? file_size : kMaxGgufHeader;
        return end > r.pos() ? end - r.pos() : 0;
    }

    bool fail(const char* code, std::string message) {
        if (error.code.empty()) error = make_error(code, "GGUF: " + std::move(message));
        return false;
    }

    // A read ran out of bytes: either ask for more or, when the file cannot hold them, say so.
    bool ran_out(const std::string& what) {
        if (!error.code.empty()) return false;
        const std::uint64_t needed = r.needed();
        if (file_size > 0 && needed > file_size) {
            return fail("truncated", what + " runs past the end of the file (" + num(file_size) + " bytes; it needs " +
                                         num(needed) + ")");
        }
        if (needed > kMaxGgufHeader) {
            return fail("header_too_large", what + " would make the header larger than " + num(kMaxGgufHeader) + " bytes");
        }
        need = needed;
        error = make_error("need_more", "need more bytes: " + num(needed) + " (have " + num(r.size()) + ")");
        return false;
    }

    // Claimed sizes are checked against what the file can hold before any read or allocation.
    bool claim(std::uint64_t count, std::uint64_t each, const std::string& what) {
        const std::uint64_t limit = room();
        if (each > 0 && count > limit / each) {
            // Within a plausible header but past the end of a known file: the file was cut short.
            const bool cut_short = file_size > 0 && count <= kMaxGgufHeader / each;
            return fail(cut_short ? "truncated" : "invalid_gguf", what + ": " + num(count) + (each > 1 ? " entries of at least " + num(each) + " bytes" : " bytes") +
                                            " cannot fit in the " + num(limit) + " bytes left" +
                                            (file_size > 0 ? " in the file" : " for the header"));
        }
        return true;
    }

    bool string(std::string& out, bool& truncated, const std::string& what, std::uint64_t keep = kMaxKeptString) {
        std::uint64_t len = 0;
        if (!r.u64(len)) return ran_out(what);
        if (!claim(len, 1, what + " (string length)")) return false;
        std::string_view text;
        if (!r.take(len, text)) return ran_out(what);
        truncated = len > keep;
        out.assign(text.substr(0, static_cast<size_t>(std::min<std::uint64_t>(len, keep))));
        return true;
    }

    bool scalar(GgufType type, GgufValue& v, const std::string& what) {
        v.type = type;
        bool ok = true;
        switch (type) {
            case GgufType::u8: { std::uint8_t x = 0; ok = r.u8(x); v.u = x; v.i = x; v.f = x; break; }
            case GgufType::i8: { std::int8_t x = 0; ok = r.i8(x); v.i = x; v.f = x; break; }
            case GgufType::u16: { std::uint16_t x = 0; ok = r.u16(x); v.u = x; v.i = x; v.f = x; break; }
            case GgufType::i16: { std::int16_t x = 0; ok = r.i16(x); v.i = x; v.f = x; break; }
            case GgufType::u32: { std::uint32_t x = 0; ok = r.u32(x); v.u = x; v.i = x; v.f = x; break; }
            case GgufType::i32: { std::int32_t x = 0; ok = r.i32(x); v.i = x; v.f = x; break; }
            case GgufType::u64: {
                std::uint64_t x = 0;
                ok = r.u64(x);
                v.u = x;
                v.i = x > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(x);
                v.f = static_cast<double>(x);
                break;
            }
            case GgufType::i64: { std::int64_t x = 0; ok = r.i64(x); v.i = x; v.f = static_cast<double>(x); break; }
            case GgufType::f32: { float x = 0; ok = r.f32(x); v.f = x; break; }
            case GgufType::f64: { double x = 0; ok = r.f64(x); v.f = x; break; }
            case GgufType::boolean: {
                std::uint8_t x = 0;
                ok = r.u8(x);
                if (ok && x > 1) return fail("invalid_gguf", what + ": a boolean stored as " + num(x) + " (must be 0 or 1)");
                v.u = x; v.i = x; v.f = x;
                break;
            }
            case GgufType::string: return string(v.s, v.truncated, what);
            case GgufType::array: break;
        }
        return ok ? true : ran_out(what);
    }

    bool value(GgufType type, GgufValue& v, int depth, bool keep, const std::string& what) {
        if (type != GgufType::array) return scalar(type, v, what);
        v.type = GgufType::array;
        if (depth >= kGgufMaxNesting) {
            return fail("too_deep", what + ": arrays nested more than " + num(kGgufMaxNesting) + " levels deep");
        }
        std::uint32_t elem = 0;
        std::uint64_t count = 0;
        if (!r.u32(elem)) return ran_out(what);
        if (!valid_type(elem)) return fail("invalid_gguf", what + ": unknown array element type " + num(elem));
        if (!r.u64(count)) return ran_out(what);
        v.elem = static_cast<GgufType>(elem);
        v.count = count;
        if (!claim(count, min_size(v.elem), what + " (array)")) return false;
        const bool keep_items = keep && count <= kMaxKeptArray && kept + count <= kMaxKeptValues;
        v.truncated = !keep_items && count > 0;
        if (keep_items) {
            kept += count;
            v.items.reserve(static_cast<size_t>(count));
        }
        // Fixed-size elements that are not kept are skipped in one step.
        if (!keep_items && v.elem != GgufType::string && v.elem != GgufType::array) {
            return r.skip(count * min_size(v.elem)) ? true : ran_out(what);
        }
        for (std::uint64_t k = 0; k < count; ++k) {
            if (keep_items) {
                v.items.emplace_back();
                if (!value(v.elem, v.items.back(), depth + 1, true, what)) return false;
            } else if (v.elem == GgufType::string) {
                std::uint64_t len = 0;
                if (!r.u64(len)) return ran_out(what);
                if (!claim(len, 1, what + " (string length)")) return false;
                if (!r.skip(len)) return ran_out(what);
            } else {
                GgufValue ignored;
                if (!value(v.elem, ignored, depth + 1, false, what)) return false;
            }
        }
        return true;
    }
};

std::int64_t as_int(const GgufValue* v, std::int64_t fallback) { return v && v->is_integer() ? v->i : fallback; }

}  // namespace

const GgmlTypeInfo* ggml_type_info(std::uint32_t id) {
    for (const GgmlTypeInfo& t : kGgmlTypes) {
        if (t.id == id) return &t;
    }
    return nullptr;
}

const std::vector<GgmlTypeInfo>& ggml_type_table() { return kGgmlTypes; }

const char* gguf_type_name(GgufType type) {
    switch (type) {
        case GgufType::u8: return "uint8";
        case GgufType::i8: return "int8";
        case GgufType::u16: return "uint16";
        case GgufType::i16: return "int16";
        case GgufType::u32: return "uint32";
        case GgufType::i32: return "int32";
        case GgufType::f32: return "float32";
        case GgufType::boolean: return "bool";
        case GgufType::string: return "string";
        case GgufType::array: return "array";
        case GgufType::u64: return "uint64";
        case GgufType::i64: return "int64";
        case GgufType::f64: return "float64";
    }
    return "?";
}

bool GgufValue::is_integer() const {
    return type != GgufType::f32 && type != GgufType::f64 && type != GgufType::string && type != GgufType::array;
}
bool GgufValue::is_number() const { return type != GgufType::string && type != GgufType::array; }

const GgufValue* GgufHeader::find(std::string_view key) const {
    for (const GgufKV& kv : metadata) {
        if (kv.key == key) return &kv.value;
    }
    return nullptr;
}

Expected<GgufHeader> read_gguf_header(std::string_view bytes, std::uint64_t file_size, std::uint64_t* need_bytes) {
    if (need_bytes) *need_bytes = 0;
    if (file_size > 0 && bytes.size() > file_size) bytes = bytes.substr(0, static_cast<size_t>(file_size));
    Parser p{ByteReader(bytes), file_size, 0, {}, 0};
    auto done = [&]() -> Error {
        if (need_bytes && p.error.code == "need_more") *need_bytes = p.need;
        return p.error;
    };
    GgufHeader h;
    h.file_size = file_size;

    std::string_view magic;
    if (!p.r.take(4, magic)) {
        p.ran_out("the magic number");
        return done();
    }
    if (magic != std::string_view(kMagic, 4)) {
        p.fail("not_gguf", "the file does not start with \"GGUF\" (not a GGUF file)");
        return done();
    }
    if (!p.r.u32(h.version)) {
        p.ran_out("the version");
        return done();
    }
    if (h.version == 1) {
        p.fail("unsupported_gguf_version", "version 1 files (2023, before GGUF v2) are not supported; convert the model again");
        return done();
    }
    if (h.version != 2 && h.version != 3) {
        const bool swapped = (h.version & 0xFFFFu) == 0 && h.version != 0;
        p.fail("unsupported_gguf_version", "version " + num(h.version) + " is not supported (2 and 3 are)" +
                                               (swapped ? "; the file may be big-endian, which is not supported" : ""));
        return done();
    }
    if (!p.r.u64(h.tensor_count) || !p.r.u64(h.kv_count)) {
        p.ran_out("the tensor and key counts");
        return done();
    }
    // Each key/value takes at least 13 bytes (8-byte key length, 4-byte type, 1-byte value), each
    // tensor info at least 24 (name length, n_dims, type, offset).
    if (!p.claim(h.kv_count, 13, "kv_count") || !p.claim(h.tensor_count, 24, "tensor_count")) return done();

    std::set<std::string> keys;
    h.metadata.reserve(static_cast<size_t>(std::min<std::uint64_t>(h.kv_count, 4096)));
    for (std::uint64_t k = 0; k < h.kv_count; ++k) {
        GgufKV kv;
        bool truncated = false;
        if (!p.string(kv.key, truncated, "metadata key " + num(k))) return done();
        if (truncated) {
            p.fail("invalid_gguf", "metadata key " + num(k) + " is longer than " + num(kMaxKeptString) + " bytes");
            return done();
        }
        std::uint32_t type = 0;
        if (!p.r.u32(type)) {
            p.ran_out("the type of \"" + kv.key + "\"");
            return done();
        }
        if (!valid_type(type)) {
            p.fail("invalid_gguf", "metadata \"" + kv.key + "\" has unknown value type " + num(type));
            return done();
        }
        if (!p.value(static_cast<GgufType>(type), kv.value, 0, true, "metadata \"" + kv.key + "\"")) return done();
        if (!keys.insert(kv.key).second) {
            p.fail("invalid_gguf", "duplicate metadata key \"" + kv.key + "\"");
            return done();
        }
        h.metadata.push_back(std::move(kv));
    }

    if (const GgufValue* a = h.find("general.alignment")) {
        if (a->type != GgufType::u32 || a->u == 0 || (a->u & (a->u - 1)) != 0) {
            p.fail("invalid_gguf", "general.alignment must be a uint32 power of two");
            return done();
        }
        h.alignment = a->u;
    }
    const GgufValue* split_count = h.find("split.count");
    const GgufValue* split_no = h.find("split.no");
    if (split_count || split_no) {
        const std::int64_t count = as_int(split_count, -1), no = as_int(split_no, -1);
        if (count < 1 || count > 65535 || no < 0 || no >= count) {
            p.fail("invalid_gguf", "split.no and split.count must be integers with 0 <= split.no < split.count");
            return done();
        }
        h.split_count = static_cast<int>(count);
        h.split_no = static_cast<int>(no);
    }

    std::set<std::string> names;
    h.tensors.reserve(static_cast<size_t>(std::min<std::uint64_t>(h.tensor_count, p.r.remaining() / 24 + 1)));
    for (std::uint64_t k = 0; k < h.tensor_count; ++k) {
        GgufTensorInfo t;
        t.split = h.split_no;
        bool truncated = false;
        const std::string where = "tensor info " + num(k);
        if (!p.string(t.name, truncated, where + " (name)")) return done();
        if (truncated) {
            p.fail("invalid_gguf", where + ": a name longer than " + num(kMaxKeptString) + " bytes");
            return done();
        }
        const std::string tn = "tensor \"" + t.name + "\"";
        if (!p.r.u32(t.n_dims)) {
            p.ran_out(tn);
            return done();
        }
        if (t.n_dims > 4) {
            p.fail("invalid_gguf", tn + " has " + num(t.n_dims) + " dimensions (at most 4)");
            return done();
        }
        for (std::uint32_t d = 0; d < t.n_dims; ++d) {
            std::uint64_t ne = 0;
            if (!p.r.u64(ne)) {
                p.ran_out(tn);
                return done();
            }
            if (ne > static_cast<std::uint64_t>(INT64_MAX)) {
                p.fail("invalid_gguf", tn + ": dimension " + num(d) + " is " + num(ne) + " (above 2^63 - 1)");
                return done();
            }
            t.dims[d] = static_cast<std::int64_t>(ne);
        }
        if (!p.r.u32(t.type_id) || !p.r.u64(t.offset)) {
            p.ran_out(tn);
            return done();
        }
        const GgmlTypeInfo* info = ggml_type_info(t.type_id);
        if (!info) {
            p.fail("unknown_ggml_type", tn + " has ggml type id " + num(t.type_id) +
                                           ", which this reader does not know (a newer or removed llama.cpp type)");
            return done();
        }
        t.type_name = info->name;
        if (t.dims[0] % info->block != 0) {
            p.fail("invalid_gguf", tn + ": row length " + num(static_cast<std::uint64_t>(t.dims[0])) +
                                       " is not a multiple of the " + info->name + " block size " + num(static_cast<std::uint64_t>(info->block)));
            return done();
        }
        const std::optional<std::int64_t> elements = checked_mul_all({t.dims[0], t.dims[1], t.dims[2], t.dims[3]});
        const std::optional<std::int64_t> tensor_bytes =
            checked_mul_all({t.dims[0] / info->block, info->bytes, t.dims[1], t.dims[2], t.dims[3]});
        if (!elements || !tensor_bytes) {
            p.fail("invalid_gguf", tn + ": the shape's element count or byte size overflows 64 bits");
            return done();
        }
        t.elements = *elements;
        t.bytes = *tensor_bytes;
        if (t.offset % h.alignment != 0) {
            p.fail("invalid_gguf", tn + ": data offset " + num(t.offset) + " is not a multiple of the alignment " + num(h.alignment));
            return done();
        }
        if (!names.insert(t.name).second) {
            p.fail("invalid_gguf", "duplicate tensor name \"" + t.name + "\"");
            return done();
        }
        const std::optional<std::int64_t> sum = checked_add(h.tensor_bytes, t.bytes);
        if (!sum) {
            p.fail("invalid_gguf", "the tensors' sizes add up to more than 2^63 bytes");
            return done();
        }
        h.tensor_bytes = *sum;
        h.tensors.push_back(std::move(t));
    }
    h.header_bytes = p.r.pos();
    h.data_offset = (h.header_bytes + h.alignment - 1) / h.alignment * h.alignment;

    // Tensor data: no two tensors overlap, and with the file size known none runs past its end.
    std::vector<const GgufTensorInfo*> by_offset;
    by_offset.reserve(h.tensors.size());
    for (const GgufTensorInfo& t : h.tensors) by_offset.push_back(&t);
    std::sort(by_offset.begin(), by_offset.end(), [](const GgufTensorInfo* a, const GgufTensorInfo* b) { return a->offset < b->offset; });
    std::uint64_t end = 0;
    const GgufTensorInfo* previous = nullptr;
    for (const GgufTensorInfo* t : by_offset) {
        if (previous && t->offset < end) {
            p.fail("invalid_gguf", "tensors \"" + previous->name + "\" and \"" + t->name + "\" overlap in the data section");
            return done();
        }
        if (t->offset > UINT64_MAX - static_cast<std::uint64_t>(t->bytes)) {
            p.fail("offset_past_end", "tensor \"" + t->name + "\": offset " + num(t->offset) + " is past any file");
            return done();
        }
        end = t->offset + static_cast<std::uint64_t>(t->bytes);
        previous = t;
        if (file_size > 0 && (end > file_size || h.data_offset > file_size - end)) {
            p.fail("offset_past_end", "tensor \"" + t->name + "\" ends at byte " +
                                          num(end > UINT64_MAX - h.data_offset ? UINT64_MAX : h.data_offset + end) +
                                          ", past the end of the " + num(file_size) + "-byte file");
            return done();
        }
    }
    return h;
}

GgufSplitName gguf_split_name(std::string_view name) {
    // "...-00001-of-00003.gguf": five digits, "-of-", five digits (llama.cpp llama_split_path).
    constexpr std::string_view ext = ".gguf";
    if (name.size() < ext.size() + 15) return {};
    std::string_view stem = name.substr(0, name.size() - ext.size());
    if (name.substr(name.size() - ext.size()) != ext) return {};
    const std::string_view tail = stem.substr(stem.size() - 15);  // "-00001-of-00003"
    auto digits = [](std::string_view s, int& out) {
        out = 0;
        for (char c : s) {
            if (c < '0' || c > '9') return false;
            out = out * 10 + (c - '0');
        }
        return true;
    };
    GgufSplitName out;
    if (tail[0] != '-' || tail.substr(6, 4) != "-of-" || !digits(tail.substr(1, 5), out.no) ||
        !digits(tail.substr(10, 5), out.count) || out.no < 1 || out.no > out.count) {
        return {};
    }
    return out;
}

Expected<GgufHeader> merge_gguf_splits(std::vector<GgufHeader> splits) {
    if (splits.empty()) return make_error("invalid_gguf", "GGUF: no files to merge");
    if (splits.size() == 1 && splits[0].split_count == 1) return std::move(splits[0]);
    const int count = splits[0].split_count;
    for (const GgufHeader& s : splits) {
        if (s.split_count != count) {
            return make_error("invalid_split", "GGUF split: the files disagree on split.count (" + num(static_cast<std::uint64_t>(count)) +
                                                   " and " + num(static_cast<std::uint64_t>(s.split_count)) + ")");
        }
    }
    std::vector<GgufHeader*> order(static_cast<size_t>(count), nullptr);
    for (GgufHeader& s : splits) {
        if (order[static_cast<size_t>(s.split_no)]) {
            return make_error("invalid_split", "GGUF split: part " + num(static_cast<std::uint64_t>(s.split_no + 1)) + " of " +
                                                   num(static_cast<std::uint64_t>(count)) + " was given twice");
        }
        order[static_cast<size_t>(s.split_no)] = &s;
    }
    std::string missing;
    for (int i = 0; i < count; ++i) {
        if (!order[static_cast<size_t>(i)]) missing += (missing.empty() ? "" : ", ") + num(static_cast<std::uint64_t>(i + 1));
    }
    if (!missing.empty()) {
        return make_error("missing_split", "GGUF split: the model has " + num(static_cast<std::uint64_t>(count)) +
                                               " parts; missing part(s) " + missing);
    }
    GgufHeader merged = std::move(*order[0]);
    std::set<std::string> names;
    for (const GgufTensorInfo& t : merged.tensors) names.insert(t.name);
    for (int i = 1; i < count; ++i) {
        GgufHeader& s = *order[static_cast<size_t>(i)];
        for (GgufTensorInfo& t : s.tensors) {
            if (!names.insert(t.name).second) {
                return make_error("invalid_split", "GGUF split: tensor \"" + t.name + "\" appears in more than one part");
            }
            merged.tensors.push_back(std::move(t));
        }
        merged.tensor_count += s.tensor_count;
        merged.file_size = merged.file_size > 0 && s.file_size > 0 ? merged.file_size + s.file_size : 0;
        merged.tensor_bytes = saturating_add(merged.tensor_bytes, s.tensor_bytes, INT64_MAX);
    }
    if (const GgufValue* total = merged.find("split.tensors.count")) {
        if (!total->is_integer() || total->i != static_cast<std::int64_t>(merged.tensors.size())) {
            return make_error("invalid_split", "GGUF split: split.tensors.count says " + num(static_cast<std::uint64_t>(total->i)) +
                                                   " tensors; the parts hold " + num(merged.tensors.size()));
        }
    }
    merged.split_no = 0;
    return merged;
}

}  // namespace wif
