/*
 * mem.h - allocation of the large arrays of graph passes.
 *
 * The passes over the heap graph (depth-first search, dominators, BFS)
 * read and write arrays of one entry per object or edge in random order.
 * With 4 KiB pages nearly every such access to an array of tens of MiB
 * misses the TLB too; these functions ask the kernel for transparent huge
 * pages (a hint, ignored where unsupported) on arrays of 4 MiB or more.
 * Free with free().
 */
#ifndef AN_BASE_MEM_H
#define AN_BASE_MEM_H

#include <stddef.h>
#include <stdint.h>

/* malloc(bytes) (at least 1), huge pages advised.  NULL on failure. */
void *an_big_malloc(size_t bytes);
/* calloc(n, size) (at least 1 byte), huge pages advised; NULL on failure
 * or overflow. */
void *an_big_calloc(size_t n, size_t size);

/*
 * an_grow() - make the growable array *arr (of elements of elem bytes,
 * *cap of them) hold at least `need`: doubles *cap (from `first` when
 * 0) until it does and reallocates.  0, or -1 on ENOMEM (*arr and *cap
 * unchanged).  `arr` is the address of the array's pointer.
 */
int an_grow(void *arr, uint64_t *cap, uint64_t need, size_t elem,
            uint64_t first);

#endif /* AN_BASE_MEM_H */
