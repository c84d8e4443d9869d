#!/usr/bin/env bash
# README command 2: set up and run the whole test suite on a fresh Debian 12 machine:
#   1. release build: every unit, integration and corpus test (ctest);
#   2. ASan+UBSan build (clang): every unit and integration test;
#   3. the libFuzzer targets (built by step 2), FUZZ_SECONDS (30) each;
#   4. TSan build: every unit and integration test of the concurrent code (the
#      harness and the targets; the checkers and renderers are single-threaded);
#   5. the Express example targets: smoke test, then the detection matrix
#      (racecheck against every target, 3 rounds each: no miss, no false alarm);
#   6. standalone: no file refers outside the repository, and the corpus tests
#      pass in a copy of the repository with nothing beside it;
#   7. package: the .deb builds, installs with apt-get, and the installed
#      racecheck runs the demo; then it is removed again;
# Environment: RACECHECK_SKIP="asan fuzz tsan express standalone package" skips parts (for local use;
# CI runs everything). The last line counts the parts: "suites: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh node postgres chromium clang nginx || exit 1
SKIP=" ${RACECHECK_SKIP:-} "
MATRIX_ROUNDS=${MATRIX_ROUNDS:-3}
MATRIX_BUDGET=${MATRIX_BUDGET:-5s}

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
# The sanitizer builds compile every library, tool and test (not the
# benchmarks) and run every unit and integration test; "slow" tests run only in
# the release build. Any sanitizer report fails the test that caused it.
# The jitter bench's self-check is the one benchmark test: its proxy and recorder
# are concurrent socket code, worth ASan's eye (ctest would report it NOT_BUILT).
sanitized_targets=(properties_tests harness_tests cli_tests reports_tests targets_tests racecheck racecheck-demo-target
                   bench_jitter_selfcheck_itest)
if ! skipped asan; then
  # ASan+UBSan (clang): the same build holds the libFuzzer targets, run next.
  suite "asan+ubsan: build and ctest (every unit and integration test)" \
    env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    bash -c 'scripts/build.sh asan "$@" fuzzers && cd build/asan && ctest --output-on-failure --timeout 900 -j 2 -LE slow' \
    _ "${sanitized_targets[@]}"
fi
if ! skipped fuzz; then
  # libFuzzer on the spec parser, the history reader and the response classifier:
  # the inputs that once crashed, then FUZZ_SECONDS each on the committed seeds.
  suite "fuzz: spec, history, classify (${FUZZ_SECONDS:-30} s each)" fuzz/run.sh "${FUZZ_SECONDS:-30}"
fi
if ! skipped tsan; then
  # properties/ and reports/ start no thread (pure functions of a history):
  # TSan has nothing to find there, and their tests are a fifth of its build.
  suite "tsan: build and ctest (every unit and integration test of harness/, cli/ and targets/)" \
    env TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp" \
    bash -c 'scripts/build.sh tsan "$@" && cd build/tsan && ctest --output-on-failure --timeout 900 -j 2 -LE slow -R "^(harness|cli|targets)\."' \
    _ harness_tests cli_tests targets_tests racecheck racecheck-demo-target
fi
if ! skipped express; then
  suite "express targets: smoke" tests/targets/express_smoke.sh
  suite "express targets: detection matrix" \
    targets/express/matrix.sh --rounds "$MATRIX_ROUNDS" --budget "$MATRIX_BUDGET" --racecheck build/release/cli/racecheck
fi

if ! skipped standalone; then
  suite "standalone: no outside reference; corpus tests from a bare copy" scripts/standalone.sh
fi

if ! skipped package; then
  suite "package: .deb installs and runs the demo" scripts/package_test.sh
fi

echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
