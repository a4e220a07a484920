/*
 * index.h - numbering objects: the address array and the dedup table.
 *
 * Every object of the snapshot gets an index, its position in the
 * address array d->addrs (index -> object).  The array is also the
 * walk's breadth-first queue: an object seen for the first time is
 * appended, and the walk processes indices in order.
 *
 * The dedup table (object -> index): d->nslots uint32 entries (any count,
 * slot = fastrange of the hash), 0 = empty, else
 * (tag << MD_IDX_BITS) | (index + 1), where the tag is 4 more bits of the
 * hash, so that a probe only reads addrs[] (a likely cache miss) once in
 * 16 mismatches.  Load factor <= 0.75.  The hash is multiplicative
 * (Fibonacci) on the address without its 4 alignment bits: the slot
 * comes from the top 32 bits, the tag from bits 28..31.
 *
 * Limit: MD_MAX_OBJECTS (268 million) objects per snapshot.
 */
#ifndef MUPPY_INDEX_H
#define MUPPY_INDEX_H

#include "state.h"

#define MD_IDX_BITS 28
#define MD_IDX_MASK ((1u << MD_IDX_BITS) - 1)
#define MD_TAG(h) ((uint32_t)(((h) >> 28) & 0xF) << MD_IDX_BITS)
#define MD_MAX_OBJECTS (MD_IDX_MASK - 1u)

static inline uint64_t
md_ihash(const void *p)
{
    return ((uint64_t)(uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ULL;
}

static inline uint64_t
md_slot(uint64_t h, uint64_t nslots)
{
    return ((h >> 32) * nslots) >> 32;
}

/* rebuild the table with nslots slots (0, or -1 with MemoryError) */
int md_table_resize(md_state *d, uint64_t nslots);

/* grow the address array (0, or -1 with MemoryError / OverflowError) */
int md_addrs_grow(md_state *d);

/* populate the next entries of the address array ahead of use */
void md_addrs_populate(md_state *d);

/* before running Python code: make every queued object owned (and,
 * from then on, every object appended), so that such code cannot free an
 * object the walk still has to visit */
void md_own_all(md_state *d);

/* release what md_own_all() took (finalizers may run; an exception
 * set is kept) and free the array and the table */
void md_index_free(md_state *d);

/*
 * md_push() - append o to the address array, without the table (the
 * gc-tracked objects are numbered in list order before the table is
 * sized).  Returns 0 or -1.
 */
static inline int
md_push(md_state *d, PyObject *o)
{
    if (d->n >= d->cap && md_addrs_grow(d) < 0) {
        return -1;
    }
    if (d->n == d->populated) {
        md_addrs_populate(d);
    }
    /* (an external node's entry is no object: external.h) */
    if (d->own_all && !((char *)o >= d->ext_lo && (char *)o < d->ext_hi)) {
        Py_INCREF(o);
    }
    d->addrs[d->n++] = o;
    return 0;
}

/* make room in the table for `more` objects (0, or -1) */
static inline int
md_table_room(md_state *d, size_t more)
{
    uint64_t nslots = d->nslots;

    if (((uint64_t)d->n + more) * 4 < nslots * 3) {
        return 0;
    }
    while (((uint64_t)d->n + more) * 4 >= nslots * 3) {
        nslots += nslots / 2;
    }
    return md_table_resize(d, nslots);
}

/*
 * md_index_unchecked() - the index of o, numbering it (at the end of the
 * queue) when first seen; md_table_room() must have made room for it.
 * Returns UINT32_MAX on failure.
 */
static inline uint32_t
md_index_unchecked(md_state *d, PyObject *o)
{
    uint64_t h = md_ihash(o), k;
    uint32_t s, tag = MD_TAG(h);

    k = md_slot(h, d->nslots);
    while ((s = d->table[k]) != 0) {
        if ((s & ~MD_IDX_MASK) == tag
            && d->addrs[(s & MD_IDX_MASK) - 1] == o) {
            return (s & MD_IDX_MASK) - 1;
        }
        if (++k == d->nslots) {
            k = 0;
        }
    }
    if (md_push(d, o) < 0) {
        return UINT32_MAX;
    }
    d->table[k] = tag | d->n;
    return d->n - 1;
}

/* md_index() - md_index_unchecked() for one object */
static inline uint32_t
md_index(md_state *d, PyObject *o)
{
    if (md_table_room(d, 1) < 0) {
        return UINT32_MAX;
    }
    return md_index_unchecked(d, o);
}

#endif /* MUPPY_INDEX_H */
