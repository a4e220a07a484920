#!/usr/bin/env bash
# Installs the Debian packages muppy needs to build and test, when missing.
# Sourced or run by demo.sh, test.sh and .ci/run; needs root (or sudo) only
# when something is missing.
#
# Usage: tools/deps.sh [--exports] [--data]
#   --exports: also the tools the export tests check with (Graphviz,
#   Chromium, node and npm, then memlab and playwright-core from the npm
#   registry into tests/analyzer/js/node_modules, as package-lock.json
#   pins them; no browser is downloaded: Debian's chromium is used).
#   --data: also the libraries of the data and ML heap test
#   (tests/dumper/test_data.sh) for the system's python3: numpy, pandas,
#   torch, PIL and lxml.
set -euo pipefail

MUPPY_DEPS=(gcc make cmake pkg-config libzstd-dev libcunit1-dev python3-venv
            python3 python3-dev python3-pip clang time zstd gdb)
exports=no
for arg in "$@"; do
    case "$arg" in
    --exports)
        exports=yes
        MUPPY_DEPS+=(graphviz chromium)
        # node 18 or later: Debian's nodejs, unless a node is there already
        command -v node >/dev/null 2>&1 || MUPPY_DEPS+=(nodejs)
        command -v npm >/dev/null 2>&1 || MUPPY_DEPS+=(npm)
        ;;
    --data)
        MUPPY_DEPS+=(python3-numpy python3-pandas python3-torch python3-pil
                     python3-lxml)
        ;;
    *)
        echo "usage: tools/deps.sh [--exports] [--data]" >&2
        exit 2
        ;;
    esac
done

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

if [ "$exports" = yes ]; then
    js="$(cd "$(dirname "$0")/.." && pwd)/tests/analyzer/js"
    if [ ! -d "$js/node_modules/@memlab/heap-analysis" ] \
       || [ ! -d "$js/node_modules/playwright-core" ] \
       || [ "$js/package-lock.json" -nt "$js/node_modules" ]; then
        echo "muppy: npm ci in $js" >&2
        (cd "$js" && PUPPETEER_SKIP_DOWNLOAD=1 \
            PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
            npm ci --no-audit --no-fund --ignore-scripts >&2)
    fi
fi
