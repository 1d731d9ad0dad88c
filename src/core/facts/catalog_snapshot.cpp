#include "facts/catalog_snapshot.hpp"

#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace wif {

namespace {

constexpr std::string_view kMagic = "WIFCAT";

// Each struct's fields, in one list the writer, the reader and the counter all walk. A field added
// to a struct must be added here (and kCatalogSnapshotVersion bumped); catalog_snapshot_test
// compares these counts with the structs' member counts.
template <class V, class A>
void arch_fields(V& v, A& a) {
    v(a.model_type), v(a.vocab_size), v(a.hidden_size), v(a.intermediate_size), v(a.num_hidden_layers);
    v(a.num_attention_heads), v(a.num_key_value_heads), v(a.head_dim), v(a.tie_word_embeddings);
    v(a.max_position_embeddings), v(a.torch_dtype), v(a.native_quant);
    v(a.mlp_gated), v(a.qkv_bias), v(a.o_bias), v(a.mlp_bias), v(a.norm_bias), v(a.norms_per_layer);
    v(a.qk_norm), v(a.fused_qkv), v(a.fused_gate_up), v(a.attn_sinks);
    v(a.num_experts), v(a.num_experts_per_tok), v(a.moe_intermediate_size), v(a.shared_expert_intermediate_size);
    v(a.shared_expert_gate), v(a.expert_bias), v(a.router_bias), v(a.first_k_dense_replace);
    v(a.moe_layer_step), v(a.mlp_only_layers), v(a.dense_intermediate_size);
    v(a.sliding_window), v(a.sliding_window_pattern);
    v(a.attention), v(a.kv_lora_rank), v(a.q_lora_rank), v(a.qk_rope_head_dim), v(a.qk_nope_head_dim), v(a.v_head_dim);
    v(a.chunked_attention), v(a.attn_output_gate);
    v(a.mixers), v(a.recurrent), v(a.ssm_d_inner), v(a.ssm_d_state), v(a.ssm_n_group), v(a.ssm_n_head);
    v(a.ssm_d_conv), v(a.ssm_conv_bias), v(a.ssm_proj_bias), v(a.ssm_norm), v(a.ffn_in_mixer_blocks);
    v(a.vision_params), v(a.stated_params);
}

template <class V, class M>
void model_fields(V& v, M& m) {
    v(m.id), v(m.name), v(m.family), v(m.hf_repo), v(m.aliases), v(m.release_date);
    v(m.published_params), v(m.published_active_params), v(m.params_source), v(m.config_source), v(m.arch);
}

template <class V, class D>
void device_fields(V& v, D& d) {
    v(d.id), v(d.name), v(d.vendor), v(d.kind), v(d.segment), v(d.aliases), v(d.memory_gib), v(d.memory_type);
    v(d.bandwidth_gbs), v(d.fp16_tflops), v(d.fp8_tflops), v(d.tdp_w), v(d.price_usd), v(d.cloud_usd_per_hour);
    v(d.backend), v(d.release_year), v(d.usable_fraction), v(d.gpu_cores), v(d.source);
}

template <class V, class S>
void spec_fields(V& v, S& s) {
    v(s.id), v(s.name), v(s.family), v(s.bytes_per_param), v(s.ftype), v(s.imatrix), v(s.bits), v(s.group_size);
    v(s.double_quant), v(s.desc_act), v(s.bits_per_weight), v(s.head_bits);
}

template <class V, class Q>
void quant_fields(V& v, Q& q) {
    v(q.spec), v(q.aliases), v(q.description), v(q.source);
}

// Doubles: 0..kMaxDecimals decimals as an integer over a power of ten, kRawDouble as raw bytes.
constexpr int kMaxDecimals = 6;
constexpr unsigned kRawDouble = 15;
constexpr double kPow10[kMaxDecimals + 1] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};

// The last value of each enum the snapshot stores: the reader refuses anything past it.
template <class E> constexpr unsigned kEnumLast = 0;
template <> constexpr unsigned kEnumLast<AttentionKind> = static_cast<unsigned>(AttentionKind::mla);
template <> constexpr unsigned kEnumLast<BlockMixer> = static_cast<unsigned>(BlockMixer::ffn);
template <> constexpr unsigned kEnumLast<RecurrentKind> = static_cast<unsigned>(RecurrentKind::gated_delta_net);
template <> constexpr unsigned kEnumLast<DeviceKind> = static_cast<unsigned>(DeviceKind::cpu);
template <> constexpr unsigned kEnumLast<Backend> = static_cast<unsigned>(Backend::cpu);
template <> constexpr unsigned kEnumLast<QuantFamily> = static_cast<unsigned>(QuantFamily::mxfp4);
template <> constexpr unsigned kEnumLast<GgufFtype> = static_cast<unsigned>(GgufFtype::q4_0_qat);

struct Counter {
    int n = 0;
    template <class T>
    void operator()(const T&) { ++n; }
};

// Hands each field of an entry to its own column's writer or reader, in order: the snapshot stores
// its lists column by column (every model's id, then every model's name, ...), after the entry
// count, the column count and each column's length. Nested structs (a model's architecture, a
// format's spec) count as their fields.
// `n`: how many columns there are; a field past them is not read, and the caller sees `at` > n.
template <class V>
struct Columns {
    V* cols;
    size_t n = 0;
    size_t at = 0;
    template <class T>
    void operator()(T& x) {
        using U = std::remove_const_t<T>;
        if constexpr (std::is_same_v<U, ModelArch>) arch_fields(*this, x);
        else if constexpr (std::is_same_v<U, QuantSpec>) spec_fields(*this, x);
        else if constexpr (std::is_same_v<V, Counter>) ++at;
        else if (at++ < n) cols[at - 1](x);
    }
};

// The number of columns of an entry of type T.
template <class T, class Fields>
int column_count(Fields fields) {
    Columns<Counter> c{nullptr};
    const T sample{};
    fields(c, sample);
    return static_cast<int>(c.at);
}

class Writer {
public:
    std::string out;

    void operator()(const std::string& s) { varint(s.size()), out += s; }
    void operator()(std::int64_t v) { varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63)); }
    void operator()(int v) { (*this)(static_cast<std::int64_t>(v)); }
    void operator()(bool b) { out.push_back(b ? 1 : 0); }
    // Catalog numbers are short decimals (936.2 GB/s, 82.58 TFLOPS): written as an integer and a
    // power of ten when that reads back to the same double, else as the double's eight bytes.
    void operator()(double d) {
        for (int k = 0; k <= kMaxDecimals; ++k) {
            const double scaled = d * kPow10[k];
            if (!(std::fabs(scaled) < 1e15)) break;
            const auto n = static_cast<std::int64_t>(std::llround(scaled));
            if (static_cast<double>(n) / kPow10[k] == d) {
                varint(static_cast<unsigned>(k)), (*this)(n);
                return;
            }
        }
        varint(kRawDouble);
        std::uint64_t bits = 0;
        std::memcpy(&bits, &d, sizeof bits);
        for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(bits >> (8 * i)));
    }
    template <class E>
        requires std::is_enum_v<E>
    void operator()(E e) { varint(static_cast<unsigned>(e)); }
    template <class T>
    void operator()(const std::vector<T>& list) {
        varint(list.size());
        for (const T& x : list) (*this)(x);
    }
    template <class T, class Fields>
    void columns(const std::vector<T>& list, Fields fields) {
        std::vector<Writer> cols(static_cast<size_t>(column_count<T>(fields)));
        for (const T& entry : list) {
            Columns<Writer> c{cols.data(), cols.size()};
            fields(c, entry);
        }
        varint(list.size());
        varint(cols.size());
        for (const Writer& col : cols) varint(col.out.size());
        for (const Writer& col : cols) out += col.out;
    }

    void varint(std::uint64_t v) {
        for (; v >= 0x80; v >>= 7) out.push_back(static_cast<char>(v | 0x80));
        out.push_back(static_cast<char>(v));
    }
};

// Every read checks the bytes left first; the first failure sticks and later reads do nothing.
class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}
    bool ok() const { return ok_; }
    bool at_end() const { return pos_ == in_.size(); }

    void operator()(std::string& s) {
        const std::uint64_t n = varint();
        if (take(n)) s.assign(in_.substr(pos_ - n, n));
    }
    void operator()(std::int64_t& v) {
        const std::uint64_t u = varint();
        v = static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
    }
    void operator()(int& v) {
        std::int64_t w = 0;
        (*this)(w);
        if (w < INT_MIN || w > INT_MAX) ok_ = false;
        else v = static_cast<int>(w);
    }
    void operator()(bool& b) {
        if (!take(1)) return;
        const auto x = static_cast<unsigned char>(in_[pos_ - 1]);
        if (x > 1) ok_ = false;
        b = x == 1;
    }
    void operator()(double& d) {
        const std::uint64_t k = varint();
        if (k <= static_cast<std::uint64_t>(kMaxDecimals)) {
            std::int64_t n = 0;
            (*this)(n);
            d = static_cast<double>(n) / kPow10[k];  // exact integers over 10^k: the nearest double
            return;
        }
        if (k != kRawDouble || !take(8)) {
            ok_ = false;
            return;
        }
        std::uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits |= static_cast<std::uint64_t>(static_cast<unsigned char>(in_[pos_ - 8 + i])) << (8 * i);
        std::memcpy(&d, &bits, sizeof d);
        if (!std::isfinite(d)) ok_ = false;
    }
    template <class E>
        requires std::is_enum_v<E>
    void operator()(E& e) {
        const std::uint64_t x = varint();
        if (x > kEnumLast<E>) ok_ = false;
        else e = static_cast<E>(x);
    }
    template <class T>
    void operator()(std::vector<T>& list) {
        const std::uint64_t n = varint();
        if (n > in_.size() - pos_) ok_ = false;  // every element takes a byte at least
        list.clear();
        for (std::uint64_t i = 0; ok_ && i < n; ++i) (*this)(list.emplace_back());
    }
    template <class T, class Fields>
    void columns(std::vector<T>& list, Fields fields) {
        list.clear();
        const std::uint64_t n = varint();
        // The column count is stored, so reading needs no sample entry to count fields on; an entry
        // that visits another number of fields than stored is a snapshot of another layout.
        const std::uint64_t count = varint();
        if (count > in_.size() - pos_) ok_ = false;  // every column's size takes a byte at least
        std::vector<std::uint64_t> sizes;
        for (std::uint64_t i = 0; ok_ && i < count; ++i) {
            sizes.push_back(varint());
            if (sizes.back() < n) ok_ = false;  // every field of every entry takes a byte at least
        }
        std::vector<Reader> cols;
        cols.reserve(sizes.size());
        for (const std::uint64_t size : sizes) {
            if (!take(size)) return;
            cols.emplace_back(in_.substr(pos_ - static_cast<size_t>(size), static_cast<size_t>(size)));
        }
        if (!ok_) return;
        list.resize(static_cast<size_t>(n));
        for (T& entry : list) {
            Columns<Reader> c{cols.data(), cols.size()};
            fields(c, entry);
            if (c.at != cols.size()) ok_ = false;
        }
        for (const Reader& col : cols) {
            if (!col.ok() || !col.at_end()) ok_ = false;
        }
    }

    std::uint64_t varint() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!take(1)) return 0;
            const auto b = static_cast<unsigned char>(in_[pos_ - 1]);
            v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
        ok_ = false;
        return 0;
    }

private:
    // Consumes n bytes when there are that many.
    bool take(std::uint64_t n) {
        if (!ok_ || n > in_.size() - pos_) return ok_ = false;
        pos_ += static_cast<size_t>(n);
        return true;
    }

    std::string_view in_;
    size_t pos_ = 0;
    bool ok_ = true;
};

template <class Fields, class T>
int count_fields(Fields fields, const T& sample) {
    Counter c;
    fields(c, sample);
    return c.n;
}

constexpr auto kModel = [](auto& v, auto& m) { model_fields(v, m); };
constexpr auto kDevice = [](auto& v, auto& d) { device_fields(v, d); };
constexpr auto kQuant = [](auto& v, auto& q) { quant_fields(v, q); };

Error invalid(const std::string& what) { return make_error("invalid_snapshot", "catalog snapshot: " + what); }

}  // namespace

std::string write_catalog_snapshot(const Catalog& c) {
    Writer w;
    w.out = kMagic;
    w.varint(kCatalogSnapshotVersion);
    w(c.models_date), w(c.devices_date), w(c.quants_date);
    w.columns(c.models, kModel), w.columns(c.devices, kDevice), w.columns(c.quants, kQuant);
    return std::move(w.out);
}

Expected<Catalog> read_catalog_snapshot(std::string_view bytes) {
    if (bytes.substr(0, kMagic.size()) != kMagic) return invalid("not a snapshot (no WIFCAT header)");
    Reader r(bytes.substr(kMagic.size()));
    if (r.varint() != kCatalogSnapshotVersion) return invalid("written for another layout (version)");
    Catalog c;
    r(c.models_date), r(c.devices_date), r(c.quants_date);
    r.columns(c.models, kModel), r.columns(c.devices, kDevice), r.columns(c.quants, kQuant);
    if (!r.ok()) return invalid("truncated or malformed");
    if (!r.at_end()) return invalid("bytes after the last entry");
    // The numbers were checked when the JSON was read; these keep a damaged snapshot from ever
    // reaching the arithmetic (a zero-layer model, a device without memory).
    for (const ModelEntry& m : c.models) {
        if (auto ok = validate_arch(m.arch); !ok) return invalid(m.id + ": " + ok.error().message);
    }
    for (const Device& d : c.devices) {
        if (!(d.memory_gib > 0 && d.memory_gib <= 65536 && d.bandwidth_gbs > 0)) return invalid(d.id + ": memory or bandwidth out of range");
    }
    if (auto ok = c.build_index(); !ok) return ok.error();
    return c;
}

SnapshotFieldCounts catalog_snapshot_field_counts() {
    const auto arch = [](auto& v, auto& a) { arch_fields(v, a); };
    const auto spec = [](auto& v, auto& s) { spec_fields(v, s); };
    return {count_fields(kModel, ModelEntry{}), count_fields(arch, ModelArch{}), count_fields(kDevice, Device{}),
            count_fields(kQuant, QuantEntry{}), count_fields(spec, QuantSpec{})};
}

}  // namespace wif
