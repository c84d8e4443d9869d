#!/usr/bin/env bash
# scripts/test.sh suite "package": builds the .deb, installs it with apt-get,
# runs the INSTALLED /usr/bin/racecheck (--version, `demo` writing a report,
# the man page), then removes the package so the machine is left as before.
set -uo pipefail
cd "$(dirname "$0")/.."
deb=$(scripts/package.sh | tail -1) || { echo "package: building the .deb failed"; exit 1; }
[ -f "$deb" ] || { echo "package: no .deb at '$deb'"; exit 1; }
if dpkg-query -W -f='${Status}' racecheck 2>/dev/null | grep -q "install ok installed"; then
  echo "package: racecheck is already installed here; not replacing it"; exit 1
fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
tmp=$(mktemp -d)
cleanup() { $SUDO apt-get remove -y -qq racecheck >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$deb" >/dev/null || { echo "package: apt-get install failed"; exit 1; }
depends=$(dpkg-query -W -f='${Depends}' racecheck); echo "Depends: $depends"
[[ "$depends" == *libcurl4* ]] || { echo "package: Depends lacks libcurl4 (racecheck opens it at run time)"; exit 1; }
/usr/bin/racecheck --version || exit 1
# The embedded demo bank, racy by default: a violation (exit 1) with a report.
(cd "$tmp" && timeout -s KILL 300 /usr/bin/racecheck demo --budget 20s --json "$tmp/demo.json" --quiet)
code=$?
[ "$code" -eq 1 ] || { echo "package: installed racecheck demo exited $code (expected 1: the racy bank)"; exit 1; }
grep -q '"version"' "$tmp/demo.json" || { echo "package: the report names no version"; exit 1; }
man_page=$(man -w racecheck 2>/dev/null || true)
[ -n "$man_page" ] || man_page=/usr/share/man/man1/racecheck.1.gz
[ -f "$man_page" ] || { echo "package: no man page"; exit 1; }
[ -f /usr/share/doc/racecheck/examples/demo-bank.json ] || { echo "package: no example specs"; exit 1; }
echo "package: installed, ran the demo, man page at $man_page"
