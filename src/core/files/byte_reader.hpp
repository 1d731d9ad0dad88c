// A bounded little-endian reader over bytes held in memory (a file's first bytes, or all of it).
//
// Every read is checked against the bytes available; nothing is allocated from a claimed length
// before the length is checked against what is left. A read past the end does not fail silently:
// it records how many bytes, counted from the start, the read would have needed (`needed()`), so a
// caller holding only the head of a large file can slice more of it and retry.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace wif {

class ByteReader {
public:
    explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

    std::uint64_t pos() const { return pos_; }
    std::uint64_t size() const { return bytes_.size(); }
    std::uint64_t remaining() const { return bytes_.size() - pos_; }
    // After a failed read: the prefix length that read would have needed (0 before any failure).
    std::uint64_t needed() const { return needed_; }
    bool short_read() const { return needed_ != 0; }

    // Reads exactly `n` bytes, or records the shortfall and returns false (pos unchanged).
    bool take(std::uint64_t n, std::string_view& out) {
        if (n > remaining()) {
            fail(n);
            return false;
        }
        out = bytes_.substr(static_cast<size_t>(pos_), static_cast<size_t>(n));
        pos_ += n;
        return true;
    }
    bool skip(std::uint64_t n) {
        std::string_view ignored;
        return take(n, ignored);
    }

    bool u8(std::uint8_t& v) { return little(v); }
    bool u16(std::uint16_t& v) { return little(v); }
    bool u32(std::uint32_t& v) { return little(v); }
    bool u64(std::uint64_t& v) { return little(v); }
    bool i8(std::int8_t& v) { return as_signed<std::uint8_t>(v); }
    bool i16(std::int16_t& v) { return as_signed<std::uint16_t>(v); }
    bool i32(std::int32_t& v) { return as_signed<std::uint32_t>(v); }
    bool i64(std::int64_t& v) { return as_signed<std::uint64_t>(v); }
    bool f32(float& v) {
        std::uint32_t bits = 0;
        if (!u32(bits)) return false;
        std::memcpy(&v, &bits, sizeof v);
        return true;
    }
    bool f64(double& v) {
        std::uint64_t bits = 0;
        if (!u64(bits)) return false;
        std::memcpy(&v, &bits, sizeof v);
        return true;
    }

private:
    void fail(std::uint64_t n) {
        // pos + n, saturating: a claimed length of 2^64 - 1 must not wrap to a small number.
        needed_ = n > UINT64_MAX - pos_ ? UINT64_MAX : pos_ + n;
    }
    template <class U>
    bool little(U& v) {
        std::string_view raw;
        if (!take(sizeof(U), raw)) return false;
        U out = 0;
        for (size_t i = 0; i < sizeof(U); ++i) out = static_cast<U>(out | static_cast<U>(static_cast<U>(static_cast<unsigned char>(raw[i])) << (8 * i)));
        v = out;
        return true;
    }
    template <class U, class S>
    bool as_signed(S& v) {
        U u = 0;
        if (!little(u)) return false;
        std::memcpy(&v, &u, sizeof v);
        return true;
    }

    std::string_view bytes_;
    std::uint64_t pos_ = 0;
    std::uint64_t needed_ = 0;
};

}  // namespace wif
