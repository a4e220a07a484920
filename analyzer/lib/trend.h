/*
 * trend.h - counts and sizes per type (or module) across a series of
 * snapshots, fed one at a time so that only one is loaded at once; or,
 * with `growth`, the accumulation points (growth.h) that grew in every
 * step.
 *
 * Groups are matched across the snapshots by name (module and qualname,
 * or module), as diff.h does.  A group is "growing" when its count grew
 * at every step of the series (at least two snapshots).
 *
 * With `growth` (snapshots of one process), each step S(i) -> S(i+1) is
 * a `diff --growth`: the objects of S(i+1) not in S(i) (objset.h) and
 * their points.  A point of a step continues a track of the step before
 * when its object or its primary holder has the identity (address and
 * type key) of the track's object or holder (a new Logger's handler list
 * is a new point in the step that made it, its holder in the next).  A
 * step grows a track when its point gained at least `min_count` objects
 * and, from the second step on, the retained size of the object whose
 * identity matched (its whole dominator subtree) grew since the step
 * before by at least half of what was charged to the point: a bounded
 * container that churns gains new objects at every step but does not
 * grow.  Only the tracks that grew in every step so far are kept, so the
 * memory is that of one snapshot and a few tracks; each step costs a
 * snapshot's identities, dominator tree, shortest paths and points:
 * O(objects + edges).
 */
#ifndef AN_LIB_TREND_H
#define AN_LIB_TREND_H

#include <stdint.h>

#include "base/error.h"
#include "lib/growth.h"
#include "lib/maps.h"
#include "lib/objset.h"
#include "lib/snap.h"

typedef struct an_trend_row {
    uint32_t id;            /* an_strmap_key(t->names, id) */
    int growing;            /* count grew at every step */
    int64_t count_growth;   /* last - first (set by an_trend_finish) */
    int64_t size_growth;
    uint64_t *count;        /* n_snaps entries */
    uint64_t *size;         /* n_snaps entries */
} an_trend_row;

/* A point followed across the steps (with `growth`). */
typedef struct an_trend_track {
    uint64_t object_address, holder_address;
    uint32_t object_name, holder_name;  /* ids in track_names */
    uint64_t total;         /* the point object's retained size */
    uint64_t holder_total;  /* its primary holder's */
    uint32_t rank;          /* its point in the last step added */
    uint64_t *per_step;     /* gained objects in each step so far */
} an_trend_track;

typedef struct an_trend {
    int by_module;
    uint32_t n_snaps;
    an_strmap *names;
    an_trend_row *rows;     /* by id until an_trend_finish() sorts them */
    uint32_t n_rows;
    uint64_t *total_count, *total_size;     /* n_snaps entries each */
    /* with `growth` */
    int growth;
    uint64_t min_count, top;
    an_strmap *codes;       /* identity codes */
    an_objset prev;         /* the identities of the snapshot before */
    an_strmap *track_names; /* type keys of the tracks' objects */
    an_trend_track *tracks; /* those that grew in every step so far */
    uint32_t n_tracks;
    uint32_t n_steps;       /* steps added */
    uint64_t *gained;       /* per step: gained objects (reachable) */
    an_points points;       /* after the last snapshot: the points of
                               the tracks, in rank order */
} an_trend;

/* Returns AN_OK, or AN_ERR_NOMEM when out of memory. */
an_err an_trend_init(an_trend *t, int by_module, uint32_t n_snaps);
/* Count snapshot number `index` (its type and size columns loaded). */
an_err an_trend_add(an_trend *t, uint32_t index, const an_snap *s);

/* The columns an_trend_add_growth() needs of the first snapshot and of
 * the others. */
#define AN_TREND_FIRST_COLUMNS (MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_NAME)
#define AN_TREND_GROWTH_COLUMNS (AN_TREND_FIRST_COLUMNS | MF_COL_SIZE     \
                                 | MF_COL_EDGES | MF_COL_EDGE_KIND         \
                                 | MF_COL_EDGE_LABEL)

/*
 * an_trend_growth() - start following points (after an_trend_init()):
 * the points of at least `min_count` gained objects in every step, the
 * first `top` of them shown.  Returns AN_OK or AN_ERR_NOMEM.
 */
an_err an_trend_growth(an_trend *t, uint64_t min_count, uint64_t top);
/*
 * an_trend_add_growth() - snapshot number `index` (in order from 0;
 * AN_TREND_FIRST_COLUMNS for the first, AN_TREND_GROWTH_COLUMNS for the
 * others): its identities, and from the second on the step from the one
 * before; after the last (index n_snaps - 1), t->points shows the points
 * that grew in every step, s being the snapshot they are in.  Returns
 * AN_OK, AN_ERR_NOMEM or AN_ERR_TOO_LARGE.
 */
an_err an_trend_add_growth(an_trend *t, uint32_t index, const an_snap *s);
/* Flag the growing rows and sort: growing first, then by size growth
 * (last - first) descending, count growth descending, first appearance. */
void an_trend_finish(an_trend *t);
void an_trend_free(an_trend *t);

#endif /* AN_LIB_TREND_H */
