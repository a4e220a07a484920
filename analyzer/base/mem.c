/*
 * mem.c - large arrays with transparent huge pages.
 */
#define _DEFAULT_SOURCE 1 /* madvise, MADV_HUGEPAGE */
#include "base/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define AN_HUGE_PAGE ((uintptr_t)2 << 20)

/* Advise huge pages on the 2 MiB-aligned part of [p, p + bytes). */
static void
an_advise_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    uintptr_t lo = ((uintptr_t)p + AN_HUGE_PAGE - 1) & ~(AN_HUGE_PAGE - 1);
    uintptr_t hi = ((uintptr_t)p + bytes) & ~(AN_HUGE_PAGE - 1);

    if (p != NULL && bytes >= 2 * AN_HUGE_PAGE && hi > lo) {
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);   /* a hint */
    }
#else
    (void)p;
    (void)bytes;
#endif
}

void *
an_big_malloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);

    an_advise_huge(p, bytes);
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
    an_advise_huge(p, n * size);
    return p;
}
