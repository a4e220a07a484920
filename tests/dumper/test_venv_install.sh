#!/bin/sh
# The README's install steps, as a new user runs them: a virtual
# environment of the system's python3, then pip install --no-build-isolation
# of the repository; checks muppy-dump, muppy-analyze (on PATH in the
# venv) and muppy.leaks() (which runs the package's own muppy-analyze).
# Skips (tests/skip.sh: exit 77, a failure under MUPPY_REQUIRE_ALL=1)
# when python3 has no venv module.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
py=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/muppy-venv.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

if ! "$py" -m venv "$work/venv" >"$work/log" 2>&1; then
    cat "$work/log"
    sh "$root/tests/skip.sh" \
        "'$py -m venv' does not work (apt-get install python3-venv)"
    exit $?
fi
v="$work/venv/bin"
(cd "$root" && "$v/pip" install --no-build-isolation --no-deps --no-index \
    --disable-pip-version-check -q ./) >"$work/log" 2>&1 || {
    echo "FAIL: pip install --no-build-isolation ./ in a venv:"
    cat "$work/log"
    exit 1
}
fail=0
check() {   # check WHAT COMMAND...
    what=$1
    shift
    if ! "$@" >"$work/out" 2>&1; then
        echo "FAIL: $what:"
        cat "$work/out"
        fail=1
    else
        echo "ok: $what"
    fi
}
check "muppy-analyze --version on the venv's PATH" \
    sh -c "PATH='$v':\$PATH muppy-analyze --version | grep -q muppy-analyze"
check "muppy-dump run, then muppy-analyze summary" \
    sh -c "cd '$work' && '$v/muppy-dump' run -o s.snap \
           '$root/samples/programs/leaky_cache.py' '$work/lc' --requests 50 \
           && '$v/muppy-analyze' summary s.snap | grep -q total:"
check "muppy.leaks() finds a planted leak" \
    "$v/python" -c '
import muppy
kept = []
def work():
    kept.append(object())
leaks = muppy.leaks(work, repeat=4)
assert [(lk.type, lk.count) for lk in leaks] == [("list", 4)], leaks
assert "kept" in leaks[0].label and leaks[0].types[0][1:3] == ("object", 4)
assert muppy.leaks(lambda: [object() for _ in range(10)]) == []
'
exit $fail
