/*
 * sizers.c - sizers and deep __sizeof__ (sizers.h).
 */
#include "sizers.h"
#include "external.h"
#include "index.h"
#include "labels.h"

#include <stdio.h>
#include <string.h>

void
md_sizers_free(md_state *d)
{
    d->nszpend = 0;
}

/* 1 if registry key `key` (a type, or bytes "module.qualname") names b,
 * whose full name is `full` */
static int
md_key_names(PyObject *key, PyTypeObject *b, const char *full, size_t len)
{
    if (PyType_Check(key)) {
        return key == (PyObject *)b;
    }
    return PyBytes_Check(key) && (size_t)PyBytes_GET_SIZE(key) == len
           && memcmp(PyBytes_AS_STRING(key), full, len) == 0;
}

int
md_sizers_type(md_state *d, PyTypeObject *tp, md_tinfo *ti)
{
    PyObject *reg = d->opt->sizers, *deep = d->opt->deep;
    PyObject *mro = tp->tp_mro;
    PyTypeObject *definer;
    char full[512];
    Py_ssize_t i, j;
    size_t len;

    ti->sizer = ti->keyfn = NULL;
    /* the first class of the mro with a sizer: a subclass's own sizer
     * wins over its base's */
    if (reg != NULL && PyTuple_Check(reg) && PyTuple_GET_SIZE(reg) > 0
        && mro != NULL && PyTuple_Check(mro)) {
        for (i = 0; i < PyTuple_GET_SIZE(mro) && ti->sizer == NULL; i++) {
            PyTypeObject *b = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);

            if (!PyType_Check(b) || md_type_fullname(d, b, full,
                                                     sizeof(full), &len)
                                    < 0) {
                return -1;
            }
            for (j = 0; j < PyTuple_GET_SIZE(reg); j++) {
                PyObject *e = PyTuple_GET_ITEM(reg, j);

                if (PyTuple_Check(e) && PyTuple_GET_SIZE(e) == 3
                    && md_key_names(PyTuple_GET_ITEM(e, 0), b, full, len)) {
                    ti->sizer = PyTuple_GET_ITEM(e, 1);
                    ti->keyfn = PyTuple_GET_ITEM(e, 2);
                    if (ti->keyfn == Py_None) {
                        ti->keyfn = NULL;
                    }
                    break;
                }
            }
        }
    }
    if (ti->sizer != NULL || ti->lib == MD_LIB_NDARRAY) {
        ti->shallow = 1;
        ti->skind = MC_SZ_OBJECT;
        return 0;
    }
    /* a deep __sizeof__: the class that defines the one getsizeof calls;
     * the size is then what its super().__sizeof__() would give (a list
     * subclass's list.__sizeof__, else object.__sizeof__) */
    ti->shallow = 0;
    if (deep == NULL || !PyTuple_Check(deep) || PyTuple_GET_SIZE(deep) == 0
        || (definer = mc_sizeof_definer(tp, NULL)) == NULL) {
        return 0;
    }
    if (md_type_fullname(d, definer, full, sizeof(full), &len) < 0) {
        return -1;
    }
    for (j = 0; j < PyTuple_GET_SIZE(deep); j++) {
        if (md_key_names(PyTuple_GET_ITEM(deep, j), definer, full, len)) {
            ti->shallow = 1;
            ti->skind = mc_sizeof_kind_after(tp, definer, &ti->cfunc);
            break;
        }
    }
    return 0;
}

/* note the first failure, count every one */
static void
md_sizer_failed(md_state *d, PyObject *o, const char *why)
{
    char full[256];
    size_t len;

    d->sizer_errors++;
    if (d->sizer_error[0] != '\0') {
        return;
    }
    if (md_type_fullname(d, Py_TYPE(o), full, sizeof(full), &len) < 0) {
        PyErr_Clear();
        snprintf(full, sizeof(full), "%s", Py_TYPE(o)->tp_name);
    }
    /* cut to fit: the type name first, then the reason */
    snprintf(d->sizer_error, sizeof(d->sizer_error), "sizer of %.100s: %.140s",
             full, why);
}

/* the exception set, as "Type: message" in buf (cleared) */
static void
md_exc_text(md_state *d, char *buf, size_t cap)
{
    PyObject *et, *ev, *tb, *s = NULL;

    PyErr_Fetch(&et, &ev, &tb);
    PyErr_NormalizeException(&et, &ev, &tb);
    if (ev != NULL) {
        s = PyObject_Str(ev);
    }
    if (s != NULL && PyUnicode_Check(s) && md_utf8(d, s, 160, 480) >= 0) {
        snprintf(buf, cap, "%s: %s",
                 et != NULL ? ((PyTypeObject *)et)->tp_name : "?", d->sbuf);
    }
    else {
        snprintf(buf, cap, "%s",
                 et != NULL ? ((PyTypeObject *)et)->tp_name : "?");
    }
    PyErr_Clear();
    Py_XDECREF(s);
    Py_XDECREF(et);
    Py_XDECREF(ev);
    Py_XDECREF(tb);
}

/* a str item as a string of the snapshot (cut to 120 bytes) into
 * (buf, *len); 0, -1 not a str / empty, -2 failure (exception set) */
static int
md_node_text(md_state *d, PyObject *s, char *buf, size_t cap, size_t *len)
{
    Py_ssize_t n;

    if (!PyUnicode_Check(s) || PyUnicode_GET_LENGTH(s) == 0) {
        return -1;
    }
    n = md_utf8(d, s, 120, cap - 1);
    if (n < 0) {
        return -2;
    }
    memcpy(buf, d->sbuf, (size_t)n);
    buf[n] = '\0';
    *len = (size_t)n;
    return 0;
}

/* one node tuple into p; 0 ok, -1 nonsense (*why), -2 failure */
static int
md_sizer_node(md_state *d, PyObject *o, PyObject *t, int k, md_szpend *p,
              const char **why)
{
    Py_ssize_t n = PyTuple_Check(t) ? PyTuple_GET_SIZE(t) : 0;
    PyObject *v;
    char label[128];
    size_t llen;
    int rc;

    if (n < 3 || n > 5) {
        *why = "a node is not a (name, address, size[, label[, memory]]) "
               "tuple";
        return -1;
    }
    rc = md_node_text(d, PyTuple_GET_ITEM(t, 0), p->name, sizeof(p->name),
                      &p->len);
    if (rc != 0) {
        *why = "a node's name is not a non-empty str";
        return rc;
    }
    v = PyTuple_GET_ITEM(t, 1);
    if (v == Py_None) {
        /* odd: never a Python object's address */
        p->address = (uint64_t)(uintptr_t)o + 1 + 2 * (uint64_t)k;
    }
    else if (PyLong_Check(v)) {
        p->address = PyLong_AsUnsignedLongLong(v);
        if (PyErr_Occurred()) {
            PyErr_Clear();
            *why = "a node's address is not an int in 0..2**64-1";
            return -1;
        }
    }
    else {
        *why = "a node's address is not an int or None";
        return -1;
    }
    v = PyTuple_GET_ITEM(t, 2);
    if (!PyLong_Check(v)) {
        *why = "a node's size is not an int";
        return -1;
    }
    {
        long long s = PyLong_AsLongLong(v);

        if ((s == -1 && PyErr_Occurred()) || s < 0) {
            PyErr_Clear();
            *why = "a node's size is not an int in 0..2**63-1";
            return -1;
        }
        p->size = (uint64_t)s;
    }
    p->label = MF_NONE;
    if (n >= 4 && PyTuple_GET_ITEM(t, 3) != Py_None) {
        rc = md_node_text(d, PyTuple_GET_ITEM(t, 3), label, sizeof(label),
                          &llen);
        if (rc != 0) {
            *why = "a node's label is not a non-empty str";
            return rc;
        }
        if (md_string(d, label, llen, &p->label) < 0) {
            return -2;
        }
    }
    p->memory = MD_MEM_HOST;
    if (n == 5 && PyTuple_GET_ITEM(t, 4) != Py_None) {
        v = PyTuple_GET_ITEM(t, 4);
        if (PyUnicode_Check(v)
            && PyUnicode_CompareWithASCIIString(v, "device") == 0) {
            p->memory = MD_MEM_DEVICE;
        }
        else if (!PyUnicode_Check(v)
                 || PyUnicode_CompareWithASCIIString(v, "host") != 0) {
            *why = "a node's memory is not 'host' or 'device'";
            return -1;
        }
    }
    p->found = NULL;
    return 0;
}

/* the sizer's result: None, a node, or a sequence of nodes */
static int
md_sizer_result(md_state *d, PyObject *o, PyObject *res, const char **why)
{
    Py_ssize_t n, i;
    int rc;

    if (res == Py_None) {
        return 0;
    }
    if (PyTuple_Check(res) && PyTuple_GET_SIZE(res) >= 1
        && PyUnicode_Check(PyTuple_GET_ITEM(res, 0))) {
        rc = md_sizer_node(d, o, res, 0, &d->szpend[0], why);
        if (rc == 0) {
            d->nszpend = 1;
        }
        return rc;
    }
    if (!PyList_Check(res) && !PyTuple_Check(res)) {
        *why = "it returned neither None, a node nor a list of nodes";
        return -1;
    }
    n = PySequence_Fast_GET_SIZE(res);
    if (n > MD_SIZER_NODES) {
        *why = "it returned more than 16 nodes";
        return -1;
    }
    for (i = 0; i < n; i++) {
        rc = md_sizer_node(d, o, PySequence_Fast_GET_ITEM(res, i), (int)i,
                           &d->szpend[i], why);
        if (rc != 0) {
            d->nszpend = 0;
            return rc;
        }
    }
    d->nszpend = (size_t)n;
    return 0;
}

/* call fn(o): a new reference, or NULL: an Exception was noted (and
 * cleared), or the dump must stop (*stop = 1, d->failed) */
static PyObject *
md_sizer_run(md_state *d, PyObject *fn, PyObject *o, int *stop)
{
    PyObject *r;
    char text[200];

    *stop = 0;
    Py_INCREF(o);
    r = PyObject_CallFunctionObjArgs(fn, o, NULL);
    Py_DECREF(o);
    if (r != NULL) {
        return r;
    }
    if (!PyErr_ExceptionMatches(PyExc_Exception)) {
        d->failed = MD_FAILED_PY;   /* KeyboardInterrupt, SystemExit... */
        *stop = 1;
        return NULL;
    }
    md_exc_text(d, text, sizeof(text));
    md_sizer_failed(d, o, text);
    return NULL;
}

int
md_sizer_call(md_state *d, PyObject *o, const md_tinfo *ti)
{
    PyObject *res;
    const char *why = NULL;
    int stop, rc;

    d->nszpend = 0;
    md_own_all(d);
    /* (a background dump's child leaves the signals to its parent) */
    if (d->child == NULL && PyErr_CheckSignals() < 0) {
        d->failed = MD_FAILED_PY;
        return -1;
    }
    if (ti->keyfn != NULL) {
        PyObject *k = md_sizer_run(d, ti->keyfn, o, &stop);

        if (k == NULL) {
            return stop ? -1 : 0;
        }
        if (PyLong_Check(k)) {
            unsigned long long a = PyLong_AsUnsignedLongLong(k);
            md_ext *e = PyErr_Occurred() ? NULL : md_ext_find(d, a);

            PyErr_Clear();
            if (e != NULL) {
                /* its memory is a node already: no need to size it */
                Py_DECREF(k);
                d->szpend[0].found = e;
                d->nszpend = 1;
                return 0;
            }
        }
        else if (k != Py_None) {
            Py_DECREF(k);
            md_sizer_failed(d, o, "its key is not an int or None");
            return 0;
        }
        Py_DECREF(k);
    }
    d->sizer_calls++;
    res = md_sizer_run(d, ti->sizer, o, &stop);
    if (res == NULL) {
        return stop ? -1 : 0;
    }
    rc = md_sizer_result(d, o, res, &why);
    Py_DECREF(res);
    if (rc == -2) {
        return -1;              /* d->failed is set */
    }
    if (rc < 0) {
        PyErr_Clear();
        md_sizer_failed(d, o, why);
    }
    return 0;
}

int
md_sizer_edges(md_state *d, PyObject *o)
{
    size_t i;

    (void)o;
    for (i = 0; i < d->nszpend; i++) {
        md_szpend *p = &d->szpend[i];
        int rc = p->found != NULL
                 ? md_ext_edge_to(d, p->found)
                 : md_ext_edge(d, p->name, p->len, p->address, p->size,
                               p->label == MF_NONE ? "data" : NULL,
                               p->label, p->memory);

        if (rc < 0) {
            return -1;
        }
    }
    d->nszpend = 0;
    return 0;
}
