#!/usr/bin/env bash
# The main job, end to end: installs the build dependencies if missing,
# builds muppy, runs the sample program samples/programs/leaky_cache.py
# (which dumps its own heap before and after serving requests), and hunts
# its leak with muppy-analyze.  Snapshots go to DEMO_DIR (default demo/).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$("$top/tools/build.sh")
out=${DEMO_DIR:-$top/demo}
mkdir -p "$out"

export PYTHONPATH="$dir/python${PYTHONPATH:+:$PYTHONPATH}"
analyze="$dir/analyzer/muppy-analyze"
# the interpreter CMake built the extension for
py=$(sed -n 's/^_\{0,1\}Python3_EXECUTABLE:[A-Z]*=//p' "$dir/CMakeCache.txt" \
     | head -n 1)
py=${py:-python3}

run() { printf '\n$ %s\n' "$*"; "$@"; }

run "$py" "$top/samples/programs/leaky_cache.py" "$out"
run "$analyze" info "$out/after.snap"
run "$analyze" summary --top 8 "$out/after.snap"
run "$analyze" diff --top 8 "$out/before.snap" "$out/after.snap"
run "$analyze" diff --objects --top 5 "$out/before.snap" "$out/after.snap"
run "$analyze" diff --growth --top 3 "$out/before.snap" "$out/after.snap"
run "$analyze" paths --type RequestContext "$out/after.snap"
addr=$("$analyze" paths --type RequestContext "$out/after.snap" \
       | grep -o '@0x[0-9a-f]*' | head -n 1 | tr -d @)
run "$analyze" referrers --depth 3 --max-children 3 "$out/after.snap" "$addr"
run "$analyze" dominators "$out/after.snap" "$addr"
run "$analyze" retained --top 3 "$out/after.snap"
run "$analyze" retained --by type --top 5 "$out/after.snap"
# the same program, dumped by the muppy-dump command when it ends
run "$py" -m muppy run -o "$out/exit.snap" \
    "$top/samples/programs/leaky_cache.py"
run "$analyze" summary --top 5 "$out/exit.snap"
