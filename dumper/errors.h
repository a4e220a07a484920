/*
 * errors.h - the format library's errors as Python exceptions.
 *
 * Part of the module glue (module.c, background.c): the dump's core
 * returns library errors as values (md_result.err) and never raises
 * them itself, so that it does not depend on the glue.
 */
#ifndef MUPPY_DUMPER_ERRORS_H
#define MUPPY_DUMPER_ERRORS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "muppy_format.h"

/* create _muppy.SnapshotError (a ValueError) and add it to module m;
 * 0, or -1 with an exception set */
int md_errors_init(PyObject *m);

/*
 * md_set_error() - raise the Python exception for a library error: the
 * one place mapping mf_code to exceptions (MF_E_IO: the OSError subclass
 * of the errno; MF_E_NOMEM: MemoryError; MF_E_ARG, MF_E_LIMIT:
 * ValueError; others: SnapshotError).  Returns NULL for convenience.
 */
PyObject *md_set_error(const mf_error *err);

#endif /* MUPPY_DUMPER_ERRORS_H */
