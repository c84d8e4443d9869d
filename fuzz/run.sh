#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan+UBSan, coverage instrumentation
# of every library) and runs each for a bounded time on its committed seed
# corpus. Exit status: 0 when no target crashed, 1 otherwise (the crashing
# input is left in the work directory and named in the output).
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]      default: 60, all targets
#
# Environment: BUILD_DIR (default build/fuzz), WORK_DIR (default
# $BUILD_DIR/fuzz-work: new corpus entries and crash files; the committed seed
# corpus in fuzz/corpus/ is only read).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_spec fuzz_history fuzz_classify)
build=${BUILD_DIR:-$root/build/fuzz}
work=${WORK_DIR:-$build/fuzz-work}
jobs=${JOBS:-2}

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRACECHECK_SANITIZE=address \
  -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link >/dev/null
cmake --build "$build" -j "$jobs" --target "${targets[@]}"

status=0
for target in "${targets[@]}"; do
  name=${target#fuzz_}
  mkdir -p "$work/$name/corpus" "$work/$name/crashes"
  dict=()
  [ -f "$root/fuzz/$name.dict" ] && dict=(-dict="$root/fuzz/$name.dict")
  echo "== $target: ${seconds}s"
  # New inputs go to the work corpus (first directory); the seeds are read only.
  if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$build/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$work/$name/crashes/" "${dict[@]}" \
      "$work/$name/corpus" "$root/fuzz/corpus/$name" 2>"$work/$name/log.txt"; then
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE' "$work/$name/log.txt" || true
  else
    status=1
    echo "$target FAILED; last lines of $work/$name/log.txt:"
    tail -n 40 "$work/$name/log.txt"
    ls -1 "$work/$name/crashes/" | sed "s|^|  crash input: $work/$name/crashes/|"
  fi
done
exit $status
