/*
 * trend.c - per-group counts and sizes across snapshots.
 */
#include "lib/trend.h"

#include <stdlib.h>
#include <string.h>

#include "lib/groups.h"

an_err
an_trend_init(an_trend *t, int by_module, uint32_t n_snaps)
{
    memset(t, 0, sizeof(*t));
    t->by_module = by_module;
    t->n_snaps = n_snaps;
    t->names = an_strmap_new();
    t->total_count = calloc((size_t)n_snaps + 1, sizeof(uint64_t));
    t->total_size = calloc((size_t)n_snaps + 1, sizeof(uint64_t));
    if (t->names == NULL || t->total_count == NULL || t->total_size == NULL) {
        an_trend_free(t);
        return AN_ERR_NOMEM;
    }
    return AN_OK;
}

void
an_trend_free(an_trend *t)
{
    for (uint32_t i = 0; i < t->n_rows; i++) {
        free(t->rows[i].count);
        free(t->rows[i].size);
    }
    free(t->rows);
    an_strmap_free(t->names);
    free(t->total_count);
    free(t->total_size);
    memset(t, 0, sizeof(*t));
}

/* The row of group (m, q), added with zeroed series when new. */
static an_trend_row *
trend_row_of(an_trend *t, const char *m, const char *q)
{
    int added;
    uint32_t id = an_strmap_intern(t->names, m, strlen(m), q, strlen(q),
                                   &added);
    an_trend_row *r;

    if (id == MF_NONE) {
        return NULL;
    }
    if (id >= t->n_rows) {
        /* ids are dense: the new one is n_rows */
        r = realloc(t->rows, ((size_t)t->n_rows + 1) * sizeof(*r));
        if (r == NULL) {
            return NULL;
        }
        t->rows = r;
        r = &t->rows[t->n_rows];
        memset(r, 0, sizeof(*r));
        r->id = id;
        r->count = calloc(t->n_snaps, sizeof(uint64_t));
        r->size = calloc(t->n_snaps, sizeof(uint64_t));
        t->n_rows++;
        if (r->count == NULL || r->size == NULL) {
            return NULL;
        }
    }
    return &t->rows[id];
}

an_err
an_trend_add(an_trend *t, uint32_t index, const an_snap *s)
{
    uint32_t n_groups = 0;
    uint32_t *group_of = an_group_of_types(s, t->by_module, &n_groups);
    uint64_t *count = NULL, *bytes = NULL;
    an_err rc = AN_ERR_NOMEM;

    if (group_of == NULL || index >= t->n_snaps) {
        goto done;
    }
    count = calloc(n_groups, sizeof(uint64_t));
    bytes = calloc(n_groups, sizeof(uint64_t));
    if (count == NULL || bytes == NULL) {
        goto done;
    }
    an_aggregate(s->cols.type, s->cols.size, NULL, s->cols.n_objects,
                 group_of, s->n_types, n_groups - 1, count, bytes);
    for (uint32_t gi = 0; gi < n_groups; gi++) {
        an_trend_row *r;

        if (count[gi] == 0) {
            continue;
        }
        r = t->by_module ? trend_row_of(t, s->modules[gi], "")
                         : trend_row_of(t, s->keys[gi].module,
                                        s->keys[gi].qualname);
        if (r == NULL) {
            goto done;
        }
        r->count[index] += count[gi];
        r->size[index] += bytes[gi];
        t->total_count[index] += count[gi];
        t->total_size[index] += bytes[gi];
    }
    rc = AN_OK;

done:
    free(group_of);
    free(count);
    free(bytes);
    return rc;
}

static int
trend_cmp(const void *pa, const void *pb)
{
    const an_trend_row *x = pa, *y = pb;

    if (x->growing != y->growing) {
        return x->growing ? -1 : 1;
    }
    if (x->size_growth != y->size_growth) {
        return x->size_growth > y->size_growth ? -1 : 1;
    }
    if (x->count_growth != y->count_growth) {
        return x->count_growth > y->count_growth ? -1 : 1;
    }
    return x->id < y->id ? -1 : x->id > y->id;
}

void
an_trend_finish(an_trend *t)
{
    if (t->n_snaps == 0) {
        return;
    }
    for (uint32_t i = 0; i < t->n_rows; i++) {
        an_trend_row *r = &t->rows[i];
        uint32_t last = t->n_snaps - 1;

        r->growing = t->n_snaps >= 2;
        for (uint32_t k = 1; k < t->n_snaps; k++) {
            if (r->count[k] <= r->count[k - 1]) {
                r->growing = 0;
                break;
            }
        }
        r->count_growth = (int64_t)(r->count[last] - r->count[0]);
        r->size_growth = (int64_t)(r->size[last] - r->size[0]);
    }
    if (t->n_rows > 1) {
        qsort(t->rows, t->n_rows, sizeof(an_trend_row), trend_cmp);
    }
}
