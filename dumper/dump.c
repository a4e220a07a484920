/*
 * dump.c - the heap walk behind muppy.dump().
 *
 * Numbering: every gc-tracked object gets an index first (0..T-1, in gc
 * list order, the permanent generation last); then indices are processed
 * in order and each referent not seen yet gets the next index, so the
 * array of addresses is also the breadth-first queue (no recursion).
 * A hash table of uint32 indices keyed by the object's address does the
 * deduplication.  Each object is written with its edges as soon as it is
 * processed; edges to objects discovered in that step get consecutive
 * fresh indices, which the writer codes in one byte (set_frontier).
 *
 * Edges: tp_traverse's referents (exactly gc.get_referents) are collected
 * in a C buffer, then labeled by matching known references of the object
 * (compat.c's mc_fields, list/tuple items, dict entries) by address.
 * Extras that tp_traverse does not report are appended: DICT_KEY edges to
 * the keys of str-keyed dicts, FIELD edges of static types and non-gc
 * code objects, and weak FIELD edges to weak references' referents.
 *
 * No Python object is created per heap object, except the int results of
 * C-level __sizeof__ methods (freed at once) and whatever a user-defined
 * __sizeof__ does.  Before the first user-defined __sizeof__ runs, every
 * object numbered so far is increfed (and every later one on discovery),
 * so such code cannot free an object still in the queue.
 */
#include "dump.h"
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define MD_LABEL_MAX 120        /* bytes of a dict key / attribute label */
#define MD_CHECK_EVERY 65536    /* objects between signal checks */
#define MD_IDX_BITS 28          /* dedup table: index bits of an entry */
#define MD_IDX_MASK ((1u << MD_IDX_BITS) - 1)
#define MD_TAG(h) ((uint32_t)(((h) >> 28) & 0xF) << MD_IDX_BITS)
#define MD_MAX_OBJECTS (MD_IDX_MASK - 1u)   /* 268 million */
#define MD_SCACHE 8192          /* label cache entries (direct-mapped) */
#define MD_BLOCK_OBJECTS 8192   /* objects per OBJS block */
#define MD_KEEP_BYTES 65536     /* scratch buffers kept between objects */
#define MD_ROOM_EDGES 256       /* see md_emit() */

/* how __sizeof__ is computed for the instances of a type */
enum { MD_SK_OBJECT, MD_SK_CFUNC, MD_SK_GENERIC,
       MD_SK_STR,       /* exact str: unicode_sizeof inlined where simple */
       MD_SK_LIST };    /* exact list: list___sizeof__ inlined */

/* how len() of a sized builtin is read */
enum { MD_LEN_NONE, MD_LEN_STR, MD_LEN_VAR, MD_LEN_BYTEARRAY, MD_LEN_DICT,
       MD_LEN_SET };

typedef struct md_tinfo {
    PyTypeObject *tp;           /* NULL: empty slot */
    uint32_t id;
    int skind;
    PyCFunction cfunc;          /* MD_SK_CFUNC */
    int cls;                    /* mc_classify() */
    int pre;                    /* mc_preheader() of every instance, or
                                   -1: depends on the object */
    int is_gc;                  /* mc_is_gc() of every instance, or -1 */
    int lenkind;                /* MD_LEN_* */
} md_tinfo;

typedef struct md_sentry {
    const void *key;            /* str object or C string; NULL: empty */
    uint32_t sid;
} md_sentry;

/* an edge being collected: target address, kind, label */
typedef struct md_tedge {
    PyObject *p;
    uint64_t label;
    uint8_t kind;
    uint8_t matched;
} md_tedge;

typedef struct md_cand {
    PyObject *p;
    uint64_t label;
    uint8_t kind;
    uint8_t extra;
} md_cand;

/*
 * An object whose edges are collected but not yet numbered.  The walk
 * keeps MD_PIPE of them in flight, so that the dedup table's cache misses
 * of an object's edges (prefetched when it is collected) and of the
 * addresses they compare with (prefetched one step later) overlap the
 * collection of the next objects.
 */
#define MD_PIPE 3
#define MD_AHEAD 16     /* objects between a header prefetch and its use */
typedef struct md_pend {
    mf_object rec;
    md_tedge *te;
    size_t nte, cap_te;
} md_pend;

typedef struct md_state {
    const md_options *opt;
    mf_writer *w;
    mf_error err;
    int failed;                 /* a Python exception is set */

    PyObject **addrs;           /* index -> object */
    uint32_t n, cap;
    uint32_t populated;         /* see md_addrs_populate() */
    uint32_t *table;            /* see md_index() */
    uint64_t nslots;
    uint32_t n_tracked;
    uint32_t frozen_lo;         /* [frozen_lo, n_tracked): permanent gen */
    int own_all;                /* addrs[0..n) hold a reference */

    md_tinfo *types;
    size_t types_mask, types_used;
    PyTypeObject *last_tp;      /* the last type looked up, and its */
    md_tinfo *last_ti;          /* entry (NULL after a resize) */
    md_sentry *strs;            /* MD_SCACHE entries */

    md_tedge *te;
    size_t nte, cap_te;
    md_cand *cand;
    size_t ncand, cap_cand;
    uint32_t *mhash, *mnext;    /* label matching index */
    size_t cap_mhash, cap_mnext;

    char *sbuf;                 /* UTF-8 encoding buffer */
    size_t cap_sbuf;
    uint64_t n_edges;

    md_pend pipe[MD_PIPE];      /* a ring: pipe_head is the oldest */
    unsigned pipe_head, pipe_n;
} md_state;

static PyObject *md_str_sizeof;     /* "__sizeof__" */
static PyObject *md_str_builtins;   /* "builtins" */
static PyObject *md_object_sizeof;  /* object.__sizeof__ descriptor */

/* ---- small helpers ---------------------------------------------------- */

static int
md_nomem(md_state *d)
{
    if (!d->failed) {
        PyErr_NoMemory();
        d->failed = 1;
    }
    return -1;
}

static int
md_lib_error(md_state *d)
{
    if (!d->failed) {
        md_set_error(&d->err);
        d->failed = 1;
    }
    return -1;
}

/*
 * Scratch buffers: the edges, labels and matching index of the object in
 * hand, and the UTF-8 of a string.  One past MD_KEEP_BYTES (a huge dict
 * or list) is a mapping of its own, so that md_trim() gives it back to
 * the system at once: from malloc's heap its pages would stay resident
 * for the rest of the dump (3 bytes per object of peak memory on heapgen
 * at scale 1e5).
 */
static void
md_scratch_free(void *buf, size_t cap, size_t size)
{
    if (cap * size > MD_KEEP_BYTES) {
        munmap(buf, cap * size);
    }
    else {
        free(buf);
    }
}

/* grow *buf to hold at least `need` items of `size` bytes */
static int
md_scratch_reserve(md_state *d, void **buf, size_t *cap, size_t need,
                   size_t size)
{
    size_t ncap;
    void *nb;

    if (need <= *cap) {
        return 0;
    }
    ncap = *cap ? *cap : 64;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / size) {
            return md_nomem(d);
        }
        ncap *= 2;
    }
    if (ncap * size <= MD_KEEP_BYTES) {
        nb = realloc(*buf, ncap * size);
        if (nb == NULL) {
            return md_nomem(d);
        }
    }
#ifdef MREMAP_MAYMOVE
    else if (*cap * size > MD_KEEP_BYTES) {
        /* moves the pages, copies nothing */
        nb = mremap(*buf, *cap * size, ncap * size, MREMAP_MAYMOVE);
        if (nb == MAP_FAILED) {
            return md_nomem(d);
        }
    }
#endif
    else {
        nb = mmap(NULL, ncap * size, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (nb == MAP_FAILED) {
            return md_nomem(d);
        }
        if (*cap > 0) {
            memcpy(nb, *buf, *cap * size);
        }
        md_scratch_free(*buf, *cap, size);
    }
    *buf = nb;
    *cap = ncap;
    return 0;
}

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

static inline uint64_t
md_hash(const void *p)
{
    uint64_t h = (uint64_t)(uintptr_t)p;

    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static double
md_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * md_utf8() - the first max_chars characters of str `s` as UTF-8, at most
 * max_bytes bytes, surrogates escaped as \udXXX; never touches the str's
 * cached UTF-8 (which would change its size).  Returns the length in
 * d->sbuf, or -1 (MemoryError set).
 */
static Py_ssize_t
md_utf8(md_state *d, PyObject *s, Py_ssize_t max_chars, size_t max_bytes)
{
    Py_ssize_t i, n;
    int kind;
    const void *data;
    size_t len = 0;
    char *b;

    if (!mc_str_ready(s)) {
        return 0;
    }
    if (md_scratch_reserve(d, (void **)&d->sbuf, &d->cap_sbuf,
                           max_bytes + 8, 1) < 0) {
        return -1;
    }
    b = d->sbuf;
    n = PyUnicode_GET_LENGTH(s);
    if (n > max_chars) {
        n = max_chars;
    }
    kind = PyUnicode_KIND(s);
    data = PyUnicode_DATA(s);
    for (i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        size_t need = c < 0x80 ? 1 : c < 0x800 ? 2
                      : (c >= 0xD800 && c <= 0xDFFF) ? 6
                      : c < 0x10000 ? 3 : 4;

        if (len + need > max_bytes) {
            break;
        }
        if (c < 0x80) {
            b[len++] = (char)c;
        }
        else if (c < 0x800) {
            b[len++] = (char)(0xC0 | (c >> 6));
            b[len++] = (char)(0x80 | (c & 0x3F));
        }
        else if (c >= 0xD800 && c <= 0xDFFF) {
            len += (size_t)snprintf(b + len, 7, "\\u%04x", (unsigned)c);
        }
        else if (c < 0x10000) {
            b[len++] = (char)(0xE0 | (c >> 12));
            b[len++] = (char)(0x80 | ((c >> 6) & 0x3F));
            b[len++] = (char)(0x80 | (c & 0x3F));
        }
        else {
            b[len++] = (char)(0xF0 | (c >> 18));
            b[len++] = (char)(0x80 | ((c >> 12) & 0x3F));
            b[len++] = (char)(0x80 | ((c >> 6) & 0x3F));
            b[len++] = (char)(0x80 | (c & 0x3F));
        }
    }
    b[len] = '\0';
    return (Py_ssize_t)len;
}

/*
 * md_str_bytes() - md_utf8() without the copy for a compact ASCII str
 * (most keys and names), whose characters are their UTF-8 already.
 * Returns the bytes, not NUL-terminated, and their count in *len; or
 * NULL (MemoryError set).
 */
static const char *
md_str_bytes(md_state *d, PyObject *s, Py_ssize_t max_chars,
             size_t max_bytes, size_t *len)
{
    Py_ssize_t n;

    if (mc_str_ready(s) && PyUnicode_IS_COMPACT_ASCII(s)) {
        n = PyUnicode_GET_LENGTH(s);
        if (n > max_chars) {
            n = max_chars;
        }
        if ((size_t)n > max_bytes) {
            n = (Py_ssize_t)max_bytes;
        }
        *len = (size_t)n;
        return (const char *)PyUnicode_DATA(s);
    }
    n = md_utf8(d, s, max_chars, max_bytes);
    if (n < 0) {
        return NULL;
    }
    *len = (size_t)n;
    return d->sbuf;
}

static int
md_string(md_state *d, const char *s, size_t len, uint32_t *sid)
{
    if (mf_writer_string(d->w, s, len, sid, &d->err) != MF_OK) {
        return md_lib_error(d);
    }
    return 0;
}

/*
 * md_sid() - string id of a label or name, cached (direct-mapped, a
 * fixed MD_SCACHE entries) by the address of the str object or of the C
 * string, so the writer hashes a hot key once.
 * `obj` is a str, or NULL with `cs`/`clen` a C string.
 */
static int
md_sid(md_state *d, PyObject *obj, const char *cs, size_t clen,
       uint32_t *sid)
{
    const void *key = obj ? (const void *)obj : (const void *)cs;
    md_sentry *e = &d->strs[md_hash(key) & (MD_SCACHE - 1)];

    if (e->key == key) {
        *sid = e->sid;
        return 0;
    }
    if (obj != NULL) {
        size_t len;
        const char *b = md_str_bytes(d, obj, MD_LABEL_MAX, MD_LABEL_MAX,
                                     &len);

        if (b == NULL || md_string(d, b, len, sid) < 0) {
            return -1;
        }
    }
    else if (md_string(d, cs, clen, sid) < 0) {
        return -1;
    }
    e->key = key;
    e->sid = *sid;
    return 0;
}

/* ---- object numbering -------------------------------------------------- */

/*
 * The dedup table: nslots uint32 entries (any count, slot = fastrange of
 * the hash), 0 = empty, else (tag << MD_IDX_BITS) | (index + 1) where the
 * tag is 4 more bits of the hash, so that a probe only reads addrs[] (a
 * likely cache miss) once in 16 mismatches.  Load factor <= 0.75.
 * The hash is multiplicative (Fibonacci) on the address without its 4
 * alignment bits: the slot comes from the top 32 bits, the tag from bits
 * 28..31.
 */
static inline uint64_t
md_ihash(const void *p)
{
    return ((uint64_t)(uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ULL;
}

static inline uint64_t
md_slot(uint64_t h, uint64_t nslots)
{
    return ((h >> 32) * nslots) >> 32;
}

/*
 * The table's memory: zeroed and, on Linux, populated by the one mmap()
 * call, because the inserts' first touch of a page is a read (a fault that
 * maps the zero page) soon followed by a write (a second fault): two
 * faults per page (2,100 at heapgen scale 1e5, against 1,050 pages
 * populated in one call).
 */
static uint32_t *
md_table_alloc(uint64_t nslots)
{
    void *p;
    int flags = MAP_PRIVATE | MAP_ANONYMOUS;

#ifdef MAP_POPULATE
    flags |= MAP_POPULATE;
#endif
    if (nslots > SIZE_MAX / sizeof(uint32_t)) {
        return NULL;
    }
    p = mmap(NULL, nslots * sizeof(uint32_t), PROT_READ | PROT_WRITE, flags,
             -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void
md_table_free(uint32_t *table, uint64_t nslots)
{
    if (table != NULL) {
        munmap(table, nslots * sizeof(uint32_t));
    }
}

static int
md_table_resize(md_state *d, uint64_t nslots)
{
    uint32_t *nt = md_table_alloc(nslots);
    uint32_t i;

    if (nt == NULL) {
        return md_nomem(d);
    }
    md_table_free(d->table, d->nslots);
    d->table = nt;
    d->nslots = nslots;
    for (i = 0; i < d->n; i++) {
        uint64_t h = md_ihash(d->addrs[i]);
        uint64_t k = md_slot(h, nslots);

#if defined(__GNUC__) || defined(__clang__)
        if (i + 16 < d->n) {
            __builtin_prefetch(&nt[md_slot(md_ihash(d->addrs[i + 16]),
                                           nslots)], 1);
        }
#endif

        while (nt[k] != 0) {
            if (++k == nslots) {
                k = 0;
            }
        }
        nt[k] = MD_TAG(h) | (i + 1);
    }
    return 0;
}

/*
 * The address array (index -> object, and the queue) grows without a
 * copy: on Linux it is a mapping of its own, moved by mremap(), whose
 * pages are populated MD_POPULATE entries at a time ahead of use, one
 * system call instead of 128 page faults (1.0 against 1.6-1.9 us a page
 * on the machine we measure on; 1,500 pages at heapgen scale 1e5).
 */
#define MD_POPULATE 65536

static int
md_addrs_grow(md_state *d)
{
    size_t ncap = d->cap ? (size_t)d->cap * 2 : MD_POPULATE;
    void *nb;

    if (d->n >= MD_MAX_OBJECTS) {
        PyErr_Format(PyExc_OverflowError,
                     "more than %u objects: too many for one snapshot",
                     (unsigned)MD_MAX_OBJECTS);
        d->failed = 1;
        return -1;
    }
    if (ncap > MD_MAX_OBJECTS) {
        ncap = MD_MAX_OBJECTS;
    }
#ifdef MREMAP_MAYMOVE
    nb = d->addrs == NULL
         ? mmap(NULL, ncap * sizeof(PyObject *), PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
         : mremap(d->addrs, d->cap * sizeof(PyObject *),
                  ncap * sizeof(PyObject *), MREMAP_MAYMOVE);
    if (nb == MAP_FAILED) {
        return md_nomem(d);
    }
#else
    nb = realloc(d->addrs, ncap * sizeof(PyObject *));
    if (nb == NULL) {
        return md_nomem(d);
    }
#endif
    d->addrs = nb;
    d->cap = (uint32_t)ncap;
    return 0;
}

static void
md_addrs_free(md_state *d)
{
#ifdef MREMAP_MAYMOVE
    if (d->addrs != NULL) {
        munmap(d->addrs, d->cap * sizeof(PyObject *));
    }
#else
    free(d->addrs);
#endif
}

/* populate the next MD_POPULATE entries (best effort) */
static void
md_addrs_populate(md_state *d)
{
#if defined(MREMAP_MAYMOVE) && defined(MADV_POPULATE_WRITE)
    size_t end = (size_t)d->populated + MD_POPULATE;

    if (end > d->cap) {
        end = d->cap;
    }
    if (end > d->populated) {
        (void)madvise(d->addrs + d->populated,
                      (end - d->populated) * sizeof(PyObject *),
                      MADV_POPULATE_WRITE);
    }
#endif
    d->populated += MD_POPULATE;
}

static int
md_push(md_state *d, PyObject *o)
{
    if (d->n >= d->cap && md_addrs_grow(d) < 0) {
        return -1;
    }
    if (d->n == d->populated) {
        md_addrs_populate(d);
    }
    if (d->own_all) {
        Py_INCREF(o);
    }
    d->addrs[d->n++] = o;
    return 0;
}

/* make room in the dedup table for `more` objects */
static inline int
md_table_room(md_state *d, size_t more)
{
    uint64_t nslots = d->nslots;

    if (((uint64_t)d->n + more) * 4 < nslots * 3) {
        return 0;
    }
    while (((uint64_t)d->n + more) * 4 >= nslots * 3) {
        nslots += nslots / 2;
    }
    return md_table_resize(d, nslots);
}

/* md_index_unchecked() - the index of o, numbering it (at the end of the
 * queue) when first seen; md_table_room() must have made room for it.
 * Returns UINT32_MAX on failure. */
static inline uint32_t
md_index_unchecked(md_state *d, PyObject *o)
{
    uint64_t h = md_ihash(o), k;
    uint32_t s, tag = MD_TAG(h);

    k = md_slot(h, d->nslots);
    while ((s = d->table[k]) != 0) {
        if ((s & ~MD_IDX_MASK) == tag
            && d->addrs[(s & MD_IDX_MASK) - 1] == o) {
            return (s & MD_IDX_MASK) - 1;
        }
        if (++k == d->nslots) {
            k = 0;
        }
    }
    if (md_push(d, o) < 0) {
        return UINT32_MAX;
    }
    d->table[k] = tag | d->n;
    return d->n - 1;
}

/* md_index() - md_index_unchecked() for one object */
static uint32_t
md_index(md_state *d, PyObject *o)
{
    if (md_table_room(d, 1) < 0) {
        return UINT32_MAX;
    }
    return md_index_unchecked(d, o);
}

static int
md_collect_tracked(void *ctx, PyObject *op, int frozen)
{
    md_state *d = ctx;

    if (frozen && d->frozen_lo == UINT32_MAX) {
        d->frozen_lo = d->n;
    }
    return md_push(d, op);
}

/* ---- types ------------------------------------------------------------- */

/* the entry of a type already seen, or NULL */
static inline md_tinfo *
md_type_find(md_state *d, PyTypeObject *tp)
{
    size_t i;
    md_tinfo *e;

    if (tp == d->last_tp) {
        return d->last_ti;
    }
    i = md_hash(tp) & d->types_mask;
    for (;;) {
        e = &d->types[i];
        if (e->tp == tp) {
            d->last_tp = tp;
            d->last_ti = e;
            return e;
        }
        if (e->tp == NULL) {
            return NULL;
        }
        i = (i + 1) & d->types_mask;
    }
}

static md_tinfo *
md_type(md_state *d, PyTypeObject *tp)
{
    size_t i;
    md_tinfo *e;
    mf_type rec;
    PyObject *s;
    const char *cs;
    size_t clen;
    PyObject *descr;

    i = md_hash(tp) & d->types_mask;
    for (;;) {
        e = &d->types[i];
        if (e->tp == tp) {
            return e;
        }
        if (e->tp == NULL) {
            break;
        }
        i = (i + 1) & d->types_mask;
    }
    if ((d->types_used + 1) * 2 > d->types_mask) {
        size_t ncap = (d->types_mask + 1) * 2, j;
        md_tinfo *nt = calloc(ncap, sizeof(*nt));

        if (nt == NULL) {
            md_nomem(d);
            return NULL;
        }
        for (j = 0; j <= d->types_mask; j++) {
            if (d->types[j].tp != NULL) {
                size_t k = md_hash(d->types[j].tp) & (ncap - 1);
                while (nt[k].tp != NULL) {
                    k = (k + 1) & (ncap - 1);
                }
                nt[k] = d->types[j];
            }
        }
        free(d->types);
        d->types = nt;
        d->types_mask = ncap - 1;
        d->last_tp = NULL;
        d->last_ti = NULL;
        return md_type(d, tp);
    }

    memset(&rec, 0, sizeof(rec));
    rec.address = (uint64_t)(uintptr_t)tp;
    rec.module = rec.qualname = MF_NONE;
    s = mc_type_module(tp, &cs, &clen);
    if ((s != NULL || cs != NULL)
        && md_sid(d, s, cs, clen, &rec.module) < 0) {
        return NULL;
    }
    s = mc_object_name((PyObject *)tp, MC_K_TYPE, &cs, &clen);
    if ((s != NULL || cs != NULL)
        && md_sid(d, s, cs, clen, &rec.qualname) < 0) {
        return NULL;
    }
    rec.flags = (PyType_HasFeature(tp, Py_TPFLAGS_HEAPTYPE)
                 ? MF_TYPE_HEAP : 0)
                | (PyType_IS_GC(tp) ? MF_TYPE_GC : 0);
    if (mf_writer_type(d->w, &rec, &e->id, &d->err) != MF_OK) {
        md_lib_error(d);
        return NULL;
    }
    e->tp = tp;
    d->types_used++;
    e->cls = mc_classify(tp);
    /* without tp_is_gc (type objects have it) these are per type */
    e->pre = -1;
    e->is_gc = -1;
    if (tp->tp_is_gc == NULL && (e->cls & ~MC_K_HEAP) != MC_K_TYPE) {
        e->is_gc = PyType_IS_GC(tp) ? 1 : 0;
    }
    if (PyType_IsSubtype(tp, &PyUnicode_Type)) {
        e->lenkind = MD_LEN_STR;
    }
    else if (PyType_IsSubtype(tp, &PyBytes_Type)
             || PyType_IsSubtype(tp, &PyByteArray_Type)
             || PyType_IsSubtype(tp, &PyList_Type)
             || PyType_IsSubtype(tp, &PyTuple_Type)) {
        e->lenkind = MD_LEN_VAR;
    }
    else if (PyType_IsSubtype(tp, &PyDict_Type)) {
        e->lenkind = MD_LEN_DICT;
    }
    else if (PyType_IsSubtype(tp, &PySet_Type)
             || PyType_IsSubtype(tp, &PyFrozenSet_Type)) {
        e->lenkind = MD_LEN_SET;
    }
    else {
        e->lenkind = MD_LEN_NONE;
    }

    descr = _PyType_Lookup(tp, md_str_sizeof);     /* borrowed */
    e->skind = MD_SK_GENERIC;
    if (descr != NULL && descr == md_object_sizeof) {
        e->skind = MD_SK_OBJECT;
    }
    else if (descr != NULL && Py_TYPE(descr) == &PyMethodDescr_Type) {
        PyMethodDef *ml = ((PyMethodDescrObject *)descr)->d_method;
        int call = METH_VARARGS | METH_KEYWORDS | METH_NOARGS | METH_O
#ifdef METH_FASTCALL
                   | METH_FASTCALL
#endif
#ifdef METH_METHOD
                   | METH_METHOD
#endif
                   ;
        if ((ml->ml_flags & call) == METH_NOARGS) {
            e->skind = MD_SK_CFUNC;
            e->cfunc = ml->ml_meth;
            /* the C __sizeof__ of the commonest builtins, inlined (same
             * formula in CPython 3.8-3.13; the dumper tests compare) */
            if (tp == &PyUnicode_Type) {
                e->skind = MD_SK_STR;
            }
            else if (tp == &PyList_Type) {
                e->skind = MD_SK_LIST;
            }
        }
    }
    /* type objects are objects of the snapshot too */
    if (md_index(d, (PyObject *)tp) == UINT32_MAX) {
        return NULL;
    }
    return e;
}

/* ---- sizes ------------------------------------------------------------- */

static inline size_t
md_preheader(md_tinfo *ti, PyObject *o)
{
    if (ti->pre < 0) {
        size_t p = mc_preheader(o);

        if (ti->is_gc >= 0) {
            ti->pre = (int)p;   /* same for every instance of the type */
        }
        return p;
    }
    return (size_t)ti->pre;
}

/* __sizeof__ through Python, exactly as sys.getsizeof looks it up */
static PyObject *
md_call_sizeof(PyObject *o)
{
    PyTypeObject *tp = Py_TYPE(o);
    PyObject *descr = _PyType_Lookup(tp, md_str_sizeof);
    PyObject *meth, *res;
    descrgetfunc f;

    if (descr == NULL) {
        PyErr_SetString(PyExc_TypeError, "no __sizeof__");
        return NULL;
    }
    Py_INCREF(descr);
    f = Py_TYPE(descr)->tp_descr_get;
    if (f != NULL) {
        meth = f(descr, o, (PyObject *)tp);
        Py_DECREF(descr);
        if (meth == NULL) {
            return NULL;
        }
    }
    else {
        meth = descr;
    }
    res = PyObject_CallObject(meth, NULL);
    Py_DECREF(meth);
    return res;
}

/* before running Python code: make every queued object owned */
static void
md_own_all(md_state *d)
{
    uint32_t i;

    if (d->own_all) {
        return;
    }
    for (i = 0; i < d->n; i++) {
        Py_INCREF(d->addrs[i]);
    }
    d->own_all = 1;
}

/*
 * md_size() - sys.getsizeof(o) without its allocations.  A __sizeof__
 * that raises or returns nonsense gives the basic size (plus pre-header)
 * and MF_OBJ_SIZE_FALLBACK.  Returns -1 only when the dump must stop
 * (a KeyboardInterrupt or other non-Exception raised, e.g. by a signal
 * handler).
 */
static int
md_size(md_state *d, PyObject *o, md_tinfo *ti, uint64_t *size,
        uint32_t *flags)
{
    PyTypeObject *tp = Py_TYPE(o);
    Py_ssize_t s;
    PyObject *r;

    if (ti->skind == MD_SK_OBJECT) {
        s = 0;
        if (tp->tp_itemsize > 0) {
            s = Py_SIZE(o) * tp->tp_itemsize;
        }
        s += tp->tp_basicsize;
        if (s < 0) {
            goto fallback;
        }
        goto done;
    }
    if (ti->skind == MD_SK_LIST) {
        s = tp->tp_basicsize
            + ((PyListObject *)o)->allocated * (Py_ssize_t)sizeof(void *);
        goto done;
    }
    if (ti->skind == MD_SK_STR && mc_str_ready(o)
        && PyUnicode_IS_COMPACT_ASCII(o)
#if PY_VERSION_HEX < 0x030C0000
        && ((PyASCIIObject *)o)->wstr == NULL  /* else + wstr memory */
#endif
        ) {
        /* compact ASCII: the UTF-8 form is the data itself */
        s = (Py_ssize_t)sizeof(PyASCIIObject) + PyUnicode_GET_LENGTH(o) + 1;
        goto done;
    }
    if (ti->skind == MD_SK_CFUNC || ti->skind >= MD_SK_STR) {
        r = ti->cfunc(o, NULL);
    }
    else {
        md_own_all(d);
        if (PyErr_CheckSignals() < 0) {
            d->failed = 1;
            return -1;
        }
        Py_INCREF(o);
        r = md_call_sizeof(o);
        Py_DECREF(o);
    }
    if (r == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_Exception)) {
            d->failed = 1;      /* KeyboardInterrupt, SystemExit... */
            return -1;
        }
        goto fallback;
    }
    if (!PyLong_Check(r)) {
        Py_DECREF(r);
        goto fallback;
    }
    s = PyLong_AsSsize_t(r);
    Py_DECREF(r);
    if ((s == -1 && PyErr_Occurred()) || s < 0) {
        goto fallback;
    }
done:
    *size = (uint64_t)s + md_preheader(ti, o);
    return 0;
fallback:
    PyErr_Clear();
    *flags |= MF_OBJ_SIZE_FALLBACK;
    *size = (uint64_t)tp->tp_basicsize + md_preheader(ti, o);
    return 0;
}

/* ---- edges ------------------------------------------------------------- */

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

static int
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
    if (Py_TYPE(o) == &PySet_Type || Py_TYPE(o) == &PyFrozenSet_Type) {
        for (i = 0; i < ntrav; i++) {
            d->te[i].kind = MF_EDGE_SET_ITEM;
        }
        return 0;
    }
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
    else if (PyDict_Check(o)) {
        if (md_dict_cands(d, o) < 0) {
            return -1;
        }
    }
    else if (ti->lenkind == MD_LEN_SET) {
        Py_ssize_t pos = 0;
        PyObject *k;

        while (mc_set_next(o, &pos, &k)) {
            if (md_cand_add(d, k, MF_EDGE_SET_ITEM, 0, 0) < 0) {
                return -1;
            }
        }
    }
    mc_fields(o, ti->cls, md_field_cb, d);
    if (d->failed) {
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
    return 0;
}

/* ---- one object -------------------------------------------------------- */

static int
md_length(PyObject *o, int lenkind, uint64_t *len)
{
    Py_ssize_t n;

    switch (lenkind) {
    case MD_LEN_STR:
        if (!mc_str_ready(o)) {
            return 0;
        }
        n = PyUnicode_GET_LENGTH(o);
        break;
    case MD_LEN_VAR:        /* bytes, bytearray, list, tuple: ob_size */
        n = Py_SIZE(o);
        break;
    case MD_LEN_DICT:
        n = PyDict_GET_SIZE(o);
        break;
    case MD_LEN_SET:
        n = PySet_GET_SIZE(o);
        break;
    default:
        return 0;
    }
    *len = (uint64_t)n;
    return 1;
}

/* ---- the pipeline ------------------------------------------------------ */

/* number the edges of the oldest object in flight and write it */
static int
md_emit(md_state *d)
{
    md_pend *p = &d->pipe[d->pipe_head];
    size_t i;
    /* room for all edges at once, unless that could grow the table
     * early for an object with many edges (mostly to known objects) */
    int room = p->nte <= MD_ROOM_EDGES;
    mf_edge *out = NULL;

    if (room && md_table_room(d, p->nte) < 0) {
        return -1;
    }
    /* the edges are numbered straight into the writer's batch */
    if (p->nte > 0 && (out = mf_writer_edges(d->w, p->nte, &d->err))
                      == NULL) {
        return md_lib_error(d);
    }
    for (i = 0; i < p->nte; i++) {
        uint32_t t = room ? md_index_unchecked(d, p->te[i].p)
                          : md_index(d, p->te[i].p);

        if (t == UINT32_MAX) {
            return -1;
        }
        out[i].target = t;
        out[i].kind = p->te[i].kind;
        out[i].label = p->te[i].label;
    }
    d->pipe_head = (d->pipe_head + 1) % MD_PIPE;
    d->pipe_n--;
    d->n_edges += p->nte;
    if (mf_writer_object(d->w, &p->rec, out, p->nte, &d->err) != MF_OK) {
        return md_lib_error(d);
    }
    md_trim((void **)&p->te, &p->cap_te, sizeof(md_tedge));
    return 0;
}

/* write every object in flight (before anything that numbers objects
 * out of the walk's order, or runs Python code) */
static int
md_drain(md_state *d)
{
    while (d->pipe_n > 0) {
        if (md_emit(d) < 0) {
            return -1;
        }
    }
    return 0;
}

/* queue the object just collected (rec, d->te): its te buffer is swapped
 * with the free slot's, and its dedup slots are prefetched */
static void
md_enqueue(md_state *d, const mf_object *rec)
{
    md_pend *p = &d->pipe[(d->pipe_head + d->pipe_n) % MD_PIPE];
    md_tedge *te = p->te;
    size_t cap = p->cap_te;

    p->rec = *rec;
    p->te = d->te;
    p->cap_te = d->cap_te;
    p->nte = d->nte;
    d->te = te;
    d->cap_te = cap;
    d->nte = 0;
    d->pipe_n++;
#if defined(__GNUC__) || defined(__clang__)
    {
        size_t i;

        for (i = 0; i < p->nte; i++) {
            __builtin_prefetch(&d->table[md_slot(md_ihash(p->te[i].p),
                                                 d->nslots)]);
        }
    }
#endif
}

/* second stage: where the first probe's tag matches, prefetch the address
 * it compares with (the prefetched slots should be in cache by now) */
static void
md_prefetch_addrs(md_state *d, const md_pend *p)
{
#if defined(__GNUC__) || defined(__clang__)
    size_t i;

    for (i = 0; i < p->nte; i++) {
        uint64_t h = md_ihash(p->te[i].p);
        uint32_t s = d->table[md_slot(h, d->nslots)];

        if (s != 0 && (s & ~MD_IDX_MASK) == MD_TAG(h)) {
            __builtin_prefetch(&d->addrs[(s & MD_IDX_MASK) - 1]);
        }
    }
#else
    (void)d;
    (void)p;
#endif
}

/* ---- one object -------------------------------------------------------- */

/* collect object idx: its record in *rec, its edges in d->te */
static int
md_collect(md_state *d, uint32_t idx, mf_object *rec)
{
    PyObject *o = d->addrs[idx];
    md_tinfo *ti;
    PyObject *nobj;
    const char *cs;
    size_t clen;
    int is_gc;

    ti = md_type_find(d, Py_TYPE(o));
    if (ti == NULL) {
        /* a new type is numbered now: first the objects in flight */
        if (md_drain(d) < 0) {
            return -1;
        }
        ti = md_type(d, Py_TYPE(o));
        if (ti == NULL) {
            return -1;
        }
    }
    if (ti->skind == MD_SK_GENERIC && md_drain(d) < 0) {
        return -1;      /* Python code may free what is in flight */
    }
    rec->address = (uint64_t)(uintptr_t)o;
    rec->type = ti->id;
    rec->flags = 0;
    rec->length = 0;
    rec->name = rec->value = MF_NONE;
    if (md_size(d, o, ti, &rec->size, &rec->flags) < 0) {
        return -1;
    }
    if (idx < d->n_tracked) {
        rec->flags |= MF_OBJ_GC_TRACKED;
        if (idx >= d->frozen_lo) {
            rec->flags |= MF_OBJ_FROZEN;
        }
    }
    if (mc_is_immortal(o)) {
        rec->flags |= MF_OBJ_IMMORTAL;
    }
    if (md_length(o, ti->lenkind, &rec->length)) {
        rec->flags |= MF_OBJ_HAS_LENGTH;
    }
    nobj = NULL;
    cs = NULL;
    if ((ti->cls & ~MC_K_HEAP) != MC_K_PLAIN) {
        nobj = mc_object_name(o, ti->cls, &cs, &clen);
    }
    if (nobj != NULL || cs != NULL) {
        if (md_sid(d, nobj, cs, clen, &rec->name) < 0) {
            return -1;
        }
        rec->flags |= MF_OBJ_HAS_NAME;
    }
    if (d->opt->include_strings > 0 && PyUnicode_Check(o)) {
        Py_ssize_t n = d->opt->include_strings;
        size_t len;
        const char *b;

        if (n > (Py_ssize_t)MF_MAX_STRING) {
            n = (Py_ssize_t)MF_MAX_STRING;
        }
        b = md_str_bytes(d, o, n, (size_t)n * 6 < MF_MAX_STRING
                                  ? (size_t)n * 6 : MF_MAX_STRING, &len);
        if (b == NULL || md_string(d, b, len, &rec->value) < 0) {
            return -1;
        }
        rec->flags |= MF_OBJ_HAS_VALUE;
    }

    is_gc = ti->is_gc >= 0 ? ti->is_gc : mc_is_gc(o);
    if (!is_gc && ti->cls == MC_K_PLAIN) {
        d->nte = 0;     /* str, int, float, bytes...: no referents */
        return 0;
    }
    if (md_edges(d, o, is_gc, ti) < 0) {
        return -1;
    }
    md_trim((void **)&d->cand, &d->cap_cand, sizeof(md_cand));
    md_trim((void **)&d->mhash, &d->cap_mhash, sizeof(uint32_t));
    md_trim((void **)&d->mnext, &d->cap_mnext, sizeof(uint32_t));
    return 0;
}

/* ---- roots ------------------------------------------------------------- */

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

static int
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

/* ---- metadata ---------------------------------------------------------- */

static long long
md_proc_status(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
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
    FILE *f = fopen("/proc/self/stat", "r");
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

#define MD_META(call) \
    do { \
        if ((call) != MF_OK) { \
            return md_lib_error(d); \
        } \
    } while (0)

static int
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
    MD_META(mf_writer_meta_int(w, "python.hexversion", PY_VERSION_HEX, e));
    MD_META(mf_writer_meta_str(w, "python.implementation",
                               md_sys_str(d, "implementation"), e));
    MD_META(mf_writer_meta_str(w, "python.abiflags",
                               md_sys_str(d, "abiflags"), e));
#ifdef Py_GIL_DISABLED
    MD_META(mf_writer_meta_int(w, "python.free_threaded", 1, e));
#else
    MD_META(mf_writer_meta_int(w, "python.free_threaded", 0, e));
#endif
    MD_META(mf_writer_meta_str(w, "platform", md_sys_str(d, "platform"), e));
    MD_META(mf_writer_meta_str(w, "machine",
                               uname(&u) == 0 ? u.machine : "", e));
    MD_META(mf_writer_meta_int(w, "pointer_size", (int64_t)sizeof(void *),
                               e));
    clock_gettime(CLOCK_REALTIME, &ts);
    MD_META(mf_writer_meta_float(w, "time",
                                 (double)ts.tv_sec + ts.tv_nsec / 1e9, e));
    MD_META(mf_writer_meta_int(w, "pid", (int64_t)getpid(), e));
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

/* ---- the dump ---------------------------------------------------------- */

static int
md_init_statics(void)
{
    if (md_str_sizeof != NULL) {
        return 0;
    }
    md_str_sizeof = PyUnicode_InternFromString("__sizeof__");
    md_str_builtins = PyUnicode_InternFromString("builtins");
    if (md_str_sizeof == NULL || md_str_builtins == NULL) {
        return -1;
    }
    md_object_sizeof = _PyType_Lookup(&PyBaseObject_Type, md_str_sizeof);
    if (md_object_sizeof == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "object.__sizeof__ is missing");
        return -1;
    }
    Py_INCREF(md_object_sizeof);
    return mc_init();
}

static void
md_free(md_state *d)
{
    int i;

    md_addrs_free(d);
    md_table_free(d->table, d->nslots);
    free(d->types);
    free(d->strs);
    md_scratch_free(d->te, d->cap_te, sizeof(md_tedge));
    md_scratch_free(d->cand, d->cap_cand, sizeof(md_cand));
    md_scratch_free(d->mhash, d->cap_mhash, sizeof(uint32_t));
    md_scratch_free(d->mnext, d->cap_mnext, sizeof(uint32_t));
    md_scratch_free(d->sbuf, d->cap_sbuf, 1);
    for (i = 0; i < MD_PIPE; i++) {
        md_scratch_free(d->pipe[i].te, d->pipe[i].cap_te, sizeof(md_tedge));
    }
}

int
md_dump(const char *path, const md_options *opt, md_result *res)
{
    md_state st;
    md_state *d = &st;
    mf_write_options wo;
    mf_write_stats stats;
    double t0 = md_now();
    uint64_t nslots = 1024;
    uint32_t i, owned_n;
    int gc_was;
    int rc = -1;

    if (md_init_statics() < 0) {
        return -1;
    }
    memset(d, 0, sizeof(*d));
    d->opt = opt;
    d->frozen_lo = UINT32_MAX;
    d->types = calloc(64, sizeof(md_tinfo));
    d->types_mask = 63;
    d->strs = calloc(MD_SCACHE, sizeof(md_sentry));
    if (d->types == NULL || d->strs == NULL) {
        md_free(d);
        PyErr_NoMemory();
        return -1;
    }

    memset(&wo, 0, sizeof(wo));
    wo.level = opt->level;
    /* small blocks: the writer's buffers (three raw payloads, columns,
     * compressed output) stay about 1 MB, whatever the heap */
    wo.block_objects = MD_BLOCK_OBJECTS;

    if (mf_writer_open(&d->w, path, &wo, &d->err) != MF_OK) {
        md_set_error(&d->err);
        md_free(d);
        return -1;
    }
    gc_was = mc_gc_disable();

    if (md_meta(d) < 0) {
        goto done;
    }
    /* 1. number the gc-tracked objects, in gc list order */
    if (mc_gc_foreach(md_collect_tracked, d) < 0) {
        if (!d->failed) {
            PyErr_SetString(PyExc_RuntimeError, "cannot walk the gc lists");
            d->failed = 1;
        }
        goto done;
    }
    d->n_tracked = d->n;
    if (d->frozen_lo == UINT32_MAX) {
        d->frozen_lo = d->n;
    }
    /* typically 2.5-3 objects per tracked one */
    nslots = (uint64_t)d->n * 4 > nslots ? (uint64_t)d->n * 4 : nslots;
    if (md_table_resize(d, nslots) < 0) {
        goto done;
    }
    mf_writer_set_frontier(d->w, d->n);

    /* 2. roots (objects only they reach are numbered here) */
    if (md_roots(d) < 0) {
        goto done;
    }

    /* 3. breadth-first: the address array is the queue; each object is
     * collected, then its edges are numbered MD_PIPE - 1 steps later */
    i = 0;
    for (;;) {
        mf_object rec;

        if (i < d->n) {
#if defined(__GNUC__) || defined(__clang__)
            /* the object headers are the walk's main cache misses;
             * once a header is in, the item array of a list or the keys
             * of a dict, which its traversal reads next */
            if (i + MD_AHEAD < d->n) {
                /* the header may straddle two lines (16-byte alignment) */
                __builtin_prefetch(d->addrs[i + MD_AHEAD]);
                __builtin_prefetch((char *)d->addrs[i + MD_AHEAD] + 40);
            }
            if (i + MD_AHEAD / 2 < d->n) {
                PyObject *q = d->addrs[i + MD_AHEAD / 2];
                PyTypeObject *qt = Py_TYPE(q);

                if (qt == &PyList_Type) {
                    __builtin_prefetch(((PyListObject *)q)->ob_item);
                }
                else if (qt == &PyDict_Type) {
                    __builtin_prefetch(((PyDictObject *)q)->ma_keys);
                }
            }
#endif
            if (md_collect(d, i, &rec) < 0) {
                goto done;
            }
            md_enqueue(d, &rec);
            if (d->pipe_n >= 2) {
                md_prefetch_addrs(d, &d->pipe[(d->pipe_head + d->pipe_n - 2)
                                              % MD_PIPE]);
            }
            if (d->pipe_n == MD_PIPE && md_emit(d) < 0) {
                goto done;
            }
            if ((i & (MD_CHECK_EVERY - 1)) == MD_CHECK_EVERY - 1) {
                if (md_drain(d) < 0) {
                    goto done;
                }
                if (PyErr_CheckSignals() < 0) {
                    d->failed = 1;
                    goto done;
                }
            }
            i++;
        }
        else if (d->pipe_n > 0) {
            if (md_emit(d) < 0) {
                goto done;
            }
        }
        else {
            break;
        }
    }
    if (mf_writer_meta_float(d->w, "dump.seconds", md_now() - t0, &d->err)
        != MF_OK) {
        md_lib_error(d);
        goto done;
    }
    rc = 0;

done:
    owned_n = d->own_all ? d->n : 0;
    if (rc == 0) {
        mf_writer *w = d->w;

        d->w = NULL;
        if (mf_writer_close(w, &stats, &d->err) != MF_OK) {
            md_lib_error(d);
            rc = -1;
        }
        else {
            res->objects = stats.objects;
            res->edges = stats.edges;
            res->file_bytes = stats.file_bytes;
        }
    }
    else {
        if (!d->failed && !PyErr_Occurred()) {
            PyErr_SetString(PyExc_RuntimeError, "dump failed");
        }
        mf_writer_abort(d->w);
        d->w = NULL;
    }
    /* releasing the references may run finalizers: do it last, with the
     * error (if any) kept aside */
    if (owned_n > 0) {
        PyObject *et, *ev, *tb;

        PyErr_Fetch(&et, &ev, &tb);
        for (i = 0; i < owned_n; i++) {
            Py_DECREF(d->addrs[i]);
        }
        PyErr_Restore(et, ev, tb);
    }
    mc_gc_restore(gc_was);
    md_free(d);
    res->seconds = md_now() - t0;
    return rc;
}
