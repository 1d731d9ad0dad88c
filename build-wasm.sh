#!/usr/bin/env bash
# Builds the page into web/dist/ (installing what is missing). `./build-wasm.sh serve` also serves
# it on http://127.0.0.1:8080/ (PORT=... to change). web/dist/index.html also works from disk.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh
wif_deps_web

echo "==> building the WebAssembly core (cmake --preset wasm)"
cmake --preset wasm >/dev/null
cmake --build --preset wasm -j"$(nproc)"

echo "==> assembling web/dist"
node web/build.mjs build-wasm/src/wasm web/dist

if [ "${1:-}" = "serve" ]; then
  exec node web/serve.mjs web/dist "${PORT:-8080}"
fi
echo "Open web/dist/index.html, or run ./build-wasm.sh serve"
