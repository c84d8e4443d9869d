#!/bin/sh
# Renders an HTML report to a PNG with Debian's headless Chromium (no download,
# no network: the report is one offline file).
#   reports/screenshot.sh REPORT.html OUT.png [WIDTH HEIGHT]
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 REPORT.html OUT.png [WIDTH HEIGHT]" >&2
  exit 2
fi
html=$(realpath "$1")
out=$(realpath -m "$2")
width=${3:-1440}
height=${4:-1900}
chromium=/usr/bin/chromium
[ -x "$chromium" ] || { echo "$0: $chromium is missing (apt-get install -y chromium)" >&2; exit 3; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# timeout stops chromium (by its pid) if it hangs; --virtual-time-budget lets the
# timeline script finish before the capture.
timeout -k 5 90 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage \
  --user-data-dir="$profile" --hide-scrollbars --virtual-time-budget=5000 \
  --window-size="$width,$height" --screenshot="$out" "file://$html" 2>/dev/null
[ -s "$out" ] || { echo "$0: no screenshot written" >&2; exit 1; }
echo "$out"
