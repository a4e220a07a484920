"""muppy.dump(): the snapshot holds what the interpreter sees.

Known structures are built, the interpreter's own view of the heap is
taken (gc.get_objects + gc.get_referents closure, before the dump so it
does not see the test's reading objects), one snapshot is written and
read back, and the two are compared object by object.
"""
import builtins
import collections
import gc
import mmap
import os
import shutil
import sys
import tempfile
import threading
import unittest
import weakref

import muppy
from snaputil import *  # noqa: F401,F403
from snaputil import View, Snap
from testlib import not_applicable

PY311 = sys.version_info >= (3, 11)
PY314 = sys.version_info >= (3, 14)
HAS_FROZENDICT = hasattr(builtins, "frozendict")     # 3.15+


# ---- the known structures ------------------------------------------------

class Account:
    def __init__(self, owner, balance):
        self.owner = owner
        self.balance = balance
        self.history = []


class Slotted:
    __slots__ = ("alpha", "beta")

    def __init__(self, a, b):
        self.alpha = a
        self.beta = b


class Managed:
    """3.11+: attributes in inline values / a managed dict"""

    def __init__(self):
        self.first = [1, 2]
        self.second = "s"


class BadSizeof:
    def __sizeof__(self):
        raise RuntimeError("no size for you")


class NonsenseSizeof:
    def __sizeof__(self):
        return -5


class StrSizeof:
    def __sizeof__(self):
        return "big"


class UserSizeof:
    def __sizeof__(self):
        return 4242


class Node:
    __slots__ = ("next", "__weakref__")

    def __init__(self, nxt):
        self.next = nxt


class TagSet(set):
    """a set subclass with an attribute: items and fields labeled apart"""

    def __init__(self, items):
        super().__init__(items)
        self.note = ["tag", "set", "note"]


def make_frame():
    """a frame object that outlives its call: it owns its locals"""
    frame_marker = ["frame", "local"]
    return sys._getframe(), frame_marker


def annotated(x: int) -> int:
    return x


def make_closure():
    captured = ["captured", "list"]

    def inner():
        return captured
    return inner


class Fixture:
    pass


F = Fixture()
SECRET = "".join(["muppy", "-secret-", "content-8842"])   # built at runtime


def worker(ready, stop):
    buf = bytearray(3333)
    untracked_local = 10 ** 40 + 7      # an int only this frame holds
    ready.set()
    stop.wait()
    return buf, untracked_local


def setUpModule():
    F.tmp = tempfile.mkdtemp(prefix="muppy-test-")
    F.registry = {"alice": Account("alice", 10), "bob": Account("bob", 20)}
    F.registry[7] = Account("seven", 7)
    F.cycle_a = []
    F.cycle_b = [F.cycle_a]
    F.cycle_a.append(F.cycle_b)
    F.slotted = Slotted("A" * 3, 4.5)
    F.managed = Managed()
    F.closure = make_closure()
    F.bound_list = [0, 1, 2, F.registry["alice"].__init__]
    F.bad = BadSizeof()
    F.nonsense = NonsenseSizeof()
    F.strsize = StrSizeof()
    F.usersize = UserSizeof()
    F.secret_holder = [SECRET]
    F.weak_target = Account("weak", 0)
    F.weak = weakref.ref(F.weak_target)
    F.untracked_tuple = (1.5, "x" * 10)
    F.frozen_set = frozenset({"fs1", "fs2"})
    F.int_keyed = {1: "one", 2 ** 70: "huge", (1, 2): "tuple"}
    F.tag_set = TagSet(["ts1", "ts2", "ts3"])
    F.dead_frame, F.frame_marker = make_frame()
    if HAS_FROZENDICT:
        F.frozen_dict = builtins.frozendict({"fd_key": [1], "other": 2})
    F.managed_refs_before = sorted(type(r).__name__
                                   for r in gc.get_referents(F.managed))
    F.ready, F.stop = threading.Event(), threading.Event()
    F.thread = threading.Thread(target=worker, args=(F.ready, F.stop),
                                name="blocked-worker", daemon=True)
    F.thread.start()
    F.ready.wait()
    F.path = os.path.join(F.tmp, "main.snap")
    F.snap = None


def main_snapshot():
    """The fixture's heap dumped (F.result, F.snap) beside the
    interpreter's own view of it (F.view), made again after
    drop_main_snapshot()."""
    if F.snap is not None:
        return
    # no collection between the view and the dump (it would untrack
    # tuples and dicts); the dump itself must leave the state as it was
    gc.collect()
    gc.disable()
    F.gc_was = gc.isenabled()
    F.view = View()
    F.result = muppy.dump(F.path)
    F.gc_after = gc.isenabled()
    gc.enable()
    F.snap = Snap(F.path)


def drop_main_snapshot():
    """Forget the view and the loaded snapshot: they are hundreds of
    thousands of Python objects, which every test that dumps the whole
    heap would otherwise write and load again."""
    F.view = F.snap = F.result = None
    gc.collect()


class MainSnapshotCase(unittest.TestCase):
    """Tests of the fixture's snapshot against the interpreter's view."""

    @classmethod
    def setUpClass(cls):
        main_snapshot()


class WholeHeapCase(unittest.TestCase):
    """Tests that dump the whole heap themselves."""

    @classmethod
    def setUpClass(cls):
        drop_main_snapshot()


def tearDownModule():
    F.stop.set()
    F.thread.join()
    shutil.rmtree(F.tmp, ignore_errors=True)
    # the modules run after this one in the same process (test_all_pythons
    # runs them all in one) must not dump and load this heap again
    F.__dict__.clear()


EXTRA_KINDS = (MF_EDGE_DICT_KEY,)


class TestObjects(MainSnapshotCase):

    def test_result(self):
        r = F.result
        self.assertEqual(r.path, F.path)
        self.assertEqual(r.objects, F.snap.objects)
        self.assertEqual(r.edges, len(F.snap.edge_target))
        self.assertEqual(r.bytes_written, os.path.getsize(F.path))
        self.assertGreater(r.seconds, 0)
        self.assertIn("main.snap", os.listdir(F.tmp))
        self.assertEqual([f for f in os.listdir(F.tmp) if "tmp" in f], [])

    def test_every_object_once(self):
        self.assertEqual(len(F.snap.index), F.snap.objects,
                         "an address appears twice")
        missing = [a for a in F.view.objs if a not in F.snap.index]
        self.assertEqual(missing[:10], [],
                         "%d objects the interpreter sees are missing"
                         % len(missing))

    def test_types_and_sizes(self):
        s = F.snap
        bad = []
        changed = []
        for a, o in F.view.objs.items():
            i = s.index[a]
            taddr = s.types[s.type[i]][0]
            if taddr != id(type(o)):
                bad.append(("type", type(o).__name__, a))
            exp = F.view.size[a]
            if exp is not None and s.size[i] != exp:
                if s.size[i] == sys.getsizeof(o):
                    # changed after the view: on 3.8/3.9 the dump's
                    # lookup of __sizeof__ readies functools'
                    # _lru_list_elem, which joins object's subclasses (a
                    # dict that grows when at a resize boundary)
                    changed.append(type(o).__name__)
                    continue
                bad.append(("size", type(o).__name__, s.size[i], exp))
        self.assertEqual(bad[:10], [], "%d mismatches" % len(bad))
        self.assertLess(len(changed), 10, changed)

    def test_tracked_in_gc_order(self):
        # the gc-tracked objects come first, in gc list order (that of
        # gc.get_objects(), which does not list the permanent generation;
        # objects created after the view are left out of the comparison)
        s = F.snap
        gc_order = [id(o) for o in F.view.todo[:F.view.n_gc]]
        wanted = set(gc_order)
        tracked = [s.address[i] for i in range(s.objects)
                   if s.flags[i] & MF_OBJ_GC_TRACKED]
        self.assertEqual(tracked, [s.address[i] for i in range(len(tracked))])
        self.assertEqual([a for a in tracked if a in wanted], gc_order)

    def test_flags(self):
        s = F.snap
        for a, o in F.view.objs.items():
            i = s.index[a]
            self.assertEqual(bool(s.flags[i] & MF_OBJ_GC_TRACKED),
                             F.view.tracked[a], type(o))
        i = s.idx(F.registry)
        self.assertTrue(s.flags[i] & MF_OBJ_HAS_LENGTH)
        self.assertEqual(s.length[i], 3)
        self.assertEqual(s.length[s.idx(F.bound_list)], 4)
        i = s.idx(Account)
        self.assertTrue(s.flags[i] & MF_OBJ_HAS_NAME)
        self.assertEqual(s.strings[s.name[i]], "Account")
        i = s.idx(worker)
        self.assertEqual(s.strings[s.name[i]], "worker")
        i = s.idx(sys)
        self.assertEqual(s.strings[s.name[i]], "sys")
        self.assertTrue(s.flags[s.idx(int)] & MF_OBJ_IMMORTAL)
        self.assertFalse(s.flags[s.idx(Account)] & MF_OBJ_IMMORTAL)
        self.assertEqual(s.strings[s.name[s.idx(int)]], "int")

    def test_size_fallback(self):
        s = F.snap
        for o in (F.bad, F.nonsense, F.strsize):
            i = s.idx(o)
            self.assertTrue(s.flags[i] & MF_OBJ_SIZE_FALLBACK, type(o))
            self.assertIsNone(F.view.size[id(o)])   # getsizeof raised
            self.assertGreaterEqual(s.size[i], type(o).__basicsize__)
            self.assertLessEqual(s.size[i], type(o).__basicsize__ + 64)
        i = s.idx(F.usersize)
        self.assertFalse(s.flags[i] & MF_OBJ_SIZE_FALLBACK)
        self.assertEqual(s.size[i], sys.getsizeof(F.usersize))

    def test_edges_match_get_referents(self):
        s = F.snap
        bad = []
        changed = []
        for a, o in F.view.objs.items():
            if o is F or o is F.__dict__:
                continue    # F.view was set after the view was taken
            refs = F.view.refs[a]
            if sorted(map(id, gc.get_referents(o))) != sorted(refs):
                # the interpreter changed it after the view (e.g. 3.8/3.9
                # readying functools._lru_list_elem late): not comparable
                changed.append(type(o).__name__)
                continue
            i = s.index[a]
            es = s.edges(i)
            got = collections.Counter(s.address[t] for t, _, _ in es)
            want = collections.Counter(refs)
            missing = want - got
            if missing:
                bad.append(("missing", type(o).__name__, len(missing)))
                continue
            extra = got - want
            if not extra:
                continue
            allowed = collections.Counter()
            for t, k, _ in es:
                if ((k & 0x7F) in EXTRA_KINDS or k & MF_EDGE_WEAK
                        or (k == MF_EDGE_FIELD
                            and (isinstance(o, type) or not refs))):
                    allowed[s.address[t]] += 1
            if extra - allowed:
                bad.append(("extra", type(o).__name__,
                            [type(F.view.objs.get(x)).__name__
                             for x in extra - allowed][:3]))
        self.assertEqual(bad[:10], [], "%d objects differ" % len(bad))
        # (the test runner itself changes a few objects meanwhile)
        self.assertLess(len(changed), len(F.view.objs) // 100, changed)

    def test_gc_state_restored(self):
        self.assertEqual(F.gc_after, F.gc_was)

    def test_no_string_contents(self):
        s = F.snap
        self.assertTrue(all(v == NONE for v in s.value))
        self.assertFalse(any(f & MF_OBJ_HAS_VALUE for f in s.flags))
        self.assertNotIn(SECRET, s.strings)
        self.assertFalse(any("secret-content" in x for x in s.strings))
        with open(F.path, "rb") as f:
            self.assertNotIn(b"secret-content", f.read())

    def test_metadata(self):
        m = F.snap.meta
        self.assertEqual(m["python.version"], sys.version)
        self.assertEqual(m["python.hexversion"], sys.hexversion)
        self.assertEqual(m["pid"], os.getpid())
        self.assertEqual(m["pointer_size"], 8 if sys.maxsize > 2 ** 32 else 4)
        self.assertEqual(m["muppy.version"], muppy.__version__)
        self.assertEqual(m["python.implementation"], "cpython")
        self.assertEqual(m["platform"], sys.platform)
        self.assertEqual(m["dump.labels"], 1)
        self.assertEqual(m["dump.include_strings"], 0)
        self.assertEqual(m["python.free_threaded"], 0)
        for k in ("machine", "boot_id", "python.abiflags"):
            self.assertIsInstance(m[k], str)
        for k in ("process.start_time", "rss.current", "rss.peak",
                  "python.allocated_blocks", "gc.count0", "gc.count1",
                  "gc.count2", "dump.shallow_objects",
                  "dump.external_nodes", "dump.sizer_calls",
                  "dump.sizer_errors"):
            self.assertIsInstance(m[k], int, k)
        self.assertGreater(m["rss.peak"], 0)
        self.assertIsInstance(m["time"], float)
        self.assertIsInstance(m["dump.seconds"], float)
        self.assertIsInstance(m["dump.shallow_types"], str)
        self.assertEqual(m["dump.sizer_errors"], 0)

    def test_memory_metadata(self):
        # where the process's memory is (Linux, pymalloc; glibc's malloc
        # unless a sanitizer's is preloaded)
        m = F.snap.meta
        mem = F.snap.memory
        keys = ["rss.anon", "rss.file", "rss.shmem", "rss.libraries",
                "pymalloc.arenas", "pymalloc.arena_bytes",
                "pymalloc.used_bytes", "pymalloc.free_bytes",
                "pymalloc.unused_bytes"]
        glibc = "malloc" not in mem["missing"]
        if glibc:
            keys += ["malloc.heap", "malloc.in_use", "malloc.free",
                     "malloc.mmapped", "malloc.top"]
        else:
            self.assertIn("LD_PRELOAD", os.environ)
        for k in keys:
            self.assertIsInstance(m.get(k), int, k)
            self.assertGreaterEqual(m[k], 0, k)
        # RssAnon + RssFile + RssShmem is VmRSS (read a moment apart)
        self.assertAlmostEqual(m["rss.anon"] + m["rss.file"]
                               + m["rss.shmem"], m["rss.current"],
                               delta=m["rss.current"] * 0.05)
        self.assertEqual(m["pymalloc.arena_bytes"] - m["pymalloc.used_bytes"]
                         - m["pymalloc.unused_bytes"],
                         m["pymalloc.free_bytes"])
        if glibc:
            self.assertLessEqual(m["malloc.top"], m["malloc.free"])
        self.assertGreater(m["pymalloc.arenas"], 0)
        self.assertLessEqual(m["rss.libraries"], m["rss.anon"])
        self.assertEqual(mem["missing"], [] if glibc else ["malloc"])
        self.assertEqual(mem["rss"], m["rss.current"])
        self.assertEqual(mem["objects"], sum(F.snap.size))
        self.assertEqual(mem["rss"], mem["objects"] + mem["external"]
                         + mem["allocator_free"] + mem["file_backed"]
                         + mem["other"] + mem["unexplained"])
        self.assertLess(mem["objects"], mem["rss"])
        # the objects live in pymalloc's blocks and malloc's heap
        if glibc:
            self.assertLess(mem["objects"], m["pymalloc.used_bytes"]
                            + m["malloc.in_use"] + m["malloc.mmapped"])


class TestLabels(MainSnapshotCase):

    def assertEdge(self, src, dst, kind, label):
        got = F.snap.edges_to(src, dst)
        self.assertIn((kind, label), got,
                      "edge %s -> %s" % (type(src).__name__,
                                         type(dst).__name__))

    def attr_edge(self, inst, name, value):
        """inst.name == value: an ATTR edge from inst (inline values,
        slots) or a KEY_STR edge from its __dict__."""
        got = F.snap.edges_to(inst, value)
        if (MF_EDGE_ATTR, name) in got:
            return True
        i = F.snap.idx(inst)
        for t, k, l in F.snap.edges(i):
            if k == MF_EDGE_FIELD and F.snap.strings[l] == "__dict__":
                d = F.snap.address[t]
                j = F.snap.index[id(value)]
                for t2, k2, l2 in F.snap.edges(F.snap.index[d]):
                    if t2 == j and k2 == MF_EDGE_KEY_STR \
                            and F.snap.strings[l2] == name:
                        return True
        return False

    def test_dict_keys(self):
        self.assertEdge(F.registry, F.registry["alice"], MF_EDGE_KEY_STR,
                        "alice")
        self.assertEdge(F.registry, F.registry[7], MF_EDGE_KEY_INT, 7)
        self.assertIn((MF_EDGE_DICT_KEY, 0),
                      F.snap.edges_to(F.registry, "alice"))
        self.assertEdge(F.int_keyed, F.int_keyed[2 ** 70],
                        MF_EDGE_KEY_OTHER, 0)
        self.assertEdge(F.int_keyed, F.int_keyed[(1, 2)],
                        MF_EDGE_KEY_OTHER, 0)

    def test_index(self):
        self.assertEdge(F.bound_list, F.bound_list[3], MF_EDGE_INDEX, 3)
        self.assertEdge(F.cycle_b, F.cycle_a, MF_EDGE_INDEX, 0)
        self.assertEdge(F.cycle_a, F.cycle_b, MF_EDGE_INDEX, 0)

    def test_attributes(self):
        acc = F.registry["alice"]
        self.assertTrue(self.attr_edge(acc, "history", acc.history))
        self.assertTrue(self.attr_edge(F.managed, "first", F.managed.first))
        self.assertEdge(F.slotted, F.slotted.alpha, MF_EDGE_ATTR, "alpha")
        self.assertEdge(F.slotted, F.slotted.beta, MF_EDGE_ATTR, "beta")
        self.assertEdge(acc, Account, MF_EDGE_FIELD, "__class__")

    @unittest.skipUnless(PY311, not_applicable("inline values are 3.11+"))
    def test_managed_dict_not_created(self):
        self.assertEdge(F.managed, F.managed.first, MF_EDGE_ATTR, "first")
        after = sorted(type(r).__name__ for r in gc.get_referents(F.managed))
        self.assertEqual(after, F.managed_refs_before)
        self.assertNotIn("dict", after)

    def test_closure(self):
        fn = F.closure
        self.assertEdge(fn, fn.__closure__, MF_EDGE_FIELD, "__closure__")
        self.assertEdge(fn, fn.__code__, MF_EDGE_FIELD, "__code__")
        self.assertEdge(fn, fn.__globals__, MF_EDGE_FIELD, "__globals__")
        cell = fn.__closure__[0]
        self.assertEdge(fn.__closure__, cell, MF_EDGE_INDEX, 0)
        self.assertEdge(cell, cell.cell_contents, MF_EDGE_FIELD,
                        "cell_contents")

    def test_bound_method(self):
        m = F.bound_list[3]
        self.assertEdge(m, m.__self__, MF_EDGE_FIELD, "__self__")
        self.assertEdge(m, m.__func__, MF_EDGE_FIELD, "__func__")

    def test_class_fields(self):
        self.assertEdge(Account, Account.__dict__ if False else
                        Account.__mro__, MF_EDGE_FIELD, "__mro__")
        self.assertEdge(Account, Account.__bases__, MF_EDGE_FIELD,
                        "__bases__")

    def test_module_globals(self):
        mod = sys.modules[__name__]
        g = mod.__dict__
        self.assertEdge(mod, g, MF_EDGE_FIELD, "__dict__")
        self.assertEdge(g, Account, MF_EDGE_KEY_STR, "Account")

    def test_weakref(self):
        got = F.snap.edges_to(F.weak, F.weak_target)
        self.assertEqual(len(got), 1)
        self.assertTrue(got[0][0] & MF_EDGE_WEAK)

    def test_set_items(self):
        for x in F.frozen_set:
            self.assertEdge(F.frozen_set, x, MF_EDGE_SET_ITEM, 0)

    def test_set_subclass(self):
        for x in F.tag_set:
            self.assertEdge(F.tag_set, x, MF_EDGE_SET_ITEM, 0)
        self.assertTrue(self.attr_edge(F.tag_set, "note", F.tag_set.note))
        self.assertEdge(F.tag_set, TagSet, MF_EDGE_FIELD, "__class__")
        kinds = [k for t, k, l in F.snap.edges(F.snap.idx(F.tag_set))]
        self.assertEqual(kinds.count(MF_EDGE_SET_ITEM), 3)
        i = F.snap.idx(F.tag_set)
        self.assertTrue(F.snap.flags[i] & MF_OBJ_HAS_LENGTH)
        self.assertEqual(F.snap.length[i], 3)

    def test_frame_object_locals(self):
        # the frame's fast locals, read from the frame object (3.14+:
        # tagged stack references)
        self.assertEdge(F.dead_frame, F.frame_marker, MF_EDGE_FIELD,
                        "frame_marker")
        self.assertEdge(F.dead_frame, make_frame.__code__, MF_EDGE_FIELD,
                        "f_code")

    @unittest.skipUnless(PY314, not_applicable("__annotate__ is 3.14+"))
    def test_function_annotate(self):
        self.assertEdge(annotated, annotated.__annotate__, MF_EDGE_FIELD,
                        "__annotate__")

    @unittest.skipUnless(HAS_FROZENDICT,
                         not_applicable("frozendict is 3.15+"))
    def test_frozendict(self):
        fd = F.frozen_dict
        self.assertEdge(fd, fd["fd_key"], MF_EDGE_KEY_STR, "fd_key")
        self.assertIn((MF_EDGE_DICT_KEY, 0), F.snap.edges_to(fd, "fd_key"))
        i = F.snap.idx(fd)
        self.assertTrue(F.snap.flags[i] & MF_OBJ_HAS_LENGTH)
        self.assertEqual(F.snap.length[i], 2)


class TestRoots(MainSnapshotCase):

    def roots(self, kind):
        s = F.snap
        return [(s.address[o], label) for o, k, label in s.roots
                if k == kind]

    def test_sys_modules(self):
        self.assertIn((id(sys.modules), None),
                      self.roots(MF_ROOT_SYS_MODULES))
        mods = self.roots(MF_ROOT_MODULE)
        self.assertIn((id(os), "os"), mods)
        self.assertIn((id(unittest), "unittest"), mods)
        self.assertIn(id(builtins),
                      [a for a, _ in self.roots(MF_ROOT_BUILTINS)])
        self.assertIn(id(gc.garbage),
                      [a for a, _ in self.roots(MF_ROOT_GC_GARBAGE)])

    def test_blocked_thread_locals(self):
        roots = self.roots(MF_ROOT_THREAD)
        tid = F.thread.ident
        labels = {l: a for a, l in roots}
        buf_label = "thread %d worker() local 'buf'" % tid
        self.assertIn(buf_label, labels)
        i = F.snap.index[labels[buf_label]]
        self.assertEqual(F.snap.type_name(i), "bytearray")
        self.assertEqual(F.snap.length[i], 3333)
        big = "thread %d worker() local 'untracked_local'" % tid
        self.assertIn(big, labels)
        j = F.snap.index[labels[big]]
        self.assertEqual(F.snap.type_name(j), "int")
        self.assertEqual(F.snap.size[j], sys.getsizeof(10 ** 40 + 7))
        # this thread's frames are roots too
        me = threading.get_ident()
        self.assertTrue(any(l.startswith("thread %d " % me)
                            for _, l in roots))


class TestOptions(WholeHeapCase):

    def test_include_strings(self):
        p = os.path.join(F.tmp, "strings.snap")
        muppy.dump(p, include_strings=12)
        s = Snap(p)
        i = s.idx(SECRET)
        self.assertTrue(s.flags[i] & MF_OBJ_HAS_VALUE)
        self.assertEqual(s.strings[s.value[i]], SECRET[:12])
        self.assertEqual(s.meta["dump.include_strings"], 12)
        os.unlink(p)

    def test_no_labels(self):
        p = os.path.join(F.tmp, "nolabels.snap")
        muppy.dump(p, labels=False)
        s = Snap(p)
        kinds = set(s.edge_kind)
        for k in (MF_EDGE_KEY_STR, MF_EDGE_KEY_INT, MF_EDGE_ATTR):
            self.assertNotIn(k, kinds)
        self.assertIn(MF_EDGE_KEY_OTHER, kinds)
        self.assertIn(MF_EDGE_INDEX, kinds)
        self.assertIn((MF_EDGE_KEY_OTHER, 0),
                      s.edges_to(F.registry, F.registry["alice"]))
        self.assertNotIn("alice", s.strings)
        self.assertEqual(s.meta["dump.labels"], 0)
        os.unlink(p)

    def test_two_dumps_identical(self):
        p1 = os.path.join(F.tmp, "one.snap")
        p2 = os.path.join(F.tmp, "two.snap")
        muppy.dump(p1)
        muppy.dump(p2)
        a, b = Snap(p1).per_type(), Snap(p2).per_type()
        diff = (a - b) + (b - a)
        self.assertEqual(dict(diff), {})
        os.unlink(p1)
        os.unlink(p2)

    def test_gc_disabled_stays_disabled(self):
        p = os.path.join(F.tmp, "gcoff.snap")
        gc.disable()
        try:
            muppy.dump(p)
            self.assertFalse(gc.isenabled())
        finally:
            gc.enable()
        muppy.dump(p)
        self.assertTrue(gc.isenabled())
        os.unlink(p)

    def test_frozen(self):
        p = os.path.join(F.tmp, "frozen.snap")
        marker = Account("frozen", 1)
        gc.collect()
        gc.freeze()
        try:
            self.assertGreater(gc.get_freeze_count(), 0)
            muppy.dump(p)
        finally:
            gc.unfreeze()
        s = Snap(p)
        i = s.idx(marker)
        self.assertIsNotNone(i)
        self.assertTrue(s.flags[i] & MF_OBJ_FROZEN)
        self.assertTrue(s.flags[i] & MF_OBJ_GC_TRACKED)
        self.assertEqual(s.size[i], sys.getsizeof(marker))
        os.unlink(p)


class TestDeepChain(WholeHeapCase):

    def test_million_node_chain(self):
        n = 100000 if QUICK else 1000000
        head = None
        for _ in range(n):
            head = Node(head)
        p = os.path.join(F.tmp, "chain.snap")
        r = muppy.dump(p)
        self.assertGreater(r.objects, n)
        s = Snap(p)
        node_t = [i for i, t in enumerate(s.types) if t[2] == "Node"]
        self.assertEqual(len(node_t), 1)
        self.assertEqual(sum(1 for t in s.type if t == node_t[0]), n)
        # walk the chain in the snapshot through the 'next' slot
        i, steps = s.idx(head), 0
        while True:
            nxt = [t for t, k, l in s.edges(i)
                   if k == MF_EDGE_ATTR and s.strings[l] == "next"]
            if not nxt or nxt[0] == s.idx(None):
                break
            i = nxt[0]
            steps += 1
        self.assertEqual(steps, n - 1)
        del head
        os.unlink(p)


class TestHugeContainers(WholeHeapCase):
    """Containers whose edges outgrow the dumper's and the writer's
    everyday buffers (mapped scratch buffers, oversized batches)."""

    def test_huge_list_dict_set(self):
        n = 70000
        big_list = [object() for _ in range(n)]
        big_tuple = tuple(big_list[:n // 2])
        int_dict = {i * 7: big_list[i] for i in range(n)}
        str_dict = {"k%d" % i: i for i in range(n // 2)}
        big_set = set(range(n // 3))
        p = os.path.join(F.tmp, "huge.snap")
        muppy.dump(p)
        s = Snap(p)

        e = s.edges(s.idx(big_list))
        self.assertEqual([t for t, k, l in e],
                         [s.idx(x) for x in big_list])
        self.assertEqual([(k, l) for t, k, l in e],
                         [(MF_EDGE_INDEX, i) for i in range(n)])
        e = s.edges(s.idx(big_tuple))
        self.assertEqual([t for t, k, l in e],
                         [s.idx(x) for x in big_tuple])

        e = s.edges(s.idx(int_dict))
        values = [(t, l) for t, k, l in e if k == MF_EDGE_KEY_INT]
        self.assertEqual(sorted(values),
                         sorted((s.idx(v), k) for k, v in int_dict.items()))
        e = s.edges(s.idx(str_dict))
        labels = {s.strings[l]: t for t, k, l in e if k == MF_EDGE_KEY_STR}
        self.assertEqual(labels,
                         {k: s.idx(v) for k, v in str_dict.items()})
        e = s.edges(s.idx(big_set))
        self.assertEqual(sorted(t for t, k, l in e if k == MF_EDGE_SET_ITEM),
                         sorted(s.idx(x) for x in big_set))
        for o in (big_list, big_tuple, int_dict, str_dict, big_set):
            self.assertEqual(s.size[s.idx(o)], sys.getsizeof(o))
        os.unlink(p)


# ---- memory outside objects, sizers, deep __sizeof__ --------------------

def preheader(obj):
    """What sys.getsizeof adds to __sizeof__ for obj's type."""
    return sys.getsizeof(obj) - type(obj).__sizeof__(obj)


class Blob:
    """Stands for an object holding native memory at `addr`."""

    def __init__(self, addr, nbytes):
        self.addr = addr
        self.nbytes = nbytes


class BlobView(Blob):
    pass


class OwnBlob(Blob):
    """A subclass with a sizer of its own."""


class Sized(Blob):
    """A sizer's class whose __sizeof__ must not be called."""

    def __sizeof__(self):
        raise AssertionError("a deep __sizeof__ was called")


class Deep:
    def __sizeof__(self):
        return 10 ** 9          # "everything I refer to"


class DeepList(list):
    def __sizeof__(self):
        return 10 ** 9


class DeepChild(Deep):
    def __sizeof__(self):
        return 4242             # its own: not deep


class Failing:
    pass


class Nonsense:
    def __init__(self, result):
        self.result = result


class Interrupting:
    pass


def blob_sizer(b):
    return ("blob", b.addr, b.nbytes, "blob")


def blob_key(b):
    return b.addr


def raise_interrupt(obj):
    raise KeyboardInterrupt


def failing_sizer(obj):
    raise ValueError("cannot size %s" % type(obj).__name__)


def nonsense_sizer(obj):
    return obj.result


def name_of(cls):
    return cls.__module__ + "." + cls.__qualname__


class TestExternal(WholeHeapCase):
    """Memory outside objects as nodes: mmap, sizers (register_sizer)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.attributes_before = set(vars(cls))
        cls.saved = (muppy._SIZERS, muppy._DEEP)
        muppy.register_sizer(Blob, blob_sizer, key=blob_key)
        muppy.register_sizer(name_of(OwnBlob),
                             lambda b: [("own blob", b.addr, b.nbytes),
                                        ("own blob", None, 7, "extra")])
        muppy.register_sizer(Failing, failing_sizer)
        muppy.register_sizer(Nonsense, nonsense_sizer)
        muppy.register_deep_sizeof(Deep)
        muppy.register_deep_sizeof(name_of(DeepList))
        cls.blobs = [Blob(0x7ff000001000, 5000), BlobView(0x7ff000001000, 10),
                     Blob(0x7ff000001000, 20)]
        cls.gpu = Blob(0x7e0000000000, 3 << 20)
        cls.own = OwnBlob(0x7ff000100000, 300)
        cls.sized = Sized(0x7ff000200000, 64)
        cls.deep = (Deep(), DeepList([1, 2, 3]), DeepChild())
        cls.failing = Failing()
        cls.nonsense = [Nonsense(r) for r in
                        ("text", ("n", 1), ("n", -1, 5), ("n", 1, -5),
                         ("", 1, 5), ("n", 1, 5, 7), ("n", 1, 5, "l", "disk"),
                         [("n", 1, 5)] * 17)]
        cls.anon = mmap.mmap(-1, 3 * 4096)
        cls.private = mmap.mmap(-1, 2 * 4096, flags=mmap.MAP_PRIVATE)
        cls.closed = mmap.mmap(-1, 4096)
        cls.closed.close()
        cls.fpath = os.path.join(F.tmp, "mapped")
        with open(cls.fpath, "wb") as f:
            f.write(b"x" * 8192)
        with open(cls.fpath, "r+b") as f:
            cls.filemap = mmap.mmap(f.fileno(), 0)
        cls.path = os.path.join(F.tmp, "external.snap")
        muppy.register_sizer(Sized, blob_sizer)
        # a device's memory: the same class, the memory said to be a GPU's
        muppy.register_sizer(
            name_of(TestExternal) + ".Gpu",
            lambda b: ("gpu blob", b.addr, b.nbytes, "storage", "device"))
        cls.gpu.__class__ = type("Gpu", (Blob,), {
            "__qualname__": "TestExternal.Gpu", "__module__": __name__})
        muppy.dump(cls.path)
        cls.snap = Snap(cls.path)

    @classmethod
    def tearDownClass(cls):
        muppy._SIZERS, muppy._DEEP = cls.saved
        cls.filemap.close()
        cls.anon.close()
        cls.private.close()
        # what the class made (a snapshot read back, blobs that say they
        # hold gigabytes): the next dumps must not write it
        for name in set(vars(cls)) - cls.attributes_before:
            delattr(cls, name)

    def node(self, obj):
        (n, label), = self.snap.external_nodes(obj)
        return n, label

    def test_shared_buffer_one_node(self):
        s = self.snap
        nodes = {n for b in self.blobs for n, _ in s.external_nodes(b)}
        self.assertEqual(len(nodes), 1)
        n = nodes.pop()
        self.assertEqual(s.address[n], 0x7ff000001000)
        self.assertEqual(s.size[n], 5000)     # the first owner's
        self.assertTrue(s.flags[n] & MF_OBJ_EXTERNAL)
        self.assertEqual(s.type_name(n), "<external>.blob")
        self.assertEqual(s.type_flags(n), MF_TYPE_EXTERNAL)
        self.assertEqual(self.node(self.blobs[1])[1], "blob")
        self.assertEqual(s.edges(n), [])
        # the key found the node: the sizer ran once for the three blobs
        # (and once each for own, sized, gpu, failing, the nonsense)
        self.assertEqual(s.meta["dump.sizer_calls"],
                         1 + 1 + 1 + 1 + 1 + len(self.nonsense))

    def test_subclass_sizer_and_names(self):
        s = self.snap
        nodes = s.external_nodes(self.own)
        self.assertEqual(len(nodes), 2)
        by_label = {label: n for n, label in nodes}
        self.assertEqual(s.size[by_label["data"]], 300)
        extra = by_label["extra"]
        # no address: a node of its own at an odd address
        self.assertEqual(s.address[extra], id(self.own) + 3)
        self.assertEqual(s.size[extra], 7)

    def test_sized_objects_are_shallow(self):
        s = self.snap
        for o in (self.sized, self.own, self.blobs[0]):
            i = s.idx(o)
            self.assertFalse(s.flags[i] & MF_OBJ_SIZE_FALLBACK)
            self.assertEqual(s.size[i],
                             object.__sizeof__(o) + preheader(self.blobs[0]))

    def test_device_memory(self):
        s = self.snap
        n, label = self.node(self.gpu)
        self.assertEqual(label, "storage")
        self.assertEqual(s.type_flags(n), MF_TYPE_EXTERNAL | MF_TYPE_DEVICE)
        self.assertEqual(s.memory["external_device"], 3 << 20)
        self.assertLess(s.memory["external"], 3 << 20)

    def test_failures_are_counted(self):
        s = self.snap
        self.assertEqual(s.external_nodes(self.failing), [])
        for o in self.nonsense:
            self.assertEqual(s.external_nodes(o), [], o.result)
        self.assertEqual(s.meta["dump.sizer_errors"], 1 + len(self.nonsense))
        self.assertIn("sizer of %s: ValueError: cannot size Failing"
                      % name_of(Failing), s.meta["dump.sizer_error"])

    def test_mmap(self):
        s = self.snap
        n, label = self.node(self.anon)
        self.assertEqual(label, "data")
        self.assertEqual(s.size[n], 3 * 4096)
        # MAP_SHARED anonymous memory is shared memory (rss.shmem)
        self.assertEqual(s.type_name(n), "<external>.mmap.mmap (shared)")
        self.assertEqual(s.type_flags(n), MF_TYPE_EXTERNAL | MF_TYPE_FILE)
        n, _ = self.node(self.private)
        self.assertEqual(s.type_name(n), "<external>.mmap.mmap")
        self.assertEqual(s.type_flags(n), MF_TYPE_EXTERNAL)
        self.assertEqual(s.size[n], 2 * 4096)
        n, _ = self.node(self.filemap)
        self.assertEqual(s.type_name(n), "<external>.mmap.mmap (file)")
        self.assertEqual(s.size[n], 8192)
        self.assertEqual(s.external_nodes(self.closed), [])
        # an mmap's own size is its struct
        i = s.idx(self.anon)
        self.assertEqual(s.size[i], sys.getsizeof(self.anon))

    def test_deep_sizeof(self):
        s = self.snap
        deep, deep_list, child = self.deep
        self.assertEqual(s.size[s.idx(deep)],
                         object.__sizeof__(deep) + preheader(deep))
        # a list subclass: what super().__sizeof__() gives, list's
        self.assertEqual(s.size[s.idx(deep_list)],
                         list.__sizeof__(deep_list) + preheader(deep_list))
        # a subclass with its own __sizeof__ is not deep
        self.assertEqual(s.size[s.idx(child)], sys.getsizeof(child))
        shallow = dict(x.rsplit(":", 1) for x in
                       s.meta["dump.shallow_types"].split(","))
        self.assertEqual(shallow[name_of(Deep)], "1")
        self.assertEqual(shallow[name_of(DeepList)], "1")
        self.assertNotIn(name_of(DeepChild), shallow)
        self.assertEqual(s.meta["dump.shallow_objects"],
                         sum(int(v) for v in shallow.values()))

    def test_register_errors(self):
        with self.assertRaises(TypeError):
            muppy.register_sizer("nodot", blob_sizer)
        with self.assertRaises(TypeError):
            muppy.register_sizer(Blob, "not callable")
        with self.assertRaises(TypeError):
            muppy.register_deep_sizeof(42)

    def test_unregister(self):
        saved = muppy._SIZERS
        try:
            muppy.register_sizer(Blob, None)
            self.assertNotIn(Blob, [e[0] for e in muppy._SIZERS])
        finally:
            muppy._SIZERS = saved


class TestSizerInterrupt(WholeHeapCase):
    """A KeyboardInterrupt from a sizer stops the dump."""

    def test_interrupt_stops_the_dump(self):
        saved = muppy._SIZERS
        muppy.register_sizer(Interrupting, raise_interrupt)
        keep = Interrupting()
        p = os.path.join(F.tmp, "interrupted.snap")
        try:
            with self.assertRaises(KeyboardInterrupt):
                muppy.dump(p)
        finally:
            muppy._SIZERS = saved
        self.assertFalse(os.path.exists(p))
        self.assertEqual([f for f in os.listdir(F.tmp) if "interrupted" in f],
                         [])
        del keep


class TestExternalBackground(WholeHeapCase):
    """A background dump's child runs the sizers too."""

    def test_background_dump_runs_sizers(self):
        saved = muppy._SIZERS
        muppy.register_sizer(Blob, blob_sizer, key=blob_key)
        blobs = [Blob(0x7ff000001000, 5000), BlobView(0x7ff000001000, 10)]
        p = os.path.join(F.tmp, "external-bg.snap")
        try:
            job = muppy.dump(p, background=True)
        except (NotImplementedError, RuntimeError) as e:
            self.skipTest(str(e))
        finally:
            muppy._SIZERS = saved
        job.wait()
        s = Snap(p)
        nodes = {n for b in blobs for n, _ in s.external_nodes(b)}
        self.assertEqual(len(nodes), 1)
        self.assertEqual(s.size[nodes.pop()], 5000)
        self.assertEqual(s.meta["dump.background"], 1)
        self.assertGreaterEqual(s.meta["dump.sizer_calls"], 1)
        self.assertNotIn("rss", s.memory["missing"])
        self.assertNotIn("pymalloc", s.memory["missing"])
        os.unlink(p)


class TestInterned(WholeHeapCase):
    """The interned strings' dict does not own its mortal strings."""

    def test_weak_edges(self):
        word = sys.intern("".join(["muppy", "-interned-", str(os.getpid())]))
        p = os.path.join(F.tmp, "interned.snap")
        muppy.dump(p)
        s = Snap(p)
        j = s.idx(word)
        # the dict mapping the string to itself, key and value
        holders = collections.defaultdict(list)
        for i in range(s.objects):
            for t, k, l in s.edges(i):
                if t == j:
                    holders[i].append(k)
        interned = [i for i, kinds in holders.items()
                    if s.type_name(i) == "dict"
                    and MF_EDGE_DICT_KEY in [k & 0x7F for k in kinds]
                    and len(kinds) >= 2 and s.length[i] > 1000]
        if not interned:
            self.assertLess(sys.version_info, (3, 14),
                            "the gc tracks the interned dict from 3.14")
            self.skipTest(not_applicable(
                "the gc tracks the interned dict from 3.14 only"))
        for i in interned:
            self.assertTrue(all(k & MF_EDGE_WEAK for k in holders[i]),
                            holders[i])
        os.unlink(p)


if __name__ == "__main__":
    unittest.main()
