#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan+UBSan, coverage instrumentation)
# and runs each for a bounded time on its committed seed corpus, after running
# once every input that once crashed it (fuzz/regressions/). Prints, per
# target, the executions and the peak RSS.
# Exit status: 0 when no target crashed, 1 when one did (a crash, a sanitizer
# report, a leak, a timeout or running out of memory: the input is left in the
# work directory and named in the output), 2 for bad arguments; a failed build
# exits non-zero too.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]      default: 60, all targets
#
# Environment: WORK_DIR (default build/asan/fuzz-work: new corpus entries and
# crash files; the committed fuzz/corpus/ and fuzz/regressions/ are only read).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz/run.sh: SECONDS_PER_TARGET must be a positive integer, got '$seconds'" >&2
  exit 2
fi
all_targets=(fuzz_spec fuzz_history fuzz_classify)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for target in "${targets[@]}"; do
  if [[ " ${all_targets[*]} " != *" $target "* ]]; then
    echo "fuzz/run.sh: unknown target '$target' (targets: ${all_targets[*]})" >&2
    exit 2
  fi
done
build=$root/build/asan
work=${WORK_DIR:-$build/fuzz-work}

started=$SECONDS
# The fuzz targets are part of the ASan+UBSan build (clang, -O1, line tables,
# assertions on, coverage instrumentation of every library): built here only if
# that build is not up to date.
"$root/scripts/build.sh" asan "${targets[@]}"
echo "build: $((SECONDS - started)) s"

status=0
summary=()
for target in "${targets[@]}"; do
  name=${target#fuzz_}
  mkdir -p "$work/$name/corpus" "$work/$name/crashes"
  dict=()
  [ -f "$root/fuzz/$name.dict" ] && dict=(-dict="$root/fuzz/$name.dict")
  log="$work/$name/log.txt"
  echo "== $target: ${seconds} s"
  result=ok
  export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  flags=(-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$work/$name/crashes/")
  # Every input that once crashed runs once first. They are not fuzzed: they are
  # large (60 KB response bodies) and would slow every mutation of the corpus.
  regressions=()
  [ -d "$root/fuzz/regressions/$name" ] && mapfile -t regressions < <(find "$root/fuzz/regressions/$name" -type f | sort)
  if [ ${#regressions[@]} -gt 0 ] && ! "$build/fuzz/$target" "${flags[@]}" "${regressions[@]}" 2>"$log"; then
    result=FAILED
  fi
  # New inputs go to the work corpus (the first directory); the seeds are only read.
  if [ "$result" = ok ]; then
    "$build/fuzz/$target" -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 "${flags[@]}" "${dict[@]}" \
      "$work/$name/corpus" "$root/fuzz/corpus/$name" 2>"$log" || result=FAILED
  fi
  # libFuzzer prints the final stats on success; after a crash, the last status line counts.
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
  [ -n "$rss" ] || rss=$(grep -oE 'rss: [0-9]+Mb' "$log" | tail -n 1 | grep -oE '[0-9]+')
  line=$(printf '%-14s %-7s executions %-10s peak RSS %s MB' "$target" "$result" "${execs:-?}" "${rss:-?}")
  echo "$line"
  summary+=("$line")
  if [ "$result" != ok ]; then
    status=1
    echo "$target FAILED; last lines of $log:"
    tail -n 40 "$log"
    ls -1 "$work/$name/crashes/" | sed "s|^|  crash input: $work/$name/crashes/|"
  fi
done
echo "== summary (build and ${#targets[@]} x ${seconds} s: $((SECONDS - started)) s)"
printf '%s\n' "${summary[@]}"
exit $status
