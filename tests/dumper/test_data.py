"""Sizes that hold on a data and ML heap: every object once, memory
outside objects as external nodes, the RSS explained.

The heap of bench/dataheap.py (numpy, pandas, torch, PIL, lxml) is built
part by part, each part's RSS growth measured (after gc.collect() and
malloc_trim(0)), then dumped once; the snapshot is read back with
muppy.load() and muppy-analyze.  MUPPY_DATA_SCALE sets the size (default
0.2: a 26 MB array, a DataFrame of 1 million rows, a 13 MB tensor, a
10 MB image, a tree of 60,000 elements; 1: the issue's 128 MB, 5
million rows, 64 MB, 48 MB and 300,000 elements).

Run by tests/dumper/test_data.sh with an interpreter that has the
libraries (Debian's python3-numpy, -pandas, -torch, -pil, -lxml:
tools/deps.sh --data).
"""
import gc
import json
import mmap
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import muppy
from snaputil import MF_EDGE_FIELD, MF_EDGE_INDEX, repo_root

sys.path.insert(0, os.path.join(repo_root(), "bench"))
import dataheap  # noqa: E402  (numpy, pandas, torch, PIL, lxml)
import numpy as np  # noqa: E402
import torch  # noqa: E402

MF_OBJ_EXTERNAL = 0x80
MF_TYPE_EXTERNAL = 0x04
MF_TYPE_FILE = 0x08
SCALE = float(os.environ.get("MUPPY_DATA_SCALE", "0.2"))
TOLERANCE = 0.20        # the issue's: within 20 % of the RSS growth


class Fixture:
    pass


F = Fixture()


def setUpModule():
    F.tmp = tempfile.mkdtemp(prefix="muppy-data-")
    F.heap = dataheap.build(SCALE)
    F.df = F.heap.parts["frame"].obj
    # small structures, checked one by one
    F.base = torch.arange(1000, dtype=torch.float32)
    F.views = [F.base[10:], F.base[::3], F.base.view(10, 100)]
    F.c_order = np.array([[1, "two"], [3.0, None]], dtype=object)
    F.fortran = np.asfortranarray(
        np.array([[10, 11, 12], [13, 14, 15]], dtype=object))
    F.strided = F.fortran[:, ::2]
    F.zero_d = np.array(object(), dtype=object)
    F.empty = np.empty((0, 4), dtype=object)
    F.owner = np.arange(1000, dtype=np.int32)
    F.view = F.owner[100:200]
    F.mapfile = os.path.join(F.tmp, "mapped.bin")
    with open(F.mapfile, "wb") as f:
        f.write(b"\1" * 65536)
    F.memmap = np.memmap(F.mapfile, dtype=np.uint8, mode="r")
    F.anon = mmap.mmap(-1, 1 << 20)
    F.path = os.path.join(F.tmp, "data.snap")
    F.result = muppy.dump(F.path)
    F.snap = muppy.load(F.path)
    F.index = {a: i for i, a in enumerate(F.snap.address)}


def tearDownModule():
    F.memmap._mmap.close()
    shutil.rmtree(F.tmp, ignore_errors=True)
    F.__dict__.clear()
    gc.collect()


def idx(obj):
    return F.index[id(obj)]


def edges(obj):
    """[(target index, kind, label as Python)] of obj."""
    s = F.snap
    out = []
    for t, k, lab in s.edges_of(idx(obj)):
        if (k & 0x7F) >> 5 == 2:
            lab = s.strings[lab]
        out.append((t, k, lab))
    return out


def external(i):
    return bool(F.snap.flags[i] & MF_OBJ_EXTERNAL)


def nodes_of(obj):
    """The external nodes obj has edges to: [(index, label)]."""
    return [(t, lab) for t, k, lab in edges(obj) if external(t)]


def retained(obj):
    out = subprocess.run([muppy.analyzer_path(), "dominators", "--json",
                          F.path, hex(id(obj))],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True, check=True)
    return json.loads(out.stdout)["target"]["retained"]


class TestParts(unittest.TestCase):
    """Each part's retained size is what its construction cost."""

    def check_part(self, name):
        part = F.heap.parts[name]
        got = retained(part.obj)
        sys.stderr.write("\n  %s: RSS growth %.1f MiB, retained %.1f MiB"
                         % (name, part.growth / 2 ** 20, got / 2 ** 20))
        self.assertLessEqual(abs(got - part.growth),
                             TOLERANCE * part.growth,
                             "%s: retained %d, RSS growth %d"
                             % (name, got, part.growth))

    def test_array(self):
        self.check_part("array")

    def test_frame(self):
        self.check_part("frame")

    def test_tensor(self):
        self.check_part("tensor")

    def test_image(self):
        self.check_part("image")

    def test_lxml_tree_estimate(self):
        # libxml2's memory is estimated from the tree's counts
        self.check_part("tree")


class TestFrame(unittest.TestCase):

    def test_counted_once(self):
        s = F.snap
        # the frame, its series and blocks: their own sizes only
        i = idx(F.df)
        self.assertLess(s.size[i], 1024)
        shallow = s.meta["dump.shallow_types"]
        self.assertIn("pandas.core.frame.DataFrame:", shallow)
        self.assertGreater(s.meta["dump.shallow_objects"], 3)
        # objects and anonymous nodes together fit in the RSS
        m = s.memory
        self.assertLess(m["objects"] + m["external"], m["rss"])
        pandas_own = sum(s.size[j] for j in range(s.objects)
                         if s.types[s.type[j]][1] is not None
                         and s.types[s.type[j]][1].startswith("pandas."))
        self.assertLess(pandas_own, 2 ** 20)

    def test_every_str_of_the_column(self):
        column = F.df["s"].values            # the object block's array
        self.assertEqual(column.dtype, object)
        holder = column.base if column.base is not None else column
        wanted = {id(x) for x in column}
        self.assertEqual(len(wanted), len(F.df))
        got = {F.snap.address[t] for t, k, _ in edges(holder)
               if k == MF_EDGE_INDEX}
        self.assertEqual(len(got - wanted), 0)
        self.assertEqual(len(wanted - got), 0)
        strs = sum(1 for a in wanted if a in F.index
                   and F.snap.type_name(F.index[a]) == "str")
        self.assertEqual(strs, len(F.df))


class TestObjectArrays(unittest.TestCase):

    def items(self, arr):
        return [(F.snap.address[t], lab) for t, k, lab in edges(arr)
                if k == MF_EDGE_INDEX]

    def test_c_order(self):
        flat = list(F.c_order.reshape(-1))
        self.assertEqual(self.items(F.c_order),
                         [(id(x), i) for i, x in enumerate(flat)])

    def test_fortran_and_strided(self):
        # items by flat index in C order, whatever the strides
        self.assertFalse(F.fortran.flags.c_contiguous)
        flat = [F.fortran[i, j] for i in range(2) for j in range(3)]
        self.assertEqual(self.items(F.fortran),
                         [(id(x), i) for i, x in enumerate(flat)])
        # a view lists nothing: its base does; it has an edge to it
        self.assertEqual(self.items(F.strided), [])
        self.assertIn((idx(F.fortran), MF_EDGE_FIELD, "base"),
                      edges(F.strided))

    def test_zero_d_and_empty(self):
        self.assertEqual(self.items(F.zero_d), [(id(F.zero_d[()]), 0)])
        self.assertEqual(self.items(F.empty), [])
        self.assertIn((idx(F.empty.dtype), MF_EDGE_FIELD, "dtype"),
                      edges(F.empty))


class TestExternal(unittest.TestCase):

    def test_numpy_data(self):
        s = F.snap
        (node, label), = nodes_of(F.owner)
        self.assertEqual(label, "data")
        self.assertEqual(s.address[node], F.owner.ctypes.data)
        self.assertEqual(s.size[node], F.owner.nbytes)
        self.assertEqual(s.type_name(node), "<external>.numpy data")
        self.assertTrue(s.types[s.type[node]][3] & MF_TYPE_EXTERNAL)
        # a view's data is its base's
        self.assertEqual(nodes_of(F.view), [])
        self.assertIn((idx(F.owner), MF_EDGE_FIELD, "base"), edges(F.view))
        # its own size: without the data
        self.assertEqual(s.size[idx(F.owner)],
                         sys.getsizeof(F.owner) - F.owner.nbytes)

    def test_memmap_is_file_backed(self):
        s = F.snap
        mm = F.memmap._mmap
        (node, _), = nodes_of(mm)
        self.assertEqual(s.size[node], 65536)
        self.assertTrue(s.types[s.type[node]][3] & MF_TYPE_FILE)
        self.assertEqual(s.type_name(node), "<external>.mmap.mmap (file)")
        # the memmap array reaches it through its base
        self.assertIn((idx(mm), MF_EDGE_FIELD, "base"), edges(F.memmap))
        self.assertEqual(s.memory["external_file"] >= 65536, True)

    def test_tensor_and_views_one_storage(self):
        s = F.snap
        nodes = {t for v in [F.base] + F.views for t, _ in nodes_of(v)}
        self.assertEqual(len(nodes), 1)
        node = nodes.pop()
        self.assertEqual(s.size[node], 4000)
        self.assertEqual(s.type_name(node), "<external>.torch storage")
        self.assertEqual(s.address[node], F.base.data_ptr())

    def test_image_and_tree_nodes(self):
        s = F.snap
        image = F.heap.parts["image"].obj
        (node, label), = nodes_of(image.im)
        self.assertEqual(label, "image")
        w, h = image.size
        self.assertGreaterEqual(s.size[node], w * h * 4)
        root = F.heap.parts["tree"].obj.getroot()
        (node, label), = nodes_of(root)
        self.assertEqual(s.type_name(node),
                         "<external>.libxml2 document (estimate)")

    def test_nodes_unique_and_counted(self):
        s = F.snap
        ext = [i for i in range(s.objects) if external(i)]
        self.assertEqual(len(ext), s.meta["dump.external_nodes"])
        self.assertEqual(len({s.address[i] for i in ext}), len(ext))
        self.assertEqual(s.meta["dump.sizer_errors"], 0)


class TestMemory(unittest.TestCase):

    def test_breakdown_adds_up(self):
        m = F.snap.memory
        sys.stderr.write("\n  " + ", ".join(
            "%s %.1f MiB" % (k, m[k] / 2 ** 20)
            for k in ("rss", "objects", "external", "allocator_free",
                      "file_backed", "other", "unexplained")))
        self.assertEqual(m["missing"], [])
        self.assertEqual(m["rss"], m["objects"] + m["external"]
                         + m["allocator_free"] + m["file_backed"]
                         + m["other"] + m["unexplained"])
        self.assertLessEqual(abs(m["unexplained"]), 0.02 * m["rss"])
        self.assertGreater(m["external"], F.heap.parts["array"].growth)


if __name__ == "__main__":
    unittest.main()
