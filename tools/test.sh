#!/usr/bin/env bash
# Builds muppy and runs every test (C unit tests, fuzz corpus replay, sample
# test vectors, dumper tests on each CPython found, command and end-to-end
# tests).
# Usage: tools/test.sh [--sanitize]
#   --sanitize: ASan+UBSan build in build-asan/; skips the tests labeled
#   "slow" (the per-interpreter wheel builds, which do not use the
#   sanitized code).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
ctest_args=()
[ "${1:-}" = "--sanitize" ] && ctest_args+=(-LE slow)
dir=$("$top/tools/build.sh" "$@")
cd "$dir"
ctest --output-on-failure -j 2 "${ctest_args[@]}"
