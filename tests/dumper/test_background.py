"""Background dumps: dump(path, background=True) forks, and the child
writes the snapshot of its copy-on-write image of the heap.

Checked: the snapshot equals a normal dump taken right after it (per-type
counts and sizes, on the reference heapgen workload); the metadata; the
errors (unwritable path, full disk, a child killed by a signal, the
watchdog ending a child stuck on a lock another thread held at the fork,
a parent that exits first): an exception from wait(), no file, no
temporary file, no zombie; and a service under load that keeps serving
while dumps run.
"""
import gc
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest

import muppy
from snaputil import QUICK, repo_root
from testlib import not_applicable

HEAPGEN = os.path.join(repo_root(), "bench", "heapgen.py")


def per_type(path):
    snap = muppy.load(path)
    stats = {}
    for i in range(len(snap)):
        c = stats.setdefault(snap.type_name(i), [0, 0])
        c[0] += 1
        c[1] += snap.size[i]
    return snap, stats


def is_gone(pid):
    """The process ended and was reaped (or is a zombie of someone else)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
    except FileNotFoundError:
        return True
    return st[st.rindex(")") + 2] in "ZX"


class Stuck:
    """Its __sizeof__ takes a lock: in a child forked while another
    thread held it, that never returns."""
    lock = threading.Lock()

    def __sizeof__(self):
        with Stuck.lock:
            return object.__sizeof__(self)


from muppy._background import SUPPORTED


class RefusalTests(unittest.TestCase):

    @unittest.skipIf(SUPPORTED, not_applicable("background dumps work here"))
    def test_refused_where_unsupported(self):
        with self.assertRaises(NotImplementedError):
            muppy.dump(os.path.join(tempfile.gettempdir(), "never.snap"),
                       background=True)


@unittest.skipUnless(SUPPORTED, not_applicable("background dumps need Linux"))
class BackgroundTests(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="muppy-bg-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def p(self, name):
        return os.path.join(self.tmp, name)

    def assert_nothing_left(self, path):
        self.assertFalse(os.path.exists(path), path)
        self.assertEqual(glob.glob(glob.escape(path) + ".tmp*"), [])

    def assert_reaped(self, pid):
        with self.assertRaises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)

    def test_equals_a_normal_dump(self):
        """Per-type counts and sizes equal those of a normal dump taken
        right after (heapgen scale 100000, 20000 in quick mode)."""
        sys.path.insert(0, os.path.dirname(HEAPGEN))
        try:
            import heapgen
        finally:
            sys.path.pop(0)
        heap = heapgen.build(20000 if QUICK else 100000)
        a, b = self.p("bg.snap"), self.p("fg.snap")
        gc.collect()
        gc.disable()
        try:
            h = muppy.dump(a, background=True)
            r = h.wait()
            pid, pause = h.pid, h.pause_seconds
            del h, r
            muppy.dump(b)
        finally:
            gc.enable()
        del heap
        self.assert_reaped(pid)
        self.assertLess(pause, 1.0)
        snap_a, ta = per_type(a)
        snap_b, tb = per_type(b)
        self.assertGreater(len(snap_a), 100000 if not QUICK else 20000)
        # the call path differs by dump()'s helper frame (one frame, its
        # locals and keyword dict), and a class instantiated for the first
        # time (BackgroundDump) grows its cached dict keys: tiny, and
        # nowhere near the heap
        diffs = {t: (ta.get(t), tb.get(t)) for t in set(ta) | set(tb)
                 if ta.get(t) != tb.get(t)}
        small = {"frame", "dict", "int", "float", "str", "tuple", "cell",
                 "method", "builtin_function_or_method", "list", "type"}
        for t, (x, y) in diffs.items():
            self.assertIn(t, small, "%s: background %r, normal %r" % (t, x, y))
            self.assertLessEqual(abs((x or [0])[0] - (y or [0])[0]), 3,
                                 "%s: background %r, normal %r" % (t, x, y))
        for t in ta:
            if t.startswith("heapgen."):
                self.assertEqual(ta[t], tb[t], t)
        total_a = sum(c for c, _ in ta.values())
        total_b = sum(c for c, _ in tb.values())
        self.assertLessEqual(abs(total_a - total_b), 8)

    def test_metadata(self):
        h = muppy.dump(self.p("m.snap"), background=True)
        r = h.wait()
        self.assertTrue(h.done())
        self.assertEqual(r.path, self.p("m.snap"))
        meta = muppy.load(r.path).meta
        self.assertEqual(int(meta["pid"]), os.getpid())
        self.assertEqual(int(meta["dump.background"]), 1)
        self.assertEqual(int(meta["dump.child_pid"]), h.pid)
        self.assertGreater(float(meta["dump.fork_seconds"]), 0)
        self.assertLess(float(meta["dump.fork_seconds"]), 5)
        self.assertGreaterEqual(h.pause_seconds, 0)
        self.assertIsNotNone(h.child_private_bytes)
        self.assertGreater(r.objects, 1000)
        self.assert_reaped(h.pid)
        # a normal dump says nothing of the kind
        meta = muppy.load(muppy.dump(self.p("n.snap")).path).meta
        self.assertNotIn("dump.background", meta)

    def test_unwritable_path(self):
        path = self.p("no/such/dir.snap")
        h = muppy.dump(path, background=True)
        with self.assertRaises(OSError):
            h.wait()
        self.assert_nothing_left(path)
        self.assert_reaped(h.pid)
        ro = self.p("ro")
        os.mkdir(ro, 0o500)
        if os.geteuid() != 0:
            h = muppy.dump(os.path.join(ro, "x.snap"), background=True)
            with self.assertRaises(OSError):
                h.wait()
            self.assertEqual(os.listdir(ro), [])

    def test_full_disk(self):
        if os.geteuid() != 0 or not shutil.which("mount"):
            self.skipTest("needs root to mount a tiny tmpfs")
        mnt = self.p("full")
        os.mkdir(mnt)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k",
                           "tmpfs", mnt], stderr=subprocess.DEVNULL
                          ).returncode != 0:
            self.skipTest("cannot mount a tmpfs here")
        try:
            path = os.path.join(mnt, "x.snap")
            h = muppy.dump(path, background=True)
            with self.assertRaises(OSError) as cm:
                h.wait()
            self.assertIn("space", str(cm.exception).lower())
            self.assertEqual(os.listdir(mnt), [])
            self.assert_reaped(h.pid)
        finally:
            subprocess.run(["umount", mnt])

    def stuck_dump(self, path, watchdog):
        """A background dump whose child blocks in Stuck.__sizeof__."""
        stuck = Stuck()  # noqa: F841 (reachable from this frame)
        held = threading.Event()
        release = threading.Event()

        def holder():
            with Stuck.lock:
                held.set()
                release.wait()
        t = threading.Thread(target=holder)
        t.start()
        held.wait()
        try:
            return muppy.dump(path, background=True, watchdog=watchdog)
        finally:
            release.set()
            t.join()

    def test_watchdog(self):
        path = self.p("w.snap")
        t0 = time.monotonic()
        h = self.stuck_dump(path, watchdog=1)
        self.assertFalse(h.done())
        with self.assertRaises(muppy.BackgroundDumpError) as cm:
            h.wait()
        self.assertIn("watchdog", str(cm.exception))
        self.assertLess(time.monotonic() - t0, 30)
        self.assert_nothing_left(path)
        self.assert_reaped(h.pid)

    def test_wait_timeout_and_kill(self):
        path = self.p("k.snap")
        h = self.stuck_dump(path, watchdog=60)
        with self.assertRaises(TimeoutError):
            h.wait(timeout=0.2)
        self.assertFalse(h.done())
        h.kill()
        with self.assertRaises(muppy.BackgroundDumpError):
            h.wait(timeout=30)
        self.assert_nothing_left(path)
        self.assert_reaped(h.pid)

    def test_killed_by_signal(self):
        path = self.p("s.snap")
        h = self.stuck_dump(path, watchdog=60)
        time.sleep(0.1)     # the temporary file exists by now
        os.kill(h.pid, signal.SIGKILL)
        with self.assertRaises(muppy.BackgroundDumpError) as cm:
            h.wait()
        self.assertIn("SIGKILL", str(cm.exception))
        self.assert_nothing_left(path)
        self.assert_reaped(h.pid)

    def test_parent_exits_first(self):
        """A parent gone before its child: the child gives up, removes
        its temporary file and writes nothing."""
        path = self.p("orphan.snap")
        script = textwrap.dedent("""
            import os, sys, time, muppy
            class Slow:         # about 10 us each: the child needs
                def __sizeof__(self):   # over a second, the parent exits
                    sum(range(1000))    # within milliseconds
                    return 16
            keep = [Slow() for _ in range(150000)]
            h = muppy.dump(sys.argv[1], background=True, watchdog=120)
            print(h.pid, flush=True)
            os._exit(0)
        """)
        r = subprocess.run([sys.executable, "-c", script, path],
                           stdout=subprocess.PIPE, universal_newlines=True,
                           timeout=120)
        self.assertEqual(r.returncode, 0)
        child = int(r.stdout.split()[0])
        deadline = time.monotonic() + 60
        while not is_gone(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertTrue(is_gone(child), "the orphan child still runs")
        self.assert_nothing_left(path)

    def test_plain_fork_forgets_pending_dumps(self):
        """os.fork() while a dump runs: the fork's exit handler leaves the
        dump alone (it read the child's report off the shared pipe, and
        the parent then said "no snapshot written"), and in the fork the
        dump is refused as its parent's."""
        path = self.p("forked.snap")
        script = textwrap.dedent("""
            import os, sys, muppy
            class Slow:         # about 10 us each: the dump lasts a while
                def __sizeof__(self):
                    sum(range(1000))
                    return 16
            keep = [Slow() for _ in range(40000)]
            h = muppy.dump(sys.argv[1], background=True, watchdog=120)
            first = os.fork()
            if first == 0:
                sys.exit(0)     # its exit handlers run
            pid = os.fork()
            if pid == 0:
                try:
                    h.wait()
                    sys.exit(3)
                except muppy.BackgroundDumpError as e:
                    sys.exit(0 if "fork" in str(e) else 4)
            _, status = os.waitpid(pid, 0)
            os.waitpid(first, 0)
            r = h.wait()
            print(os.waitstatus_to_exitcode(status)
                  if hasattr(os, "waitstatus_to_exitcode")
                  else status >> 8, r.objects, flush=True)
        """)
        r = subprocess.run([sys.executable, "-c", script, path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        fork_status, objects = (int(x) for x in r.stdout.split())
        self.assertEqual(fork_status, 0, "wait() in the fork did not "
                                         "refuse the parent's dump")
        self.assertEqual(objects, len(muppy.load(path)))

    def test_no_zombie_without_wait(self):
        first = muppy.dump(self.p("a.snap"), background=True)
        deadline = time.monotonic() + 60
        while not os.path.exists(self.p("a.snap")):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.01)
        time.sleep(0.2)
        second = muppy.dump(self.p("b.snap"), background=True)
        second.wait()
        # the next dump reaped the first one, never waited for
        self.assert_reaped(first.pid)
        self.assertTrue(first.done())
        self.assertEqual(first.wait().path, self.p("a.snap"))

    def test_refusals(self):
        with self.assertRaises(ValueError):
            muppy.dump(sys.stdout.fileno(), background=True)
        with self.assertRaises(ValueError):
            muppy.dump(self.p("x.snap"), background=True, watchdog=0)
        self.assertFalse(os.path.exists(self.p("x.snap")))

    def test_python_sizeof_while_threads_wait(self):
        """A class's own __sizeof__ runs in the child while, at the fork,
        other threads were asking for the GIL: the child must not wait
        for a GIL switch that never comes (it hung until its watchdog)."""
        r = subprocess.run([sys.executable, "-c", SIZEOF_THREADS, self.tmp],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        times = [float(x) for x in r.stdout.split()]
        self.assertEqual(len(times), 4)
        self.assertLess(max(times), 15.0, times)   # the watchdog is 30 s

    def test_service_under_load(self):
        """Threads serve requests on a local socket while background
        dumps run: no request fails.  In a fresh interpreter: with a
        class defining __sizeof__ in Python alive (as the other test
        modules leave), a child forked while threads waited for the GIL
        hangs in CPython's forced GIL switch until its watchdog (a known
        limit, see the dumper README)."""
        r = subprocess.run([sys.executable, "-c", SERVICE, self.tmp],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        failures, served, dumps = r.stdout.split("|")
        self.assertEqual(failures.strip(), "[]")
        self.assertGreater(int(served), 20)
        self.assertEqual(int(dumps), 5)


SIZEOF_THREADS = r"""
import os, sys, threading, time
import muppy
class Sized:
    def __sizeof__(self):
        return 48 + object.__sizeof__(self)
keep = [Sized() for _ in range(2000)]
# a waiting thread asks for the GIL after 1 us (not 5 ms): the request is
# all but sure to be pending at the fork
sys.setswitchinterval(1e-6)
stop = threading.Event()
def spin():
    x = 0
    while not stop.is_set():
        x += 1
threads = [threading.Thread(target=spin) for _ in range(2)]
for t in threads:
    t.start()
try:
    for n in range(4):
        time.sleep(0.02)        # the spinners ask for the GIL
        t0 = time.monotonic()
        h = muppy.dump(os.path.join(sys.argv[1], "s%d.snap" % n),
                       background=True, watchdog=30)
        r = h.wait(timeout=120)
        print("%.3f" % (time.monotonic() - t0))
finally:
    stop.set()
    for t in threads:
        t.join()
"""

SERVICE = r"""
import os, socket, sys, threading, time
import muppy
tmp = sys.argv[1]
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(64)
port = server.getsockname()[1]
stop = threading.Event()            # the clients' signal
stop_serving = threading.Event()    # the servers', once clients are done
failures, served = [], [0]
lock = threading.Lock()

def serve():
    server.settimeout(0.2)
    while not stop_serving.is_set():
        try:
            conn, _ = server.accept()
        except socket.timeout:
            continue
        with conn:
            conn.sendall(conn.recv(64).upper())

def client():
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port),
                                          timeout=10) as c:
                c.sendall(b"ping")
                if c.recv(64) != b"PING":
                    raise RuntimeError("bad reply")
        except Exception as e:
            with lock:
                failures.append(repr(e))
        with lock:
            served[0] += 1

servers = [threading.Thread(target=serve) for _ in range(3)]
clients = [threading.Thread(target=client) for _ in range(3)]
for t in servers + clients:
    t.start()
ok = 0
try:
    for n in range(5):
        h = muppy.dump(os.path.join(tmp, "svc%d.snap" % n), background=True)
        r = h.wait(timeout=120)
        ok += len(muppy.load(r.path)) > 1000
        time.sleep(0.05)
finally:
    # clients first: a request sent after the servers stopped would wait
    # in the listen queue until its timeout
    stop.set()
    for t in clients:
        t.join()
    stop_serving.set()
    for t in servers:
        t.join()
    server.close()
print("%r|%d|%d" % (failures, served[0], ok))
"""


class StreamTests(unittest.TestCase):
    """dump() into a descriptor or a binary file object."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="muppy-fd-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_file_object_and_fd(self):
        p = os.path.join(self.tmp, "f.snap")
        with open(p, "wb") as f:
            f.write(b"")
            r = muppy.dump(f)
        self.assertEqual(r.objects, len(muppy.load(p)))
        q = os.path.join(self.tmp, "fd.snap")
        fd = os.open(q, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            r = muppy.dump(fd)
        finally:
            os.close(fd)
        self.assertEqual(r.objects, len(muppy.load(q)))

    def test_pipe(self):
        # another process reads (a reader thread here would need the GIL
        # that the dump holds while the pipe is full)
        p = os.path.join(self.tmp, "pipe.snap")
        with open(p, "wb") as out:
            cat = subprocess.Popen(["cat"], stdin=subprocess.PIPE,
                                   stdout=out)
            try:
                r = muppy.dump(cat.stdin)
            finally:
                cat.stdin.close()
                cat.wait()
        self.assertEqual(len(muppy.load(p)), r.objects)

    def test_text_file_refused(self):
        with open(os.path.join(self.tmp, "t.txt"), "w") as f:
            with self.assertRaises(TypeError):
                muppy.dump(f)

    def test_full_device(self):
        if not os.path.exists("/dev/full"):
            self.skipTest("no /dev/full")
        with open("/dev/full", "wb") as f:
            with self.assertRaises(OSError):
                muppy.dump(f)


if __name__ == "__main__":
    unittest.main()
