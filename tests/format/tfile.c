/*
 * tfile.c - the crafted-file builder (tests only).
 */
#include "tfile.h"

#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "crc32c.h"
#include "layout.h"
#include "muppy_format.h"

static void
tf_need(tfile *f, size_t n)
{
    if (mf_buf_reserve(&f->data, n) < 0) {
        abort();
    }
}

void
tf_init(tfile *f, unsigned major, unsigned minor)
{
    memset(f, 0, sizeof(*f));
    tf_need(f, MF_HEADER_SIZE);
    memcpy(f->data.data, MF_MAGIC, 8);
    mf_put_le16(f->data.data + 8, (uint16_t)major);
    mf_put_le16(f->data.data + 10, (uint16_t)minor);
    mf_put_le32(f->data.data + 12, 0);
    f->data.len = MF_HEADER_SIZE;
}

void
tf_put_block(tfile *f, uint32_t kind, uint32_t flags, uint32_t raw_size,
             uint64_t first, uint32_t count, uint32_t aux,
             const void *stored, size_t stored_len, int in_toc)
{
    uint8_t *h;
    uint32_t crc;

    tf_need(f, MF_BLOCK_HEADER_SIZE + stored_len);
    h = f->data.data + f->data.len;
    mf_put_le32(h, kind);
    mf_put_le32(h + 4, flags);
    mf_put_le32(h + 8, (uint32_t)stored_len);
    mf_put_le32(h + 12, raw_size);
    mf_put_le64(h + 16, first);
    mf_put_le32(h + 24, count);
    mf_put_le32(h + 28, aux);
    mf_put_le32(h + 32, 0);
    if (stored_len) {
        memcpy(h + MF_BLOCK_HEADER_SIZE, stored, stored_len);
    }
    crc = mf_crc32c(0, h, 36);
    crc = mf_crc32c(crc, h + MF_BLOCK_HEADER_SIZE, stored_len);
    mf_put_le32(h + 36, crc);
    if (in_toc && f->n_entries < 1024) {
        tf_entry *e = &f->entries[f->n_entries++];
        e->kind = kind;
        e->offset = f->data.len;
        e->first = first;
        e->count = count;
        e->aux = aux;
    }
    f->data.len += MF_BLOCK_HEADER_SIZE + stored_len;
}

void
tf_block(tfile *f, uint32_t kind, uint64_t first, uint32_t count,
         uint32_t aux, const void *raw, size_t len, int compress)
{
    if (compress) {
        size_t bound = ZSTD_compressBound(len);
        void *z = malloc(bound);
        size_t n = ZSTD_compress(z, bound, raw, len, 1);
        if (z == NULL || ZSTD_isError(n)) {
            abort();
        }
        tf_put_block(f, kind, MF_BLOCK_ZSTD, (uint32_t)len, first, count,
                     aux, z, n, 1);
        free(z);
    }
    else {
        tf_put_block(f, kind, 0, (uint32_t)len, first, count, aux, raw, len,
                     1);
    }
}

void
tf_finish(tfile *f, const uint64_t totals[7])
{
    mf_buf toc = {0};
    uint64_t toc_off = f->data.len;
    uint8_t footer[MF_FOOTER_SIZE];
    size_t i;

    if (mf_buf_reserve(&toc, (f->n_entries * 5 + 8) * MF_VARINT_MAX) < 0) {
        abort();
    }
    mf_buf_put_varint(&toc, f->n_entries);
    for (i = 0; i < f->n_entries; i++) {
        mf_buf_put_varint(&toc, f->entries[i].kind);
        mf_buf_put_varint(&toc, f->entries[i].offset);
        mf_buf_put_varint(&toc, f->entries[i].first);
        mf_buf_put_varint(&toc, f->entries[i].count);
        mf_buf_put_varint(&toc, f->entries[i].aux);
    }
    for (i = 0; i < 7; i++) {
        mf_buf_put_varint(&toc, totals[i]);
    }
    tf_put_block(f, MF_KIND_TOC, 0, (uint32_t)toc.len, 0,
                 (uint32_t)f->n_entries, 0, toc.data, toc.len, 0);
    mf_put_le64(footer, toc_off);
    mf_put_le32(footer + 8, (uint32_t)(f->data.len - toc_off));
    mf_put_le32(footer + 12, mf_crc32c(0, footer, 12));
    memcpy(footer + 16, MF_END_MAGIC, 8);
    tf_need(f, sizeof(footer));
    memcpy(f->data.data + f->data.len, footer, sizeof(footer));
    f->data.len += sizeof(footer);
    mf_buf_free(&toc);
}

void
tf_free(tfile *f)
{
    mf_buf_free(&f->data);
}
