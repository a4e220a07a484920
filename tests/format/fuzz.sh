#!/bin/sh
# fuzz.sh SECONDS [reader|commands] - build a fuzz target with clang +
# libFuzzer (and ASan/UBSan) and run it for SECONDS over a copy of its
# corpus: `reader` (default) the format library's reader
# (tests/format/corpus), `commands` every muppy-analyze command
# (tests/analyzer/corpus).
# New interesting inputs stay in the work directory printed at the end;
# crashes are written there too and make the script fail, as does any
# other failure of the fuzzer (its exit status is kept).  Without clang
# it skips (tests/skip.sh: a failure under MUPPY_REQUIRE_ALL=1, as in CI).
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
if ! command -v "$cc" >/dev/null 2>&1; then
    sh "$here/../skip.sh" "fuzzing needs clang (libFuzzer): '$cc' not found"
    exit $?
fi
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER="$cc" -DMUPPY_FUZZ=ON \
      -DMUPPY_SANITIZE=ON -DMUPPY_BUILD_DUMPER=OFF >/dev/null
cmake --build "$build" --target "$(basename "$bin")" -j2 >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/muppy-fuzz-XXXXXX")
mkdir -p "$work/corpus"
cp "$corpus"/* "$root"/samples/*.snap "$work/corpus/" 2>/dev/null || true
cd "$work"
status=0
"$build/$bin" -max_total_time="$secs" -max_len=65536 \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    "$work/corpus" >"$work/fuzz.log" 2>&1 || status=$?
tail -20 "$work/fuzz.log"
if [ "$status" != 0 ]; then
    echo "fuzz.sh: the fuzzer exited with status $status (log:" \
         "$work/fuzz.log)" >&2
    status=1
fi
for f in crash-* leak-* timeout-* oom-*; do
    if [ -e "$f" ]; then
        echo "fuzz.sh: finding: $work/$f" >&2
        status=1
    fi
done
echo "fuzz.sh: corpus in $work/corpus"
exit $status
