"""muppy-dump attach: dump a running process that never imported muppy.

Targets: one sleeping in time.sleep, one busy in a Python loop, one with
threads, one blocking every signal inside select(), one waiting in a C
call (readline); each snapshot is compared with the snapshot the target
takes of itself right after.  Errors: no such process, not CPython,
another user, a version mismatch, remote debugging disabled, gdb missing,
a target that never reaches a safe point (timeout): exit 1, one line,
no file left.

On Linux x86-64 muppy's own ptrace injector gets the code in (every
version); elsewhere gdb does (with sys.remote_exec on 3.14+), and the
tests that need it are skipped without it, or fail when
MUPPY_REQUIRE_ALL=1.  test_via_gdb checks the gdb way where gdb can call
functions in a process (gdb 13 cannot on CPUs with AMX).

The hostile and failure cases (another user racing the attach, GIL
contention, a killed muppy-dump, stopped and dying targets, deadlines)
are in test_attach_safety.py.
"""
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

import muppy
from muppy import _attach, _inject
from testlib import allowed, not_applicable

GDB = shutil.which("gdb")
REMOTE_EXEC = hasattr(sys, "remote_exec")
REQUIRE_ALL = os.environ.get("MUPPY_REQUIRE_ALL") == "1"
N_LEAKY = 3000


def gdb_cannot_call():
    """Why gdb cannot run a function in a process here, or None."""
    if GDB is None:
        return "gdb is missing"
    if os.environ.get("LD_PRELOAD"):
        # the sanitizer runs preload ASan into every child, gdb included
        return allowed("sanitizer-gdb",
                       "gdb would run with LD_PRELOAD (a sanitizer run)")
    # (where gdb fails, the sleep returns errno 514 and the probe dies)
    p = subprocess.Popen([sys.executable, "-c",
                          "import time\nwhile True: time.sleep(0.05)"],
                         stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        r = subprocess.run([GDB, "-q", "-nx", "-batch", "-p", str(p.pid),
                            "-ex", "print (int)getpid()"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, timeout=60)
    except subprocess.TimeoutExpired:
        return "gdb did not call a function in a process within 60 s"
    finally:
        p.kill()
        p.wait()
    if "= %d" % p.pid not in r.stdout:
        last = [ln for ln in r.stdout.splitlines() if ln.strip()]
        why = "gdb cannot call functions in a process here: %s" % (
            last[-1] if last else "no output")
        if "Couldn't write extended state status" in r.stdout:
            return allowed("gdb-amx", why)
        return why
    return None

# Every target builds the same heap, prints "ready", then waits its own
# way; a line "dump PATH" on stdin (read by the main thread, or by a
# thread when the main thread is busy) makes it dump itself.
# MUPPY_N_LEAKY in the target's environment makes a larger heap (about
# three objects per Leaky).
PRELUDE = """
import os, sys, threading, time
class Leaky:
    def __init__(self, i):
        self.i = i
        self.payload = [i, str(i)]
keep = [Leaky(i) for i in range(int(os.environ.get("MUPPY_N_LEAKY", %d)))]
def self_dump(line):
    import muppy
    muppy.dump(line.split(" ", 1)[1].strip())
    print("dumped", flush=True)
""" % N_LEAKY

# "ping" on stdin: "pong" (the target answers)
WAIT_STDIN = """
def serve():
    for line in sys.stdin:
        if line.startswith("dump "):
            self_dump(line)
        elif line.startswith("ping"):
            print("pong", flush=True)
"""

TARGETS = {
    # blocked in a system call, GIL released
    "sleeping": WAIT_STDIN + """
threading.Thread(target=serve, daemon=True).start()
print("ready", flush=True)
time.sleep(600)
""",
    # runs Python code all the time, GIL held
    "busy": WAIT_STDIN + """
threading.Thread(target=serve, daemon=True).start()
print("ready", flush=True)
n = 0
while True:
    n = (n + 1) % 1000
""",
    # worker threads busy and asleep, the main thread joins
    "threads": WAIT_STDIN + """
def work():
    x = 0
    while True:
        x = (x + 1) % 7
def nap():
    while True:
        time.sleep(0.05)
for f in (work, work, nap, nap):
    threading.Thread(target=f, daemon=True).start()
threading.Thread(target=serve, daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
""",
    # every signal blocked, waiting in select()
    "nosignals": WAIT_STDIN + """
import select, signal
signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.valid_signals())
                       - {signal.SIGKILL, signal.SIGSTOP})
threading.Thread(target=serve, daemon=True).start()
print("ready", flush=True)
r, w = os.pipe()
select.select([r], [], [], 600)
""",
    # the main thread waits in a C call (readline on stdin)
    "readline": """
print("ready", flush=True)
for line in sys.stdin:
    if line.startswith("dump "):
        self_dump(line)
""",
    # holds the GIL in C code for ever: never reaches a safe point
    "regex": """
import re
print("ready", flush=True)
re.match(r"(a+)+$", "a" * 60 + "b")
""",
}


def tmp_leftovers(folders):
    """The attach directories in those folders."""
    found = set()
    for d in set(folders):
        found |= set(glob.glob(os.path.join(d, "muppy-attach-*")))
    return found


def counts(path):
    snap = muppy.load(path)
    c = {}
    for i in range(len(snap)):
        t = snap.type_name(i)
        c[t] = c.get(t, 0) + 1
    return snap, c


class AttachCase(unittest.TestCase):
    """Targets started and killed, a folder for the snapshots."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="muppy-attach-test-")
        self.procs = []
        # attach's temporary folder, for this test alone (other tests, or
        # other checkouts, may attach at the same time): muppy-dump gets
        # it as TMPDIR, attach() called here through tempfile.tempdir
        self.attach_tmp = tempfile.mkdtemp(prefix="muppy-tmpdir-")
        self.saved_tempdir = tempfile.tempdir
        tempfile.tempdir = self.attach_tmp
        self.tmp_before = tmp_leftovers([self.attach_tmp, "/tmp"])

    def tearDown(self):
        tempfile.tempdir = self.saved_tempdir
        shutil.rmtree(self.attach_tmp, ignore_errors=True)
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait()
            for f in (p.stdin, p.stdout):
                if f:
                    f.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def need_gdb(self, via=None):
        if via is None and _inject.supported():
            return
        if GDB is None and (via == "gdb" or not REMOTE_EXEC):
            if REQUIRE_ALL:
                self.fail("gdb is missing (MUPPY_REQUIRE_ALL=1)")
            self.skipTest("gdb is missing")

    def start(self, kind, python=None, env=None, args=(), code=None,
              argv=()):
        code = code or PRELUDE + textwrap.dedent(TARGETS[kind])
        p = subprocess.Popen([python or sys.executable] + list(args)
                             + ["-c", code] + list(argv),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             universal_newlines=True, env=env)
        self.procs.append(p)
        self.assertEqual(p.stdout.readline().strip(), "ready")
        return p

    def attach_argv(self, pid, *args):
        return [sys.executable, "-m", "muppy", "attach", str(pid)] + list(args)

    def attach_env(self, env=None):
        return dict(env if env is not None else os.environ,
                    TMPDIR=self.attach_tmp)

    def attach(self, pid, *args, env=None, preexec_fn=None, timeout=120):
        return subprocess.run(
            self.attach_argv(pid, *args),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            universal_newlines=True, cwd=self.tmp, env=self.attach_env(env),
            preexec_fn=preexec_fn, timeout=timeout)

    def ping(self, p, timeout=60):
        """True when target p answers "pong" within timeout seconds."""
        import selectors
        p.stdin.write("ping\n")
        p.stdin.flush()
        with selectors.DefaultSelector() as sel:
            sel.register(p.stdout, selectors.EVENT_READ)
            if not sel.select(timeout):
                return False
        return p.stdout.readline().strip() == "pong"

    def assert_no_leftovers(self, out):
        self.assertFalse(os.path.exists(out), out)
        self.assertEqual(glob.glob(out + ".tmp*"), [])

    def assert_one_line_error(self, r, *words):
        self.assertEqual(r.returncode, 1, r.stderr)
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        for w in words:
            self.assertIn(w, lines[0])

    def assert_no_attach_dir(self, wait=5.0, folders=None):
        """No attach directory left (the cleaner may need a moment)."""
        folders = folders or [self.attach_tmp]
        end = time.monotonic() + wait
        while (tmp_leftovers(folders) - self.tmp_before
               and time.monotonic() < end):
            time.sleep(0.05)
        self.assertEqual(tmp_leftovers(folders) - self.tmp_before, set())


class AttachTests(AttachCase):
    # -- targets -------------------------------------------------------------

    def check_target(self, kind, *extra):
        self.need_gdb("gdb" if "gdb" in extra else None)
        p = self.start(kind)
        out = os.path.join(self.tmp, kind + ".snap")
        r = self.attach(p.pid, "-o", out, "--timeout", "20", *extra)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("wrote '%s'" % out, r.stderr)
        self.assertIsNone(p.poll(), "the target died")
        snap, got = counts(out)
        self.assertEqual(got.get("__main__.Leaky"), N_LEAKY)
        self.assertEqual(int(snap.meta["pid"]), p.pid)
        # no file of the attach left in the temporary folder
        self.assert_no_attach_dir()
        if kind == "regex":
            return snap
        # what the target would dump of itself, right after
        own = os.path.join(self.tmp, kind + "-own.snap")
        p.stdin.write("dump %s\n" % own)
        p.stdin.flush()
        self.assertEqual(p.stdout.readline().strip(), "dumped")
        _, want = counts(own)
        self.assertEqual(want.get("__main__.Leaky"), N_LEAKY)
        total_got, total_want = sum(got.values()), sum(want.values())
        self.assertLess(abs(total_got - total_want), 0.02 * total_want,
                        (total_got, total_want))
        for t in set(got) | set(want):
            a, b = got.get(t, 0), want.get(t, 0)
            self.assertLessEqual(abs(a - b), max(40, 0.02 * b),
                                 "%s: attach %d, own %d" % (t, a, b))
        # the target runs on, unharmed
        self.assertIsNone(p.poll())
        return snap

    def test_sleeping(self):
        self.check_target("sleeping")

    def test_busy(self):
        self.check_target("busy")

    def test_threads(self):
        self.check_target("threads")

    def test_signals_blocked(self):
        self.check_target("nosignals")

    def test_c_call(self):
        self.check_target("readline")

    def test_background(self):
        snap = self.check_target("sleeping", "--background")
        self.assertEqual(str(snap.meta.get("dump.background")), "1")

    def test_via_gdb(self):
        """The gdb way (the default where the injector does not run)."""
        why = gdb_cannot_call()
        if why:
            self.skipTest(why)
        self.check_target("sleeping", "--via", "gdb")

    def test_json_and_twice(self):
        self.need_gdb()
        p = self.start("sleeping")
        for n in range(2):
            out = os.path.join(self.tmp, "t%d.snap" % n)
            r = self.attach(p.pid, "-o", out, "--json")
            self.assertEqual(r.returncode, 0, r.stderr)
            import json
            res = json.loads(r.stdout)
            self.assertEqual(res["path"], out)
            self.assertEqual(res["objects"], len(muppy.load(out)))
            self.assertGreater(res["bytes_written"], 0)

    def test_default_name(self):
        self.need_gdb()
        p = self.start("sleeping")
        r = self.attach(p.pid)
        self.assertEqual(r.returncode, 0, r.stderr)
        files = glob.glob(os.path.join(self.tmp, "muppy-%d-*.snap" % p.pid))
        self.assertEqual(len(files), 1, os.listdir(self.tmp))

    # -- errors --------------------------------------------------------------

    def test_no_such_process(self):
        p = subprocess.Popen([sys.executable, "-c", "pass"])
        p.wait()
        out = os.path.join(self.tmp, "x.snap")
        r = self.attach(p.pid, "-o", out)
        self.assert_one_line_error(r, "no such process", str(p.pid))
        self.assert_no_leftovers(out)

    def test_not_cpython(self):
        sleep = shutil.which("sleep")
        if sleep is None:
            self.skipTest("no sleep command")
        p = subprocess.Popen([sleep, "60"])
        self.procs.append(p)
        out = os.path.join(self.tmp, "x.snap")
        r = self.attach(p.pid, "-o", out)
        self.assert_one_line_error(r, "not a CPython process")
        self.assert_no_leftovers(out)

    def test_remote_debug_disabled(self):
        env = dict(os.environ, PYTHON_DISABLE_REMOTE_DEBUG="1")
        p = self.start("sleeping", env=env)
        out = os.path.join(self.tmp, "x.snap")
        r = self.attach(p.pid, "-o", out)
        self.assert_one_line_error(r, "disabled remote debugging",
                                   "PYTHON_DISABLE_REMOTE_DEBUG")
        self.assert_no_leftovers(out)
        p = self.start("sleeping", args=["-X", "disable_remote_debug"])
        r = self.attach(p.pid, "-o", out)
        self.assert_one_line_error(r, "disabled remote debugging",
                                   "-X disable_remote_debug")
        self.assert_no_leftovers(out)

    def test_version_mismatch(self):
        mine = "%d.%d" % sys.version_info[:2]

        def version_of(exe):
            try:
                return subprocess.run(
                    [exe, "-c", "import sys; print('%d.%d' % "
                     "sys.version_info[:2])"], stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL, universal_newlines=True,
                    timeout=30).stdout.strip()
            except (OSError, subprocess.TimeoutExpired):
                return None

        candidates = [shutil.which("python3.%d" % m) for m in range(8, 20)]
        if shutil.which("pyenv"):
            vs = subprocess.run(["pyenv", "versions", "--bare"],
                                stdout=subprocess.PIPE,
                                universal_newlines=True).stdout.split()
            for v in vs:
                pre = subprocess.run(["pyenv", "prefix", v],
                                     stdout=subprocess.PIPE,
                                     universal_newlines=True).stdout
                candidates.append(os.path.join(pre.strip(), "bin", "python3"))
        other = None
        for exe in candidates:
            if exe and os.path.exists(exe):
                v = version_of(exe)
                if v and v != mine:
                    other = (v, exe)
                    break
        if other is None:
            self.skipTest("no CPython of another version here")
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        p = self.start("sleeping", python=other[1], env=env)
        out = os.path.join(self.tmp, "x.snap")
        r = self.attach(p.pid, "-o", out)
        self.assert_one_line_error(r, "version mismatch", other[0], mine)
        self.assert_no_leftovers(out)

    def test_other_user(self):
        if os.geteuid() != 0:
            self.skipTest("needs root, to attach as another user")
        nobody = 65534

        def become_nobody():
            os.setgroups([])
            os.setgid(nobody)
            os.setuid(nobody)
        # nobody may not read the checkout or the test's folders: a copy
        # of this muppy in a world-readable folder
        shared = tempfile.mkdtemp(prefix="muppy-nobody-", dir="/tmp")
        self.addCleanup(shutil.rmtree, shared, True)
        os.chmod(shared, 0o755)
        shutil.copytree(os.path.dirname(muppy.__file__),
                        os.path.join(shared, "muppy"))
        env = dict(os.environ, PYTHONPATH=shared, TMPDIR=shared)
        try:
            probe = subprocess.run([sys.executable, "-c", "import muppy"],
                                   preexec_fn=become_nobody, cwd="/",
                                   env=env,
                                   stderr=subprocess.DEVNULL).returncode
        except OSError:
            probe = 1
        if probe != 0:
            # the evidence of the allowed skip: a directory on the way to
            # the interpreter that others may not enter
            d, private = os.path.realpath(sys.executable), False
            while d != os.path.dirname(d):
                d = os.path.dirname(d)
                private |= not os.stat(d).st_mode & 0o001
            if private:
                self.skipTest(allowed("interpreter-private",
                                      "user nobody cannot run %s"
                                      % sys.executable))
            self.skipTest("user nobody cannot run this interpreter")
        p = self.start("sleeping")
        out = os.path.join(shared, "x.snap")
        os.chmod(self.tmp, 0o777)
        r = subprocess.run(self.attach_argv(p.pid, "-o", out),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, cwd="/", env=env,
                           preexec_fn=become_nobody, timeout=120)
        self.assert_one_line_error(r, "permission denied", "CAP_SYS_PTRACE",
                                   "ptrace_scope")
        self.assert_no_leftovers(out)

    def test_gdb_missing(self):
        if REMOTE_EXEC and not _inject.supported():
            self.skipTest(not_applicable("3.14+ attaches without gdb"))
        p = self.start("sleeping")
        out = os.path.join(self.tmp, "x.snap")
        env = dict(os.environ, PATH=self.tmp)
        r = self.attach(p.pid, "-o", out, "--via", "gdb", env=env)
        self.assert_one_line_error(r, "gdb is missing")
        self.assert_no_leftovers(out)

    def test_timeout(self):
        self.need_gdb()
        if REMOTE_EXEC:
            # 3.14's regular expression engine reaches safe points: no
            # stdlib call here holds the GIL for ever any more
            self.skipTest(not_applicable(
                "no GIL-holding C call to wait on in 3.14+"))
        p = self.start("regex")
        out = os.path.join(self.tmp, "x.snap")
        t = time.monotonic()
        r = self.attach(p.pid, "-o", out, "--timeout", "2")
        self.assertLess(time.monotonic() - t, 30)
        self.assert_one_line_error(r, "timeout", "safe point")
        self.assert_no_leftovers(out)
        self.assertIsNone(p.poll(), "the target died")

    def test_unwritable_output(self):
        self.need_gdb()
        p = self.start("sleeping")
        out = os.path.join(self.tmp, "no-such-dir", "x.snap")
        r = self.attach(p.pid, "-o", out)
        self.assert_one_line_error(r, "no such directory")
        ro = os.path.join(self.tmp, "ro")
        os.mkdir(ro, 0o500)
        if os.geteuid() != 0:
            r = self.attach(p.pid, "-o", os.path.join(ro, "x.snap"))
            self.assert_one_line_error(r, "the dump in process", "failed")
            self.assertEqual(os.listdir(ro), [])
        self.assertIsNone(p.poll())

    def test_usage(self):
        r = subprocess.run([sys.executable, "-m", "muppy", "attach"],
                           stderr=subprocess.PIPE, universal_newlines=True)
        self.assertEqual(r.returncode, 2)
        r = subprocess.run([sys.executable, "-m", "muppy", "attach", "--help"],
                           stdout=subprocess.PIPE, universal_newlines=True)
        self.assertEqual(r.returncode, 0)
        self.assertIn("--timeout", r.stdout)


if __name__ == "__main__":
    unittest.main()
