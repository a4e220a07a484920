#!/bin/sh
# trend_bench.sh [SCALE] [N] - time muppy-analyze trend over N snapshots
# (default 10) of a heapgen heap (bench/heapgen.py) at SCALE
# (default 100000) that leaks 100 LeakedSession objects between each two
# (a benchmark, not a test).  Prints the median wall time and peak RSS of
# RUNS runs (default 3), beside summary on one snapshot as the baseline.
#
# Environment: BUILD=dir (default build), BENCH_DIR=dir (default: a
# temporary folder, removed unless BENCH_KEEP=1), RUNS=n.
set -eu
SCALE=${1:-100000}
N=${2:-10}
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
AN=$BUILD/analyzer/muppy-analyze
PY=${PYTHON:-python3}
HEAPGEN_DIR=$ROOT/bench
[ -x "$AN" ] || { echo "trend_bench: '$AN' not built" >&2; exit 1; }
[ -f "$HEAPGEN_DIR/heapgen.py" ] || {
    echo "trend_bench: '$HEAPGEN_DIR/heapgen.py' not found" >&2; exit 1; }
if [ -n "${BENCH_DIR:-}" ]; then
    DIR=$BENCH_DIR
    mkdir -p "$DIR"
else
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/muppy-trend-XXXXXX")
    [ "${BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$DIR"' EXIT INT TERM
fi
if [ ! -f "$DIR/s$N.snap" ]; then
    echo "dumping heapgen --scale $SCALE $N times into $DIR ..." >&2
    PYTHONPATH="$BUILD/python" "$PY" - "$HEAPGEN_DIR" "$DIR" "$SCALE" \
        "$N" <<'PYEOF'
import gc, sys
sys.path.insert(0, sys.argv[1])
import heapgen, muppy
d, scale, n = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
heapgen.build(scale)
for i in range(1, n + 1):
    for k in range(100):
        heapgen.EventBus.subscribe(heapgen.LeakedSession(k).on_event)
    gc.collect()
    muppy.dump("%s/s%d.snap" % (d, i))
PYEOF
fi
SNAPS=$(i=1; while [ $i -le "$N" ]; do printf '%s ' "$DIR/s$i.snap"; \
        i=$((i + 1)); done)
OBJECTS=$("$AN" info --json "$DIR/s1.snap" | "$PY" -c \
    'import json,sys; print(json.load(sys.stdin)["objects"])')
echo "$N snapshots of $OBJECTS objects; $RUNS runs each; median shown"
printf '%-36s %9s %10s\n' command seconds "peak MiB"
bench() {
    name=$1
    shift
    : >"$DIR/times"
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        /usr/bin/time -f "%e %M" -o "$DIR/tv" "$@" >/dev/null
        cat "$DIR/tv" >>"$DIR/times"
        i=$((i + 1))
    done
    sort -n "$DIR/times" | "$PY" -c '
import statistics, sys
rows = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
print("%-36s %9.3f %10.1f" % (sys.argv[1],
      statistics.median(r[0] for r in rows),
      statistics.median(r[1] for r in rows) / 1024))' "$name"
}
bench "summary s1.snap (baseline)" "$AN" summary "$DIR/s1.snap"
# shellcheck disable=SC2086
bench "trend s1 .. s$N" "$AN" trend $SNAPS
