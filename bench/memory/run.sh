#!/usr/bin/env bash
# Memory: peak RSS of racecheck's executor over a long run against the demo bank
# (targets/demo, --balance safe, no simulated work), every event streamed to a
# temporary JSONL history file, as a real run does. 16 clients send GET
# /accounts/{id} reads back to back on keep-alive connections, in scenarios of
# 16 x 256 ops run back to back (a real run is many small trials, never one
# huge scenario), until REQUESTS requests were sent or MAX_SECONDS passed.
# The peak after the first tenth of the run is printed next to the final peak:
# memory that grew with the request count would show as a gap between them.
# Prints a markdown table on stdout; progress goes to stderr.
# Environment: REQUESTS (1000000), MAX_SECONDS (390: the demo bank serves ~2.8-3.7k
# reads/s here, so 1M takes 270-360 s; bench/run allows a section 420 s), CONNECTIONS (16).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
requests=${REQUESTS:-1000000}
max_seconds=${MAX_SECONDS:-390}
connections=${CONNECTIONS:-16}

"$root/scripts/build.sh" release racecheck-load-bench racecheck-demo-target >&2
bin="$root/build/release"
source "$root/bench/lib.sh"
start_target memory "$bin/targets/demo/racecheck-demo-target" --port 0 --balance safe --work-us 0 \
  --race-window-us 0 --threads 64

# The history goes to a file of our own so that its size can be reported.
"${load_cpu[@]}" timeout $((max_seconds + 60)) "$bin/bench/throughput/racecheck-load-bench" --url "$url" \
  --spec "$root/targets/demo/spec.json" --op read --args '{"account":0}' --connections "$connections" \
  --requests "$requests" --duration-s "$max_seconds" --history "$work/history.jsonl" >"$work/result"
echo "memory: $(cat "$work/result")" >&2
field() { sed -n "s/.*\b$1=\([0-9.-]*\).*/\1/p" "$work/result"; }

echo "| requests | seconds | req/s | peak RSS MB (after first tenth) | peak RSS MB (end) | history MB |"
echo "|---:|---:|---:|---:|---:|---:|"
awk -v n="$(field requests)" -v s="$(field seconds)" -v r="$(field req_per_s)" -v t="$(field peak_rss_kb_at_tenth)" \
  -v p="$(field peak_rss_kb)" -v h="$(field history_bytes)" \
  'BEGIN {printf "| %d | %.1f | %.0f | %.1f | %.1f | %.1f |\n", n, s, r, t / 1024, p / 1024, h / 1048576}'
echo
echo "racecheck executor (one process, getrusage ru_maxrss) against the demo bank at $url (safe, --work-us 0," \
  "--race-window-us 0, 64 threads), $connections keep-alive clients, GET reads, scenarios of $connections x 256 ops back to back," \
  "every event written to a JSONL history; stopped at $requests requests or $max_seconds s, whichever came first."
