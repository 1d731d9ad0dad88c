#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan + UBSan) in build-fuzz and runs each for
# SECONDS seconds (default 60) on its seed corpus and dictionary.
#   tests/fuzz/run.sh [seconds] [target...]
# New inputs go to build-fuzz/corpus/<target> (the seeds in tests/fuzz/corpus stay as they are);
# crashes go to build-fuzz/crashes/<target>/. Exit status 1 when any target found a crash.
# Environment: FUZZ_JOBS (parallel targets, default 1), BUILD_DIR (default build-fuzz).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
shift || true
build="${BUILD_DIR:-build-fuzz}"
all=(fuzz_question fuzz_ask fuzz_catalog fuzz_hf_config fuzz_estimate fuzz_gguf fuzz_safetensors fuzz_unlzma)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

need=()
command -v clang++-14 >/dev/null || need+=(clang-14)
ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
[ -f /usr/include/nlohmann/json.hpp ] || need+=(nlohmann-json3-dev)
[ -f /usr/include/lzma.h ] || need+=(liblzma-dev)
command -v cmake >/dev/null || need+=(cmake)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

cmake -S tests/fuzz -B "$build" -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=None "${launcher[@]}" >/dev/null
cmake --build "$build" -j"${JOBS:-2}" --target "${targets[@]}"

status=0
run_one() {
  local t="$1"
  local work="$build/corpus/$t" crashes="$build/crashes/$t"
  mkdir -p "$work" "$crashes"
  local opts=()
  [ -f "tests/fuzz/dict/$t.dict" ] && opts=(-dict="tests/fuzz/dict/$t.dict")
  # Model-file headers may grow past the largest seed (libFuzzer's default -max_len).
  case "$t" in fuzz_gguf|fuzz_safetensors) opts+=(-max_len=16384) ;; esac
  # -rss_limit_mb: a catalog or config must never need more than this; -timeout: nor this long.
  if "$build/$t" "$work" "tests/fuzz/corpus/$t" "${opts[@]}" -max_total_time="$seconds" \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$crashes/" \
      >"$build/$t.log" 2>&1; then
    echo "$t: ok, $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/$t.log" | grep -o '[0-9]*$') executions in ${seconds}s"
  else
    echo "$t: FAILED (log $build/$t.log, inputs in $crashes)"
    grep -m3 -E 'ERROR|runtime error|SUMMARY' "$build/$t.log" || true
    return 1
  fi
}
jobs="${FUZZ_JOBS:-1}"
if [ "$jobs" -le 1 ]; then
  for t in "${targets[@]}"; do run_one "$t" || status=1; done
else
  pids=()
  for t in "${targets[@]}"; do
    run_one "$t" & pids+=($!)
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
  done
  for p in "${pids[@]}"; do wait "$p" || status=1; done
fi
exit $status
