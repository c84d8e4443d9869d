#!/usr/bin/env bash
# README command 1: set up, build, and run racecheck against its embedded demo bank.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
mkdir -p out
exec build/release/harness/racecheck demo --html out/demo-report.html "$@"
