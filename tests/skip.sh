#!/bin/sh
# The shell side of the skip policy (tests/testlib.py, tests/README.md):
# says why a test cannot run and exits 77, which ctest
# (SKIP_RETURN_CODE 77) reports as skipped, not passed; under
# MUPPY_REQUIRE_ALL=1 (CI) it exits 1 instead - a failure - unless the
# reason is "not applicable" or one of the allowed keys of testlib.py.
#
# Usage: tests/skip.sh [--not-applicable | --allowed KEY] REASON...
#   as a test of its own (CMake registers it where a test cannot be
#   built), or from a shell test: exec sh "$root/tests/skip.sh" REASON
here=$(cd "$(dirname "$0")" && pwd)
kind=required
case "${1:-}" in
    --not-applicable)
        shift
        kind=not-applicable
        reason="not applicable: $*"
        ;;
    --allowed)
        key=${2:?usage: skip.sh --allowed KEY REASON...}
        shift 2
        if ! grep -q "^    \"$key\": (" "$here/testlib.py"; then
            echo "FAIL: skip.sh: '$key' is no allowed skip of tests/testlib.py"
            exit 1
        fi
        kind=allowed
        reason="allowed skip ($key): $*"
        ;;
    *)
        reason="$*"
        ;;
esac
if [ "${MUPPY_REQUIRE_ALL:-0}" = 1 ] && [ "$kind" = required ]; then
    echo "FAIL: cannot run: $reason (MUPPY_REQUIRE_ALL=1: a skip is a failure)"
    exit 1
fi
echo "SKIP: $reason"
exit 77
