/*
 * egraph.h - graphs built edge by edge for the analyzer's unit tests:
 * the edges added in any order, then laid out as the CSR of an an_graph
 * (edges of one source in insertion order), with a type and a size per
 * object and a zero label per edge for the test to set.  And the tests'
 * random generator for them (xorshift, its own state).
 */
#ifndef EGRAPH_H
#define EGRAPH_H

#include <stdint.h>

#include "lib/graph.h"

typedef struct eg {
    uint32_t n;
    uint64_t n_edges, cap;
    uint32_t *src, *dst;
    uint8_t *kind;
    /* CSR built by eg_finish() */
    uint64_t *start;
    uint32_t *target;
    uint8_t *ckind;
    uint64_t *label;
    uint32_t *type;         /* 0 until the test sets it */
    uint64_t *size;         /* 1 + v % 97 */
    an_graph g;
} eg;

/* n objects, no edge yet. */
void eg_init(eg *x, uint32_t n);
/* An edge a -> b of kind `kind`. */
void eg_add(eg *x, uint32_t a, uint32_t b, uint8_t kind);
/* The CSR and x->g over it. */
void eg_finish(eg *x);
void eg_free(eg *x);

/* The random generator of eg's tests (xorshift). */
uint64_t eg_rand(void);
uint32_t eg_randn(uint32_t n);

#endif /* EGRAPH_H */
