/*
 * referrers.c - the tree of the referrers of an object.
 */
#define _POSIX_C_SOURCE 200809L     /* strdup */
#include "lib/referrers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/graph.h"

typedef struct walk {
    const an_snap *s;
    an_reftree *m;
    uint64_t max_children;
    unsigned char *expanded;    /* per object: walked already */
} walk;

/* Labels of the edges from `src` to `dst`, joined by ", ", cut to fit
 * 512 bytes; a new string, or NULL when out of memory. */
static char *
edge_labels(const an_snap *s, uint32_t src, uint32_t dst)
{
    char buf[512], one[160];
    size_t used = 0;
    uint32_t first, count = an_edges_between(&s->g, src, dst, &first);

    buf[0] = '\0';
    for (uint32_t k = first; k < first + count; k++) {
        uint32_t e = s->g.rev_edge[k];
        size_t n;

        an_snap_edge_label(s, e, one, sizeof(one));
        if (one[0] == '\0') {
            snprintf(one, sizeof(one), "(ref)");
        }
        if (s->g.edge_kind && (s->g.edge_kind[e] & MF_EDGE_WEAK)) {
            n = strlen(one);
            snprintf(one + n, sizeof(one) - n, " (weak)");
        }
        n = (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s",
                             used ? ", " : "", one);
        if (n >= sizeof(buf) - used) {
            buf[sizeof(buf) - 1] = '\0';
            break;
        }
        used += n;
    }
    return strdup(buf);
}

/* A new node; its index, or UINT32_MAX when out of memory. */
static uint32_t
add_node(an_reftree *m, uint32_t obj, uint32_t level)
{
    an_refnode *n;

    if (m->n_nodes == m->cap) {
        uint32_t cap = m->cap ? m->cap * 2 : 64;
        an_refnode *nodes = realloc(m->nodes, (size_t)cap * sizeof(*nodes));

        if (nodes == NULL) {
            return UINT32_MAX;
        }
        m->nodes = nodes;
        m->cap = cap;
    }
    n = &m->nodes[m->n_nodes];
    memset(n, 0, sizeof(*n));
    n->obj = obj;
    n->level = level;
    n->end = m->n_nodes + 1;
    return m->n_nodes++;
}

/* Walk the referrers of node i (at its level + 1). */
static an_err
walk_node(walk *w, uint32_t i)
{
    an_reftree *m = w->m;
    uint32_t obj = m->nodes[i].obj, level = m->nodes[i].level + 1;
    uint64_t total, shown;
    uint32_t *list;
    an_err rc = AN_OK;

    if (level > m->depth || m->n_nodes - 1 >= AN_REFERRERS_CAP) {
        return AN_OK;
    }
    w->expanded[obj] = 1;
    total = an_referrers(&w->s->g, obj, NULL, 0);
    shown = total < w->max_children ? total : w->max_children;
    list = malloc((size_t)(shown ? shown : 1) * sizeof(uint32_t));
    if (list == NULL) {
        return AN_ERR_NOMEM;
    }
    an_referrers(&w->s->g, obj, list, shown);
    m->nodes[i].walked = 1;
    m->nodes[i].total = total;
    m->nodes[i].shown = (uint32_t)shown;
    for (uint64_t k = 0; k < shown && rc == AN_OK; k++) {
        uint32_t r = list[k], c = add_node(m, r, level);

        if (c == UINT32_MAX) {
            rc = AN_ERR_NOMEM;
            break;
        }
        m->nodes[c].seen = w->expanded[r];
        m->nodes[c].labels = edge_labels(w->s, r, obj);
        if (m->nodes[c].labels == NULL) {
            rc = AN_ERR_NOMEM;
            break;
        }
        if (!m->nodes[c].seen) {
            rc = walk_node(w, c);
        }
        m->nodes[c].end = m->n_nodes;
    }
    free(list);
    return rc;
}

an_err
an_reftree_compute(an_snap *s, uint32_t target, uint64_t depth,
                   uint64_t max_children, an_reftree *m)
{
    walk w;
    an_err rc;

    memset(m, 0, sizeof(*m));
    m->depth = depth > AN_REFERRERS_MAX_DEPTH ? AN_REFERRERS_MAX_DEPTH
                                              : depth;
    w.s = s;
    w.m = m;
    w.max_children = max_children;
    w.expanded = calloc((size_t)s->g.n + 1, 1);
    if (w.expanded == NULL) {
        return AN_ERR_NOMEM;
    }
    rc = an_roots_of_snap(&m->roots, s);
    if (rc == AN_OK) {
        rc = an_graph_reverse(&s->g);
    }
    if (rc == AN_OK) {
        rc = add_node(m, target, 0) == UINT32_MAX ? AN_ERR_NOMEM : AN_OK;
    }
    if (rc == AN_OK) {
        rc = walk_node(&w, 0);
        m->nodes[0].end = m->n_nodes;
        m->cut = m->n_nodes - 1 >= AN_REFERRERS_CAP;
    }
    free(w.expanded);
    return rc;
}

void
an_reftree_free(an_reftree *m)
{
    for (uint32_t i = 0; i < m->n_nodes; i++) {
        free(m->nodes[i].labels);
    }
    free(m->nodes);
    an_roots_free(&m->roots);
    memset(m, 0, sizeof(*m));
}
