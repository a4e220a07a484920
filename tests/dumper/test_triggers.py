"""Dumps on triggers: muppy.dump_when() and muppy-dump run --on-rss /
--every / -o -; keep, the disk cap and the minimum interval."""
import gc
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

import muppy
from muppy import _triggers

# grows by about 8 MB a step, 20 steps of 0.15 s
GROWING = """
import time
hoard = []
for step in range(20):
    hoard.append(bytearray(8 << 20))
    time.sleep(0.15)
print("done")
"""


class TriggerTests(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="muppy-trig-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def snaps(self, d=None):
        return sorted(glob.glob(os.path.join(d or self.tmp, "*.snap")))

    def test_parse(self):
        self.assertEqual(_triggers.parse_size("500M"), 500 << 20)
        self.assertEqual(_triggers.parse_size("1.5G"), 3 << 29)
        self.assertEqual(_triggers.parse_size(4096), 4096)
        self.assertEqual(_triggers.parse_duration("10m"), 600)
        self.assertEqual(_triggers.parse_duration("30s"), 30)
        for bad in ("lots", "-1M", "0", "5Q"):
            with self.assertRaises(ValueError):
                _triggers.parse_size(bad)
        with self.assertRaises(ValueError):
            _triggers.parse_duration("soon")
        with self.assertRaises(ValueError):
            muppy.dump_when(directory=self.tmp)
        with self.assertRaises(ValueError):
            muppy.dump_when("1G", directory=os.path.join(self.tmp, "no"))

    def test_rss_threshold_keep_and_interval(self):
        gc.collect()        # what earlier tests left must not be freed
        rss = _triggers.current_rss()   # below the threshold later
        self.assertGreater(rss, 1 << 20)
        w = muppy.dump_when(rss + (24 << 20), directory=self.tmp, keep=2,
                            min_interval=0.3, check_interval=0.02)
        starts = []         # when each dump began (min_interval's clock)
        dump = w._dump

        def timed_dump(*args, **kwargs):
            starts.append(time.monotonic())
            return dump(*args, **kwargs)
        w._dump = timed_dump
        hoard = []
        try:
            time.sleep(0.3)
            self.assertEqual(w.dumps, 0, "dumped below the threshold")
            deadline = time.monotonic() + 60
            while w.dumps < 3 and time.monotonic() < deadline:
                # written bytes are resident; grow until above the
                # threshold (the allocator may have returned memory)
                if _triggers.current_rss() < w.rss_above:
                    hoard.append(b"x" * (32 << 20))
                time.sleep(0.05)
        finally:
            w.stop()
        self.assertGreaterEqual(
            w.dumps, 3, "rss %d, threshold %d, errors %r"
            % (_triggers.current_rss(), w.rss_above, w.errors))
        self.assertGreaterEqual(w.dumps, 3)
        files = self.snaps()
        self.assertEqual(len(files), 2)                 # keep=2
        self.assertEqual(sorted(w.snapshots), files)
        # min_interval: never two dumps begun closer than 0.3 s (the
        # files' mtimes are their ends, which a loaded machine moves)
        gaps = [b - a for a, b in zip(starts, starts[1:])]
        self.assertEqual(len(starts), w.dumps)
        self.assertGreaterEqual(min(gaps), 0.3, gaps)
        for f in files:
            self.assertGreater(len(muppy.load(f)), 1000)
        del hoard

    def test_every_and_disk_cap(self):
        w = muppy.dump_when(every=0.2, directory=self.tmp, keep=None,
                            max_bytes=1, min_interval=0, check_interval=0.02)
        try:
            deadline = time.monotonic() + 30
            while w.dumps < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            w.stop()
        self.assertGreaterEqual(w.dumps, 3)
        self.assertEqual(len(self.snaps()), 1)   # the newest, alone
        self.assertEqual(w.snapshots, self.snaps())
        self.assertEqual(w.errors, [])

    def test_background_trigger(self):
        w = muppy.dump_when(every=0.1, directory=self.tmp, keep=3,
                            min_interval=0, check_interval=0.02,
                            background=True)
        try:
            deadline = time.monotonic() + 30
            while w.dumps < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            w.stop()
        self.assertGreaterEqual(w.dumps, 2)
        for f in self.snaps():
            self.assertEqual(int(muppy.load(f).meta["dump.background"]), 1)

    def run_cli(self, *args):
        script = os.path.join(self.tmp, "grow.py")
        with open(script, "w") as f:
            f.write(textwrap.dedent(GROWING))
        return subprocess.run([sys.executable, "-m", "muppy", "run"]
                              + list(args) + [script],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              cwd=self.tmp, timeout=120)

    def test_cli_on_rss(self):
        d = os.path.join(self.tmp, "snaps")
        os.mkdir(d)
        final = os.path.join(self.tmp, "final.snap")
        r = self.run_cli("--on-rss", "60M", "--min-interval", "0.5s",
                         "-d", d, "--keep", "2", "-o", final)
        self.assertEqual(r.returncode, 0, r.stderr)
        files = self.snaps(d)
        self.assertTrue(1 <= len(files) <= 2, files)
        self.assertTrue(os.path.exists(final))
        # no half-written snapshot: every file reads back, no temporaries
        for f in files:
            muppy.load(f)
        self.assertEqual(glob.glob(os.path.join(d, "*.tmp*")), [])

    def test_cli_every_background(self):
        d = os.path.join(self.tmp, "snaps")
        os.mkdir(d)
        r = self.run_cli("--every", "0.5s", "--min-interval", "0",
                         "--background", "-d", d, "--keep", "10",
                         "-o", os.path.join(self.tmp, "f.snap"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertGreaterEqual(len(self.snaps(d)), 2)

    def test_cli_stdout(self):
        r = self.run_cli("-o", "-")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout
        self.assertTrue(out.endswith(b"") and b"done\n" in out)
        snap = out[out.index(b"done\n") + 5:]
        p = os.path.join(self.tmp, "stdout.snap")
        with open(p, "wb") as f:
            f.write(snap)
        self.assertGreater(len(muppy.load(p)), 1000)

    def test_cli_usage(self):
        r = self.run_cli("--on-rss", "lots")
        self.assertEqual(r.returncode, 2)
        self.assertIn("rss_above", r.stderr.decode())
        r = self.run_cli("--background")
        self.assertEqual(r.returncode, 2)


if __name__ == "__main__":
    unittest.main()
