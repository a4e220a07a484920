/*
 * state.h - the dump in progress, shared by the parts of the walk.
 *
 * One md_state lives on md_dump()'s stack for the duration of a dump.
 * Each part of the walk owns a group of its fields (marked below): it
 * allocates them, changes them and frees them; the others only read
 * them.  Every part reports a failure through md_nomem(),
 * md_lib_error() or by setting d->failed with a Python exception set,
 * so that the first error is the one raised.  Library errors are kept
 * as values (d->lib_err) for md_dump()'s caller to raise: the core
 * never calls up into the module glue.
 *
 * Internal to dumper/: none of this is a contract for other folders.
 * All functions are called with the GIL held.
 */
#ifndef MUPPY_STATE_H
#define MUPPY_STATE_H

#include "dump.h"
#include "compat.h"
#include "memstats.h"

#include <stddef.h>
#include <stdint.h>

#define MD_PIPE 3       /* objects in flight in the pipeline (dump.c) */
#define MD_KEEP_BYTES 65536     /* scratch buffers kept between objects */

typedef struct md_tinfo md_tinfo;      /* types.h */
typedef struct md_sentry md_sentry;    /* labels.c */
struct md_ext_type;                    /* external.c */
struct md_map;                         /* external.c */
typedef struct md_ext md_ext;          /* external.h */

#define MD_NP_CACHE 64          /* item sizes of numpy descrs (numpy.c) */
#define MD_SZPEND 16            /* nodes of one sizer call (sizers.h) */

/* a node a sizer reported, until the object's edges are collected */
typedef struct md_szpend {
    char name[128];
    size_t len;
    uint64_t address, size;
    uint32_t label;             /* string id, or MF_NONE: "data" */
    int memory;                 /* MD_MEM_* */
    md_ext *found;              /* the node its key found, or NULL */
} md_szpend;

/* an edge being collected: target address, kind, label */
typedef struct md_tedge {
    PyObject *p;
    uint64_t label;
    uint8_t kind;
    uint8_t matched;
} md_tedge;

/* a known reference of the object in hand, to label an edge with */
typedef struct md_cand {
    PyObject *p;
    uint64_t label;
    uint8_t kind;
    uint8_t extra;      /* a real reference tp_traverse does not report */
} md_cand;

/* an object whose edges are collected but not yet numbered (dump.c) */
typedef struct md_pend {
    mf_object rec;
    md_tedge *te;
    size_t nte, cap_te;
} md_pend;

/* d->failed */
enum { MD_OK = 0, MD_FAILED_PY, MD_FAILED_LIB };

typedef struct md_state {
    const md_options *opt;
    const md_child *child;      /* NULL unless a background dump's child */
    mf_writer *w;
    mf_error err;               /* the writer's last error */
    int failed;                 /* MD_FAILED_PY: a Python exception is
                                   set; MD_FAILED_LIB: see lib_err */
    mf_error lib_err;           /* the first library error */

    /* index.c: the address array (index -> object, and the queue) and
     * the dedup table (object -> index) */
    PyObject **addrs;
    uint32_t n, cap;
    uint32_t populated;         /* entries of addrs populated so far */
    uint32_t *table;
    uint64_t nslots;
    uint32_t n_tracked;         /* [0, n_tracked): found in a gc list */
    uint32_t frozen_lo;         /* [frozen_lo, n_tracked): permanent gen */
    int own_all;                /* addrs[0..n) hold a reference */

    /* types.c: what is known of each type seen */
    md_tinfo *types;
    size_t types_mask, types_used;
    PyTypeObject *last_tp;      /* the last type looked up, and its */
    md_tinfo *last_ti;          /* entry (NULL after a resize) */

    /* labels.c: string ids of labels and names, UTF-8 buffer */
    md_sentry *strs;
    char *sbuf;
    size_t cap_sbuf;

    /* edges.c: the edges of the object in hand, the known references
     * that label them and the index that matches the two */
    md_tedge *te;
    size_t nte, cap_te;
    md_cand *cand;
    size_t ncand, cap_cand;
    uint32_t *mhash, *mnext;
    size_t cap_mhash, cap_mnext;

    /* dump.c: the pipeline (a ring: pipe_head is the oldest) */
    md_pend pipe[MD_PIPE];
    unsigned pipe_head, pipe_n;
    uint64_t n_edges;

    /* dump.c: what is read before the walk */
    md_memstats mem;            /* the process's memory (memstats.h) */
    PyObject *interned;         /* the interned strings' dict, or NULL */

    /* external.c: the nodes (entries in [ext_lo, ext_hi)), the table
     * from address to entry, their types, the process's mappings */
    char *ext_lo, *ext_hi;
    uint32_t n_ext;
    uint32_t *ext_table;
    size_t ext_table_cap;
    uint64_t ext_dropped;
    struct md_ext_type *ext_types;
    size_t n_ext_types, cap_ext_types;
    uint32_t ext_module;        /* string id of "<external>" */
    struct md_map *maps;
    size_t n_maps;
    int maps_read;

    /* numpy.c: item sizes by descr */
    struct {
        PyObject *descr;
        Py_ssize_t itemsize;
    } np_cache[MD_NP_CACHE];

    /* sizers.c: the nodes of the last call, the counts */
    md_szpend szpend[MD_SZPEND];
    size_t nszpend;
    uint64_t sizer_calls, sizer_errors;
    char sizer_error[256];      /* the first failure, or "" */
} md_state;

/* MemoryError (unless an error is already set); returns -1 */
int md_nomem(md_state *d);

/* the writer's error d->err stops the dump (unless it stopped already:
 * the first error wins); md_dump() returns it in md_result.err.
 * Returns -1. */
int md_lib_error(md_state *d);

/*
 * Scratch buffers (edges, labels, matching index, UTF-8): grown by
 * md_scratch_reserve() to hold at least `need` items of `size` bytes
 * (returns 0, or -1 with MemoryError).  One grown past MD_KEEP_BYTES (a
 * huge dict or list) is a mapping of its own, which md_trim() gives back
 * to the system as soon as the object is written: from malloc's heap its
 * pages would stay resident for the rest of the dump (3 bytes per object
 * of peak memory on heapgen at scale 1e5).
 */
int md_scratch_reserve(md_state *d, void **buf, size_t *cap, size_t need,
                       size_t size);
void md_scratch_free(void *buf, size_t cap, size_t size);

/* free a scratch buffer that a huge object grew past MD_KEEP_BYTES, so
 * that the few huge objects do not pin copies for the whole dump */
static inline void
md_trim(void **buf, size_t *cap, size_t size)
{
    if (*cap * size > MD_KEEP_BYTES) {
        md_scratch_free(*buf, *cap, size);
        *buf = NULL;
        *cap = 0;
    }
}

/* a 64-bit mix of an address, for the small hash tables of the parts */
static inline uint64_t
md_hash(const void *p)
{
    uint64_t h = (uint64_t)(uintptr_t)p;

    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

#endif /* MUPPY_STATE_H */
