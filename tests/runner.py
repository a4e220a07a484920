#!/usr/bin/env python3
"""Run unittest tests under muppy's skip policy (tests/testlib.py).

usage: runner.py [--except NAME]... TEST...

TEST is what `python -m unittest` takes (a module, module.Class or
module.Class.test_method), looked up from the current directory.
--except NAME leaves out every test whose id ends with NAME (a method
name, or Class.method), for a test registered apart (see
tests/dumper/CMakeLists.txt).

Exit status, for ctest:
  0   every test ran passed (some may have been skipped, listed at the end)
  1   a test failed, or errored, or no test matched; or MUPPY_REQUIRE_ALL=1
      and a test skipped for a reason that is neither "not applicable"
      nor an allowed one
  77  every test skipped (ctest's SKIP_RETURN_CODE): nothing was tested
Unlike `python -m unittest`, which exits 0 when every test skipped.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.getcwd())

import testlib  # noqa: E402


def flatten(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from flatten(t)
        else:
            yield t


def main(argv):
    names, excluded = [], []
    args = list(argv[1:])
    while args:
        a = args.pop(0)
        if a == "--except" and args:
            excluded.append(args.pop(0))
        elif a.startswith("-"):
            print(__doc__, file=sys.stderr)
            return 2
        else:
            names.append(a)
    if not names:
        print(__doc__, file=sys.stderr)
        return 2
    loaded = unittest.defaultTestLoader.loadTestsFromNames(names)
    tests = [t for t in flatten(loaded)
             if not any(t.id().endswith("." + x) for x in excluded)]
    if not tests:
        print("runner: no test matches %s" % " ".join(names))
        return 1
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(
        unittest.TestSuite(tests))
    sys.stdout.flush()

    by_kind = {"not-applicable": [], "allowed": [], "required": []}
    for test, reason in result.skipped:
        by_kind[testlib.skip_kind(reason)].append((test.id(), reason))
    for kind, title in (("not-applicable", "not applicable here"),
                        ("allowed", "skipped, allowed (tests/testlib.py)"),
                        ("required", "skipped")):
        for tid, reason in by_kind[kind]:
            if reason.startswith(testlib.NOT_APPLICABLE):
                reason = reason[len(testlib.NOT_APPLICABLE):]
            print("%s: %s: %s" % (title, tid, reason))

    bad = len(result.failures) + len(result.errors) \
        + len(result.unexpectedSuccesses)
    if bad:
        return 1
    if testlib.REQUIRE_ALL and by_kind["required"]:
        print("runner: FAIL: %d test(s) skipped and MUPPY_REQUIRE_ALL=1 "
              "makes a skip a failure" % len(by_kind["required"]))
        return 1
    if len(result.skipped) == result.testsRun:
        print("runner: every test skipped: nothing was tested")
        return testlib.SKIP_EXIT
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
