/*
 * mem.c - large arrays with transparent huge pages.
 */
#include "base/mem.h"

#include <stdint.h>
#include <stdlib.h>

#include "muppy_util.h"

void *
an_big_malloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);

    mf_advise_huge(p, bytes);
    return p;
}

void *
an_big_calloc(size_t n, size_t size)
{
    void *p;

    if (size != 0 && n > SIZE_MAX / size) {
        return NULL;
    }
    p = calloc(n ? n : 1, size ? size : 1);
    mf_advise_huge(p, n * size);
    return p;
}

int
an_grow(void *arr, uint64_t *cap, uint64_t need, size_t elem, uint64_t first)
{
    void **slot = arr;
    uint64_t c = *cap ? *cap : (first ? first : 1);
    void *p;

    if (need <= *cap) {
        return 0;
    }
    while (c < need) {
        if (c > UINT64_MAX / 2) {
            return -1;
        }
        c *= 2;
    }
    if (c > SIZE_MAX / elem) {
        return -1;
    }
    p = realloc(*slot, (size_t)c * elem);
    if (p == NULL) {
        return -1;
    }
    *slot = p;
    *cap = c;
    return 0;
}
