"""muppy.dump() failures leave nothing behind: no file, no temporary."""
import errno
import gc
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import unittest

import muppy
from testlib import not_applicable


class Boom(Exception):
    pass


class ErrorTests(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="muppy-err-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def assertEmpty(self, d=None):
        self.assertEqual(os.listdir(d or self.tmp), [])

    def test_missing_directory(self):
        p = os.path.join(self.tmp, "no", "such", "dir", "x.snap")
        with self.assertRaises(OSError) as cm:
            muppy.dump(p)
        self.assertEqual(cm.exception.errno, errno.ENOENT)
        self.assertIn("x.snap", str(cm.exception))
        self.assertEmpty()
        self.assertTrue(gc.isenabled())

    def test_not_a_directory(self):
        f = os.path.join(self.tmp, "file")
        open(f, "w").close()
        with self.assertRaises(OSError):
            muppy.dump(os.path.join(f, "x.snap"))
        self.assertEqual(os.listdir(self.tmp), ["file"])

    @unittest.skipIf(os.geteuid() == 0, not_applicable(
        "root ignores directory modes: EACCES cannot happen to root"))
    def test_unwritable_directory(self):
        d = os.path.join(self.tmp, "ro")
        os.mkdir(d, 0o500)
        try:
            with self.assertRaises(PermissionError):
                muppy.dump(os.path.join(d, "x.snap"))
            self.assertEmpty(d)
        finally:
            os.chmod(d, 0o700)

    def test_bad_arguments(self):
        p = os.path.join(self.tmp, "x.snap")
        for kwargs in ({"include_strings": -1}, {"include_strings": "3"},
                       {"level": "fast"}, {"level": 99}):
            with self.assertRaises(ValueError, msg=kwargs):
                muppy.dump(p, **kwargs)
        with self.assertRaises(ValueError):
            muppy.dump(p + "\0zero")
        with self.assertRaises(TypeError):
            muppy.dump(None)
        self.assertEmpty()
        self.assertTrue(gc.isenabled())

    def test_disk_full(self):
        # RLIMIT_FSIZE makes write() fail with EFBIG (SIGXFSZ ignored)
        p = os.path.join(self.tmp, "big.snap")
        code = textwrap.dedent("""
            import resource, signal, sys
            import muppy
            junk = [str(i) * 3 for i in range(200000)]
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (32768, 32768))
            try:
                muppy.dump(sys.argv[1])
            except OSError as e:
                print("OSError", e.errno, e)
                sys.exit(3)
            print("no error")
        """)
        r = subprocess.run([sys.executable, "-c", code, p],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("OSError %d" % errno.EFBIG, r.stdout)
        self.assertEmpty()

    def test_signal_during_dump(self):
        # Behaviour: a Python signal handler runs at the dump's check
        # points (every 65536 objects, before any Python __sizeof__); if it
        # raises, the dump stops, nothing is written and the exception
        # propagates.  A handler that returns lets the dump finish.
        p = os.path.join(self.tmp, "sig.snap")
        junk = [[i] for i in range(300000)]

        def raising(signum, frame):
            raise Boom()
        old = signal.signal(signal.SIGALRM, raising)
        try:
            signal.setitimer(signal.ITIMER_REAL, 0.002)
            with self.assertRaises(Boom):
                muppy.dump(p)
                # if the dump beat the timer, the handler raises here
                signal.pause()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
        self.assertEmpty()
        self.assertTrue(gc.isenabled())

        calls = []
        signal.signal(signal.SIGALRM, lambda s, f: calls.append(s))
        try:
            signal.setitimer(signal.ITIMER_REAL, 0.002)
            r = muppy.dump(p)
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, old)
        self.assertEqual(calls, [signal.SIGALRM])
        self.assertGreater(r.objects, len(junk))
        self.assertEqual(os.listdir(self.tmp), ["sig.snap"])

    def test_keyboard_interrupt_in_sizeof(self):
        class Interrupting:
            def __sizeof__(self):
                raise KeyboardInterrupt
        x = Interrupting()
        p = os.path.join(self.tmp, "ki.snap")
        with self.assertRaises(KeyboardInterrupt):
            muppy.dump(p)
        self.assertEmpty()
        del x

    def test_sizeof_mutating_heap(self):
        # a __sizeof__ that frees objects the dump has queued must not
        # crash it: queued objects are owned from the first Python call
        victims = {"v": [[i] for i in range(1000)]}

        class Mutator:
            def __sizeof__(self):
                victims.clear()
                return 10
        m = Mutator()
        p = os.path.join(self.tmp, "mut.snap")
        r = muppy.dump(p)
        self.assertGreater(r.objects, 1000)
        s = muppy.load(p)
        self.assertEqual(s.objects, r.objects)
        del m

    def test_read_errors(self):
        p = os.path.join(self.tmp, "junk.snap")
        with open(p, "wb") as f:
            f.write(b"not a snapshot at all" * 10)
        with self.assertRaises(muppy.SnapshotError):
            muppy.load(p)
        with self.assertRaises(FileNotFoundError):
            muppy.load(os.path.join(self.tmp, "missing.snap"))

    def test_dump_on_signal(self):
        d = os.path.join(self.tmp, "sig")
        os.mkdir(d)
        old = muppy.dump_on_signal(signal.SIGUSR2, d)
        try:
            os.kill(os.getpid(), signal.SIGUSR2)
            os.kill(os.getpid(), signal.SIGUSR2)
        finally:
            signal.signal(signal.SIGUSR2, old)
        names = sorted(os.listdir(d))
        self.assertEqual(len(names), 2, names)
        for n, name in enumerate(names, 1):
            self.assertRegex(name, r"^muppy-%d-\d{8}-\d{6}-%d\.snap$"
                             % (os.getpid(), n))
            self.assertGreater(muppy.load(os.path.join(d, name)).objects, 0)
        with self.assertRaises(ValueError):
            muppy.dump_on_signal(signal.SIGUSR2, os.path.join(d, "nope"))


if __name__ == "__main__":
    unittest.main()
