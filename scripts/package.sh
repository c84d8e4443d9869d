#!/usr/bin/env bash
# Builds the Debian package into build/release: racecheck_<version>_<arch>.deb
# (the binary, the man page, the docs and the example specs; Depends computed
# by dpkg-shlibdeps). Prints the path of the .deb as its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh release racecheck racecheck_man
cd build/release
rm -f racecheck_*.deb
cpack -G DEB >/dev/null
ls -1 "$PWD"/racecheck_*.deb
