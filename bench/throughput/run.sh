#!/usr/bin/env bash
# Throughput: racecheck's executor (full history recording to a temporary JSONL
# file) vs wrk and autocannon, against the same trivial keep-alive C++ target
# (bench/throughput/keepalive_target.cpp), same connection count, same run.
# A fourth row, "libcurl loop" (bench/throughput/curl_loop.cpp), is libcurl's
# multi interface with nothing of racecheck around it: the ceiling for an
# executor built on libcurl, as racecheck's is.
# Each tool runs ROUNDS times for DURATION seconds, interleaved (wrk,
# racecheck, autocannon, wrk, ...) so that drift in the machine's load hits all
# alike; the table shows each tool's median. On a machine with 2+ cores the
# target is pinned to core 0 and every load generator to core 1 (taskset).
# Prints a markdown table on stdout; progress goes to stderr.
# Environment: CONNECTIONS (16), DURATION (4 s), ROUNDS (3), OPS_PER_CLIENT (256).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/bench/throughput"
connections=${CONNECTIONS:-16}
duration=${DURATION:-4}
rounds=${ROUNDS:-3}
ops_per_client=${OPS_PER_CLIENT:-256}

"$root/scripts/build.sh" release racecheck-keepalive-target racecheck-load-bench racecheck-curl-loop >&2
bin="$root/build/release/bench/throughput"
if ! command -v wrk >/dev/null 2>&1; then "$root/scripts/setup.sh" bench >&2; fi
if ! command -v npm >/dev/null 2>&1; then "$root/scripts/setup.sh" node >&2; fi
if [ ! -x "$here/node_modules/.bin/autocannon" ]; then
  (cd "$here" && npm ci --no-audit --no-fund >&2)
fi

source "$root/bench/lib.sh"
start_target throughput "$bin/racecheck-keepalive-target" --port 0

# Each function prints "REQ_PER_S CPU_SECONDS" (the load generator's user+sys time).
# bash's own `time` (no dependency on GNU time): user and system seconds of the command.
timed() {
  local TIMEFORMAT='%U %S'
  { time "$@" 2>"$work/stderr"; } 2>"$work/time"
}
cpu_seconds() { awk '{print $1 + $2}' "$work/time"; }
run_wrk() {
  timed "${load_cpu[@]}" wrk -t1 -c"$connections" -d"${duration}s" "$url/" >"$work/wrk.out"
  echo "$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.out") $(cpu_seconds)"
}
run_racecheck() {
  timed "${load_cpu[@]}" "$bin/racecheck-load-bench" --url "$url" --connections "$connections" \
    --ops-per-client "$ops_per_client" --duration-s "$duration" >"$work/racecheck.out"
  echo "$(sed -n 's/.*req_per_s=\([0-9.]*\).*/\1/p' "$work/racecheck.out") $(cpu_seconds)"
}
run_libcurl() {
  timed "${load_cpu[@]}" "$bin/racecheck-curl-loop" --url "$url/" --connections "$connections" \
    --duration-s "$duration" >"$work/libcurl.out"
  echo "$(sed -n 's/.*req_per_s=\([0-9.]*\).*/\1/p' "$work/libcurl.out") $(cpu_seconds)"
}
run_autocannon() {
  timed "${load_cpu[@]}" "$here/node_modules/.bin/autocannon" -c "$connections" -d "$duration" -j "$url/" \
    >"$work/autocannon.json" 2>/dev/null
  echo "$(node -e 'const r = require(process.argv[1]); console.log(r.requests.total / r.duration)' \
    "$work/autocannon.json") $(cpu_seconds)"
}

tools=(wrk racecheck libcurl autocannon)
for round in $(seq "$rounds"); do
  for tool in "${tools[@]}"; do
    result=$("run_$tool")
    echo "round $round $tool: $result (req/s, cpu s)" >&2
    echo "$tool $result" >>"$work/results"
  done
done

median() {  # column 2 (req/s) or 3 (cpu s) of a tool's rows
  awk -v t="$1" -v c="$2" '$1 == t {print $c}' "$work/results" | sort -g |
    awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
wrk_rate=$(median wrk 2)
echo "| tool | req/s (median of $rounds) | ratio to wrk | load generator CPU µs/request |"
echo "|---|---:|---:|---:|"
for tool in "${tools[@]}"; do
  rate=$(median "$tool" 2)
  cpu=$(median "$tool" 3)
  label=$tool
  [ "$tool" = libcurl ] && label="libcurl loop"
  awk -v t="$label" -v r="$rate" -v w="$wrk_rate" -v c="$cpu" -v d="$duration" \
    'BEGIN {printf "| %s | %.0f | %.2f | %.1f |\n", t, r, r / w, c * 1e6 / (r * d)}'
done
echo
echo "Target: bench/throughput keep-alive server (epoll, one thread) at $url, GET /, 200 with an 11-byte body."
echo "$connections connections, ${duration} s per tool per round, $rounds interleaved rounds;" \
  "wrk -t1; autocannon $(node -e 'console.log(require(process.argv[1]).version)' "$here/node_modules/autocannon/package.json");" \
  "racecheck: executor with every event streamed to a JSONL file, $connections clients x $ops_per_client GETs per scenario, back to back;" \
  "libcurl loop: $connections easy handles set up once and re-added to one multi handle as each transfer ends, no history (the ceiling of a libcurl-based executor)."
if [ ${#target_cpu[@]} -gt 0 ]; then
  echo "Target pinned to CPU 0, each load generator to CPU 1 (taskset). CPU µs/request ≈ CPU seconds / (median req/s × duration)."
fi

# The goal, and what bounds it: racecheck's executor cannot be faster than
# libcurl on its own.
awk -v rc="$(median racecheck 2)" -v ac="$(median autocannon 2)" -v cl="$(median libcurl 2)" -v w="$wrk_rate" 'BEGIN {
  ok = (rc / w >= 0.8 && rc > ac)
  verdict = ok ? "yes" : "no"
  versus = (rc > ac) ? "ahead of" : "NOT ahead of"
  printf "goal-met: %s — racecheck %.2f× wrk (goal ≥ 0.8), %s autocannon (%.0f vs %.0f req/s); ", verdict, rc / w, versus, rc, ac
  printf "bare libcurl reaches %.2f× wrk in this run, and racecheck runs at %.2f× of that libcurl ceiling\n", cl / w, rc / cl
}'
