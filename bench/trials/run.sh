#!/usr/bin/env bash
# Trials per second: racecheck's TrialRunner (reset via the spec's setup,
# scenario, final read, check; history streamed to a file) against the demo bank
# (targets/demo/spec.json, --balance racy, no simulated work or race window),
# scenarios from the spec's own generator, for DURATION seconds. On 2+ cores the
# target is pinned to core 0 and racecheck to core 1.
# Prints a markdown table on stdout; progress goes to stderr.
# Environment: DURATION (10 s).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
duration=${DURATION:-10}

"$root/scripts/build.sh" release racecheck-trials-bench racecheck-demo-target >&2
bin="$root/build/release"
source "$root/bench/lib.sh"
start_target trials "$bin/targets/demo/racecheck-demo-target" --port 0 --balance racy --work-us 0 \
  --race-window-us 0

"${load_cpu[@]}" timeout $((duration + 60)) "$bin/bench/trials/racecheck-trials-bench" --url "$url" \
  --spec "$root/targets/demo/spec.json" --duration-s "$duration"
echo
echo "Target: the demo bank at $url (racy, --work-us 0, --race-window-us 0)."
[ ${#target_cpu[@]} -eq 0 ] || echo "Target pinned to CPU 0, racecheck to CPU 1 (taskset)."
