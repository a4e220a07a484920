"""A data and ML heap: numpy, pandas, torch, PIL and lxml objects whose
memory is mostly outside Python objects, each measured as it is built.

    import dataheap
    heap = dataheap.build(scale=1.0)     # the issue's sizes
    heap.parts["array"].obj, heap.parts["array"].growth

At scale 1: a 128 MiB float64 array, a DataFrame of 5 million rows (an
int64 column and a str column), a 64 MiB float32 tensor, a 48 MB RGB
image (4000 x 3000, 4 bytes a pixel) and an lxml tree of 300,000
elements; smaller scales shrink them all (the str column keeps at least
1 million rows).  Each part's `growth` is the RSS its construction
added, measured after gc.collect() and malloc_trim(0) on both sides.

Needs Debian's python3-numpy, -pandas, -torch, -pil and -lxml (the
interpreter they serve: tools/deps.sh --data installs them); import
fails with ImportError otherwise.
"""
import ctypes
import ctypes.util
import gc

import numpy as np
import pandas as pd
import torch
from PIL import Image
import lxml.etree as etree

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")


def rss():
    """The resident set size now, after a collection and malloc_trim."""
    gc.collect()
    _libc.malloc_trim(0)
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


_PAGE = __import__("os").sysconf("SC_PAGE_SIZE")


class Part:
    def __init__(self, name, obj, growth):
        self.name = name
        self.obj = obj
        self.growth = growth


class DataHeap:
    def __init__(self):
        self.parts = {}

    def add(self, name, make):
        before = rss()
        obj = make()
        self.parts[name] = Part(name, obj, rss() - before)
        return obj


def build(scale=1.0):
    """The heap at `scale` (1.0: the sizes above)."""
    h = DataHeap()
    n_array = int(16 * 2 ** 20 * scale)         # float64: 128 MiB at 1
    rows = max(int(5000000 * scale), 1000000)
    n_tensor = int(16 * 2 ** 20 * scale)        # float32: 64 MiB at 1
    side = max(int(1000 * scale ** 0.5), 10)    # 4000 x 3000 at 1
    elements = max(int(300000 * scale), 1000)

    h.add("array", lambda: np.arange(n_array, dtype=np.float64))

    def frame():
        return pd.DataFrame({"n": np.arange(rows, dtype=np.int64),
                             "s": ["row %d" % i for i in range(rows)]})
    h.add("frame", frame)
    h.add("tensor", lambda: torch.arange(n_tensor, dtype=torch.float32))
    h.add("image", lambda: Image.new("RGB", (4 * side, 3 * side),
                                     (10, 20, 30)))

    def tree():
        root = etree.Element("root")
        for i in range(elements):
            e = etree.SubElement(root, "item", id=str(i))
            e.text = "text %d" % i
        return etree.ElementTree(root)
    h.add("tree", tree)
    return h
