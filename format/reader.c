/*
 * reader.c - mf_reader: open a snapshot, check header, trailer and table
 * of contents, load the small tables (strings, types, roots, meta), and
 * fall back to a block-by-block scan for damaged files in partial mode.
 * Object blocks are only located here; load.c decodes them.
 */
#include "reader_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "block.h"
#include "buf.h"
#include "crc32c.h"
#include "err.h"
#include "layout.h"
#include "varint.h"

/* Bytes a loaded small-table record may take, for the memory check. */
#define RD_RECORD_COST 32u

typedef struct rd_ctx {
    ZSTD_DCtx *dctx;
    mf_buf scratch;
} rd_ctx;

static int
rd_grow(void **p, uint32_t *cap, uint64_t need, size_t elem)
{
    uint64_t c = *cap ? *cap : 16;
    void *q;

    if (need <= *cap) {
        return 0;
    }
    while (c < need) {
        c *= 2;
    }
    if (c > MF_NONE) {
        c = MF_NONE;
    }
    if (c < need || c > SIZE_MAX / elem) {
        return -1;
    }
    q = realloc(*p, (size_t)c * elem);
    if (q == NULL) {
        return -1;
    }
    *p = q;
    *cap = (uint32_t)c;
    return 0;
}

static void
rd_reset(mf_reader *r)
{
    r->n_objs = 0;
    r->n_objects = r->n_edges = 0;
    r->n_strings = r->n_types = r->n_roots = r->n_meta = 0;
    r->str_len = 0;
    r->small_bytes = 0;
    r->raw_total = 0;
    r->toc_total_size = 0;
    r->have_toc = 0;
    if (r->str_off) {
        r->str_off[0] = 0;
    }
}

/* ---- small block payloads ------------------------------------------ */

#define RD_BAD(what) \
    mf_err_block(err, MF_E_CORRUPT, index, h->kind, off, "%s", what)

static int
rd_sref(const uint8_t **p, const uint8_t *end, uint32_t *sid)
{
    uint64_t v;

    if (mf_varint_get(p, end, &v) < 0 || v > MF_NONE) {
        return -1;
    }
    *sid = v == 0 ? MF_NONE : (uint32_t)(v - 1);
    return 0;
}

static int
rd_strs(mf_reader *r, const uint8_t *p, const uint8_t *end,
        const mf_block_header *h, long long index, uint64_t off,
        mf_error *err)
{
    uint32_t i;

    if (h->first != r->n_strings) {
        return mf_err_block(err, MF_E_CORRUPT, index, h->kind, off,
                            "first string id %llu, expected %lu",
                            (unsigned long long)h->first,
                            (unsigned long)r->n_strings);
    }
    if ((uint64_t)r->n_strings + h->count >= MF_NONE) {
        return mf_err_block(err, MF_E_LIMIT, index, h->kind, off,
                            "too many strings");
    }
    if (rd_grow((void **)&r->str_off, &r->cap_strings,
                (uint64_t)r->n_strings + h->count + 1, sizeof(uint64_t))) {
        return mf_err(err, MF_E_NOMEM, "out of memory loading strings");
    }
    r->str_off[0] = 0;
    for (i = 0; i < h->count; i++) {
        uint64_t len;
        if (mf_varint_get(&p, end, &len) < 0) {
            return RD_BAD("bad string length");
        }
        if (len > MF_MAX_STRING) {
            return mf_err_block(err, MF_E_LIMIT, index, h->kind, off,
                                "string %lu of %llu bytes exceeds the "
                                "limit of %u",
                                (unsigned long)(r->n_strings + i),
                                (unsigned long long)len, MF_MAX_STRING);
        }
        if (len > (uint64_t)(end - p)) {
            return RD_BAD("string runs past the end of the payload");
        }
        if (r->str_cap - r->str_len < len + 1) {
            size_t cap = r->str_cap ? r->str_cap : 4096;
            char *q;
            while (cap - r->str_len < len + 1) {
                cap *= 2;
            }
            q = realloc(r->str_data, cap);
            if (q == NULL) {
                return mf_err(err, MF_E_NOMEM, "out of memory loading "
                              "strings");
            }
            r->str_data = q;
            r->str_cap = cap;
        }
        memcpy(r->str_data + r->str_len, p, (size_t)len);
        r->str_data[r->str_len + len] = '\0';
        r->str_len += (size_t)len + 1;
        p += len;
        r->str_off[r->n_strings + i + 1] = r->str_len;
    }
    if (p != end) {
        return RD_BAD("extra bytes after the last string");
    }
    r->n_strings += h->count;
    return MF_OK;
}

static int
rd_types(mf_reader *r, const uint8_t *p, const uint8_t *end,
         const mf_block_header *h, long long index, uint64_t off,
         mf_error *err)
{
    uint32_t i;

    if (h->first != r->n_types) {
        return mf_err_block(err, MF_E_CORRUPT, index, h->kind, off,
                            "first type id %llu, expected %lu",
                            (unsigned long long)h->first,
                            (unsigned long)r->n_types);
    }
    if ((uint64_t)r->n_types + h->count >= MF_NONE
        || rd_grow((void **)&r->types, &r->cap_types,
                   (uint64_t)r->n_types + h->count, sizeof(mf_type))) {
        return mf_err(err, MF_E_NOMEM, "out of memory loading types");
    }
    for (i = 0; i < h->count; i++) {
        mf_type *t = &r->types[r->n_types + i];
        uint64_t fl;
        if (mf_varint_get(&p, end, &t->address) < 0
            || rd_sref(&p, end, &t->module) < 0
            || rd_sref(&p, end, &t->qualname) < 0
            || mf_varint_get(&p, end, &fl) < 0 || fl > UINT32_MAX) {
            return RD_BAD("bad type record");
        }
        t->flags = (uint32_t)fl;
    }
    if (p != end) {
        return RD_BAD("extra bytes after the last type");
    }
    r->n_types += h->count;
    return MF_OK;
}

static int
rd_roots(mf_reader *r, const uint8_t *p, const uint8_t *end,
         const mf_block_header *h, long long index, uint64_t off,
         mf_error *err)
{
    uint32_t i;

    if ((uint64_t)r->n_roots + h->count >= MF_NONE
        || rd_grow((void **)&r->roots, &r->cap_roots,
                   (uint64_t)r->n_roots + h->count, sizeof(mf_root))) {
        return mf_err(err, MF_E_NOMEM, "out of memory loading roots");
    }
    for (i = 0; i < h->count; i++) {
        mf_root *t = &r->roots[r->n_roots + i];
        uint64_t obj, kind;
        if (mf_varint_get(&p, end, &obj) < 0 || obj >= MF_NONE
            || mf_varint_get(&p, end, &kind) < 0 || kind > UINT32_MAX
            || rd_sref(&p, end, &t->label) < 0) {
            return RD_BAD("bad root record");
        }
        t->object = (uint32_t)obj;
        t->kind = (uint32_t)kind;
    }
    if (p != end) {
        return RD_BAD("extra bytes after the last root");
    }
    r->n_roots += h->count;
    return MF_OK;
}

static int
rd_meta(mf_reader *r, const uint8_t *p, const uint8_t *end,
        const mf_block_header *h, long long index, uint64_t off,
        mf_error *err)
{
    uint32_t i;

    if ((uint64_t)r->n_meta + h->count >= MF_NONE
        || rd_grow((void **)&r->meta, &r->cap_meta,
                   (uint64_t)r->n_meta + h->count, sizeof(mf_meta))) {
        return mf_err(err, MF_E_NOMEM, "out of memory loading meta");
    }
    for (i = 0; i < h->count; i++) {
        mf_meta *m = &r->meta[r->n_meta + i];
        uint64_t kind, v;
        if (rd_sref(&p, end, &m->key) < 0 || m->key == MF_NONE
            || mf_varint_get(&p, end, &kind) < 0) {
            return RD_BAD("bad meta record");
        }
        m->kind = (uint32_t)kind;
        if (kind == MF_META_STR) {
            if (rd_sref(&p, end, &m->v.str) < 0) {
                return RD_BAD("bad meta string value");
            }
        }
        else if (kind == MF_META_INT) {
            if (mf_varint_get(&p, end, &v) < 0) {
                return RD_BAD("bad meta integer value");
            }
            m->v.i = (int64_t)mf_unzigzag(v);
        }
        else if (kind == MF_META_FLOAT) {
            if (end - p < 8) {
                return RD_BAD("bad meta float value");
            }
            v = mf_le64(p);
            p += 8;
            memcpy(&m->v.f, &v, sizeof(v));
        }
        else {
            return mf_err_block(err, MF_E_CORRUPT, index, h->kind, off,
                                "unknown meta kind %llu",
                                (unsigned long long)kind);
        }
    }
    if (p != end) {
        return RD_BAD("extra bytes after the last meta record");
    }
    r->n_meta += h->count;
    return MF_OK;
}

/* Checks an OBJS header (count/aux plausible, ids dense) and records it */
static int
rd_objs(mf_reader *r, const mf_block_header *h, long long index,
        uint64_t off, mf_error *err)
{
    mf_objs_ref *o;

    if (h->first != r->n_objects) {
        return mf_err_block(err, MF_E_CORRUPT, index, h->kind, off,
                            "first object index %llu, expected %llu",
                            (unsigned long long)h->first,
                            (unsigned long long)r->n_objects);
    }
    /* every object takes at least 5 bytes (address, type, size, flags,
       edge count), every edge at least 2 (target, kind) */
    if (h->count > h->raw_size / 5 || h->aux > h->raw_size / 2) {
        return mf_err_block(err, MF_E_CORRUPT, index, h->kind, off,
                            "%lu objects and %lu edges cannot fit in %lu "
                            "bytes", (unsigned long)h->count,
                            (unsigned long)h->aux,
                            (unsigned long)h->raw_size);
    }
    if (r->n_objects + h->count > MF_NONE) {
        return mf_err_block(err, MF_E_LIMIT, index, h->kind, off,
                            "more than %lu objects",
                            (unsigned long)MF_NONE);
    }
    if (r->n_objs == r->cap_objs) {
        size_t cap = r->cap_objs ? 2 * r->cap_objs : 64;
        void *q = realloc(r->objs, cap * sizeof(*r->objs));
        if (q == NULL) {
            return mf_err(err, MF_E_NOMEM, "out of memory");
        }
        r->objs = q;
        r->cap_objs = cap;
    }
    o = &r->objs[r->n_objs++];
    o->offset = off;
    o->first = h->first;
    o->edge_base = r->n_edges;
    o->count = h->count;
    o->aux = h->aux;
    o->index = index;
    r->n_objects += h->count;
    r->n_edges += h->aux;
    return MF_OK;
}

/*
 * Counts a block's raw_size against the expansion bound, before anything
 * of it is decompressed: a few KB of zstd frames can declare gigabytes,
 * and every command's memory grows with the objects they hold.
 */
static int
rd_count_raw(mf_reader *r, const mf_block_header *h, long long index,
             uint64_t off, mf_error *err)
{
    r->raw_total += h->raw_size;
    if (r->raw_total > r->max_raw) {
        return mf_err_block(err, MF_E_LIMIT, index, h->kind, off,
                            "the blocks declare more than %llu bytes of "
                            "data in a file of %llu bytes, over %llu times "
                            "its size: a decompression bomb, not a dump",
                            (unsigned long long)r->max_raw,
                            (unsigned long long)r->size,
                            (unsigned long long)r->max_expansion);
    }
    return MF_OK;
}

static int
rd_is_small(uint32_t kind)
{
    return kind == MF_KIND_STRS || kind == MF_KIND_TYPE
           || kind == MF_KIND_ROOT || kind == MF_KIND_META;
}

/* Decompress and parse one checked small block; all or nothing. */
static int
rd_small(mf_reader *r, rd_ctx *c, const mf_block_header *h,
         long long index, uint64_t off, mf_error *err)
{
    uint32_t ns = r->n_strings, nt = r->n_types, nr = r->n_roots,
             nm = r->n_meta;
    size_t sl = r->str_len;
    const uint8_t *raw;
    uint64_t cost;
    int rc;

    cost = h->raw_size + (uint64_t)h->count * RD_RECORD_COST;
    if (h->count > h->raw_size) {
        return mf_err_block(err, MF_E_CORRUPT, index, h->kind, off,
                            "%lu records cannot fit in %lu bytes",
                            (unsigned long)h->count,
                            (unsigned long)h->raw_size);
    }
    if (r->small_bytes + cost > r->max_memory) {
        return mf_err_block(err, MF_E_LIMIT, index, h->kind, off,
                            "tables need more than the memory limit of "
                            "%llu bytes", (unsigned long long)r->max_memory);
    }
    r->small_bytes += cost;
    rc = mf_block_payload(c->dctx, r->data, off, index, h, &c->scratch,
                          &raw, err);
    if (rc != MF_OK) {
        return rc;
    }
    switch (h->kind) {
    case MF_KIND_STRS:
        rc = rd_strs(r, raw, raw + h->raw_size, h, index, off, err);
        break;
    case MF_KIND_TYPE:
        rc = rd_types(r, raw, raw + h->raw_size, h, index, off, err);
        break;
    case MF_KIND_ROOT:
        rc = rd_roots(r, raw, raw + h->raw_size, h, index, off, err);
        break;
    default:
        rc = rd_meta(r, raw, raw + h->raw_size, h, index, off, err);
        break;
    }
    if (rc != MF_OK) {
        r->n_strings = ns;
        r->n_types = nt;
        r->n_roots = nr;
        r->n_meta = nm;
        r->str_len = sl;
    }
    return rc;
}

/* ---- table of contents ---------------------------------------------- */

static int
rd_open_toc(mf_reader *r, rd_ctx *c, mf_error *err)
{
    const uint8_t *f = r->data, *p, *end, *raw;
    uint64_t toc_off, n, i, prev_end = MF_HEADER_SIZE;
    uint64_t t[7];
    uint32_t toc_size, crc;
    mf_block_header h;
    int rc;

    if (r->size < MF_HEADER_SIZE + MF_BLOCK_HEADER_SIZE + MF_FOOTER_SIZE
        || memcmp(f + r->size - 8, MF_END_MAGIC, 8) != 0) {
        return mf_err(err, MF_E_TRUNCATED, "no valid trailer: the file is "
                      "truncated or was not finished");
    }
    p = f + r->size - MF_FOOTER_SIZE;
    toc_off = mf_le64(p);
    toc_size = mf_le32(p + 8);
    crc = mf_le32(p + 12);
    if (mf_crc32c(0, p, 12) != crc && !MF_IGNORE_CRC) {
        return mf_err(err, MF_E_CHECKSUM, "trailer checksum mismatch");
    }
    if (toc_off < MF_HEADER_SIZE || toc_off > r->size - MF_FOOTER_SIZE
        || toc_size != r->size - MF_FOOTER_SIZE - toc_off) {
        return mf_err(err, MF_E_CORRUPT, "trailer points to a table of "
                      "contents at offset %llu of %lu bytes, outside the "
                      "file", (unsigned long long)toc_off,
                      (unsigned long)toc_size);
    }
    rc = mf_block_check(f, r->size - MF_FOOTER_SIZE, toc_off, -1, 1, &h,
                        err);
    if (rc != MF_OK) {
        return rc;
    }
    if (h.kind != MF_KIND_TOC
        || MF_BLOCK_HEADER_SIZE + (uint64_t)h.stored_size != toc_size) {
        return mf_err_block(err, MF_E_CORRUPT, -1, h.kind, toc_off,
                            "not the table of contents");
    }
    rc = mf_block_payload(c->dctx, f, toc_off, -1, &h, &c->scratch, &raw,
                          err);
    if (rc != MF_OK) {
        return rc;
    }
    /* the scratch buffer is reused below: keep our own copy */
    {
        uint8_t *copy = malloc(h.raw_size ? h.raw_size : 1);
        if (copy == NULL) {
            return mf_err(err, MF_E_NOMEM, "out of memory");
        }
        memcpy(copy, raw, h.raw_size);
        p = copy;
        raw = copy;
    }
    end = p + h.raw_size;
#define TOC_BAD(...) \
    do { \
        rc = mf_err_block(err, MF_E_CORRUPT, -1, MF_KIND_TOC, toc_off, \
                          __VA_ARGS__); \
        goto out; \
    } while (0)
    if (mf_varint_get(&p, end, &n) < 0 || n != h.count
        || n > h.raw_size / 5) {
        TOC_BAD("bad block count");
    }
    for (i = 0; i < n; i++) {
        uint64_t e[5];
        mf_block_header bh;
        int k;
        for (k = 0; k < 5; k++) {
            if (mf_varint_get(&p, end, &e[k]) < 0) {
                TOC_BAD("bad entry %llu", (unsigned long long)i);
            }
        }
        if (e[0] > UINT32_MAX || e[3] > UINT32_MAX || e[4] > UINT32_MAX) {
            TOC_BAD("bad entry %llu", (unsigned long long)i);
        }
        if (e[1] < prev_end || e[1] > toc_off) {
            TOC_BAD("entry %llu: block offset %llu out of order or outside "
                    "the data", (unsigned long long)i,
                    (unsigned long long)e[1]);
        }
        rc = mf_block_check(f, toc_off, e[1], (long long)i,
                            rd_is_small((uint32_t)e[0]), &bh, err);
        if (rc != MF_OK) {
            goto out;
        }
        if (bh.kind != e[0] || bh.first != e[2] || bh.count != e[3]
            || bh.aux != e[4]) {
            rc = mf_err_block(err, MF_E_CORRUPT, (long long)i, bh.kind, e[1],
                              "block header does not match the table of "
                              "contents");
            goto out;
        }
        prev_end = e[1] + MF_BLOCK_HEADER_SIZE + bh.stored_size;
        if (bh.kind == MF_KIND_TOC) {
            rc = mf_err_block(err, MF_E_CORRUPT, (long long)i, bh.kind, e[1],
                              "table of contents listed in itself");
            goto out;
        }
        rc = rd_count_raw(r, &bh, (long long)i, e[1], err);
        if (rc != MF_OK) {
            goto out;
        }
        if (rd_is_small(bh.kind)) {
            rc = rd_small(r, c, &bh, (long long)i, e[1], err);
        }
        else if (bh.kind == MF_KIND_OBJS) {
            rc = rd_objs(r, &bh, (long long)i, e[1], err);
        }
        if (rc != MF_OK) {
            goto out;
        }
    }
    for (i = 0; i < 7; i++) {
        if (mf_varint_get(&p, end, &t[i]) < 0) {
            TOC_BAD("bad totals");
        }
    }
    if (p != end) {
        TOC_BAD("extra bytes after the totals");
    }
    if (t[0] != r->n_objects || t[1] != r->n_edges || t[2] != r->n_strings
        || t[3] != r->n_types || t[4] != r->n_roots || t[5] != r->n_meta) {
        TOC_BAD("totals do not match the blocks");
    }
    r->toc_total_size = t[6];
    r->info.blocks = n;
    r->have_toc = 1;
    rc = MF_OK;
#undef TOC_BAD
out:
    free((void *)raw);
    return rc;
}

/*
 * Partial mode: walk the blocks from the start and keep the valid ones
 * before the first damage.  Returns MF_OK with `damage` filled when it
 * stopped early (or found no trailer), an error only for NOMEM.
 */
static int
rd_open_scan(mf_reader *r, rd_ctx *c, mf_error *damage)
{
    uint64_t off = MF_HEADER_SIZE;
    long long index = 0;
    mf_block_header h;
    mf_error e;
    int rc;

    for (;; index++) {
        if (off == r->size) {
            mf_err(&e, MF_E_TRUNCATED, "file ends after block %lld "
                   "without a table of contents", index - 1);
            e.offset = off;
            break;
        }
        rc = mf_block_check(r->data, r->size, off, index, 1, &h, &e);
        if (rc != MF_OK) {
            break;
        }
        if (h.kind == MF_KIND_TOC) {
            e.code = MF_OK;
            break;
        }
        rc = rd_count_raw(r, &h, index, off, &e);
        if (rc != MF_OK) {
            break;
        }
        if (rd_is_small(h.kind)) {
            rc = rd_small(r, c, &h, index, off, &e);
        }
        else if (h.kind == MF_KIND_OBJS) {
            rc = rd_objs(r, &h, index, off, &e);
        }
        if (rc == MF_E_NOMEM) {
            mf_err_copy(damage, &e);
            return rc;
        }
        if (rc != MF_OK) {
            break;
        }
        off += MF_BLOCK_HEADER_SIZE + (uint64_t)h.stored_size;
    }
    r->info.valid_bytes = off;
    r->info.blocks = (uint64_t)index;
    if (e.code != MF_OK) {
        mf_err_copy(damage, &e);
    }
    return MF_OK;
}

/* ---- open ----------------------------------------------------------- */

static int
rd_check_sid(const mf_reader *r, uint32_t sid)
{
    return sid == MF_NONE || sid < r->n_strings;
}

void
mf_reader_drop_roots(mf_reader *r, uint64_t n)
{
    uint32_t i, k = 0;

    for (i = 0; i < r->n_roots; i++) {
        if (r->roots[i].object < n) {
            r->roots[k++] = r->roots[i];
        }
    }
    r->n_roots = k;
    r->info.roots = k;
}

static int
rd_finish(mf_reader *r, mf_error *err)
{
    int partial = (r->flags & MF_READ_PARTIAL) != 0;
    uint32_t i;

    if (!partial) {
        for (i = 0; i < r->n_types; i++) {
            if (!rd_check_sid(r, r->types[i].module)
                || !rd_check_sid(r, r->types[i].qualname)) {
                return mf_err(err, MF_E_CORRUPT, "type %lu: string id out "
                              "of range", (unsigned long)i);
            }
        }
        for (i = 0; i < r->n_roots; i++) {
            if (r->roots[i].object >= r->n_objects) {
                return mf_err(err, MF_E_CORRUPT, "root %lu refers to object "
                              "%lu but the file has %llu objects",
                              (unsigned long)i,
                              (unsigned long)r->roots[i].object,
                              (unsigned long long)r->n_objects);
            }
            if (!rd_check_sid(r, r->roots[i].label)) {
                return mf_err(err, MF_E_CORRUPT, "root %lu: string id out "
                              "of range", (unsigned long)i);
            }
        }
        for (i = 0; i < r->n_meta; i++) {
            if (!rd_check_sid(r, r->meta[i].key)
                || (r->meta[i].kind == MF_META_STR
                    && !rd_check_sid(r, r->meta[i].v.str))) {
                return mf_err(err, MF_E_CORRUPT, "meta %lu: string id out "
                              "of range", (unsigned long)i);
            }
        }
    }
    else {
        mf_reader_drop_roots(r, r->n_objects);
    }
    r->info.objects = r->n_objects;
    r->info.edges = r->n_edges;
    r->info.strings = r->n_strings;
    r->info.types = r->n_types;
    r->info.roots = r->n_roots;
    r->info.meta = r->n_meta;
    r->info.total_size = r->toc_total_size;
    if (!r->info.partial) {
        r->info.valid_bytes = r->size;
    }
    return MF_OK;
}

static int
rd_open(mf_reader *r, mf_error *err)
{
    rd_ctx c = {NULL, {NULL, 0, 0}};
    const uint8_t *f = r->data;
    unsigned major, minor;
    mf_error e;
    int rc;

    r->info.file_size = r->size;
    mf_err_clear(&r->info.damage);
    r->max_raw = UINT64_MAX;
    if (r->max_expansion != UINT64_MAX
        && r->size <= UINT64_MAX / r->max_expansion) {
        r->max_raw = r->size * r->max_expansion;
        if (r->max_raw < MF_EXPANSION_FLOOR) {
            r->max_raw = MF_EXPANSION_FLOOR;
        }
    }
    if (r->size < 8 ? memcmp(f, MF_MAGIC, (size_t)r->size) != 0
                    : memcmp(f, MF_MAGIC, 8) != 0) {
        return mf_err(err, MF_E_NOT_SNAPSHOT,
                      "not a muppy snapshot (bad magic)");
    }
    if (r->size < MF_HEADER_SIZE) {
        return mf_err(err, MF_E_TRUNCATED, "file of %llu bytes is shorter "
                      "than the header", (unsigned long long)r->size);
    }
    major = mf_le16(f + 8);
    minor = mf_le16(f + 10);
    r->info.major = major;
    r->info.minor = minor;
    if (major != MF_FORMAT_MAJOR) {
        return mf_err(err, MF_E_VERSION, "unsupported format version %u.%u "
                      "(this reader knows %u.x)", major, minor,
                      MF_FORMAT_MAJOR);
    }
    c.dctx = ZSTD_createDCtx();
    if (c.dctx == NULL) {
        return mf_err(err, MF_E_NOMEM, "out of memory");
    }
    rc = rd_open_toc(r, &c, &e);
    if (rc != MF_OK && rc != MF_E_NOMEM && (r->flags & MF_READ_PARTIAL)) {
        mf_error damage;
        rd_reset(r);
        mf_err_copy(&damage, &e);
        rc = rd_open_scan(r, &c, &damage);
        if (rc == MF_OK) {
            r->info.partial = 1;
            mf_err_copy(&r->info.damage, &damage);
        }
        else {
            mf_err_copy(&e, &damage);
        }
    }
    ZSTD_freeDCtx(c.dctx);
    mf_buf_free(&c.scratch);
    if (rc != MF_OK) {
        mf_err_copy(err, &e);
        return rc;
    }
    return rd_finish(r, err);
}

static uint64_t
rd_phys_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);

    if (pages <= 0 || psize <= 0) {
        return UINT64_MAX;
    }
    return (uint64_t)pages * (uint64_t)psize;
}

static int
rd_new(mf_reader **out, const mf_read_options *opts, mf_error *err)
{
    mf_reader *r;

    mf_err_clear(err);
    if (out == NULL) {
        return mf_err(err, MF_E_ARG, "no place for the reader");
    }
    *out = NULL;
    r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return mf_err(err, MF_E_NOMEM, "out of memory");
    }
    if (opts) {
        r->flags = opts->flags;
        r->max_memory = opts->max_memory;
        r->threads = opts->threads;
        r->progress = opts->progress;
        r->progress_ctx = opts->progress_ctx;
    }
    if (r->max_memory == 0) {
        r->max_memory = rd_phys_memory();
    }
    r->max_expansion = opts && opts->max_expansion
                       ? opts->max_expansion : MF_DEFAULT_MAX_EXPANSION;
    *out = r;
    return MF_OK;
}

int
mf_reader_open_memory(mf_reader **out, const void *data, size_t size,
                      const mf_read_options *opts, mf_error *err)
{
    mf_reader *r;
    int rc;

    if ((rc = rd_new(out, opts, err)) != MF_OK) {
        return rc;
    }
    r = *out;
    *out = NULL;
    if (data == NULL && size > 0) {
        mf_reader_close(r);
        return mf_err(err, MF_E_ARG, "null buffer");
    }
    r->data = data ? data : (const uint8_t *)"";
    r->size = size;
    if ((rc = rd_open(r, err)) != MF_OK) {
        mf_reader_close(r);
        return rc;
    }
    *out = r;
    return MF_OK;
}

int
mf_reader_open(mf_reader **out, const char *path,
               const mf_read_options *opts, mf_error *err)
{
    struct stat st;
    mf_reader *r;
    size_t cap, len = 0;
    int fd, rc;

    if ((rc = rd_new(out, opts, err)) != MF_OK) {
        return rc;
    }
    r = *out;
    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = mf_err_io(err, errno, "cannot open '%s'", path);
        mf_reader_close(r);
        return rc;
    }
    cap = (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
              ? (size_t)st.st_size + 1 : 65536;
    for (;;) {
        ssize_t k;
        if (len == cap) {
            uint8_t *q = cap > SIZE_MAX / 2 ? NULL : realloc(r->owned,
                                                              cap * 2);
            if (q == NULL) {
                close(fd);
                mf_reader_close(r);
                return mf_err(err, MF_E_NOMEM, "out of memory reading '%s'",
                              path);
            }
            r->owned = q;
            cap *= 2;
        }
        else if (r->owned == NULL) {
            r->owned = malloc(cap);
            if (r->owned == NULL) {
                close(fd);
                mf_reader_close(r);
                return mf_err(err, MF_E_NOMEM, "out of memory reading '%s'",
                              path);
            }
        }
        k = read(fd, r->owned + len, cap - len);
        if (k < 0) {
            if (errno == EINTR) {
                continue;
            }
            rc = mf_err_io(err, errno, "cannot read '%s'", path);
            close(fd);
            mf_reader_close(r);
            return rc;
        }
        if (k == 0) {
            break;
        }
        len += (size_t)k;
    }
    close(fd);
    r->data = r->owned;
    r->size = len;
    if ((rc = rd_open(r, err)) != MF_OK) {
        mf_reader_close(r);
        return rc;
    }
    *out = r;
    return MF_OK;
}

void
mf_reader_close(mf_reader *r)
{
    if (r == NULL) {
        return;
    }
    free(r->owned);
    free(r->objs);
    free(r->str_off);
    free(r->str_data);
    free(r->types);
    free(r->roots);
    free(r->meta);
    free(r);
}

/* ---- accessors ------------------------------------------------------ */

const mf_file_info *
mf_reader_info(const mf_reader *r)
{
    return &r->info;
}

const char *
mf_reader_string(const mf_reader *r, uint32_t id, size_t *len)
{
    if (r == NULL || id >= r->n_strings) {
        if (len) {
            *len = 0;
        }
        return NULL;
    }
    if (len) {
        *len = (size_t)(r->str_off[id + 1] - r->str_off[id] - 1);
    }
    return r->str_data + r->str_off[id];
}

uint32_t
mf_reader_string_count(const mf_reader *r)
{
    return r->n_strings;
}

const mf_type *
mf_reader_types(const mf_reader *r, uint32_t *count)
{
    if (count) {
        *count = r->n_types;
    }
    return r->types;
}

const mf_root *
mf_reader_roots(const mf_reader *r, uint32_t *count)
{
    if (count) {
        *count = r->n_roots;
    }
    return r->roots;
}

const mf_meta *
mf_reader_meta(const mf_reader *r, uint32_t *count)
{
    if (count) {
        *count = r->n_meta;
    }
    return r->meta;
}

static const mf_meta *
rd_meta_find(const mf_reader *r, const char *key, uint32_t kind)
{
    size_t klen = strlen(key), len;
    uint32_t i;

    for (i = 0; i < r->n_meta; i++) {
        const char *k = mf_reader_string(r, r->meta[i].key, &len);
        if (k && len == klen && memcmp(k, key, len) == 0
            && r->meta[i].kind == kind) {
            return &r->meta[i];
        }
    }
    return NULL;
}

int
mf_reader_meta_str(const mf_reader *r, const char *key, const char **v)
{
    const mf_meta *m = rd_meta_find(r, key, MF_META_STR);
    const char *s;

    if (m == NULL || (s = mf_reader_string(r, m->v.str, NULL)) == NULL) {
        return -1;
    }
    *v = s;
    return 0;
}

int
mf_reader_meta_int(const mf_reader *r, const char *key, int64_t *v)
{
    const mf_meta *m = rd_meta_find(r, key, MF_META_INT);

    if (m == NULL) {
        return -1;
    }
    *v = m->v.i;
    return 0;
}

int
mf_reader_meta_float(const mf_reader *r, const char *key, double *v)
{
    const mf_meta *m = rd_meta_find(r, key, MF_META_FLOAT);

    if (m == NULL) {
        return -1;
    }
    *v = m->v.f;
    return 0;
}
