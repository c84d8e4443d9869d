#!/usr/bin/env bash
# Configures and builds one configuration into build/<name> [targets...]:
#   release (default) | asan (ASan+UBSan) | tsan
set -euo pipefail
cd "$(dirname "$0")/.."
cfg=${1:-release}
case "$cfg" in
  release) flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  asan)    flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DRACECHECK_SANITIZE=address) ;;
  tsan)    flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DRACECHECK_SANITIZE=thread) ;;
  *) echo "build.sh: unknown configuration '$cfg' (release, asan, tsan)" >&2; exit 2 ;;
esac
mkdir -p build
# One build at a time per configuration: concurrent ninja runs in one build
# directory corrupt each other (several people or helpers share a checkout).
exec 9>"build/.$cfg.lock"
flock 9
cmake -S . -B "build/$cfg" -G Ninja "${flags[@]}" >/dev/null
shift || true
# Extra arguments name targets to build (default: everything).
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "build/$cfg" -j "$(nproc)" "${targets[@]}"
