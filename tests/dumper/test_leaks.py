"""muppy.leaks(): the Python front of `muppy-analyze leaks`.

Needs muppy-analyze: installed in the package (muppy/bin/) by the build,
or named by MUPPY_ANALYZE.
"""
import functools
import os
import tempfile
import unittest

import muppy

KEPT = []


class Session:
    def __init__(self, n):
        self.n = n
        self.payload = bytearray(100)


class Cached:
    @functools.lru_cache(maxsize=None)
    def value(self):
        return 1


def leaky():
    KEPT.append(Session(len(KEPT)))
    transient()


def cache_leak():
    Cached().value()


def transient():
    rows = [{"n": i, "s": str(i)} for i in range(50)]
    return sum(len(r) for r in rows)


class LeaksTest(unittest.TestCase):

    def tearDown(self):
        del KEPT[:]

    def test_nothing_leaks(self):
        self.assertEqual(muppy.leaks(transient), [])

    def test_a_leak_per_call(self):
        leaks = muppy.leaks(leaky, repeat=4)
        self.assertEqual(len(leaks), 1, leaks)
        lk = leaks[0]
        # the list the sessions are appended to, named by its global
        self.assertEqual((lk.kind, lk.type), ("holder", "list"))
        self.assertIn("KEPT", lk.label)
        self.assertEqual(lk.hang.get("items"), 4)
        types = {t[1]: t[2] for t in lk.types}
        self.assertEqual(types.get("Session"), 4, lk.types)
        self.assertEqual(types.get("bytearray"), 4, lk.types)
        self.assertTrue(lk.retained >= lk.size >= 4 * (48 + 100), lk)
        # its path ends at the list, the example at a Session
        self.assertEqual(lk.path[-1].address, lk.address)
        self.assertIn("['KEPT']", [s.label for s in lk.path])
        self.assertEqual(lk.example_path[0].address, lk.address)
        self.assertEqual(lk.example_path[-1].type, "Session")
        self.assertEqual(lk.example_path[-1].address, lk.example)
        self.assertIn("KEPT", str(lk))
        self.assertIn("Session", str(lk))
        self.assertTrue(lk.path_text().endswith("-> list @%s" % lk.address))

    def test_lru_cache_on_a_method(self):
        leaks = muppy.leaks(cache_leak, repeat=3)
        self.assertEqual(len(leaks), 1, leaks)
        lk = leaks[0]
        # one entry, the cache, named by the method it decorates: its keys
        # (the tuples holding each Cached) and their values
        self.assertIn("Cached.value", lk.label)
        self.assertIn("lru_cache", lk.label)
        types = {t[1]: t[2] for t in lk.types}
        self.assertEqual(types.get("Cached"), 3, lk.types)
        self.assertIn("['value']", [s.label for s in lk.path])

    def test_min_count_and_directory(self):
        with tempfile.TemporaryDirectory() as d:
            # two calls gain n objects (2 Sessions, their payloads, and
            # their dicts where the version materializes them): a point
            # of fewer than n is left out, of n kept
            one = muppy.leaks(leaky, repeat=2, min_count=2, directory=d)
            self.assertEqual(len(one), 1, one)
            n = one[0].count
            self.assertGreaterEqual(n, 4, one)
            self.assertEqual(muppy.leaks(leaky, repeat=2, min_count=n + 1,
                                         directory=d), [])
            self.assertEqual(len(muppy.leaks(leaky, repeat=2, min_count=n,
                                             directory=d)), 1)
            self.assertEqual(sorted(os.listdir(d)),
                             ["base.snap", "final.snap", "target.snap"])

    def test_bad_arguments(self):
        with self.assertRaises(TypeError):
            muppy.leaks(42)
        with self.assertRaises(ValueError):
            muppy.leaks(leaky, repeat=0)
        with self.assertRaises(ValueError):
            muppy.leaks(leaky, min_count=-1)

    def test_analyzer_missing(self):
        old = os.environ.get("MUPPY_ANALYZE")
        os.environ["MUPPY_ANALYZE"] = "/nonexistent/muppy-analyze"
        try:
            with self.assertRaises(FileNotFoundError) as cm:
                muppy.leaks(leaky)
            self.assertIn("MUPPY_ANALYZE", str(cm.exception))
        finally:
            if old is None:
                del os.environ["MUPPY_ANALYZE"]
            else:
                os.environ["MUPPY_ANALYZE"] = old

    def test_analyzer_found(self):
        path = muppy.analyzer_path()
        self.assertTrue(os.access(path, os.X_OK), path)


if __name__ == "__main__":
    unittest.main()
