#!/bin/sh
# Builds (if needed) and runs the burst-spread benchmark on 127.0.0.1.
# Prints, for N = 8, 32, 128, the median server-side arrival spread (kernel
# receive timestamps of each request's final byte) over 20 bursts on reused
# connections, and each method's ratio to the floor (one thread send()ing the
# last bytes). Extra arguments go to the driver, e.g. --sizes 32 --bursts 50.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build/bench}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" -j2 --target racecheck-burst-bench >/dev/null
exec timeout 600 "$build/bench/burst/racecheck-burst-bench" "$@"
