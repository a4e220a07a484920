/*
 * compat.c - the CPython-version-specific half of the dumper.
 *
 * Every #if on PY_VERSION_HEX and every use of CPython's internal
 * structures lives in this file (see compat.h for the contract).
 * Layouts used, per version:
 *   gc lists   3.8: _PyRuntime.gc; 3.9-3.13: interp->gc; generations[3]
 *              and permanent_generation, lists of PyGC_Head (_gc_next).
 *   frames     3.8-3.10: tstate->frame, PyFrameObject chain;
 *              3.11-3.12: tstate->cframe->current_frame; 3.13:
 *              tstate->current_frame; _PyInterpreterFrame chain.
 *   instances  3.11: values/dict pointers at obj-4/obj-3; 3.12: tagged
 *              PyDictOrValues at obj-3; 3.13: inline values after the
 *              object header and PyManagedDictPointer at obj-3; keys of
 *              inline values in the type's ht_cached_keys.
 *   getsizeof  3.8-3.10: + GC header if PyObject_IS_GC; 3.11+:
 *              + _PyType_PreHeaderSize(type), except for static type
 *              objects where the running version skips it (probed once).
 */
#define Py_BUILD_CORE 1
#include "compat.h"

#include <string.h>

#if PY_VERSION_HEX >= 0x03080000 && PY_VERSION_HEX < 0x030E0000 \
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
#  if PY_VERSION_HEX >= 0x030D0000
#    include <internal/pycore_setobject.h>
#  endif
#  pragma GCC diagnostic pop
#endif

#ifndef Py_T_OBJECT_EX
#  define Py_T_OBJECT_EX T_OBJECT_EX
#endif
#ifndef Py_T_OBJECT
#  define Py_T_OBJECT T_OBJECT
#endif

/* 1 when this version's sys.getsizeof adds the pre-header to static type
 * objects too (3.11, 3.12.0-1); set by mc_init() */
static int mc_static_type_preheader;
static PyObject *mc_str_name;     /* "__name__" */
static PyObject *mc_str_module;   /* "__module__" */

int
mc_init(void)
{
#if !MC_SUPPORTED
    PyErr_Format(PyExc_RuntimeError,
                 "muppy does not support this interpreter (%s): dumps need "
                 "CPython 3.8 to 3.13 with the GIL", Py_GetVersion());
    return -1;
#else
    PyObject *getsizeof, *res;
    Py_ssize_t full;

    if (mc_str_name == NULL) {
        mc_str_name = PyUnicode_InternFromString("__name__");
        mc_str_module = PyUnicode_InternFromString("__module__");
        if (mc_str_name == NULL || mc_str_module == NULL) {
            return -1;
        }
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
    return 0;
#endif
}

/* ---- gc lists ------------------------------------------------------- */

#if MC_SUPPORTED
static struct _gc_runtime_state *
mc_gcstate(void)
{
#  if PY_VERSION_HEX < 0x03090000
    return &_PyRuntime.gc;
#  else
    return &PyThreadState_Get()->interp->gc;
#  endif
}

static int
mc_walk_list(PyGC_Head *head, int frozen, mc_gc_fn fn, void *ctx)
{
    PyGC_Head *g;

    for (g = (PyGC_Head *)head->_gc_next; g != head;
         g = (PyGC_Head *)g->_gc_next) {
        if (fn(ctx, (PyObject *)(g + 1), frozen) < 0) {
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
    int i;

    for (i = 0; i < NUM_GENERATIONS; i++) {
        if (mc_walk_list(&st->generations[i].head, 0, fn, ctx) < 0) {
            return -1;
        }
    }
    return mc_walk_list(&st->permanent_generation.head, 1, fn, ctx);
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

int
mc_gc_disable(void)
{
#if MC_SUPPORTED
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
#if MC_SUPPORTED
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
#else
    return mc_is_gc(o) ? sizeof(PyGC_Head) : 0;
#endif
}

int
mc_is_immortal(PyObject *o)
{
#if PY_VERSION_HEX >= 0x030C0000
    if (_Py_IsImmortal(o)) {
        return 1;
    }
#endif
    return PyType_Check(o)
           && !PyType_HasFeature((PyTypeObject *)o, Py_TPFLAGS_HEAPTYPE);
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

int
mc_set_next(PyObject *set, Py_ssize_t *pos, PyObject **key)
{
    Py_hash_t hash;

    return _PySet_NextEntry(set, pos, key, &hash);
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

/* ---- named references ------------------------------------------------ */

#define MC_REPORT(kind, name, value) \
    do { \
        PyObject *v_ = (PyObject *)(value); \
        if (v_ != NULL) { \
            fn(ctx, (kind), (name), NULL, v_); \
        } \
    } while (0)

static void
mc_instance_fields(PyObject *o, mc_field_fn fn, void *ctx)
{
    PyTypeObject *tp = Py_TYPE(o);
    PyObject *mro = tp->tp_mro;
    Py_ssize_t i, j;

    /* __slots__ members, declared by each heap type of the mro */
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
        PyDictValues *values = NULL;
        PyObject *dict = NULL;
        PyDictKeysObject *keys;
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
                    fn(ctx, MC_ATTR, NULL, ent[i].me_key,
                       values->values[i]);
                }
            }
        }
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
    /* code objects are not gc-tracked before 3.13 (or at all): their
     * references are then extras, else labels of traversed edges */
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
    PyFrameObject *f = (PyFrameObject *)o;
    PyObject *names[3] = {NULL, NULL, NULL};
    PyObject **values;
    Py_ssize_t i, k, base;

    MC_REPORT(MC_FIELD, "f_back", f->f_back);
    MC_REPORT(MC_FIELD, "f_trace", f->f_trace);
#if PY_VERSION_HEX < 0x030B0000
    MC_REPORT(MC_FIELD, "f_code", f->f_code);
    MC_REPORT(MC_FIELD, "f_globals", f->f_globals);
    MC_REPORT(MC_FIELD, "f_builtins", f->f_builtins);
    MC_REPORT(MC_FIELD, "f_locals", f->f_locals);
    names[0] = f->f_code->co_varnames;
    names[1] = f->f_code->co_cellvars;
    names[2] = f->f_code->co_freevars;
    values = f->f_localsplus;
#elif MC_SUPPORTED
    {
        _PyInterpreterFrame *fr = f->f_frame;
        PyCodeObject *co;

        if (fr == NULL || fr->owner != FRAME_OWNED_BY_FRAME_OBJECT) {
            return;
        }
#  if PY_VERSION_HEX < 0x030C0000
        co = fr->f_code;
        MC_REPORT(MC_FIELD, "f_func", fr->f_func);
#  elif PY_VERSION_HEX < 0x030D0000
        co = fr->f_code;
        MC_REPORT(MC_FIELD, "f_func", fr->f_funcobj);
#  else
        if (!PyCode_Check(fr->f_executable)) {
            return;
        }
        co = (PyCodeObject *)fr->f_executable;
        MC_REPORT(MC_FIELD, "f_func", fr->f_funcobj);
#  endif
        MC_REPORT(MC_FIELD, "f_code", co);
        MC_REPORT(MC_FIELD, "f_locals", fr->f_locals);
        names[0] = co->co_localsplusnames;
        values = fr->localsplus;
    }
#else
    return;
#endif
    base = 0;
    for (k = 0; k < 3; k++) {
        if (names[k] == NULL || !PyTuple_Check(names[k])) {
            continue;
        }
        for (i = 0; i < PyTuple_GET_SIZE(names[k]); i++) {
            PyObject *v = values[base + i];

            if (v != NULL) {
                fn(ctx, MC_FIELD, NULL, PyTuple_GET_ITEM(names[k], i), v);
            }
        }
        base += PyTuple_GET_SIZE(names[k]);
    }
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

int
mc_thread_frames(mc_frame_fn fn, void *ctx)
{
#if MC_SUPPORTED
    PyInterpreterState *interp = PyThreadState_Get()->interp;
    PyThreadState *ts;

    for (ts = PyInterpreterState_ThreadHead(interp); ts != NULL;
         ts = PyThreadState_Next(ts)) {
        unsigned long tid = ts->thread_id;
#  if PY_VERSION_HEX < 0x030B0000
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
            mc_frame_locals(c, f->f_localsplus, co->co_varnames, 0, tid,
                            fn, ctx);
            mc_frame_locals(c, f->f_localsplus, co->co_cellvars, nv, tid,
                            fn, ctx);
            mc_frame_locals(c, f->f_localsplus, co->co_freevars, nv + nc,
                            tid, fn, ctx);
        }
#  else
        _PyInterpreterFrame *fr;

#    if PY_VERSION_HEX < 0x030D0000
        fr = ts->cframe != NULL ? ts->cframe->current_frame : NULL;
#    else
        fr = ts->current_frame;
#    endif
        for (; fr != NULL; fr = fr->previous) {
            PyObject *c;
            PyObject *func;

#    if PY_VERSION_HEX >= 0x030C0000
            if (fr->owner == FRAME_OWNED_BY_CSTACK) {
                continue;
            }
#    endif
#    if PY_VERSION_HEX < 0x030D0000
            c = (PyObject *)fr->f_code;
#    else
            c = fr->f_executable;
            if (c == NULL || !PyCode_Check(c)) {
                continue;
            }
#    endif
            if (_PyFrame_IsIncomplete(fr)) {
                continue;
            }
#    if PY_VERSION_HEX < 0x030C0000
            func = (PyObject *)fr->f_func;
#    else
            func = fr->f_funcobj;
#    endif
            if (fr->frame_obj != NULL) {
                fn(ctx, tid, c, "frame", NULL, (PyObject *)fr->frame_obj);
            }
            fn(ctx, tid, c, "code", NULL, c);
            if (func != NULL) {
                fn(ctx, tid, c, "function", NULL, func);
            }
            if (fr->f_globals != NULL) {
                fn(ctx, tid, c, "globals", NULL, fr->f_globals);
            }
            if (fr->f_locals != NULL) {
                fn(ctx, tid, c, "locals", NULL, fr->f_locals);
            }
            mc_frame_locals(c, fr->localsplus,
                            ((PyCodeObject *)c)->co_localsplusnames, 0, tid,
                            fn, ctx);
        }
#  endif
    }
    return 0;
#else
    (void)fn;
    (void)ctx;
    (void)mc_frame_locals;
    return -1;
#endif
}
