#!/usr/bin/env bash
# README command 2: set up and run the whole test suite: release build, then the
# unit and integration tests again under ASan+UBSan and under TSan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export RACECHECK_CORPUS=${RACECHECK_CORPUS:-$(cd .. && pwd)/shared/corpus/porcupine}

status=0
run_suite() {  # run_suite <config> [ctest args...]
  local cfg=$1; shift
  echo "=== $cfg: build"
  scripts/build.sh "$cfg"
  echo "=== $cfg: test"
  (cd "build/$cfg" && ctest --output-on-failure --timeout 600 -j 2 "$@") || status=1
}

run_suite release
# Sanitizer builds: everything but the slow corpus-wide and matrix suites.
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 run_suite asan -LE slow
TSAN_OPTIONS=halt_on_error=1 run_suite tsan -LE slow
exit $status
