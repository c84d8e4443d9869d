#!/usr/bin/env bash
# Runs racecheck against every Express example target ROUNDS times and checks
# that it flags exactly the buggy ones: prints a table (target,
# expected, verdict, time to first violation, minimal scenario size,
# reproduction rate) and exits non-zero on any miss (a round of a buggy target
# without a violation) or false alarm (a violation on a safe target). A buggy
# target whose expected.json names the violation it must show
# ("violates": {"invariant", "kind"}, or a list of such, any of which will do;
# the kind is one violation kind or a list of kinds, any of which will do) is detected only by a violation of that
# invariant and kind; a round that fails only some other way counts as a miss
# and is shown as "other".
#
#   targets/express/matrix.sh [--rounds R] [--budget 20s] [--seed N]
#                             [--racecheck PATH] [--out DIR] [TARGET...]
#
# Each round starts the target afresh (launch.sh), runs
#   racecheck run SPEC --target URL [--target URL2] --budget B --seed S --json OUT.json
# (exit 0: no violation, 1: violation, anything else: an error) and stops the
# target by pid. PostgreSQL targets share one throwaway cluster (scripts/pg.sh).
# Round r of every target uses seed SEED + r - 1, so a table is reproducible.
#
# A row "nginx-h2:NAME" runs target NAME behind a throwaway nginx
# (scripts/nginx.sh) over HTTP/2 with TLS (--http2 --cacert, its test CA).
# NAME is an Express target or demo-racy / demo-safe, the demo bank (buggy /
# safe, spec targets/demo/spec.json). Without TARGET arguments the matrix runs
# every Express target, then nginx-h2:demo-racy, nginx-h2:demo-safe and
# nginx-h2:mem-await (when nginx is installed: scripts/setup.sh --with nginx).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ROUNDS=3
BUDGET=20s
SEED=1
RACECHECK=${RACECHECK:-}
OUT=""
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --budget) BUDGET=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --racecheck) RACECHECK=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "matrix.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [ -z "$RACECHECK" ]; then
  for candidate in "$ROOT/build/release/racecheck" "$ROOT/build/release/cli/racecheck"; do
    [ -x "$candidate" ] && RACECHECK=$candidate && break
  done
fi
[ -n "$RACECHECK" ] && [ -x "$RACECHECK" ] || { echo "matrix.sh: no racecheck binary (scripts/build.sh, or --racecheck PATH)" >&2; exit 2; }
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "matrix.sh: --rounds must be a positive integer" >&2; exit 2; }
budget_s=${BUDGET%s}
[[ "$budget_s" =~ ^[0-9]+$ ]] || { echo "matrix.sh: --budget must be whole seconds such as 20s" >&2; exit 2; }
# Budget for the search, then shrinking and reproduction; beyond this a run hangs.
RUN_TIMEOUT_S=$((budget_s * 3 + 90))

[ -d "$HERE/node_modules" ] || (cd "$HERE" && timeout 1800 npm ci --no-audit --no-fund >/dev/null 2>&1) \
  || { echo "matrix.sh: npm ci failed in $HERE" >&2; exit 2; }
NGINX_ROWS=(nginx-h2:demo-racy nginx-h2:demo-safe nginx-h2:mem-await)
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <("$HERE/launch.sh" list)
  if [ -x "${NGINX:-/usr/sbin/nginx}" ]; then
    targets+=("${NGINX_ROWS[@]}")
  else
    echo "matrix.sh: no nginx: the rows ${NGINX_ROWS[*]} are not run (scripts/setup.sh --with nginx)" >&2
  fi
fi

. "$HERE/runs.sh"
KEEP_RESULTS=0
if [ -n "$OUT" ]; then KEEP_RESULTS=1; else OUT=$WORK/results; fi
mkdir -p "$OUT"

# One summary line per round from racecheck's JSON result:
#   <violation 0|1> <seconds to first violation or -> <clients/ops of the minimal scenario or -> <repro failures/runs or ->
summarize() {
  node -e '
    const fs = require("fs");
    let r;
    try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch { console.log("- - -"); process.exit(0); }
    const s = r.stats || {};
    const first = s.time_to_first_violation_s ?? s.first_violation_s;
    const t = typeof first === "number" ? first.toFixed(2) : "-";
    const m = r.minimal_scenario;
    const size = m && Array.isArray(m.clients)
      ? `${m.clients.length}c/${m.clients.reduce((n, c) => n + (c.ops ? c.ops.length : 0), 0)}ops` : "-";
    const rep = r.reproduction && r.reproduction.runs > 0 ? `${r.reproduction.failures}/${r.reproduction.runs}` : "-";
    console.log(`${t} ${size} ${rep}`);
  ' "$1"
}

# Whether a result JSON holds a failed verdict of the invariant EXPECTED.json
# names in "violates", with a violation of one of its kinds: prints yes or no.
shows_violation() {  # shows_violation RESULT.json EXPECTED.json
  node -e '
    const fs = require("fs");
    const [file, expectedFile] = process.argv.slice(1);
    const expected = [].concat(JSON.parse(fs.readFileSync(expectedFile, "utf8")).violates);
    let r;
    try { r = JSON.parse(fs.readFileSync(file, "utf8")); } catch { console.log("no"); process.exit(0); }
    const hit = expected.some(({ invariant, kind }) => (r.verdicts || []).some((v) =>
      v.invariant === invariant && v.status === "fail" &&
      (v.violations || []).some((x) => [].concat(kind).includes(x.kind))));
    console.log(hit ? "yes" : "no");
  ' "$@"
}

misses=0 false_alarms=0 errors=0 problems=()
row() { printf '%-26s %-30s %-22s %-10s %-10s %-8s %s\n' "$@"; }
row target expect verdict first_viol minimal repro result
# The target a row runs (nginx-h2:NAME runs NAME), its expected.json and spec.
row_files() {  # row_files ROW: sets base, expected_file, spec_file
  base=${1#nginx-h2:}
  case "$base" in
    demo-racy|demo-safe)
      expected_file=$WORK/$base.expected.json
      spec_file=$ROOT/targets/demo/spec.json
      if [ "$base" = demo-racy ]; then echo '{"expected": "buggy"}' > "$expected_file"
      else echo '{"expected": "safe"}' > "$expected_file"; fi ;;
    *) expected_file=$HERE/$base/expected.json; spec_file=$HERE/$base/spec.json ;;
  esac
}

for t in "${targets[@]}"; do
  row_files "$t"
  exp=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1])).expected' "$expected_file")
  # The invariant a buggy target must be caught breaking, or empty.
  violates=$(node -p 'const v = JSON.parse(require("fs").readFileSync(process.argv[1])).violates; v ? [].concat(v).map((x) => x.invariant).join("|") : ""' "$expected_file")
  expect_label=$exp
  [ -n "$violates" ] && expect_label="$exp: $violates"
  express_postgres_for "$base" || { echo "matrix.sh: PostgreSQL did not start" >&2; cat "$WORK/pg.err" >&2; exit 3; }
  found=0 other=0 target_errors=0 first_times=() minimal="-" repro="-"
  for ((r = 1; r <= ROUNDS; r++)); do
    seed=$((SEED + r - 1))
    pidfile=$WORK/$t.pids
    if ! urls=$("$HERE/launch.sh" start "$base" "$pidfile" 2>"$OUT/$t.$r.launch.err"); then
      target_errors=$((target_errors + 1)); "$HERE/launch.sh" stop "$pidfile"; continue
    fi
    target_args=()
    for u in $urls; do target_args+=(--target "$u"); done
    nginx_dir=""
    if [ "$t" != "$base" ]; then
      nginx_dir=$WORK/nginx.$r
      if ! nginx_env=$("$ROOT/scripts/nginx.sh" start "$nginx_dir" "${urls%%$'\n'*}" 2>>"$OUT/$t.$r.launch.err"); then
        target_errors=$((target_errors + 1)); "$ROOT/scripts/nginx.sh" stop "$nginx_dir"; "$HERE/launch.sh" stop "$pidfile"
        continue
      fi
      eval "$nginx_env"
      target_args=(--target "$NGINX_H2_URL" --http2 --cacert "$NGINX_CA")
    fi
    timeout "$RUN_TIMEOUT_S" "$RACECHECK" run "$spec_file" "${target_args[@]}" \
      --budget "$BUDGET" --seed "$seed" --json "$OUT/$t.$r.json" > "$OUT/$t.$r.log" 2>&1
    rc=$?
    [ -z "$nginx_dir" ] || "$ROOT/scripts/nginx.sh" stop "$nginx_dir"
    "$HERE/launch.sh" stop "$pidfile"
    read -r first size rep < <(summarize "$OUT/$t.$r.json")
    case $rc in
      0) ;;
      1) if [ -n "$violates" ] && [ "$(shows_violation "$OUT/$t.$r.json" "$expected_file")" != yes ]; then
           other=$((other + 1)); continue
         fi
         found=$((found + 1)); [ "$first" != "-" ] && first_times+=("$first")
         [ "$minimal" = "-" ] && minimal=$size && repro=$rep ;;
      *) target_errors=$((target_errors + 1)); echo "    $t round $r: racecheck exited $rc (log: $OUT/$t.$r.log)" >&2 ;;
    esac
  done
  first_viol="-"
  if [ ${#first_times[@]} -gt 0 ]; then  # the median round
    first_viol=$(printf '%s\n' "${first_times[@]}" | sort -g | sed -n "$(( (${#first_times[@]} + 1) / 2 ))p")s
  fi
  ran=$((ROUNDS - target_errors))
  if [ $target_errors -gt 0 ]; then
    result=ERROR; errors=$((errors + target_errors))
  elif [ "$exp" = buggy ] && [ $found -lt "$ROUNDS" ]; then
    result=MISS; misses=$((misses + ROUNDS - found))
  elif [ "$exp" = safe ] && [ $((found + other)) -gt 0 ]; then
    result=FALSE-ALARM; false_alarms=$((false_alarms + found + other))
  else
    result=ok
  fi
  verdict="violation $found/$ran"
  [ $other -gt 0 ] && verdict="$verdict (+$other other)"
  row "$t" "$expect_label" "$verdict" "$first_viol" "$minimal" "$repro" "$result"
  if [ "$result" != ok ]; then
    problems+=("$t: $result, $verdict")
    for ((r = 1; r <= ROUNDS; r++)); do
      while IFS= read -r line; do problems+=("  round $r: $line"); done \
        < <(grep -E '^racecheck:|^  fail' "$OUT/$t.$r.log" 2>/dev/null | head -4)
    done
  fi
done
[ $KEEP_RESULTS -eq 1 ] && echo "racecheck results and logs: $OUT"
# Repeated last, where a CI log's tail shows it.
for p in "${problems[@]}"; do echo "  $p"; done
echo "misses $misses, false alarms $false_alarms, errors $errors"
[ $misses -eq 0 ] && [ $false_alarms -eq 0 ] && [ $errors -eq 0 ]
