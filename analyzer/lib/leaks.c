/*
 * leaks.c - the gained objects of three snapshots, by accumulation point
 * or by retainer path.
 */
#include "lib/leaks.h"

#include <stdlib.h>
#include <string.h>

#include "lib/dominators.h"
#include "lib/graph.h"

an_err
an_leaks_base(an_leaks *lk, const an_snap *base)
{
    an_idorder o;
    an_err rc;

    memset(lk, 0, sizeof(*lk));
    lk->codes = an_strmap_new();
    if (lk->codes == NULL) {
        return AN_ERR_NOMEM;
    }
    rc = an_idorder_of(&o, lk->codes, base, 1);
    if (rc == AN_OK) {
        rc = an_objset_of(&lk->base, &o, NULL);
    }
    an_idorder_free(&o);
    return rc;
}

an_err
an_leaks_target(an_leaks *lk, const an_snap *target)
{
    uint64_t *fresh = an_bitmap_new(target->cols.n_objects);
    an_idorder o;
    an_err rc;

    if (fresh == NULL) {
        return AN_ERR_NOMEM;
    }
    rc = an_idorder_of(&o, lk->codes, target, 1);
    if (rc == AN_OK) {
        /* marked: in BASE; then flipped: the new ones */
        lk->target_count = target->cols.n_objects;
        lk->fresh_count = lk->target_count
                          - an_objset_mark(&lk->base, &o, fresh);
        for (uint64_t w = 0; w < (target->cols.n_objects + 63) / 64; w++) {
            fresh[w] = ~fresh[w];
        }
        rc = an_objset_of(&lk->fresh, &o, fresh);
    }
    an_idorder_free(&o);
    free(fresh);
    return rc;
}

an_err
an_leaks_identities(an_leaks *lk, const an_snap *final, uint64_t **old,
           uint64_t **gained)
{
    an_idorder o;
    an_err rc;

    *old = an_bitmap_new(final->cols.n_objects);
    *gained = an_bitmap_new(final->cols.n_objects);
    rc = *old != NULL && *gained != NULL ? AN_OK : AN_ERR_NOMEM;
    if (rc == AN_OK) {
        rc = an_idorder_of(&o, lk->codes, final, 0);
    }
    if (rc == AN_OK) {
        an_objset_mark(&lk->base, &o, *old);
        lk->candidates = an_objset_mark(&lk->fresh, &o, *gained);
        an_idorder_free(&o);
    }
    an_objset_free(&lk->base);
    an_objset_free(&lk->fresh);
    an_strmap_free(lk->codes);
    lk->codes = NULL;
    if (rc != AN_OK) {
        free(*old);
        free(*gained);
        *old = *gained = NULL;
    }
    return rc;
}

an_err
an_leaks_points(an_leaks *lk, const an_snap *final, uint64_t min_count,
                uint64_t top, int members, int with_newer)
{
    uint64_t *old = NULL, *gained = NULL;
    an_growth_run run;
    an_err rc;

    memset(&run, 0, sizeof(run));
    rc = an_leaks_identities(lk, final, &old, &gained);
    if (rc == AN_OK) {
        rc = an_growth_run_compute(&run, final, old, gained, members);
    }
    free(old);
    free(gained);
    if (rc == AN_OK) {
        rc = an_points_select(&lk->points, final, &run, min_count, top,
                              members, with_newer);
    }
    an_growth_run_free(&run);
    return rc;
}

static int
cluster_cmp(const void *pa, const void *pb)
{
    const an_leak_cluster *x = pa, *y = pb;

    if (x->retained != y->retained) {
        return x->retained > y->retained ? -1 : 1;
    }
    if (x->count != y->count) {
        return x->count > y->count ? -1 : 1;
    }
    return x->example < y->example ? -1 : x->example > y->example;
}

/* Is object v a weak reference to a candidate (a weak edge to one)? */
static int
weak_to_candidate(const an_graph *g, const uint64_t *candidate,
                     uint32_t v)
{
    for (uint64_t e = g->edge_start[v]; g->edge_kind != NULL
                                        && e < g->edge_start[v + 1]; e++) {
        uint32_t t = g->edge_target[e];

        if ((g->edge_kind[e] & MF_EDGE_WEAK) && t < g->n && t != v
            && an_bit(candidate, t)) {
            return 1;
        }
    }
    return 0;
}

/* The candidates of FINAL that no other candidate dominates and that are
 * no weak reference to another, with their retained sizes (the dominator
 * tree is freed before the paths). */
static an_err
leaks_outermost(an_leaks *lk, const an_snap *final, const uint64_t *candidate,
                uint32_t **targets, uint64_t **retained, uint64_t *n)
{
    an_domtree dt;
    uint64_t *outer = an_bitmap_new(final->g.n);
    an_err rc;

    *targets = NULL;
    *retained = NULL;
    *n = 0;
    if (outer == NULL) {
        return AN_ERR_NOMEM;
    }
    rc = an_snap_dominators(final, &lk->roots, &dt);
    if (rc != AN_OK) {
        free(outer);
        return rc;
    }
    rc = an_dom_outermost_of(&dt, candidate, outer);
    if (rc != AN_OK) {
        goto done;
    }
    for (uint32_t i = 0; i < final->g.n; i++) {
        if (!an_bit(outer, i)) {
            continue;
        }
        if (weak_to_candidate(&final->g, candidate, i)) {
            outer[i >> 6] &= ~((uint64_t)1 << (i & 63));
            lk->weak++;
            continue;
        }
        (*n)++;
    }
    lk->dominated = lk->candidates - *n - lk->weak;
    *targets = malloc((size_t)(*n ? *n : 1) * sizeof(uint32_t));
    *retained = malloc((size_t)(*n ? *n : 1) * sizeof(uint64_t));
    if (*targets == NULL || *retained == NULL) {
        rc = AN_ERR_NOMEM;
        goto done;
    }
    *n = 0;
    for (uint32_t i = 0; i < final->g.n; i++) {
        if (an_bit(outer, i)) {
            (*targets)[*n] = i;
            (*retained)[*n] = dt.retained[i];
            (*n)++;
        }
    }

done:
    free(outer);
    an_domtree_free(&dt);
    return rc;
}

an_err
an_leaks_final(an_leaks *lk, const an_snap *final, unsigned fold)
{
    uint64_t *candidate = NULL, *old = NULL;
    uint32_t *targets = NULL;
    uint64_t *retained = NULL, n_targets = 0;
    an_err rc;

    lk->fold = fold;
    rc = an_leaks_identities(lk, final, &old, &candidate);
    free(old);
    if (rc == AN_OK) {
        rc = an_roots_of_snap(&lk->roots, final);
    }
    if (rc == AN_OK) {
        rc = leaks_outermost(lk, final, candidate, &targets, &retained,
                             &n_targets);
    }
    if (rc == AN_OK) {
        rc = an_bfs(&final->g, lk->roots.ordered, lk->roots.n, 0, &lk->bfs);
    }
    if (rc == AN_OK) {
        rc = an_group_paths(&final->g, &lk->bfs, fold, &lk->roots, targets,
                            n_targets, &lk->groups);
    }
    if (rc != AN_OK) {
        goto done;
    }
    lk->unreachable = lk->groups.unreachable;
    lk->clusters = calloc((size_t)lk->groups.n_groups + 1,
                          sizeof(an_leak_cluster));
    if (lk->clusters == NULL) {
        rc = AN_ERR_NOMEM;
        goto done;
    }
    lk->n_clusters = lk->groups.n_groups;
    for (uint32_t g = 0; g < lk->n_clusters; g++) {
        lk->clusters[g].group = g;
        lk->clusters[g].example = lk->groups.groups[g].example;
    }
    for (uint64_t i = 0; i < n_targets; i++) {
        uint32_t g = lk->groups.group_of[i];

        if (g != MF_NONE) {
            an_leak_cluster *c = &lk->clusters[g];

            c->count++;
            c->size += final->cols.size[targets[i]];
            c->retained += retained[i];
        }
    }
    qsort(lk->clusters, lk->n_clusters, sizeof(an_leak_cluster),
          cluster_cmp);

done:
    free(candidate);
    free(targets);
    free(retained);
    return rc;
}

an_err
an_leaks_select(an_leaks *lk, const an_snap *final, uint64_t min_count,
                uint64_t top)
{
    an_err rc = AN_OK;

    lk->min_count = min_count;
    lk->listed = calloc((size_t)lk->n_clusters + 1, sizeof(uint32_t));
    lk->paths = calloc((size_t)lk->n_clusters + 1, sizeof(an_pathbuf));
    if (lk->listed == NULL || lk->paths == NULL) {
        return AN_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < lk->n_clusters; i++) {
        const an_leak_cluster *c = &lk->clusters[i];

        if (c->count < min_count) {
            continue;
        }
        lk->shown_total++;
        lk->retained_total += c->retained;
        if (lk->n_listed < top && rc == AN_OK) {
            const an_group *gr = &lk->groups.groups[c->group];
            an_pathbuf *pb = &lk->paths[lk->n_listed];

            lk->listed[lk->n_listed++] = i;
            if (an_path_find(pb, final, &lk->bfs, lk->fold, &lk->groups,
                             gr->shape, c->example) == UINT32_MAX) {
                rc = AN_ERR_NOMEM;
            }
        }
    }
    an_bfs_free(&lk->bfs);
    return rc;
}

void
an_leaks_free(an_leaks *lk)
{
    an_strmap_free(lk->codes);
    an_objset_free(&lk->base);
    an_objset_free(&lk->fresh);
    an_points_free(&lk->points);
    an_bfs_free(&lk->bfs);
    an_groups_free(&lk->groups);
    an_roots_free(&lk->roots);
    for (uint32_t i = 0; lk->paths != NULL && i < lk->n_listed; i++) {
        an_pathbuf_free(&lk->paths[i]);
    }
    free(lk->paths);
    free(lk->listed);
    free(lk->clusters);
    memset(lk, 0, sizeof(*lk));
}
