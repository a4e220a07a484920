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
