/*
 * buf.h - a growable byte buffer for encoders.
 *
 * The buffer owns `data`.  mf_buf_reserve() makes room for `extra` more
 * bytes and returns 0, or -1 when memory runs out (the buffer is then
 * unchanged).  The put functions assume the room was reserved.
 */
#ifndef MF_BUF_H
#define MF_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "varint.h"

typedef struct mf_buf {
    uint8_t *data;
    size_t len, cap;
} mf_buf;

/* Capacities from this size up are mappings of their own (buf.c). */
#define MF_BUF_MAP_BYTES (256u << 10)

int mf_buf_grow(mf_buf *b, size_t extra);
void mf_buf_release(mf_buf *b);     /* frees data; see mf_buf_free() */

static inline int
mf_buf_reserve(mf_buf *b, size_t extra)
{
    if (b->cap - b->len >= extra) {
        return 0;
    }
    return mf_buf_grow(b, extra);
}

static inline void
mf_buf_put_varint(mf_buf *b, uint64_t v)
{
    b->len += mf_varint_put(b->data + b->len, v);
}

static inline void
mf_buf_put_byte(mf_buf *b, uint8_t v)
{
    b->data[b->len++] = v;
}

static inline void
mf_buf_put(mf_buf *b, const void *p, size_t n)
{
    if (n) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
    }
}

static inline void
mf_buf_free(mf_buf *b)
{
    mf_buf_release(b);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* Free the buffer when it is over `keep` bytes and four times bigger than
 * the `used` bytes it last held: one huge record must not pin its memory
 * for the rest of a long run. */
static inline void
mf_buf_trim(mf_buf *b, size_t used, size_t keep)
{
    if (b->cap > keep && b->cap / 4 > used) {
        mf_buf_free(b);
    }
}

#endif /* MF_BUF_H */
