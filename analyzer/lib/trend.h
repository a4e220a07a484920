/*
 * trend.h - counts and sizes per type (or module) across a series of
 * snapshots, fed one at a time so that only one is loaded at once.
 *
 * Groups are matched across the snapshots by name (module and qualname,
 * or module), as diff.h does.  A group is "growing" when its count grew
 * at every step of the series (at least two snapshots).
 */
#ifndef AN_LIB_TREND_H
#define AN_LIB_TREND_H

#include <stdint.h>

#include "base/error.h"
#include "lib/maps.h"
#include "lib/snap.h"

typedef struct an_trend_row {
    uint32_t id;            /* an_strmap_key(t->names, id) */
    int growing;            /* count grew at every step */
    int64_t count_growth;   /* last - first (set by an_trend_finish) */
    int64_t size_growth;
    uint64_t *count;        /* n_snaps entries */
    uint64_t *size;         /* n_snaps entries */
} an_trend_row;

typedef struct an_trend {
    int by_module;
    uint32_t n_snaps;
    an_strmap *names;
    an_trend_row *rows;     /* by id until an_trend_finish() sorts them */
    uint32_t n_rows;
    uint64_t *total_count, *total_size;     /* n_snaps entries each */
} an_trend;

/* Returns AN_OK, or AN_ERR_NOMEM when out of memory. */
an_err an_trend_init(an_trend *t, int by_module, uint32_t n_snaps);
/* Count snapshot number `index` (its type and size columns loaded). */
an_err an_trend_add(an_trend *t, uint32_t index, const an_snap *s);
/* Flag the growing rows and sort: growing first, then by size growth
 * (last - first) descending, count growth descending, first appearance. */
void an_trend_finish(an_trend *t);
void an_trend_free(an_trend *t);

#endif /* AN_LIB_TREND_H */
