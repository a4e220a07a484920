/*
 * roots.c - the snapshot's roots (roots.h).
 */
#include "roots.h"
#include "index.h"
#include "labels.h"

#include <stdio.h>
#include <string.h>

static PyObject *md_str_builtins;   /* "builtins" */

int
md_roots_init(void)
{
    if (md_str_builtins == NULL) {
        md_str_builtins = PyUnicode_InternFromString("builtins");
    }
    return md_str_builtins == NULL ? -1 : 0;
}

static int
md_root(md_state *d, PyObject *o, uint32_t kind, const char *label,
        size_t label_len)
{
    mf_root r;
    uint32_t idx = md_index(d, o);

    if (idx == UINT32_MAX) {
        return -1;
    }
    r.object = idx;
    r.kind = kind;
    r.label = MF_NONE;
    if (label != NULL && md_string(d, label, label_len, &r.label) < 0) {
        return -1;
    }
    if (mf_writer_root(d->w, &r, &d->err) != MF_OK) {
        return md_lib_error(d);
    }
    return 0;
}

static void
md_frame_cb(void *ctx, unsigned long tid, PyObject *code, const char *what,
            PyObject *name_obj, PyObject *value)
{
    md_state *d = ctx;
    char label[512];
    char func[MD_LABEL_MAX + 8];
    int n;
    PyObject *fname;
    const char *cs;
    size_t clen;

    if (d->failed) {
        return;
    }
    func[0] = '\0';
    fname = mc_object_name(code, MC_K_CODE, &cs, &clen);
    if (fname != NULL && md_utf8(d, fname, MD_LABEL_MAX, MD_LABEL_MAX) >= 0) {
        memcpy(func, d->sbuf, strlen(d->sbuf) + 1);
    }
    if (name_obj != NULL && PyUnicode_Check(name_obj)) {
        if (md_utf8(d, name_obj, MD_LABEL_MAX, MD_LABEL_MAX) < 0) {
            return;
        }
        n = snprintf(label, sizeof(label), "thread %lu %s() %s '%s'", tid,
                     func, what, d->sbuf);
    }
    else {
        n = snprintf(label, sizeof(label), "thread %lu %s() %s", tid, func,
                     what);
    }
    if (n < 0) {
        n = 0;
    }
    if ((size_t)n >= sizeof(label)) {
        n = sizeof(label) - 1;
    }
    md_root(d, value, MF_ROOT_THREAD, label, (size_t)n);
}

int
md_roots(md_state *d)
{
    PyObject *modules = PyImport_GetModuleDict();
    PyObject *k, *v, *garbage;
    Py_ssize_t pos = 0;

    if (modules != NULL) {
        if (md_root(d, modules, MF_ROOT_SYS_MODULES, NULL, 0) < 0) {
            return -1;
        }
        if (PyDict_Check(modules)) {
            while (PyDict_Next(modules, &pos, &k, &v)) {
                Py_ssize_t n = 0;

                if (PyUnicode_Check(k)) {
                    n = md_utf8(d, k, 4096, 4096);
                    if (n < 0) {
                        return -1;
                    }
                }
                if (md_root(d, v, MF_ROOT_MODULE, PyUnicode_Check(k)
                            ? d->sbuf : NULL, (size_t)n) < 0) {
                    return -1;
                }
            }
            v = PyDict_GetItemWithError(modules, md_str_builtins);
            if (v != NULL) {
                if (md_root(d, v, MF_ROOT_BUILTINS, NULL, 0) < 0) {
                    return -1;
                }
            }
            PyErr_Clear();
        }
    }
    garbage = mc_gc_garbage();
    if (garbage != NULL
        && md_root(d, garbage, MF_ROOT_GC_GARBAGE, NULL, 0) < 0) {
        return -1;
    }
    mc_thread_frames(md_frame_cb, d);
    return d->failed ? -1 : 0;
}

