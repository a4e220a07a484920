/*
 * graph.h - the heap graph as muppy-analyze sees it.
 *
 * an_graph is a read-only view of object and edge columns (CSR out-edges)
 * plus, built on demand, the reverse edges (CSR in-edges).  Tests build
 * one over their own arrays; commands get one from an_snap_load()
 * (snap.h).  Objects are numbered 0..n-1, edges 0..n_edges-1 in source
 * order: the edges of object v are [edge_start[v], edge_start[v+1]).
 *
 * Edges whose target is >= n (never written by a correct writer) are
 * ignored by every function here and by every algorithm built on top.
 */
#ifndef AN_LIB_GRAPH_H
#define AN_LIB_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "muppy_format.h"

typedef struct an_graph {
    uint32_t n;                 /* objects */
    uint64_t n_edges;
    const uint64_t *edge_start; /* n + 1 entries, or NULL without edges */
    const uint32_t *edge_target;
    const uint8_t *edge_kind;   /* NULL: every edge is strong, unlabeled */
    const uint64_t *edge_label; /* NULL: labels not loaded */
    const uint32_t *type;       /* may be NULL */
    /* reverse CSR, owned, built by an_graph_reverse() */
    uint32_t *rev_start;        /* n + 1 entries (32-bit: the reverse
                                   index needs n_edges < 2^32) */
    uint32_t *rev_edge;         /* the edges into each object, by target,
                                   ascending edge index (so ascending
                                   source object) */
} an_graph;

/* Which edges a traversal follows: strong edges always, weak edges
 * (MF_EDGE_WEAK) only with AN_FOLLOW_WEAK. */
#define AN_FOLLOW_WEAK 0x01u

static inline int
an_edge_followed(const an_graph *g, uint64_t e, unsigned follow)
{
    return g->edge_kind == NULL || (follow & AN_FOLLOW_WEAK)
           || !(g->edge_kind[e] & MF_EDGE_WEAK);
}

/* The object edge e comes from (binary search in edge_start): O(log n). */
uint32_t an_edge_source(const an_graph *g, uint64_t e);

/*
 * an_graph_reverse() - build rev_start/rev_edge (once; later calls do
 * nothing).  O(n + e) time, 4n + 4e bytes.  Returns AN_OK, AN_ERR_NOMEM,
 * or AN_ERR_TOO_LARGE when the graph has 2^32 edges or more.
 */
an_err an_graph_reverse(an_graph *g);
/* Free what an_graph_reverse() allocated. */
void an_graph_free_reverse(an_graph *g);

/*
 * an_referrers() - the distinct objects with an edge to `obj`, ascending,
 * into out (up to cap); returns how many there are in total.  Needs the
 * reverse CSR.  O(in-degree x log n).
 */
uint64_t an_referrers(const an_graph *g, uint32_t obj, uint32_t *out,
                      uint64_t cap);

/*
 * an_edges_between() - the edges from `src` to `dst`: sets *first to the
 * position in rev_edge of the first one and returns how many there are
 * (rev_edge[*first .. *first + count) are their edge indices, ascending).
 * Needs the reverse CSR.  O(log in-degree).
 */
uint32_t an_edges_between(const an_graph *g, uint32_t src, uint32_t dst,
                          uint32_t *first);

/*
 * an_referenced() - a bitmap of n bits: bit v is set when a followed edge
 * (see an_edge_followed) points to v, from any object, v itself included.
 * The complement, among objects no root reaches, is the analyzer's second
 * tier of roots (roots.h).  O(e).  NULL when out of memory; free().
 */
uint64_t *an_referenced(const an_graph *g, unsigned follow);

/* Bitmaps of n bits as arrays of uint64_t. */
static inline int
an_bit(const uint64_t *bits, uint32_t i)
{
    return (int)((bits[i >> 6] >> (i & 63)) & 1u);
}

static inline void
an_set_bit(uint64_t *bits, uint32_t i)
{
    bits[i >> 6] |= (uint64_t)1 << (i & 63);
}

/* A zeroed bitmap of n bits (calloc; NULL when out of memory). */
uint64_t *an_bitmap_new(uint32_t n);

#endif /* AN_LIB_GRAPH_H */
