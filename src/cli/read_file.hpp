// Bounded file reading for the CLI (issue 11): every file a user names (--hf-config,
// --catalog-dir) is read with a size limit, so `--hf-config /dev/zero` or a multi-GB file fails
// with a clear error instead of growing until std::bad_alloc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/expected.hpp"

namespace wif {

// Limits the CLI uses: a config.json is a few KB (the largest known ones are ~20 KB); the
// catalogs are ~150 KB each today.
inline constexpr std::size_t kMaxConfigBytes = 4u << 20;    // 4 MiB
inline constexpr std::size_t kMaxCatalogBytes = 32u << 20;  // 32 MiB per catalog file

// Reads at most `max_bytes` bytes of `path`. Fails with
//   "file_not_found" when the file cannot be opened,
//   "file_too_large" when it holds more than max_bytes (checked while reading, so pipes and
//                    devices such as /dev/zero stop after max_bytes + 1 bytes),
//   "read_error"     when reading fails (e.g. a directory).
// Memory use stays below max_bytes + one 64 KiB buffer. Never throws.
Expected<std::string> read_bounded(const std::string& path, std::size_t max_bytes);

// The first `bytes` bytes of `path` (fewer when the file is shorter) and the file's size: model
// files are 100 GB, their headers a few MB, and only the header is ever read.
Expected<std::string> read_head(const std::string& path, std::size_t bytes, std::uint64_t& file_size);

}  // namespace wif
