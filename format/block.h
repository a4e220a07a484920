/*
 * block.h - the block codec: header, checksum, zstd payload.
 *
 * A block is a 40-byte header and a payload that is either raw or one zstd
 * frame (header flag bit 0).  The CRC-32C covers header bytes 0..35 and the
 * stored payload.
 */
#ifndef MF_BLOCK_H
#define MF_BLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <zstd.h>

#include "buf.h"
#include "muppy_errors.h"

typedef struct mf_block_header {
    uint32_t kind, flags, stored_size, raw_size;
    uint64_t first;
    uint32_t count, aux, reserved, crc;
} mf_block_header;

void mf_block_header_decode(const uint8_t *in, mf_block_header *h);

/*
 * mf_block_encode() - replace `out` with a whole block (header + payload)
 * for the raw payload `raw`.  Compresses with `cctx` at `level`; stores the
 * payload raw when zstd does not make it smaller.  Returns MF_OK,
 * MF_E_NOMEM or MF_E_COMPRESS.
 */
int mf_block_encode(ZSTD_CCtx *cctx, int level, uint32_t kind,
                    uint64_t first, uint32_t count, uint32_t aux,
                    const uint8_t *raw, size_t raw_len, mf_buf *out,
                    mf_error *err);

/*
 * mf_block_check() - read and check the block header at `off` of a file of
 * `size` bytes: header and payload inside the file (else MF_E_TRUNCATED),
 * raw_size <= MF_MAX_RAW, raw blocks have stored == raw (MF_E_CORRUPT
 * or MF_E_LIMIT), and, when `crc` is set, the checksum (MF_E_CHECKSUM).
 * `index` only names the block in messages.
 */
int mf_block_check(const uint8_t *file, uint64_t size, uint64_t off,
                   long long index, int crc, mf_block_header *h,
                   mf_error *err);

/*
 * mf_block_payload() - the raw payload of a checked block: the stored
 * bytes themselves, or decompressed into *scratch (grown as needed, owned
 * by the caller).  Checks that the frame declares exactly raw_size bytes
 * and yields exactly that.  *raw is valid until *scratch changes.
 */
int mf_block_payload(ZSTD_DCtx *dctx, const uint8_t *file, uint64_t off,
                     long long index, const mf_block_header *h,
                     mf_buf *scratch, const uint8_t **raw, mf_error *err);

#endif /* MF_BLOCK_H */
