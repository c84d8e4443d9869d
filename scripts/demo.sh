#!/usr/bin/env bash
# README command 1: set up, build, and run racecheck against its embedded demo bank.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Only the binary the demo runs (the demo bank is linked into it): no tests or benchmarks.
scripts/build.sh release racecheck
mkdir -p out
exec build/release/cli/racecheck demo --html out/demo-report.html "$@"
