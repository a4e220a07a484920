/*
 * leaks.h - leak finding from three snapshots of one process, as memlab
 * does for JavaScript: BASE before a workload, TARGET after it, FINAL
 * after it ran again (or was undone).
 *
 * The gained objects are the objects of TARGET that are new since BASE
 * (no object of BASE has the same identity: address, type key and name,
 * objset.h) and are still alive in FINAL (an object of FINAL has the
 * same identity): allocated by the workload, never freed.  What the
 * workload allocated and freed again is not among them, nor what FINAL
 * allocated after TARGET.
 *
 * Two ways to group them:
 *
 *   by point (an_leaks_points())  their accumulation points in FINAL
 *       (growth.h): the object through which they are held, one entry
 *       per leak, ranked by the retained size of what it gained;
 *   by path (an_leaks_final())  the candidates no other candidate
 *       dominates in FINAL and that are no weak reference to another
 *       (`weak`), clustered by the shape of their shortest path from a
 *       root (paths.h), ranked by retained size, then count.
 *
 * The model is fed one snapshot at a time (so only one is loaded at
 * once): an_leaks_base(), an_leaks_target(), then FINAL.
 */
#ifndef AN_LIB_LEAKS_H
#define AN_LIB_LEAKS_H

#include <stdint.h>

#include "base/error.h"
#include "lib/growth.h"
#include "lib/objset.h"
#include "lib/roots.h"
#include "lib/shapes.h"
#include "lib/snap.h"

typedef struct an_leak_cluster {
    uint32_t group;         /* index into groups (FINAL's path shapes) */
    uint64_t count;         /* outermost candidates in the cluster */
    uint64_t size;          /* their own sizes */
    uint64_t retained;      /* their retained sizes (no byte twice) */
    uint32_t example;       /* object index in FINAL: the lowest */
} an_leak_cluster;

typedef struct an_leaks {
    an_strmap *codes;       /* identity codes (objset.h) */
    an_objset base;         /* BASE's identities */
    an_objset fresh;        /* TARGET's objects BASE did not have */
    uint64_t target_count;  /* TARGET's objects */
    uint64_t fresh_count;   /* how many of them BASE did not have */
    uint64_t candidates;    /* fresh objects still alive in FINAL: the
                               gained objects */
    /* by point */
    an_points points;
    /* by path */
    uint64_t dominated;     /* candidates another candidate dominates */
    uint64_t weak;          /* weak references to other candidates */
    uint64_t unreachable;   /* outermost candidates no root reaches */
    an_bfs_result bfs;      /* FINAL's shortest paths */
    an_groups groups;       /* the shapes of the candidates' paths */
    an_leak_cluster *clusters;  /* ranked: retained desc, count desc */
    uint32_t n_clusters;
    an_roots roots;             /* FINAL's tier-1 roots */
    unsigned fold;              /* what the paths were grouped with */
    /* an_leaks_select(): the clusters of at least min_count */
    uint64_t min_count;
    uint64_t shown_total;       /* how many */
    uint64_t retained_total;    /* their retained sizes */
    uint32_t *listed;           /* the first `top` of them: clusters[] */
    an_pathbuf *paths;          /* ... and their examples' paths */
    uint32_t n_listed;
} an_leaks;

/* The columns BASE and TARGET need. */
#define AN_LEAKS_ID_COLUMNS (MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_NAME)
/* The columns FINAL needs. */
#define AN_LEAKS_FINAL_COLUMNS (AN_LEAKS_ID_COLUMNS | MF_COL_SIZE        \
                                | MF_COL_EDGES | MF_COL_EDGE_KIND         \
                                | MF_COL_EDGE_LABEL)

/* Feed BASE (AN_LEAKS_ID_COLUMNS).  Returns AN_OK, or AN_ERR_NOMEM when
 * out of memory.  Free with an_leaks_free() in every case. */
an_err an_leaks_base(an_leaks *lk, const an_snap *base);
/* Feed TARGET (AN_LEAKS_ID_COLUMNS). */
an_err an_leaks_target(an_leaks *lk, const an_snap *target);

/*
 * an_leaks_identities() - feed FINAL (its identities: AN_LEAKS_ID_COLUMNS
 * at least): *old gets its objects that were in BASE, *gained those in
 * TARGET's new ones (bitmaps, free()); lk->candidates counts the gained.
 * Forgets BASE and TARGET.  Returns AN_OK or AN_ERR_NOMEM (the bitmaps
 * NULL).  an_leaks_points() and an_leaks_final() begin with it.
 */
an_err an_leaks_identities(an_leaks *lk, const an_snap *final,
                           uint64_t **old, uint64_t **gained);

/*
 * an_leaks_points() - feed FINAL (AN_LEAKS_FINAL_COLUMNS) and find the
 * accumulation points of the gained objects: the first `top` of those
 * that gained at least `min_count` objects shown in lk->points (with
 * `members`, each with the addresses charged to it; with `with_newer`,
 * the points held only through objects newer than TARGET too: growth.h,
 * an_points_select()).  Forgets BASE and
 * TARGET.  Peak memory: FINAL's columns, its dominator tree and shortest
 * paths, and the model's passes (growth.h).  Returns AN_OK,
 * AN_ERR_NOMEM, or AN_ERR_TOO_LARGE for a graph of 2^32 edges or more.
 */
an_err an_leaks_points(an_leaks *lk, const an_snap *final,
                       uint64_t min_count, uint64_t top, int members,
                       int with_newer);

/*
 * an_leaks_final() - by path: feed FINAL (AN_LEAKS_FINAL_COLUMNS) and
 * find the clusters (`fold` as in an_group_paths()).  Forgets BASE and
 * TARGET.  Peak memory: FINAL's columns and its dominator tree
 * (dominators.h).  Returns AN_OK, AN_ERR_NOMEM, or AN_ERR_TOO_LARGE.
 */
an_err an_leaks_final(an_leaks *lk, const an_snap *final, unsigned fold);

/*
 * an_leaks_select() - after an_leaks_final(): the clusters of at least
 * `min_count` candidates (one stray object is rarely a leak), their
 * totals, and the example paths of the first `top` of them.  Frees
 * FINAL's BFS.  Returns AN_OK or AN_ERR_NOMEM.
 */
an_err an_leaks_select(an_leaks *lk, const an_snap *final,
                       uint64_t min_count, uint64_t top);
void an_leaks_free(an_leaks *lk);

#endif /* AN_LIB_LEAKS_H */
