"""Record a real Python heap as a trace for format_bench --trace.

    python3 bench/format_trace.py --scale 100000 OUT.trace

Builds the heap with bench/heapgen.py,
walks it breadth-first from sys.modules the way a dumper numbers objects,
and writes objects, labelled edges, types and strings in a simple binary
layout (little endian):

    "MTRACE1\\n"
    u32 n_strings, then per string: u32 length, bytes
    u32 n_types, then per type: u64 address, u32 module, u32 qualname,
        u32 flags                                  (string ids or ~0)
    u32 n_objects, then per object: u64 address, u32 type, u64 size,
        u32 flags, u64 length, u32 name, u32 n_edges,
        then per edge: u32 target, u8 kind, u64 label

It only approximates a dumper (edges from gc.get_referents, labels for
dicts, lists, tuples and sets) but has the real shape: discovery order,
addresses, sizes and sharing.
"""
import argparse
import gc
import os
import struct
import sys

NONE = 0xFFFFFFFF
INDEX, KEY_STR, KEY_INT, KEY_OTHER, DICT_KEY, SET_ITEM, REF = (
    0x61, 0x42, 0x63, 0x04, 0x05, 0x08, 0x00)
GC_TRACKED, HAS_LENGTH, HAS_NAME = 0x01, 0x08, 0x10
SIZED = (str, bytes, bytearray, list, tuple, dict, set, frozenset)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=100000)
    ap.add_argument("out")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    import heapgen
    heapgen.build(args.scale)

    strings, sid = [], {}

    def string(s):
        i = sid.get(s)
        if i is None:
            i = sid[s] = len(strings)
            strings.append(s.encode("utf-8", "surrogatepass"))
        return i

    types, tid = [], {}

    def type_id(t):
        i = tid.get(id(t))
        if i is None:
            i = tid[id(t)] = len(types)
            mod = getattr(t, "__module__", None)
            types.append((id(t), string(mod) if isinstance(mod, str) else NONE,
                          string(t.__qualname__), (t.__flags__ >> 9) & 1 | 2))
        return i

    gc.collect()
    index = {}
    order = []
    keep = []          # keep discovered objects alive and their ids stable

    def visit(o):
        i = index.get(id(o))
        if i is None:
            i = index[id(o)] = len(order)
            order.append(o)
        return i

    visit(sys.modules)
    out = bytearray()
    pack = struct.pack
    n_edges = 0
    pos = 0
    while pos < len(order):
        o = order[pos]
        pos += 1
        t = type(o)
        edges = []
        if t is dict:
            for k, v in list(o.items()):
                edges.append((visit(k), DICT_KEY, 0))
                if type(k) is str:
                    edges.append((visit(v), KEY_STR, string(k)))
                elif type(k) is int and -2**63 <= k < 2**63:
                    edges.append((visit(v), KEY_INT, k & (2**64 - 1)))
                else:
                    edges.append((visit(v), KEY_OTHER, 0))
        elif t is list or t is tuple:
            for j, v in enumerate(list(o)):
                edges.append((visit(v), INDEX, j))
        elif t is set or t is frozenset:
            for v in list(o):
                edges.append((visit(v), SET_ITEM, 0))
        else:
            for v in gc.get_referents(o):
                edges.append((visit(v), REF, 0))
        flags = GC_TRACKED if gc.is_tracked(o) else 0
        length = 0
        if isinstance(o, SIZED):
            flags |= HAS_LENGTH
            length = len(o)
        name = NONE
        qn = getattr(o, "__qualname__", None) if callable(o) else None
        if isinstance(qn, str):
            flags |= HAS_NAME
            name = string(qn)
        try:
            size = sys.getsizeof(o)
        except Exception:
            size = 0
        out += pack("<QIQIQII", id(o), type_id(t), size, flags, length,
                    name, len(edges))
        for target, kind, label in edges:
            out += pack("<IBQ", target, kind, label)
        n_edges += len(edges)
    with open(args.out, "wb") as f:
        f.write(b"MTRACE1\n")
        f.write(pack("<I", len(strings)))
        for s in strings:
            f.write(pack("<I", len(s)))
            f.write(s)
        f.write(pack("<I", len(types)))
        for t in types:
            f.write(pack("<QIII", *t))
        f.write(pack("<I", len(order)))
        f.write(out)
    print("%d objects, %d edges, %d types, %d strings"
          % (len(order), n_edges, len(types), len(strings)), file=sys.stderr)


if __name__ == "__main__":
    main()
