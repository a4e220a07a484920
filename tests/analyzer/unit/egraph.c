/*
 * egraph.c - graphs built edge by edge (egraph.h).
 */
#include "egraph.h"

#include <stdlib.h>
#include <string.h>

static uint64_t eg_state = 0x9e3779b97f4a7c15ULL;

uint64_t
eg_rand(void)
{
    eg_state ^= eg_state << 13;
    eg_state ^= eg_state >> 7;
    eg_state ^= eg_state << 17;
    return eg_state;
}

uint32_t
eg_randn(uint32_t n)
{
    return n ? (uint32_t)(eg_rand() % n) : 0;
}

void
eg_init(eg *x, uint32_t n)
{
    memset(x, 0, sizeof(*x));
    x->n = n;
    x->type = calloc((size_t)n + 1, sizeof(uint32_t));
    x->size = calloc((size_t)n + 1, sizeof(uint64_t));
    for (uint32_t v = 0; v < n; v++) {
        x->size[v] = 1 + v % 97;
    }
}

void
eg_add(eg *x, uint32_t a, uint32_t b, uint8_t kind)
{
    if (x->n_edges == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 64;
        x->src = realloc(x->src, x->cap * sizeof(uint32_t));
        x->dst = realloc(x->dst, x->cap * sizeof(uint32_t));
        x->kind = realloc(x->kind, x->cap);
    }
    x->src[x->n_edges] = a;
    x->dst[x->n_edges] = b;
    x->kind[x->n_edges] = kind;
    x->n_edges++;
}

void
eg_finish(eg *x)
{
    uint64_t *pos;

    x->start = calloc((size_t)x->n + 1, sizeof(uint64_t));
    x->target = malloc((x->n_edges + 1) * sizeof(uint32_t));
    x->ckind = malloc(x->n_edges + 1);
    x->label = calloc(x->n_edges + 1, sizeof(uint64_t));
    pos = calloc((size_t)x->n + 1, sizeof(uint64_t));
    for (uint64_t e = 0; e < x->n_edges; e++) {
        x->start[x->src[e] + 1]++;
    }
    for (uint32_t v = 0; v < x->n; v++) {
        x->start[v + 1] += x->start[v];
        pos[v] = x->start[v];
    }
    for (uint64_t e = 0; e < x->n_edges; e++) {
        uint64_t k = pos[x->src[e]]++;

        x->target[k] = x->dst[e];
        x->ckind[k] = x->kind[e];
    }
    free(pos);
    memset(&x->g, 0, sizeof(x->g));
    x->g.n = x->n;
    x->g.n_edges = x->n_edges;
    x->g.edge_start = x->start;
    x->g.edge_target = x->target;
    x->g.edge_kind = x->ckind;
    x->g.edge_label = x->label;
    x->g.type = x->type;
}

void
eg_free(eg *x)
{
    free(x->src);
    free(x->dst);
    free(x->kind);
    free(x->start);
    free(x->target);
    free(x->ckind);
    free(x->label);
    free(x->type);
    free(x->size);
}
