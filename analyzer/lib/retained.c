/*
 * retained.c - the largest retained sizes, per object and per group.
 */
#include "lib/retained.h"

#include <stdlib.h>
#include <string.h>

#include "lib/bfs.h"
#include "lib/dominators.h"
#include "lib/graph.h"
#include "lib/groups.h"

static int
group_cmp(const void *a, const void *b)
{
    const an_retained_group *x = a, *y = b;

    if (x->retained != y->retained) {
        return x->retained > y->retained ? -1 : 1;
    }
    if (x->count != y->count) {
        return x->count > y->count ? -1 : 1;
    }
    return x->group < y->group ? -1 : x->group > y->group;
}

/* Per group, the outermost selected instances: count and retained. */
static an_err
retained_groups(an_retained *m, const an_snap *s, const an_domtree *dt,
                const uint64_t *select)
{
    uint32_t n_groups = 0;
    uint32_t *group_of = an_group_of_types(s, m->by_module, &n_groups);
    uint64_t *outer = NULL, *count = NULL, *ret = NULL;
    an_err rc = AN_ERR_NOMEM;

    if (group_of == NULL) {
        return AN_ERR_NOMEM;
    }
    outer = an_group_outermost(s, dt, group_of, n_groups);
    count = calloc(n_groups, sizeof(uint64_t));
    ret = calloc(n_groups, sizeof(uint64_t));
    m->groups = malloc((size_t)n_groups * sizeof(an_retained_group));
    if (outer == NULL || count == NULL || ret == NULL || m->groups == NULL) {
        goto done;
    }
    /* with --type, only its instances */
    for (size_t w = 0; select != NULL && w < (size_t)s->g.n / 64 + 1; w++) {
        outer[w] &= select[w];
    }
    an_aggregate(s->cols.type, dt->retained, outer, s->g.n, group_of,
                 s->n_types, n_groups - 1, count, ret);
    for (uint32_t gi = 0; gi < n_groups; gi++) {
        if (count[gi] > 0) {
            an_retained_group *g = &m->groups[m->n_groups++];

            g->group = gi;
            g->count = count[gi];
            g->retained = ret[gi];
        }
    }
    qsort(m->groups, m->n_groups, sizeof(an_retained_group), group_cmp);
    rc = AN_OK;

done:
    free(group_of);
    free(outer);
    free(count);
    free(ret);
    return rc;
}

/* The dominator tree, reduced to the figures the model keeps. */
static an_err
retained_tree(an_retained *m, const an_snap *s, const char *type_name,
              uint64_t top)
{
    an_domtree dt;
    an_typesel sel;
    uint32_t *objs = NULL;
    uint32_t cap = top > s->g.n ? s->g.n : (uint32_t)top;
    an_err rc;

    memset(&sel, 0, sizeof(sel));
    rc = an_snap_dominators(s, &m->roots, &dt);
    if (rc != AN_OK) {
        return rc;
    }
    if (type_name != NULL) {
        rc = an_type_select(s, type_name, &sel);
        if (rc != AN_OK) {
            goto done;
        }
    }
    rc = AN_ERR_NOMEM;
    m->objects = s->g.n;
    m->size = dt.reachable_size + dt.unreachable_size;
    m->reach_count = dt.reachable_count;
    m->reach_size = dt.reachable_size;
    m->unreach_count = dt.unreachable_count;
    m->unreach_size = dt.unreachable_size;
    objs = malloc((size_t)(cap ? cap : 1) * sizeof(uint32_t));
    m->top = calloc((size_t)(cap ? cap : 1), sizeof(an_retained_object));
    if (objs == NULL || m->top == NULL) {
        goto done;
    }
    m->n_top = an_dom_top(&dt, sel.objects, objs, cap);
    for (uint32_t i = 0; i < m->n_top; i++) {
        m->top[i].obj = objs[i];
        m->top[i].size = s->cols.size[objs[i]];
        m->top[i].retained = dt.retained[objs[i]];
    }
    rc = m->by ? retained_groups(m, s, &dt, sel.objects) : AN_OK;

done:
    free(objs);
    an_typesel_free(&sel);
    an_domtree_free(&dt);
    return rc;
}

an_err
an_retained_compute(const an_snap *s, const char *type_name, uint64_t top,
                    int by, int paths, an_retained *m)
{
    an_bfs_result bfs;
    an_err rc;

    memset(m, 0, sizeof(*m));
    m->by = by != 0;
    m->by_module = by == AN_RETAINED_BY_MODULE;
    rc = an_roots_of_snap(&m->roots, s);
    if (rc != AN_OK) {
        return rc;
    }
    rc = retained_tree(m, s, type_name, paths ? top : 0);
    if (rc != AN_OK || !paths) {
        return rc;
    }
    /* the tree is gone: now the BFS */
    rc = an_bfs(&s->g, m->roots.ordered, m->roots.n, 0, &bfs);
    if (rc != AN_OK) {
        return rc;
    }
    for (uint32_t i = 0; i < m->n_top; i++) {
        if (an_path_find(&m->top[i].path, s, &bfs, 0, NULL, 0,
                         m->top[i].obj) == UINT32_MAX) {
            rc = AN_ERR_NOMEM;
            break;
        }
    }
    an_bfs_free(&bfs);
    return rc;
}

void
an_retained_free(an_retained *m)
{
    for (uint32_t i = 0; m->top != NULL && i < m->n_top; i++) {
        an_pathbuf_free(&m->top[i].path);
    }
    free(m->top);
    free(m->groups);
    an_roots_free(&m->roots);
    memset(m, 0, sizeof(*m));
}
