#!/usr/bin/env bash
# Builds muppy and runs every test (C unit tests, fuzz corpus replay,
# Python dumper tests on each CPython found, command and end-to-end tests).
# Usage: tools/test.sh [--sanitize]   (ASan+UBSan build in build-asan/)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$("$top/tools/build.sh" "$@")
cd "$dir"
ctest --output-on-failure -j 2
