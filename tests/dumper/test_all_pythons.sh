#!/bin/sh
# Build and test the muppy package on every CPython 3.8+ found here.
#
# Interpreters: `pyenv versions --bare` (+ `pyenv prefix`) when pyenv
# exists, plus python3.8 ... python3.19 on PATH and their debug builds
# (Py_DEBUG: Debian's python3.Nd, from python3.N-dbg); duplicates (same
# sys.executable after resolving links, or same version and prefix) are
# tested once.  A debug build is labelled VERSION-dbg (3.14.0-dbg).  For each: pip install --no-build-isolation --target TMP ./
# (compiled with -Wall -Wextra -Werror against that version's headers)
# then the tests/dumper unittest suite with that interpreter through
# tests/runner.py (quick mode: smaller deep-chain sizes).
#
# Usage: tests/dumper/test_all_pythons.sh [--if-found] [VERSION-PREFIX...]
#   e.g. test_all_pythons.sh 3.8 3.13   (only those, and each required)
#   3.14-dbg asks for the debug build of 3.14 (3.14 for the normal one)
#   --if-found: a VERSION-PREFIX that matches no interpreter here is a
#   skip (tests/skip.sh), not a failure: ctest runs one test per minor
#   version this way, two at a time.
#
# Exit status: 0 when every interpreter tested passed; 1 when one failed
# (or could not build), or when a VERSION-PREFIX given matches none;
# 77 (a skip, for ctest's SKIP_RETURN_CODE) when no interpreter at all
# was found or none could run pip - a failure instead under
# MUPPY_REQUIRE_ALL=1, except for the versions that tools/test-sid.sh
# tests in its chroot (an allowed skip of tests/testlib.py).
set -u
if_found=no
if [ "${1:-}" = "--if-found" ]; then
    if_found=yes
    shift
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/muppy-allpy.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
# readable by all: test_attach attaches as user nobody, whose Python must
# import the package installed here (else it skips, a failure in CI)
chmod 755 "$work"

candidates=""
if command -v pyenv >/dev/null 2>&1; then
    for v in $(pyenv versions --bare 2>/dev/null); do
        p=$(pyenv prefix "$v" 2>/dev/null) || continue
        for exe in "$p"/bin/python3 "$p"/bin/python; do
            if [ -x "$exe" ]; then
                candidates="$candidates $exe"
                break
            fi
        done
    done
fi
for minor in 8 9 10 11 12 13 14 15 16 17 18 19; do
    for name in "python3.$minor" "python3.${minor}d"; do
        exe=$(command -v "$name" 2>/dev/null) || continue
        candidates="$candidates $exe"
    done
done

seen=""
failed=""
passed=""
nopip=""
for exe in $candidates; do
    # identity: version + real executable; skip < 3.8 and non-CPython
    id=$("$exe" -c 'import sys, os, platform
if sys.version_info < (3, 8) or platform.python_implementation() != "CPython":
    raise SystemExit(1)
print("%d.%d.%d%s:%s" % (sys.version_info[:3]
      + ("-dbg" if hasattr(sys, "gettotalrefcount") else "",
         os.path.realpath(sys.executable))))' 2>/dev/null) || continue
    case " $seen " in *" $id "*) continue ;; esac
    seen="$seen $id"
    ver=${id%%:*}
    if [ $# -gt 0 ]; then
        want=no
        for w in "$@"; do
            case "$w" in
                *-dbg) case "$ver" in "${w%-dbg}"-dbg|"${w%-dbg}".*-dbg)
                           want=yes ;; esac ;;
                *) case "$ver" in *-dbg) ;; "$w"|"$w".*) want=yes ;; esac ;;
            esac
        done
        [ "$want" = yes ] || continue
    fi
    target="$work/$ver-$(echo "$id" | cksum | cut -d' ' -f1)"
    log="$target.log"
    printf '%s (%s): ' "$ver" "$exe"
    if ! "$exe" -m pip --version >/dev/null 2>&1; then
        echo "skipped (no pip)"
        nopip="$nopip $ver"
        continue
    fi
    if ! (cd "$root" && MUPPY_CFLAGS="-Wall -Wextra -Werror" \
            "$exe" -m pip install --no-build-isolation \
            --no-deps --no-index --disable-pip-version-check -q \
            --target "$target" ./) >"$log" 2>&1; then
        echo "FAILED to build"
        sed 's/^/    /' "$log" | tail -30
        failed="$failed $ver"
        continue
    fi
    # a temporary folder of its own: test_attach checks that attach
    # leaves nothing in it, and ctest runs two versions at once
    mkdir -p "$target.tmp"
    if ! (cd "$here" && TMPDIR="$target.tmp" PYTHONPATH="$target" \
            MUPPY_TEST_QUICK=1 \
            MUPPY_DUMP_SCRIPT="$target/bin/muppy-dump" \
            PYTHONDONTWRITEBYTECODE=1 \
            "$exe" "$root/tests/runner.py" test_dump test_errors test_cli \
            test_leaks test_background test_triggers test_attach \
            test_attach_safety) \
            >"$log" 2>&1; then
        echo "FAILED"
        sed 's/^/    /' "$log" | tail -40
        failed="$failed $ver"
        continue
    fi
    echo "ok ($(tail -3 "$log" | grep -o 'Ran [0-9]* tests'))"
    passed="$passed $ver"
done

echo "passed:${passed:- none}"
[ -z "$nopip" ] || echo "without pip:$nopip"
for w in "$@"; do
    case "$w" in
        *-dbg) pat="${w%-dbg}" sfx=-dbg ;;
        *) pat="$w" sfx= ;;
    esac
    found=no
    for v in $passed $failed; do
        case "$v" in
            *-dbg) [ -n "$sfx" ] || continue; v=${v%-dbg} ;;
            *) [ -z "$sfx" ] || continue ;;
        esac
        case "$v" in "$pat"|"$pat".*) found=yes ;; esac
    done
    [ "$found" = yes ] || [ "$if_found" = yes ] || failed="$failed $w(not-found)"
done
if [ -n "$failed" ]; then
    echo "failed:$failed"
    exit 1
fi
if [ -z "$passed" ]; then
    reason="no CPython ${*:-3.8+} with pip here: nothing tested"
    [ -z "$nopip" ] || reason="$reason (without pip:$nopip)"
    # the versions Debian 12 lacks are tested in a sid chroot
    in_sid=$(sed -n 's/^versions="\(.*\)"$/\1/p' "$root/tools/test-sid.sh")
    sid=no
    if [ $# -gt 0 ] && [ -z "$nopip" ]; then
        sid=yes
        for w in "$@"; do
            case " $in_sid " in *" $w "*) ;; *) sid=no ;; esac
        done
    fi
    if [ "$sid" = yes ]; then
        sh "$root/tests/skip.sh" --allowed cpython-in-sid \
            "$reason; tools/test-sid.sh tests it"
        exit $?
    fi
    sh "$root/tests/skip.sh" "$reason"
    exit $?
fi
exit 0
