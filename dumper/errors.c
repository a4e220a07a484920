/*
 * errors.c - the format library's errors as Python exceptions (errors.h).
 */
#include "errors.h"

#include <errno.h>

/* _muppy.SnapshotError: a snapshot that cannot be read (not a snapshot,
 * damaged, unknown version...).  Subclass of ValueError. */
static PyObject *md_SnapshotError;

int
md_errors_init(PyObject *m)
{
    if (md_SnapshotError == NULL) {
        md_SnapshotError = PyErr_NewExceptionWithDoc(
            "_muppy.SnapshotError",
            "A snapshot file that cannot be read.", PyExc_ValueError, NULL);
        if (md_SnapshotError == NULL) {
            return -1;
        }
    }
    Py_INCREF(md_SnapshotError);
    if (PyModule_AddObject(m, "SnapshotError", md_SnapshotError) < 0) {
        Py_DECREF(md_SnapshotError);
        return -1;
    }
    return 0;
}

PyObject *
md_set_error(const mf_error *err)
{
    PyObject *exc;

    switch (err->code) {
    case MF_E_IO:
        /* OSError(errno, message) picks the subclass (FileNotFoundError,
         * PermissionError...); raise that instance, already normalized */
        exc = PyObject_CallFunction(PyExc_OSError, "is",
                                    err->sys_errno ? err->sys_errno : EIO,
                                    err->message);
        if (exc != NULL) {
            PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
            Py_DECREF(exc);
        }
        break;
    case MF_E_NOMEM:
        PyErr_SetString(PyExc_MemoryError, err->message);
        break;
    case MF_E_ARG:
    case MF_E_LIMIT:
        PyErr_SetString(PyExc_ValueError, err->message);
        break;
    default:
        PyErr_SetString(md_SnapshotError != NULL ? md_SnapshotError
                        : PyExc_ValueError, err->message);
        break;
    }
    return NULL;
}
