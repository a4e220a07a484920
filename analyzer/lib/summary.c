/*
 * summary.c - objects per type or module.
 */
#include "lib/summary.h"

#include <stdlib.h>
#include <string.h>

#include "lib/dominators.h"
#include "lib/groups.h"

/* Descending by the sort key, then by size (or, sorting by size, by
 * count), then by group. */
static int
summary_order(uint64_t xa, uint64_t ya, uint64_t xb, uint64_t yb,
              uint32_t xg, uint32_t yg)
{
    if (xa != ya) {
        return xa > ya ? -1 : 1;
    }
    if (xb != yb) {
        return xb > yb ? -1 : 1;
    }
    return xg < yg ? -1 : xg > yg;
}

static int
by_size(const void *a, const void *b)
{
    const an_summary_row *x = a, *y = b;

    return summary_order(x->size, y->size, x->count, y->count, x->group,
                         y->group);
}

static int
by_count(const void *a, const void *b)
{
    const an_summary_row *x = a, *y = b;

    return summary_order(x->count, y->count, x->size, y->size, x->group,
                         y->group);
}

static int
by_retained(const void *a, const void *b)
{
    const an_summary_row *x = a, *y = b;

    return summary_order(x->retained, y->retained, x->size, y->size,
                         x->group, y->group);
}

an_err
an_summary_compute(const an_snap *s, int by_module, const char *type_name,
                   int retained, an_summary_sort sort, an_summary *m)
{
    an_domtree dt;
    an_typesel sel;
    uint32_t *group_of = NULL;
    uint64_t *count = NULL, *bytes = NULL, *ret = NULL, *outer = NULL;
    uint64_t *unused = NULL;
    uint32_t n_groups = 0, excluded, unknown;
    an_err rc = AN_ERR_NOMEM;

    memset(m, 0, sizeof(*m));
    memset(&dt, 0, sizeof(dt));
    memset(&sel, 0, sizeof(sel));
    m->by_module = by_module;
    m->retained = retained || sort == AN_SUMMARY_BY_RETAINED;
    /* groups: the keys (or modules), then "unknown", then "excluded" */
    group_of = an_group_of_types(s, by_module, &n_groups);
    if (group_of == NULL) {
        goto done;
    }
    unknown = n_groups - 1;
    excluded = n_groups;
    count = calloc((size_t)n_groups + 1, sizeof(uint64_t));
    bytes = calloc((size_t)n_groups + 1, sizeof(uint64_t));
    ret = calloc((size_t)n_groups + 1, sizeof(uint64_t));
    unused = calloc((size_t)n_groups + 1, sizeof(uint64_t));
    m->rows = calloc((size_t)n_groups + 1, sizeof(an_summary_row));
    if (!count || !bytes || !ret || !unused || !m->rows) {
        goto done;
    }
    if (m->retained) {
        /* outermost per group before --type narrows the groups: a Node
         * inside another Node is not counted twice */
        rc = an_snap_dominators(s, NULL, &dt);
        if (rc != AN_OK) {
            goto done;
        }
        rc = AN_ERR_NOMEM;
        outer = an_group_outermost(s, &dt, group_of, n_groups);
        if (outer == NULL) {
            goto done;
        }
    }
    if (type_name != NULL) {
        rc = an_type_select(s, type_name, &sel);
        if (rc != AN_OK) {
            goto done;
        }
        rc = AN_ERR_NOMEM;
        for (uint32_t t = 0; t < s->n_types; t++) {
            if (!sel.key[s->type_key[t]]) {
                group_of[t] = excluded;
            }
        }
        if (!sel.key[s->n_keys]) {
            unknown = excluded;
        }
    }
    an_aggregate(s->cols.type, s->cols.size, NULL, s->cols.n_objects,
                 group_of, s->n_types, unknown, count, bytes);
    if (m->retained) {
        an_aggregate(s->cols.type, dt.retained, outer, s->cols.n_objects,
                     group_of, s->n_types, unknown, unused, ret);
    }
    for (uint32_t gi = 0; gi <= n_groups; gi++) {
        an_summary_row *r;

        m->all_size += bytes[gi];
        if (gi == excluded || count[gi] == 0) {
            continue;
        }
        r = &m->rows[m->n_rows++];
        r->group = gi;
        r->count = count[gi];
        r->size = bytes[gi];
        r->retained = ret[gi];
        m->count += count[gi];
        m->size += bytes[gi];
        if (by_module ? gi < s->n_modules
                            && an_module_is_external(s->modules[gi])
                      : gi < s->n_keys && s->keys[gi].external) {
            m->external_count += count[gi];
            m->external_size += bytes[gi];
        }
    }
    qsort(m->rows, m->n_rows, sizeof(an_summary_row),
          sort == AN_SUMMARY_BY_COUNT ? by_count
          : sort == AN_SUMMARY_BY_RETAINED ? by_retained : by_size);
    rc = AN_OK;

done:
    free(group_of);
    free(count);
    free(bytes);
    free(ret);
    free(unused);
    free(outer);
    an_typesel_free(&sel);
    an_domtree_free(&dt);
    return rc;
}

void
an_summary_free(an_summary *m)
{
    free(m->rows);
    memset(m, 0, sizeof(*m));
}
