#!/usr/bin/env bash
# Builds (build/release, through scripts/build.sh) and runs the burst-spread
# benchmark on 127.0.0.1: for N = 8, 32, 128, the median server-side arrival
# spread (kernel receive timestamps of each request's final byte) over 20 bursts
# on reused connections, and each method's ratio to the floor (one thread
# send()ing the last bytes). Prints a markdown table and a "goal-met:" line
# (goal, from issue 8: racecheck's synchronized burst within 1.1x the floor at
# every N). Extra arguments go to the driver, e.g. --sizes 32 --bursts 50.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ -z "${RACECHECK_BENCH_NO_BUILD:-}" ]; then
  "$root/scripts/build.sh" release racecheck-burst-bench >&2
fi
raw=$(timeout 600 "$root/build/release/bench/burst/racecheck-burst-bench" "$@")
# The driver prints "N method server_us client_us x_floor" columns; a negative
# spread means no burst of that cell had every kernel timestamp (no measurement).
printf '%s\n' "$raw" | awk '
  NR == 1 { print "| N | method | server-side spread µs (median) | executor own last-byte spread µs | × floor |";
            print "|---|---|---|---|---|"; next }
  NF == 5 {
    bad = ($3 ~ /^-/)  # -1 ns prints as -0.0
    server = bad ? "no measurement" : $3
    ratio = bad ? "-" : $5
    print "| " $1 " | " $2 " | " server " | " $4 " | " ratio " |"
    if ($2 == "executor") {
      n++
      if (bad) { missing = missing " " $1 }
      else if ($5 > 1.1) { over = over " N=" $1 " (" $5 "x)" }
      else if ($5 < 1.0) { below = below " N=" $1 }
    }
  }
  END {
    print ""
    print "floor = one thread writing every connection'"'"'s last byte with send(); executor = racecheck (last byte held, released together); multi = plain concurrent libcurl multi."
    print ""
    if (n == 0) { print "goal-met: no — no executor rows measured"; exit }
    if (missing == "" && over == "") {
      msg = "goal-met: yes — executor within 1.1x the floor at every N"
      if (below != "") msg = msg "; below the floor (stretch) at" below
      print msg
    } else {
      msg = "goal-met: no —"
      if (over != "") msg = msg " above 1.1x the floor at" over
      if (missing != "") msg = msg "; no measurement at N =" missing
      print msg
    }
  }'
