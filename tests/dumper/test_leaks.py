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
        clusters = muppy.leaks(leaky, repeat=4)
        self.assertEqual(len(clusters), 1, clusters)
        c = clusters[0]
        self.assertEqual((c.type, c.count), ("Session", 4))
        self.assertTrue(c.retained > c.size >= 4 * 48, c)
        self.assertIn("['KEPT']", [s.label for s in c.path])
        self.assertEqual(c.path[-1].address, c.example)
        self.assertIn("Session", str(c))

    def test_lru_cache_on_a_method(self):
        clusters = muppy.leaks(cache_leak, repeat=3)
        self.assertEqual([(c.type, c.count) for c in clusters],
                         [("tuple", 3)])
        self.assertIn("['value']", [s.label for s in clusters[0].path])

    def test_min_count_and_directory(self):
        with tempfile.TemporaryDirectory() as d:
            self.assertEqual(muppy.leaks(leaky, repeat=2, min_count=3,
                                         directory=d), [])
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
