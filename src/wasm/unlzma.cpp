// A decoder of the .lzma format ("LZMA alone", what `xz --format=lzma` writes), built on its own
// as a tiny WebAssembly module (no libc, no Emscripten runtime) that the page's first script runs.
//
// Why: the page downloads its core LZMA-compressed. On that module LZMA is 18% smaller than
// gzip -9 (3% smaller than Brotli 11); browsers' DecompressionStream offers only gzip and deflate.
// In WebAssembly the core decodes in a few milliseconds (a JavaScript decoder took 35-45 ms on a
// first, cold run here).
//
// Written from the format's description (Igor Pavlov's LZMA SDK, lzma-specification.txt): a range
// coder with 11-bit probabilities, literals coded with the byte at the last distance as context
// after a match, twelve states, lengths and distances in bit trees. Damaged input gives an error
// code, never a read or write outside the buffers; every loop ends within the output's size.
#include "unlzma.hpp"

namespace {

// lc + lp <= 4, as LZMA2 requires too: the literal tables then have at most 16 x 0x300 entries.
constexpr uint32_t kIsMatch = 0, kIsRep = 192, kIsRepG0 = 204, kIsRepG1 = 216, kIsRepG2 = 228, kIsRep0Long = 240,
                   kPosSlot = 432, kSpecPos = 688, kAlign = 803, kLen = 819, kRepLen = 1333, kLiteral = 1847;
uint16_t probs[kLiteral + (0x300u << 4)];

struct Decoder {
    const uint8_t* in;
    uint32_t n, at;
    uint32_t range, code;
    bool past_end;

    __attribute__((always_inline)) uint8_t next() {
        if (at < n) return in[at++];
        past_end = true;
        return 0;
    }
    __attribute__((always_inline)) void normalize() {
        if (range < (1u << 24)) {
            range <<= 8;
            code = (code << 8) | next();
        }
    }
    __attribute__((always_inline)) uint32_t bit(uint32_t i) {
        const uint32_t p = probs[i];
        const uint32_t bound = (range >> 11) * p;
        uint32_t b;
        if (code < bound) {
            range = bound;
            probs[i] = static_cast<uint16_t>(p + ((2048 - p) >> 5));
            b = 0;
        } else {
            range -= bound;
            code -= bound;
            probs[i] = static_cast<uint16_t>(p - (p >> 5));
            b = 1;
        }
        normalize();
        return b;
    }
    // Most significant bit first.
    __attribute__((always_inline)) uint32_t tree(uint32_t base, uint32_t bits) {
        uint32_t m = 1;
        for (uint32_t i = 0; i < bits; ++i) m = (m << 1) | bit(base + m);
        return m - (1u << bits);
    }
    // Least significant bit first.
    __attribute__((always_inline)) uint32_t reverse(uint32_t base, uint32_t bits) {
        uint32_t m = 1, s = 0;
        for (uint32_t i = 0; i < bits; ++i) {
            const uint32_t b = bit(base + m);
            m = (m << 1) | b;
            s |= b << i;
        }
        return s;
    }
    __attribute__((always_inline)) uint32_t direct(uint32_t bits) {
        uint32_t s = 0;
        for (uint32_t i = 0; i < bits; ++i) {
            range >>= 1;
            const uint32_t b = code >= range ? 1 : 0;
            if (b) code -= range;
            s = (s << 1) | b;
            normalize();
        }
        return s;
    }
    // A choice bit, then 3 bits (lengths 2-9), a second choice and 3 bits (10-17), or 8 bits (18-273).
    __attribute__((always_inline)) uint32_t length(uint32_t base, uint32_t pos_state) {
        if (!bit(base)) return tree(base + 2 + (pos_state << 3), 3);
        if (!bit(base + 1)) return 8 + tree(base + 130 + (pos_state << 3), 3);
        return 16 + tree(base + 258, 8);
    }
};

}  // namespace

extern "C" int64_t unlzma_size(const uint8_t* in, uint32_t n) {
    if (n < 18) return kTooShort;
    uint64_t size = 0;
    for (int i = 12; i >= 5; --i) size = (size << 8) | in[i];
    if (size == ~uint64_t{0}) return kSizeUnknown;  // the page's files always carry their size
    if (size > (1u << 30)) return kTooLarge;
    return static_cast<int64_t>(size);
}

// The decoding in progress: unlzma_start sets it up, unlzma_run goes on with it. It runs in steps
// because V8 moves a WebAssembly function to its optimizing compiler only between calls: a first
// step runs in the baseline compiler's code, the later ones about three times faster.
struct Job {
    Decoder r;
    uint8_t* out;
    uint32_t size, lc, lp_mask, pb_mask;
    uint32_t pos, state, rep0, rep1, rep2, rep3;
} job;

extern "C" int32_t unlzma_start(const uint8_t* in, uint32_t n, uint8_t* out, uint32_t capacity) {
    const int64_t declared = unlzma_size(in, n);
    if (declared < 0) return static_cast<int32_t>(declared);
    const uint32_t size = static_cast<uint32_t>(declared);
    if (size > capacity) return kTooLarge;
    uint32_t d = in[0];
    if (d >= 9 * 5 * 5) return kBadProperties;
    const uint32_t lc = d % 9;
    d /= 9;
    const uint32_t lp = d % 5, pb = d / 5;
    if (lc + lp > 4) return kBadProperties;
    for (uint32_t i = 0; i < kLiteral + (0x300u << (lc + lp)); ++i) probs[i] = 1024;
    job = Job{Decoder{in, n, 13, 0xffffffffu, 0, false}, out, size, lc, (1u << lp) - 1, (1u << pb) - 1, 0, 0, 0, 0, 0, 0};
    Decoder& r = job.r;
    if (r.next() != 0) return kBadStart;
    for (int i = 0; i < 4; ++i) r.code = (r.code << 8) | r.next();
    if (r.code == r.range) return kBadStart;
    return 0;
}

extern "C" int32_t unlzma_run(uint32_t until) {
    Job j = job;  // in locals while it runs
    Decoder& r = j.r;
    uint8_t* const out = j.out;
    const uint32_t size = j.size, lc = j.lc;
    uint32_t pos = j.pos, state = j.state, rep0 = j.rep0, rep1 = j.rep1, rep2 = j.rep2, rep3 = j.rep3;
    if (until > size) until = size;
    while (pos < until) {
        const uint32_t pos_state = pos & j.pb_mask;
        if (!r.bit(kIsMatch + (state << 4) + pos_state)) {
            const uint32_t prev = pos > 0 ? out[pos - 1] : 0;
            const uint32_t base = kLiteral + 0x300 * (((pos & j.lp_mask) << lc) + (prev >> (8 - lc)));
            uint32_t s = 1;
            if (state >= 7) {  // after a match the byte at rep0 guides the first bits, until they differ
                uint32_t match = out[pos - rep0 - 1];
                while (s < 0x100) {
                    const uint32_t mb = (match >> 7) & 1;
                    match <<= 1;
                    const uint32_t b = r.bit(base + ((1 + mb) << 8) + s);
                    s = (s << 1) | b;
                    if (mb != b) break;
                }
            }
            while (s < 0x100) s = (s << 1) | r.bit(base + s);
            out[pos++] = static_cast<uint8_t>(s);
            state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
            continue;
        }
        uint32_t len;
        if (r.bit(kIsRep + state)) {
            if (pos == 0) return kDamaged;
            if (!r.bit(kIsRepG0 + state)) {
                if (!r.bit(kIsRep0Long + (state << 4) + pos_state)) {  // one byte at rep0
                    state = state < 7 ? 9 : 11;
                    out[pos] = out[pos - rep0 - 1];
                    ++pos;
                    continue;
                }
            } else {
                uint32_t dist;
                if (!r.bit(kIsRepG1 + state)) {
                    dist = rep1;
                } else {
                    if (!r.bit(kIsRepG2 + state)) {
                        dist = rep2;
                    } else {
                        dist = rep3;
                        rep3 = rep2;
                    }
                    rep2 = rep1;
                }
                rep1 = rep0;
                rep0 = dist;
            }
            len = r.length(kRepLen, pos_state);
            state = state < 7 ? 8 : 11;
        } else {
            rep3 = rep2, rep2 = rep1, rep1 = rep0;
            len = r.length(kLen, pos_state);
            state = state < 7 ? 7 : 10;
            const uint32_t slot = r.tree(kPosSlot + ((len < 3 ? len : 3) << 6), 6);
            if (slot < 4) {
                rep0 = slot;
            } else {
                const uint32_t bits = (slot >> 1) - 1;
                uint32_t dist = (2 | (slot & 1)) << bits;
                if (slot < 14) dist += r.reverse(kSpecPos + dist - slot, bits);
                else dist += (r.direct(bits - 4) << 4) + r.reverse(kAlign, 4);
                if (dist == 0xffffffffu) return kDamaged;  // an end marker before the declared size
                rep0 = dist;
            }
        }
        if (rep0 >= pos) return kDamaged;
        // A match may run past `until` (never past the size): the next step starts after it.
        for (uint32_t k = len + 2; k > 0; --k) {
            if (pos == size) return kDamaged;
            out[pos] = out[pos - rep0 - 1];
            ++pos;
        }
    }
    if (r.past_end) return kTruncated;
    j.pos = pos, j.state = state, j.rep0 = rep0, j.rep1 = rep1, j.rep2 = rep2, j.rep3 = rep3;
    job = j;
    return static_cast<int32_t>(pos);
}
