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

typedef struct md_options {
    int labels;                 /* 0: no dict-key / attribute labels */
    Py_ssize_t include_strings; /* characters of each str to record */
    int level;                  /* zstd level */
    const char *muppy_version;  /* for the muppy.version metadata */
    int fd;                     /* >= 0: stream into this descriptor (the
                                   path only names it in messages) */
    /* a background dump's child (background.c); all 0 otherwise */
    long parent_pid;            /* the process the snapshot describes */
    double fork_seconds;        /* the parent's pause for the fork */
    char *temp_path;            /* where to copy the temporary file's */
    size_t temp_cap;            /* name once created (for a signal
                                   handler), or NULL */
} md_options;

typedef struct md_result {
    uint64_t objects;
    uint64_t edges;
    uint64_t file_bytes;
    double seconds;
} md_result;

/*
 * md_dump() - write a snapshot of the heap to `path` (atomically: a
 * temporary file renamed on success).  Returns 0, or -1 with a Python
 * exception set and nothing left under `path`.
 */
int md_dump(const char *path, const md_options *opt, md_result *res);

/*
 * md_set_error() - raise the Python exception for a library error
 * (defined in module.c: the one place mapping mf_code to exceptions).
 * Returns NULL for convenience.
 */
PyObject *md_set_error(const mf_error *err);

/*
 * md_dump_background() - fork; the child runs md_dump(path, opt) on its
 * copy-on-write image of the heap and reports on a pipe (background.c
 * says what it writes), while this process returns at once.  Sets *pid,
 * *result_fd (the pipe's read end, close-on-exec) and *pause (seconds
 * the caller was held).  `watchdog` (seconds, > 0) ends a child that
 * runs longer.  Returns 0, or -1 with an exception set.
 */
int md_dump_background(const char *path, const md_options *opt,
                       unsigned watchdog, long *pid, int *result_fd,
                       double *pause);

/* md_now() - CLOCK_MONOTONIC seconds (the same clock in both processes) */
double md_now(void);

#endif /* MUPPY_DUMP_H */
