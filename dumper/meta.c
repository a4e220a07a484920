/*
 * meta.c - the snapshot's metadata (meta.h).
 *
 * The /proc readers return 0 or -1 (or an empty string) when a file is
 * missing or unreadable: metadata never makes a dump fail.
 */
#include "meta.h"
#include "labels.h"
#include "types.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* "/proc/self", or the parent's /proc directory in a background dump's
 * child: the metadata describes the process that asked for the dump */
static char md_proc_dir[48] = "/proc/self";

static FILE *
md_proc_open(const char *name)
{
    char path[96];

    snprintf(path, sizeof(path), "%s/%s", md_proc_dir, name);
    return fopen(path, "r");
}

static long long
md_proc_status(const char *field)
{
    FILE *f = md_proc_open("status");
    char line[256];
    long long v = -1;
    size_t n = strlen(field);

    if (f == NULL) {
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            v = strtoll(line + n + 1, NULL, 10) * 1024;
            break;
        }
    }
    fclose(f);
    return v;
}

static long long
md_start_time(void)
{
    char buf[2048];
    FILE *f = md_proc_open("stat");
    size_t n;
    char *p, *save = NULL, *tok;
    int field = 3;

    if (f == NULL) {
        return 0;
    }
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strrchr(buf, ')');
    if (p == NULL) {
        return 0;
    }
    for (tok = strtok_r(p + 1, " ", &save); tok != NULL;
         tok = strtok_r(NULL, " ", &save), field++) {
        if (field == 22) {
            return strtoll(tok, NULL, 10);
        }
    }
    return 0;
}

static void
md_boot_id(char *buf, size_t cap)
{
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
    size_t n = 0;

    buf[0] = '\0';
    if (f == NULL) {
        return;
    }
    if (fgets(buf, (int)cap, f) != NULL) {
        n = strlen(buf);
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) {
            buf[--n] = '\0';
        }
    }
    fclose(f);
}

/* a str attribute of sys (or sys.implementation.name) as UTF-8 */
static const char *
md_sys_str(md_state *d, const char *name)
{
    PyObject *v = PySys_GetObject(name);     /* borrowed */

    if (v != NULL && strcmp(name, "implementation") == 0) {
        PyObject *nm = PyObject_GetAttrString(v, "name");
        const char *r = "";

        if (nm != NULL && PyUnicode_Check(nm)
            && md_utf8(d, nm, 256, 1024) >= 0) {
            r = d->sbuf;
        }
        Py_XDECREF(nm);
        PyErr_Clear();
        return r;
    }
    if (v == NULL || !PyUnicode_Check(v) || md_utf8(d, v, 4096, 8192) < 0) {
        PyErr_Clear();
        return "";
    }
    return d->sbuf;
}

/* an int attribute of sys, or -1 (the running interpreter's, not the
 * headers' we were compiled with) */
static long long
md_sys_int(const char *name)
{
    PyObject *v = PySys_GetObject(name);     /* borrowed */
    long long x = -1;

    if (v != NULL && PyLong_Check(v)) {
        x = PyLong_AsLongLong(v);
    }
    PyErr_Clear();
    return x;
}

#define MD_META(call) \
    do { \
        if ((call) != MF_OK) { \
            return md_lib_error(d); \
        } \
    } while (0)

/* the figures of memstats.h that are known */
static int
md_meta_memory(md_state *d)
{
    static const struct {
        const char *key;
        size_t offset;
    } keys[] = {
        {"rss.anon", offsetof(md_memstats, rss_anon)},
        {"rss.file", offsetof(md_memstats, rss_file)},
        {"rss.shmem", offsetof(md_memstats, rss_shmem)},
        {"rss.libraries", offsetof(md_memstats, rss_libraries)},
        {"pymalloc.arenas", offsetof(md_memstats, pm_arenas)},
        {"pymalloc.arena_bytes", offsetof(md_memstats, pm_arena_bytes)},
        {"pymalloc.used_bytes", offsetof(md_memstats, pm_used_bytes)},
        {"pymalloc.unused_bytes", offsetof(md_memstats, pm_unused_bytes)},
        {"malloc.heap", offsetof(md_memstats, ml_heap)},
        {"malloc.in_use", offsetof(md_memstats, ml_in_use)},
        {"malloc.free", offsetof(md_memstats, ml_free)},
        {"malloc.mmapped", offsetof(md_memstats, ml_mmapped)},
        {"malloc.top", offsetof(md_memstats, ml_top)},
    };
    const md_memstats *m = &d->mem;
    size_t i;

    for (i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
        long long v = *(const long long *)((const char *)m + keys[i].offset);

        if (v >= 0) {
            MD_META(mf_writer_meta_int(d->w, keys[i].key, v, &d->err));
        }
    }
    if (m->pm_arena_bytes >= 0) {
        /* free blocks, pool headers, rounding: touched, resident */
        MD_META(mf_writer_meta_int(d->w, "pymalloc.free_bytes",
                                   m->pm_arena_bytes - m->pm_used_bytes
                                   - m->pm_unused_bytes, &d->err));
    }
    MD_META(mf_writer_meta_float(d->w, "dump.memory_seconds", m->seconds,
                                 &d->err));
    return 0;
}

int
md_meta(md_state *d)
{
    mf_writer *w = d->w;
    mf_error *e = &d->err;
    struct utsname u;
    struct timespec ts;
    char boot[64];
    long long rss, hwm, blocks = -1;
    long counts[3];
    PyObject *f, *r;

    MD_META(mf_writer_meta_str(w, "muppy.version", d->opt->muppy_version,
                               e));
    MD_META(mf_writer_meta_str(w, "python.version", Py_GetVersion(), e));
    MD_META(mf_writer_meta_int(w, "python.hexversion",
                               md_sys_int("hexversion"), e));
    MD_META(mf_writer_meta_str(w, "python.implementation",
                               md_sys_str(d, "implementation"), e));
    MD_META(mf_writer_meta_str(w, "python.abiflags",
                               md_sys_str(d, "abiflags"), e));
    MD_META(mf_writer_meta_int(w, "python.free_threaded", MC_FREE_THREADED,
                               e));
    MD_META(mf_writer_meta_str(w, "platform", md_sys_str(d, "platform"), e));
    MD_META(mf_writer_meta_str(w, "machine",
                               uname(&u) == 0 ? u.machine : "", e));
    MD_META(mf_writer_meta_int(w, "pointer_size", (int64_t)sizeof(void *),
                               e));
    clock_gettime(CLOCK_REALTIME, &ts);
    MD_META(mf_writer_meta_float(w, "time",
                                 (double)ts.tv_sec + ts.tv_nsec / 1e9, e));
    if (d->child != NULL) {
        /* a background dump: the child writes the parent's snapshot */
        snprintf(md_proc_dir, sizeof(md_proc_dir), "/proc/%ld",
                 d->child->parent_pid);
        MD_META(mf_writer_meta_int(w, "pid", (int64_t)d->child->parent_pid,
                                   e));
        MD_META(mf_writer_meta_int(w, "dump.background", 1, e));
        MD_META(mf_writer_meta_int(w, "dump.child_pid", (int64_t)getpid(),
                                   e));
        MD_META(mf_writer_meta_float(w, "dump.fork_seconds",
                                     d->child->fork_seconds, e));
    }
    else {
        MD_META(mf_writer_meta_int(w, "pid", (int64_t)getpid(), e));
    }
    MD_META(mf_writer_meta_int(w, "process.start_time", md_start_time(),
                               e));
    md_boot_id(boot, sizeof(boot));
    MD_META(mf_writer_meta_str(w, "boot_id", boot, e));
    rss = md_proc_status("VmRSS");
    hwm = md_proc_status("VmHWM");
    if (hwm < 0) {
        struct rusage ru;

        hwm = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss * 1024LL : 0;
    }
    MD_META(mf_writer_meta_int(w, "rss.current", rss < 0 ? 0 : rss, e));
    MD_META(mf_writer_meta_int(w, "rss.peak", hwm, e));
    if (md_meta_memory(d) < 0) {
        return -1;
    }
    f = PySys_GetObject("getallocatedblocks");
    if (f != NULL) {
        r = PyObject_CallObject(f, NULL);
        if (r != NULL) {
            blocks = PyLong_AsLongLong(r);
            Py_DECREF(r);
        }
    }
    PyErr_Clear();
    MD_META(mf_writer_meta_int(w, "python.allocated_blocks", blocks, e));
    mc_gc_counts(counts);
    MD_META(mf_writer_meta_int(w, "gc.count0", counts[0], e));
    MD_META(mf_writer_meta_int(w, "gc.count1", counts[1], e));
    MD_META(mf_writer_meta_int(w, "gc.count2", counts[2], e));
    MD_META(mf_writer_meta_int(w, "dump.labels", d->opt->labels ? 1 : 0,
                               e));
    MD_META(mf_writer_meta_int(w, "dump.include_strings",
                               (int64_t)d->opt->include_strings, e));
    return 0;
}


/* "module.qualname:count,..." of the types sized shallow, in d->sbuf's
 * stead a buffer of its own (cut at MD_SHALLOW_TEXT bytes) */
#define MD_SHALLOW_TEXT 4096

int
md_meta_end(md_state *d)
{
    mf_writer *w = d->w;
    mf_error *e = &d->err;
    char text[MD_SHALLOW_TEXT], full[512];
    size_t len = 0, flen, j;
    uint64_t objects = 0;

    text[0] = '\0';
    for (j = 0; j <= d->types_mask; j++) {
        const md_tinfo *t = &d->types[j];
        int n;

        if (t->tp == NULL || t->n_shallow == 0) {
            continue;
        }
        objects += t->n_shallow;
        if (md_type_fullname(d, t->tp, full, sizeof(full), &flen) < 0) {
            return -1;
        }
        n = snprintf(text + len, sizeof(text) - len, "%s%s:%llu",
                     len ? "," : "", full,
                     (unsigned long long)t->n_shallow);
        if (n < 0 || (size_t)n >= sizeof(text) - len) {
            text[len] = '\0';  /* cut between two entries */
            break;
        }
        len += (size_t)n;
    }
    MD_META(mf_writer_meta_int(w, "dump.shallow_objects", (int64_t)objects,
                               e));
    MD_META(mf_writer_meta_str(w, "dump.shallow_types", text, e));
    MD_META(mf_writer_meta_int(w, "dump.external_nodes", (int64_t)d->n_ext,
                               e));
    if (d->ext_dropped > 0) {
        MD_META(mf_writer_meta_int(w, "dump.external_dropped",
                                   (int64_t)d->ext_dropped, e));
    }
    MD_META(mf_writer_meta_int(w, "dump.sizer_calls",
                               (int64_t)d->sizer_calls, e));
    MD_META(mf_writer_meta_int(w, "dump.sizer_errors",
                               (int64_t)d->sizer_errors, e));
    if (d->sizer_error[0] != '\0') {
        MD_META(mf_writer_meta_str(w, "dump.sizer_error", d->sizer_error,
                                   e));
    }
    return 0;
}
