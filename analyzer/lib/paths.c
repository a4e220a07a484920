/*
 * paths.c - the paths that keep objects alive, grouped by shape.
 */
#include "lib/paths.h"

#include <stdlib.h>
#include <string.h>

#include "lib/bfs.h"
#include "lib/dominators.h"
#include "lib/graph.h"
#include "lib/groups.h"

/* The instances of the types `sel` selects, in index order. */
static an_err
paths_targets(an_paths *m, const an_snap *s, const an_typesel *sel)
{
    m->targets = malloc((size_t)(sel->count ? sel->count : 1)
                        * sizeof(uint32_t));
    if (m->targets == NULL) {
        return AN_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < s->cols.n_objects; i++) {
        if (an_bit(sel->objects, i)) {
            m->targets[m->n_targets++] = i;
        }
    }
    return AN_OK;
}

/*
 * The retained size of each target that no other target dominates (so
 * that nested instances count once), 0 for the others.
 */
static an_err
paths_retained(an_paths *m, const an_snap *s, const an_typesel *sel,
               uint64_t *target_retained)
{
    an_domtree dt;
    uint64_t *outer = NULL;
    uint32_t *class_of = NULL;      /* per type id: 0 = a target type */
    an_err rc;

    rc = an_snap_dominators(s, &m->roots, &dt);
    if (rc != AN_OK) {
        return rc;
    }
    rc = AN_ERR_NOMEM;
    outer = an_bitmap_new(s->g.n);
    class_of = malloc(((size_t)s->n_types + 1) * sizeof(uint32_t));
    if (outer == NULL || class_of == NULL) {
        goto done;
    }
    for (uint32_t t = 0; t < s->n_types; t++) {
        class_of[t] = sel->key[s->type_key[t]] ? 0 : 1;
    }
    rc = an_dom_outermost(&dt, s->cols.type, class_of, s->n_types,
                          sel->key[s->n_keys] ? 0 : 1, 2, outer);
    if (rc != AN_OK) {
        goto done;
    }
    for (uint64_t i = 0; i < m->n_targets; i++) {
        uint32_t obj = m->targets[i];

        if (an_bit(outer, obj)) {
            target_retained[i] = dt.retained[obj];
        }
    }

done:
    free(outer);
    free(class_of);
    an_domtree_free(&dt);
    return rc;
}

an_err
an_paths_compute(const an_snap *s, const char *type_name, uint32_t target,
                 unsigned flags, uint64_t max_groups, an_paths *m)
{
    an_typesel sel;
    an_bfs_result bfs;
    uint64_t *target_retained = NULL;
    uint32_t n_examples;
    an_err rc;

    memset(m, 0, sizeof(*m));
    memset(&sel, 0, sizeof(sel));
    memset(&bfs, 0, sizeof(bfs));
    m->type_name = type_name;
    m->weak = (flags & AN_PATHS_WEAK) != 0;
    m->fold = flags & AN_PATHS_FOLD_KEYS ? AN_FOLD_STR_KEYS : 0;
    if (type_name != NULL) {
        rc = an_type_select(s, type_name, &sel);
        if (rc == AN_OK) {
            rc = paths_targets(m, s, &sel);
        }
    }
    else {
        m->targets = malloc(sizeof(uint32_t));
        rc = m->targets != NULL ? AN_OK : AN_ERR_NOMEM;
        if (rc == AN_OK) {
            m->targets[0] = target;
            m->n_targets = 1;
        }
    }
    if (rc == AN_OK) {
        rc = an_roots_of_snap(&m->roots, s);
    }
    if (rc == AN_OK && type_name != NULL && (flags & AN_PATHS_RETAINED)) {
        target_retained = calloc((size_t)m->n_targets + 1, sizeof(uint64_t));
        rc = target_retained != NULL
             ? paths_retained(m, s, &sel, target_retained) : AN_ERR_NOMEM;
    }
    if (rc == AN_OK) {
        rc = an_bfs(&s->g, m->roots.ordered, m->roots.n,
                    m->weak ? AN_FOLLOW_WEAK : 0, &bfs);
    }
    if (rc == AN_OK) {
        rc = an_group_paths(&s->g, &bfs, m->fold, &m->roots, m->targets,
                            m->n_targets, &m->groups);
    }
    if (rc == AN_OK && target_retained != NULL) {
        /* per group, the sum of its targets' retained sizes */
        m->group_retained = calloc((size_t)m->groups.n_groups + 1,
                                   sizeof(uint64_t));
        rc = m->group_retained != NULL ? AN_OK : AN_ERR_NOMEM;
        for (uint64_t i = 0; rc == AN_OK && i < m->n_targets; i++) {
            uint32_t g = m->groups.group_of[i];

            if (g != MF_NONE) {
                m->group_retained[g] += target_retained[i];
            }
        }
    }
    if (rc == AN_OK) {
        n_examples = m->groups.n_groups < max_groups
                     ? m->groups.n_groups : (uint32_t)max_groups;
        m->examples = calloc((size_t)n_examples + 1, sizeof(an_pathbuf));
        rc = m->examples != NULL ? AN_OK : AN_ERR_NOMEM;
        for (uint32_t g = 0; rc == AN_OK && g < n_examples; g++) {
            const an_group *gr = &m->groups.groups[g];

            m->n_examples++;
            if (an_path_find(&m->examples[g], s, &bfs, m->fold, &m->groups,
                             gr->shape, gr->example) == UINT32_MAX) {
                rc = AN_ERR_NOMEM;
            }
        }
    }
    free(target_retained);
    an_typesel_free(&sel);
    an_bfs_free(&bfs);
    return rc;
}

void
an_paths_free(an_paths *m)
{
    for (uint32_t i = 0; m->examples != NULL && i < m->n_examples; i++) {
        an_pathbuf_free(&m->examples[i]);
    }
    free(m->examples);
    free(m->group_retained);
    free(m->targets);
    an_groups_free(&m->groups);
    an_roots_free(&m->roots);
    memset(m, 0, sizeof(*m));
}
