#!/usr/bin/env bash
# Installs the Debian packages muppy needs to build and test, when missing.
# Sourced or run by demo.sh, test.sh and .ci/run; needs root (or sudo) only
# when something is missing.
set -euo pipefail

MUPPY_DEPS=(gcc make cmake pkg-config libzstd-dev libcunit1-dev
            python3 python3-dev python3-pip clang time zstd)

missing=()
for pkg in "${MUPPY_DEPS[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" \
        || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "muppy: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q >&2
    $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
