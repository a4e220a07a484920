/*
 * buf.c - growth of mf_buf.
 *
 * A buffer of MF_BUF_MAP_BYTES or more is a mapping of its own (grown by
 * mremap() on Linux, without a copy), so that freeing it gives its memory
 * back at once.  From malloc, big freed chunks can stay resident in a
 * thread's arena for the rest of the process: the writer's threads would
 * keep the peak of their biggest block.
 */
/* mremap() on Linux */
#define _GNU_SOURCE
#include "buf.h"

#include <sys/mman.h>

static void *
buf_map(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    return p == MAP_FAILED ? NULL : p;
}

int
mf_buf_grow(mf_buf *b, size_t extra)
{
    size_t need, cap;
    uint8_t *p;

    if (extra > SIZE_MAX - b->len) {
        return -1;
    }
    need = b->len + extra;
    cap = b->cap ? b->cap : 256;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    if (cap < MF_BUF_MAP_BYTES) {
        p = realloc(b->data, cap);
    }
#ifdef MREMAP_MAYMOVE
    else if (b->cap >= MF_BUF_MAP_BYTES) {
        p = mremap(b->data, b->cap, cap, MREMAP_MAYMOVE);
        p = p == MAP_FAILED ? NULL : p;
    }
#endif
    else {
        p = buf_map(cap);
        if (p != NULL) {
            if (b->len > 0) {
                memcpy(p, b->data, b->len);
            }
            mf_buf_release(b);
        }
    }
    if (p == NULL) {
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

void
mf_buf_release(mf_buf *b)
{
    if (b->cap >= MF_BUF_MAP_BYTES) {
        munmap(b->data, b->cap);
    }
    else {
        free(b->data);
    }
}
