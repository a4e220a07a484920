/*
 * reader_impl.h - the mf_reader structure, shared by reader.c (open,
 * small blocks, accessors) and load.c (object blocks).
 */
#ifndef MF_READER_IMPL_H
#define MF_READER_IMPL_H

#include <stdint.h>

#include "muppy_format.h"

/* One OBJS block as listed by the TOC or found by the partial scan. */
typedef struct mf_objs_ref {
    uint64_t offset;        /* of the block header */
    uint64_t first;         /* first object index */
    uint64_t edge_base;     /* index of its first edge */
    uint32_t count, aux;
    long long index;        /* block number in the file, for messages */
} mf_objs_ref;

struct mf_reader {
    const uint8_t *data;
    uint64_t size;
    uint8_t *owned;         /* data, when read from a file */
    unsigned flags;         /* MF_READ_* */
    uint64_t max_memory;
    uint64_t max_expansion; /* mf_read_options.max_expansion, resolved */
    uint64_t max_raw;       /* bound on raw_total: file size x that */
    uint64_t raw_total;     /* raw_size summed over the blocks seen */
    int threads;
    void (*progress)(void *, uint64_t, uint64_t);
    void *progress_ctx;

    mf_file_info info;
    uint64_t small_bytes;   /* memory taken by the small tables */

    mf_objs_ref *objs;
    size_t n_objs, cap_objs;
    uint64_t n_objects, n_edges; /* sums over objs */
    uint64_t toc_total_size;
    int have_toc;           /* totals checked against a valid TOC */
    int loaded_partial;     /* a load stopped early: objects truncated */

    uint64_t *str_off;      /* n_strings + 1 offsets into str_data */
    char *str_data;         /* strings, each followed by a NUL */
    size_t str_len, str_cap;
    uint32_t n_strings, cap_strings;

    mf_type *types;
    uint32_t n_types, cap_types;
    mf_root *roots;
    uint32_t n_roots, cap_roots;
    mf_meta *meta;
    uint32_t n_meta, cap_meta;
};

/* load.c: decode the OBJS blocks of r (all of them: out may be NULL for
 * verify-only). */
int mf_reader_decode_all(mf_reader *r, unsigned columns, mf_graph *g,
                         mf_error *err);

/* reader.c: drop roots whose object is >= n (partial files). */
void mf_reader_drop_roots(mf_reader *r, uint64_t n);

#endif /* MF_READER_IMPL_H */
