#!/usr/bin/env bash
# Builds (build/release, through scripts/build.sh) and runs the checker benchmark
# (single thread): Porcupine's corpus against Porcupine's recorded timings, and
# generated register histories of 1k / 10k / 100k ops with many info ops (time,
# peak memory). Prints markdown tables and a "goal-met:" line.
# Usage: bench/checker/run.sh [corpus_dir] [--min-ms N] [--only SUBSTRING] [--per-file]
#                             [--register-sizes 1000,10000,100000] [--register-budget-ms N]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ -z "${RACECHECK_BENCH_NO_BUILD:-}" ]; then
  "$root/scripts/build.sh" release checker_bench >&2
fi
exec timeout 400 "$root/build/release/bench/checker/checker_bench" "$@"
