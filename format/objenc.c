/*
 * objenc.c - the OBJS block encoder (see objenc.h).
 */
#include "objenc.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

/* End an OBJS block early when it holds this many edges or raw bytes. */
#define OE_BLOCK_EDGES (1u << 20)
#define OE_BLOCK_RAW   (16u << 20)
/* Room for the OBJS prefix: frontier, n_columns, 11 column sizes. */
#define OE_PREFIX_MAX ((2 + MF_OBJS_COLUMNS) * MF_VARINT_MAX)
/* The most raw column bytes one block may hold. */
#define OE_RAW_LIMIT (MF_MAX_RAW - OE_PREFIX_MAX)
/* Objects whose fixed columns are reserved at once. */
#define OE_OBJ_BATCH 256u
/* Worst-case bytes of one object without its edges, and of one edge. */
#define OE_OBJECT_MAX (8 * MF_VARINT_MAX)
#define OE_EDGE_MAX (2 * MF_VARINT_MAX + 1)
/* Edges are coded in chunks of this many, each with its own reserve, so
 * that one huge object does not inflate the columns 10 times over. */
#define OE_EDGE_CHUNK 4096
/* Buffers kept whatever their use (see mf_buf_trim()). */
#define OE_KEEP_BYTES (256u << 10)

/* a cache line: see mf_objenc_new() in objenc.h */
#define OE_LINE 64

mf_objenc *
mf_objenc_new(uint32_t block_objects)
{
    size_t size = (sizeof(mf_objenc) + OE_LINE - 1) / OE_LINE * OE_LINE;
    mf_objenc *e = aligned_alloc(OE_LINE, size);

    if (e != NULL) {
        memset(e, 0, sizeof(*e));
        e->block_objects = block_objects;
    }
    return e;
}

void
mf_objenc_free(mf_objenc *e)
{
    int i;

    if (e == NULL) {
        return;
    }
    for (i = 0; i < MF_OBJS_COLUMNS; i++) {
        mf_buf_free(&e->col[i]);
    }
    mf_buf_free(&e->payload);
    free(e);
}

/* The label bytes of edge e; *prev_index follows the INDEX delta chain. */
static size_t
oe_label_len(const mf_edge *e, uint64_t *prev_index)
{
    if ((e->kind & MF_EDGE_KIND_MASK) == MF_EDGE_INDEX) {
        size_t n = mf_varint_len(mf_zigzag(e->label - (*prev_index + 1)));
        *prev_index = e->label;
        return n;
    }
    switch (MF_EDGE_CLASS(e->kind)) {
    case MF_LABEL_STRING:
    case MF_LABEL_UINT:
        return mf_varint_len(e->label);
    case MF_LABEL_SINT:
        return mf_varint_len(mf_zigzag(e->label));
    default:
        return 0;
    }
}

int
mf_objenc_check(const mf_object *o, const mf_edge *edges, size_t n_edges,
                uint64_t index, mf_error *err)
{
    uint64_t bound, base = index, prev_index = UINT64_MAX;
    size_t i;

    if (n_edges <= (OE_RAW_LIMIT - OE_OBJECT_MAX) / OE_EDGE_MAX) {
        return MF_OK;
    }
    /* an upper bound of the bytes the object can take, whatever the
     * state: a frontier-coded target takes 1 byte, never more than its
     * delta; the address delta is at most MF_VARINT_MAX bytes */
    bound = MF_VARINT_MAX + mf_varint_len(o->type) + mf_varint_len(o->size)
            + mf_varint_len(o->flags) + mf_varint_len(n_edges);
    bound += (o->flags & MF_OBJ_HAS_LENGTH) ? mf_varint_len(o->length) : 0;
    bound += (o->flags & MF_OBJ_HAS_NAME) ? mf_varint_len(o->name) : 0;
    bound += (o->flags & MF_OBJ_HAS_VALUE) ? mf_varint_len(o->value) : 0;
    for (i = 0; i < n_edges && bound <= OE_RAW_LIMIT; i++) {
        uint64_t t = edges[i].target;

        bound += mf_varint_len(mf_zigzag(t - base) + 1) + 1
                 + oe_label_len(&edges[i], &prev_index);
        base = t;
    }
    if (bound > OE_RAW_LIMIT) {
        return mf_err(err, MF_E_LIMIT, "object %llu: %zu edges do not fit "
                      "in one block of %u bytes", (unsigned long long)index,
                      n_edges, MF_MAX_RAW);
    }
    return MF_OK;
}

/* Emit the block being built. */
static int
oe_flush(mf_objenc *e, mf_sink *s, mf_error *err)
{
    mf_buf *out = &e->payload;
    size_t total = 0;
    int i, rc;

    if (e->block_count == 0) {
        return MF_OK;
    }
    for (i = 0; i < MF_OBJS_COLUMNS; i++) {
        total += e->col[i].len;
    }
    out->len = 0;
    if (mf_buf_reserve(out, OE_PREFIX_MAX + total) < 0) {
        return mf_err(err, MF_E_NOMEM, "out of memory");
    }
    mf_buf_put_varint(out, e->block_frontier);
    mf_buf_put_varint(out, MF_OBJS_COLUMNS);
    for (i = 0; i < MF_OBJS_COLUMNS; i++) {
        mf_buf_put_varint(out, e->col[i].len);
    }
    for (i = 0; i < MF_OBJS_COLUMNS; i++) {
        mf_buf_put(out, e->col[i].data, e->col[i].len);
        mf_buf_trim(&e->col[i], e->col[i].len, OE_KEEP_BYTES);
        e->col[i].len = 0;
    }
    e->raw = 0;
    e->obj_room = 0;
    rc = mf_sink_emit(s, MF_KIND_OBJS, e->block_first, e->block_count,
                      e->block_edges, out->data, out->len, err);
    mf_buf_trim(out, out->len, OE_KEEP_BYTES);
    e->block_first += e->block_count;
    e->block_count = 0;
    e->block_edges = 0;
    return rc;
}

/* the coding state of the edges of one object, across chunks */
typedef struct oe_edge_state {
    uint64_t base, frontier, prev_index;
} oe_edge_state;

/*
 * The hot loop: code edges [from, to) at the ends of the three edge
 * columns through local pointers (room reserved by the caller).
 */
static void
oe_put_edges(mf_objenc *e, const mf_edge *edges, size_t from, size_t to,
             oe_edge_state *st)
{
    mf_buf *c = e->col;
    uint8_t *pt = c[MF_C_EDGE_TARGET].data + c[MF_C_EDGE_TARGET].len;
    uint8_t *pk = c[MF_C_EDGE_KIND].data + c[MF_C_EDGE_KIND].len;
    uint8_t *pl = c[MF_C_EDGE_LABEL].data + c[MF_C_EDGE_LABEL].len;
    uint64_t base = st->base, frontier = st->frontier;
    uint64_t prev_index = st->prev_index;
    size_t i;

    for (i = from; i < to; i++) {
        const mf_edge *ed = &edges[i];
        uint64_t t = ed->target;
        unsigned kind = ed->kind;

        if (t == frontier) {
            *pt++ = 0;
            frontier++;
        }
        else {
            pt += mf_varint_put(pt, mf_zigzag(t - base) + 1);
            if (t >= frontier) {
                /* resynchronise a stale hint: in a breadth-first walk a
                   target beyond the frontier is the newest object */
                frontier = t + 1;
            }
        }
        base = t;
        *pk++ = (uint8_t)kind;
        if ((kind & MF_EDGE_KIND_MASK) == MF_EDGE_INDEX) {
            pl += mf_varint_put(pl, mf_zigzag(ed->label - (prev_index + 1)));
            prev_index = ed->label;
        }
        else {
            switch (MF_EDGE_CLASS(kind)) {
            case MF_LABEL_STRING:
            case MF_LABEL_UINT:
                pl += mf_varint_put(pl, ed->label);
                break;
            case MF_LABEL_SINT:
                pl += mf_varint_put(pl, mf_zigzag(ed->label));
                break;
            default:
                break;
            }
        }
    }
    st->base = base;
    st->frontier = frontier;
    st->prev_index = prev_index;
    c[MF_C_EDGE_TARGET].len = (size_t)(pt - c[MF_C_EDGE_TARGET].data);
    c[MF_C_EDGE_KIND].len = (size_t)(pk - c[MF_C_EDGE_KIND].data);
    c[MF_C_EDGE_LABEL].len = (size_t)(pl - c[MF_C_EDGE_LABEL].data);
}

static int
oe_object(mf_objenc *e, mf_sink *s, const mf_object *o, const mf_edge *edges,
          size_t n_edges, mf_error *err)
{
    uint64_t worst = OE_OBJECT_MAX + (uint64_t)n_edges * OE_EDGE_MAX;
    mf_buf *c = e->col;
    oe_edge_state st;
    size_t i, next, before;
    uint8_t *p;
    int rc;

    if (e->block_count > 0
        && (e->block_count >= e->block_objects
            || e->block_edges + (uint64_t)n_edges > OE_BLOCK_EDGES
            || e->raw >= OE_BLOCK_RAW
            || e->raw + worst > OE_RAW_LIMIT)) {
        if ((rc = oe_flush(e, s, err)) != MF_OK) {
            return rc;
        }
    }
    if (e->block_count == 0) {
        if (e->hint_set) {
            e->frontier = e->hint;
            e->hint_set = 0;
        }
        e->block_frontier = e->frontier;
    }
    /* the fixed columns are reserved for OE_OBJ_BATCH objects at a time:
     * one check per object instead of one per column */
    if (e->obj_room == 0) {
        for (i = 0; i < MF_C_EDGE_TARGET; i++) {
            if (mf_buf_reserve(&c[i], OE_OBJ_BATCH * MF_VARINT_MAX) < 0) {
                return mf_err(err, MF_E_NOMEM, "out of memory");
            }
        }
        e->obj_room = OE_OBJ_BATCH;
    }
    before = c[MF_C_EDGE_TARGET].len + c[MF_C_EDGE_KIND].len
             + c[MF_C_EDGE_LABEL].len;
    st.base = e->block_first + e->block_count;     /* the object's index */
    st.frontier = e->frontier;
    st.prev_index = UINT64_MAX;
    for (i = 0; i < n_edges; i = next) {
        size_t k = n_edges - i < OE_EDGE_CHUNK ? n_edges - i : OE_EDGE_CHUNK;

        /* a target is at most 5 bytes (a zigzag of 33 bits, plus one) */
        if (mf_buf_reserve(&c[MF_C_EDGE_TARGET], k * 5) < 0
            || mf_buf_reserve(&c[MF_C_EDGE_KIND], k) < 0
            || mf_buf_reserve(&c[MF_C_EDGE_LABEL], k * MF_VARINT_MAX) < 0) {
            return mf_err(err, MF_E_NOMEM, "out of memory");
        }
        next = i + k;
        oe_put_edges(e, edges, i, next, &st);
    }
    e->raw += c[MF_C_EDGE_TARGET].len + c[MF_C_EDGE_KIND].len
              + c[MF_C_EDGE_LABEL].len - before;

    /* the lengths are summed in a local: e->raw would be reloaded after
     * every byte store (uint8_t may alias it) */
    before = 0;
#define OE_PUT(col, v) \
    do { \
        p = c[col].data + c[col].len; \
        i = mf_varint_put(p, (v)); \
        c[col].len += i; \
        before += i; \
    } while (0)
    OE_PUT(MF_C_ADDRESS, e->block_count == 0
                         ? o->address
                         : mf_zigzag(o->address - e->prev_address));
    OE_PUT(MF_C_TYPE, o->type);
    OE_PUT(MF_C_SIZE, o->size);
    OE_PUT(MF_C_FLAGS, o->flags);
    if (o->flags & MF_OBJ_HAS_LENGTH) {
        OE_PUT(MF_C_LENGTH, o->length);
    }
    if (o->flags & MF_OBJ_HAS_NAME) {
        OE_PUT(MF_C_NAME, o->name);
    }
    if (o->flags & MF_OBJ_HAS_VALUE) {
        OE_PUT(MF_C_VALUE, o->value);
    }
    OE_PUT(MF_C_EDGE_COUNT, n_edges);
#undef OE_PUT
    e->raw += before;
    e->obj_room--;
    if (e->raw > OE_RAW_LIMIT) {
        /* mf_objenc_check() refused such objects: a bug if reached */
        return mf_err(err, MF_E_LIMIT, "object %llu does not fit in a "
                      "block", (unsigned long long)st.base);
    }
    e->frontier = st.frontier;
    e->prev_address = o->address;
    e->block_count++;
    e->block_edges += (uint32_t)n_edges;
    return MF_OK;
}

int
mf_objenc_run(void *ctx, mf_sink *s, const uint8_t *batch, size_t len,
              uint64_t hint, uint32_t flags, mf_error *err)
{
    mf_objenc *e = ctx;
    const uint8_t *p, *end;
    uint64_t objs_len;
    int rc;

    /* the writer's own layout (objenc.h): checked only against overruns */
    if (len < 8) {
        return mf_err(err, MF_E_ARG, "batch without a trailer");
    }
    memcpy(&objs_len, batch + len - 8, 8);
    if (objs_len > len - 8) {
        return mf_err(err, MF_E_ARG, "batch with a bad trailer");
    }
    for (p = batch + objs_len, end = batch + len - 8; p < end;) {
        mf_staged_block h;

        memcpy(&h, p, sizeof(h));
        p += sizeof(h);
        if ((rc = mf_sink_emit(s, h.kind, h.first, h.count, 0, p,
                               (size_t)h.len, err)) != MF_OK) {
            return rc;
        }
        p += (h.len + 7) / 8 * 8;
    }
    if (hint != MF_OBJENC_NO_HINT) {
        e->hint = hint;
        e->hint_set = 1;
    }
    for (p = batch, end = batch + objs_len; p < end;) {
        const mf_staged *so = (const mf_staged *)(const void *)p;
        const mf_edge *edges = (const mf_edge *)(const void *)(so + 1);

        p = (const uint8_t *)(edges + so->n_edges);
        if ((rc = oe_object(e, s, &so->obj, edges, (size_t)so->n_edges,
                            err)) != MF_OK) {
            return rc;
        }
    }
    if (flags & MF_OBJENC_FLUSH) {
        return oe_flush(e, s, err);
    }
    return MF_OK;
}
