#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "core/files/gguf_corpus.hpp"
#include "core/files/gguf_writer.hpp"
#include "files/gguf.hpp"

using namespace wif;
using namespace wif::test;

namespace {

Expected<GgufHeader> read_all(const std::string& file) { return read_gguf_header(file, file.size()); }

// The error a hostile header gives, read with its true size and with the size unknown.
std::string error_of(const std::string& file, std::uint64_t file_size) {
    const Expected<GgufHeader> h = read_gguf_header(file, file_size);
    REQUIRE_FALSE(h.ok());
    return h.error().code + ": " + h.error().message;
}

std::string minimal_prefix(std::uint32_t version, std::uint64_t tensors, std::uint64_t kvs) {
    return Bytes().raw("GGUF").u32(version).u64(tensors).u64(kvs).s;
}

}  // namespace

TEST_CASE("the reader's ggml type table matches the block structs of ggml-common.h", "[gguf]") {
    for (const GgmlTypeInfo& t : ggml_type_table()) {
        std::uint64_t block = 0, bytes = 0;
        INFO(t.name);
        REQUIRE(ggml_block_layout(t.id, block, bytes));
        CHECK(static_cast<std::uint64_t>(t.block) == block);
        CHECK(static_cast<std::uint64_t>(t.bytes) == bytes);
    }
    CHECK(ggml_type_table().size() == 35);
    CHECK(ggml_type_info(12)->name == std::string("q4_K"));
    CHECK(ggml_type_info(4) == nullptr);   // Q4_2, removed
    CHECK(ggml_type_info(31) == nullptr);  // Q4_0_4_4, removed from GGUF files
    CHECK(ggml_type_info(99) == nullptr);
}

TEST_CASE("weights read from a GGUF header equal the sum of its tensor sizes exactly", "[gguf]") {
    for (const GgufSample& s : gguf_corpus()) {
        INFO(s.name);
        const Expected<GgufHeader> h = read_all(s.bytes);
        REQUIRE(h.ok());
        CHECK(static_cast<std::uint64_t>(h->tensor_bytes) == s.tensor_bytes);
        std::int64_t sum = 0;
        for (const GgufTensorInfo& t : h->tensors) {
            std::vector<std::uint64_t> dims(t.dims.begin(), t.dims.begin() + t.n_dims);
            CHECK(static_cast<std::uint64_t>(t.bytes) == ggml_tensor_bytes(t.type_id, dims));
            sum += t.bytes;
        }
        CHECK(sum == h->tensor_bytes);
        CHECK(h->data_offset % h->alignment == 0);
        CHECK(h->data_offset >= h->header_bytes);
    }
}

TEST_CASE("a GGUF header gives its version, counts, metadata of every type and tensor infos", "[gguf]") {
    const GgufSample s = sample_llama();
    const Expected<GgufHeader> h = read_all(s.bytes);
    REQUIRE(h.ok());
    CHECK(h->version == 3);
    CHECK(h->tensor_count == 21);
    CHECK(h->tensors.size() == 21);
    CHECK(h->alignment == 32);
    CHECK(h->find("general.architecture")->s == "llama");
    CHECK(h->find("llama.block_count")->i == 2);
    CHECK(h->find("test.u8")->i == 200);
    CHECK(h->find("test.i8")->i == -123);
    CHECK(h->find("test.u16")->i == 65000);
    CHECK(h->find("test.i16")->i == -30000);
    CHECK(h->find("test.u32")->u == 4000000000u);
    CHECK(h->find("test.i32")->i == -2000000000);
    CHECK(h->find("test.f32")->f == 0.5);
    CHECK(h->find("test.bool")->i == 1);
    CHECK(h->find("test.string")->s == "hello \xE2\x9C\x93");
    CHECK(h->find("test.u64")->u == (1ull << 40));
    CHECK(h->find("test.i64")->i == -(1ll << 40));
    CHECK(h->find("test.f64")->f == 0.25);
    const GgufValue* nested = h->find("test.nested");
    REQUIRE(nested->items.size() == 2);
    CHECK(nested->items[0].items[1].i == 2);
    CHECK(nested->items[1].items[0].i == 3);
    const GgufValue* tokens = h->find("tokenizer.ggml.tokens");
    CHECK(tokens->count == 1000);
    CHECK(tokens->elem == GgufType::string);
    const GgufTensorInfo& embd = h->tensors[0];
    CHECK(embd.name == "token_embd.weight");
    CHECK(embd.type_name == std::string("q4_K"));
    CHECK(embd.n_dims == 2);
    CHECK(embd.dims[0] == 256);
    CHECK(embd.dims[1] == 1000);
    CHECK(embd.elements == 256000);
    CHECK(embd.bytes == 1000 * 144);
    CHECK(embd.offset == 0);
    CHECK(h->tensors[1].offset == 144000);
}

TEST_CASE("version 2 files read like version 3, version 1 and big-endian files are refused clearly", "[gguf]") {
    const Expected<GgufHeader> v2 = read_all(sample_llama(2).bytes);
    REQUIRE(v2.ok());
    CHECK(v2->version == 2);
    CHECK(error_of(minimal_prefix(1, 0, 0), 0).find("version 1") != std::string::npos);
    const std::string be = Bytes().raw("GGUF").u32(0x03000000u).u64(0).u64(0).s;
    CHECK(error_of(be, be.size()).find("big-endian") != std::string::npos);
    CHECK(error_of(Bytes().raw("GGML").u32(3).u64(0).u64(0).s, 0).rfind("not_gguf", 0) == 0);
}

TEST_CASE("a reader holding only the head of a file says how many bytes it needs and converges", "[gguf]") {
    const GgufSample s = sample_llama();
    const Expected<GgufHeader> full = read_all(s.bytes);
    REQUIRE(full.ok());
    std::uint64_t have = 16, rounds = 0;
    while (true) {
        std::uint64_t need = 0;
        const Expected<GgufHeader> h = read_gguf_header(std::string_view(s.bytes).substr(0, have), s.bytes.size(), &need);
        ++rounds;
        if (h.ok()) {
            CHECK(h->tensors.size() == full->tensors.size());
            CHECK(h->tensor_bytes == full->tensor_bytes);
            break;
        }
        REQUIRE(h.error().code == "need_more");
        CHECK(h.error().message.rfind("need more bytes: " + std::to_string(need), 0) == 0);
        REQUIRE(need > have);
        REQUIRE(need <= full->header_bytes);
        have = std::max(need, 2 * have);  // grow geometrically, as the page does
        REQUIRE(rounds < 64);
    }
    CHECK(rounds < 16);
    // A header that ends exactly where the given bytes end reads without its data.
    CHECK(read_gguf_header(std::string_view(s.bytes).substr(0, full->header_bytes), s.bytes.size()).ok());
}

TEST_CASE("a GGUF file truncated at any byte offset is a clear error, never a crash", "[gguf][hostile]") {
    for (const GgufSample& s : {sample_mmproj(), sample_all_types(), sample_split()[1]}) {
        const Expected<GgufHeader> full = read_all(s.bytes);
        REQUIRE(full.ok());
        std::uint64_t data_end = full->data_offset;
        for (const GgufTensorInfo& t : full->tensors) data_end = std::max(data_end, full->data_offset + t.offset + t.bytes);
        // Every byte of the header; in the (zeroed) data section, every 61st byte and the last 64.
        for (size_t k = 1; k < s.bytes.size(); k += (k < full->header_bytes + 64 || k + 64 >= s.bytes.size()) ? 1 : 61) {
            const std::string_view cut = std::string_view(s.bytes).substr(0, k);
            const Expected<GgufHeader> h = read_gguf_header(cut, cut.size());
            INFO(s.name << " cut at " << k);
            if (k >= data_end) {  // only the last tensor's padding is missing
                CHECK(h.ok());
                continue;
            }
            REQUIRE_FALSE(h.ok());
            CHECK((h.error().code == "truncated" || h.error().code == "offset_past_end"));
            CHECK_FALSE(h.error().message.empty());
            // The same bytes as the head of the full file: more is needed, or the header is complete.
            std::uint64_t need = 0;
            const Expected<GgufHeader> head = read_gguf_header(cut, s.bytes.size(), &need);
            if (k < full->header_bytes) {
                REQUIRE_FALSE(head.ok());
                CHECK(head.error().code == "need_more");
                CHECK(need > k);
            } else {
                CHECK(head.ok());
            }
        }
    }
}

TEST_CASE("absurd counts and lengths in a GGUF header are refused before anything is allocated", "[gguf][hostile]") {
    const std::uint64_t huge = 1ull << 63;
    CHECK(error_of(minimal_prefix(3, huge, 0), 0).find("tensor_count") != std::string::npos);
    CHECK(error_of(minimal_prefix(3, 0, huge), 0).find("kv_count") != std::string::npos);
    CHECK(error_of(minimal_prefix(3, 0, UINT64_MAX), 1 << 20).find("kv_count") != std::string::npos);
    // A key whose length claims 2^63 bytes, and a string value of 2^64 - 1 bytes.
    const std::string long_key = minimal_prefix(3, 0, 1) + Bytes().u64(huge).s;
    CHECK(error_of(long_key, 0).find("string length") != std::string::npos);
    CHECK(error_of(long_key, 4096).find("string length") != std::string::npos);
    const std::string long_value = minimal_prefix(3, 0, 1) + Bytes().str("k").u32(kString).u64(UINT64_MAX).s;
    CHECK(error_of(long_value, 0).find("\"k\"") != std::string::npos);
    // An array claiming 2^63 elements of u64, and of strings.
    const std::string big_array = minimal_prefix(3, 0, 1) + Bytes().str("a").u32(kArray).u32(kU64).u64(huge).s;
    CHECK(error_of(big_array, 0).find("array") != std::string::npos);
    const std::string big_strings = minimal_prefix(3, 0, 1) + Bytes().str("a").u32(kArray).u32(kString).u64(huge / 4).s;
    CHECK(error_of(big_strings, 1 << 20).find("array") != std::string::npos);
    // Unknown value type, unknown element type, a bool that is neither 0 nor 1.
    CHECK(error_of(minimal_prefix(3, 0, 1) + Bytes().str("k").u32(13).u8(0).s, 0).find("value type 13") != std::string::npos);
    CHECK(error_of(minimal_prefix(3, 0, 1) + Bytes().str("k").u32(kArray).u32(77).u64(0).s, 0).find("element type 77") != std::string::npos);
    CHECK(error_of(minimal_prefix(3, 0, 1) + Bytes().str("k").u32(kBool).u8(2).s, 0).find("boolean") != std::string::npos);
}

TEST_CASE("deeply nested metadata arrays are refused at a bounded depth", "[gguf][hostile]") {
    Bytes b;
    b.raw(minimal_prefix(3, 0, 1)).str("deep").u32(kArray);
    for (int i = 0; i < 10000; ++i) b.u32(kArray).u64(1);
    b.u32(kU8).u64(0);
    CHECK(error_of(b.s, b.s.size()).rfind("too_deep", 0) == 0);
    // Eight levels are fine.
    Bytes ok;
    ok.raw(minimal_prefix(3, 0, 1)).str("deep").u32(kArray);
    for (int i = 0; i < 7; ++i) ok.u32(kArray).u64(1);
    ok.u32(kU8).u64(1).u8(7);
    const Expected<GgufHeader> h = read_gguf_header(ok.s, ok.s.size());
    REQUIRE(h.ok());
    const GgufValue* v = h->find("deep");
    for (int i = 0; i < 7; ++i) v = &v->items.at(0);
    CHECK(v->items.at(0).i == 7);
}

TEST_CASE("hostile tensor infos are each a clear error", "[gguf][hostile]") {
    auto with_tensor = [](auto add) {
        GgufWriter w;
        w.string("general.architecture", "llama");
        add(w);
        return w;
    };
    SECTION("a shape whose product overflows 64 bits") {
        const GgufWriter w = with_tensor([](GgufWriter& x) { x.tensor_at("t", 0, {1ull << 40, 1ull << 40}, 0); });
        CHECK(error_of(w.header(), 0).find("overflows") != std::string::npos);
    }
    SECTION("a dimension above 2^63 - 1") {
        const GgufWriter w = with_tensor([](GgufWriter& x) { x.tensor_at("t", 0, {1ull << 63}, 0); });
        CHECK(error_of(w.header(), 0).find("2^63") != std::string::npos);
    }
    SECTION("five dimensions") {
        const GgufWriter w = with_tensor([](GgufWriter& x) { x.tensor_at("t", 0, {1, 1, 1, 1, 1}, 0); });
        CHECK(error_of(w.header(), 0).find("5 dimensions") != std::string::npos);
    }
    SECTION("an unknown ggml type, named in the message") {
        const GgufWriter w = with_tensor([](GgufWriter& x) { x.tensor_at("t", 99, {32}, 0); });
        const std::string e = error_of(w.header(), 0);
        CHECK(e.rfind("unknown_ggml_type", 0) == 0);
        CHECK(e.find("99") != std::string::npos);
    }
    SECTION("a row length that is not a multiple of the block") {
        const GgufWriter w = with_tensor([](GgufWriter& x) { x.tensor_at("t", 12, {100, 4}, 0); });
        CHECK(error_of(w.header(), 0).find("block size 256") != std::string::npos);
    }
    SECTION("duplicate tensor names") {
        const GgufWriter w = with_tensor([](GgufWriter& x) {
            x.tensor("same", 0, {8});
            x.tensor("same", 0, {8});
        });
        CHECK(error_of(w.file(), w.file().size()).find("duplicate tensor name") != std::string::npos);
    }
    SECTION("duplicate metadata keys") {
        GgufWriter w;
        w.u32("k", 1).u32("k", 2);
        CHECK(error_of(w.file(), 0).find("duplicate metadata key") != std::string::npos);
    }
    SECTION("tensor data past the end of the file") {
        const GgufWriter w = with_tensor([](GgufWriter& x) { x.tensor_at("t", 0, {1024}, 1ull << 40); });
        const std::string file = w.file() + std::string(4096, '\0');
        CHECK(error_of(file, file.size()).rfind("offset_past_end", 0) == 0);
        CHECK(read_gguf_header(file, 0).ok());  // size unknown: the header alone is fine
        const GgufWriter far = with_tensor([](GgufWriter& x) { x.tensor_at("t", 0, {32}, UINT64_MAX - 31); });
        CHECK(error_of(far.header(), 0).rfind("offset_past_end", 0) == 0);
    }
    SECTION("overlapping tensors and misaligned offsets") {
        const GgufWriter overlap = with_tensor([](GgufWriter& x) {
            x.tensor_at("a", 0, {64}, 0);
            x.tensor_at("b", 0, {64}, 128);
        });
        CHECK(error_of(overlap.header(), 0).find("overlap") != std::string::npos);
        const GgufWriter odd = with_tensor([](GgufWriter& x) { x.tensor_at("a", 0, {64}, 8); });
        CHECK(error_of(odd.header(), 0).find("alignment") != std::string::npos);
    }
    SECTION("a bad general.alignment") {
        GgufWriter w;
        w.u32("general.alignment", 24);
        CHECK(error_of(w.header(), 0).find("power of two") != std::string::npos);
        GgufWriter wrong_type;
        wrong_type.u64("general.alignment", 32);
        CHECK(error_of(wrong_type.header(), 0).find("uint32") != std::string::npos);
    }
}

TEST_CASE("split GGUF files merge into one model in any order", "[gguf][split]") {
    std::vector<GgufSample> parts = sample_split();
    std::vector<GgufHeader> headers;
    std::uint64_t bytes = 0, size = 0;
    for (int i : {2, 0, 1}) {
        Expected<GgufHeader> h = read_all(parts[static_cast<size_t>(i)].bytes);
        REQUIRE(h.ok());
        CHECK(h->split_no == i);
        CHECK(h->split_count == 3);
        bytes += parts[static_cast<size_t>(i)].tensor_bytes;
        size += parts[static_cast<size_t>(i)].bytes.size();
        headers.push_back(std::move(h.value()));
    }
    const Expected<GgufHeader> merged = merge_gguf_splits(headers);
    REQUIRE(merged.ok());
    CHECK(merged->tensors.size() == 6);
    CHECK(static_cast<std::uint64_t>(merged->tensor_bytes) == bytes);
    CHECK(merged->file_size == size);
    CHECK(merged->find("general.architecture")->s == "qwen2");
    CHECK(merged->tensors.back().split == 2);

    std::vector<GgufHeader> missing = {headers[0], headers[1]};
    const Expected<GgufHeader> m = merge_gguf_splits(missing);
    REQUIRE_FALSE(m.ok());
    CHECK(m.error().code == "missing_split");
    CHECK(m.error().message.find("missing part(s) 2") != std::string::npos);
    std::vector<GgufHeader> twice = {headers[0], headers[1], headers[1]};
    CHECK(merge_gguf_splits(twice).error().message.find("twice") != std::string::npos);

    CHECK(gguf_split_name("Qwen3-235B-A22B-Q4_K_M-00002-of-00005.gguf").no == 2);
    CHECK(gguf_split_name("Qwen3-235B-A22B-Q4_K_M-00002-of-00005.gguf").count == 5);
    CHECK(gguf_split_name("model.gguf").count == 0);
    CHECK(gguf_split_name("x-00006-of-00005.gguf").count == 0);
}

TEST_CASE("randomly corrupted GGUF headers never crash the reader", "[gguf][hostile]") {
    const GgufSample s = sample_deepseek2();
    const Expected<GgufHeader> full = read_all(s.bytes);
    REQUIRE(full.ok());
    std::uint64_t state = 0x9E3779B97F4A7C15ull;  // xorshift: the same corruptions every run
    auto next = [&]() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    int errors = 0;
    for (int round = 0; round < 1000; ++round) {
        std::string bytes = s.bytes;
        const int flips = 1 + static_cast<int>(next() % 4);
        for (int f = 0; f < flips; ++f) {
            const size_t at = static_cast<size_t>(next() % full->header_bytes);
            bytes[at] = static_cast<char>(next() & 0xFF);
        }
        for (const std::uint64_t size : {static_cast<std::uint64_t>(bytes.size()), std::uint64_t{0}}) {
            const Expected<GgufHeader> h = read_gguf_header(bytes, size);
            if (!h) {
                ++errors;
                CHECK_FALSE(h.error().code.empty());
                CHECK_FALSE(h.error().message.empty());
            } else {
                CHECK(h->tensors.size() <= full->tensors.size() + 1);
            }
        }
    }
    CHECK(errors > 0);
}
