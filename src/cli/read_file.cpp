#include "read_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace wif {

namespace {

std::string describe(std::size_t bytes) {
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
    if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
    return std::to_string(bytes) + " bytes";
}

}  // namespace

Expected<std::string> read_bounded(const std::string& path, std::size_t max_bytes) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) {
        return make_error("file_not_found", "cannot read \"" + path + "\": " + std::strerror(errno));
    }
    std::string text;
    char buffer[65536];
    bool too_large = false;
    bool failed = false;
    for (;;) {
        // Never ask for more than one byte past the limit: that byte is enough to know.
        const std::size_t room = max_bytes - text.size() + 1;
        const std::size_t want = room < sizeof buffer ? room : sizeof buffer;
        const std::size_t got = std::fread(buffer, 1, want, file);
        if (got > max_bytes - text.size()) {
            too_large = true;
            break;
        }
        text.append(buffer, got);
        if (got < want) {
            failed = std::ferror(file) != 0;
            break;
        }
    }
    std::fclose(file);
    if (too_large) {
        return make_error("file_too_large", "\"" + path + "\" is larger than " + describe(max_bytes) + ", the limit for this file");
    }
    if (failed) return make_error("read_error", "cannot read \"" + path + "\" (is it a directory?)");
    return text;
}

Expected<std::string> read_head(const std::string& path, std::size_t bytes, std::uint64_t& file_size) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) return make_error("file_not_found", "cannot read \"" + path + "\": " + std::strerror(errno));
    file_size = 0;
    if (std::fseek(file, 0, SEEK_END) == 0) {
        const long end = std::ftell(file);
        if (end > 0) file_size = static_cast<std::uint64_t>(end);
        std::fseek(file, 0, SEEK_SET);
    }
    // No more than the file holds: a JSON side file is asked for up to its 32 MiB bound.
    const std::size_t want = file_size > 0 && file_size < bytes ? static_cast<std::size_t>(file_size) : bytes;
    std::string head(want, '\0');
    const std::size_t got = std::fread(head.data(), 1, want, file);
    const bool failed = got < want && std::ferror(file) != 0;
    std::fclose(file);
    if (failed) return make_error("read_error", "cannot read \"" + path + "\" (is it a directory?)");
    head.resize(got);
    return head;
}

}  // namespace wif
