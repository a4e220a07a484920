#!/bin/sh
# The data and ML heap test (test_data.py): with the first interpreter
# found that imports numpy, pandas, torch, PIL and lxml (Debian's
# python3-* packages serve the system's python3: tools/deps.sh --data),
# after pip-installing the package for it into a temporary directory.
#
# Interpreters tried: every python3 on PATH (`which -a`), then pyenv's.
# Exit status: 0 passed; 1 failed; 77 (skipped, for ctest) when no
# interpreter has the libraries, a failure under MUPPY_REQUIRE_ALL=1.
# MUPPY_DATA_SCALE=1 runs the issue's sizes (about 2 GB of RSS).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/muppy-data.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

candidates=$(which -a python3 2>/dev/null)
if command -v pyenv >/dev/null 2>&1; then
    for v in $(pyenv versions --bare 2>/dev/null); do
        p=$(pyenv prefix "$v" 2>/dev/null) || continue
        [ -x "$p/bin/python3" ] && candidates="$candidates $p/bin/python3"
    done
fi
exe=""
for c in $candidates; do
    if "$c" -c 'import numpy, pandas, torch, PIL.Image, lxml.etree' \
            >/dev/null 2>&1; then
        exe=$c
        break
    fi
done
if [ -z "$exe" ]; then
    echo "test_data: no python3 here imports numpy, pandas, torch, PIL and" \
         "lxml (tools/deps.sh --data installs them)"
    [ "${MUPPY_REQUIRE_ALL:-0}" = 1 ] && exit 1
    exit 77
fi
echo "test_data: $("$exe" -c 'import sys; print(sys.version.split()[0])')" \
     "($exe), scale ${MUPPY_DATA_SCALE:-0.2}"
if ! (cd "$root" && MUPPY_CFLAGS="-Wall -Wextra -Werror" "$exe" -m pip \
        install --no-build-isolation --no-deps --no-index \
        --disable-pip-version-check -q --target "$work/pkg" ./) \
        >"$work/build.log" 2>&1; then
    echo "test_data: the package does not build for $exe"
    tail -30 "$work/build.log"
    exit 1
fi
cd "$here" && PYTHONPATH="$work/pkg" PYTHONDONTWRITEBYTECODE=1 \
    TMPDIR="$work" "$exe" -m unittest -v test_data
