"""Helpers shared by the dumper tests: the interpreter's own view of the
heap (taken before a dump) and lookups in a snapshot read back."""
import collections
import gc
import os
import sys

MF_OBJ_GC_TRACKED = 0x01
MF_OBJ_IMMORTAL = 0x02
MF_OBJ_SIZE_FALLBACK = 0x04
MF_OBJ_HAS_LENGTH = 0x08
MF_OBJ_HAS_NAME = 0x10
MF_OBJ_HAS_VALUE = 0x20
MF_OBJ_FROZEN = 0x40
MF_OBJ_EXTERNAL = 0x80

MF_TYPE_HEAP = 0x01
MF_TYPE_GC = 0x02
MF_TYPE_EXTERNAL = 0x04
MF_TYPE_FILE = 0x08
MF_TYPE_DEVICE = 0x10

MF_EDGE_WEAK = 0x80
MF_EDGE_REF = 0x00
MF_EDGE_INDEX = 0x61
MF_EDGE_KEY_STR = 0x42
MF_EDGE_KEY_INT = 0x63
MF_EDGE_KEY_OTHER = 0x04
MF_EDGE_DICT_KEY = 0x05
MF_EDGE_ATTR = 0x46
MF_EDGE_FIELD = 0x47
MF_EDGE_SET_ITEM = 0x08

MF_ROOT_SYS_MODULES = 1
MF_ROOT_MODULE = 2
MF_ROOT_THREAD = 3
MF_ROOT_BUILTINS = 4
MF_ROOT_GC_GARBAGE = 5

NONE = 0xFFFFFFFF

# smaller sizes when the multi-version script runs the suite six times
QUICK = bool(os.environ.get("MUPPY_TEST_QUICK"))


def repo_root():
    return os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))


class View:
    """Every object the interpreter can see (gc.get_objects() and the
    closure of gc.get_referents), with type, size and referents, by id."""

    def __init__(self):
        self.objs = {}
        todo = gc.get_objects()
        self.n_gc = len(todo)       # todo[:n_gc]: the gc lists, in order
        for o in todo:
            self.objs[id(o)] = o
        i = 0
        while i < len(todo):
            for r in gc.get_referents(todo[i]):
                if id(r) not in self.objs:
                    self.objs[id(r)] = r
                    todo.append(r)
            i += 1
        self.todo = todo
        self.size = {}
        self.refs = {}
        self.tracked = {}
        for a, o in self.objs.items():
            self.tracked[a] = gc.is_tracked(o)
            try:
                self.size[a] = sys.getsizeof(o)
            except Exception:
                self.size[a] = None
            self.refs[a] = [id(r) for r in gc.get_referents(o)]


class Snap:
    """A snapshot with address -> index lookups."""

    def __init__(self, path):
        import muppy
        self.s = muppy.load(path)
        self.index = {a: i for i, a in enumerate(self.s.address)}

    def __getattr__(self, name):
        return getattr(self.s, name)

    def idx(self, obj):
        return self.index.get(id(obj))

    def edges(self, i):
        return self.s.edges_of(i)

    def label_str(self, kind, label):
        if (kind & 0x7F) >> 5 == 2:
            return self.s.strings[label]
        return label

    def edges_to(self, src, dst):
        """[(kind, label-as-python)] of the edges src -> dst."""
        i, j = self.idx(src), self.idx(dst)
        if i is None or j is None:
            return []
        return [(k, self.label_str(k, l)) for t, k, l in self.edges(i)
                if t == j]

    def type_of(self, i):
        return self.s.types[self.s.type[i]]

    def external_nodes(self, obj):
        """[(node index, edge label)] of the external nodes obj holds."""
        i = self.idx(obj)
        return [(t, self.s.strings[l]) for t, k, l in self.edges(i)
                if self.s.flags[t] & MF_OBJ_EXTERNAL]

    def type_flags(self, i):
        return self.s.types[self.s.type[i]][3]

    def per_type(self):
        c = collections.Counter()
        for i in range(self.s.objects):
            c[(self.s.type_name(i), self.s.size[i])] += 1
        return c
