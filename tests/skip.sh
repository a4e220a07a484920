#!/bin/sh
# Stands in for a test that cannot run in this build: says why and exits
# 77, which ctest (SKIP_RETURN_CODE 77) reports as skipped, not passed.
# Usage: tests/skip.sh REASON...
echo "skipped: $*"
exit 77
