#!/usr/bin/env bash
# Builds (build/release, through scripts/build.sh) and runs the detection-power
# benchmark: for race windows 0, 10, 100, 1000 µs, the probability that one trial
# exposes the demo bank's race, synchronized vs plain release, 200 trials per
# cell, at most 35 s per window. Prints a markdown table and a "goal-met:" line.
# Extra arguments go to the driver (e.g. --trials 50 --windows 0 100).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ -z "${RACECHECK_BENCH_NO_BUILD:-}" ]; then
  "$root/scripts/build.sh" release racecheck-detection-bench racecheck-demo-target >&2
fi
build="$root/build/release"
exec timeout 170 "$build/bench/detection/racecheck-detection-bench" \
  --target "$build/targets/demo/racecheck-demo-target" "$@"
