// Test-only tool for tests/files/gguf.test.mjs:
//   gguf_dump --write-corpus DIR   writes the GGUF files the C++ tests generate into DIR
//   gguf_dump FILE                 prints what read_gguf_header makes of FILE, as JSON
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "base/json_writer.hpp"
#include "core/files/gguf_corpus.hpp"
#include "files/gguf.hpp"

using namespace wif;

namespace {

void write_value(JsonWriter& out, const GgufValue& v) {
    out.begin_object();
    out.field("type", static_cast<std::int64_t>(v.type));
    switch (v.type) {
        case GgufType::string: out.field("value", v.s); break;
        case GgufType::boolean: out.field("value", v.i != 0); break;
        case GgufType::f32: case GgufType::f64: out.field("value", v.f); break;
        case GgufType::u64: out.field("value", std::to_string(v.u)); break;  // 64-bit: as text (BigInt in JS)
        case GgufType::i64: out.field("value", std::to_string(v.i)); break;
        case GgufType::array:
            out.field("elem", static_cast<std::int64_t>(v.elem));
            out.field("count", static_cast<std::int64_t>(v.count));
            if (!v.truncated) {
                out.key("items").begin_array();
                for (const GgufValue& item : v.items) write_value(out, item);
                out.end_array();
            }
            break;
        default: out.field("value", v.i); break;
    }
    out.end_object();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::string(argv[1]) == "--write-corpus") {
        for (const wif::test::GgufSample& s : wif::test::gguf_corpus()) {
            std::ofstream f(std::string(argv[2]) + "/" + s.name, std::ios::binary);
            f.write(s.bytes.data(), static_cast<std::streamsize>(s.bytes.size()));
            if (!f) return 1;
            std::printf("%s\n", s.name.c_str());
        }
        return 0;
    }
    if (argc != 2) {
        std::fprintf(stderr, "usage: gguf_dump FILE | --write-corpus DIR\n");
        return 2;
    }
    std::ifstream f(argv[1], std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const Expected<GgufHeader> h = read_gguf_header(bytes, bytes.size());
    JsonWriter out;
    out.begin_object();
    if (!h) {
        out.field("ok", false).field("code", h.error().code).field("message", h.error().message).end_object();
        std::printf("%s\n", out.str().c_str());
        return 1;
    }
    out.field("ok", true);
    out.field("version", static_cast<std::int64_t>(h->version));
    out.field("tensor_count", static_cast<std::int64_t>(h->tensor_count));
    out.field("kv_count", static_cast<std::int64_t>(h->kv_count));
    out.field("alignment", static_cast<std::int64_t>(h->alignment));
    out.field("data_offset", static_cast<std::int64_t>(h->data_offset));
    out.field("tensor_bytes", h->tensor_bytes);
    out.key("metadata").begin_object();
    for (const GgufKV& kv : h->metadata) {
        out.key(kv.key);
        write_value(out, kv.value);
    }
    out.end_object();
    out.key("tensors").begin_array();
    for (const GgufTensorInfo& t : h->tensors) {
        out.begin_object();
        out.field("name", t.name);
        out.field("n_dims", static_cast<std::int64_t>(t.n_dims));
        out.key("shape").begin_array();
        for (std::uint32_t d = 0; d < t.n_dims; ++d) out.value(t.dims[d]);
        out.end_array();
        out.field("dtype", static_cast<std::int64_t>(t.type_id));
        out.field("type_name", t.type_name);
        out.field("offset", std::to_string(t.offset));
        out.field("bytes", t.bytes);
        out.end_object();
    }
    out.end_array();
    out.end_object();
    std::printf("%s\n", out.str().c_str());
    return 0;
}
