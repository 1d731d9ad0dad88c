#!/usr/bin/env bash
# The native test suite under AddressSanitizer + UBSan (every UBSan report is fatal), then every
# libFuzzer target for a short budget (issue 11).
#   tests/sanitize.sh [fuzz-seconds-per-target]    (default 30; 0 skips fuzzing)
# Build dirs: build-san (suite) and build-fuzz (fuzz targets), both clang-14 and ccache. Clang, not
# GCC: GCC 12's -fsanitize=undefined instruments the null check inside the consteval field() of
# src/core/request/schema.hpp and then refuses it as "not a constant expression".
# Installs what it needs with apt-get, like scripts/deps.sh. Exit status non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds="${1:-30}"
jobs="${JOBS:-$(nproc)}"
start=$(date +%s)

need=()
command -v cmake >/dev/null || need+=(cmake)
command -v clang++-14 >/dev/null || need+=(clang-14)
ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
[ -f /usr/include/nlohmann/json.hpp ] || need+=(nlohmann-json3-dev)
[ -f /usr/include/catch2/catch.hpp ] || need+=(catch2)
if [ ${#need[@]} -gt 0 ]; then
  echo "sanitize.sh: installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

# WIF_SANITIZE=ON adds -fsanitize=address,undefined; -fno-sanitize-recover makes UBSan abort.
# -O1: the suite runs millions of assertions (sweeps over the whole catalog); -O0 is too slow.
cmake -S . -B build-san -DCMAKE_BUILD_TYPE=Debug -DWIF_SANITIZE=ON -DCMAKE_CXX_COMPILER=clang++-14 "${launcher[@]}" \
  -DCMAKE_CXX_FLAGS="-fno-sanitize-recover=undefined" -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" >/dev/null
cmake --build build-san -j"$jobs" --target wif_tests willitfit

export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
echo "sanitize.sh: core tests under ASan+UBSan"
./build-san/tests/wif_tests
if command -v node >/dev/null && [ -f tests/cli/cli.test.mjs ]; then
  echo "sanitize.sh: CLI tests under ASan+UBSan"
  WILLITFIT_BIN="$PWD/build-san/willitfit" node --test tests/cli/cli.test.mjs
fi
echo "sanitize.sh: suite clean after $(( $(date +%s) - start )) s"

if [ "$fuzz_seconds" -gt 0 ]; then
  JOBS="$jobs" tests/fuzz/run.sh "$fuzz_seconds"
fi
echo "sanitize.sh: done in $(( $(date +%s) - start )) s"
