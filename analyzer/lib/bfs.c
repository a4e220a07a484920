/*
 * bfs.c - breadth-first search from the roots, and the paths it finds.
 */
#include "lib/bfs.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

/* ---- BFS ------------------------------------------------------------ */

/* Run the BFS from queue[head..tail) until the queue is empty. */
static uint32_t
bfs_run(const an_graph *g, unsigned flags, uint32_t *queue,
        uint32_t head, uint32_t tail, uint32_t *via, uint32_t *depth)
{
    while (head < tail) {
        uint32_t v = queue[head++];
        uint64_t e0, e1;

        if (g->edge_start == NULL) {
            continue;
        }
        e0 = g->edge_start[v];
        e1 = g->edge_start[v + 1];
        for (uint64_t e = e0; e < e1; e++) {
            uint32_t t = g->edge_target[e];

            if (t >= g->n || via[t] != AN_UNREACHED
                || !an_edge_followed(g, e, flags)) {
                continue;
            }
            via[t] = (uint32_t)e;
            if (depth) {
                depth[t] = depth[v] + 1;
            }
            queue[tail++] = t;
        }
    }
    return tail;
}

an_err
an_bfs(const an_graph *g, const an_root_ref *roots, uint32_t n_roots,
       unsigned flags, an_bfs_result *res)
{
    uint32_t n = g->n;
    uint32_t *queue = NULL;
    uint32_t tail = 0;
    uint64_t *referenced = NULL;

    memset(res, 0, sizeof(*res));
    if (g->n_edges >= AN_VIA_ROOT) {
        return AN_ERR_TOO_LARGE;
    }
    res->via = an_big_malloc((size_t)n * sizeof(uint32_t));
    queue = an_big_malloc((size_t)n * sizeof(uint32_t));
    if (flags & AN_BFS_DEPTH) {
        res->depth = an_big_malloc((size_t)n * sizeof(uint32_t));
    }
    if (res->via == NULL || queue == NULL
        || ((flags & AN_BFS_DEPTH) && res->depth == NULL)) {
        goto nomem;
    }
    memset(res->via, 0xff, (size_t)n * sizeof(uint32_t));

    /* tier 1: the dumper's roots, in the order given */
    for (uint32_t i = 0; i < n_roots; i++) {
        uint32_t r = roots[i].object;

        if (r >= n || res->via[r] != AN_UNREACHED) {
            continue;
        }
        res->via[r] = AN_VIA_ROOT;
        if (res->depth) {
            res->depth[r] = 0;
        }
        queue[tail++] = r;
    }
    tail = bfs_run(g, flags, queue, 0, tail, res->via, res->depth);

    /* tier 2: what nothing refers to, among what is left */
    if (!(flags & AN_BFS_NO_UNREFERENCED) && tail < n) {
        uint32_t head = tail;

        referenced = an_referenced(g, flags);
        if (referenced == NULL) {
            goto nomem;
        }
        for (uint32_t v = 0; v < n; v++) {
            if (res->via[v] == AN_UNREACHED && !an_bit(referenced, v)) {
                res->via[v] = AN_VIA_ROOT;
                if (res->depth) {
                    res->depth[v] = 0;
                }
                queue[tail++] = v;
                res->n_unreferenced++;
            }
        }
        free(referenced);
        tail = bfs_run(g, flags, queue, head, tail, res->via,
                       res->depth);
    }
    res->reached = tail;
    free(queue);
    return AN_OK;

nomem:
    free(queue);
    an_bfs_free(res);
    return AN_ERR_NOMEM;
}

void
an_bfs_free(an_bfs_result *res)
{
    free(res->via);
    free(res->depth);
    res->via = NULL;
    res->depth = NULL;
}

uint32_t
an_path(const an_graph *g, const an_bfs_result *res, uint32_t obj,
        uint32_t *buf, uint32_t cap)
{
    uint32_t len = 1;
    uint32_t v = obj;

    if (obj >= g->n || res->via[obj] == AN_UNREACHED) {
        return 0;
    }
    /* BFS paths are acyclic; the bound guards the loop */
    while (res->via[v] != AN_VIA_ROOT && len <= g->n) {
        v = an_edge_source(g, res->via[v]);
        len++;
    }
    if (len > cap) {
        return len;
    }
    v = obj;
    for (uint32_t i = len; i > 0; i--) {
        buf[i - 1] = v;
        if (i > 1) {
            v = an_edge_source(g, res->via[v]);
        }
    }
    return len;
}
