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
target_cpu=() load_cpu=()
if [ "$(nproc)" -ge 2 ]; then target_cpu=(taskset -c 0); load_cpu=(taskset -c 1); fi

work=$(mktemp -d)
target_pid=""
cleanup() {
  if [ -n "$target_pid" ]; then kill "$target_pid" 2>/dev/null || true; wait "$target_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"${target_cpu[@]}" "$bin/targets/demo/racecheck-demo-target" --port 0 --balance racy --work-us 0 \
  --race-window-us 0 >"$work/target.out" 2>"$work/target.err" &
target_pid=$!
for _ in $(seq 50); do grep -q '^listening on ' "$work/target.out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$work/target.out")
[ -n "$url" ] || { echo "trials: the demo target did not start: $(cat "$work/target.err")" >&2; exit 3; }

"${load_cpu[@]}" timeout $((duration + 60)) "$bin/bench/trials/racecheck-trials-bench" --url "$url" \
  --spec "$root/targets/demo/spec.json" --duration-s "$duration"
echo
echo "Target: the demo bank at $url (racy, --work-us 0, --race-window-us 0)."
[ ${#target_cpu[@]} -eq 0 ] || echo "Target pinned to CPU 0, racecheck to CPU 1 (taskset)."
