/*
 * sink.h - the writer's output: compresses blocks and appends them to a
 * file descriptor in submission order, on background threads or inline.
 *
 * The caller takes a payload buffer with mf_sink_begin(), fills it and
 * hands it back with mf_sink_submit().  Threaded, a pipeline of two
 * threads does the rest: the worker runs the transform on slots that ask
 * for it (below) and hands every block to the compression thread, which
 * compresses and writes it.  There are four slot buffers (one being
 * filled, up to three queued) and two block buffers, so the caller's work
 * overlaps the coding, compression and I/O even when a stage falls behind
 * for a while.  The first error (write, compression, memory) is sticky:
 * every later call returns it, and queued work is dropped.
 */
#ifndef MF_SINK_H
#define MF_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "muppy_errors.h"
#include "muppy_util.h"

typedef struct mf_toc_entry {
    uint32_t kind;
    uint64_t offset, first;
    uint32_t count, aux;
    uint32_t size;      /* header + stored payload */
} mf_toc_entry;

typedef struct mf_sink mf_sink;

/* `threads` <= -1: everything on the calling thread; else the two
 * threads above.
 * `name` names the file in messages; `offset` is where blocks start. */
int mf_sink_open(mf_sink **out, int fd, const char *name, int level,
                 int threads, uint64_t offset, mf_error *err);

/* A cleared buffer to fill with the next block's raw payload, or NULL
 * after an error.  May wait for the worker to free one. */
mf_buf *mf_sink_begin(mf_sink *s);

/* Queue the buffer from mf_sink_begin() as a block. */
int mf_sink_submit(mf_sink *s, uint32_t kind, uint64_t first,
                   uint32_t count, uint32_t aux, mf_error *err);

/*
 * A slot submitted with kind MF_SINK_TRANSFORM is not a block but input
 * for the transform set with mf_sink_set_transform(): the sink calls it,
 * in submission order and on its worker when it has one, with the slot's
 * payload and the `first` and `aux` given to mf_sink_submit(); it writes
 * zero or more blocks with mf_sink_emit().  (The writer column-codes
 * objects this way, off the caller's thread.)  Block kinds are never 0.
 */
#define MF_SINK_TRANSFORM 0u
typedef int (*mf_sink_transform_fn)(void *ctx, mf_sink *s,
                                    const uint8_t *data, size_t len,
                                    uint64_t first, uint32_t aux,
                                    mf_error *err);
void mf_sink_set_transform(mf_sink *s, mf_sink_transform_fn fn, void *ctx);

/* Compress and write one block now: only from inside the transform. */
int mf_sink_emit(mf_sink *s, uint32_t kind, uint64_t first, uint32_t count,
                 uint32_t aux, const uint8_t *raw, size_t raw_len,
                 mf_error *err);

/* Wait until every submitted block is written; returns the sticky error */
int mf_sink_drain(mf_sink *s, mf_error *err);

/* After mf_sink_drain(): the blocks written, the end offset, and the raw
 * payload bytes.  The entries stay owned by the sink. */
const mf_toc_entry *mf_sink_entries(const mf_sink *s, size_t *n);
uint64_t mf_sink_offset(const mf_sink *s);
uint64_t mf_sink_raw_bytes(const mf_sink *s);

/* Stop the worker and free; queued blocks are dropped.  NULL is fine. */
void mf_sink_free(mf_sink *s);


#endif /* MF_SINK_H */
