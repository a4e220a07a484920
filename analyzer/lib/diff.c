/*
 * diff.c - per-group counts of two snapshots, new objects by address.
 */
#include "lib/diff.h"

#include <stdlib.h>
#include <string.h>

#include "base/number.h"
#include "lib/dominators.h"
#include "lib/graph.h"
#include "lib/groups.h"

an_err
an_diff_init(an_diff *d, int by_module, int objects)
{
    memset(d, 0, sizeof(*d));
    d->by_module = by_module;
    d->objects = objects;
    d->names = an_strmap_new();
    if (d->names == NULL) {
        an_diff_free(d);
        return AN_ERR_NOMEM;
    }
    return AN_OK;
}

void
an_diff_free(an_diff *d)
{
    an_strmap_free(d->names);
    an_strmap_free(d->codes);
    an_objset_free(&d->old);
    free(d->rows);
    free(d->by_new);
    memset(d, 0, sizeof(*d));
}

/* The union ids of s's groups (n_groups entries, the unknown one last). */
static uint32_t *
diff_union(an_diff *d, const an_snap *s, uint32_t n_groups)
{
    uint32_t *to_union = malloc((size_t)n_groups * sizeof(uint32_t));
    int added;

    if (to_union == NULL) {
        return NULL;
    }
    for (uint32_t gi = 0; gi < n_groups; gi++) {
        const char *m, *q;

        if (d->by_module) {
            m = s->modules[gi];
            q = "";
        }
        else {
            m = s->keys[gi].module;
            q = s->keys[gi].qualname;
        }
        to_union[gi] = an_strmap_intern(d->names, m, strlen(m), q,
                                        strlen(q), &added);
        if (to_union[gi] == MF_NONE) {
            free(to_union);
            return NULL;
        }
    }
    return to_union;
}

/* Grow rows to cover every union id. */
static int
diff_rows(an_diff *d)
{
    uint32_t nu = an_strmap_count(d->names);
    an_diff_row *r;

    if (nu <= d->n_rows) {
        return 0;
    }
    r = realloc(d->rows, (size_t)nu * sizeof(an_diff_row));
    if (r == NULL) {
        return -1;
    }
    memset(r + d->n_rows, 0, (size_t)(nu - d->n_rows) * sizeof(*r));
    for (uint32_t i = d->n_rows; i < nu; i++) {
        r[i].id = i;
    }
    d->rows = r;
    d->n_rows = nu;
    return 0;
}

/* Remember A's identities. */
static an_err
remember(an_diff *d, const an_snap *a)
{
    an_idorder o;
    an_err rc;

    d->codes = an_strmap_new();
    if (d->codes == NULL) {
        return AN_ERR_NOMEM;
    }
    rc = an_idorder_of(&o, d->codes, a, 1);
    if (rc == AN_OK) {
        rc = an_objset_of(&d->old, &o, NULL);
    }
    an_idorder_free(&o);
    return rc;
}

/* Keep the AN_DIFF_LARGEST largest new objects, largest first. */
static void
keep_largest(an_diff *d, const an_snap *b, uint32_t i)
{
    uint64_t sz = b->cols.size[i];
    uint32_t p;

    if (d->n_largest == AN_DIFF_LARGEST
        && sz <= d->largest[d->n_largest - 1].size) {
        return;
    }
    p = d->n_largest < AN_DIFF_LARGEST ? d->n_largest++
                                       : AN_DIFF_LARGEST - 1;
    while (p > 0 && d->largest[p - 1].size < sz) {
        d->largest[p] = d->largest[p - 1];
        p--;
    }
    d->largest[p].index = i;
    d->largest[p].size = sz;
    d->largest[p].address = b->cols.address[i];
    d->largest[p].key = an_snap_key_of(b, i);
}

/* Count B's new objects per row. */
static an_err
new_objects(an_diff *d, const an_snap *b, const uint32_t *group_of,
            const uint32_t *to_union)
{
    uint64_t *old = an_bitmap_new(b->cols.n_objects);
    uint32_t unknown = an_group_unknown(b, d->by_module);
    an_idorder o;
    an_err rc;

    if (old == NULL) {
        return AN_ERR_NOMEM;
    }
    rc = an_idorder_of(&o, d->codes, b, 0);
    if (rc != AN_OK) {
        free(old);
        return rc;
    }
    an_objset_mark(&d->old, &o, old);
    an_idorder_free(&o);
    an_objset_free(&d->old);
    for (uint32_t i = 0; i < b->cols.n_objects; i++) {
        uint32_t t = b->cols.type[i];
        an_diff_row *r;

        if (an_bit(old, i)) {
            continue;           /* same identity: old */
        }
        r = &d->rows[to_union[t < b->n_types ? group_of[t] : unknown]];
        r->new_count++;
        r->new_size += b->cols.size[i];
        d->new_count++;
        d->new_size += b->cols.size[i];
        keep_largest(d, b, i);
    }
    free(old);
    return AN_OK;
}

an_err
an_diff_add(an_diff *d, int which, const an_snap *s,
            const uint64_t *retained, const uint64_t *outermost)
{
    uint32_t n_groups = 0;
    uint32_t *group_of = an_group_of_types(s, d->by_module, &n_groups);
    uint32_t *to_union = NULL;
    uint64_t *count = NULL, *bytes = NULL, *ret = NULL;
    uint32_t unknown = an_group_unknown(s, d->by_module);
    an_err rc = AN_ERR_NOMEM;

    if (group_of == NULL) {
        return AN_ERR_NOMEM;
    }
    count = calloc(n_groups, sizeof(uint64_t));
    bytes = calloc(n_groups, sizeof(uint64_t));
    ret = calloc(n_groups, sizeof(uint64_t));
    to_union = diff_union(d, s, n_groups);
    if (!count || !bytes || !ret || !to_union || diff_rows(d) != 0) {
        goto done;
    }
    an_aggregate(s->cols.type, s->cols.size, NULL, s->cols.n_objects,
                 group_of, s->n_types, unknown, count, bytes);
    if (retained != NULL) {
        uint64_t *unused = calloc(n_groups, sizeof(uint64_t));

        if (unused == NULL) {
            goto done;
        }
        an_aggregate(s->cols.type, retained, outermost, s->cols.n_objects,
                     group_of, s->n_types, unknown, unused, ret);
        free(unused);
    }
    for (uint32_t gi = 0; gi < n_groups; gi++) {
        an_diff_row *r = &d->rows[to_union[gi]];

        if (which == 0) {
            r->count_a += count[gi];
            r->size_a += bytes[gi];
            r->retained_a += ret[gi];
            d->count_a += count[gi];
            d->size_a += bytes[gi];
            d->retained_a += ret[gi];
        }
        else {
            r->count_b += count[gi];
            r->size_b += bytes[gi];
            r->retained_b += ret[gi];
            d->count_b += count[gi];
            d->size_b += bytes[gi];
            d->retained_b += ret[gi];
        }
    }
    rc = AN_OK;
    if (d->objects) {
        rc = which == 0 ? remember(d, s)
                        : new_objects(d, s, group_of, to_union);
    }

done:
    free(group_of);
    free(to_union);
    free(count);
    free(bytes);
    free(ret);
    return rc;
}

an_err
an_diff_add_snap(an_diff *d, int which, const an_snap *s, int retained)
{
    an_domtree dt;
    uint64_t *outer = NULL;
    uint32_t *group_of = NULL, n_groups = 0;
    an_err rc = AN_OK;

    memset(&dt, 0, sizeof(dt));
    if (retained) {
        d->retained = 1;
        group_of = an_group_of_types(s, d->by_module, &n_groups);
        rc = group_of != NULL ? an_snap_dominators(s, NULL, &dt)
                              : AN_ERR_NOMEM;
        if (rc == AN_OK) {
            outer = an_group_outermost(s, &dt, group_of, n_groups);
            rc = outer != NULL ? AN_OK : AN_ERR_NOMEM;
        }
    }
    if (rc == AN_OK) {
        rc = an_diff_add(d, which, s, retained ? dt.retained : NULL, outer);
    }
    free(outer);
    free(group_of);
    an_domtree_free(&dt);
    return rc;
}

static int
diff_cmp(const void *pa, const void *pb)
{
    const an_diff_row *x = pa, *y = pb;
    int64_t xs = an_delta(x->size_a, x->size_b);
    int64_t ys = an_delta(y->size_a, y->size_b);
    int64_t xc = an_delta(x->count_a, x->count_b);
    int64_t yc = an_delta(y->count_a, y->count_b);

    if (xs != ys) {
        return xs > ys ? -1 : 1;
    }
    if (xc != yc) {
        return xc > yc ? -1 : 1;
    }
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The rows of the new objects: by new size, new count, id. */
static const an_diff_row *new_rows;

static int
new_cmp(const void *pa, const void *pb)
{
    const an_diff_row *x = &new_rows[*(const uint32_t *)pa];
    const an_diff_row *y = &new_rows[*(const uint32_t *)pb];

    if (x->new_size != y->new_size) {
        return x->new_size > y->new_size ? -1 : 1;
    }
    if (x->new_count != y->new_count) {
        return x->new_count > y->new_count ? -1 : 1;
    }
    return x->id < y->id ? -1 : x->id > y->id;
}

an_err
an_diff_sort(an_diff *d)
{
    qsort(d->rows, d->n_rows, sizeof(an_diff_row), diff_cmp);
    if (!d->objects) {
        return AN_OK;
    }
    free(d->by_new);
    d->by_new = malloc((size_t)(d->n_rows ? d->n_rows : 1)
                       * sizeof(uint32_t));
    if (d->by_new == NULL) {
        return AN_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < d->n_rows; i++) {
        d->by_new[i] = i;
    }
    new_rows = d->rows;
    qsort(d->by_new, d->n_rows, sizeof(uint32_t), new_cmp);
    new_rows = NULL;
    return AN_OK;
}

/* ---- diff --growth ---------------------------------------------------- */

an_err
an_diff_growth_a(an_diff_growth *d, const an_snap *a)
{
    an_idorder o;
    an_err rc;

    memset(d, 0, sizeof(*d));
    d->codes = an_strmap_new();
    if (d->codes == NULL) {
        return AN_ERR_NOMEM;
    }
    d->count_a = a->cols.n_objects;
    rc = an_idorder_of(&o, d->codes, a, 1);
    if (rc == AN_OK) {
        rc = an_objset_of(&d->a, &o, NULL);
    }
    an_idorder_free(&o);
    return rc;
}

an_err
an_diff_growth_b(an_diff_growth *d, const an_snap *b, uint64_t min_count,
                 uint64_t top, int members)
{
    uint64_t *gained = an_bitmap_new(b->cols.n_objects);
    an_growth_run run;
    an_idorder o;
    an_err rc;

    memset(&run, 0, sizeof(run));
    if (gained == NULL) {
        return AN_ERR_NOMEM;
    }
    d->count_b = b->cols.n_objects;
    rc = an_idorder_of(&o, d->codes, b, 0);
    if (rc == AN_OK) {
        /* marked: in A; flipped: the new ones */
        d->new_count = d->count_b - an_objset_mark(&d->a, &o, gained);
        for (uint64_t w = 0; w < (b->cols.n_objects + 63) / 64; w++) {
            gained[w] = ~gained[w];
        }
        an_idorder_free(&o);
        an_objset_free(&d->a);
        rc = an_growth_run_compute(&run, b, NULL, gained, members);
    }
    free(gained);
    if (rc == AN_OK) {
        /* two snapshots: no object is newer than B's */
        rc = an_points_select(&d->points, b, &run, min_count, top, members,
                              1);
    }
    an_growth_run_free(&run);
    return rc;
}

void
an_diff_growth_free(an_diff_growth *d)
{
    an_strmap_free(d->codes);
    an_objset_free(&d->a);
    an_points_free(&d->points);
    memset(d, 0, sizeof(*d));
}
