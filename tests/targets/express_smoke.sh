#!/usr/bin/env bash
# Smoke test of every Express example target (targets/express/*/): starts it
# with launch.sh (the PostgreSQL ones against one throwaway cluster from
# scripts/pg.sh), checks its API answers with express_smoke_check.js (create,
# withdraw, deposit, read, refusals, bad input; keyed replays where the target
# has idempotency keys), and stops every process it started by pid.
# Last line: "N passed, N failed".
#   tests/targets/express_smoke.sh [TARGET...]      (default: all targets)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EXPRESS=$ROOT/targets/express
HERE=$ROOT/tests/targets
PER_TARGET_TIMEOUT_S=${PER_TARGET_TIMEOUT_S:-60}

. "$EXPRESS/runs.sh"
passed=0 failed=0

command -v node >/dev/null || { echo "express_smoke: node is not installed (scripts/setup.sh --with node)"; echo "0 passed, 1 failed"; exit 1; }
if [ ! -d "$EXPRESS/node_modules" ]; then
  echo "express_smoke: npm ci in targets/express"
  (cd "$EXPRESS" && timeout 1800 npm ci --no-audit --no-fund >"$WORK/npm.log" 2>&1) \
    || { cat "$WORK/npm.log"; echo "0 passed, 1 failed"; exit 1; }
fi

targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <("$EXPRESS/launch.sh" list)

for t in "${targets[@]}"; do
  if ! express_postgres_for "$t"; then
    echo "express_smoke: could not start PostgreSQL:"; cat "$WORK/pg.err"
  fi
  started=$(date +%s%N)
  pidfile=$WORK/$t.pids
  if ! urls=$(timeout "$PER_TARGET_TIMEOUT_S" "$EXPRESS/launch.sh" start "$t" "$pidfile" 2>"$WORK/$t.launch.err"); then
    echo "FAIL $t: did not start"; sed 's/^/    /' "$WORK/$t.launch.err"
    failed=$((failed + 1)); "$EXPRESS/launch.sh" stop "$pidfile"; continue
  fi
  # shellcheck disable=SC2086 # one URL per word
  if timeout "$PER_TARGET_TIMEOUT_S" node "$HERE/express_smoke_check.js" "$EXPRESS/$t" $urls 2>"$WORK/$t.check.err"; then
    echo "ok   $t ($(( ($(date +%s%N) - started) / 1000000 )) ms)"
    passed=$((passed + 1))
  else
    echo "FAIL $t:"; sed 's/^/    /' "$WORK/$t.check.err"
    for log in "$pidfile".*.log; do [ -s "$log" ] && sed 's/^/    server: /' "$log"; done
    failed=$((failed + 1))
  fi
  "$EXPRESS/launch.sh" stop "$pidfile"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
