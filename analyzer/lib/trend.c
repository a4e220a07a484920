/*
 * trend.c - per-group counts and sizes across snapshots.
 */
#include "lib/trend.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "lib/graph.h"
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
    an_strmap_free(t->codes);
    an_objset_free(&t->prev);
    an_strmap_free(t->track_names);
    for (uint32_t i = 0; t->tracks != NULL && i < t->n_tracks; i++) {
        free(t->tracks[i].per_step);
    }
    free(t->tracks);
    free(t->gained);
    an_points_free(&t->points);
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

/* ---- points that grew in every step ----------------------------------- */

an_err
an_trend_growth(an_trend *t, uint64_t min_count, uint64_t top)
{
    t->growth = 1;
    t->min_count = min_count ? min_count : 1;
    t->top = top;
    t->codes = an_strmap_new();
    t->track_names = an_strmap_new();
    t->gained = calloc((size_t)t->n_snaps + 1, sizeof(uint64_t));
    if (t->codes == NULL || t->track_names == NULL || t->gained == NULL) {
        return AN_ERR_NOMEM;
    }
    return AN_OK;
}

/* The type name id of object i of s in the tracks' names; MF_NONE for no
 * object or out of memory (then *failed). */
static uint32_t
track_name(an_trend *t, const an_snap *s, uint32_t i, int *failed)
{
    const an_key *k;
    uint32_t id;
    int added;

    if (i == MF_NONE || i >= s->cols.n_objects) {
        return MF_NONE;
    }
    k = &s->keys[an_snap_key_of(s, i)];
    id = an_strmap_intern(t->track_names, k->module, strlen(k->module),
                          k->qualname, strlen(k->qualname), &added);
    if (id == MF_NONE) {
        *failed = 1;
    }
    return id;
}

/*
 * The live track that the object at address a (type name id `name`)
 * continues: its object or its holder had that identity.  *before gets
 * the retained size the track had under that identity.
 */
static uint32_t
track_match(const an_trend *t, const an_u64map *by_address, uint64_t a,
            uint32_t name, uint64_t *before)
{
    uint32_t k = an_u64map_get(by_address, a);
    const an_trend_track *tr;

    if (k == MF_NONE || name == MF_NONE) {
        return MF_NONE;
    }
    tr = &t->tracks[k];
    if (tr->object_address == a && tr->object_name == name) {
        *before = tr->total;
        return k;
    }
    if (tr->holder_address == a && tr->holder_name == name) {
        *before = tr->holder_total;
        return k;
    }
    return MF_NONE;
}

static int
rank_cmp(const void *pa, const void *pb)
{
    const an_trend_track *x = pa, *y = pb;

    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/*
 * Step `step` (its points in run, found in s): continue the live tracks
 * whose points grew, drop the others; the first step makes one track per
 * point that gained enough.
 */
static an_err
trend_step(an_trend *t, uint32_t step, const an_snap *s,
           const an_growth_run *run)
{
    const an_growth *gr = &run->gr;
    an_u64map by_address;
    uint8_t *grown = NULL;
    uint32_t kept = 0;
    int failed = 0;
    an_err rc = AN_ERR_NOMEM;

    memset(&by_address, 0, sizeof(by_address));
    if (step == 0) {
        t->tracks = calloc((size_t)gr->n_points + 1, sizeof(an_trend_track));
        if (t->tracks == NULL) {
            return AN_ERR_NOMEM;
        }
    }
    else if (an_u64map_init(&by_address, 2 * (uint64_t)t->n_tracks + 16)
             != AN_OK) {
        return AN_ERR_NOMEM;
    }
    grown = calloc((size_t)(step == 0 ? gr->n_points : t->n_tracks) + 1, 1);
    if (grown == NULL) {
        goto done;
    }
    for (uint32_t k = 0; step > 0 && k < t->n_tracks; k++) {
        const an_trend_track *tr = &t->tracks[k];

        /* the map is sized for two keys a track: it cannot be full */
        an_u64map_put(&by_address, tr->object_address, k);
        if (tr->holder_name != MF_NONE) {
            an_u64map_put(&by_address, tr->holder_address, k);
        }
    }
    for (uint32_t i = 0; i < gr->n_points; i++) {
        const an_growth_point *p = &gr->points[i];
        uint64_t oa = s->cols.address[p->object];
        uint64_t ha = p->holder != MF_NONE ? s->cols.address[p->holder] : 0;
        uint32_t on = track_name(t, s, p->object, &failed);
        uint32_t hn = track_name(t, s, p->holder, &failed);
        uint64_t total = run->dt.retained[p->object];
        uint64_t htotal = p->holder != MF_NONE
                          ? run->dt.retained[p->holder] : 0;
        uint64_t now = total, before = 0;
        uint32_t k;
        an_trend_track *tr;

        if (failed) {
            goto done;
        }
        if (p->count < t->min_count) {
            continue;
        }
        if (step == 0) {
            k = t->n_tracks++;
            memset(&t->tracks[k], 0, sizeof(an_trend_track));
            t->tracks[k].per_step = calloc((size_t)t->n_snaps + 1,
                                           sizeof(uint64_t));
            if (t->tracks[k].per_step == NULL) {
                goto done;
            }
        }
        else {
            k = track_match(t, &by_address, oa, on, &before);
            if (k == MF_NONE && hn != MF_NONE) {
                k = track_match(t, &by_address, ha, hn, &before);
                now = htotal;
            }
            /* one point continues a track; a continued track must be
             * larger than it was, under the identity that matched */
            if (k == MF_NONE || grown[k]
                || !(now > before && now - before >= p->retained / 2)) {
                continue;
            }
        }
        grown[k] = 1;
        tr = &t->tracks[k];
        tr->object_address = oa;
        tr->object_name = on;
        tr->holder_address = ha;
        tr->holder_name = hn;
        tr->total = total;
        tr->holder_total = htotal;
        tr->rank = i;
        tr->per_step[step] = p->count;
    }
    if (step == 0) {
        memset(grown, 1, (size_t)t->n_tracks + 1);
    }
    /* keep the tracks that grew in this step */
    for (uint32_t k = 0; k < t->n_tracks; k++) {
        if (grown[k]) {
            t->tracks[kept++] = t->tracks[k];
        }
        else {
            free(t->tracks[k].per_step);
        }
    }
    t->n_tracks = kept;
    t->gained[step] = gr->gained_count;
    t->n_steps = step + 1;
    rc = AN_OK;

done:
    free(grown);
    an_u64map_free(&by_address);
    return rc;
}

/* After the last step: the tracks' points shown, in rank order. */
static an_err
trend_show(an_trend *t, const an_snap *s, const an_growth_run *run)
{
    uint32_t *ranks, n = 0;
    an_err rc;

    if (t->n_tracks > 1) {
        qsort(t->tracks, t->n_tracks, sizeof(an_trend_track), rank_cmp);
    }
    ranks = malloc(((size_t)t->n_tracks + 1) * sizeof(uint32_t));
    if (ranks == NULL) {
        return AN_ERR_NOMEM;
    }
    memset(&t->points, 0, sizeof(t->points));
    t->points.min_count = t->min_count;
    t->points.n_shown = t->n_tracks;
    for (uint32_t k = 0; k < t->n_tracks; k++) {
        t->points.retained += run->gr.points[t->tracks[k].rank].retained;
        if (n < t->top) {
            ranks[n++] = t->tracks[k].rank;
        }
    }
    rc = an_points_show(&t->points, s, run, ranks, n, 0);
    free(ranks);
    for (uint32_t k = 0; rc == AN_OK && k < t->points.n_listed; k++) {
        an_point_view *v = &t->points.listed[k];

        v->per_step = t->tracks[k].per_step;
        v->n_steps = t->n_steps;
        t->tracks[k].per_step = NULL;
    }
    return rc;
}

an_err
an_trend_add_growth(an_trend *t, uint32_t index, const an_snap *s)
{
    uint64_t *old = NULL;
    an_growth_run run;
    an_idorder o;
    int last = index + 1 == t->n_snaps;
    an_err rc;

    memset(&run, 0, sizeof(run));
    rc = an_idorder_of(&o, t->codes, s, 1);
    if (rc != AN_OK) {
        return rc;
    }
    if (index > 0) {
        old = an_bitmap_new(s->cols.n_objects);
        if (old == NULL) {
            rc = AN_ERR_NOMEM;
            goto done;
        }
        an_objset_mark(&t->prev, &o, old);
        an_objset_free(&t->prev);
        /* gained: every object not in the snapshot before */
        for (uint64_t w = 0; w < (s->cols.n_objects + 63) / 64; w++) {
            old[w] = ~old[w];
        }
        rc = an_growth_run_compute(&run, s, NULL, old, 0);
        if (rc == AN_OK) {
            rc = trend_step(t, index - 1, s, &run);
        }
        if (rc == AN_OK && last) {
            rc = trend_show(t, s, &run);
        }
        an_growth_run_free(&run);
        if (rc != AN_OK) {
            goto done;
        }
    }
    if (!last) {
        rc = an_objset_of(&t->prev, &o, NULL);
    }

done:
    free(old);
    an_idorder_free(&o);
    return rc;
}
