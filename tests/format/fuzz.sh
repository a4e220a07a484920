#!/bin/sh
# fuzz.sh SECONDS [reader|commands] - build a fuzz target with clang +
# libFuzzer (and ASan/UBSan) and run it for SECONDS over a copy of its
# corpus: `reader` (default) the format library's reader
# (tests/format/corpus), `commands` every muppy-analyze command
# (tests/analyzer/corpus).
# New interesting inputs stay in the work directory printed at the end;
# crashes are written there too and make the script fail.
set -eu
secs=${1:?usage: fuzz.sh SECONDS [reader|commands]}
target=${2:-reader}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
case $target in
    reader) bin=tests/format/fuzz_reader; corpus=$here/corpus ;;
    commands) bin=tests/analyzer/fuzz_commands
              corpus=$root/tests/analyzer/corpus ;;
    *) echo "fuzz.sh: unknown target '$target'" >&2; exit 2 ;;
esac
build=${MUPPY_FUZZ_BUILD:-$root/build-format-fuzz}
cc=${CC:-clang}
case $cc in *clang*) ;; *) cc=clang ;; esac
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER="$cc" -DMUPPY_FUZZ=ON \
      -DMUPPY_SANITIZE=ON -DMUPPY_BUILD_DUMPER=OFF >/dev/null
cmake --build "$build" --target "$(basename "$bin")" -j2 >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/muppy-fuzz-XXXXXX")
mkdir -p "$work/corpus"
cp "$corpus"/* "$root"/samples/*.snap "$work/corpus/" 2>/dev/null || true
cd "$work"
"$build/$bin" -max_total_time="$secs" -max_len=65536 \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    "$work/corpus" 2>&1 | tail -20
status=0
for f in crash-* leak-* timeout-* oom-*; do
    if [ -e "$f" ]; then
        echo "fuzz.sh: finding: $work/$f" >&2
        status=1
    fi
done
echo "fuzz.sh: corpus in $work/corpus"
exit $status
