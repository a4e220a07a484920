/*
 * tfile.h - build snapshot files byte by byte, for tests and samples:
 * crafted headers, unknown blocks, extra columns, hostile counts.
 */
#ifndef TFILE_H
#define TFILE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

typedef struct tf_entry {
    uint32_t kind;
    uint64_t offset, first;
    uint32_t count, aux;
} tf_entry;

typedef struct tfile {
    mf_buf data;
    tf_entry entries[1024];
    size_t n_entries;
} tfile;

void tf_init(tfile *f, unsigned major, unsigned minor);

/* Append a block with exactly these header fields and stored payload;
   the CRC is computed.  in_toc: list it in the TOC. */
void tf_put_block(tfile *f, uint32_t kind, uint32_t flags,
                  uint32_t raw_size, uint64_t first, uint32_t count,
                  uint32_t aux, const void *stored, size_t stored_len,
                  int in_toc);

/* Append a block for raw payload `raw`, zstd-compressed when compress. */
void tf_block(tfile *f, uint32_t kind, uint64_t first, uint32_t count,
              uint32_t aux, const void *raw, size_t len, int compress);

/* Append the TOC (with these 7 totals) and the footer. */
void tf_finish(tfile *f, const uint64_t totals[7]);

void tf_free(tfile *f);

#endif /* TFILE_H */
