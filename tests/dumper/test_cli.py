"""The muppy-dump command (python -m muppy, and the installed script)."""
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

import muppy
from testlib import not_applicable

SCRIPT_OK = """
import sys
class Marker:
    pass
keep = [Marker() for _ in range(5)]
with open(sys.argv[1], "w") as f:
    f.write(" ".join(sys.argv[2:]) + "|" + __name__)
"""

SCRIPT_RAISES = """
class Doomed:
    pass
alive = Doomed()
def fail():
    local_thing = Doomed()
    raise RuntimeError("boom from the script")
fail()
"""

SCRIPT_EXIT = """
import sys
class Marker:
    pass
m = Marker()
sys.exit(4)
"""


class CliTests(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="muppy-cli-")
        self.cmd = [sys.executable, "-m", "muppy"]

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def script(self, text, name="script.py"):
        p = os.path.join(self.tmp, name)
        with open(p, "w") as f:
            f.write(textwrap.dedent(text))
        return p

    def run_cmd(self, *args, cmd=None):
        return subprocess.run((cmd or self.cmd) + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, cwd=self.tmp)

    def count_type(self, path, qualname, module="__main__"):
        s = muppy.load(path)
        ids = [i for i, t in enumerate(s.types)
               if t[2] == qualname and t[1] == module]
        return sum(1 for t in s.type if t in ids)

    def test_run_ok(self):
        out = os.path.join(self.tmp, "out.snap")
        res = os.path.join(self.tmp, "argv.txt")
        r = self.run_cmd("run", "-o", out, self.script(SCRIPT_OK), res,
                         "a", "--b")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(res) as f:
            self.assertEqual(f.read(), "a --b|__main__")
        self.assertEqual(self.count_type(out, "Marker"), 5)
        self.assertIn("wrote", r.stderr)

    def test_run_raises(self):
        out = os.path.join(self.tmp, "fail.snap")
        r = self.run_cmd("run", "-o", out, self.script(SCRIPT_RAISES))
        self.assertEqual(r.returncode, 1)
        self.assertIn("RuntimeError: boom from the script", r.stderr)
        self.assertTrue(os.path.exists(out))
        # the global and the failing frame's local are both alive
        self.assertEqual(self.count_type(out, "Doomed"), 2)

    def test_run_sys_exit(self):
        out = os.path.join(self.tmp, "exit.snap")
        r = self.run_cmd("run", "-o", out, self.script(SCRIPT_EXIT))
        self.assertEqual(r.returncode, 4)
        self.assertEqual(self.count_type(out, "Marker"), 1)

    def test_default_output_and_options(self):
        r = self.run_cmd("run", "--include-strings", "4", "--no-labels",
                         self.script(SCRIPT_OK), os.devnull)
        self.assertEqual(r.returncode, 0, r.stderr)
        snaps = [n for n in os.listdir(self.tmp) if n.endswith(".snap")]
        self.assertEqual(len(snaps), 1)
        self.assertRegex(snaps[0], r"^muppy-\d+-\d{8}-\d{6}-0\.snap$")
        s = muppy.load(os.path.join(self.tmp, snaps[0]))
        self.assertEqual(s.meta["dump.labels"], 0)
        self.assertEqual(s.meta["dump.include_strings"], 4)

    def test_help(self):
        r = self.run_cmd("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("usage:", r.stdout)
        self.assertIn("run", r.stdout)
        r = self.run_cmd("run", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("--include-strings", r.stdout)
        self.assertIn("examples:", r.stdout)

    def test_usage_errors(self):
        for args in ([], ["run"], ["bogus"], ["run", "--include-strings",
                                              "x", "s.py"],
                     ["run", "--include-strings", "-2", "s.py"]):
            r = self.run_cmd(*args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertEqual(r.stdout, "")
            self.assertTrue(r.stderr.strip(), args)
        r = self.run_cmd("run", os.path.join(self.tmp, "missing.py"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("cannot open", r.stderr)
        self.assertIn("missing.py", r.stderr)

    def test_unwritable_output(self):
        out = os.path.join(self.tmp, "no", "dir", "x.snap")
        r = self.run_cmd("run", "-o", out, self.script(SCRIPT_OK), os.devnull)
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot write", r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)

    @unittest.skipUnless(os.environ.get("MUPPY_DUMP_SCRIPT"), not_applicable(
        "muppy-dump is only there when pip-installed (dumper_python3.N)"))
    def test_console_script(self):
        exe = os.environ["MUPPY_DUMP_SCRIPT"]
        r = self.run_cmd("--help", cmd=[exe])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("usage: muppy-dump", r.stdout)
        out = os.path.join(self.tmp, "cs.snap")
        r = self.run_cmd("run", "-o", out, self.script(SCRIPT_OK),
                         os.devnull, cmd=[exe])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.count_type(out, "Marker"), 5)


if __name__ == "__main__":
    unittest.main()
