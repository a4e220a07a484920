/*
 * writer.c - mf_writer: streams a snapshot into a temporary file, then
 * renames it into place.
 *
 * Objects are encoded into the OBJS column buffers as they come; a full
 * block is handed to the sink (sink.h), which compresses and writes it,
 * normally on a worker thread.  Before any block that can refer to
 * strings or types, the pending STRS (and TYPE) records are flushed, so
 * every prefix of the file refers only to what precedes it; that is what
 * makes a truncated file useful to a partial reader.
 */
#include "muppy_format.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "buf.h"
#include "crc32c.h"
#include "err.h"
#include "intern.h"
#include "layout.h"
#include "sink.h"

/* Flush an OBJS block early when it holds this many edges or raw bytes. */
#define W_BLOCK_EDGES (1u << 20)
#define W_BLOCK_RAW   (16u << 20)
/* Flush a STRS/TYPE/ROOT/META block at this many records or raw bytes. */
#define W_SMALL_COUNT 65536u
#define W_SMALL_RAW   (1u << 20)
/* Room for the OBJS prefix: frontier, n_columns, 11 column sizes. */
#define W_OBJS_PREFIX_MAX ((2 + MF_OBJS_COLUMNS) * MF_VARINT_MAX)
/* Objects whose non-edge columns are reserved at once. */
#define W_OBJ_BATCH 256u
/* Worst-case bytes of one object without its edges, and of one edge. */
#define W_OBJECT_MAX (8 * MF_VARINT_MAX)
#define W_EDGE_MAX (2 * MF_VARINT_MAX + 1)

typedef struct w_small {
    uint32_t kind;
    uint64_t total;         /* records written before this block */
    uint32_t count;         /* records in the pending block */
    mf_buf buf;
} w_small;

struct mf_writer {
    int fd;
    char *path, *tmp_path;
    int level;
    uint32_t block_objects;

    int failed;             /* sticky error code, or 0 */
    mf_error err;
    mf_sink *sink;

    mf_intern strings;
    w_small strs, types, roots, meta;

    /* objects */
    uint64_t n_objects, n_edges, total_size;
    uint64_t max_ref;       /* 1 + the largest object index referred to */
    uint64_t block_first;
    uint32_t block_count, block_edges;
    mf_buf col[MF_OBJS_COLUMNS];
    size_t raw;             /* bytes in col[], all columns together */
    uint32_t obj_room;      /* objects whose non-edge columns fit */
    uint64_t prev_address;
    uint64_t frontier, block_frontier, hint;
    int hint_set;
};

static int
w_fail(mf_writer *w, int rc, const mf_error *e, mf_error *err)
{
    if (!w->failed) {
        w->failed = rc;
        mf_err_copy(&w->err, e);
    }
    mf_err_copy(err, &w->err);
    return w->failed;
}

static int
w_check(mf_writer *w, mf_error *err)
{
    if (w->failed) {
        mf_err_copy(err, &w->err);
    }
    return w->failed;
}

static int
w_nomem(mf_writer *w, mf_error *err)
{
    mf_error e;
    mf_err(&e, MF_E_NOMEM, "out of memory writing '%s'", w->path);
    return w_fail(w, MF_E_NOMEM, &e, err);
}

/* Hand a pending small block to the sink. */
static int
w_flush_small(mf_writer *w, w_small *b, mf_error *err)
{
    mf_error e;
    mf_buf *out;
    int rc;

    if (b->count == 0) {
        return MF_OK;
    }
    out = mf_sink_begin(w->sink);
    if (out == NULL) {
        rc = mf_sink_drain(w->sink, &e);
        return w_fail(w, rc, &e, err);
    }
    if (mf_buf_reserve(out, b->buf.len) < 0) {
        return w_nomem(w, err);
    }
    mf_buf_put(out, b->buf.data, b->buf.len);
    /* only strings and types are numbered by `first` */
    rc = mf_sink_submit(w->sink, b->kind,
                        b == &w->strs || b == &w->types ? b->total : 0,
                        b->count, 0, &e);
    if (rc != MF_OK) {
        return w_fail(w, rc, &e, err);
    }
    b->total += b->count;
    b->count = 0;
    b->buf.len = 0;
    return MF_OK;
}

static int
w_flush_objs(mf_writer *w, mf_error *err)
{
    mf_error e;
    mf_buf *out;
    size_t total = 0;
    int i, rc;

    if (w->block_count == 0) {
        return MF_OK;
    }
    /* strings and types first: the objects refer to them */
    if ((rc = w_flush_small(w, &w->strs, err)) != MF_OK
        || (rc = w_flush_small(w, &w->types, err)) != MF_OK) {
        return rc;
    }
    out = mf_sink_begin(w->sink);
    if (out == NULL) {
        rc = mf_sink_drain(w->sink, &e);
        return w_fail(w, rc, &e, err);
    }
    for (i = 0; i < MF_OBJS_COLUMNS; i++) {
        total += w->col[i].len;
    }
    if (mf_buf_reserve(out, W_OBJS_PREFIX_MAX + total) < 0) {
        return w_nomem(w, err);
    }
    mf_buf_put_varint(out, w->block_frontier);
    mf_buf_put_varint(out, MF_OBJS_COLUMNS);
    for (i = 0; i < MF_OBJS_COLUMNS; i++) {
        mf_buf_put_varint(out, w->col[i].len);
    }
    for (i = 0; i < MF_OBJS_COLUMNS; i++) {
        mf_buf_put(out, w->col[i].data, w->col[i].len);
        w->col[i].len = 0;
    }
    w->raw = 0;
    rc = mf_sink_submit(w->sink, MF_KIND_OBJS, w->block_first,
                        w->block_count, w->block_edges, &e);
    if (rc != MF_OK) {
        return w_fail(w, rc, &e, err);
    }
    w->block_first += w->block_count;
    w->block_count = 0;
    w->block_edges = 0;
    return MF_OK;
}

static int
w_small_room(mf_writer *w, w_small *b, size_t need, mf_error *err)
{
    if (b->count >= W_SMALL_COUNT || b->buf.len >= W_SMALL_RAW) {
        int rc;
        if (b != &w->strs && (rc = w_flush_small(w, &w->strs, err))) {
            return rc;
        }
        if ((rc = w_flush_small(w, b, err)) != MF_OK) {
            return rc;
        }
    }
    if (mf_buf_reserve(&b->buf, need) < 0) {
        return w_nomem(w, err);
    }
    return MF_OK;
}

/* Make a temporary file beside path: "<path>.tmp.<pid>.<random>". */
static int
w_create_temp(mf_writer *w, mf_error *err)
{
    size_t n = strlen(w->path) + 64;
    struct timespec ts;
    int attempt;

    w->tmp_path = malloc(n);
    if (w->tmp_path == NULL) {
        return mf_err(err, MF_E_NOMEM, "out of memory");
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    for (attempt = 0; attempt < 100; attempt++) {
        uint64_t r = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull
                     ^ (uint64_t)ts.tv_sec ^ ((uint64_t)attempt << 40)
                     ^ (uint64_t)(uintptr_t)w;
        r = mf_crc32c(0, &r, sizeof(r));
        snprintf(w->tmp_path, n, "%s.tmp.%ld.%08lx", w->path,
                 (long)getpid(), (unsigned long)(r & 0xffffffffu));
        w->fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                     0666);
        if (w->fd >= 0) {
            return MF_OK;
        }
        if (errno != EEXIST) {
            break;
        }
    }
    return mf_err_io(err, errno, "cannot create '%s'", w->tmp_path);
}

static void
w_free(mf_writer *w)
{
    int i;

    mf_sink_free(w->sink);
    if (w->fd >= 0) {
        close(w->fd);
    }
    mf_intern_free(&w->strings);
    mf_buf_free(&w->strs.buf);
    mf_buf_free(&w->types.buf);
    mf_buf_free(&w->roots.buf);
    mf_buf_free(&w->meta.buf);
    for (i = 0; i < MF_OBJS_COLUMNS; i++) {
        mf_buf_free(&w->col[i]);
    }
    free(w->tmp_path);
    free(w->path);
    free(w);
}

int
mf_writer_open(mf_writer **out, const char *path,
               const mf_write_options *opts, mf_error *err)
{
    mf_write_options o = {0, 0, 0};
    uint8_t header[MF_HEADER_SIZE];
    mf_writer *w;
    int rc;

    mf_err_clear(err);
    if (out == NULL) {
        return mf_err(err, MF_E_ARG, "no place for the writer");
    }
    *out = NULL;
    if (path == NULL || path[0] == '\0') {
        return mf_err(err, MF_E_ARG, "empty snapshot path");
    }
    if (opts) {
        o = *opts;
    }
    if (o.level == 0) {
        o.level = 1;
    }
    if (o.level < ZSTD_minCLevel() || o.level > ZSTD_maxCLevel()) {
        return mf_err(err, MF_E_ARG, "zstd level %d out of range", o.level);
    }
    if (o.block_objects == 0) {
        o.block_objects = 65536;
    }
    w = calloc(1, sizeof(*w));
    if (w == NULL || (w->path = strdup(path)) == NULL) {
        free(w);
        return mf_err(err, MF_E_NOMEM, "out of memory");
    }
    w->fd = -1;
    w->level = o.level;
    w->block_objects = o.block_objects;
    w->strs.kind = MF_KIND_STRS;
    w->types.kind = MF_KIND_TYPE;
    w->roots.kind = MF_KIND_ROOT;
    w->meta.kind = MF_KIND_META;
    if ((rc = w_create_temp(w, err)) != MF_OK) {
        w_free(w);
        return rc;
    }
    memcpy(header, MF_MAGIC, 8);
    mf_put_le16(header + 8, MF_FORMAT_MAJOR);
    mf_put_le16(header + 10, MF_FORMAT_MINOR);
    mf_put_le32(header + 12, 0);
    if (mf_write_all(w->fd, header, sizeof(header)) < 0) {
        rc = mf_err_io(err, errno, "cannot write '%s'", w->tmp_path);
        mf_writer_abort(w);
        return rc;
    }
    rc = mf_sink_open(&w->sink, w->fd, w->tmp_path, w->level,
                      o.threads < 0 ? -1 : 1, MF_HEADER_SIZE, err);
    if (rc != MF_OK) {
        mf_writer_abort(w);
        return rc;
    }
    *out = w;
    return MF_OK;
}

int
mf_writer_string(mf_writer *w, const char *s, size_t len, uint32_t *id,
                 mf_error *err)
{
    uint32_t local;
    int added, rc;

    if ((rc = w_check(w, err)) != MF_OK) {
        return rc;
    }
    if (id == NULL) {
        id = &local;
    }
    if (len > MF_MAX_STRING) {
        return mf_err(err, MF_E_LIMIT, "string of %zu bytes is longer than "
                      "the limit of %u", len, MF_MAX_STRING);
    }
    if (s == NULL && len > 0) {
        return mf_err(err, MF_E_ARG, "null string");
    }
    if ((rc = w_small_room(w, &w->strs, len + MF_VARINT_MAX, err))) {
        return rc;
    }
    if (mf_intern_add(&w->strings, s ? s : "", len, id, &added) < 0) {
        return w_nomem(w, err);
    }
    if (added) {
        mf_buf_put_varint(&w->strs.buf, len);
        mf_buf_put(&w->strs.buf, s, len);
        w->strs.count++;
    }
    return MF_OK;
}

static int
w_check_sid(mf_writer *w, uint32_t sid, int none_ok, const char *what,
            mf_error *err)
{
    if (sid == MF_NONE ? !none_ok : sid >= w->strings.n) {
        return mf_err(err, MF_E_ARG, "%s: string id %lu out of range "
                      "(%lu strings)", what, (unsigned long)sid,
                      (unsigned long)w->strings.n);
    }
    return MF_OK;
}

int
mf_writer_type(mf_writer *w, const mf_type *t, uint32_t *id, mf_error *err)
{
    w_small *b = &w->types;
    int rc;

    if ((rc = w_check(w, err)) != MF_OK) {
        return rc;
    }
    if ((rc = w_check_sid(w, t->module, 1, "type module", err))
        || (rc = w_check_sid(w, t->qualname, 1, "type qualname", err))) {
        return rc;
    }
    if (b->total + b->count >= MF_NONE) {
        return mf_err(err, MF_E_LIMIT, "too many types");
    }
    if ((rc = w_small_room(w, b, 4 * MF_VARINT_MAX, err)) != MF_OK) {
        return rc;
    }
    mf_buf_put_varint(&b->buf, t->address);
    mf_buf_put_varint(&b->buf, t->module == MF_NONE ? 0 : t->module + 1ull);
    mf_buf_put_varint(&b->buf,
                      t->qualname == MF_NONE ? 0 : t->qualname + 1ull);
    mf_buf_put_varint(&b->buf, t->flags);
    if (id) {
        *id = (uint32_t)(b->total + b->count);
    }
    b->count++;
    return MF_OK;
}

void
mf_writer_set_frontier(mf_writer *w, uint32_t next_fresh)
{
    w->hint = next_fresh;
    w->hint_set = 1;
}

uint32_t
mf_writer_object_count(const mf_writer *w)
{
    return (uint32_t)w->n_objects;
}

/* The checks of an object that do not depend on its edges. */
static int
w_check_object(mf_writer *w, const mf_object *o, const mf_edge *edges,
               size_t n_edges, mf_error *err)
{
    uint64_t n_types = w->types.total + w->types.count;
    int rc;

    if (w->n_objects >= MF_NONE) {
        return mf_err(err, MF_E_LIMIT, "too many objects (at most %lu)",
                      (unsigned long)MF_NONE);
    }
    if (o->type >= n_types) {
        return mf_err(err, MF_E_ARG, "object %llu: type id %lu out of range "
                      "(%llu types)", (unsigned long long)w->n_objects,
                      (unsigned long)o->type, (unsigned long long)n_types);
    }
    if ((o->flags & MF_OBJ_HAS_NAME)
        && (rc = w_check_sid(w, o->name, 0, "object name", err))) {
        return rc;
    }
    if ((o->flags & MF_OBJ_HAS_VALUE)
        && (rc = w_check_sid(w, o->value, 0, "object value", err))) {
        return rc;
    }
    if (n_edges > 0 && edges == NULL) {
        return mf_err(err, MF_E_ARG, "object %llu: null edges",
                      (unsigned long long)w->n_objects);
    }
    return MF_OK;
}

/* The error of edge i of the object being written (see w_put_edges). */
static int
w_edge_error(mf_writer *w, const mf_edge *e, size_t i, mf_error *err)
{
    if (e->target == MF_NONE) {
        return mf_err(err, MF_E_ARG, "object %llu: edge %zu has no "
                      "target", (unsigned long long)w->n_objects, i);
    }
    return mf_err(err, MF_E_ARG, "object %llu: edge %zu label: "
                  "string id %llu out of range (%lu strings)",
                  (unsigned long long)w->n_objects, i,
                  (unsigned long long)e->label,
                  (unsigned long)w->strings.n);
}

/* Edges are encoded in chunks of this many, each with its own reserve,
 * so that one huge object does not inflate the columns 10 times over. */
#define W_EDGE_CHUNK 4096

/* the state of w_put_edges() across chunks */
typedef struct w_edge_state {
    uint64_t base, frontier, max_ref, prev_index;
} w_edge_state;

/*
 * The hot path of a dump: encode edges [from, to) at the ends of the three
 * edge columns through local pointers (room reserved by the caller),
 * checking them on the way, and advance the columns' lengths.  Returns
 * `to`, or the index of the first bad edge (the caller then restores the
 * lengths).
 */
static size_t
w_put_edges(mf_writer *w, const mf_edge *edges, size_t from, size_t to,
            w_edge_state *st)
{
    mf_buf *c = w->col;
    uint8_t *pt = c[MF_C_EDGE_TARGET].data + c[MF_C_EDGE_TARGET].len;
    uint8_t *pk = c[MF_C_EDGE_KIND].data + c[MF_C_EDGE_KIND].len;
    uint8_t *pl = c[MF_C_EDGE_LABEL].data + c[MF_C_EDGE_LABEL].len;
    uint64_t base = st->base, frontier = st->frontier;
    uint64_t max_ref = st->max_ref, prev_index = st->prev_index;
    uint64_t n_strings = w->strings.n;
    size_t i;

    for (i = from; i < to; i++) {
        const mf_edge *e = &edges[i];
        uint64_t t = e->target;
        unsigned kind = e->kind;

        if (t == MF_NONE) {
            break;
        }
        if (t == frontier) {
            *pt++ = 0;
            frontier++;
        } else {
            pt += mf_varint_put(pt, mf_zigzag(t - base) + 1);
            if (t >= frontier) {
                /* resynchronise a stale hint: in a breadth-first walk a
                   target beyond the frontier is the newest object */
                frontier = t + 1;
            }
        }
        base = t;
        if (t >= max_ref) {
            max_ref = t + 1;
        }
        *pk++ = (uint8_t)kind;
        if ((kind & MF_EDGE_KIND_MASK) == MF_EDGE_INDEX) {
            pl += mf_varint_put(pl, mf_zigzag(e->label - (prev_index + 1)));
            prev_index = e->label;
        } else {
            switch (MF_EDGE_CLASS(kind)) {
            case MF_LABEL_STRING:
                if (e->label >= n_strings) {
                    goto out;
                }
                /* fall through */
            case MF_LABEL_UINT:
                pl += mf_varint_put(pl, e->label);
                break;
            case MF_LABEL_SINT:
                pl += mf_varint_put(pl, mf_zigzag(e->label));
                break;
            default:
                break;
            }
        }
    }
out:
    st->base = base;
    st->frontier = frontier;
    st->max_ref = max_ref;
    st->prev_index = prev_index;
    c[MF_C_EDGE_TARGET].len = (size_t)(pt - c[MF_C_EDGE_TARGET].data);
    c[MF_C_EDGE_KIND].len = (size_t)(pk - c[MF_C_EDGE_KIND].data);
    c[MF_C_EDGE_LABEL].len = (size_t)(pl - c[MF_C_EDGE_LABEL].data);
    return i;
}

/* The exact bytes of the object's non-edge columns (the rare path). */
static size_t
w_fixed_len(const mf_writer *w, const mf_object *o, size_t n_edges)
{
    size_t n;

    n = mf_varint_len(w->block_count == 0
                      ? o->address
                      : mf_zigzag(o->address - w->prev_address));
    n += mf_varint_len(o->type) + mf_varint_len(o->size)
         + mf_varint_len(o->flags) + mf_varint_len(n_edges);
    if (o->flags & MF_OBJ_HAS_LENGTH) {
        n += mf_varint_len(o->length);
    }
    if (o->flags & MF_OBJ_HAS_NAME) {
        n += mf_varint_len(o->name);
    }
    if (o->flags & MF_OBJ_HAS_VALUE) {
        n += mf_varint_len(o->value);
    }
    return n;
}

int
mf_writer_object(mf_writer *w, const mf_object *o, const mf_edge *edges,
                 size_t n_edges, mf_error *err)
{
    uint64_t idx, worst;
    mf_buf *c = w->col;
    w_edge_state st;
    uint8_t *p;
    size_t i, next, before, saved[3];
    int rc;

    if ((rc = w_check(w, err)) != MF_OK) {
        return rc;
    }
    if ((rc = w_check_object(w, o, edges, n_edges, err)) != MF_OK) {
        return rc;
    }
    worst = W_OBJECT_MAX + (uint64_t)n_edges * W_EDGE_MAX;
    if (w->block_count > 0
        && (w->block_count >= w->block_objects
            || w->block_edges + (uint64_t)n_edges > W_BLOCK_EDGES
            || w->raw >= W_BLOCK_RAW
            || w->raw + worst > MF_MAX_RAW - W_OBJS_PREFIX_MAX)) {
        if ((rc = w_flush_objs(w, err)) != MF_OK) {
            return rc;
        }
    }
    if (w->block_count == 0) {
        if (w->hint_set) {
            w->frontier = w->hint;
            w->hint_set = 0;
        }
        w->block_frontier = w->frontier;
    }
    /* the non-edge columns are reserved for W_OBJ_BATCH objects at a
     * time: one check per object instead of one per column */
    if (w->obj_room == 0) {
        for (i = 0; i < MF_C_EDGE_TARGET; i++) {
            if (mf_buf_reserve(&c[i], W_OBJ_BATCH * MF_VARINT_MAX) < 0) {
                return w_nomem(w, err);
            }
        }
        w->obj_room = W_OBJ_BATCH;
    }
    idx = w->n_objects;
    saved[0] = c[MF_C_EDGE_TARGET].len;
    saved[1] = c[MF_C_EDGE_KIND].len;
    saved[2] = c[MF_C_EDGE_LABEL].len;
    st.base = idx;
    st.frontier = w->frontier;
    st.max_ref = w->max_ref;
    st.prev_index = UINT64_MAX;
    for (i = 0; i < n_edges; i = next) {
        size_t k = n_edges - i < W_EDGE_CHUNK ? n_edges - i : W_EDGE_CHUNK;

        /* a target is at most 5 bytes (a zigzag of 33 bits, plus one) */
        if (mf_buf_reserve(&c[MF_C_EDGE_TARGET], k * 5) < 0
            || mf_buf_reserve(&c[MF_C_EDGE_KIND], k) < 0
            || mf_buf_reserve(&c[MF_C_EDGE_LABEL], k * MF_VARINT_MAX) < 0) {
            rc = w_nomem(w, err);
            goto undo;
        }
        next = w_put_edges(w, edges, i, i + k, &st);
        if (next < i + k) {
            rc = w_edge_error(w, &edges[next], next, err);
            goto undo;
        }
    }
    before = w->raw;
    w->raw += (c[MF_C_EDGE_TARGET].len - saved[0])
              + (c[MF_C_EDGE_KIND].len - saved[1])
              + (c[MF_C_EDGE_LABEL].len - saved[2]);
    if (w->raw + W_OBJECT_MAX > MF_MAX_RAW - W_OBJS_PREFIX_MAX
        && w->raw + w_fixed_len(w, o, n_edges)
           > MF_MAX_RAW - W_OBJS_PREFIX_MAX) {
        /* one object alone is too big for a block: refuse it */
        w->raw = before;
        rc = mf_err(err, MF_E_LIMIT, "object %llu: %zu edges do not fit "
                    "in one block of %u bytes", (unsigned long long)idx,
                    n_edges, MF_MAX_RAW);
        goto undo;
    }

    /* the lengths are summed in a local: w->raw would be reloaded after
     * every byte store (uint8_t may alias it) */
    before = 0;
#define W_PUT(col, v) \
    do { \
        p = c[col].data + c[col].len; \
        i = mf_varint_put(p, (v)); \
        c[col].len += i; \
        before += i; \
    } while (0)
    W_PUT(MF_C_ADDRESS, w->block_count == 0
                        ? o->address
                        : mf_zigzag(o->address - w->prev_address));
    W_PUT(MF_C_TYPE, o->type);
    W_PUT(MF_C_SIZE, o->size);
    W_PUT(MF_C_FLAGS, o->flags);
    if (o->flags & MF_OBJ_HAS_LENGTH) {
        W_PUT(MF_C_LENGTH, o->length);
    }
    if (o->flags & MF_OBJ_HAS_NAME) {
        W_PUT(MF_C_NAME, o->name);
    }
    if (o->flags & MF_OBJ_HAS_VALUE) {
        W_PUT(MF_C_VALUE, o->value);
    }
    W_PUT(MF_C_EDGE_COUNT, n_edges);
    w->raw += before;
    w->obj_room--;
#undef W_PUT
    w->frontier = st.frontier;
    w->max_ref = st.max_ref;
    w->prev_address = o->address;
    w->n_objects++;
    w->n_edges += n_edges;
    w->total_size += o->size;
    w->block_count++;
    w->block_edges += (uint32_t)n_edges;
    return MF_OK;

undo:
    c[MF_C_EDGE_TARGET].len = saved[0];
    c[MF_C_EDGE_KIND].len = saved[1];
    c[MF_C_EDGE_LABEL].len = saved[2];
    return rc;
}

int
mf_writer_root(mf_writer *w, const mf_root *root, mf_error *err)
{
    w_small *b = &w->roots;
    int rc;

    if ((rc = w_check(w, err)) != MF_OK) {
        return rc;
    }
    if (root->object == MF_NONE) {
        return mf_err(err, MF_E_ARG, "root without an object");
    }
    if ((rc = w_check_sid(w, root->label, 1, "root label", err))) {
        return rc;
    }
    if ((rc = w_small_room(w, b, 3 * MF_VARINT_MAX, err)) != MF_OK) {
        return rc;
    }
    mf_buf_put_varint(&b->buf, root->object);
    mf_buf_put_varint(&b->buf, root->kind);
    mf_buf_put_varint(&b->buf, root->label == MF_NONE ? 0
                                                      : root->label + 1ull);
    if (root->object + 1ull > w->max_ref) {
        w->max_ref = root->object + 1ull;
    }
    b->count++;
    return MF_OK;
}

static int
w_meta(mf_writer *w, const char *key, uint32_t kind, const char *sval,
       uint64_t bits, mf_error *err)
{
    w_small *b = &w->meta;
    uint32_t kid, vid = 0;
    int rc;

    if ((rc = w_check(w, err)) != MF_OK) {
        return rc;
    }
    if (key == NULL || (kind == MF_META_STR && sval == NULL)) {
        return mf_err(err, MF_E_ARG, "null meta key or value");
    }
    if ((rc = mf_writer_string(w, key, strlen(key), &kid, err))) {
        return rc;
    }
    if (kind == MF_META_STR
        && (rc = mf_writer_string(w, sval, strlen(sval), &vid, err))) {
        return rc;
    }
    if ((rc = w_small_room(w, b, 3 * MF_VARINT_MAX, err)) != MF_OK) {
        return rc;
    }
    mf_buf_put_varint(&b->buf, kid + 1ull);
    mf_buf_put_varint(&b->buf, kind);
    if (kind == MF_META_STR) {
        mf_buf_put_varint(&b->buf, vid + 1ull);
    } else if (kind == MF_META_INT) {
        mf_buf_put_varint(&b->buf, mf_zigzag(bits));
    } else {
        uint8_t f[8];
        mf_put_le64(f, bits);
        mf_buf_put(&b->buf, f, 8);
    }
    b->count++;
    return MF_OK;
}

int
mf_writer_meta_str(mf_writer *w, const char *key, const char *value,
                   mf_error *err)
{
    return w_meta(w, key, MF_META_STR, value, 0, err);
}

int
mf_writer_meta_int(mf_writer *w, const char *key, int64_t value,
                   mf_error *err)
{
    return w_meta(w, key, MF_META_INT, NULL, (uint64_t)value, err);
}

int
mf_writer_meta_float(mf_writer *w, const char *key, double value,
                     mf_error *err)
{
    uint64_t bits;

    memcpy(&bits, &value, sizeof(bits));
    return w_meta(w, key, MF_META_FLOAT, NULL, bits, err);
}

static void
w_put_varint(mf_buf *b, uint64_t v)
{
    mf_buf_put_varint(b, v);
}

/* The TOC payload: every block so far, then the totals. */
static int
w_write_toc(mf_writer *w, mf_error *err)
{
    const mf_toc_entry *e;
    mf_error e2;
    size_t n, i;
    mf_buf *out;
    int rc;

    if ((rc = mf_sink_drain(w->sink, &e2)) != MF_OK) {
        return w_fail(w, rc, &e2, err);
    }
    e = mf_sink_entries(w->sink, &n);
    out = mf_sink_begin(w->sink);
    if (out == NULL || mf_buf_reserve(out, (n * 5 + 8) * MF_VARINT_MAX) < 0) {
        return w_nomem(w, err);
    }
    w_put_varint(out, n);
    for (i = 0; i < n; i++) {
        w_put_varint(out, e[i].kind);
        w_put_varint(out, e[i].offset);
        w_put_varint(out, e[i].first);
        w_put_varint(out, e[i].count);
        w_put_varint(out, e[i].aux);
    }
    w_put_varint(out, w->n_objects);
    w_put_varint(out, w->n_edges);
    w_put_varint(out, w->strings.n);
    w_put_varint(out, w->types.total);
    w_put_varint(out, w->roots.total);
    w_put_varint(out, w->meta.total);
    w_put_varint(out, w->total_size);
    rc = mf_sink_submit(w->sink, MF_KIND_TOC, 0, (uint32_t)n, 0, &e2);
    if (rc == MF_OK) {
        rc = mf_sink_drain(w->sink, &e2);
    }
    if (rc != MF_OK) {
        return w_fail(w, rc, &e2, err);
    }
    return MF_OK;
}

/* fsync the directory holding path, so the rename is durable. */
static int
w_sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    int fd, rc = 0;

    if (slash == NULL) {
        dir = strdup(".");
    } else if (slash == path) {
        dir = strdup("/");
    } else {
        dir = strndup(path, (size_t)(slash - path));
    }
    if (dir == NULL) {
        return 0;
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS) {
            rc = -1;
        }
        close(fd);
    }
    free(dir);
    return rc;
}

int
mf_writer_close(mf_writer *w, mf_write_stats *stats, mf_error *err)
{
    const mf_toc_entry *e;
    uint8_t footer[MF_FOOTER_SIZE];
    size_t n;
    int rc;

    mf_err_clear(err);
    if (w == NULL) {
        return mf_err(err, MF_E_ARG, "no writer");
    }
    if ((rc = w_check(w, err)) != MF_OK) {
        goto fail;
    }
    if (w->max_ref > w->n_objects) {
        rc = mf_err(err, MF_E_CORRUPT, "an edge or root refers to object "
                    "%llu but only %llu objects were written",
                    (unsigned long long)(w->max_ref - 1),
                    (unsigned long long)w->n_objects);
        goto fail;
    }
    if ((rc = w_flush_small(w, &w->strs, err))
        || (rc = w_flush_small(w, &w->types, err))
        || (rc = w_flush_objs(w, err))
        || (rc = w_flush_small(w, &w->roots, err))
        || (rc = w_flush_small(w, &w->meta, err))
        || (rc = w_write_toc(w, err))) {
        goto fail;
    }
    e = mf_sink_entries(w->sink, &n);
    mf_put_le64(footer, e[n - 1].offset);
    mf_put_le32(footer + 8, e[n - 1].size);
    mf_put_le32(footer + 12, mf_crc32c(0, footer, 12));
    memcpy(footer + 16, MF_END_MAGIC, 8);
    if (mf_write_all(w->fd, footer, sizeof(footer)) < 0) {
        rc = mf_err_io(err, errno, "cannot write '%s'", w->tmp_path);
        goto fail;
    }
    if (fsync(w->fd) < 0 && errno != EINVAL && errno != EROFS) {
        rc = mf_err_io(err, errno, "cannot sync '%s'", w->tmp_path);
        goto fail;
    }
    if (close(w->fd) < 0) {
        w->fd = -1;
        rc = mf_err_io(err, errno, "cannot close '%s'", w->tmp_path);
        goto fail;
    }
    w->fd = -1;
    if (rename(w->tmp_path, w->path) < 0) {
        rc = mf_err_io(err, errno, "cannot rename '%s' to '%s'",
                       w->tmp_path, w->path);
        goto fail;
    }
    if (w_sync_dir(w->path) < 0) {
        /* the file is complete and in place; only durability is unsure */
        rc = mf_err_io(err, errno, "cannot sync the directory of '%s'",
                       w->path);
        w_free(w);
        return rc;
    }
    if (stats) {
        stats->objects = w->n_objects;
        stats->edges = w->n_edges;
        stats->strings = w->strings.n;
        stats->types = w->types.total;
        stats->roots = w->roots.total;
        stats->meta = w->meta.total;
        stats->total_size = w->total_size;
        stats->file_bytes = mf_sink_offset(w->sink) + MF_FOOTER_SIZE;
        stats->raw_bytes = mf_sink_raw_bytes(w->sink);
    }
    w_free(w);
    return MF_OK;

fail:
    mf_writer_abort(w);
    return rc;
}

void
mf_writer_abort(mf_writer *w)
{
    if (w == NULL) {
        return;
    }
    mf_sink_free(w->sink);
    w->sink = NULL;
    if (w->fd >= 0) {
        close(w->fd);
        w->fd = -1;
    }
    if (w->tmp_path) {
        unlink(w->tmp_path);
    }
    w_free(w);
}
