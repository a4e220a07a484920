/*
 * graph.c - reverse edges, referrers, in-degree bitmaps.
 */
#include "lib/graph.h"

#include <stdlib.h>
#include <string.h>

uint32_t
an_edge_source(const an_graph *g, uint64_t e)
{
    uint32_t lo = 0, hi = g->n;

    /* the last v with edge_start[v] <= e; it has edge_start[v+1] > e */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;

        if (g->edge_start[mid + 1] <= e) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    return lo;
}

an_err
an_graph_reverse(an_graph *g)
{
    uint32_t *start;
    uint32_t *edges;

    if (g->rev_start != NULL) {
        return AN_OK;
    }
    if (g->n_edges >= UINT32_MAX) {
        return AN_ERR_TOO_LARGE;
    }
    start = calloc((size_t)g->n + 1, sizeof(uint32_t));
    edges = malloc((size_t)(g->n_edges ? g->n_edges : 1) * sizeof(uint32_t));
    if (start == NULL || edges == NULL) {
        free(start);
        free(edges);
        return AN_ERR_NOMEM;
    }
    if (g->edge_start != NULL) {
        /* counting sort by target; edge indices come out ascending */
        for (uint64_t e = 0; e < g->n_edges; e++) {
            uint32_t t = g->edge_target[e];

            if (t < g->n) {
                start[t + 1]++;
            }
        }
        for (uint32_t v = 0; v < g->n; v++) {
            start[v + 1] += start[v];
        }
        for (uint64_t e = 0; e < g->n_edges; e++) {
            uint32_t t = g->edge_target[e];

            if (t < g->n) {
                edges[start[t]++] = (uint32_t)e;
            }
        }
        /* start[t] now holds the end of t's run: shift back */
        for (uint32_t v = g->n; v > 0; v--) {
            start[v] = start[v - 1];
        }
        start[0] = 0;
    }
    g->rev_start = start;
    g->rev_edge = edges;
    return AN_OK;
}

void
an_graph_free_reverse(an_graph *g)
{
    free(g->rev_start);
    free(g->rev_edge);
    g->rev_start = NULL;
    g->rev_edge = NULL;
}

uint64_t
an_referrers(const an_graph *g, uint32_t obj, uint32_t *out, uint64_t cap)
{
    uint64_t total = 0;
    uint32_t prev = MF_NONE;

    if (g->rev_start == NULL || obj >= g->n) {
        return 0;
    }
    for (uint32_t k = g->rev_start[obj]; k < g->rev_start[obj + 1]; k++) {
        uint32_t s = an_edge_source(g, g->rev_edge[k]);

        if (s == prev) {
            continue;           /* several edges from one referrer */
        }
        prev = s;
        if (total < cap) {
            out[total] = s;
        }
        total++;
    }
    return total;
}

/* First position in rev_edge[lo, hi) whose edge index is >= e. */
static uint32_t
rev_lower_bound(const an_graph *g, uint32_t lo, uint32_t hi, uint64_t e)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;

        if (g->rev_edge[mid] < e) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    return lo;
}

uint32_t
an_edges_between(const an_graph *g, uint32_t src, uint32_t dst,
                 uint32_t *first)
{
    uint32_t lo, hi;

    *first = 0;
    if (g->rev_start == NULL || g->edge_start == NULL || src >= g->n
        || dst >= g->n) {
        return 0;
    }
    lo = rev_lower_bound(g, g->rev_start[dst], g->rev_start[dst + 1],
                         g->edge_start[src]);
    hi = rev_lower_bound(g, lo, g->rev_start[dst + 1],
                         g->edge_start[src + 1]);
    *first = lo;
    return hi - lo;
}

uint64_t *
an_bitmap_new(uint32_t n)
{
    return calloc((size_t)n / 64 + 1, sizeof(uint64_t));
}

uint64_t *
an_referenced(const an_graph *g, unsigned follow)
{
    uint64_t *bits = an_bitmap_new(g->n);

    if (bits == NULL) {
        return NULL;
    }
    for (uint64_t e = 0; g->edge_start != NULL && e < g->n_edges; e++) {
        uint32_t t = g->edge_target[e];

        if (t < g->n && an_edge_followed(g, e, follow)) {
            an_set_bit(bits, t);
        }
    }
    return bits;
}
