/*
 * dump.c - the heap walk behind muppy.dump() (dump.h).
 *
 * Numbering: every gc-tracked object gets an index first (0..T-1, in gc
 * list order, the permanent generation last); then indices are processed
 * in order and each referent not seen yet gets the next index, so the
 * array of addresses is also the breadth-first queue (no recursion;
 * index.h).  Each object is written with its edges (edges.h) soon after
 * it is processed; edges to objects discovered in that step get
 * consecutive fresh indices, which the writer codes in one byte
 * (set_frontier).
 *
 * The walk is bound by memory latency: each object's header, and for
 * each edge a slot of the dedup table and the address it holds.  So the
 * walk is a pipeline: it prefetches object headers MD_AHEAD objects
 * ahead, and keeps MD_PIPE objects in flight between the collection of
 * their edges (which prefetches their dedup slots) and the numbering of
 * the edges (two objects later), so that the cache misses of one object
 * overlap the work on the next ones.
 *
 * No Python object is created per heap object, except the int results of
 * C-level __sizeof__ methods (freed at once) and whatever a user-defined
 * __sizeof__ or a sizer does (sizes.h, sizers.h).
 *
 * Memory outside objects (external.h) is numbered like an object: an
 * entry of the address array that md_is_ext() tells apart is written
 * as its node's record.
 */
#include "dump.h"
#include "edges.h"
#include "external.h"
#include "index.h"
#include "labels.h"
#include "meta.h"
#include "numpy.h"
#include "roots.h"
#include "sizers.h"
#include "sizes.h"
#include "state.h"
#include "types.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MD_CHECK_EVERY 65536    /* objects between signal checks */
#define MD_BLOCK_OBJECTS 8192   /* objects per OBJS block */
#define MD_ROOM_EDGES 256       /* see md_emit() */
#define MD_AHEAD 16     /* objects between a header prefetch and its use */

double
md_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
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

static int md_drain(md_state *d);

/* the name and (with include_strings) the value of object o */
static int
md_strings(md_state *d, PyObject *o, const md_tinfo *ti, mf_object *rec)
{
    PyObject *nobj = NULL;
    const char *cs = NULL;
    size_t clen = 0;

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
    return 0;
}

/* the interned strings' dict does not own the mortal strings it holds
 * (CPython does not count those references): weak edges */
static void
md_weak_interned(md_state *d)
{
    size_t i;

    for (i = 0; i < d->nte; i++) {
        PyObject *t = d->te[i].p;

        if (!md_is_ext(d, t) && PyUnicode_Check(t) && !mc_is_immortal(t)) {
            d->te[i].kind |= MF_EDGE_WEAK;
        }
    }
}

/* collect object idx: its record in *rec, its edges in d->te */
static int
md_collect(md_state *d, uint32_t idx, mf_object *rec)
{
    PyObject *o = d->addrs[idx];
    md_tinfo *ti;
    int is_gc;

    if (md_is_ext(d, o)) {
        md_ext_record((md_ext *)o, rec);
        d->nte = 0;
        return 0;
    }
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
    if ((ti->skind == MC_SZ_CALL || ti->sizer != NULL) && md_drain(d) < 0) {
        return -1;      /* Python code may free what is in flight */
    }
    /* the sizer first: its Python code runs before o's edges are read */
    if (ti->sizer != NULL && md_sizer_call(d, o, ti) < 0) {
        return -1;
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
    if (md_strings(d, o, ti, rec) < 0) {
        return -1;
    }

    is_gc = ti->is_gc >= 0 ? ti->is_gc : mc_is_gc(o);
    if (!is_gc && ti->cls == MC_K_PLAIN && ti->lib == MD_LIB_NONE
        && d->nszpend == 0) {
        d->nte = 0;     /* str, int, float, bytes...: no referents */
        return 0;
    }
    if (md_edges(d, o, is_gc, ti) < 0) {
        return -1;
    }
    /* what tp_traverse does not say: numpy's arrays, mappings, what the
     * sizer found */
    if ((ti->lib == MD_LIB_NDARRAY && md_np_edges(d, o) < 0)
        || (ti->lib == MD_LIB_MMAP && md_ext_mmap(d, o) < 0)
        || (d->nszpend > 0 && md_sizer_edges(d, o) < 0)) {
        return -1;
    }
    if (o == d->interned) {
        md_weak_interned(d);
    }
    md_edges_trim(d);
    return 0;
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
    i = 0;
    if (!room) {
        /* a huge container: when its first edges are mostly to new
         * objects (an object array's items, a fresh list), make room
         * for all the others in one rehash, not one per half-again
         * growth of the table */
        uint32_t before = d->n;

        for (; i < MD_ROOM_EDGES; i++) {
            uint32_t t = md_index(d, p->te[i].p);

            if (t == UINT32_MAX) {
                return -1;
            }
            out[i].target = t;
            out[i].kind = p->te[i].kind;
            out[i].label = p->te[i].label;
        }
        if ((d->n - before) * 2 >= MD_ROOM_EDGES) {
            if (md_table_room(d, p->nte - i) < 0) {
                return -1;
            }
            room = 1;
        }
    }
    for (; i < p->nte; i++) {
        uint32_t t;

#if defined(__GNUC__) || defined(__clang__)
        /* md_enqueue() prefetched the first slots; for the others of a
         * huge container, a few edges ahead */
        if (i + MD_AHEAD < p->nte && i + MD_AHEAD >= MD_ROOM_EDGES) {
            __builtin_prefetch(&d->table[md_slot(
                md_ihash(p->te[i + MD_AHEAD].p), d->nslots)]);
        }
#endif
        t = room ? md_index_unchecked(d, p->te[i].p)
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
        size_t i, n = p->nte < MD_ROOM_EDGES ? p->nte : MD_ROOM_EDGES;

        /* (md_emit() prefetches the rest of a huge container's) */
        for (i = 0; i < n; i++) {
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
    size_t i, n = p->nte < MD_ROOM_EDGES ? p->nte : MD_ROOM_EDGES;

    for (i = 0; i < n; i++) {
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

/* the object headers are the walk's main cache misses; once a header is
 * in, the item array of a list or the keys of a dict, which its
 * traversal reads next */
static inline void
md_prefetch_objects(md_state *d, uint32_t i)
{
#if defined(__GNUC__) || defined(__clang__)
    if (i + MD_AHEAD < d->n) {
        /* the header may straddle two lines (16-byte alignment) */
        __builtin_prefetch(d->addrs[i + MD_AHEAD]);
        __builtin_prefetch((char *)d->addrs[i + MD_AHEAD] + 40);
    }
    if (i + MD_AHEAD / 2 < d->n && !md_is_ext(d, d->addrs[i + MD_AHEAD / 2])) {
        PyObject *q = d->addrs[i + MD_AHEAD / 2];
        PyTypeObject *qt = Py_TYPE(q);

        if (qt == &PyList_Type) {
            __builtin_prefetch(((PyListObject *)q)->ob_item);
        }
        else if (qt == &PyDict_Type) {
            __builtin_prefetch(((PyDictObject *)q)->ma_keys);
        }
    }
#else
    (void)d;
    (void)i;
#endif
}

/* Ctrl-C and other Python signal handlers; in a background dump's
 * child, none (they are the parent's), but the parent's exit: an orphan
 * snapshot would describe a process that is gone */
static int
md_check_interrupt(md_state *d)
{
    if (d->child != NULL) {
        if ((long)getppid() != d->child->parent_pid) {
            PyErr_SetString(PyExc_RuntimeError,
                            "the process being dumped exited");
            d->failed = MD_FAILED_PY;
            return -1;
        }
        return 0;
    }
    if (PyErr_CheckSignals() < 0) {
        d->failed = MD_FAILED_PY;
        return -1;
    }
    return 0;
}

/* breadth-first: the address array is the queue; each object is
 * collected, then its edges are numbered MD_PIPE - 1 steps later */
static int
md_walk(md_state *d)
{
    uint32_t i = 0;
    mf_object rec;

    while (i < d->n) {
        md_prefetch_objects(d, i);
        if (md_collect(d, i, &rec) < 0) {
            return -1;
        }
        md_enqueue(d, &rec);
        if (d->pipe_n >= 2) {
            md_prefetch_addrs(d, &d->pipe[(d->pipe_head + d->pipe_n - 2)
                                          % MD_PIPE]);
        }
        if (d->pipe_n == MD_PIPE && md_emit(d) < 0) {
            return -1;
        }
        if ((i & (MD_CHECK_EVERY - 1)) == MD_CHECK_EVERY - 1) {
            if (md_drain(d) < 0) {
                return -1;
            }
            if (md_check_interrupt(d) < 0) {
                return -1;
            }
        }
        i++;
        if (i == d->n && md_drain(d) < 0) {
            return -1;  /* the last edges may discover more objects */
        }
    }
    return 0;
}

/* ---- the dump ---------------------------------------------------------- */

static int
md_collect_tracked(void *ctx, PyObject *op, int frozen)
{
    md_state *d = ctx;

    if (frozen && d->frozen_lo == UINT32_MAX) {
        d->frozen_lo = d->n;
    }
    return md_push(d, op);
}

/* number the gc-tracked objects, in gc list order, and size the table */
static int
md_number_tracked(md_state *d)
{
    uint64_t nslots = 1024;

    if (mc_gc_foreach(md_collect_tracked, d) < 0) {
        if (!d->failed && !PyErr_Occurred()) {
            PyErr_SetString(PyExc_RuntimeError, "cannot walk the gc lists");
            d->failed = MD_FAILED_PY;
        }
        return -1;
    }
    d->n_tracked = d->n;
    if (d->frozen_lo == UINT32_MAX) {
        d->frozen_lo = d->n;
    }
    /* typically 2.5-3 objects per tracked one */
    if ((uint64_t)d->n * 4 > nslots) {
        nslots = (uint64_t)d->n * 4;
    }
    if (md_table_resize(d, nslots) < 0) {
        return -1;
    }
    mf_writer_set_frontier(d->w, d->n);
    return 0;
}

static void
md_free(md_state *d)
{
    int i;

    md_index_free(d);
    md_types_free(d);
    md_labels_free(d);
    md_edges_free(d);
    md_ext_free(d);
    md_sizers_free(d);
    for (i = 0; i < MD_PIPE; i++) {
        md_scratch_free(d->pipe[i].te, d->pipe[i].cap_te, sizeof(md_tedge));
    }
}

int
md_dump(const char *path, const md_options *opt, const md_child *child,
        md_result *res)
{
    md_state st;
    md_state *d = &st;
    mf_write_options wo;
    mf_write_stats stats;
    double t0 = md_now();
    int gc_was;
    int rc = -1;

    if (mc_init() < 0 || md_roots_init() < 0) {
        return -1;
    }
    memset(d, 0, sizeof(*d));
    memset(&res->err, 0, sizeof(res->err));
    d->opt = opt;
    d->child = child;
    d->frozen_lo = UINT32_MAX;
    d->ext_module = MF_NONE;
    /* before the dump allocates anything: the memory of the heap it
     * writes (a child's allocators are the parent's at the fork) */
    {
        char proc_dir[48];

        if (child != NULL) {
            snprintf(proc_dir, sizeof(proc_dir), "/proc/%ld",
                     child->parent_pid);
        }
        else {
            snprintf(proc_dir, sizeof(proc_dir), "/proc/self");
        }
        md_memstats_read(&d->mem, proc_dir);
    }
    d->interned = mc_interned_dict();
    if (md_types_init(d) < 0 || md_labels_init(d) < 0) {
        md_free(d);
        return -1;
    }

    memset(&wo, 0, sizeof(wo));
    wo.level = opt->level;
    /* small blocks: the writer's buffers (three raw payloads, columns,
     * compressed output) stay about 1 MB, whatever the heap */
    wo.block_objects = MD_BLOCK_OBJECTS;
    if ((opt->fd >= 0 ? mf_writer_open_fd(&d->w, opt->fd, path, &wo,
                                          &d->err)
                      : mf_writer_open(&d->w, path, &wo, &d->err))
        != MF_OK) {
        res->err = d->err;
        md_free(d);
        return -1;
    }
    if (child != NULL && child->temp_path != NULL
        && mf_writer_temp_path(d->w) != NULL) {
        snprintf(child->temp_path, child->temp_cap, "%s",
                 mf_writer_temp_path(d->w));
    }
    gc_was = mc_gc_disable();

    if (md_meta(d) < 0 || md_number_tracked(d) < 0
        /* the roots number the objects only they reach */
        || md_roots(d) < 0 || md_walk(d) < 0) {
        goto done;
    }
    if (md_meta_end(d) < 0) {
        goto done;
    }
    if (mf_writer_meta_float(d->w, "dump.seconds", md_now() - t0, &d->err)
        != MF_OK) {
        md_lib_error(d);
        goto done;
    }
    rc = 0;

done:
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
    /* releasing the references may run finalizers: last, with the file
     * closed and the collector still off; a child runs none (it exits) */
    if (child != NULL) {
        d->own_all = 0;
    }
    md_free(d);
    if (rc < 0 && d->failed == MD_FAILED_LIB) {
        res->err = d->lib_err;
    }
    mc_gc_restore(gc_was);
    res->seconds = md_now() - t0;
    return rc;
}
