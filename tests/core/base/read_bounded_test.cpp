// src/cli/read_file.hpp: the CLI's bounded reader (issue 11: `--hf-config /dev/zero` grew until
// std::bad_alloc).
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "../../../src/cli/read_file.hpp"

using namespace wif;

namespace {

std::string temp_file(const std::string& text) {
    char name[] = "/tmp/wif_read_bounded_XXXXXX";
    const int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    std::FILE* f = fdopen(fd, "wb");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
    return name;
}

}  // namespace

TEST_CASE("read_bounded reads files up to the limit") {
    const std::string path = temp_file("{\"model_type\": \"llama\"}");
    const Expected<std::string> text = read_bounded(path, 23);
    REQUIRE(text);
    CHECK(text.value() == "{\"model_type\": \"llama\"}");
    CHECK(read_bounded(path, 1024).value() == text.value());
    const Expected<std::string> small = read_bounded(path, 22);
    REQUIRE_FALSE(small);
    CHECK(small.error().code == "file_too_large");
    CHECK(small.error().message == "\"" + path + "\" is larger than 22 bytes, the limit for this file");
    std::remove(path.c_str());
    const std::string empty = temp_file("");
    CHECK(read_bounded(empty, 0).value().empty());
    std::remove(empty.c_str());
}

TEST_CASE("read_bounded stops endless files after the limit") {
    const Expected<std::string> zero = read_bounded("/dev/zero", kMaxConfigBytes);
    REQUIRE_FALSE(zero);
    CHECK(zero.error().code == "file_too_large");
    CHECK(zero.error().message == "\"/dev/zero\" is larger than 4 MiB, the limit for this file");
}

TEST_CASE("read_bounded reports missing files and directories") {
    const Expected<std::string> missing = read_bounded("/nonexistent/config.json", 100);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == "file_not_found");
    const Expected<std::string> dir = read_bounded("/tmp", 100);
    REQUIRE_FALSE(dir);
    CHECK((dir.error().code == "read_error" || dir.error().code == "file_not_found"));
}
