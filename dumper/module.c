/*
 * module.c - the _muppy extension module: dump(), dump_background(),
 * read_snapshot() and inject().
 *
 * The Python package `muppy` (dumper/muppy/) is the public face; this
 * module only converts arguments, results and errors (errors.h turns
 * the library's errors into exceptions).
 */
#include "background.h"
#include "dump.h"
#include "errors.h"
#include "inject.h"

#include <errno.h>
#include <string.h>

/* the arguments dump() and dump_background() share; 0, or -1 with an
 * exception (and nothing to release) */
static int
md_parse_options(PyObject *path_obj, Py_ssize_t include_strings, int level,
                 int labels, const char *version, PyObject *sizers,
                 PyObject *deep, md_options *opt)
{
    if ((sizers != NULL && sizers != Py_None && !PyTuple_Check(sizers))
        || (deep != NULL && deep != Py_None && !PyTuple_Check(deep))) {
        PyErr_SetString(PyExc_TypeError, "sizers and deep must be tuples");
        return -1;
    }
    if (include_strings < 0) {
        PyErr_SetString(PyExc_ValueError,
                        "include_strings must be >= 0");
        return -1;
    }
    if (level < -7 || level > 22) {
        PyErr_Format(PyExc_ValueError,
                     "level must be in -7..22, not %d", level);
        return -1;
    }
    if (strlen(PyBytes_AS_STRING(path_obj))
        != (size_t)PyBytes_GET_SIZE(path_obj)) {
        PyErr_SetString(PyExc_ValueError, "embedded null byte in path");
        return -1;
    }
    memset(opt, 0, sizeof(*opt));
    opt->labels = labels;
    opt->include_strings = include_strings;
    opt->level = level;
    opt->muppy_version = version;
    opt->fd = -1;
    opt->sizers = sizers == Py_None ? NULL : sizers;
    opt->deep = deep == Py_None ? NULL : deep;
    return 0;
}

static PyObject *
md_py_dump(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"path", "labels", "include_strings", "level",
                             "version", "fd", "sizers", "deep", NULL};
    PyObject *path_obj = NULL, *sizers = NULL, *deep = NULL;
    int labels = 1;
    Py_ssize_t include_strings = 0;
    int level = 1, fd = -1;
    const char *version = "";
    md_options opt;
    md_result res;

    (void)self;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|pnisiOO:dump", kwlist,
                                     PyUnicode_FSConverter, &path_obj,
                                     &labels, &include_strings, &level,
                                     &version, &fd, &sizers, &deep)) {
        return NULL;
    }
    if (md_parse_options(path_obj, include_strings, level, labels, version,
                         sizers, deep, &opt) < 0) {
        Py_DECREF(path_obj);
        return NULL;
    }
    opt.fd = fd;
    memset(&res, 0, sizeof(res));
    if (md_dump(PyBytes_AS_STRING(path_obj), &opt, NULL, &res) < 0) {
        Py_DECREF(path_obj);
        if (!PyErr_Occurred()) {
            md_set_error(&res.err);
        }
        return NULL;
    }
    Py_DECREF(path_obj);
    return Py_BuildValue("(KKKd)", (unsigned long long)res.objects,
                         (unsigned long long)res.edges,
                         (unsigned long long)res.file_bytes, res.seconds);
}

static PyObject *
md_py_dump_background(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"path", "labels", "include_strings", "level",
                             "version", "watchdog", "sizers", "deep", NULL};
    PyObject *path_obj = NULL, *sizers = NULL, *deep = NULL;
    int labels = 1;
    Py_ssize_t include_strings = 0;
    int level = 1;
    unsigned int watchdog = 600;
    const char *version = "";
    md_options opt;
    long pid;
    int fd, rc;
    double pause;

    (void)self;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs,
                                     "O&|pnisIOO:dump_background", kwlist,
                                     PyUnicode_FSConverter, &path_obj,
                                     &labels, &include_strings, &level,
                                     &version, &watchdog, &sizers, &deep)) {
        return NULL;
    }
    if (md_parse_options(path_obj, include_strings, level, labels, version,
                         sizers, deep, &opt) < 0) {
        Py_DECREF(path_obj);
        return NULL;
    }
    if (watchdog == 0) {
        Py_DECREF(path_obj);
        PyErr_SetString(PyExc_ValueError, "watchdog must be > 0 seconds");
        return NULL;
    }
    rc = md_dump_background(PyBytes_AS_STRING(path_obj), &opt, watchdog,
                            &pid, &fd, &pause);
    Py_DECREF(path_obj);
    if (rc < 0) {
        return NULL;
    }
    return Py_BuildValue("(lid)", pid, fd, pause);
}

/* ---- reading back ------------------------------------------------------ */

/* A Python list of the n unsigned integers of a column whose items are
   `width` bytes wide (1, 4 or 8). */
static PyObject *
md_list_column(const void *column, int width, uint64_t n)
{
    PyObject *l = PyList_New((Py_ssize_t)n);
    uint64_t i;

    if (l == NULL) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        unsigned long long v =
            width == 8 ? ((const uint64_t *)column)[i]
            : width == 4 ? ((const uint32_t *)column)[i]
                         : ((const uint8_t *)column)[i];
        PyObject *x = PyLong_FromUnsignedLongLong(v);
        if (x == NULL) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, (Py_ssize_t)i, x);
    }
    return l;
}

#define md_list_u64(v, n) md_list_column((v), 8, (n))
#define md_list_u32(v, n) md_list_column((v), 4, (n))
#define md_list_u8(v, n) md_list_column((v), 1, (n))

static PyObject *
md_rstring(const mf_reader *r, uint32_t id)
{
    size_t len;
    const char *s;

    if (id == MF_NONE || (s = mf_reader_string(r, id, &len)) == NULL) {
        Py_RETURN_NONE;
    }
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)len, "surrogateescape");
}

static int
md_set(PyObject *d, const char *key, PyObject *v)
{
    int rc;

    if (v == NULL) {
        return -1;
    }
    rc = PyDict_SetItemString(d, key, v);
    Py_DECREF(v);
    return rc;
}

/* mf_memory_breakdown() as a dict (missing: the names of what the
 * file lacks) */
static PyObject *
md_memory_dict(mf_reader *r, mf_graph *g)
{
    static const struct {
        unsigned bit;
        const char *name;
    } parts[] = {{MF_MEM_NO_RSS, "rss"}, {MF_MEM_NO_MAPPINGS, "mappings"},
                 {MF_MEM_NO_PYMALLOC, "pymalloc"},
                 {MF_MEM_NO_MALLOC, "malloc"}};
    PyObject *d, *missing;
    mf_memory m;
    size_t i;

    mf_memory_breakdown(r, g, &m);
    d = Py_BuildValue(
        "{sLsLsLsLsLsLsLsLsLsLsLsK}",
        "rss", (long long)m.rss, "objects", (long long)m.objects,
        "external", (long long)m.external,
        "allocator_free", (long long)m.allocator_free,
        "file_backed", (long long)m.file_backed,
        "libraries", (long long)m.libraries, "native", (long long)m.native,
        "other", (long long)m.other, "unexplained", (long long)m.unexplained,
        "external_file", (long long)m.external_file,
        "external_device", (long long)m.external_device,
        "external_nodes", (unsigned long long)m.external_nodes);
    missing = PyList_New(0);
    if (d == NULL || missing == NULL || md_set(d, "missing", missing) < 0) {
        Py_XDECREF(d);
        return NULL;
    }
    for (i = 0; i < sizeof(parts) / sizeof(*parts); i++) {
        PyObject *s;

        if (!(m.missing & parts[i].bit)) {
            continue;
        }
        s = PyUnicode_FromString(parts[i].name);
        if (s == NULL || PyList_Append(missing, s) < 0) {
            Py_XDECREF(s);
            Py_DECREF(d);
            return NULL;
        }
        Py_DECREF(s);
    }
    return d;
}

/* convert a loaded snapshot into a dict of Python lists */
static PyObject *
md_snapshot_dict(mf_reader *r, mf_graph *g)
{
    PyObject *d = PyDict_New(), *l, *meta;
    const mf_type *types;
    const mf_root *roots;
    const mf_meta *metas;
    uint32_t n, i;

    if (d == NULL) {
        return NULL;
    }
    if (md_set(d, "objects", PyLong_FromUnsignedLong(g->n_objects)) < 0
        || md_set(d, "address", md_list_u64(g->address, g->n_objects)) < 0
        || md_set(d, "type", md_list_u32(g->type, g->n_objects)) < 0
        || md_set(d, "size", md_list_u64(g->size, g->n_objects)) < 0
        || md_set(d, "flags", md_list_u8(g->flags, g->n_objects)) < 0
        || md_set(d, "length", md_list_u64(g->length, g->n_objects)) < 0
        || md_set(d, "name", md_list_u32(g->name, g->n_objects)) < 0
        || md_set(d, "value", md_list_u32(g->value, g->n_objects)) < 0
        || md_set(d, "edge_start",
                  md_list_u64(g->edge_start, (uint64_t)g->n_objects + 1))
           < 0
        || md_set(d, "edge_target", md_list_u32(g->edge_target, g->n_edges))
           < 0
        || md_set(d, "edge_kind", md_list_u8(g->edge_kind, g->n_edges)) < 0
        || md_set(d, "edge_label", md_list_u64(g->edge_label, g->n_edges))
           < 0) {
        goto error;
    }
    n = mf_reader_string_count(r);
    l = PyList_New(n);
    if (l == NULL) {
        goto error;
    }
    for (i = 0; i < n; i++) {
        PyObject *s = md_rstring(r, i);
        if (s == NULL) {
            Py_DECREF(l);
            goto error;
        }
        PyList_SET_ITEM(l, i, s);
    }
    if (md_set(d, "strings", l) < 0) {
        goto error;
    }
    types = mf_reader_types(r, &n);
    l = PyList_New(n);
    if (l == NULL) {
        goto error;
    }
    for (i = 0; i < n; i++) {
        PyObject *t = Py_BuildValue(
            "(KNNI)", (unsigned long long)types[i].address,
            md_rstring(r, types[i].module), md_rstring(r, types[i].qualname),
            (unsigned)types[i].flags);
        if (t == NULL) {
            Py_DECREF(l);
            goto error;
        }
        PyList_SET_ITEM(l, i, t);
    }
    if (md_set(d, "types", l) < 0) {
        goto error;
    }
    roots = mf_reader_roots(r, &n);
    l = PyList_New(n);
    if (l == NULL) {
        goto error;
    }
    for (i = 0; i < n; i++) {
        PyObject *t = Py_BuildValue("(IIN)", (unsigned)roots[i].object,
                                    (unsigned)roots[i].kind,
                                    md_rstring(r, roots[i].label));
        if (t == NULL) {
            Py_DECREF(l);
            goto error;
        }
        PyList_SET_ITEM(l, i, t);
    }
    if (md_set(d, "roots", l) < 0) {
        goto error;
    }
    if (md_set(d, "memory", md_memory_dict(r, g)) < 0) {
        goto error;
    }
    metas = mf_reader_meta(r, &n);
    meta = PyDict_New();
    if (md_set(d, "meta", meta) < 0) {
        goto error;
    }
    for (i = 0; i < n; i++) {
        PyObject *k = md_rstring(r, metas[i].key), *v;

        if (k == NULL) {
            goto error;
        }
        if (metas[i].kind == MF_META_STR) {
            v = md_rstring(r, metas[i].v.str);
        }
        else if (metas[i].kind == MF_META_INT) {
            v = PyLong_FromLongLong(metas[i].v.i);
        }
        else {
            v = PyFloat_FromDouble(metas[i].v.f);
        }
        if (v == NULL || PyDict_SetItem(meta, k, v) < 0) {
            Py_DECREF(k);
            Py_XDECREF(v);
            goto error;
        }
        Py_DECREF(k);
        Py_DECREF(v);
    }
    return d;
error:
    Py_DECREF(d);
    return NULL;
}

/* Load columns `cols` of the snapshot at path (the GIL released) and
 * convert them with `convert`; the library's error as an exception. */
static PyObject *
md_read(PyObject *args, const char *format, unsigned cols,
        PyObject *(*convert)(mf_reader *, mf_graph *))
{
    PyObject *path_obj = NULL, *ret;
    mf_reader *r = NULL;
    mf_graph g;
    mf_error err;
    int rc;

    if (!PyArg_ParseTuple(args, format, PyUnicode_FSConverter, &path_obj)) {
        return NULL;
    }
    memset(&g, 0, sizeof(g));
    Py_BEGIN_ALLOW_THREADS
    rc = mf_reader_open(&r, PyBytes_AS_STRING(path_obj), NULL, &err);
    if (rc == MF_OK) {
        rc = mf_reader_load(r, cols, &g, &err);
    }
    Py_END_ALLOW_THREADS
    Py_DECREF(path_obj);
    if (rc != MF_OK) {
        mf_reader_close(r);
        return md_set_error(&err);
    }
    ret = convert(r, &g);
    mf_graph_free(&g);
    mf_reader_close(r);
    return ret;
}

static PyObject *
md_py_read_snapshot(PyObject *self, PyObject *args)
{
    (void)self;
    return md_read(args, "O&:read_snapshot", MF_COL_ALL, md_snapshot_dict);
}

/* read_memory(path): mf_memory_breakdown() of a snapshot, loading only
 * the columns it needs */
static PyObject *
md_py_read_memory(PyObject *self, PyObject *args)
{
    (void)self;
    return md_read(args, "O&:read_memory",
                   MF_COL_SIZE | MF_COL_FLAGS | MF_COL_TYPE, md_memory_dict);
}

/* inject(pid, (mmap, munmap, sigreturn, PyGILState_Check, PyGILState_Ensure,
 * PyGILState_Release, PyRun_SimpleString, Py_AddPendingCall, _PyRuntime,
 * sizeof _PyRuntime), code, timeout, flags)
 * -> ("wait" | "pending" | "not-now", page, syscall); OSError(errno, msg).
 * (muppy-dump attach: see inject.h) */
static PyObject *
md_py_inject(PyObject *self, PyObject *args)
{
    static const char *how_names[] = {"wait", "pending", "not-now"};
    int pid, flags;
    unsigned long long a[10];
    const char *code;
    double timeout;
    md_inject_symbols sym;
    md_inject_result result;
    int rc;

    (void)self;
    if (!PyArg_ParseTuple(args, "i(KKKKKKKKKK)ydi:inject", &pid, &a[0],
                          &a[1], &a[2], &a[3], &a[4], &a[5], &a[6], &a[7],
                          &a[8], &a[9], &code, &timeout, &flags)) {
        return NULL;
    }
    sym.mmap = a[0];
    sym.munmap = a[1];
    sym.sigreturn = a[2];
    sym.gil_check = a[3];
    sym.gil_ensure = a[4];
    sym.gil_release = a[5];
    sym.run_simple_string = a[6];
    sym.add_pending_call = a[7];
    sym.runtime = a[8];
    sym.runtime_size = a[9];
    Py_BEGIN_ALLOW_THREADS
    rc = md_inject(pid, &sym, code, timeout, flags, &result);
    Py_END_ALLOW_THREADS
    if (rc != 0) {
        PyObject *exc = PyObject_CallFunction(PyExc_OSError, "is",
                                              result.err ? result.err : EIO,
                                              result.message);
        if (exc != NULL) {
            PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
            Py_DECREF(exc);
        }
        return NULL;
    }
    return Py_BuildValue("(sKl)", how_names[result.how],
                         (unsigned long long)result.page, result.syscall);
}

static PyMethodDef md_methods[] = {
    {"dump", (PyCFunction)(void (*)(void))md_py_dump,
     METH_VARARGS | METH_KEYWORDS,
     "dump(path, labels=True, include_strings=0, level=1, version='', fd=-1,\n"
     "     sizers=None, deep=None)\n"
     "--\n\n"
     "Write a snapshot of the heap to path; return (objects, edges,\n"
     "file_bytes, seconds).  sizers: ((class, sizer, key), ...), class a\n"
     "type or b'module.qualname'; deep: (class, ...) whose __sizeof__ is\n"
     "deep (see muppy.register_sizer)."},
    {"dump_background", (PyCFunction)(void (*)(void))md_py_dump_background,
     METH_VARARGS | METH_KEYWORDS,
     "dump_background(path, labels=True, include_strings=0, level=1,\n"
     "                version='', watchdog=600, sizers=None, deep=None)\n"
     "--\n\n"
     "Fork; the child writes the snapshot.  Return (pid, report_fd,\n"
     "pause_seconds); the child writes one report line to report_fd."},
    {"read_snapshot", md_py_read_snapshot, METH_VARARGS,
     "read_snapshot(path)\n--\n\n"
     "Load a snapshot into a dict of columns (lists)."},
    {"read_memory", md_py_read_memory, METH_VARARGS,
     "read_memory(path)\n--\n\n"
     "Where the snapshot's process had its memory: a dict of bytes\n"
     "(rss = objects + external + allocator_free + file_backed + other\n"
     "+ unexplained; other = libraries + native), and 'missing'."},
    {"inject", md_py_inject, METH_VARARGS,
     "inject(pid, symbols, code, timeout, flags)\n--\n\n"
     "Make process pid run code (bytes, Python source) through ptrace,\n"
     "at a wait or as a pending call (dumper/inject.h).  Return\n"
     "('wait' | 'pending' | 'not-now', page, syscall)."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef md_module = {
    PyModuleDef_HEAD_INIT,
    "_muppy",
    "C half of muppy: heap dumps and snapshot reading.",
    -1,
    md_methods,
    NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC
PyInit__muppy(void)
{
    PyObject *m = PyModule_Create(&md_module);

    if (m == NULL) {
        return NULL;
    }
    if (md_errors_init(m) < 0
        || PyModule_AddStringConstant(m, "FORMAT_LIBRARY_VERSION",
                                      MF_LIBRARY_VERSION) < 0
        /* the CPython whose internals this build reads (attach checks) */
        || PyModule_AddStringConstant(m, "PY_VERSION", PY_VERSION) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
