#!/usr/bin/env bash
# Runs every test: the Catch2 suite of the core, the CLI tests, the WebAssembly module's tests
# (including native/wasm parity over the whole catalog), the browser tests in headless Chromium,
# and the suite again under ASan + UBSan with every fuzz target for a short budget. Installs what is missing first. Screenshots land in test-results/.
set -uo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh
set -e
wif_deps_native
wif_deps_web
wif_deps_browser
wif_deps_files

echo "==> native build (cmake --preset native)"
cmake --preset native >/dev/null
cmake --build --preset native -j"$(nproc)"

echo "==> WebAssembly build and page"
./build-wasm.sh

set +e
passed=0
failed=0
tally() {  # name, status
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "==> $1: ok"; else failed=$((failed + 1)); echo "==> $1: FAILED"; fi
}

echo "==> core and CLI tests (ctest)"
ctest --preset native -j"$(nproc)"
tally "ctest" $?

echo "==> WebAssembly module tests (node --test)"
node --test tests/wasm/
tally "wasm" $?

echo "==> browser tests (headless Chromium)"
node --test --test-concurrency=1 tests/browser/
tally "browser" $?

# The whole native suite again under AddressSanitizer + UBSan, then every fuzz target for a short
# budget (WIF_FUZZ_SECONDS each, default 20; tests/fuzz/run.sh 600 is the long run).
echo "==> sanitizers and fuzzers (tests/sanitize.sh)"
bash tests/sanitize.sh "${WIF_FUZZ_SECONDS:-20}"
tally "sanitize" $?

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
