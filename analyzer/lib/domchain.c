/*
 * domchain.c - the dominators of one object.
 */
#include "lib/domchain.h"

#include <stdlib.h>
#include <string.h>

#include "lib/dominators.h"
#include "lib/graph.h"

/* The first strong edge from a to b, or UINT64_MAX. */
static uint64_t
strong_edge(const an_snap *s, uint32_t a, uint32_t b)
{
    for (uint64_t e = s->g.edge_start[a]; e < s->g.edge_start[a + 1]; e++) {
        if (s->g.edge_target[e] == b && s->g.edge_kind != NULL
            && !(s->g.edge_kind[e] & MF_EDGE_WEAK)) {
            return e;
        }
    }
    return UINT64_MAX;
}

an_err
an_domchain_compute(const an_snap *s, uint32_t target, an_domchain *m)
{
    an_domtree dt;
    an_err rc;

    memset(m, 0, sizeof(*m));
    rc = an_roots_of_snap(&m->roots, s);
    if (rc != AN_OK) {
        return rc;
    }
    rc = an_snap_dominators(s, &m->roots, &dt);
    if (rc != AN_OK) {
        return rc;
    }
    m->len = an_dom_chain(&dt, target, NULL, 0);
    m->objs = malloc((size_t)(m->len ? m->len : 1) * sizeof(uint32_t));
    m->retained = malloc((size_t)(m->len ? m->len : 1) * sizeof(uint64_t));
    m->edge = malloc((size_t)(m->len ? m->len : 1) * sizeof(uint64_t));
    if (m->objs == NULL || m->retained == NULL || m->edge == NULL) {
        an_domtree_free(&dt);
        return AN_ERR_NOMEM;
    }
    an_dom_chain(&dt, target, m->objs, m->len);
    m->unreachable = an_bit(dt.unreachable, target);
    for (uint32_t i = 0; i < m->len; i++) {
        m->retained[i] = dt.retained[m->objs[i]];
        m->edge[i] = i > 0 ? strong_edge(s, m->objs[i - 1], m->objs[i])
                           : UINT64_MAX;
    }
    an_domtree_free(&dt);
    return AN_OK;
}

void
an_domchain_free(an_domchain *m)
{
    free(m->objs);
    free(m->retained);
    free(m->edge);
    an_roots_free(&m->roots);
    memset(m, 0, sizeof(*m));
}
