#pragma once

// The page's LZMA decoder (unlzma.cpp): what the page's script (web/lzma.mjs) calls in the
// WebAssembly module, and what fuzz_unlzma calls natively. Freestanding: no libc beyond stdint.h.
#include <stdint.h>

// Error codes (negative); web/lzma.mjs words them.
enum : int32_t { kTooShort = -1, kBadProperties = -2, kSizeUnknown = -3, kTooLarge = -4, kBadStart = -5, kDamaged = -6, kTruncated = -7 };

// The size the .lzma file in[0, n) declares (its header), or an error code.
extern "C" int64_t unlzma_size(const uint8_t* in, uint32_t n);

// Starts decoding the .lzma file in[0, n) into out[0, capacity): 0, or an error code.
extern "C" int32_t unlzma_start(const uint8_t* in, uint32_t n, uint8_t* out, uint32_t capacity);

// Goes on decoding until at least `until` bytes (or all) are out: the bytes out so far, or an error code.
extern "C" int32_t unlzma_run(uint32_t until);
