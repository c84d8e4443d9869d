#!/usr/bin/env bash
# Builds and runs the checker benchmark (Release, single thread).
# Usage: bench/checker/run.sh [corpus_dir] [--min-ms N] [--only SUBSTRING]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${RACECHECK_BENCH_BUILD:-$root/build/bench-release}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target checker_bench >/dev/null
exec "$build/bench/checker/checker_bench" "$@"
