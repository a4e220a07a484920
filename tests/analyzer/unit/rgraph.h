/*
 * rgraph.h - random graphs in memory for the analyzer's unit tests: an
 * an_graph over arrays the test owns (edges of every kind, weak ones,
 * self-loops, multi-edges, a few out-of-range type ids as a hostile file
 * could have), with sizes, types and root records, for checking the
 * algorithms against naive recomputations.
 */
#ifndef RGRAPH_H
#define RGRAPH_H

#include <stdint.h>

#include "lib/graph.h"
#include "lib/roots.h"

typedef struct rgraph {
    an_graph g;
    uint64_t *start;
    uint32_t *target;
    uint8_t *kind;
    uint64_t *label;
    uint32_t *type;
    uint64_t *size;
    uint32_t n_types;
    an_root_ref *roots;     /* in file order, unsorted */
    uint32_t n_roots;
} rgraph;

/* The random generator of the tests (xorshift). */
uint64_t rg_rand(void);
uint32_t rg_randn(uint32_t n);

/* A random graph of n objects with about `deg` edges each, n_types types
 * and n_roots root records. */
void rg_make(rgraph *t, uint32_t n, uint32_t deg, uint32_t n_types,
             uint32_t n_roots);
void rg_free(rgraph *t);

/* The root records as the analyzer's tier-1 list; 0 or -1. */
int rg_roots(const rgraph *t, an_roots *r);

/* The first edge from `from` to `to` that `follow` (AN_FOLLOW_WEAK or
 * 0) follows, the one a BFS scanning edges in order takes; UINT64_MAX
 * when there is none. */
uint64_t rg_first_edge(const rgraph *t, uint32_t from, uint32_t to,
                       unsigned follow);

#endif /* RGRAPH_H */
