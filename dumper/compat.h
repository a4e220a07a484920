/*
 * compat.h - everything that differs between CPython versions.
 *
 * This is the ONLY interface of the dumper that depends on CPython
 * internals; compat.c is the only file that includes internal/pycore_*.h
 * (with Py_BUILD_CORE defined), and these two the only ones with an #if
 * on PY_VERSION_HEX.  Every other file uses only the public C API plus
 * the functions below.
 *
 * Supported: CPython 3.8 to 3.15 with the GIL.  On other builds (3.16+,
 * free-threaded builds, the incremental collector's headers) the files
 * still compile and mc_init() fails with a clear message, so
 * `import muppy` works but dumping is refused.
 *
 * All functions must be called with the GIL held.  None of them runs
 * Python code or allocates Python objects unless stated.
 */
#ifndef MUPPY_COMPAT_H
#define MUPPY_COMPAT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>

/*
 * mc_init() - check that this interpreter is supported and, the first
 * time, probe what sys.getsizeof adds for static type objects (runs
 * Python code: calls sys.getsizeof once).  Returns 0, or -1 with a
 * Python exception set (RuntimeError naming the interpreter when it is
 * not supported).
 */
int mc_init(void);

/* 1 on a free-threaded build (which mc_init() refuses), else 0 */
#ifdef Py_GIL_DISABLED
#  define MC_FREE_THREADED 1
#else
#  define MC_FREE_THREADED 0
#endif

/* Callback for mc_gc_foreach: frozen is 1 for the permanent generation.
 * Return 0 to go on, -1 to stop (the walk then returns -1). */
typedef int (*mc_gc_fn)(void *ctx, PyObject *op, int frozen);

/*
 * mc_gc_foreach() - call fn for every object in the gc generation lists,
 * young to old, each list in order, then the permanent generation
 * (gc.freeze()).  fn must not run Python code or allocate gc objects.
 * Returns 0, or -1: fn said to stop, or MemoryError (set).
 */
int mc_gc_foreach(mc_gc_fn fn, void *ctx);

/* The interpreter's gc.garbage list (borrowed), or NULL. */
PyObject *mc_gc_garbage(void);

/* Disable the collector; returns the previous state (1 enabled). */
int mc_gc_disable(void);

/*
 * mc_child_forget_requests() - in a background dump's forked child (the
 * only thread there), forget the eval loop's requests copied from the
 * parent: a GIL drop request (a thread was waiting for the GIL at the
 * fork: a Python __sizeof__ would wait in drop_gil() for a switch that
 * never comes), pending signals and pending calls (the parent's, not to
 * run in the child).
 */
void mc_child_forget_requests(void);
void mc_gc_restore(int was_enabled);

/* 1 if gc.get_referents() would call tp_traverse on o (PyObject_IS_GC). */
int mc_is_gc(PyObject *o);

/* What sys.getsizeof adds to __sizeof__() for o (GC header, pre-header). */
size_t mc_preheader(PyObject *o);

/* 1 for immortal objects (3.12+) and static (non-heap) type objects. */
int mc_is_immortal(PyObject *o);

/*
 * Named references of an object, reported through mc_field_fn:
 *   kind MC_FIELD: a C-level field (.__code__, .f_back, .__dict__, ...)
 *   kind MC_ATTR:  an instance attribute (a __slots__ member or a 3.11+
 *                  inline value) without touching or creating __dict__
 *   kind MC_EXTRA: a real reference tp_traverse does not report (a static
 *                  type's __dict__/__mro__/__bases__, a non-gc code
 *                  object's constants...); the dumper adds it as an edge
 *   kind MC_WEAK:  a weak reference's referent (an extra, weak edge)
 * name is a NUL-terminated C string (MC_FIELD, MC_EXTRA) or, when
 * name_obj is not NULL, a str object (MC_ATTR from inline values).
 */
enum { MC_FIELD = 0, MC_ATTR = 1, MC_EXTRA = 2, MC_WEAK = 3 };

/* What mc_fields()/mc_object_name() need to know about a type, computed
 * once per type by mc_classify() (subtype checks are not free). */
enum {
    MC_K_PLAIN = 0, MC_K_TYPE, MC_K_FUNCTION, MC_K_CODE, MC_K_METHOD,
    MC_K_CFUNCTION, MC_K_CELL, MC_K_MODULE, MC_K_FRAME, MC_K_WEAKREF
};
#define MC_K_HEAP 0x100     /* or-ed in: instances of a heap type */
int mc_classify(PyTypeObject *tp);
typedef void (*mc_field_fn)(void *ctx, int kind, const char *name,
                            PyObject *name_obj, PyObject *value);
void mc_fields(PyObject *o, int cls, mc_field_fn fn, void *ctx);

/* The name shown for modules, classes, functions and code objects:
 * a str object (borrowed) or NULL; or, for static types and builtin
 * functions, a C string of *clen bytes in *cname. */
PyObject *mc_object_name(PyObject *o, int cls, const char **cname,
                         size_t *clen);

/* __module__ of a type as str (borrowed) or NULL; for static types the
 * part of tp_name before the last dot (or "builtins") in *cname. */
PyObject *mc_type_module(PyTypeObject *t, const char **cname,
                         size_t *clen);

/* 1 if the str's characters can be read without side effects (it is
 * "ready"; always true from 3.12).  Inline: the walk asks for every str. */
static inline int
mc_str_ready(PyObject *s)
{
#if PY_VERSION_HEX < 0x030C0000
    return PyUnicode_IS_READY(s);
#else
    (void)s;
    return 1;
#endif
}

/* gc.get_count() without calling Python */
void mc_gc_counts(long counts[3]);

/* 1 if the instances of tp are mappings read with PyDict_Next and
 * PyDict_GET_SIZE: dict and its subclasses, and 3.15's frozendict */
int mc_dict_like(PyTypeObject *tp);

/*
 * How __sizeof__ of a type's instances is had, decided once per type by
 * mc_sizeof_kind() from the __sizeof__ that sys.getsizeof would find:
 *   MC_SZ_CALL    not a C method without arguments (a Python-level
 *                 __sizeof__...): mc_call_sizeof()
 *   MC_SZ_CFUNC   a C method without arguments: *cfunc(o, NULL)
 *   MC_SZ_OBJECT, MC_SZ_LIST, MC_SZ_STR: object.__sizeof__, and the
 *                 __sizeof__ of exact list and str, whose formula this
 *                 version's compat knows: mc_sizeof_inline() computes
 *                 it, or says to call *cfunc (e.g. a non-ASCII str)
 */
enum { MC_SZ_CALL = 0, MC_SZ_CFUNC, MC_SZ_OBJECT, MC_SZ_LIST, MC_SZ_STR };
int mc_sizeof_kind(PyTypeObject *tp, PyCFunction *cfunc);

/* __sizeof__ through Python, exactly as sys.getsizeof looks it up and
 * calls it: a new reference, or NULL with the exception set */
PyObject *mc_call_sizeof(PyObject *o);

/*
 * mc_sizeof_inline() - o.__sizeof__() for the kinds >= MC_SZ_OBJECT,
 * without the call (and its int object) where this version's formula is
 * simple.  Returns 1 with the size in *size (maybe negative: garbage in
 * ob_size), or 0: call the C method.  Inline: asked for most objects.
 */
static inline int
mc_sizeof_inline(int kind, PyObject *o, Py_ssize_t *size)
{
    PyTypeObject *tp = Py_TYPE(o);

    switch (kind) {
    case MC_SZ_OBJECT:      /* object.__sizeof__, 3.8-3.15 */
        *size = tp->tp_basicsize;
        if (tp->tp_itemsize > 0) {
            *size += Py_SIZE(o) * tp->tp_itemsize;
        }
        return 1;
    case MC_SZ_LIST:        /* list.__sizeof__, 3.8-3.15 */
        *size = tp->tp_basicsize
                + ((PyListObject *)o)->allocated
                  * (Py_ssize_t)sizeof(void *);
        return 1;
    case MC_SZ_STR:
        /* str.__sizeof__ of a compact ASCII str, whose UTF-8 form is the
         * data itself (3.8-3.11: unless it has a wstr copy) */
        if (mc_str_ready(o) && PyUnicode_IS_COMPACT_ASCII(o)
#if PY_VERSION_HEX < 0x030C0000
            && ((PyASCIIObject *)o)->wstr == NULL
#endif
            ) {
            *size = (Py_ssize_t)sizeof(PyASCIIObject)
                    + PyUnicode_GET_LENGTH(o) + 1;
            return 1;
        }
        return 0;
    default:
        return 0;
    }
}

/*
 * mc_sizeof_definer() - the first class of tp's mro after `after` (from
 * the start when NULL) whose own dict defines __sizeof__ (borrowed), or
 * NULL; with after NULL, the class of the __sizeof__ sys.getsizeof
 * calls.  Reads the dicts only (no Python code).
 */
PyTypeObject *mc_sizeof_definer(PyTypeObject *tp, PyTypeObject *after);

/*
 * mc_sizeof_kind_after() - what `after`'s super().__sizeof__() would
 * call for instances of tp: MC_SZ_CFUNC (*cfunc) or MC_SZ_OBJECT (the
 * formula; also when that is Python code, never called).  For types
 * whose own __sizeof__ is deep (sizers.h).
 */
int mc_sizeof_kind_after(PyTypeObject *tp, PyTypeObject *after,
                         PyCFunction *cfunc);

/*
 * mc_mmap_type() - 1 if tp is mmap.mmap or a subclass: the C type named
 * "mmap.mmap" (static, or 3.10+ a heap type of the mmap module) in tp's
 * base chain.
 */
int mc_mmap_type(PyTypeObject *tp);

/*
 * mc_mmap_buffer() - the mapping of an mmap.mmap instance (the first two
 * fields of mmap_object, data and size, in 3.8-3.15).  Returns 1 with
 * *data and *size, or 0 when it is closed.
 */
int mc_mmap_buffer(PyObject *o, void **data, Py_ssize_t *size);

/*
 * mc_interned_dict() - the dict of interned strings (3.12+: the
 * interpreter's cached_objects.interned_strings), or NULL where it is not
 * reachable (3.8-3.11: a static of unicodeobject.c, never tracked).  Its
 * references to mortal interned strings are not counted by CPython.
 */
PyObject *mc_interned_dict(void);

/* pymalloc's arenas, from _PyObject_DebugMallocStats() (looked up with
 * dlsym: some builds may not export it) */
typedef struct mc_pymalloc {
    long long arenas;           /* arenas allocated now */
    long long arena_bytes;      /* arenas * arena size */
    long long used_bytes;       /* bytes in allocated blocks */
    long long unused_bytes;     /* unused pools and arena alignment:
                                   mostly never touched, not resident */
} mc_pymalloc;

/*
 * mc_pymalloc_stats() - fill *st; 0, or -1 when pymalloc is not in use
 * (PYTHONMALLOC=malloc) or its statistics cannot be had.  Allocates no
 * Python object; walks the arenas (fast: a few thousand pools per GB).
 */
int mc_pymalloc_stats(mc_pymalloc *st);

/*
 * mc_thread_frames() - walk the running frames of every thread of this
 * interpreter from the thread states, innermost first, without creating
 * frame objects.  For each frame: fn(ctx, tid, code, NULL, frame_obj)
 * with what="frame" when a frame object exists, then the code, globals
 * and each non-NULL local (name_obj = the local's name).
 */
typedef void (*mc_frame_fn)(void *ctx, unsigned long tid, PyObject *code,
                            const char *what, PyObject *name_obj,
                            PyObject *value);
int mc_thread_frames(mc_frame_fn fn, void *ctx);

#endif /* MUPPY_COMPAT_H */
