/*
 * state.c - errors and scratch buffers of the dump in progress (state.h).
 */
#include "state.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int
md_nomem(md_state *d)
{
    if (!d->failed) {
        PyErr_NoMemory();
        d->failed = MD_FAILED_PY;
    }
    return -1;
}

int
md_lib_error(md_state *d)
{
    if (!d->failed) {
        d->lib_err = d->err;
        d->failed = MD_FAILED_LIB;
    }
    return -1;
}

void
md_scratch_free(void *buf, size_t cap, size_t size)
{
    if (cap * size > MD_KEEP_BYTES) {
        munmap(buf, cap * size);
    }
    else {
        free(buf);
    }
}

int
md_scratch_reserve(md_state *d, void **buf, size_t *cap, size_t need,
                   size_t size)
{
    size_t ncap;
    void *nb;

    if (need <= *cap) {
        return 0;
    }
    ncap = *cap ? *cap : 64;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / size) {
            return md_nomem(d);
        }
        ncap *= 2;
    }
    if (ncap * size <= MD_KEEP_BYTES) {
        nb = realloc(*buf, ncap * size);
        if (nb == NULL) {
            return md_nomem(d);
        }
    }
#ifdef MREMAP_MAYMOVE
    else if (*cap * size > MD_KEEP_BYTES) {
        /* moves the pages, copies nothing */
        nb = mremap(*buf, *cap * size, ncap * size, MREMAP_MAYMOVE);
        if (nb == MAP_FAILED) {
            return md_nomem(d);
        }
    }
#endif
    else {
        nb = mmap(NULL, ncap * size, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (nb == MAP_FAILED) {
            return md_nomem(d);
        }
#ifdef MADV_POPULATE_WRITE
        /* the part about to be filled, in one system call rather than a
         * fault per page (a numpy object array of millions of items);
         * not the rest of the doubled capacity, which may stay unused */
        (void)madvise(nb, need * size, MADV_POPULATE_WRITE);
#endif
        if (*cap > 0) {
            memcpy(nb, *buf, *cap * size);
        }
        md_scratch_free(*buf, *cap, size);
    }
    *buf = nb;
    *cap = ncap;
    return 0;
}
