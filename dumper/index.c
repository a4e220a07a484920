/*
 * index.c - the address array and the dedup table (index.h).
 */
#include "index.h"
#include "external.h"

#include <stdlib.h>
#include <sys/mman.h>

/*
 * The table's memory: zeroed and, on Linux, populated by the one mmap()
 * call, because the inserts' first touch of a page is a read (a fault that
 * maps the zero page) soon followed by a write (a second fault): two
 * faults per page (2,100 at heapgen scale 1e5, against 1,050 pages
 * populated in one call).
 */
static uint32_t *
md_table_alloc(uint64_t nslots)
{
    void *p;
    int flags = MAP_PRIVATE | MAP_ANONYMOUS;

#ifdef MAP_POPULATE
    flags |= MAP_POPULATE;
#endif
    if (nslots > SIZE_MAX / sizeof(uint32_t)) {
        return NULL;
    }
    p = mmap(NULL, nslots * sizeof(uint32_t), PROT_READ | PROT_WRITE, flags,
             -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void
md_table_free(uint32_t *table, uint64_t nslots)
{
    if (table != NULL) {
        munmap(table, nslots * sizeof(uint32_t));
    }
}

int
md_table_resize(md_state *d, uint64_t nslots)
{
    uint32_t *nt = md_table_alloc(nslots);
    uint32_t i;

    if (nt == NULL) {
        return md_nomem(d);
    }
    md_table_free(d->table, d->nslots);
    d->table = nt;
    d->nslots = nslots;
    for (i = 0; i < d->n; i++) {
        uint64_t h = md_ihash(d->addrs[i]);
        uint64_t k = md_slot(h, nslots);

#if defined(__GNUC__) || defined(__clang__)
        if (i + 16 < d->n) {
            __builtin_prefetch(&nt[md_slot(md_ihash(d->addrs[i + 16]),
                                           nslots)], 1);
        }
#endif

        while (nt[k] != 0) {
            if (++k == nslots) {
                k = 0;
            }
        }
        nt[k] = MD_TAG(h) | (i + 1);
    }
    return 0;
}

/*
 * The address array grows without a copy: on Linux it is a mapping of its
 * own, moved by mremap(), whose pages are populated MD_POPULATE entries at
 * a time ahead of use, one system call instead of 128 page faults (1.0
 * against 1.6-1.9 us a page on the machine we measure on; 1,500 pages at
 * heapgen scale 1e5).
 */
#define MD_POPULATE 65536

int
md_addrs_grow(md_state *d)
{
    size_t ncap = d->cap ? (size_t)d->cap * 2 : MD_POPULATE;
    void *nb;

    if (d->n >= MD_MAX_OBJECTS) {
        PyErr_Format(PyExc_OverflowError,
                     "more than %u objects: too many for one snapshot",
                     (unsigned)MD_MAX_OBJECTS);
        d->failed = MD_FAILED_PY;
        return -1;
    }
    if (ncap > MD_MAX_OBJECTS) {
        ncap = MD_MAX_OBJECTS;
    }
#ifdef MREMAP_MAYMOVE
    nb = d->addrs == NULL
         ? mmap(NULL, ncap * sizeof(PyObject *), PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
         : mremap(d->addrs, d->cap * sizeof(PyObject *),
                  ncap * sizeof(PyObject *), MREMAP_MAYMOVE);
    if (nb == MAP_FAILED) {
        return md_nomem(d);
    }
#else
    nb = realloc(d->addrs, ncap * sizeof(PyObject *));
    if (nb == NULL) {
        return md_nomem(d);
    }
#endif
    d->addrs = nb;
    d->cap = (uint32_t)ncap;
    return 0;
}

/* populate the next MD_POPULATE entries (best effort) */
void
md_addrs_populate(md_state *d)
{
#if defined(MREMAP_MAYMOVE) && defined(MADV_POPULATE_WRITE)
    size_t end = (size_t)d->populated + MD_POPULATE;

    if (end > d->cap) {
        end = d->cap;
    }
    if (end > d->populated) {
        (void)madvise(d->addrs + d->populated,
                      (end - d->populated) * sizeof(PyObject *),
                      MADV_POPULATE_WRITE);
    }
#endif
    d->populated += MD_POPULATE;
}

void
md_own_all(md_state *d)
{
    uint32_t i;

    if (d->own_all) {
        return;
    }
    for (i = 0; i < d->n; i++) {
        if (!md_is_ext(d, d->addrs[i])) {
            Py_INCREF(d->addrs[i]);
        }
    }
    d->own_all = 1;
}

void
md_index_free(md_state *d)
{
    uint32_t i;

    if (d->own_all) {
        PyObject *et, *ev, *tb;

        /* finalizers may run: keep the dump's error (if any) aside */
        PyErr_Fetch(&et, &ev, &tb);
        for (i = 0; i < d->n; i++) {
            if (!md_is_ext(d, d->addrs[i])) {
                Py_DECREF(d->addrs[i]);
            }
        }
        PyErr_Restore(et, ev, tb);
        d->own_all = 0;
    }
#ifdef MREMAP_MAYMOVE
    if (d->addrs != NULL) {
        munmap(d->addrs, d->cap * sizeof(PyObject *));
    }
#else
    free(d->addrs);
#endif
    d->addrs = NULL;
    md_table_free(d->table, d->nslots);
    d->table = NULL;
}
