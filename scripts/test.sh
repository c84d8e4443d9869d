#!/usr/bin/env bash
# README command 2: set up and run the whole test suite on a fresh Debian 12 machine:
#   1. release build: every unit, integration and corpus test (ctest);
#   2. ASan+UBSan build: the checkers and the demo bank;
#   3. TSan build: the threaded code (executor against a threaded server, demo bank);
#   4. the Express example targets: smoke test, then the detection matrix
#      (racecheck against every target, 3 rounds each: no miss, no false alarm);
# Environment: RACECHECK_SKIP="asan tsan express" skips parts (for local use;
# CI runs everything). The last line counts the parts: "suites: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh node postgres chromium || exit 1
export RACECHECK_CORPUS=${RACECHECK_CORPUS:-$(cd .. && pwd)/shared/corpus/porcupine}
SKIP=" ${RACECHECK_SKIP:-} "
MATRIX_ROUNDS=${MATRIX_ROUNDS:-3}
MATRIX_BUDGET=${MATRIX_BUDGET:-8s}

passed=0 failed=0
suite() {  # suite <name> <command...>
  local name=$1; shift
  local t0=$SECONDS
  echo "=== $name"
  if "$@"; then
    passed=$((passed + 1)); echo "=== $name: passed ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1)); echo "=== $name: FAILED ($((SECONDS - t0)) s)"
  fi
}
skipped() { [[ "$SKIP" == *" $1 "* ]]; }
build_and_test() {  # build_and_test <config> [ctest args...]
  local cfg=$1; shift
  scripts/build.sh "$cfg" || return 1
  (cd "build/$cfg" && ctest --output-on-failure --timeout 600 "$@")
}

suite "release: build and ctest" build_and_test release -j 2
if ! skipped asan; then
  # ASan+UBSan: the pure checkers (models, linearizability, the Porcupine corpus)
  # and the demo bank.
  suite "asan+ubsan: build and ctest (properties, demo bank)" \
    env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    bash -c 'scripts/build.sh asan properties_tests racecheck-demo-target targets_demo_bank_test targets_demo_target_itest && cd build/asan && ctest --output-on-failure --timeout 900 -j 2 -R "^(properties\\.|targets\\.Demo)"'
fi
if ! skipped tsan; then
  # TSan: the code that runs threads — the executor against a threaded server, and
  # the demo bank (its own tests and the standalone binary).
  suite "tsan: build and ctest (executor, demo bank)" \
    env TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    bash -c 'scripts/build.sh tsan racecheck-demo-target harness_executor_itest targets_demo_bank_test targets_demo_target_itest && cd build/tsan && ctest --output-on-failure --timeout 600 -j 2 -R "^(harness\\.ExecutorITest|targets\\.Demo)"'
fi
if ! skipped express; then
  suite "express targets: smoke" tests/targets/express_smoke.sh
  suite "express targets: detection matrix" \
    targets/express/matrix.sh --rounds "$MATRIX_ROUNDS" --budget "$MATRIX_BUDGET" --racecheck build/release/harness/racecheck
fi

echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
