/*
 * types.c - the table of types seen (types.h).
 */
#include "types.h"
#include "index.h"
#include "labels.h"
#include "numpy.h"
#include "sizers.h"

#include <stdlib.h>
#include <string.h>

int
md_types_init(md_state *d)
{
    d->types = calloc(64, sizeof(md_tinfo));
    d->types_mask = 63;
    return d->types == NULL ? md_nomem(d) : 0;
}

void
md_types_free(md_state *d)
{
    free(d->types);
    d->types = NULL;
}

/* double the table (open addressing, load <= 1/2) */
static int
md_types_grow(md_state *d)
{
    size_t ncap = (d->types_mask + 1) * 2, j;
    md_tinfo *nt = calloc(ncap, sizeof(*nt));

    if (nt == NULL) {
        return md_nomem(d);
    }
    for (j = 0; j <= d->types_mask; j++) {
        if (d->types[j].tp != NULL) {
            size_t k = md_hash(d->types[j].tp) & (ncap - 1);
            while (nt[k].tp != NULL) {
                k = (k + 1) & (ncap - 1);
            }
            nt[k] = d->types[j];
        }
    }
    free(d->types);
    d->types = nt;
    d->types_mask = ncap - 1;
    d->last_tp = NULL;
    d->last_ti = NULL;
    return 0;
}

/* the type's record: module, qualname, flags */
static int
md_type_record(md_state *d, PyTypeObject *tp, uint32_t *id)
{
    mf_type rec;
    PyObject *s;
    const char *cs;
    size_t clen;

    memset(&rec, 0, sizeof(rec));
    rec.address = (uint64_t)(uintptr_t)tp;
    rec.module = rec.qualname = MF_NONE;
    s = mc_type_module(tp, &cs, &clen);
    if ((s != NULL || cs != NULL)
        && md_sid(d, s, cs, clen, &rec.module) < 0) {
        return -1;
    }
    s = mc_object_name((PyObject *)tp, MC_K_TYPE, &cs, &clen);
    if ((s != NULL || cs != NULL)
        && md_sid(d, s, cs, clen, &rec.qualname) < 0) {
        return -1;
    }
    rec.flags = (PyType_HasFeature(tp, Py_TPFLAGS_HEAPTYPE)
                 ? MF_TYPE_HEAP : 0)
                | (PyType_IS_GC(tp) ? MF_TYPE_GC : 0);
    if (mf_writer_type(d->w, &rec, id, &d->err) != MF_OK) {
        return md_lib_error(d);
    }
    return 0;
}

static int
md_lenkind(PyTypeObject *tp)
{
    if (PyType_IsSubtype(tp, &PyUnicode_Type)) {
        return MD_LEN_STR;
    }
    if (PyType_IsSubtype(tp, &PyBytes_Type)
        || PyType_IsSubtype(tp, &PyByteArray_Type)
        || PyType_IsSubtype(tp, &PyList_Type)
        || PyType_IsSubtype(tp, &PyTuple_Type)) {
        return MD_LEN_VAR;
    }
    if (mc_dict_like(tp)) {
        return MD_LEN_DICT;
    }
    if (PyType_IsSubtype(tp, &PySet_Type)
        || PyType_IsSubtype(tp, &PyFrozenSet_Type)) {
        return MD_LEN_SET;
    }
    return MD_LEN_NONE;
}

md_tinfo *
md_type(md_state *d, PyTypeObject *tp)
{
    size_t i;
    md_tinfo *e;

    if ((d->types_used + 1) * 2 > d->types_mask && md_types_grow(d) < 0) {
        return NULL;
    }
    i = md_hash(tp) & d->types_mask;
    for (;;) {
        e = &d->types[i];
        if (e->tp == tp) {
            return e;
        }
        if (e->tp == NULL) {
            break;
        }
        i = (i + 1) & d->types_mask;
    }
    if (md_type_record(d, tp, &e->id) < 0) {
        return NULL;
    }
    e->tp = tp;
    d->types_used++;
    e->cls = mc_classify(tp);
    /* without tp_is_gc (type objects have it) these are per type */
    e->pre = -1;
    e->is_gc = -1;
    if (tp->tp_is_gc == NULL && (e->cls & ~MC_K_HEAP) != MC_K_TYPE) {
        e->is_gc = PyType_IS_GC(tp) ? 1 : 0;
    }
    e->lenkind = md_lenkind(tp);
    e->skind = mc_sizeof_kind(tp, &e->cfunc);
    e->lib = md_np_is_ndarray_type(tp) ? MD_LIB_NDARRAY
             : mc_mmap_type(tp) ? MD_LIB_MMAP : MD_LIB_NONE;
    e->n_shallow = 0;
    if (md_sizers_type(d, tp, e) < 0) {
        return NULL;
    }
    /* type objects are objects of the snapshot too */
    if (md_index(d, (PyObject *)tp) == UINT32_MAX) {
        return NULL;
    }
    return e;
}

/* append (s, n) to buf[*len..cap-1) */
static void
md_append(char *buf, size_t cap, size_t *len, const char *s, size_t n)
{
    if (*len + n >= cap) {
        n = cap - 1 - *len;
    }
    memcpy(buf + *len, s, n);
    *len += n;
    buf[*len] = '\0';
}

int
md_type_fullname(md_state *d, PyTypeObject *tp, char *buf, size_t cap,
                 size_t *len)
{
    PyObject *s;
    const char *cs;
    size_t clen;
    Py_ssize_t n;

    *len = 0;
    buf[0] = '\0';
    s = mc_type_module(tp, &cs, &clen);
    if (s != NULL) {
        if ((n = md_utf8(d, s, 200, cap)) < 0) {
            return -1;
        }
        md_append(buf, cap, len, d->sbuf, (size_t)n);
    }
    else if (cs != NULL) {
        md_append(buf, cap, len, cs, clen);
    }
    md_append(buf, cap, len, ".", 1);
    s = mc_object_name((PyObject *)tp, MC_K_TYPE, &cs, &clen);
    if (s != NULL) {
        if ((n = md_utf8(d, s, 200, cap)) < 0) {
            return -1;
        }
        md_append(buf, cap, len, d->sbuf, (size_t)n);
    }
    else if (cs != NULL) {
        md_append(buf, cap, len, cs, clen);
    }
    return 0;
}
