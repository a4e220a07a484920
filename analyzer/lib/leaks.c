/*
 * leaks.c - candidates from three snapshots, clusters by retainer path.
 */
#include "lib/leaks.h"

#include <stdlib.h>
#include <string.h>

#include "lib/dominators.h"
#include "lib/graph.h"

an_err
an_leaks_base(an_leaks *lk, const an_snap *base)
{
    memset(lk, 0, sizeof(*lk));
    if (an_objset_init(&lk->base, base->cols.n_objects) != 0) {
        return AN_ERR_NOMEM;
    }
    return an_objset_add_snap(&lk->base, base, NULL);
}

an_err
an_leaks_target(an_leaks *lk, const an_snap *target)
{
    uint32_t *names = an_objset_names(&lk->base, target, 0);
    uint64_t *is_fresh = an_bitmap_new(target->cols.n_objects);
    an_err rc = AN_ERR_NOMEM;

    if (names == NULL || is_fresh == NULL) {
        goto done;
    }
    for (uint32_t i = 0; i < target->cols.n_objects; i++) {
        if (i + AN_OBJSET_AHEAD < target->cols.n_objects) {
            an_objset_prefetch(&lk->base,
                               target->cols.address[i + AN_OBJSET_AHEAD]);
        }
        if (!an_objset_has(&lk->base, target->cols.address[i],
                           names[an_snap_key_of(target, i)])) {
            an_set_bit(is_fresh, i);
            lk->fresh_count++;
        }
    }
    an_objset_free(&lk->base);
    if (an_objset_init(&lk->fresh, lk->fresh_count) != 0
        || an_objset_add_snap(&lk->fresh, target, is_fresh) != 0) {
        goto done;
    }
    rc = AN_OK;

done:
    free(names);
    free(is_fresh);
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

/* The candidates: the objects of FINAL whose identity is among the
 * fresh objects of TARGET. */
static an_err
leaks_candidates(an_leaks *lk, const an_snap *final, uint64_t *candidate)
{
    uint32_t *names = an_objset_names(&lk->fresh, final, 0);

    if (names == NULL) {
        return AN_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < final->g.n; i++) {
        if (i + AN_OBJSET_AHEAD < final->g.n) {
            an_objset_prefetch(&lk->fresh,
                               final->cols.address[i + AN_OBJSET_AHEAD]);
        }
        if (an_objset_has(&lk->fresh, final->cols.address[i],
                          names[an_snap_key_of(final, i)])) {
            an_set_bit(candidate, i);
            lk->candidates++;
        }
    }
    free(names);
    return AN_OK;
}

an_err
an_leaks_final(an_leaks *lk, const an_snap *final, unsigned fold)
{
    uint64_t *candidate = an_bitmap_new(final->g.n);
    uint32_t *targets = NULL;
    uint64_t *retained = NULL, n_targets = 0;
    an_err rc;

    lk->fold = fold;
    rc = candidate != NULL ? leaks_candidates(lk, final, candidate)
                           : AN_ERR_NOMEM;
    an_objset_free(&lk->fresh);
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
    an_objset_free(&lk->base);
    an_objset_free(&lk->fresh);
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
