/*
 * objenc.h - the OBJS block encoder: column-codes objects into OBJS
 * blocks (spec/format.md, "OBJS blocks").
 *
 * The writer checks each object on the caller's thread and appends it to
 * a batch (below).  The sink
 * runs mf_objenc_run() on each batch in submission order, on its worker
 * thread when it has one, so the varint coding of a dump overlaps its
 * heap walk.  The encoder keeps an unfinished block from one batch to the
 * next and emits a block whenever one is full; a batch with
 * MF_OBJENC_FLUSH also emits the unfinished block.  Where blocks end
 * depends only on the objects, never on how they were batched.
 *
 * Between mf_objenc_new() and mf_objenc_free() only the sink touches the
 * encoder.  Every object it gets must have passed mf_objenc_check().
 */
#ifndef MF_OBJENC_H
#define MF_OBJENC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "layout.h"
#include "muppy_format.h"
#include "sink.h"

/*
 * A batch: the objects, each an mf_staged followed by its n_edges mf_edge;
 * then the STRS and TYPE records added since the last batch, each an
 * mf_staged_block followed by its len bytes and zeros up to a multiple of
 * 8; then the byte length of the objects' part (a uint64_t).  The
 * encoder writes the small blocks first: the objects refer to them.
 */
typedef struct mf_staged {
    mf_object obj;
    uint64_t n_edges;
} mf_staged;

typedef struct mf_staged_block {
    uint32_t kind, count;
    uint64_t first, len;
} mf_staged_block;

#define MF_OBJENC_FLUSH   1u            /* batch flag: end the block */
#define MF_OBJENC_NO_HINT UINT64_MAX    /* batch hint: none */

typedef struct mf_objenc {
    uint32_t block_objects;
    mf_buf col[MF_OBJS_COLUMNS];
    mf_buf payload;             /* the block being emitted */
    size_t raw;                 /* bytes in col[], all columns together */
    uint32_t obj_room;          /* objects whose fixed columns fit */
    uint64_t block_first;       /* index of the block's first object */
    uint32_t block_count, block_edges;
    uint64_t prev_address;
    uint64_t frontier, block_frontier, hint;
    int hint_set;
} mf_objenc;

/* A new encoder, on cache lines of its own (the sink's worker writes it
 * for every object: sharing a line with the caller's hot data would make
 * both threads wait for it), or NULL when memory runs out. */
mf_objenc *mf_objenc_new(uint32_t block_objects);
void mf_objenc_free(mf_objenc *e);      /* NULL is fine */

/*
 * mf_objenc_check() - whether object number `index` with these edges can
 * be encoded: MF_OK, or MF_E_LIMIT when it cannot fit in one block
 * whatever the encoder's state (an object of millions of edges).
 */
int mf_objenc_check(const mf_object *o, const mf_edge *edges,
                    size_t n_edges, uint64_t index, mf_error *err);

/*
 * mf_objenc_run() - an mf_sink_transform_fn (ctx: the mf_objenc): code the
 * batch of `len` bytes.  `hint`, unless MF_OBJENC_NO_HINT, is the
 * frontier for the next block to start (mf_writer_set_frontier()); `flags`
 * may hold MF_OBJENC_FLUSH.
 */
int mf_objenc_run(void *ctx, mf_sink *s, const uint8_t *batch, size_t len,
                  uint64_t hint, uint32_t flags, mf_error *err);

#endif /* MF_OBJENC_H */
