#!/usr/bin/env bash
# Configures and builds muppy into BUILD_DIR (default: build).
# Usage: tools/build.sh [--sanitize] [extra cmake -D options...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/tools/deps.sh"

dir=${BUILD_DIR:-$top/build}
args=()
if [ "${1:-}" = "--sanitize" ]; then
    shift
    dir=${BUILD_DIR:-$top/build-asan}
    args+=(-DMUPPY_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
fi
log="$(mktemp)"
cmake -S "$top" -B "$dir" "${args[@]}" "$@" >"$log" 2>&1 \
    || { cat "$log" >&2; rm -f "$log"; exit 1; }
rm -f "$log"
cmake --build "$dir" -j "$(nproc)" >&2
echo "$dir"
