// The page's LZMA decoder (src/wasm/unlzma.cpp, built natively here): any bytes give an error code
// or exactly the declared number of bytes, every step makes progress (no hang), nothing is read or
// written outside the buffers (ASan); whatever liblzma decodes whole, it decodes too (or finds
// the input short by the byte it reads ahead), and the same bytes.
#include <lzma.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "unlzma.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 1024 * 1024) return 0;
    const auto n = static_cast<std::uint32_t>(size);
    const std::int64_t declared = unlzma_size(data, n);
    // Outputs up to 1 MiB here; a larger declared size must still be refused by a small buffer.
    const std::uint32_t capacity = declared >= 0 && declared <= (1 << 20) ? static_cast<std::uint32_t>(declared) : 4096;
    std::vector<std::uint8_t> out(capacity);
    std::int32_t pos = unlzma_start(data, n, out.data(), capacity);
    if (declared < 0 && pos >= 0) std::abort();  // no size, no decoding
    // Steps of 1 to 256 bytes, from the input itself, as the page steps in 16 KB.
    const std::uint32_t step = size > 0 ? 1u + data[size - 1] : 1u;
    while (pos >= 0 && static_cast<std::uint32_t>(pos) < capacity) {
        const std::int32_t next = unlzma_run(static_cast<std::uint32_t>(pos) + step);
        if (next >= 0 && next <= pos) std::abort();  // no progress
        pos = next;
    }
    if (pos >= 0 && (static_cast<std::uint32_t>(pos) != capacity || static_cast<std::int64_t>(pos) != declared)) std::abort();
    if (declared < 0 || declared > (1 << 20)) return 0;

    // liblzma's .lzma decoder on the same bytes.
    lzma_stream strm = LZMA_STREAM_INIT;
    if (lzma_alone_decoder(&strm, 64 << 20) != LZMA_OK) return 0;  // its dictionary comes from the header
    std::vector<std::uint8_t> theirs(capacity + 1);
    strm.next_in = data;
    strm.avail_in = size;
    strm.next_out = theirs.data();
    strm.avail_out = theirs.size();
    const lzma_ret ret = lzma_code(&strm, LZMA_FINISH);
    const std::uint64_t got = strm.total_out;
    lzma_end(&strm);
    if (ret != LZMA_STREAM_END || got != capacity) return 0;
    // It decoded the declared size. Ours must too, unless the properties are past what it takes
    // (lc + lp > 4) or the stream ends where liblzma stops but ours reads one byte ahead.
    if (pos < 0 && pos != kBadProperties && pos != kTruncated) std::abort();
    if (pos >= 0 && capacity > 0 && std::memcmp(theirs.data(), out.data(), capacity) != 0) std::abort();
    return 0;
}
