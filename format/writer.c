/*
 * writer.c - mf_writer: streams a snapshot into a temporary file, then
 * renames it into place (the atomic file of muppy_util.h).
 *
 * Objects are checked as they come and staged, edges and all, in a batch
 * (objenc.h); a full batch is handed to the sink (sink.h), whose worker
 * thread column-codes it into OBJS blocks (objenc.c) while a second
 * thread compresses and writes them, so the caller (a dump holding the
 * GIL) only pays for the checks and the staging.  Before
 * any batch or block that can refer to strings or types, the pending STRS
 * (and TYPE) records are flushed, so every prefix of the file refers only
 * to what precedes it; that is what makes a truncated file useful to a
 * partial reader.
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
#include "objenc.h"
#include "sink.h"

/* Flush a STRS/TYPE/ROOT/META block at this many records or raw bytes. */
#define W_SMALL_COUNT 65536u
#define W_SMALL_RAW   (1u << 20)
/* Hand a batch of staged objects to the sink before it grows past this
 * many bytes (unless one object is bigger), or at block_objects objects:
 * small enough to stay in cache, big enough that the hand-over costs
 * nothing.  A power of two: buffers grow by doubling. */
#define W_BATCH_BYTES (256u << 10)

typedef struct w_small {
    uint32_t kind;
    uint64_t total;         /* records written before this block */
    uint32_t count;         /* records in the pending block */
    mf_buf buf;
} w_small;

struct mf_writer {
    int fd;
    int to_fd;              /* streaming into a caller's descriptor */
    char *path;             /* the final name, or the stream's */
    mf_atomic file;         /* not streaming: the temporary file */
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
    mf_buf batch;           /* staged objects not yet handed over */
    mf_edge *room;          /* from mf_writer_edges(), or NULL */
    size_t room_edges;
    uint32_t batch_count;
    uint64_t hint;          /* for the next batch, or MF_OBJENC_NO_HINT */
    mf_objenc *enc;         /* the sink's, once the writer is open */
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

/* Append a pending small block to the batch (see objenc.h). */
static int
w_batch_small(mf_writer *w, w_small *b, mf_error *err)
{
    mf_staged_block h;
    size_t pad = (8 - b->buf.len % 8) % 8;

    if (b->count == 0) {
        return MF_OK;
    }
    if (mf_buf_reserve(&w->batch, sizeof(h) + b->buf.len + pad) < 0) {
        return w_nomem(w, err);
    }
    h.kind = b->kind;
    h.count = b->count;
    h.first = b->total;
    h.len = b->buf.len;
    mf_buf_put(&w->batch, &h, sizeof(h));
    mf_buf_put(&w->batch, b->buf.data, b->buf.len);
    memset(w->batch.data + w->batch.len, 0, pad);
    w->batch.len += pad;
    return MF_OK;
}

/* The batch's small blocks are counted as written once it is submitted */
static void
w_small_sent(w_small *b)
{
    b->total += b->count;
    b->count = 0;
    b->buf.len = 0;
}

/*
 * Hand the staged objects to the sink, strings and types first (the
 * objects refer to them).  `flags` MF_OBJENC_FLUSH also ends the block
 * being coded.
 */
static int
w_submit_batch(mf_writer *w, uint32_t flags, mf_error *err)
{
    mf_error e;
    mf_buf *out, swap;
    uint64_t objs_len;
    int rc;

    w->room = NULL;
    if (w->batch.len == 0 && !(flags & MF_OBJENC_FLUSH)) {
        return MF_OK;
    }
    /* pending strings and types travel in the batch (objenc.h): a slot
     * of their own would halve the batches the sink can queue */
    objs_len = w->batch.len;
    if ((rc = w_batch_small(w, &w->strs, err)) != MF_OK
        || (rc = w_batch_small(w, &w->types, err)) != MF_OK) {
        w->batch.len = objs_len;
        return rc;
    }
    if (mf_buf_reserve(&w->batch, 8) < 0) {
        w->batch.len = objs_len;
        return w_nomem(w, err);
    }
    memcpy(w->batch.data + w->batch.len, &objs_len, 8);
    w->batch.len += 8;
    out = mf_sink_begin(w->sink);
    if (out == NULL) {
        rc = mf_sink_drain(w->sink, &e);
        return w_fail(w, rc, &e, err);
    }
    /* the batch becomes the slot's buffer, and the slot's old buffer the
     * next batch's: no copy */
    swap = *out;
    *out = w->batch;
    w->batch = swap;
    w->batch.len = 0;
    if (w->batch.cap > 2 * W_BATCH_BYTES) {
        /* grown by a huge object: do not keep it for the whole file */
        mf_buf_free(&w->batch);
    }
    rc = mf_sink_submit(w->sink, MF_SINK_TRANSFORM, w->hint, 0, flags, &e);
    if (rc != MF_OK) {
        return w_fail(w, rc, &e, err);
    }
    w_small_sent(&w->strs);
    w_small_sent(&w->types);
    w->hint = MF_OBJENC_NO_HINT;
    w->batch_count = 0;
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

/* Make the temporary file beside path (muppy_util.h). */
static int
w_create_temp(mf_writer *w, mf_error *err)
{
    if (mf_atomic_open(&w->file, w->path) < 0) {
        if (w->file.tmp == NULL) {
            return mf_err(err, MF_E_NOMEM, "out of memory");
        }
        return mf_err_io(err, errno, "cannot create '%s'", w->file.tmp);
    }
    w->fd = w->file.fd;
    return MF_OK;
}

static void
w_free(mf_writer *w)
{
    mf_sink_free(w->sink);
    if (w->fd >= 0) {
        close(w->fd);
    }
    mf_intern_free(&w->strings);
    mf_buf_free(&w->strs.buf);
    mf_buf_free(&w->types.buf);
    mf_buf_free(&w->roots.buf);
    mf_buf_free(&w->meta.buf);
    mf_objenc_free(w->enc);
    mf_buf_free(&w->batch);
    free(w->file.path);
    free(w->file.tmp);
    free(w->path);
    free(w);
}

/* The writer for `path` (a file name, or a stream's name when fd >= 0),
 * with the header written and the sink started. */
static int
w_open(mf_writer **out, const char *path, int fd,
       const mf_write_options *opts, mf_error *err)
{
    mf_write_options o = {0, 0, 0};
    uint8_t header[MF_HEADER_SIZE];
    mf_writer *w;
    const char *what;
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
    w->hint = MF_OBJENC_NO_HINT;
    w->enc = mf_objenc_new(o.block_objects);
    if (w->enc == NULL) {
        w_free(w);
        return mf_err(err, MF_E_NOMEM, "out of memory");
    }
    w->strs.kind = MF_KIND_STRS;
    w->types.kind = MF_KIND_TYPE;
    w->roots.kind = MF_KIND_ROOT;
    w->meta.kind = MF_KIND_META;
    if (fd >= 0) {
        w->to_fd = 1;
        w->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (w->fd < 0) {
            rc = mf_err_io(err, errno, "cannot use '%s'", path);
            w_free(w);
            return rc;
        }
    }
    else if ((rc = w_create_temp(w, err)) != MF_OK) {
        w_free(w);
        return rc;
    }
    what = w->to_fd ? w->path : w->file.tmp;
    memcpy(header, MF_MAGIC, 8);
    mf_put_le16(header + 8, MF_FORMAT_MAJOR);
    mf_put_le16(header + 10, MF_FORMAT_MINOR);
    mf_put_le32(header + 12, 0);
    if (mf_write_all(w->fd, header, sizeof(header)) < 0) {
        rc = mf_err_io(err, errno, "cannot write '%s'", what);
        mf_writer_abort(w);
        return rc;
    }
    rc = mf_sink_open(&w->sink, w->fd, what, w->level,
                      o.threads < 0 ? -1 : 1, MF_HEADER_SIZE, err);
    if (rc != MF_OK) {
        mf_writer_abort(w);
        return rc;
    }
    mf_sink_set_transform(w->sink, mf_objenc_run, w->enc);
    *out = w;
    return MF_OK;
}

int
mf_writer_open(mf_writer **out, const char *path,
               const mf_write_options *opts, mf_error *err)
{
    return w_open(out, path, -1, opts, err);
}

int
mf_writer_open_fd(mf_writer **out, int fd, const char *name,
                  const mf_write_options *opts, mf_error *err)
{
    if (fd < 0) {
        mf_err_clear(err);
        if (out != NULL) {
            *out = NULL;
        }
        return mf_err(err, MF_E_ARG, "bad file descriptor %d", fd);
    }
    return w_open(out, name, fd, opts, err);
}

const char *
mf_writer_temp_path(const mf_writer *w)
{
    return w == NULL || w->to_fd ? NULL : w->file.tmp;
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
    mf_error err;

    /* the hint is for blocks after the objects written so far */
    if (w->batch.len > 0 && w_submit_batch(w, 0, &err) != MF_OK) {
        return;     /* the error is sticky: the next call reports it */
    }
    w->hint = next_fresh;
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

/* The error of edge i of the object being written. */
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

/* Room for `need` more bytes in the batch, handing the batch over first
 * when they would take it past W_BATCH_BYTES; NULL on failure. */
static uint8_t *
w_batch_room(mf_writer *w, size_t need, mf_error *err)
{
    if (w->batch.len > 0 && w->batch.len + need > W_BATCH_BYTES
        && w_submit_batch(w, 0, err) != MF_OK) {
        return NULL;
    }
    if (mf_buf_reserve(&w->batch, need) < 0) {
        w_nomem(w, err);
        return NULL;
    }
    return w->batch.data + w->batch.len;
}

mf_edge *
mf_writer_edges(mf_writer *w, size_t n_edges, mf_error *err)
{
    uint8_t *p;

    w->room = NULL;
    if (w_check(w, err) != MF_OK) {
        return NULL;
    }
    if (n_edges > (SIZE_MAX - sizeof(mf_staged)) / sizeof(mf_edge)) {
        mf_err(err, MF_E_LIMIT, "%zu edges: too many", n_edges);
        return NULL;
    }
    p = w_batch_room(w, sizeof(mf_staged) + n_edges * sizeof(mf_edge), err);
    if (p == NULL) {
        return NULL;
    }
    w->room = (mf_edge *)(void *)(p + sizeof(mf_staged));
    w->room_edges = n_edges;
    return w->room;
}

/*
 * The hot path of a dump: check the edges and stage the object, with a
 * copy of the edges unless they were written in place (mf_writer_edges());
 * the coding happens on the sink's worker (objenc.c).
 */
int
mf_writer_object(mf_writer *w, const mf_object *o, const mf_edge *edges,
                 size_t n_edges, mf_error *err)
{
    uint64_t max_ref = w->max_ref, n_strings = w->strings.n;
    size_t i, need;
    mf_staged *so;
    int rc;

    if ((rc = w_check(w, err)) != MF_OK) {
        return rc;
    }
    if (edges != NULL && edges == w->room && n_edges > w->room_edges) {
        return mf_err(err, MF_E_ARG, "object %llu: %zu edges in room for "
                      "%zu", (unsigned long long)w->n_objects, n_edges,
                      w->room_edges);
    }
    if ((rc = w_check_object(w, o, edges, n_edges, err)) != MF_OK
        || (rc = mf_objenc_check(o, edges, n_edges, w->n_objects, err))
           != MF_OK) {
        return rc;
    }
    for (i = 0; i < n_edges; i++) {
        const mf_edge *e = &edges[i];
        unsigned kind = e->kind;

        if (e->target == MF_NONE
            || ((kind & MF_EDGE_KIND_MASK) != MF_EDGE_INDEX
                && MF_EDGE_CLASS(kind) == MF_LABEL_STRING
                && e->label >= n_strings)) {
            return w_edge_error(w, e, i, err);
        }
        if (e->target >= max_ref) {
            max_ref = e->target + 1ull;
        }
    }
    need = sizeof(mf_staged) + n_edges * sizeof(mf_edge);
    if (edges == NULL || edges != w->room) {
        if (w_batch_room(w, need, err) == NULL) {
            return w->failed ? w->failed : MF_E_NOMEM;
        }
        if (n_edges > 0) {
            memcpy(w->batch.data + w->batch.len + sizeof(mf_staged), edges,
                   n_edges * sizeof(mf_edge));
        }
    }
    w->room = NULL;
    so = (mf_staged *)(void *)(w->batch.data + w->batch.len);
    so->obj = *o;
    so->n_edges = n_edges;
    w->batch.len += need;
    w->batch_count++;
    w->max_ref = max_ref;
    w->n_objects++;
    w->n_edges += n_edges;
    w->total_size += o->size;
    if (w->batch_count >= w->block_objects) {
        return w_submit_batch(w, 0, err);
    }
    return MF_OK;
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
    }
    else if (kind == MF_META_INT) {
        mf_buf_put_varint(&b->buf, mf_zigzag(bits));
    }
    else {
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

int
mf_writer_close(mf_writer *w, mf_write_stats *stats, mf_error *err)
{
    const mf_toc_entry *e;
    uint8_t footer[MF_FOOTER_SIZE];
    const char *what;
    size_t n;
    int rc, sync;

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
    if ((rc = w_submit_batch(w, MF_OBJENC_FLUSH, err))
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
    what = w->to_fd ? w->path : w->file.tmp;
    if (mf_write_all(w->fd, footer, sizeof(footer)) < 0) {
        rc = mf_err_io(err, errno, "cannot write '%s'", what);
        goto fail;
    }
    if (w->to_fd) {
        /* a pipe or a terminal cannot be synced (EINVAL): nothing to do */
        if (fsync(w->fd) < 0 && errno != EINVAL && errno != EROFS
            && errno != ENOTSUP) {
            rc = mf_err_io(err, errno, "cannot sync '%s'", what);
            goto fail;
        }
        sync = close(w->fd) < 0 ? -2 : 0;
    }
    else {
        sync = mf_atomic_sync(&w->file);
    }
    w->fd = -1;
    if (sync != 0) {
        rc = mf_err_io(err, errno, sync == -1 ? "cannot sync '%s'"
                                              : "cannot close '%s'", what);
        goto fail;
    }
    if (!w->to_fd) {
        sync = mf_atomic_rename(&w->file);
        if (sync < 0) {
            rc = mf_err_io(err, errno, "cannot rename '%s' to '%s'",
                           w->file.tmp, w->path);
            goto fail;
        }
        if (sync > 0) {
            /* the file is complete and in place; only durability is
             * unsure */
            rc = mf_err_io(err, errno, "cannot sync the directory of '%s'",
                           w->path);
            w_free(w);
            return rc;
        }
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
    w->file.fd = -1;        /* closed above, as w->fd */
    if (!w->to_fd) {
        mf_atomic_abort(&w->file);
    }
    w_free(w);
}
