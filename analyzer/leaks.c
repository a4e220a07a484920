/*
 * leaks.c - leak candidates across BASE, TARGET and FINAL, clustered.
 */
#include "leaks.h"

#include <stdlib.h>
#include <string.h>

#include "dominators.h"
#include "graph.h"
#include "maps.h"

struct an_leak_finder {
    an_strmap *names;       /* type keys (module, qualname) -> name id */
    an_u64map seen;         /* BASE's, then the candidates' identities:
                               address -> name id */
};

an_leak_finder *
an_leaks_new(void)
{
    an_leak_finder *lf = calloc(1, sizeof(*lf));

    if (lf == NULL) {
        return NULL;
    }
    lf->names = an_strmap_new();
    if (lf->names == NULL) {
        free(lf);
        return NULL;
    }
    return lf;
}

void
an_leaks_free_finder(an_leak_finder *lf)
{
    if (lf == NULL) {
        return;
    }
    an_strmap_free(lf->names);
    an_u64map_free(&lf->seen);
    free(lf);
}

/* The name id of every key of s (n_keys + 1 entries). */
static uint32_t *
an_leaks_names(an_leak_finder *lf, const an_snap *s)
{
    uint32_t *id = malloc(((size_t)s->n_keys + 1) * sizeof(uint32_t));
    int added;

    if (id == NULL) {
        return NULL;
    }
    for (uint32_t k = 0; k <= s->n_keys; k++) {
        const an_key *key = &s->keys[k];

        id[k] = an_strmap_intern(lf->names, key->module, strlen(key->module),
                                 key->qualname, strlen(key->qualname),
                                 &added);
        if (id[k] == MF_NONE) {
            free(id);
            return NULL;
        }
    }
    return id;
}

int
an_leaks_base(an_leak_finder *lf, const an_snap *base)
{
    uint32_t *id = an_leaks_names(lf, base);
    int rc = -1;

    an_u64map_free(&lf->seen);
    if (id == NULL || an_u64map_init(&lf->seen, base->cols.n_objects) != 0) {
        goto done;
    }
    for (uint32_t i = 0; i < base->cols.n_objects; i++) {
        if (an_u64map_put(&lf->seen, base->cols.address[i],
                          id[an_snap_key_of(base, i)]) != 0) {
            goto done;
        }
    }
    rc = 0;

done:
    free(id);
    return rc;
}

int
an_leaks_target(an_leak_finder *lf, const an_snap *target)
{
    uint32_t *id = an_leaks_names(lf, target);
    uint32_t n = target->cols.n_objects, n_new = 0;
    uint32_t *fresh = NULL;
    int rc = -1;

    fresh = malloc((size_t)(n ? n : 1) * sizeof(uint32_t));
    if (id == NULL || fresh == NULL) {
        goto done;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t old = an_u64map_get(&lf->seen, target->cols.address[i]);

        if (old == MF_NONE || old != id[an_snap_key_of(target, i)]) {
            fresh[n_new++] = i;
        }
    }
    an_u64map_free(&lf->seen);
    if (an_u64map_init(&lf->seen, n_new) != 0) {
        goto done;
    }
    for (uint32_t j = 0; j < n_new; j++) {
        uint32_t i = fresh[j];

        if (an_u64map_put(&lf->seen, target->cols.address[i],
                          id[an_snap_key_of(target, i)]) != 0) {
            goto done;
        }
    }
    rc = 0;

done:
    free(id);
    free(fresh);
    return rc;
}

static int
an_leak_cluster_cmp(const void *a, const void *b)
{
    const an_leak_cluster *x = a, *y = b;

    if (x->retained != y->retained) {
        return x->retained > y->retained ? -1 : 1;
    }
    if (x->count != y->count) {
        return x->count > y->count ? -1 : 1;
    }
    return x->example < y->example ? -1 : x->example > y->example;
}

/*
 * The candidates no other candidate dominates: walk up each candidate's
 * dominator chain, memoizing per object whether a strict dominator is a
 * candidate (0 unknown, 1 no, 2 yes).  O(n).
 */
static int
an_leaks_outermost(const an_domtree *dt, const uint64_t *cand,
                   uint32_t **out, uint64_t *count)
{
    uint32_t n = dt->n;
    unsigned char *below = calloc((size_t)n + 1, 1);
    uint32_t *stack = malloc((size_t)(n ? n : 1) * sizeof(uint32_t));
    uint64_t c = 0;

    *out = NULL;
    if (below == NULL || stack == NULL) {
        free(below);
        free(stack);
        return -1;
    }
    for (uint32_t v = 0; v < n; v++) {
        uint32_t x = v, top = 0;
        unsigned char state;

        /* below[x]: has x a candidate among its strict dominators? */
        while (below[x] == 0) {
            uint32_t d = dt->idom[x];

            if (d == AN_DOM_SUPER) {
                below[x] = 1;
                break;
            }
            stack[top++] = x;
            if (an_bit(cand, d)) {
                below[x] = 2;
                top--;
                break;
            }
            x = d;
        }
        /* each object left on the stack has an idom that is no
         * candidate: it inherits the state of that idom */
        state = below[x];
        while (top > 0) {
            below[stack[--top]] = state;
        }
    }
    for (uint32_t v = 0; v < n; v++) {
        c += an_bit(cand, v) && below[v] == 1 && !an_bit(dt->unreachable, v);
    }
    *out = malloc((size_t)(c ? c : 1) * sizeof(uint32_t));
    if (*out == NULL) {
        free(below);
        free(stack);
        return -1;
    }
    c = 0;
    for (uint32_t v = 0; v < n; v++) {
        if (an_bit(cand, v) && below[v] == 1
            && !an_bit(dt->unreachable, v)) {
            (*out)[c++] = v;
        }
    }
    *count = c;
    free(below);
    free(stack);
    return 0;
}

int
an_leaks_final(an_leak_finder *lf, const an_snap *final,
               const an_roots *roots, unsigned fold, uint64_t min_count,
               an_leaks *out)
{
    uint32_t n = final->cols.n_objects;
    uint32_t *id = an_leaks_names(lf, final);
    uint64_t *cand = an_bitmap_new(n);
    uint32_t *targets = NULL;
    uint64_t n_targets = 0, *ret = NULL;
    an_domtree dt;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    memset(&dt, 0, sizeof(dt));
    if (id == NULL || cand == NULL) {
        goto done;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t want = an_u64map_get(&lf->seen, final->cols.address[i]);

        if (want != MF_NONE && want == id[an_snap_key_of(final, i)]) {
            an_set_bit(cand, i);
            out->candidates++;
        }
    }
    if (an_dominators(&final->g, final->cols.size, roots->ordered, roots->n,
                      &dt) != 0
        || an_leaks_outermost(&dt, cand, &targets, &n_targets) != 0) {
        goto done;
    }
    out->outermost = n_targets;
    ret = malloc((size_t)(n_targets ? n_targets : 1) * sizeof(uint64_t));
    if (ret == NULL) {
        goto done;
    }
    for (uint64_t t = 0; t < n_targets; t++) {
        ret[t] = dt.retained[targets[t]];
    }
    an_domtree_free(&dt);
    if (an_bfs(&final->g, roots->ordered, roots->n, 0, &out->bfs) != 0
        || an_group_paths(&final->g, &out->bfs, fold, roots, targets,
                          n_targets, &out->groups) != 0) {
        goto done;
    }
    out->clusters = calloc((size_t)out->groups.n_groups + 1,
                           sizeof(an_leak_cluster));
    if (out->clusters == NULL) {
        goto done;
    }
    for (uint32_t g = 0; g < out->groups.n_groups; g++) {
        out->clusters[g].group = g;
        out->clusters[g].example = out->groups.groups[g].example;
    }
    for (uint64_t t = 0; t < n_targets; t++) {
        uint32_t g = out->groups.group_of[t];

        if (g == MF_NONE) {
            continue;
        }
        out->clusters[g].count++;
        out->clusters[g].size += final->cols.size[targets[t]];
        out->clusters[g].retained += ret[t];
    }
    for (uint32_t g = 0; g < out->groups.n_groups; g++) {
        if (out->clusters[g].count >= min_count) {
            out->clusters[out->n_clusters++] = out->clusters[g];
        }
    }
    qsort(out->clusters, out->n_clusters, sizeof(an_leak_cluster),
          an_leak_cluster_cmp);
    rc = 0;

done:
    an_domtree_free(&dt);
    free(id);
    free(cand);
    free(targets);
    free(ret);
    if (rc != 0) {
        an_leaks_free(out);
    }
    return rc;
}

void
an_leaks_free(an_leaks *l)
{
    an_bfs_free(&l->bfs);
    an_groups_free(&l->groups);
    free(l->clusters);
    memset(l, 0, sizeof(*l));
}
