"""The one skip policy of muppy's tests (see tests/README.md).

A test that cannot run says why and is reported as skipped, never as
passed: a script calls skip(reason), which exits 77 (ctest's
SKIP_RETURN_CODE); a unittest test calls self.skipTest(reason), and
tests/runner.py exits 77 when every test of the run skipped.

Under MUPPY_REQUIRE_ALL=1 (CI, .ci/run) a skip is a failure - a missing
tool, interpreter or permission is something CI must provide - except for
two kinds of reasons, which stay skips and are listed as such:

  not_applicable(why)   what is tested does not exist here: a feature of
                        another CPython version or platform;
  allowed(key, why)     a limit of the machine that CI cannot lift,
                        documented in ALLOWED below with the evidence that
                        identifies it (the test checks for that evidence,
                        not merely for a failure).

Python tests import this module as `testlib` (tests/runner.py puts
tests/ on sys.path; scripts add it themselves).  Shell tests use
tests/skip.sh, which applies the same rules.
"""
import os
import sys

SKIP_EXIT = 77
REQUIRE_ALL = os.environ.get("MUPPY_REQUIRE_ALL") == "1"

NOT_APPLICABLE = "not applicable: "
ALLOWED_PREFIX = "allowed skip "

# The skips CI accepts.  Each key names a limit of the machine, not of the
# setup; the test that uses it must detect the limit itself.
ALLOWED = {
    "gdb-amx": (
        "gdb 13 cannot call a function in a process on CPUs with AMX: "
        "the inferior call fails with \"Couldn't write extended state "
        "status: Bad address\" (seen with gdb 12 and 13 on Xeon CPUs "
        "with AMX; Debian 12 ships gdb 13.1).  Attach does not use gdb "
        "on Linux x86-64 (muppy's "
        "own injector); the gdb way is the fallback elsewhere, tested "
        "where gdb can call functions."),
    "sanitizer-gdb": (
        "in a sanitizer build every child process, gdb included, gets "
        "the ASan runtime preloaded, and gdb cannot run under it; the "
        "gdb way is tested by the ordinary build."),
    "interpreter-private": (
        "the interpreter under test lives in a directory user nobody may "
        "not enter (pyenv's under /root), so no process of another user "
        "can run it; attaching to another user's process is tested in "
        "the Debian unstable chroot (tools/test-sid.sh), whose "
        "interpreters are /usr/bin's."),
    "cpython-in-sid": (
        "CPython 3.14 and 3.15 are not packaged for Debian 12; CI tests "
        "them in a Debian unstable chroot (tools/test-sid.sh)."),
}


def not_applicable(why):
    """The reason of a skip whose subject does not exist here."""
    return NOT_APPLICABLE + why


def allowed(key, why):
    """The reason of a skip that CI accepts (a key of ALLOWED)."""
    if key not in ALLOWED:
        raise KeyError("unknown allowed skip %r (see tests/testlib.py)"
                       % key)
    return "%s(%s): %s" % (ALLOWED_PREFIX, key, why)


def skip_kind(reason):
    """'not-applicable', 'allowed' or 'required' (a failure under
    MUPPY_REQUIRE_ALL=1) for a skip's reason."""
    reason = str(reason)
    if reason.startswith(NOT_APPLICABLE):
        return "not-applicable"
    if reason.startswith(ALLOWED_PREFIX + "("):
        key = reason[len(ALLOWED_PREFIX) + 1:].split(")", 1)[0]
        if key in ALLOWED:
            return "allowed"
    return "required"


def skip_fails(reason):
    """Does this skip fail the run (MUPPY_REQUIRE_ALL=1 and not allowed)?"""
    return REQUIRE_ALL and skip_kind(reason) == "required"


def skip(reason):
    """End a test script as skipped: exit 77, or 1 (a failure) when
    MUPPY_REQUIRE_ALL=1 does not allow this reason."""
    sys.stdout.flush()
    if skip_fails(reason):
        print("FAIL: cannot run: %s (MUPPY_REQUIRE_ALL=1: a skip is a "
              "failure)" % reason)
        sys.exit(1)
    print("SKIP: %s" % reason)
    sys.exit(SKIP_EXIT)


def main(argv):
    """`python3 testlib.py kind REASON`: print the reason's kind (for
    tests/skip.sh)."""
    if len(argv) == 3 and argv[1] == "kind":
        print(skip_kind(argv[2]))
        return 0
    print("usage: testlib.py kind REASON", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
