#!/usr/bin/env bash
# Start-up: wall time of `racecheck check` on an empty history (it judges
# nothing, so this is all start-up) next to two empty programs run the same way
# in the same run: the floor (an empty C++ program) and an empty program linked
# with libcurl, OpenSSL and cpp-httplib, i.e. what racecheck would load before
# main() if it linked libcurl instead of opening it on the first request.
# Prints a markdown table and a goal-met line. Environment: RUNS (300).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
runs=${RUNS:-300}
"$root/scripts/build.sh" release racecheck racecheck-startup-floor racecheck-startup-libcurl-linked >&2
bin="$root/build/release"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$work/empty.jsonl"

# Median and 90th percentile of per-process wall times in ms. Candidates are
# interleaved so load on this shared machine falls on all of them alike.
names=(floor libcurl-linked racecheck-check)
commands=("$bin/bench/startup/racecheck-startup-floor"
          "$bin/bench/startup/racecheck-startup-libcurl-linked"
          "$bin/cli/racecheck check --model account $work/empty.jsonl")
"$bin/cli/racecheck" check --model account "$work/empty.jsonl" >/dev/null 2>&1 || [ $? -eq 4 ] || {
  echo "racecheck check failed on an empty history" >&2; exit 1; }
for ((i = 0; i < runs; i++)); do
  for k in "${!names[@]}"; do
    t0=$(date +%s%N)
    ${commands[$k]} >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000 )) >>"$work/${names[$k]}"
  done
done
stat() { sort -n "$work/$1" | awk '{a[NR]=$1} END {printf "%.1f %.1f", a[int(NR*0.5)+1]/1000, a[int(NR*0.9)+1]/1000}'; }
echo "| program | median ms | p90 ms |"
echo "|---|---:|---:|"
declare -A median
for n in "${names[@]}"; do
  read -r m p <<<"$(stat "$n")"
  median[$n]=$m
  echo "| $n | $m | $p |"
done
echo
echo "$runs runs of each, interleaved; wall time of fork+exec+exit measured by the shell (the same overhead in every row)."
awk -v r="${median[racecheck-check]}" -v c="${median[libcurl-linked]}" -v f="${median[floor]}" 'BEGIN {
  verdict = (r < c) ? "yes" : "no"
  printf "goal-met: %s — racecheck check %.1f ms vs %.1f ms for an empty program that links libcurl (floor %.1f ms)\n", verdict, r, c, f }'
