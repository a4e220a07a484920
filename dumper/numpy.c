/*
 * numpy.c - numpy's ndarray, read at C speed (numpy.h).
 */
#include "numpy.h"
#include "external.h"
#include "labels.h"

#include <string.h>

/* PyArrayObject_fields, numpy 1.x and 2.x (numpy/ndarraytypes.h): the
 * fields up to flags, in this order, in every release */
typedef struct {
    PyObject_HEAD
    char *data;
    int nd;
    Py_ssize_t *dimensions;     /* npy_intp: pointer-sized */
    Py_ssize_t *strides;
    PyObject *base;
    PyObject *descr;
    int flags;
} md_np_array;

/* the head of PyArray_Descr that 1.x and 2.x share: 2.x changed what
 * follows type_num (flags became 64-bit, elsize an npy_intp) */
typedef struct {
    PyObject_HEAD
    PyTypeObject *typeobj;
    char kind;
    char type;
    char byteorder;
    char flags_1x;              /* 2.x: _former_flags */
    int type_num;
} md_np_descr;

#define MD_NPY_OBJECT 17
#define MD_NPY_OWNDATA 0x0004
#define MD_NPY_MAXDIMS 64       /* 2.x; 32 in 1.x */

/* numpy.ndarray itself, in tp's base chain, or NULL */
static PyTypeObject *
md_np_ndarray(PyTypeObject *tp)
{
    for (; tp != NULL; tp = tp->tp_base) {
        if (!PyType_HasFeature(tp, Py_TPFLAGS_HEAPTYPE)
            && strcmp(tp->tp_name, "numpy.ndarray") == 0) {
            return tp->tp_basicsize >= (Py_ssize_t)sizeof(md_np_array)
                   ? tp : NULL;
        }
    }
    return NULL;
}

int
md_np_is_ndarray_type(PyTypeObject *tp)
{
    return md_np_ndarray(tp) != NULL;
}

Py_ssize_t
md_np_own_size(PyObject *o)
{
    const md_np_array *a = (const md_np_array *)o;
    int nd = a->nd < 0 ? 0 : a->nd;

    return Py_TYPE(o)->tp_basicsize + 2 * nd * (Py_ssize_t)sizeof(Py_ssize_t);
}

/* the item size of a descr: `descr.itemsize` (a C getter), cached per
 * descr for the dump; 0 when unknown */
static Py_ssize_t
md_np_itemsize(md_state *d, PyObject *descr)
{
    static PyObject *name;      /* "itemsize" */
    size_t slot = (size_t)(md_hash(descr) & (MD_NP_CACHE - 1));
    PyObject *v;
    Py_ssize_t n;

    if (d->np_cache[slot].descr == descr) {
        return d->np_cache[slot].itemsize;
    }
    if (name == NULL && (name = PyUnicode_InternFromString("itemsize"))
                        == NULL) {
        PyErr_Clear();
        return 0;
    }
    v = PyObject_GetAttr(descr, name);
    n = v != NULL && PyLong_Check(v) ? PyLong_AsSsize_t(v) : 0;
    Py_XDECREF(v);
    if (n < 0 || PyErr_Occurred()) {
        PyErr_Clear();
        n = 0;
    }
    d->np_cache[slot].descr = descr;
    d->np_cache[slot].itemsize = n;
    return n;
}

/* the object items, in C order, as INDEX edges */
static int
md_np_items(md_state *d, const md_np_array *a, uint64_t count)
{
    Py_ssize_t idx[MD_NPY_MAXDIMS];
    int nd = a->nd, k;
    uint64_t i;
    char *p = a->data;

    if (md_scratch_reserve(d, (void **)&d->te, &d->cap_te,
                           d->nte + (size_t)count + 4, sizeof(md_tedge))
        < 0) {
        return -1;
    }
    /* C-contiguous (the usual case): the items in order */
    for (k = nd - 1; k >= 0 && (k == nd - 1
                                 ? a->strides[k] == (Py_ssize_t)sizeof(p)
                                 : a->strides[k] == a->strides[k + 1]
                                                   * a->dimensions[k + 1]);
         k--) {
    }
    if (k < 0) {
        PyObject **items = (PyObject **)a->data;

        for (i = 0; i < count; i++) {
            if (items[i] != NULL) {
                md_tedge *t = &d->te[d->nte++];

                t->p = items[i];
                t->kind = MF_EDGE_INDEX;
                t->label = i;
                t->matched = 1;
            }
        }
        return 0;
    }
    memset(idx, 0, sizeof(idx));
    for (i = 0; i < count; i++) {
        PyObject *item = *(PyObject **)p;

        if (item != NULL) {
            md_tedge *t = &d->te[d->nte++];

            t->p = item;
            t->kind = MF_EDGE_INDEX;
            t->label = i;
            t->matched = 1;
        }
        /* the next index in C order: the last dimension fastest */
        for (k = nd - 1; k >= 0; k--) {
            p += a->strides[k];
            if (++idx[k] < a->dimensions[k]) {
                break;
            }
            p -= a->strides[k] * a->dimensions[k];
            idx[k] = 0;
        }
    }
    return 0;
}

static int
md_np_field(md_state *d, PyObject *v, const char *name)
{
    md_tedge *t;
    uint32_t sid;

    if (v == NULL) {
        return 0;
    }
    if (md_sid(d, NULL, name, strlen(name), &sid) < 0) {
        return -1;
    }
    if (d->nte >= d->cap_te
        && md_scratch_reserve(d, (void **)&d->te, &d->cap_te, d->nte + 1,
                              sizeof(md_tedge)) < 0) {
        return -1;
    }
    t = &d->te[d->nte++];
    t->p = v;
    t->kind = MF_EDGE_FIELD;
    t->label = sid;
    t->matched = 1;
    return 0;
}

int
md_np_edges(md_state *d, PyObject *o)
{
    const md_np_array *a = (const md_np_array *)o;
    const md_np_descr *descr = (const md_np_descr *)a->descr;
    uint64_t count = 1;
    Py_ssize_t itemsize;
    int k, is_object;

    if (a->nd < 0 || a->nd > MD_NPY_MAXDIMS || descr == NULL) {
        return 0;               /* not an array we understand */
    }
    for (k = 0; k < a->nd; k++) {
        Py_ssize_t n = a->dimensions[k];

        if (n < 0) {
            return 0;
        }
        if (n == 0) {
            count = 0;
            break;
        }
        if (count > UINT64_MAX / (uint64_t)n) {
            return 0;
        }
        count *= (uint64_t)n;
    }
    is_object = descr->type_num == MD_NPY_OBJECT && descr->kind == 'O';
    /* (were a numpy to traverse its arrays, tp_traverse would have
     * reported these) */
    if (!PyType_IS_GC(md_np_ndarray(Py_TYPE(o)))) {
        if (is_object && count > 0 && a->data != NULL
            && (a->base == NULL || !md_np_is_ndarray_type(Py_TYPE(a->base)))
            && md_np_items(d, a, count) < 0) {
            return -1;
        }
        if (md_np_field(d, a->base, "base") < 0
            || md_np_field(d, a->descr, "dtype") < 0) {
            return -1;
        }
    }
    if (a->data == NULL || count == 0
        || (!(a->flags & MD_NPY_OWNDATA) && a->base != NULL)) {
        return 0;
    }
    itemsize = is_object ? (Py_ssize_t)sizeof(PyObject *)
                         : md_np_itemsize(d, a->descr);
    if (itemsize <= 0 || count > UINT64_MAX / (uint64_t)itemsize) {
        return 0;
    }
    if (a->flags & MD_NPY_OWNDATA) {
        return md_ext_edge(d, "numpy data", 10, (uint64_t)(uintptr_t)a->data,
                           count * (uint64_t)itemsize, "data", MF_NONE,
                           MD_MEM_HOST);
    }
    return md_ext_edge(d, "numpy data (not owned)", 22,
                       (uint64_t)(uintptr_t)a->data,
                       count * (uint64_t)itemsize, "data", MF_NONE,
                       MD_MEM_HOST);
}
