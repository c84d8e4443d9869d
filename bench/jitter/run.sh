#!/usr/bin/env bash
# Builds (build/release, through scripts/build.sh) and runs the jitter
# benchmark of issue 17 on 127.0.0.1: bursts of N = 2, 8, 32 POSTs, one
# `racecheck exec` per trial, through a proxy that delays each TCP connection
# by its own uniform 0-5 ms delay (and the same without the proxy), in three
# modes: plain (no hold), last-byte (HTTP/1.1, last bytes released together)
# and single-packet (HTTP/2, every final frame in one write). Per mode and N:
# the server-side arrival spread (median with its 95% interval, p95) and the
# probability that one trial exposes a race window of 10 us, 100 us, 1 ms (its
# two earliest arrivals at most that far apart), with 95% Wilson intervals.
# Prints a markdown table, a verdict line per goal of the issue and a
# "goal-met:" line. Bounded: about 4 minutes of trials by default.
#
# Usage: bench/jitter/run.sh [--quick] [driver flags...]
#   --quick     a 30-second smoke run (few trials: wide intervals)
#   driver flags go to racecheck-jitter-bench, e.g. --sizes 8 --delay-ms 2
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
budget=(--budget-s 240 --trials 300)
args=()
for a in "$@"; do
  if [ "$a" = --quick ]; then budget=(--budget-s 25 --trials 40); else args+=("$a"); fi
done
if [ -z "${RACECHECK_BENCH_NO_BUILD:-}" ]; then
  "$root/scripts/build.sh" release racecheck racecheck-jitter-bench racecheck-jitter-proxy >&2
fi
bin="$root/build/release"
raw=$(timeout 420 "$bin/bench/jitter/racecheck-jitter-bench" --racecheck "$bin/cli/racecheck" \
        --proxy "$bin/bench/jitter/racecheck-jitter-proxy" "${budget[@]}" "${args[@]}")
printf '%s\n' "$raw" | awk -f "$root/bench/jitter/table.awk"
