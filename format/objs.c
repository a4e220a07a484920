/*
 * objs.c - the OBJS column decoder.
 */
#include "objs.h"

#include <stdlib.h>

#include "err.h"
#include "layout.h"
#include "varint.h"

static const char *const col_names[MF_OBJS_COLUMNS] = {
    "address", "type", "size", "flags", "length", "name", "value",
    "edge_count", "edge_target", "edge_kind", "edge_label",
};

typedef struct dec {
    const mf_objs_block *b;
    mf_error *err;
} dec;

static int
d_bad(dec *d, int col, const char *what, uint64_t item)
{
    return mf_err_block(d->err, MF_E_CORRUPT, d->b->index, MF_KIND_OBJS,
                        d->b->offset, "column '%s': %s at item %llu",
                        col_names[col], what, (unsigned long long)item);
}

static int
d_extra(dec *d, int col, const uint8_t *p, const uint8_t *end)
{
    return mf_err_block(d->err, MF_E_CORRUPT, d->b->index, MF_KIND_OBJS,
                        d->b->offset, "column '%s': %lld bytes left over",
                        col_names[col], (long long)(end - p));
}

#define GET(col, i, v) \
    do { \
        if (mf_varint_get(&p, end, &(v)) < 0) { \
            return d_bad(d, col, "bad varint", i); \
        } \
    } while (0)

static int
s_grow(mf_objs_scratch *s, uint32_t n, uint32_t e)
{
    if (n > s->cap_objects) {
        uint8_t *f = realloc(s->flags, n);
        uint32_t *c;
        if (f == NULL) {
            return -1;
        }
        s->flags = f;
        c = realloc(s->counts, (size_t)n * sizeof(*c));
        if (c == NULL) {
            return -1;
        }
        s->counts = c;
        s->cap_objects = n;
    }
    if (e > s->cap_edges) {
        uint8_t *k = realloc(s->kinds, e);
        if (k == NULL) {
            return -1;
        }
        s->kinds = k;
        s->cap_edges = e;
    }
    return 0;
}

void
mf_objs_scratch_free(mf_objs_scratch *s)
{
    free(s->flags);
    free(s->counts);
    free(s->kinds);
    s->flags = s->kinds = NULL;
    s->counts = NULL;
    s->cap_objects = s->cap_edges = 0;
}

int
mf_objs_decode(const uint8_t *raw, size_t len, const mf_objs_block *b,
               unsigned want, const mf_objs_limits *lim, mf_graph *out,
               mf_objs_scratch *s, uint64_t *size_sum, mf_error *err)
{
    const uint8_t *col[MF_OBJS_COLUMNS], *cend[MF_OBJS_COLUMNS];
    const uint8_t *p = raw, *end = raw + len;
    uint64_t frontier, ncols, total = 0, sizes[MF_OBJS_COLUMNS];
    const uint32_t n = b->count, e = b->aux;
    const uint64_t first = b->first, eb = b->edge_base;
    dec dd = {b, err}, *d = &dd;
    uint64_t i, v;
    int c;

    /* dependencies between columns */
    if (want & (MF_COL_EDGES | MF_COL_EDGE_KIND | MF_COL_EDGE_LABEL)) {
        want |= MF_COL_EDGES; /* the counts ride with the targets' bit */
    }
    if (want & MF_COL_EDGE_LABEL) {
        want |= MF_COL_EDGE_KIND;
    }
    if (want & (MF_COL_LENGTH | MF_COL_NAME | MF_COL_VALUE)) {
        want |= MF_COL_FLAGS;
    }
    *size_sum = 0;

    if (mf_varint_get(&p, end, &frontier) < 0
        || mf_varint_get(&p, end, &ncols) < 0) {
        return mf_err_block(err, MF_E_CORRUPT, b->index, MF_KIND_OBJS,
                            b->offset, "bad column directory");
    }
    if (ncols < MF_OBJS_COLUMNS || ncols > MF_MAX_COLUMNS) {
        return mf_err_block(err, MF_E_CORRUPT, b->index, MF_KIND_OBJS,
                            b->offset, "%llu columns (expected %u to %u)",
                            (unsigned long long)ncols, MF_OBJS_COLUMNS,
                            MF_MAX_COLUMNS);
    }
    for (i = 0; i < ncols; i++) {
        if (mf_varint_get(&p, end, &v) < 0 || v > len) {
            return mf_err_block(err, MF_E_CORRUPT, b->index, MF_KIND_OBJS,
                                b->offset, "bad column directory");
        }
        if (i < MF_OBJS_COLUMNS) {
            sizes[i] = v;
        }
        total += v;
    }
    if (total != (uint64_t)(end - p)) {
        return mf_err_block(err, MF_E_CORRUPT, b->index, MF_KIND_OBJS,
                            b->offset, "column sizes add up to %llu bytes "
                            "but %lld follow", (unsigned long long)total,
                            (long long)(end - p));
    }
    for (c = 0; c < MF_OBJS_COLUMNS; c++) {
        col[c] = p;
        p += sizes[c];
        cend[c] = p;
    }
    if (s_grow(s, n, e) < 0) {
        return mf_err(err, MF_E_NOMEM, "out of memory decoding objects");
    }

    /* address */
    if (want & MF_COL_ADDRESS) {
        uint64_t a = 0;
        p = col[MF_C_ADDRESS];
        end = cend[MF_C_ADDRESS];
        for (i = 0; i < n; i++) {
            GET(MF_C_ADDRESS, i, v);
            a = i == 0 ? v : a + mf_unzigzag(v);
            if (out->address) {
                out->address[first + i] = a;
            }
        }
        if (p != end) {
            return d_extra(d, MF_C_ADDRESS, p, end);
        }
    }
    /* type */
    if (want & MF_COL_TYPE) {
        p = col[MF_C_TYPE];
        end = cend[MF_C_TYPE];
        for (i = 0; i < n; i++) {
            GET(MF_C_TYPE, i, v);
            if (v >= lim->n_types) {
                return mf_err_block(err, MF_E_CORRUPT, b->index,
                                    MF_KIND_OBJS, b->offset, "object %llu: "
                                    "type id %llu out of range (%lu types)",
                                    (unsigned long long)(first + i),
                                    (unsigned long long)v,
                                    (unsigned long)lim->n_types);
            }
            if (out->type) {
                out->type[first + i] = (uint32_t)v;
            }
        }
        if (p != end) {
            return d_extra(d, MF_C_TYPE, p, end);
        }
    }
    /* size */
    if (want & MF_COL_SIZE) {
        uint64_t sum = 0;
        p = col[MF_C_SIZE];
        end = cend[MF_C_SIZE];
        for (i = 0; i < n; i++) {
            GET(MF_C_SIZE, i, v);
            sum += v;
            if (out->size) {
                out->size[first + i] = v;
            }
        }
        if (p != end) {
            return d_extra(d, MF_C_SIZE, p, end);
        }
        *size_sum = sum;
    }
    /* flags, and the optional columns they announce */
    if (want & MF_COL_FLAGS) {
        p = col[MF_C_FLAGS];
        end = cend[MF_C_FLAGS];
        for (i = 0; i < n; i++) {
            GET(MF_C_FLAGS, i, v);
            if (v > UINT32_MAX) {
                return d_bad(d, MF_C_FLAGS, "flags out of range", i);
            }
            s->flags[i] = (uint8_t)v;
            if (out->flags) {
                out->flags[first + i] = (uint8_t)v;
            }
        }
        if (p != end) {
            return d_extra(d, MF_C_FLAGS, p, end);
        }
    }
    if (want & MF_COL_LENGTH) {
        p = col[MF_C_LENGTH];
        end = cend[MF_C_LENGTH];
        for (i = 0; i < n; i++) {
            v = 0;
            if (s->flags[i] & MF_OBJ_HAS_LENGTH) {
                GET(MF_C_LENGTH, i, v);
            }
            if (out->length) {
                out->length[first + i] = v;
            }
        }
        if (p != end) {
            return d_extra(d, MF_C_LENGTH, p, end);
        }
    }
    for (c = MF_C_NAME; c <= MF_C_VALUE; c++) {
        unsigned bit = c == MF_C_NAME ? MF_OBJ_HAS_NAME : MF_OBJ_HAS_VALUE;
        uint32_t *o = c == MF_C_NAME ? out->name : out->value;
        if (!(want & (c == MF_C_NAME ? MF_COL_NAME : MF_COL_VALUE))) {
            continue;
        }
        p = col[c];
        end = cend[c];
        for (i = 0; i < n; i++) {
            v = MF_NONE;
            if (s->flags[i] & bit) {
                GET(c, i, v);
                if (v >= lim->n_strings) {
                    return d_bad(d, c, "string id out of range", i);
                }
            }
            if (o) {
                o[first + i] = (uint32_t)v;
            }
        }
        if (p != end) {
            return d_extra(d, c, p, end);
        }
    }
    if (!(want & MF_COL_EDGES)) {
        return MF_OK;
    }
    /* edge counts: CSR offsets */
    {
        uint64_t left = e;
        p = col[MF_C_EDGE_COUNT];
        end = cend[MF_C_EDGE_COUNT];
        for (i = 0; i < n; i++) {
            GET(MF_C_EDGE_COUNT, i, v);
            if (v > left) {
                return d_bad(d, MF_C_EDGE_COUNT, "more edges than the "
                             "block declares", i);
            }
            if (out->edge_start) {
                out->edge_start[first + i] = eb + (e - left);
            }
            s->counts[i] = (uint32_t)v;
            left -= v;
        }
        if (p != end) {
            return d_extra(d, MF_C_EDGE_COUNT, p, end);
        }
        if (left != 0) {
            return mf_err_block(err, MF_E_CORRUPT, b->index, MF_KIND_OBJS,
                                b->offset, "edge counts add up to %llu, "
                                "the block declares %lu",
                                (unsigned long long)(e - left),
                                (unsigned long)e);
        }
    }
    /* targets */
    {
        uint64_t k = 0, j;
        p = col[MF_C_EDGE_TARGET];
        end = cend[MF_C_EDGE_TARGET];
        for (i = 0; i < n; i++) {
            uint64_t base = first + i;
            for (j = 0; j < s->counts[i]; j++, k++) {
                uint64_t t;
                GET(MF_C_EDGE_TARGET, k, v);
                t = v == 0 ? frontier++ : base + mf_unzigzag(v - 1);
                if (t >= lim->target_limit) {
                    return mf_err_block(err, MF_E_CORRUPT, b->index,
                                        MF_KIND_OBJS, b->offset,
                                        "edge %llu of object %llu: target "
                                        "%llu out of range",
                                        (unsigned long long)j,
                                        (unsigned long long)(first + i),
                                        (unsigned long long)t);
                }
                if (v != 0 && t >= frontier) {
                    frontier = t + 1;
                }
                if (out->edge_target) {
                    out->edge_target[eb + k] = (uint32_t)t;
                }
                base = t;
            }
        }
        if (p != end) {
            return d_extra(d, MF_C_EDGE_TARGET, p, end);
        }
    }
    if (!(want & MF_COL_EDGE_KIND)) {
        return MF_OK;
    }
    if (sizes[MF_C_EDGE_KIND] != e) {
        return mf_err_block(err, MF_E_CORRUPT, b->index, MF_KIND_OBJS,
                            b->offset, "column 'edge_kind' has %llu bytes "
                            "for %lu edges",
                            (unsigned long long)sizes[MF_C_EDGE_KIND],
                            (unsigned long)e);
    }
    if (e == 0) {
        return MF_OK;
    }
    memcpy(s->kinds, col[MF_C_EDGE_KIND], e);
    if (out->edge_kind) {
        memcpy(out->edge_kind + eb, col[MF_C_EDGE_KIND], e);
    }
    if (!(want & MF_COL_EDGE_LABEL)) {
        return MF_OK;
    }
    {
        uint64_t k = 0, j;
        p = col[MF_C_EDGE_LABEL];
        end = cend[MF_C_EDGE_LABEL];
        for (i = 0; i < n; i++) {
            uint64_t prev = UINT64_MAX;
            for (j = 0; j < s->counts[i]; j++, k++) {
                uint8_t kind = s->kinds[k];
                uint64_t lab = 0;
                if ((kind & MF_EDGE_KIND_MASK) == MF_EDGE_INDEX) {
                    GET(MF_C_EDGE_LABEL, k, v);
                    lab = prev + 1 + mf_unzigzag(v);
                    if (lab > (uint64_t)INT64_MAX) {
                        return d_bad(d, MF_C_EDGE_LABEL,
                                     "negative list index", k);
                    }
                    prev = lab;
                }
                else {
                    switch (MF_EDGE_CLASS(kind)) {
                    case MF_LABEL_UINT:
                        GET(MF_C_EDGE_LABEL, k, lab);
                        break;
                    case MF_LABEL_STRING:
                        GET(MF_C_EDGE_LABEL, k, lab);
                        if (lab >= lim->n_strings) {
                            return d_bad(d, MF_C_EDGE_LABEL,
                                         "string id out of range", k);
                        }
                        break;
                    case MF_LABEL_SINT:
                        GET(MF_C_EDGE_LABEL, k, v);
                        lab = mf_unzigzag(v);
                        break;
                    default:
                        break;
                    }
                }
                if (out->edge_label) {
                    out->edge_label[eb + k] = lab;
                }
            }
        }
        if (p != end) {
            return d_extra(d, MF_C_EDGE_LABEL, p, end);
        }
    }
    return MF_OK;
}
