#!/bin/sh
# analyze_bench.sh [SCALE] - time each muppy-analyze command on a heapgen
# heap (a benchmark, not a test).
#
# Dumps heapgen (bench/heapgen.py) at SCALE (default 1000000:
# about 6.3M objects, 10.6M edges) twice in one process with the muppy
# dumper - before and after planting a leak, then once more rebuilt with
# more leaked (c.snap, for leaks) - and a linked list of a
# million objects (chain.snap), then runs every command as a whole process
# under /usr/bin/time -v, 3 times each, and prints the median wall seconds
# and the peak RSS (MiB and bytes per object of the snapshot analyzed).  The baseline
# rows (reading the snapshot with cat, starting a process) show the floor
# and the noise of the machine in the same run.
#
# Environment:
#   BUILD=dir       build directory with analyzer/muppy-analyze and python/
#                   (default: the first of build, build-analyzer that has it)
#   BENCH_DIR=dir   where the snapshots go (default: a temporary folder,
#                   removed at the end unless BENCH_KEEP=1)
#   RUNS=n          runs per command (default 3)
#   LEAK=k          LeakedSession objects planted (default 1000)
#   BASELINE=file   another muppy-analyze (an earlier build): each command
#                   also runs with it, the two alternating run by run so
#                   that a change of the machine's load hits both, and the
#                   table adds its median seconds and the ratio new/base
set -eu

SCALE=${1:-1000000}
RUNS=${RUNS:-3}
LEAK=${LEAK:-1000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-python3}

if [ -z "${BUILD:-}" ]; then
    for b in "$ROOT/build" "$ROOT/build-analyzer"; do
        if [ -x "$b/analyzer/muppy-analyze" ]; then
            BUILD=$b
            break
        fi
    done
fi
AN=${BUILD:-}/analyzer/muppy-analyze
if [ ! -x "$AN" ]; then
    echo "analyze_bench: muppy-analyze not built (set BUILD=dir)" >&2
    exit 1
fi
HEAPGEN_DIR=$ROOT/bench
if [ ! -f "$HEAPGEN_DIR/heapgen.py" ]; then
    echo "analyze_bench: '$HEAPGEN_DIR/heapgen.py' not found" >&2
    exit 1
fi
if ! PYTHONPATH="$BUILD/python" "$PY" -c 'import muppy' 2>/dev/null; then
    echo "analyze_bench: the dumper is not built in '$BUILD/python'" >&2
    exit 1
fi
if [ -n "${BASELINE:-}" ] && [ ! -x "$BASELINE" ]; then
    echo "analyze_bench: BASELINE '$BASELINE' is not an executable" >&2
    exit 1
fi
if [ -x /usr/bin/time ]; then
    :
else
    echo "analyze_bench: /usr/bin/time is missing (apt-get install time)" >&2
    exit 1
fi

if [ -n "${BENCH_DIR:-}" ]; then
    DIR=$BENCH_DIR
    mkdir -p "$DIR"
else
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/muppy-bench-XXXXXX")
    if [ "${BENCH_KEEP:-0}" != 1 ]; then
        trap 'rm -rf "$DIR"' EXIT INT TERM
    fi
fi
A=$DIR/a.snap
B=$DIR/b.snap
C=$DIR/c.snap
CHAIN=$DIR/chain.snap

if [ ! -f "$A" ] || [ ! -f "$B" ] || [ ! -f "$C" ] \
   || [ "${BENCH_REDUMP:-0}" = 1 ]; then
    echo "dumping heapgen --scale $SCALE twice (leak $LEAK) into $DIR ..." >&2
    PYTHONPATH="$BUILD/python" "$PY" - "$HEAPGEN_DIR" "$A" "$B" "$SCALE" \
        "$LEAK" "$C" <<'PYEOF'
import gc, sys, time
sys.path.insert(0, sys.argv[1])
import heapgen, muppy
scale, leak = int(sys.argv[4]), int(sys.argv[5])
heapgen.build(scale)
gc.collect()
r = muppy.dump(sys.argv[2])
print("a.snap: %d objects, %d edges, %d bytes, %.2f s"
      % (r.objects, r.edges, r.bytes_written, r.seconds), file=sys.stderr)
heapgen.build(scale, leak=leak)
gc.collect()
r = muppy.dump(sys.argv[3])
print("b.snap: %d objects, %d edges, %d bytes, %.2f s"
      % (r.objects, r.edges, r.bytes_written, r.seconds), file=sys.stderr)
# c.snap: rebuilt again (b's heap freed) with more leaked sessions, so
# that leaks a b c finds b's sessions among a transient heap
heapgen.build(scale, leak=leak)
gc.collect()
r = muppy.dump(sys.argv[6])
print("c.snap: %d objects, %d edges, %d bytes, %.2f s"
      % (r.objects, r.edges, r.bytes_written, r.seconds), file=sys.stderr)
PYEOF
fi
if [ ! -f "$CHAIN" ] || [ "${BENCH_REDUMP:-0}" = 1 ]; then
    # the shape that made paths --type quadratic: a linked list of a
    # million __slots__ objects
    PYTHONPATH="$BUILD/python" "$PY" - "$CHAIN" <<'PYEOF'
import sys, muppy
class ChainNode:
    __slots__ = ("next",)
head = None
for _ in range(1000000):
    node = ChainNode()
    node.next = head
    head = node
r = muppy.dump(sys.argv[1])
print("chain.snap: %d objects, %d edges, %.2f s"
      % (r.objects, r.edges, r.seconds), file=sys.stderr)
PYEOF
fi
objects_of() {
    "$AN" info --json "$1" | "$PY" -c \
        'import json,sys; print(json.load(sys.stdin)["objects"])'
}
OBJECTS=$(objects_of "$B")
LEAK_ADDR=$("$AN" paths --type LeakedSession --json "$B" | "$PY" -c '
import json, sys
j = json.load(sys.stdin)
print(j["paths"][0]["steps"][-1]["address"] if j["paths"] else "0x0")')

echo "snapshots: $A ($(wc -c <"$A") bytes), $B ($(wc -c <"$B") bytes)"
echo "objects in B: $OBJECTS; $RUNS runs each; median shown"
echo "machine: $(nproc) cpus; $(uname -sr)"
if [ -n "${BASELINE:-}" ]; then
    echo "baseline: $BASELINE (runs alternate with it)"
    printf '%-44s %9s %9s %6s %10s %10s\n' command seconds "base s" \
        ratio "peak MiB" "base MiB"
else
    printf '%-44s %9s %10s %10s\n' command seconds "peak MiB" "B/object"
fi

# timed OUT CMD... : one run under /usr/bin/time, "wall rss" appended to OUT
timed() {
    out=$1
    shift
    /usr/bin/time -v -o "$DIR/tv" "$@" >/dev/null 2>"$DIR/err" || {
        rc=$?
        # exit 3 (threshold) is not a failure of the benchmark
        if [ "$rc" != 3 ]; then
            echo "analyze_bench: '$name' failed ($rc):" >&2
            cat "$DIR/err" "$DIR/tv" >&2
            exit 1
        fi
    }
    "$PY" - "$DIR/tv" >>"$out" <<'PYEOF'
import re, sys
t = open(sys.argv[1]).read()
m = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", t)
h, mi, s = m.group(1), m.group(2), m.group(3)
wall = int(h or 0) * 3600 + int(mi) * 60 + float(s)
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
print("%f %d" % (wall, rss))
PYEOF
}

# bench NAME CMD... : median wall time and RSS of RUNS runs; with
# BASELINE, a command of muppy-analyze runs with the baseline too, in
# turn
bench() {
    name=$1
    shift
    : >"$DIR/times"
    : >"$DIR/base-times"
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        timed "$DIR/times" "$@"
        if [ -n "${BASELINE:-}" ] && [ "$1" = "$AN" ]; then
            shift
            timed "$DIR/base-times" "$BASELINE" "$@"
            set -- "$AN" "$@"
        fi
        i=$((i + 1))
    done
    "$PY" - "$DIR/times" "$DIR/base-times" "$OBJECTS" "$name" \
        "${BASELINE:+paired}" <<'PYEOF'
import statistics, sys
def med(path):
    rows = [tuple(map(float, l.split())) for l in open(path) if l.strip()]
    if not rows:
        return None, None
    return (statistics.median(r[0] for r in rows),
            statistics.median(r[1] for r in rows) * 1024)
wall, rss = med(sys.argv[1])
bwall, brss = med(sys.argv[2])
objects, name, paired = float(sys.argv[3]), sys.argv[4], sys.argv[5]
if not paired:
    print("%-44s %9.3f %10.1f %10.1f" % (name, wall, rss / 2**20,
                                         rss / objects))
elif bwall is None:     # not a muppy-analyze command: the floor
    print("%-44s %9.3f %9s %6s %10.1f %10s" % (name, wall, "-", "-",
                                              rss / 2**20, "-"))
else:
    print("%-44s %9.3f %9.3f %6.2f %10.1f %10.1f"
          % (name, wall, bwall, wall / bwall if bwall else 0,
             rss / 2**20, brss / 2**20))
PYEOF
}

bench "baseline: cat b.snap > /dev/null" sh -c "cat '$B' > /dev/null"
bench "baseline: true (process start)" true
bench "info b.snap" "$AN" info "$B"
bench "summary b.snap" "$AN" summary "$B"
bench "summary --by module b.snap" "$AN" summary --by module "$B"
bench "diff a.snap b.snap" "$AN" diff "$A" "$B"
bench "diff --objects a.snap b.snap" "$AN" diff --objects "$A" "$B"
bench "paths --type LeakedSession b.snap" "$AN" paths --type LeakedSession \
    "$B"
bench "paths --type dict b.snap" "$AN" paths --type dict "$B"
bench "paths --type dict --no-retained b.snap" "$AN" paths --type dict \
    --no-retained "$B"
bench "paths b.snap ADDRESS" "$AN" paths "$B" "$LEAK_ADDR"
bench "referrers b.snap ADDRESS" "$AN" referrers "$B" "$LEAK_ADDR"
bench "summary --retained b.snap" "$AN" summary --retained "$B"
bench "retained b.snap (top 20, with paths)" "$AN" retained "$B"
bench "retained --by type b.snap" "$AN" retained --by type "$B"
bench "dominators b.snap ADDRESS" "$AN" dominators "$B" "$LEAK_ADDR"
bench "diff --retained a.snap b.snap" "$AN" diff --retained "$A" "$B"
bench "leaks a.snap b.snap c.snap" "$AN" leaks "$A" "$B" "$C"
OBJECTS=$(objects_of "$CHAIN")
bench "paths --type ChainNode chain.snap" "$AN" paths --type ChainNode \
    "$CHAIN"
bench "retained chain.snap" "$AN" retained "$CHAIN"
# exports and the report (spec/exports.md); the output's size is printed
# below the table, its writing counted in the time (to $DIR)
OBJECTS=$(objects_of "$B")
bench "export --format heapsnapshot b.snap" "$AN" export --format \
    heapsnapshot "$B" -o "$DIR/b.heapsnapshot"
bench "export --format csv b.snap" "$AN" export --format csv "$B" \
    -o "$DIR/b-tables"
bench "export --format csv --no-retained b.snap" "$AN" export --format csv \
    --no-retained "$B" -o "$DIR/b-tables"
bench "report b.snap" "$AN" report "$B" -o "$DIR/b.html"
bench "report --base a.snap b.snap" "$AN" report --base "$A" "$B" \
    -o "$DIR/ab.html"
if [ -f "$DIR/c.snap" ]; then
    # a third snapshot of the same process (the leak finders' FINAL)
    bench "report --base a.snap --final c.snap b.snap" "$AN" report \
        --base "$A" --final "$DIR/c.snap" "$B" -o "$DIR/abc.html"
fi
echo "outputs: b.heapsnapshot $(wc -c <"$DIR/b.heapsnapshot") bytes," \
     "csv $(cat "$DIR/b-tables"/*.csv | wc -c) bytes," \
     "b.html $(wc -c <"$DIR/b.html") bytes"
rm -rf "$DIR/b.heapsnapshot" "$DIR/b-tables" "$DIR"/*.html
