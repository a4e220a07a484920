/*
 * block.c - encoding and checking blocks.
 */
#include "block.h"

#include "crc32c.h"
#include "err.h"
#include "layout.h"

void
mf_block_header_decode(const uint8_t *in, mf_block_header *h)
{
    h->kind = mf_le32(in);
    h->flags = mf_le32(in + 4);
    h->stored_size = mf_le32(in + 8);
    h->raw_size = mf_le32(in + 12);
    h->first = mf_le64(in + 16);
    h->count = mf_le32(in + 24);
    h->aux = mf_le32(in + 28);
    h->reserved = mf_le32(in + 32);
    h->crc = mf_le32(in + 36);
}

int
mf_block_encode(ZSTD_CCtx *cctx, int level, uint32_t kind, uint64_t first,
                uint32_t count, uint32_t aux, const uint8_t *raw,
                size_t raw_len, mf_buf *out, mf_error *err)
{
    size_t bound = ZSTD_compressBound(raw_len);
    size_t stored = raw_len;
    uint32_t flags = 0, crc;
    uint8_t *h;

    out->len = 0;
    if (mf_buf_reserve(out, MF_BLOCK_HEADER_SIZE + bound) < 0) {
        return mf_err(err, MF_E_NOMEM, "out of memory compressing a block");
    }
    h = out->data;
    if (raw_len > 0 && cctx != NULL) {
        size_t z = ZSTD_compressCCtx(cctx, h + MF_BLOCK_HEADER_SIZE, bound,
                                     raw, raw_len, level);
        if (ZSTD_isError(z)) {
            return mf_err(err, MF_E_COMPRESS, "zstd compression failed: %s",
                          ZSTD_getErrorName(z));
        }
        if (z < raw_len) {
            stored = z;
            flags = MF_BLOCK_ZSTD;
        }
    }
    if (!flags && raw_len) {
        memcpy(h + MF_BLOCK_HEADER_SIZE, raw, raw_len);
    }
    mf_put_le32(h, kind);
    mf_put_le32(h + 4, flags);
    mf_put_le32(h + 8, (uint32_t)stored);
    mf_put_le32(h + 12, (uint32_t)raw_len);
    mf_put_le64(h + 16, first);
    mf_put_le32(h + 24, count);
    mf_put_le32(h + 28, aux);
    mf_put_le32(h + 32, 0);
    crc = mf_crc32c(0, h, 36);
    crc = mf_crc32c(crc, h + MF_BLOCK_HEADER_SIZE, stored);
    mf_put_le32(h + 36, crc);
    out->len = MF_BLOCK_HEADER_SIZE + stored;
    return MF_OK;
}

int
mf_block_check(const uint8_t *file, uint64_t size, uint64_t off,
               long long index, int crc, mf_block_header *h, mf_error *err)
{
    uint32_t c;

    if (off > size || size - off < MF_BLOCK_HEADER_SIZE) {
        return mf_err_block(err, MF_E_TRUNCATED, index, 0, off,
                            "block header cut off by the end of the file");
    }
    mf_block_header_decode(file + off, h);
    if (size - off - MF_BLOCK_HEADER_SIZE < h->stored_size) {
        return mf_err_block(err, MF_E_TRUNCATED, index, h->kind, off,
                            "payload of %lu bytes cut off by the end of "
                            "the file", (unsigned long)h->stored_size);
    }
    if (crc) {
        c = mf_crc32c(0, file + off, 36);
        c = mf_crc32c(c, file + off + MF_BLOCK_HEADER_SIZE, h->stored_size);
        if (c != h->crc && !MF_IGNORE_CRC) {
            return mf_err_block(err, MF_E_CHECKSUM, index, h->kind, off,
                                "checksum mismatch");
        }
    }
    if (h->raw_size > MF_MAX_RAW) {
        return mf_err_block(err, MF_E_LIMIT, index, h->kind, off,
                            "raw size %lu exceeds the limit of %lu bytes",
                            (unsigned long)h->raw_size,
                            (unsigned long)MF_MAX_RAW);
    }
    if (!(h->flags & MF_BLOCK_ZSTD) && h->stored_size != h->raw_size) {
        return mf_err_block(err, MF_E_CORRUPT, index, h->kind, off,
                            "uncompressed block with stored size %lu but "
                            "raw size %lu", (unsigned long)h->stored_size,
                            (unsigned long)h->raw_size);
    }
    return MF_OK;
}

int
mf_block_payload(ZSTD_DCtx *dctx, const uint8_t *file, uint64_t off,
                 long long index, const mf_block_header *h, mf_buf *scratch,
                 const uint8_t **raw, mf_error *err)
{
    const uint8_t *src = file + off + MF_BLOCK_HEADER_SIZE;
    unsigned long long fcs;
    size_t z;

    if (!(h->flags & MF_BLOCK_ZSTD)) {
        *raw = src;
        return MF_OK;
    }
    fcs = ZSTD_getFrameContentSize(src, h->stored_size);
    if (fcs != h->raw_size) {
        return mf_err_block(err, MF_E_CORRUPT, index, h->kind, off,
                            "zstd frame does not declare the raw size %lu",
                            (unsigned long)h->raw_size);
    }
    scratch->len = 0;
    if (mf_buf_reserve(scratch, h->raw_size ? h->raw_size : 1) < 0) {
        return mf_err(err, MF_E_NOMEM, "out of memory decompressing a block");
    }
    z = ZSTD_decompressDCtx(dctx, scratch->data, h->raw_size, src,
                            h->stored_size);
    if (ZSTD_isError(z)) {
        return mf_err_block(err, MF_E_COMPRESS, index, h->kind, off,
                            "zstd decompression failed: %s",
                            ZSTD_getErrorName(z));
    }
    if (z != h->raw_size) {
        return mf_err_block(err, MF_E_CORRUPT, index, h->kind, off,
                            "payload decompresses to %lu bytes, expected %lu",
                            (unsigned long)z, (unsigned long)h->raw_size);
    }
    *raw = scratch->data;
    return MF_OK;
}
