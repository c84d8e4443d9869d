#!/usr/bin/env bash
# README command 2: set up and run the whole test suite on a fresh Debian 12 machine:
#   1. release build: every unit, integration and corpus test (ctest);
#   2. ASan+UBSan build: the same minus the "slow" label;
#   3. TSan build: the concurrent code (harness and targets tests);
#   4. the Express example targets: smoke test, then the detection matrix
#      (racecheck against every target, 3 rounds each: no miss, no false alarm);
#   5. the libFuzzer targets, each for a bounded time (clang).
# Environment: RACECHECK_SKIP="asan tsan express fuzz" skips parts (for local use;
# CI runs everything). The last line counts the parts: "suites: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh node postgres chromium clang || exit 1
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
  suite "asan+ubsan: build and ctest (no slow tests)" \
    env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    bash -c 'scripts/build.sh asan && cd build/asan && ctest --output-on-failure --timeout 600 -j 2 -LE slow'
fi
if ! skipped tsan; then
  # TSan: the concurrent code only (executor, demo bank, the gate end to end).
  suite "tsan: build and ctest (harness, targets)" \
    env TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    bash -c 'scripts/build.sh tsan racecheck racecheck-demo-target harness_tests targets_tests && cd build/tsan && ctest --output-on-failure --timeout 600 -j 2 -LE slow -R "^(harness|targets)\\."'
fi
if ! skipped express; then
  suite "express targets: smoke" tests/targets/express_smoke.sh
  suite "express targets: detection matrix" \
    targets/express/matrix.sh --rounds "$MATRIX_ROUNDS" --budget "$MATRIX_BUDGET" --racecheck build/release/harness/racecheck
fi
if ! skipped fuzz && [ -x fuzz/run.sh ]; then
  suite "fuzz: libFuzzer targets, bounded" fuzz/run.sh 30
fi

echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
