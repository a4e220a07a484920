/*
 * objs.h - decoding one OBJS block payload (columnar objects and edges).
 *
 * The decoder parses the columns named in `want` (MF_COL_* bits, plus the
 * columns they depend on), validates them completely (varints, counts,
 * ids in range, every column consumed exactly) and stores the values in
 * the `out` arrays that are not NULL, at the block's object and edge
 * offsets.  Columns beyond the 11 of v1.0 are skipped.
 */
#ifndef MF_OBJS_H
#define MF_OBJS_H

#include <stdint.h>

#include "buf.h"
#include "muppy_format.h"

typedef struct mf_objs_limits {
    uint32_t n_types, n_strings;
    uint64_t target_limit;  /* edge targets must be below this */
} mf_objs_limits;

/* Per-thread scratch space, grown as needed; zero-initialise. */
typedef struct mf_objs_scratch {
    uint8_t *flags;
    uint32_t *counts;
    uint8_t *kinds;
    uint32_t cap_objects, cap_edges;
} mf_objs_scratch;

typedef struct mf_objs_block {
    uint64_t first, edge_base;
    uint32_t count, aux;
    long long index;        /* for messages */
    uint64_t offset;
} mf_objs_block;

/*
 * mf_objs_decode() - decode payload [raw, raw+len) of block `b` into the
 * non-NULL arrays of `out` (graph-wide arrays; n_objects etc. unused).
 * *size_sum receives the sum of the object sizes when the size column was
 * parsed.  Returns MF_OK, MF_E_CORRUPT, MF_E_LIMIT or MF_E_NOMEM.
 */
int mf_objs_decode(const uint8_t *raw, size_t len, const mf_objs_block *b,
                   unsigned want, const mf_objs_limits *lim,
                   mf_graph *out, mf_objs_scratch *s, uint64_t *size_sum,
                   mf_error *err);

void mf_objs_scratch_free(mf_objs_scratch *s);

#endif /* MF_OBJS_H */
