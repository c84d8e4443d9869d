#!/usr/bin/env bash
# Installs what racecheck needs on a fresh Debian 12 machine (runs as root or with
# sudo). Prints each package it installs; installs nothing that is already there.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  librapidcheck-dev libgtest-dev libgmock-dev
  libcurl4-openssl-dev nlohmann-json3-dev libcli11-dev libcpp-httplib-dev
  libnghttp2-dev libssl-dev
  libxml2-utils libyaml-cpp-dev help2man dpkg-dev
)
# Extra packages for a part of the suite: scripts/setup.sh --with node postgres chromium bench nginx
for extra in "$@"; do
  case "$extra" in
    node) PACKAGES+=(nodejs npm) ;;
    postgres) PACKAGES+=(postgresql) ;;
    chromium) PACKAGES+=(chromium) ;;
    clang) PACKAGES+=(clang libclang-rt-14-dev) ;;
    bench) PACKAGES+=(wrk hyperfine) ;;
    nginx) PACKAGES+=(nginx-light openssl) ;;  # the HTTP/2 and TLS tests (scripts/nginx.sh)
    --with) ;;
    *) echo "setup.sh: unknown extra '$extra' (node, postgres, chromium, clang, bench, nginx)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${PACKAGES[@]}"; do
  if [ "$p" = nodejs ] || [ "$p" = npm ]; then
    command -v "${p/nodejs/node}" >/dev/null 2>&1 && continue
  fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: all packages present"
fi
