#!/usr/bin/env bash
# Installs what the build and the tests need, from Debian's packages and npm, skipping what is
# already there. Sourced by build-wasm.sh and test.sh; safe to run again.
set -euo pipefail

wif_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

wif_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ -z "${WIF_APT_UPDATED:-}" ]; then
    $sudo apt-get update -qq
    export WIF_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Native build: compiler, CMake, nlohmann_json, Catch2 v2.
wif_deps_native() {
  wif_apt cmake make g++ nlohmann-json3-dev catch2
}

# WebAssembly build and page: Emscripten 3.1.6, Node.js, and the page's build tools from npm.
wif_deps_web() {
  wif_apt cmake make emscripten nlohmann-json3-dev xz-utils
  command -v node >/dev/null 2>&1 || wif_apt nodejs npm
  command -v npm >/dev/null 2>&1 || wif_apt npm
  # playwright-core 1.61 and esbuild run on Node 18 (Debian 12's) and newer; say so plainly otherwise.
  local node_major
  node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$node_major" -lt 18 ]; then
    echo "Node.js 18 or newer is needed (found $(node --version 2>/dev/null || echo none)): apt-get install nodejs npm" >&2
    return 1
  fi
  # Emscripten's JS optimizer needs acorn from Debian's module folder (see README, "Toolchain").
  export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
  if [ ! -d "$wif_root/web/node_modules/esbuild" ] || [ ! -d "$wif_root/web/node_modules/playwright-core" ]; then
    echo "==> npm ci (web)"
    (cd "$wif_root/web" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# The independent GGUF parser the file-reader tests compare against (@huggingface/gguf).
wif_deps_files() {
  if [ ! -d "$wif_root/tests/files/node_modules/@huggingface/gguf" ]; then
    echo "==> npm ci (tests/files)"
    (cd "$wif_root/tests/files" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Browser tests: Debian's Chromium, driven by playwright-core.
wif_deps_browser() {
  wif_apt chromium
}
