#!/usr/bin/env bash
# Builds and tests the dumper on the CPython releases newer than this
# machine's, python3.14 and python3.15 from Debian unstable, and on the
# debug build of 3.14 (python3.14d from python3.14-dbg: Py_DEBUG, the
# interpreter's own assertions), in a chroot made by
# ../shared/tools/sid-pythons.sh (beside the checkout, as in CI):
# tests/dumper/test_all_pythons.sh, which for each interpreter builds the
# package with -Wall -Wextra -Werror against its headers (pip install
# --target), runs the dumper's tests, and fails when one of the three is
# missing.  The chroot runs as root: the attach tests that need root
# (another user's process, another mount namespace) run there.
#
# The chroot clones the checkout: only COMMITTED work is tested.
# Needs root (debootstrap, chroot, mount), or sudo without a password.
# SID_ROOT (default: sid-pythons.sh's) says where the chroot lives.
# Usage: tools/test-sid.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
sid="$(dirname "$top")/shared/tools/sid-pythons.sh"
# 3.13 is tested from pyenv by tools/test.sh (dumper_python3.13)
versions="3.14 3.15 3.14-dbg"

if [ ! -f "$sid" ]; then
    echo "test-sid: cannot find '$sid' (the shared folder beside the" \
         "checkout)" >&2
    exit 1
fi
run=(bash "$sid")
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        run=(sudo --preserve-env=SID_ROOT bash "$sid")
    else
        echo "test-sid: needs root: sid-pythons.sh runs debootstrap," \
             "chroot and mount; run as root or give sudo without a" \
             "password" >&2
        exit 1
    fi
fi
if [ -n "$(git -C "$top" status --porcelain)" ]; then
    echo "test-sid: note: uncommitted changes are not tested (the chroot" \
         "clones the last commit)" >&2
fi

"${run[@]}" "$top" "tests/dumper/test_all_pythons.sh $versions"
