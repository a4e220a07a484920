/*
 * rgraph.c - random graphs in memory for the unit tests.
 */
#include "rgraph.h"

#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 88172645463325252ULL;

uint64_t
rg_rand(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

uint32_t
rg_randn(uint32_t n)
{
    return n ? (uint32_t)(rg_rand() % n) : 0;
}

static const uint8_t kinds[] = {
    MF_EDGE_REF, MF_EDGE_INDEX, MF_EDGE_KEY_STR, MF_EDGE_KEY_INT,
    MF_EDGE_ATTR, MF_EDGE_FIELD, MF_EDGE_SET_ITEM,
    MF_EDGE_REF | MF_EDGE_WEAK, MF_EDGE_ATTR | MF_EDGE_WEAK,
};

void
rg_make(rgraph *t, uint32_t n, uint32_t deg, uint32_t n_types,
        uint32_t n_roots)
{
    uint64_t cap = (uint64_t)n * (2 * deg + 1) + 1, e = 0;

    memset(t, 0, sizeof(*t));
    t->start = calloc((size_t)n + 1, sizeof(uint64_t));
    t->target = malloc(cap * sizeof(uint32_t));
    t->kind = malloc(cap);
    t->label = malloc(cap * sizeof(uint64_t));
    t->type = malloc(((size_t)n + 1) * sizeof(uint32_t));
    t->size = malloc(((size_t)n + 1) * sizeof(uint64_t));
    if (t->start == NULL || t->target == NULL || t->kind == NULL
        || t->label == NULL || t->type == NULL || t->size == NULL) {
        abort();
    }
    for (uint32_t v = 0; v < n; v++) {
        uint32_t d = rg_randn(2 * deg + 1);

        t->start[v] = e;
        /* a few out-of-range types, as a hostile file could have */
        t->type[v] = rg_randn(50) == 0 ? n_types + rg_randn(3)
                                       : rg_randn(n_types);
        t->size[v] = 16 + rg_randn(1000);
        for (uint32_t k = 0; k < d && e < cap; k++) {
            t->target[e] = rg_randn(n);
            t->kind[e] = kinds[rg_randn(sizeof(kinds))];
            t->label[e] = rg_randn(4);  /* few labels: shapes collide */
            e++;
        }
    }
    t->start[n] = e;
    t->n_types = n_types;
    t->roots = malloc(((size_t)n_roots + 1) * sizeof(an_root_ref));
    if (t->roots == NULL) {
        abort();
    }
    for (uint32_t i = 0; i < n_roots; i++) {
        t->roots[i].object = rg_randn(n);
        t->roots[i].kind = 1 + rg_randn(5);
        t->roots[i].label = rg_randn(3);
    }
    t->n_roots = n_roots;
    t->g.n = n;
    t->g.n_edges = e;
    t->g.edge_start = t->start;
    t->g.edge_target = t->target;
    t->g.edge_kind = t->kind;
    t->g.edge_label = t->label;
    t->g.type = t->type;
}

void
rg_free(rgraph *t)
{
    an_graph_free_reverse(&t->g);
    free(t->start);
    free(t->target);
    free(t->kind);
    free(t->label);
    free(t->type);
    free(t->size);
    free(t->roots);
}

int
rg_roots(const rgraph *t, an_roots *r)
{
    mf_root *rec = malloc(((size_t)t->n_roots + 1) * sizeof(mf_root));
    int rc;

    if (rec == NULL) {
        return -1;
    }
    for (uint32_t i = 0; i < t->n_roots; i++) {
        rec[i].object = t->roots[i].object;
        rec[i].kind = t->roots[i].kind;
        rec[i].label = t->roots[i].label;
    }
    rc = an_roots_init(r, rec, t->n_roots) == AN_OK ? 0 : -1;
    free(rec);
    return rc;
}

uint64_t
rg_first_edge(const rgraph *t, uint32_t from, uint32_t to, unsigned follow)
{
    for (uint64_t e = t->start[from]; e < t->start[from + 1]; e++) {
        if (t->target[e] == to
            && ((follow & AN_FOLLOW_WEAK) || !(t->kind[e] & MF_EDGE_WEAK))) {
            return e;
        }
    }
    return UINT64_MAX;
}
