/*
 * edges.c - the labeled referents of one object (edges.h).
 */
#include "edges.h"
#include "labels.h"

#include <string.h>

void
md_edges_trim(md_state *d)
{
    md_trim((void **)&d->cand, &d->cap_cand, sizeof(md_cand));
    md_trim((void **)&d->mhash, &d->cap_mhash, sizeof(uint32_t));
    md_trim((void **)&d->mnext, &d->cap_mnext, sizeof(uint32_t));
}

void
md_edges_free(md_state *d)
{
    md_scratch_free(d->te, d->cap_te, sizeof(md_tedge));
    md_scratch_free(d->cand, d->cap_cand, sizeof(md_cand));
    md_scratch_free(d->mhash, d->cap_mhash, sizeof(uint32_t));
    md_scratch_free(d->mnext, d->cap_mnext, sizeof(uint32_t));
    d->te = NULL;
    d->cand = NULL;
    d->mhash = d->mnext = NULL;
    d->cap_te = d->cap_cand = d->cap_mhash = d->cap_mnext = 0;
}

static int
md_visit(PyObject *o, void *arg)
{
    md_state *d = arg;
    md_tedge *t;

    if (d->nte >= d->cap_te
        && md_scratch_reserve(d, (void **)&d->te, &d->cap_te, d->nte + 1,
                              sizeof(md_tedge)) < 0) {
        return -1;
    }
    t = &d->te[d->nte++];
    t->p = o;
    t->kind = MF_EDGE_REF;
    t->label = 0;
    t->matched = 0;
    return 0;
}

static int
md_cand_add(md_state *d, PyObject *p, uint8_t kind, uint64_t label,
            int extra)
{
    md_cand *c;

    if (d->ncand >= d->cap_cand
        && md_scratch_reserve(d, (void **)&d->cand, &d->cap_cand,
                              d->ncand + 1, sizeof(md_cand)) < 0) {
        return -1;
    }
    c = &d->cand[d->ncand++];
    c->p = p;
    c->kind = kind;
    c->label = label;
    c->extra = (uint8_t)extra;
    return 0;
}

static void
md_field_cb(void *ctx, int kind, const char *name, PyObject *name_obj,
            PyObject *value)
{
    md_state *d = ctx;
    uint32_t sid = MF_NONE;
    uint8_t k;
    int extra = kind == MC_EXTRA || kind == MC_WEAK;

    if (d->failed) {
        return;
    }
    if (kind == MC_ATTR && !d->opt->labels) {
        md_cand_add(d, value, MF_EDGE_REF, 0, 0);
        return;
    }
    if (name_obj != NULL && !PyUnicode_Check(name_obj)) {
        md_cand_add(d, value, MF_EDGE_REF, 0, extra);
        return;
    }
    if (md_sid(d, name_obj, name, name ? strlen(name) : 0, &sid) < 0) {
        return;
    }
    k = kind == MC_ATTR ? MF_EDGE_ATTR : MF_EDGE_FIELD;
    if (kind == MC_WEAK) {
        k |= MF_EDGE_WEAK;
    }
    md_cand_add(d, value, k, sid, extra);
}

/* kind and label of a dict value edge, from its key */
static int
md_key_label(md_state *d, PyObject *k, uint8_t *kind, uint64_t *label)
{
    *kind = MF_EDGE_KEY_OTHER;
    *label = 0;
    if (!d->opt->labels) {
        return 0;
    }
    if (PyUnicode_Check(k)) {
        uint32_t sid;

        if (md_sid(d, k, NULL, 0, &sid) < 0) {
            return -1;
        }
        *kind = MF_EDGE_KEY_STR;
        *label = sid;
    }
    else if (PyLong_Check(k)) {
        int overflow;
        long long x = PyLong_AsLongLongAndOverflow(k, &overflow);

        if (!overflow && !(x == -1 && PyErr_Occurred())) {
            *kind = MF_EDGE_KEY_INT;
            *label = (uint64_t)(int64_t)x;
        }
        PyErr_Clear();
    }
    return 0;
}

/* label of a dict value by its key */
static int
md_dict_cands(md_state *d, PyObject *o)
{
    Py_ssize_t pos = 0;
    PyObject *k, *v;

    while (PyDict_Next(o, &pos, &k, &v)) {
        uint8_t kind;
        uint64_t label;

        if (md_key_label(d, k, &kind, &label) < 0
            || md_cand_add(d, v, kind, label, 0) < 0
            || md_cand_add(d, k, MF_EDGE_DICT_KEY, 0, 1) < 0) {
            return -1;
        }
    }
    return 0;
}

/*
 * Fast paths for exact lists, tuples and dicts, whose traversal order is
 * known: label the collected edges in place.  Return 1 when done, 0 when
 * the order did not match (the caller then uses the generic matching),
 * -1 on error.
 */
static int
md_fast_labels(md_state *d, PyObject *o, size_t ntrav)
{
    size_t i, j;

    if (PyList_CheckExact(o) || PyTuple_CheckExact(o)) {
        PyObject **items = PyList_CheckExact(o)
                           ? ((PyListObject *)o)->ob_item
                           : ((PyTupleObject *)o)->ob_item;

        if ((size_t)Py_SIZE(o) != ntrav) {
            return 0;
        }
        for (i = 0; i < ntrav; i++) {
            if (d->te[i].p != items[i]) {
                goto mismatch;
            }
            d->te[i].kind = MF_EDGE_INDEX;
            d->te[i].label = i;
        }
        return 1;
    }
    if (PyDict_CheckExact(o)) {
        Py_ssize_t pos = 0;
        PyObject *k, *v;

        i = 0;
        while (PyDict_Next(o, &pos, &k, &v)) {
            if (i >= ntrav || d->te[i].p != v) {
                goto mismatch;
            }
            if (md_key_label(d, k, &d->te[i].kind, &d->te[i].label) < 0) {
                return -1;
            }
            i++;
            if (i < ntrav && d->te[i].p == k) {
                d->te[i++].kind = MF_EDGE_DICT_KEY;
            }
            else {
                /* str-keyed table: dict_traverse skips keys */
                if (md_visit(k, d) < 0) {
                    return -1;
                }
                d->te[d->nte - 1].kind = MF_EDGE_DICT_KEY;
            }
        }
        if (i == ntrav) {
            return 1;
        }
        goto mismatch;
    }
    return 0;
mismatch:
    d->nte = ntrav;
    for (j = 0; j < ntrav; j++) {
        d->te[j].kind = MF_EDGE_REF;
        d->te[j].label = 0;
    }
    return 0;
}

/* find an unmatched collected edge to p: in-order fast path, else a hash
 * index of the collected edges (built once per object) */
static Py_ssize_t
md_find(md_state *d, size_t ntrav, PyObject *p, size_t *cur, int *built)
{
    size_t j, mask, hsize;
    uint32_t s;

    if (*cur < ntrav && !d->te[*cur].matched && d->te[*cur].p == p) {
        return (Py_ssize_t)(*cur)++;
    }
    if (ntrav <= 8) {
        for (j = 0; j < ntrav; j++) {
            if (!d->te[j].matched && d->te[j].p == p) {
                *cur = j + 1;
                return (Py_ssize_t)j;
            }
        }
        return -1;
    }
    hsize = 16;
    while (hsize < ntrav * 2) {
        hsize *= 2;
    }
    mask = hsize - 1;
    if (!*built) {
        if (md_scratch_reserve(d, (void **)&d->mhash, &d->cap_mhash, hsize,
                               sizeof(uint32_t)) < 0
            || md_scratch_reserve(d, (void **)&d->mnext, &d->cap_mnext,
                                  ntrav, sizeof(uint32_t)) < 0) {
            return -2;
        }
        memset(d->mhash, 0, hsize * sizeof(uint32_t));
        for (j = ntrav; j-- > 0;) {
            size_t h = md_hash(d->te[j].p) & mask;

            while ((s = d->mhash[h]) != 0 && d->te[s - 1].p != d->te[j].p) {
                h = (h + 1) & mask;
            }
            d->mnext[j] = s;
            d->mhash[h] = (uint32_t)j + 1;
        }
        *built = 1;
    }
    j = md_hash(p) & mask;
    while ((s = d->mhash[j]) != 0 && d->te[s - 1].p != p) {
        j = (j + 1) & mask;
    }
    /* pop matched entries off the chain head */
    while (s != 0 && d->te[s - 1].matched) {
        s = d->mnext[s - 1];
    }
    d->mhash[j] = s;
    if (s == 0) {
        return -1;
    }
    *cur = s;
    return (Py_ssize_t)s - 1;
}

/* the known references of o, as candidates for labeling its edges */
static int
md_cands(md_state *d, PyObject *o, const md_tinfo *ti)
{
    size_t i;

    if (PyList_Check(o)) {
        for (i = 0; i < (size_t)PyList_GET_SIZE(o); i++) {
            PyObject *v = PyList_GET_ITEM(o, i);
            if (v && md_cand_add(d, v, MF_EDGE_INDEX, i, 0) < 0) {
                return -1;
            }
        }
    }
    else if (PyTuple_Check(o)) {
        for (i = 0; i < (size_t)PyTuple_GET_SIZE(o); i++) {
            PyObject *v = PyTuple_GET_ITEM(o, i);
            if (v && md_cand_add(d, v, MF_EDGE_INDEX, i, 0) < 0) {
                return -1;
            }
        }
    }
    else if (ti->lenkind == MD_LEN_DICT) {
        if (md_dict_cands(d, o) < 0) {
            return -1;
        }
    }
    mc_fields(o, ti->cls, md_field_cb, d);
    return d->failed ? -1 : 0;
}

int
md_edges(md_state *d, PyObject *o, int is_gc, const md_tinfo *ti)
{
    PyTypeObject *tp = Py_TYPE(o);
    size_t ntrav, i, cur = 0;
    int built = 0;

    d->nte = 0;
    d->ncand = 0;
    if (tp == &PyTuple_Type || tp == &PyList_Type) {
        /* their tp_traverse visits the non-NULL items in order: read
         * them directly (a NULL item leaves this to the generic path) */
        size_t n = (size_t)Py_SIZE(o);
        PyObject **items = tp == &PyList_Type
                           ? ((PyListObject *)o)->ob_item
                           : ((PyTupleObject *)o)->ob_item;

        if (md_scratch_reserve(d, (void **)&d->te, &d->cap_te, n,
                               sizeof(md_tedge)) < 0) {
            return -1;
        }
        for (i = 0; i < n && items[i] != NULL; i++) {
            md_tedge *t = &d->te[i];

            t->p = items[i];
            t->kind = MF_EDGE_INDEX;
            t->label = i;
            t->matched = 0;
        }
        if (i == n) {
            d->nte = n;
            return 0;
        }
    }
    if (is_gc && tp->tp_traverse != NULL) {
        if (tp->tp_traverse(o, md_visit, d) != 0 || d->failed) {
            return md_nomem(d);
        }
    }
    ntrav = d->nte;

    switch (md_fast_labels(d, o, ntrav)) {
    case 1:
        return 0;
    case -1:
        return -1;
    }
    /* set_traverse visits exactly the items: no other reference to
     * label in an exact set (and no private iteration of its table) */
    if (tp == &PySet_Type || tp == &PyFrozenSet_Type) {
        for (i = 0; i < ntrav; i++) {
            d->te[i].kind = MF_EDGE_SET_ITEM;
        }
        return 0;
    }

    if (md_cands(d, o, ti) < 0) {
        return -1;
    }
    for (i = 0; i < d->ncand; i++) {
        md_cand *c = &d->cand[i];
        Py_ssize_t j = md_find(d, ntrav, c->p, &cur, &built);

        if (j == -2) {
            return -1;
        }
        if (j >= 0) {
            d->te[j].kind = c->kind;
            d->te[j].label = c->label;
            d->te[j].matched = 1;
        }
        else if (c->extra || !is_gc) {
            if (md_visit(c->p, d) < 0) {
                return -1;
            }
            d->te[d->nte - 1].kind = c->kind;
            d->te[d->nte - 1].label = c->label;
            d->te[d->nte - 1].matched = 1;
        }
    }
    if (ti->lenkind == MD_LEN_SET) {
        /* a set subclass: its traversal (subtype_traverse) visits the
         * class, the __dict__ or slots, all labeled above, then the
         * items of the set */
        for (i = 0; i < ntrav; i++) {
            if (!d->te[i].matched) {
                d->te[i].kind = MF_EDGE_SET_ITEM;
            }
        }
    }
    return 0;
}
