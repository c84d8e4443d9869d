#!/usr/bin/env bash
# Demonstrates every Express target's race (or its absence) with race-demo.js:
# ROUNDS rounds (default 5) of one 16-request burst each, then checks that
#   - a target expected "safe" never broke its invariant, and
#   - a target expected "buggy" broke it in at least one round.
# Prints a table (target, expected, rounds broken) and "N passed, N failed".
#   tests/targets/express_race.sh [TARGET...]        ROUNDS=5 BURST=16
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EXPRESS=$ROOT/targets/express
ROUNDS=${ROUNDS:-5}
BURST=${BURST:-16}

. "$EXPRESS/runs.sh"
passed=0 failed=0

command -v node >/dev/null || { echo "express_race: node is not installed"; echo "0 passed, 1 failed"; exit 1; }
[ -d "$EXPRESS/node_modules" ] || (cd "$EXPRESS" && timeout 1800 npm ci --no-audit --no-fund >/dev/null 2>&1) \
  || { echo "express_race: npm ci failed"; echo "0 passed, 1 failed"; exit 1; }

field() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).'"$2"' ?? "")' "$EXPRESS/$1/expected.json"; }

targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <("$EXPRESS/launch.sh" list)
printf '%-26s %-7s %s\n' target expected "rounds broken"
for t in "${targets[@]}"; do
  expected=$(field "$t" expected); model=$(field "$t" model)
  case "$model" in
    # Keyed targets: concurrent duplicates of one key, or, where only successes
    # are stored, retries of refused requests.
    account) case "$(field "$t" 'keys?.replays')" in
               every-response) demo=idem ;; successes) demo=idem-refusal ;; *) demo=bank ;;
             esac ;;
    unique-create) demo=users ;;
    inventory) demo=inventory ;;
    *) echo "FAIL $t: no demo for model $model"; failed=$((failed + 1)); continue ;;
  esac
  express_postgres_for "$t"
  pidfile=$WORK/$t.pids
  if ! urls=$(timeout 60 "$EXPRESS/launch.sh" start "$t" "$pidfile" 2>"$WORK/err"); then
    echo "FAIL $t: did not start"; cat "$WORK/err"; failed=$((failed + 1)); "$EXPRESS/launch.sh" stop "$pidfile"; continue
  fi
  broken=0 errors=0 example=""
  for ((r = 1; r <= ROUNDS; r++)); do
    # shellcheck disable=SC2086
    out=$(timeout 60 node "$EXPRESS/race-demo.js" "$demo" $urls --n "$BURST" 2>&1); rc=$?
    case $rc in
      0) ;;
      1) broken=$((broken + 1)); [ -n "$example" ] || example=$(grep VIOLATION <<<"$out" | head -n 1) ;;
      *) errors=$((errors + 1)); echo "    $t round $r: $out" ;;
    esac
  done
  "$EXPRESS/launch.sh" stop "$pidfile"
  printf '%-26s %-7s %d/%d %s\n' "$t" "$expected" "$broken" "$ROUNDS" "$example"
  if [ $errors -gt 0 ] || { [ "$expected" = safe ] && [ $broken -gt 0 ]; } || { [ "$expected" = buggy ] && [ $broken -eq 0 ]; }; then
    echo "FAIL $t: expected $expected, broken in $broken of $ROUNDS rounds ($errors errors)"
    failed=$((failed + 1))
  else
    passed=$((passed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
