/*
 * compat.c - the CPython-version-specific half of the dumper.
 *
 * Every #if on PY_VERSION_HEX and every use of CPython's internal
 * structures lives in this file and compat.h (the contract).  Porting to
 * a new version means reading the headers named below and this file.
 *
 * Private structures read, per version (each behind one function):
 *   gc lists     mc_gcstate(), mc_gc_foreach(), mc_gc_garbage(),
 *                mc_gc_counts(): 3.8: _PyRuntime.gc; 3.9-3.15:
 *                interp->gc (internal/pycore_interp.h; the struct is in
 *                pycore_interp_structs.h from 3.14); generations[3] and
 *                permanent_generation, lists of PyGC_Head linked by
 *                _gc_next.  The 3.14.10 headers keep dummy members where
 *                the incremental collector's state was (work_to_do,
 *                visited_space, phase): its lists are generational as in
 *                3.13, and so are 3.15.2's.  Headers of the incremental
 *                collector (young, old[2], _PyGC_NEXT_MASK_OLD_SPACE_1)
 *                are refused.
 *   frames       mc_iframe_*(), mc_thread_frames(), mc_frame_fields():
 *                3.8-3.10: PyFrameObject chain from tstate->frame;
 *                3.11-3.12: _PyInterpreterFrame chain from
 *                tstate->cframe->current_frame; 3.13+: from
 *                tstate->current_frame; 3.13: f_executable; 3.14+: the
 *                frame's code, function and locals are _PyStackRef
 *                (tagged; internal/pycore_stackref.h), and entry frames
 *                are FRAME_OWNED_BY_INTERPRETER (or _CSTACK in 3.14).
 *   instances    mc_instance_fields(): __slots__ members in the
 *                PyMemberDef array after a heap type (3.8-3.15);
 *                3.11: values/dict pointers at obj-4/obj-3; 3.12: tagged
 *                PyDictOrValues at obj-3; 3.13-3.15: inline values after
 *                the object (Py_TPFLAGS_INLINE_VALUES) and
 *                PyManagedDictPointer at obj-3; the keys of inline values
 *                in the type's ht_cached_keys (internal/pycore_dict.h).
 *   code         mc_code_fields(): 3.8-3.10 co_varnames...; 3.11 _co_code;
 *                3.12-3.15 _co_cached.
 *   getsizeof    mc_preheader(): 3.8-3.10: + GC header if PyObject_IS_GC;
 *                3.11-3.15: + _PyType_PreHeaderSize(type), except for
 *                static type objects where the running version skips it
 *                (3.12.2+; probed once by mc_init()).
 *   sets         none: set_traverse reports exactly the items, so the
 *                walk labels them (edges.c) without _PySet_NextEntry,
 *                which 3.13 moved to the internal headers.
 *   mmap         mc_mmap_buffer(): mmap_object's first fields, data and
 *                size (Modules/mmapmodule.c, 3.8-3.15); a static type
 *                until 3.9, a heap type of the mmap module from 3.10.
 *   interned     mc_interned_dict(): 3.12+ interp->cached_objects
 *                .interned_strings (internal/pycore_global_objects.h);
 *                3.8-3.11 a static of unicodeobject.c (not reachable).
 *   pymalloc     mc_pymalloc_stats(): the text of
 *                _PyObject_DebugMallocStats() (3.8-3.15: printone()'s
 *                "# arenas allocated current", "N arenas * M
 *                bytes/arena", "# bytes in allocated blocks", "N unused
 *                pools * M bytes", "# bytes lost to arena alignment"); the
 *                arena structures themselves are statics of obmalloc.c
 *                before 3.12.
 * Public or unstable API used where it exists: PyGC_Disable/Enable
 * (3.10+), PyType_GetDict (3.12+), PyUnstable_IsImmortal (3.14+).
 * PyUnstable_GC_VisitObjects (3.12+) is not used: it cannot tell frozen
 * objects, visits the permanent generation on some versions and not on
 * others, and increfs and decrefs every object it visits.
 */
#define Py_BUILD_CORE 1
#include "compat.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if PY_VERSION_HEX >= 0x03080000 && PY_VERSION_HEX < 0x03100000 \
    && !defined(Py_GIL_DISABLED)
#  define MC_SUPPORTED 1
#else
#  define MC_SUPPORTED 0
#endif

#include <structmember.h>
#include <frameobject.h>

#if MC_SUPPORTED
/* the internal headers are not written for -Wextra -Werror */
#  pragma GCC diagnostic push
#  pragma GCC diagnostic ignored "-Wunused-parameter"
#  pragma GCC diagnostic ignored "-Wsign-compare"
#  if PY_VERSION_HEX < 0x03090000
#    include <internal/pycore_pystate.h>
#  else
#    include <internal/pycore_gc.h>
#    include <internal/pycore_interp.h>
#  endif
#  if PY_VERSION_HEX >= 0x030B0000
#    include <internal/pycore_code.h>
#    include <internal/pycore_dict.h>
#    include <internal/pycore_frame.h>
#    include <internal/pycore_object.h>
#  endif
#  if PY_VERSION_HEX >= 0x030C0000
#    include <internal/pycore_global_objects.h>
#  endif
#  if PY_VERSION_HEX >= 0x030E0000
#    include <internal/pycore_interpframe.h>
#    include <internal/pycore_stackref.h>
#  endif
#  pragma GCC diagnostic pop
#  if defined(_PyGC_NEXT_MASK_OLD_SPACE_1)
/* headers of a 3.14 with the incremental collector (young and old[2]
 * lists, an old-space bit in _gc_next): refused by mc_init() */
#    undef MC_SUPPORTED
#    define MC_SUPPORTED 0
#  endif
#endif

#ifndef Py_T_OBJECT_EX
#  define Py_T_OBJECT_EX T_OBJECT_EX
#endif
#ifndef Py_T_OBJECT
#  define Py_T_OBJECT T_OBJECT
#endif

static PyObject *mc_str_name;       /* "__name__" */
static PyObject *mc_str_module;     /* "__module__" */
static PyObject *mc_str_sizeof;     /* "__sizeof__" */
static PyObject *mc_object_sizeof;  /* object.__sizeof__ (a descriptor) */
#if MC_SUPPORTED
/* 1 when this version's sys.getsizeof adds the pre-header to static type
 * objects too (3.11, 3.12.0-1); set by mc_init() */
static int mc_static_type_preheader;
#endif

int
mc_init(void)
{
#if !MC_SUPPORTED
    PyErr_Format(PyExc_RuntimeError,
                 "muppy does not support this interpreter (%s%s): dumps "
                 "need CPython 3.8 to 3.15 with the GIL", Py_GetVersion(),
                 MC_FREE_THREADED ? ", a free-threaded build" : "");
    return -1;
#else
    PyObject *getsizeof, *res;
    Py_ssize_t full;

    if (mc_object_sizeof != NULL) {
        return 0;
    }
    mc_str_name = PyUnicode_InternFromString("__name__");
    mc_str_module = PyUnicode_InternFromString("__module__");
    mc_str_sizeof = PyUnicode_InternFromString("__sizeof__");
    if (mc_str_name == NULL || mc_str_module == NULL
        || mc_str_sizeof == NULL) {
        return -1;
    }
    getsizeof = PySys_GetObject("getsizeof");   /* borrowed */
    if (getsizeof == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "sys.getsizeof is missing");
        return -1;
    }
    res = PyObject_CallFunctionObjArgs(getsizeof,
                                       (PyObject *)&PyLong_Type, NULL);
    if (res == NULL) {
        return -1;
    }
    full = PyLong_AsSsize_t(res);
    Py_DECREF(res);
    if (full == -1 && PyErr_Occurred()) {
        return -1;
    }
    /* type.__sizeof__(int) is sizeof(PyTypeObject) for a static type */
    mc_static_type_preheader = full > (Py_ssize_t)sizeof(PyTypeObject);
    mc_object_sizeof = _PyType_Lookup(&PyBaseObject_Type, mc_str_sizeof);
    if (mc_object_sizeof == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "object.__sizeof__ is missing");
        return -1;
    }
    Py_INCREF(mc_object_sizeof);
    return 0;
#endif
}

/* ---- gc lists ------------------------------------------------------- */

#if MC_SUPPORTED
/* the collector's state: 3.8 _PyRuntime.gc, 3.9-3.15 interp->gc */
static struct _gc_runtime_state *
mc_gcstate(void)
{
#  if PY_VERSION_HEX < 0x03090000
    return &_PyRuntime.gc;
#  else
    return &PyThreadState_Get()->interp->gc;
#  endif
}

/*
 * mc_walk_list() - the objects of one gc list, in list order.  A gc list
 * (3.8-3.15) is doubly linked through the PyGC_Head before each object:
 * _gc_next (whose low bits are flags only during a collection) and
 * _gc_prev (whose low _PyGC_PREV_SHIFT bits are flags).  Each step is a
 * cache miss that the next depends on, so the list is walked from both
 * ends at once, two independent chains of misses (a third less time at
 * heapgen scale 1e5); the back half waits in *back (grown as needed,
 * freed by the caller) to be reported in order.
 */
static int
mc_walk_list(PyGC_Head *head, int frozen, mc_gc_fn fn, void *ctx,
             PyObject ***back, size_t *cap)
{
    PyGC_Head *f = (PyGC_Head *)head->_gc_next;
    PyGC_Head *b = (PyGC_Head *)(head->_gc_prev & _PyGC_PREV_MASK);
    size_t nb = 0;

    if (f == head) {
        return 0;
    }
    for (;;) {
        PyGC_Head *fnext, *bprev;

        if (fn(ctx, (PyObject *)(f + 1), frozen) < 0) {
            return -1;
        }
        if (f == b) {
            break;              /* the middle one of an odd count */
        }
        if (nb == *cap) {
            size_t ncap = *cap ? *cap * 2 : 65536;
            PyObject **nbuf = realloc(*back, ncap * sizeof(PyObject *));

            if (nbuf == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            *back = nbuf;
            *cap = ncap;
        }
        (*back)[nb++] = (PyObject *)(b + 1);
        fnext = (PyGC_Head *)f->_gc_next;
        bprev = (PyGC_Head *)(b->_gc_prev & _PyGC_PREV_MASK);
        if (fnext == b) {
            break;              /* the two ends met */
        }
        f = fnext;
        b = bprev == fnext ? fnext : bprev;
    }
    while (nb > 0) {
        if (fn(ctx, (*back)[--nb], frozen) < 0) {
            return -1;
        }
    }
    return 0;
}
#endif

int
mc_gc_foreach(mc_gc_fn fn, void *ctx)
{
#if MC_SUPPORTED
    struct _gc_runtime_state *st = mc_gcstate();
    PyObject **back = NULL;
    size_t cap = 0;
    int i, rc = 0;

    for (i = 0; i < NUM_GENERATIONS && rc == 0; i++) {
        rc = mc_walk_list(&st->generations[i].head, 0, fn, ctx, &back,
                          &cap);
    }
    if (rc == 0) {
        rc = mc_walk_list(&st->permanent_generation.head, 1, fn, ctx,
                          &back, &cap);
    }
    free(back);
    return rc;
#else
    (void)fn;
    (void)ctx;
    return -1;
#endif
}

PyObject *
mc_gc_garbage(void)
{
#if MC_SUPPORTED
    return mc_gcstate()->garbage;
#else
    return NULL;
#endif
}

void
mc_gc_counts(long counts[3])
{
#if MC_SUPPORTED
    struct _gc_runtime_state *st = mc_gcstate();
    int i;

    for (i = 0; i < 3; i++) {
        counts[i] = st->generations[i].count;
    }
#else
    counts[0] = counts[1] = counts[2] = 0;
#endif
}

/* 3.8: _PyRuntime.ceval; 3.9-3.12: interp->ceval (gil_drop_request and
 * eval_breaker, the summary of every request: zero is "nothing to do");
 * 3.13+: bits of tstate->eval_breaker, whose other bits (the
 * instrumentation version) stay */
void
mc_child_forget_requests(void)
{
#if MC_SUPPORTED
#  if PY_VERSION_HEX >= 0x030D0000
#    ifndef _PY_GIL_DROP_REQUEST_BIT
#      define _PY_GIL_DROP_REQUEST_BIT (1U << 0)
#      define _PY_SIGNALS_PENDING_BIT (1U << 1)
#      define _PY_CALLS_TO_DO_BIT (1U << 2)
#    endif
    PyThreadState *ts = PyThreadState_Get();

    _Py_atomic_and_uintptr(&ts->eval_breaker,
                           ~(uintptr_t)(_PY_GIL_DROP_REQUEST_BIT
                                        | _PY_SIGNALS_PENDING_BIT
                                        | _PY_CALLS_TO_DO_BIT));
#  elif PY_VERSION_HEX >= 0x03090000
    struct _ceval_state *ceval = &PyThreadState_Get()->interp->ceval;

    _Py_atomic_store_relaxed(&ceval->gil_drop_request, 0);
    _Py_atomic_store_relaxed(&ceval->eval_breaker, 0);
#  else
    _Py_atomic_store_relaxed(&_PyRuntime.ceval.gil_drop_request, 0);
    _Py_atomic_store_relaxed(&_PyRuntime.ceval.eval_breaker, 0);
#  endif
#endif
}

int
mc_gc_disable(void)
{
#if PY_VERSION_HEX >= 0x030A0000
    return PyGC_Disable();
#elif MC_SUPPORTED
    struct _gc_runtime_state *st = mc_gcstate();
    int was = st->enabled;

    st->enabled = 0;
    return was;
#else
    return 0;
#endif
}

void
mc_gc_restore(int was_enabled)
{
#if PY_VERSION_HEX >= 0x030A0000
    if (was_enabled) {
        PyGC_Enable();
    }
#elif MC_SUPPORTED
    mc_gcstate()->enabled = was_enabled;
#else
    (void)was_enabled;
#endif
}

/* ---- object properties ---------------------------------------------- */

int
mc_is_gc(PyObject *o)
{
    PyTypeObject *t = Py_TYPE(o);

    return PyType_IS_GC(t) && (t->tp_is_gc == NULL || t->tp_is_gc(o));
}

size_t
mc_preheader(PyObject *o)
{
#if MC_SUPPORTED && PY_VERSION_HEX >= 0x030B0000
    if (PyType_CheckExact(o) && !mc_static_type_preheader
        && !PyType_HasFeature((PyTypeObject *)o, Py_TPFLAGS_HEAPTYPE)) {
        return 0;
    }
    return _PyType_PreHeaderSize(Py_TYPE(o));
#elif MC_SUPPORTED
    return mc_is_gc(o) ? sizeof(PyGC_Head) : 0;
#else
    (void)o;
    return 0;       /* not reached: mc_init() refuses the dump */
#endif
}

int
mc_is_immortal(PyObject *o)
{
#if PY_VERSION_HEX >= 0x030E0000
    if (PyUnstable_IsImmortal(o)) {
        return 1;
    }
#elif PY_VERSION_HEX >= 0x030C0000
    if (_Py_IsImmortal(o)) {
        return 1;
    }
#endif
    return PyType_Check(o)
           && !PyType_HasFeature((PyTypeObject *)o, Py_TPFLAGS_HEAPTYPE);
}

int
mc_dict_like(PyTypeObject *tp)
{
#if PY_VERSION_HEX >= 0x030F0000
    /* frozendict is no dict subclass but shares its table and API */
    if (PyType_IsSubtype(tp, &PyFrozenDict_Type)) {
        return 1;
    }
#endif
    return PyType_IsSubtype(tp, &PyDict_Type);
}

/* ---- sizes ---------------------------------------------------------- */

/* The lookup _PyType_Lookup does (the mro's dicts in order), without its
 * cache: storing an entry there drops the name of the entry it replaces,
 * and when the cache held the last reference to a mortal interned string,
 * the string is freed in the middle of the dump.  3.14+ keeps the dict of
 * interned strings in the gc lists (its references are not counted), so
 * the dump has such strings queued: it then read freed memory (Py_DEBUG
 * builds crashed on it).  Borrowed: the type's dict holds the value. */
static PyObject *
mc_type_lookup(PyTypeObject *tp, PyObject *name)
{
    PyObject *mro = tp->tp_mro, *v = NULL;
    Py_ssize_t i;

    if (mro == NULL || !PyTuple_Check(mro)) {
        return NULL;
    }
    for (i = 0; i < PyTuple_GET_SIZE(mro) && v == NULL; i++) {
        PyTypeObject *b = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
#if PY_VERSION_HEX >= 0x030C0000
        PyObject *dict = PyType_GetDict(b);     /* new reference or NULL */
#else
        PyObject *dict = b->tp_dict;
#endif

        if (dict != NULL) {
            v = PyDict_GetItemWithError(dict, name);
            if (v == NULL && PyErr_Occurred()) {
                PyErr_Clear();
            }
        }
#if PY_VERSION_HEX >= 0x030C0000
        Py_XDECREF(dict);
#endif
    }
    return v;
}

int
mc_sizeof_kind(PyTypeObject *tp, PyCFunction *cfunc)
{
    /* the lookup sys.getsizeof does (_PyObject_LookupSpecial), borrowed:
     * the type holds it */
    PyObject *descr = mc_type_lookup(tp, mc_str_sizeof);
    PyMethodDef *ml;
    int call = METH_VARARGS | METH_KEYWORDS | METH_NOARGS | METH_O
#ifdef METH_FASTCALL
               | METH_FASTCALL
#endif
#ifdef METH_METHOD
               | METH_METHOD
#endif
               ;

    *cfunc = NULL;
    if (descr == NULL || Py_TYPE(descr) != &PyMethodDescr_Type) {
        return MC_SZ_CALL;
    }
    ml = ((PyMethodDescrObject *)descr)->d_method;
    if ((ml->ml_flags & call) != METH_NOARGS) {
        return MC_SZ_CALL;
    }
    *cfunc = ml->ml_meth;
    /* the formulas of mc_sizeof_inline() (compat.h) */
    if (descr == mc_object_sizeof) {
        return MC_SZ_OBJECT;
    }
    if (tp == &PyList_Type) {
        return MC_SZ_LIST;
    }
    if (tp == &PyUnicode_Type) {
        return MC_SZ_STR;
    }
    return MC_SZ_CFUNC;
}

PyObject *
mc_call_sizeof(PyObject *o)
{
    PyTypeObject *tp = Py_TYPE(o);
    PyObject *descr = mc_type_lookup(tp, mc_str_sizeof);
    PyObject *meth, *res;
    descrgetfunc f;

    if (descr == NULL) {
        PyErr_SetString(PyExc_TypeError, "no __sizeof__");
        return NULL;
    }
    Py_INCREF(descr);
    f = Py_TYPE(descr)->tp_descr_get;
    if (f != NULL) {
        meth = f(descr, o, (PyObject *)tp);
        Py_DECREF(descr);
        if (meth == NULL) {
            return NULL;
        }
    }
    else {
        meth = descr;
    }
    res = PyObject_CallObject(meth, NULL);
    Py_DECREF(meth);
    return res;
}

/* the __sizeof__ in the first class of tp's mro after `after` that
 * defines one (borrowed: the class holds it), and that class */
static PyObject *
mc_sizeof_descr(PyTypeObject *tp, PyTypeObject *after, PyTypeObject **cls)
{
    PyObject *mro = tp->tp_mro;
    Py_ssize_t i;
    int skipping = after != NULL;

    *cls = NULL;
    if (mro == NULL || !PyTuple_Check(mro)) {
        return NULL;
    }
    for (i = 0; i < PyTuple_GET_SIZE(mro); i++) {
        PyTypeObject *b = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
        PyObject *dict, *v;

        if (skipping) {
            skipping = b != after;
            continue;
        }
        if (!PyType_Check(b)) {
            continue;
        }
#if PY_VERSION_HEX >= 0x030C0000
        /* static builtin types keep their dict in the interpreter */
        dict = PyType_GetDict(b);       /* new reference, or NULL */
#else
        dict = b->tp_dict;
        Py_XINCREF(dict);
#endif
        if (dict == NULL) {
            PyErr_Clear();
            continue;
        }
        v = PyDict_Check(dict) ? PyDict_GetItemWithError(dict, mc_str_sizeof)
                               : NULL;
        Py_DECREF(dict);        /* (the type holds it, and v) */
        if (v != NULL) {
            *cls = b;
            return v;
        }
        PyErr_Clear();
    }
    return NULL;
}

PyTypeObject *
mc_sizeof_definer(PyTypeObject *tp, PyTypeObject *after)
{
    PyTypeObject *cls;

    mc_sizeof_descr(tp, after, &cls);
    return cls;
}

int
mc_sizeof_kind_after(PyTypeObject *tp, PyTypeObject *after,
                     PyCFunction *cfunc)
{
    PyTypeObject *cls;
    PyObject *descr = mc_sizeof_descr(tp, after, &cls);
    PyMethodDef *ml;

    *cfunc = NULL;
    if (descr == NULL || descr == mc_object_sizeof
        || Py_TYPE(descr) != &PyMethodDescr_Type) {
        return MC_SZ_OBJECT;
    }
    ml = ((PyMethodDescrObject *)descr)->d_method;
    if ((ml->ml_flags & (METH_VARARGS | METH_KEYWORDS | METH_NOARGS
                         | METH_O)) != METH_NOARGS) {
        return MC_SZ_OBJECT;
    }
    *cfunc = ml->ml_meth;
    return MC_SZ_CFUNC;
}

/* ---- mmap, interned strings, pymalloc ------------------------------- */

/* mmap_object: these two first, in every version */
typedef struct {
    PyObject_HEAD
    char *data;
    Py_ssize_t size;
} mc_mmap_head;

int
mc_mmap_type(PyTypeObject *tp)
{
    for (; tp != NULL; tp = tp->tp_base) {
        if (strcmp(tp->tp_name, "mmap.mmap") != 0) {
            continue;
        }
        if (tp->tp_basicsize < (Py_ssize_t)sizeof(mc_mmap_head)) {
            return 0;
        }
        if (!PyType_HasFeature(tp, Py_TPFLAGS_HEAPTYPE)) {
            return 1;
        }
#if PY_VERSION_HEX >= 0x03090000
        /* a C type made from the module's spec, not a class statement */
        return ((PyHeapTypeObject *)tp)->ht_module != NULL;
#else
        return 0;
#endif
    }
    return 0;
}

int
mc_mmap_buffer(PyObject *o, void **data, Py_ssize_t *size)
{
    const mc_mmap_head *m = (const mc_mmap_head *)o;

    if (m->data == NULL || m->size <= 0) {
        return 0;
    }
    *data = m->data;
    *size = m->size;
    return 1;
}

PyObject *
mc_interned_dict(void)
{
#if MC_SUPPORTED && PY_VERSION_HEX >= 0x030C0000
    PyObject *d = _Py_INTERP_CACHED_OBJECT(PyThreadState_Get()->interp,
                                           interned_strings);

    return d != NULL && PyDict_Check(d) ? d : NULL;
#else
    return NULL;
#endif
}

/* the number after '=' on a printone() line ("1,234,567"), or -1 */
static long long
mc_stats_value(const char *line)
{
    const char *p = strchr(line, '=');
    long long v = 0;
    int digits = 0;

    if (p == NULL) {
        return -1;
    }
    for (p++; *p != '\0' && *p != '\n'; p++) {
        if (*p >= '0' && *p <= '9') {
            v = v * 10 + (*p - '0');
            digits++;
        }
        else if (*p != ',' && *p != ' ') {
            return -1;
        }
    }
    return digits ? v : -1;
}

int
mc_pymalloc_stats(mc_pymalloc *st)
{
    int (*stats)(FILE *);
    char *text = NULL, *line, *save = NULL;
    size_t len = 0;
    FILE *f;
    int printed;
    long long pools = -1, alignment = -1;

    st->arenas = st->arena_bytes = st->used_bytes = st->unused_bytes = -1;
    *(void **)&stats = dlsym(RTLD_DEFAULT, "_PyObject_DebugMallocStats");
    if (stats == NULL) {
        return -1;
    }
    f = open_memstream(&text, &len);
    if (f == NULL) {
        return -1;
    }
    printed = stats(f);
    fclose(f);
    if (!printed || text == NULL) {
        free(text);
        return -1;      /* pymalloc is not the allocator */
    }
    for (line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "# arenas allocated current", 26) == 0) {
            st->arenas = mc_stats_value(line);
        }
        else if (strncmp(line, "# bytes in allocated blocks", 27) == 0) {
            st->used_bytes = mc_stats_value(line);
        }
        else if (strstr(line, " bytes/arena") != NULL) {
            st->arena_bytes = mc_stats_value(line);
        }
        else if (strstr(line, " unused pools * ") != NULL) {
            pools = mc_stats_value(line);
        }
        else if (strncmp(line, "# bytes lost to arena alignment", 31) == 0) {
            alignment = mc_stats_value(line);
        }
    }
    free(text);
    if (st->arenas < 0 || st->arena_bytes < 0 || st->used_bytes < 0
        || pools < 0 || alignment < 0
        || st->used_bytes + pools + alignment > st->arena_bytes) {
        return -1;
    }
    st->unused_bytes = pools + alignment;
    return 0;
}

/* ---- names ---------------------------------------------------------- */

static PyObject *
mc_dict_str(PyObject *dict, PyObject *key)
{
    PyObject *v;

    if (dict == NULL || !PyDict_Check(dict)) {
        return NULL;
    }
    v = PyDict_GetItemWithError(dict, key);
    if (v == NULL) {
        PyErr_Clear();
        return NULL;
    }
    return PyUnicode_Check(v) ? v : NULL;
}

int
mc_classify(PyTypeObject *tp)
{
    int heap = PyType_HasFeature(tp, Py_TPFLAGS_HEAPTYPE) ? MC_K_HEAP : 0;

    if (PyType_IsSubtype(tp, &PyType_Type)) {
        return heap | MC_K_TYPE;
    }
    if (tp == &PyFunction_Type) {
        return heap | MC_K_FUNCTION;
    }
    if (tp == &PyCode_Type) {
        return heap | MC_K_CODE;
    }
    if (tp == &PyMethod_Type) {
        return heap | MC_K_METHOD;
    }
    if (PyType_IsSubtype(tp, &PyCFunction_Type)) {
        return heap | MC_K_CFUNCTION;
    }
    if (tp == &PyCell_Type) {
        return heap | MC_K_CELL;
    }
    if (PyType_IsSubtype(tp, &PyModule_Type)) {
        return heap | MC_K_MODULE;
    }
    if (tp == &PyFrame_Type) {
        return heap | MC_K_FRAME;
    }
    if (PyType_IsSubtype(tp, &_PyWeakref_RefType)
        || tp == &_PyWeakref_ProxyType
        || tp == &_PyWeakref_CallableProxyType) {
        return heap | MC_K_WEAKREF;
    }
    return heap;
}

PyObject *
mc_object_name(PyObject *o, int cls, const char **cname, size_t *clen)
{
    *cname = NULL;
    *clen = 0;
    cls &= ~MC_K_HEAP;
    if (cls == MC_K_PLAIN) {
        return NULL;
    }
    if (cls == MC_K_TYPE) {
        PyTypeObject *t = (PyTypeObject *)o;
        const char *dot;

        if (PyType_HasFeature(t, Py_TPFLAGS_HEAPTYPE)) {
            PyObject *q = ((PyHeapTypeObject *)t)->ht_qualname;
            return (q != NULL && PyUnicode_Check(q)) ? q : NULL;
        }
        dot = strrchr(t->tp_name, '.');
        *cname = dot ? dot + 1 : t->tp_name;
        *clen = strlen(*cname);
        return NULL;
    }
    if (cls == MC_K_MODULE) {
        return mc_dict_str(PyModule_GetDict(o), mc_str_name);
    }
    if (cls == MC_K_FUNCTION) {
        PyObject *q = ((PyFunctionObject *)o)->func_qualname;
        return (q != NULL && PyUnicode_Check(q)) ? q : NULL;
    }
    if (cls == MC_K_CODE) {
#if PY_VERSION_HEX >= 0x030B0000
        return ((PyCodeObject *)o)->co_qualname;
#else
        return ((PyCodeObject *)o)->co_name;
#endif
    }
    if (cls == MC_K_CFUNCTION) {
        PyMethodDef *ml = ((PyCFunctionObject *)o)->m_ml;

        if (ml != NULL && ml->ml_name != NULL) {
            *cname = ml->ml_name;
            *clen = strlen(*cname);
        }
    }
    return NULL;
}

PyObject *
mc_type_module(PyTypeObject *t, const char **cname, size_t *clen)
{
    const char *dot;

    *cname = NULL;
    *clen = 0;
    if (PyType_HasFeature(t, Py_TPFLAGS_HEAPTYPE)) {
        return mc_dict_str(t->tp_dict, mc_str_module);
    }
    dot = strrchr(t->tp_name, '.');
    if (dot == NULL) {
        *cname = "builtins";
        *clen = 8;
    }
    else {
        *cname = t->tp_name;
        *clen = (size_t)(dot - t->tp_name);
    }
    return NULL;
}

/* ---- interpreter frames (3.11+) --------------------------------------- */

#if MC_SUPPORTED && PY_VERSION_HEX >= 0x030B0000
#  if PY_VERSION_HEX >= 0x030E0000
/* 3.14+: a frame slot is a _PyStackRef, a tagged pointer (low bit set:
 * the reference is not counted on the object; the null reference is not
 * 0; low bits 3: an int on the value stack, not an object) */
typedef _PyStackRef mc_slot;

static inline PyObject *
mc_slot_object(mc_slot r)
{
    if (PyStackRef_IsNull(r) || PyStackRef_IsTaggedInt(r)) {
        return NULL;
    }
    return PyStackRef_AsPyObjectBorrow(r);
}
#  else
typedef PyObject *mc_slot;

static inline PyObject *
mc_slot_object(mc_slot r)
{
    return r;
}
#  endif

/* the code object of a frame, or NULL (not a Python function's frame) */
static PyCodeObject *
mc_iframe_code(_PyInterpreterFrame *fr)
{
#  if PY_VERSION_HEX < 0x030D0000
    return fr->f_code;
#  else
    PyObject *c = mc_slot_object(fr->f_executable);

    return c != NULL && PyCode_Check(c) ? (PyCodeObject *)c : NULL;
#  endif
}

/* the function of a frame, or NULL */
static PyObject *
mc_iframe_func(_PyInterpreterFrame *fr)
{
#  if PY_VERSION_HEX < 0x030C0000
    return (PyObject *)fr->f_func;
#  else
    return mc_slot_object(fr->f_funcobj);
#  endif
}

/* the code of a thread's frame worth reporting, or NULL: skips the
 * entry frames the interpreter pushes on the C stack (3.12-3.13
 * FRAME_OWNED_BY_CSTACK, 3.14+ FRAME_OWNED_BY_INTERPRETER and above)
 * and frames not started (_PyFrame_IsIncomplete) */
static PyCodeObject *
mc_iframe_reported(_PyInterpreterFrame *fr)
{
#  if PY_VERSION_HEX >= 0x030E0000
    if (fr->owner >= FRAME_OWNED_BY_INTERPRETER) {
        return NULL;
    }
#  elif PY_VERSION_HEX >= 0x030C0000
    if (fr->owner == FRAME_OWNED_BY_CSTACK) {
        return NULL;
    }
#  endif
    if (mc_iframe_code(fr) == NULL || _PyFrame_IsIncomplete(fr)) {
        return NULL;
    }
    return mc_iframe_code(fr);
}
#endif

/* ---- named references ------------------------------------------------ */

#define MC_REPORT(kind, name, value) \
    do { \
        PyObject *v_ = (PyObject *)(value); \
        if (v_ != NULL) { \
            fn(ctx, (kind), (name), NULL, v_); \
        } \
    } while (0)

#if MC_SUPPORTED && PY_VERSION_HEX >= 0x030B0000
/* 3.11+: a managed __dict__ and the inline values (attributes kept
 * without a dict, named by the type's shared keys) */
static void
mc_managed_dict(PyObject *o, mc_field_fn fn, void *ctx)
{
    PyTypeObject *tp = Py_TYPE(o);
    PyDictValues *values = NULL;
    PyObject *dict = NULL;
    PyDictKeysObject *keys;
    Py_ssize_t i;

#  if PY_VERSION_HEX < 0x030C0000
    values = *_PyObject_ValuesPointer(o);
    dict = *_PyObject_ManagedDictPointer(o);
#  elif PY_VERSION_HEX < 0x030D0000
    PyDictOrValues dorv = *_PyObject_DictOrValuesPointer(o);
    if (_PyDictOrValues_IsValues(dorv)) {
        values = _PyDictOrValues_GetValues(dorv);
    }
    else {
        dict = (PyObject *)_PyDictOrValues_GetDict(dorv);
    }
#  else
    if ((tp->tp_flags & Py_TPFLAGS_INLINE_VALUES)
        && _PyObject_InlineValues(o)->valid) {
        values = _PyObject_InlineValues(o);
    }
    dict = (PyObject *)_PyObject_ManagedDictPointer(o)->dict;
#  endif
    MC_REPORT(MC_FIELD, "__dict__", dict);
    keys = ((PyHeapTypeObject *)tp)->ht_cached_keys;
    if (values != NULL && keys != NULL) {
        PyDictUnicodeEntry *ent = DK_UNICODE_ENTRIES(keys);

        for (i = 0; i < keys->dk_nentries; i++) {
            if (values->values[i] != NULL) {
                fn(ctx, MC_ATTR, NULL, ent[i].me_key, values->values[i]);
            }
        }
    }
}
#endif

static void
mc_instance_fields(PyObject *o, mc_field_fn fn, void *ctx)
{
    PyTypeObject *tp = Py_TYPE(o);
    PyObject *mro = tp->tp_mro;
    Py_ssize_t i, j;

    /* __slots__ members, declared by each heap type of the mro in the
     * PyMemberDef array that follows the type object */
    if (mro != NULL && PyTuple_Check(mro)) {
        for (i = 0; i < PyTuple_GET_SIZE(mro); i++) {
            PyTypeObject *b = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
            PyMemberDef *mp;

            if (!PyType_Check(b)
                || !PyType_HasFeature(b, Py_TPFLAGS_HEAPTYPE)) {
                continue;
            }
            mp = (PyMemberDef *)((char *)b + Py_TYPE(b)->tp_basicsize);
            for (j = 0; j < Py_SIZE(b); j++, mp++) {
                if (mp->type == Py_T_OBJECT_EX || mp->type == Py_T_OBJECT) {
                    PyObject *v = *(PyObject **)((char *)o + mp->offset);
                    if (v != NULL) {
                        fn(ctx, MC_ATTR, mp->name, NULL, v);
                    }
                }
            }
        }
    }

#if MC_SUPPORTED && PY_VERSION_HEX >= 0x030B0000
    if (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) {
        mc_managed_dict(o, fn, ctx);
        return;
    }
#endif
    if (tp->tp_dictoffset != 0) {
        Py_ssize_t off = tp->tp_dictoffset;

        if (off < 0) {
            Py_ssize_t n = Py_SIZE(o);
            size_t sz;

            if (n < 0) {
                n = -n;
            }
            sz = _Py_SIZE_ROUND_UP(tp->tp_basicsize + n * tp->tp_itemsize,
                                   SIZEOF_VOID_P);
            off += (Py_ssize_t)sz;
        }
        MC_REPORT(MC_FIELD, "__dict__", *(PyObject **)((char *)o + off));
    }
}

static void
mc_code_fields(PyObject *o, mc_field_fn fn, void *ctx)
{
    PyCodeObject *co = (PyCodeObject *)o;
    /* code objects are no gc objects (3.8-3.15 with the GIL): their
     * references are extras; were they traversed, these would label
     * the traversed edges */
    int k = mc_is_gc(o) ? MC_FIELD : MC_EXTRA;

    MC_REPORT(k, "co_consts", co->co_consts);
    MC_REPORT(k, "co_names", co->co_names);
    MC_REPORT(k, "co_filename", co->co_filename);
    MC_REPORT(k, "co_name", co->co_name);
#if PY_VERSION_HEX < 0x030B0000
    MC_REPORT(k, "co_code", co->co_code);
    MC_REPORT(k, "co_varnames", co->co_varnames);
    MC_REPORT(k, "co_freevars", co->co_freevars);
    MC_REPORT(k, "co_cellvars", co->co_cellvars);
#  if PY_VERSION_HEX < 0x030A0000
    MC_REPORT(k, "co_lnotab", co->co_lnotab);
#  else
    MC_REPORT(k, "co_linetable", co->co_linetable);
#  endif
#else
    MC_REPORT(k, "co_qualname", co->co_qualname);
    MC_REPORT(k, "co_linetable", co->co_linetable);
    MC_REPORT(k, "co_exceptiontable", co->co_exceptiontable);
    MC_REPORT(k, "co_localsplusnames", co->co_localsplusnames);
    MC_REPORT(k, "co_localspluskinds", co->co_localspluskinds);
#  if PY_VERSION_HEX < 0x030C0000
    MC_REPORT(k, "co_code", co->_co_code);
#  else
    if (co->_co_cached != NULL) {
        MC_REPORT(k, "co_code", co->_co_cached->_co_code);
        MC_REPORT(k, "co_varnames", co->_co_cached->_co_varnames);
        MC_REPORT(k, "co_cellvars", co->_co_cached->_co_cellvars);
        MC_REPORT(k, "co_freevars", co->_co_cached->_co_freevars);
    }
#  endif
#endif
}

static void
mc_function_fields(PyObject *o, mc_field_fn fn, void *ctx)
{
    PyFunctionObject *f = (PyFunctionObject *)o;

    MC_REPORT(MC_FIELD, "__code__", f->func_code);
    MC_REPORT(MC_FIELD, "__globals__", f->func_globals);
#if PY_VERSION_HEX >= 0x030A0000
    MC_REPORT(MC_FIELD, "__builtins__", f->func_builtins);
#endif
    MC_REPORT(MC_FIELD, "__defaults__", f->func_defaults);
    MC_REPORT(MC_FIELD, "__kwdefaults__", f->func_kwdefaults);
    MC_REPORT(MC_FIELD, "__closure__", f->func_closure);
    MC_REPORT(MC_FIELD, "__doc__", f->func_doc);
    MC_REPORT(MC_FIELD, "__name__", f->func_name);
    MC_REPORT(MC_FIELD, "__qualname__", f->func_qualname);
    MC_REPORT(MC_FIELD, "__dict__", f->func_dict);
    MC_REPORT(MC_FIELD, "__module__", f->func_module);
    MC_REPORT(MC_FIELD, "__annotations__", f->func_annotations);
#if PY_VERSION_HEX >= 0x030C0000
    MC_REPORT(MC_FIELD, "__type_params__", f->func_typeparams);
#endif
#if PY_VERSION_HEX >= 0x030E0000
    MC_REPORT(MC_FIELD, "__annotate__", f->func_annotate);
#endif
}

static void
mc_type_fields(PyObject *o, mc_field_fn fn, void *ctx)
{
    PyTypeObject *t = (PyTypeObject *)o;

    if (PyType_HasFeature(t, Py_TPFLAGS_HEAPTYPE)) {
        PyHeapTypeObject *ht = (PyHeapTypeObject *)t;

        MC_REPORT(MC_FIELD, "__dict__", t->tp_dict);
        MC_REPORT(MC_FIELD, "__mro__", t->tp_mro);
        MC_REPORT(MC_FIELD, "__bases__", t->tp_bases);
        MC_REPORT(MC_FIELD, "__base__", t->tp_base);
        MC_REPORT(MC_FIELD, "__class__", Py_TYPE(o));
#if PY_VERSION_HEX >= 0x03090000
        MC_REPORT(MC_FIELD, "ht_module", ht->ht_module);
#endif
        /* not traversed (no cycles through them) but they hold memory */
        MC_REPORT(MC_EXTRA, "__name__", ht->ht_name);
        MC_REPORT(MC_EXTRA, "__qualname__", ht->ht_qualname);
        MC_REPORT(MC_EXTRA, "__slots__", ht->ht_slots);
        return;
    }
    /* static type: type_traverse must never run on it, but its dict,
     * mro and bases are real objects */
#if PY_VERSION_HEX >= 0x030C0000
    {
        /* 3.12+: the dict of a builtin type lives in the interpreter */
        PyObject *d = PyType_GetDict(t);   /* new reference or NULL */

        if (d != NULL) {
            fn(ctx, MC_EXTRA, "__dict__", NULL, d);
            Py_DECREF(d);     /* still owned by the type / interpreter */
        }
        else {
            PyErr_Clear();
        }
    }
#else
    MC_REPORT(MC_EXTRA, "__dict__", t->tp_dict);
#endif
    MC_REPORT(MC_EXTRA, "__mro__", t->tp_mro);
    MC_REPORT(MC_EXTRA, "__bases__", t->tp_bases);
}

static void
mc_frame_fields(PyObject *o, mc_field_fn fn, void *ctx)
{
#if PY_VERSION_HEX < 0x030B0000
    PyFrameObject *f = (PyFrameObject *)o;
    PyCodeObject *co = f->f_code;
    PyObject *names[3] = {co->co_varnames, co->co_cellvars,
                          co->co_freevars};
    Py_ssize_t i, k, base = 0;

    MC_REPORT(MC_FIELD, "f_back", f->f_back);
    MC_REPORT(MC_FIELD, "f_trace", f->f_trace);
    MC_REPORT(MC_FIELD, "f_code", co);
    MC_REPORT(MC_FIELD, "f_globals", f->f_globals);
    MC_REPORT(MC_FIELD, "f_builtins", f->f_builtins);
    MC_REPORT(MC_FIELD, "f_locals", f->f_locals);
    for (k = 0; k < 3; k++) {
        if (names[k] == NULL || !PyTuple_Check(names[k])) {
            continue;
        }
        for (i = 0; i < PyTuple_GET_SIZE(names[k]); i++) {
            PyObject *v = f->f_localsplus[base + i];

            if (v != NULL) {
                fn(ctx, MC_FIELD, NULL, PyTuple_GET_ITEM(names[k], i), v);
            }
        }
        base += PyTuple_GET_SIZE(names[k]);
    }
#elif MC_SUPPORTED
    PyFrameObject *f = (PyFrameObject *)o;
    _PyInterpreterFrame *fr = f->f_frame;
    PyCodeObject *co;
    PyObject *names;
    Py_ssize_t i;

    MC_REPORT(MC_FIELD, "f_back", f->f_back);
    MC_REPORT(MC_FIELD, "f_trace", f->f_trace);
    /* the frame's data, when the frame object owns it (else it is a
     * running thread's or a generator's, reported there) */
    if (fr == NULL || fr->owner != FRAME_OWNED_BY_FRAME_OBJECT
        || (co = mc_iframe_code(fr)) == NULL) {
        return;
    }
    MC_REPORT(MC_FIELD, "f_func", mc_iframe_func(fr));
    MC_REPORT(MC_FIELD, "f_code", co);
    MC_REPORT(MC_FIELD, "f_locals", fr->f_locals);
    names = co->co_localsplusnames;
    for (i = 0; i < PyTuple_GET_SIZE(names); i++) {
        PyObject *v = mc_slot_object(fr->localsplus[i]);

        if (v != NULL) {
            fn(ctx, MC_FIELD, NULL, PyTuple_GET_ITEM(names, i), v);
        }
    }
#else
    (void)o;
    (void)fn;
    (void)ctx;
#endif
}

void
mc_fields(PyObject *o, int cls, mc_field_fn fn, void *ctx)
{
    if (cls & MC_K_HEAP) {
        MC_REPORT(MC_FIELD, "__class__", Py_TYPE(o));
        mc_instance_fields(o, fn, ctx);
    }
    switch (cls & ~MC_K_HEAP) {
    case MC_K_TYPE:
        mc_type_fields(o, fn, ctx);
        break;
    case MC_K_FUNCTION:
        mc_function_fields(o, fn, ctx);
        break;
    case MC_K_CODE:
        mc_code_fields(o, fn, ctx);
        break;
    case MC_K_METHOD:
        MC_REPORT(MC_FIELD, "__func__", PyMethod_GET_FUNCTION(o));
        MC_REPORT(MC_FIELD, "__self__", PyMethod_GET_SELF(o));
        break;
    case MC_K_CFUNCTION:
        MC_REPORT(MC_FIELD, "__self__", ((PyCFunctionObject *)o)->m_self);
        MC_REPORT(MC_FIELD, "__module__",
                  ((PyCFunctionObject *)o)->m_module);
        break;
    case MC_K_CELL:
        MC_REPORT(MC_FIELD, "cell_contents", PyCell_GET(o));
        break;
    case MC_K_MODULE:
        MC_REPORT(MC_FIELD, "__dict__", PyModule_GetDict(o));
        break;
    case MC_K_FRAME:
        mc_frame_fields(o, fn, ctx);
        break;
    case MC_K_WEAKREF: {
        PyWeakReference *wr = (PyWeakReference *)o;

        MC_REPORT(MC_FIELD, "__callback__", wr->wr_callback);
        if (wr->wr_object != NULL && wr->wr_object != Py_None
            && Py_REFCNT(wr->wr_object) > 0) {
            fn(ctx, MC_WEAK, "__referent__", NULL, wr->wr_object);
        }
        break;
    }
    default:
        break;
    }
}

/* ---- thread frames --------------------------------------------------- */

#if MC_SUPPORTED && PY_VERSION_HEX < 0x030B0000
/* 3.8-3.10: the running frames are frame objects */
static void
mc_frame_locals(PyObject *code, PyObject **values, PyObject *names,
                Py_ssize_t base, unsigned long tid, mc_frame_fn fn,
                void *ctx)
{
    Py_ssize_t i;

    if (names == NULL || !PyTuple_Check(names)) {
        return;
    }
    for (i = 0; i < PyTuple_GET_SIZE(names); i++) {
        PyObject *v = values[base + i];

        if (v != NULL) {
            fn(ctx, tid, code, "local", PyTuple_GET_ITEM(names, i), v);
        }
    }
}

static void
mc_thread_frames_of(PyThreadState *ts, mc_frame_fn fn, void *ctx)
{
    unsigned long tid = ts->thread_id;
    PyFrameObject *f;

    for (f = ts->frame; f != NULL; f = f->f_back) {
        PyCodeObject *co = f->f_code;
        PyObject *c = (PyObject *)co;
        Py_ssize_t nv = PyTuple_GET_SIZE(co->co_varnames);
        Py_ssize_t nc = PyTuple_GET_SIZE(co->co_cellvars);

        fn(ctx, tid, c, "frame", NULL, (PyObject *)f);
        fn(ctx, tid, c, "code", NULL, c);
        fn(ctx, tid, c, "globals", NULL, f->f_globals);
        if (f->f_locals != NULL) {
            fn(ctx, tid, c, "locals", NULL, f->f_locals);
        }
        mc_frame_locals(c, f->f_localsplus, co->co_varnames, 0, tid, fn,
                        ctx);
        mc_frame_locals(c, f->f_localsplus, co->co_cellvars, nv, tid, fn,
                        ctx);
        mc_frame_locals(c, f->f_localsplus, co->co_freevars, nv + nc, tid,
                        fn, ctx);
    }
}
#elif MC_SUPPORTED
/* 3.11+: the running frames are _PyInterpreterFrames, most without a
 * frame object */
static void
mc_thread_frames_of(PyThreadState *ts, mc_frame_fn fn, void *ctx)
{
    unsigned long tid = ts->thread_id;
    _PyInterpreterFrame *fr;

#  if PY_VERSION_HEX < 0x030D0000
    fr = ts->cframe != NULL ? ts->cframe->current_frame : NULL;
#  else
    fr = ts->current_frame;
#  endif
    for (; fr != NULL; fr = fr->previous) {
        PyCodeObject *co = mc_iframe_reported(fr);
        PyObject *c = (PyObject *)co;
        PyObject *func, *names;
        Py_ssize_t i;

        if (co == NULL) {
            continue;
        }
        if (fr->frame_obj != NULL) {
            fn(ctx, tid, c, "frame", NULL, (PyObject *)fr->frame_obj);
        }
        fn(ctx, tid, c, "code", NULL, c);
        func = mc_iframe_func(fr);
        if (func != NULL) {
            fn(ctx, tid, c, "function", NULL, func);
        }
        if (fr->f_globals != NULL) {
            fn(ctx, tid, c, "globals", NULL, fr->f_globals);
        }
        if (fr->f_locals != NULL) {
            fn(ctx, tid, c, "locals", NULL, fr->f_locals);
        }
        names = co->co_localsplusnames;
        for (i = 0; i < PyTuple_GET_SIZE(names); i++) {
            PyObject *v = mc_slot_object(fr->localsplus[i]);

            if (v != NULL) {
                fn(ctx, tid, c, "local", PyTuple_GET_ITEM(names, i), v);
            }
        }
    }
}
#endif

int
mc_thread_frames(mc_frame_fn fn, void *ctx)
{
#if MC_SUPPORTED
    PyInterpreterState *interp = PyThreadState_Get()->interp;
    PyThreadState *ts;

    for (ts = PyInterpreterState_ThreadHead(interp); ts != NULL;
         ts = PyThreadState_Next(ts)) {
        mc_thread_frames_of(ts, fn, ctx);
    }
    return 0;
#else
    (void)fn;
    (void)ctx;
    return -1;
#endif
}
