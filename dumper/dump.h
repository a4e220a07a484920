/*
 * dump.h - walk the running interpreter's heap into a muppy snapshot.
 *
 * md_dump() holds the GIL throughout, keeps the cyclic gc disabled for its
 * duration (restoring the previous state) and writes through the format
 * library (format/muppy_format.h).  See dumper/README.md for what a
 * snapshot holds.
 */
#ifndef MUPPY_DUMP_H
#define MUPPY_DUMP_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#include "muppy_format.h"

/* what the caller asks for */
typedef struct md_options {
    int labels;                 /* 0: no dict-key / attribute labels */
    Py_ssize_t include_strings; /* characters of each str to record */
    int level;                  /* zstd level */
    const char *muppy_version;  /* for the muppy.version metadata */
    int fd;                     /* >= 0: stream into this descriptor (the
                                   path only names it in messages) */
    PyObject *sizers;           /* ((class, sizer, key or None), ...):
                                   class a type or bytes "mod.qualname"
                                   (sizers.h); NULL: none */
    PyObject *deep;             /* (class, ...) whose __sizeof__ is deep
                                   (sizers.h); NULL: none */
} md_options;

/*
 * A dump written by a background dump's forked child (background.h) for
 * its parent: the snapshot describes the parent's heap at the fork, the
 * metadata the parent's process.  NULL for a dump of this process.
 */
typedef struct md_child {
    long parent_pid;            /* the process the snapshot describes */
    double fork_seconds;        /* the parent's pause for the fork */
    char *temp_path;            /* where to copy the temporary file's */
    size_t temp_cap;            /* name once created (for a signal
                                   handler), or NULL */
} md_child;

typedef struct md_result {
    uint64_t objects;
    uint64_t edges;
    uint64_t file_bytes;
    double seconds;
    /* a failure of the format library (I/O, limits...) that md_dump()
     * leaves to its caller to raise (errors.h); MF_OK otherwise */
    mf_error err;
} md_result;

/*
 * md_dump() - write a snapshot of the heap to `path` (atomically: a
 * temporary file renamed on success).  Returns 0, or -1 with nothing
 * left under `path` and either a Python exception set or, when none is,
 * the library's error in res->err.  `child` is NULL except in a
 * background dump's child.
 */
int md_dump(const char *path, const md_options *opt, const md_child *child,
            md_result *res);

/* md_now() - CLOCK_MONOTONIC seconds (the same clock in both processes) */
double md_now(void);

#endif /* MUPPY_DUMP_H */
