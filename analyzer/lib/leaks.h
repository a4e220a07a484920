/*
 * leaks.h - leak finding from three snapshots of one process, as memlab
 * does for JavaScript: BASE before a workload, TARGET after it, FINAL
 * after it ran again (or was undone).
 *
 * The candidates are the objects of TARGET that are new since BASE (no
 * object of BASE has the same identity: address and type key, objset.h)
 * and are still alive in FINAL (an object of FINAL has the same
 * identity): allocated by the workload, never freed.  What the workload
 * allocated and freed again is not among them.  Candidates that another
 * candidate dominates in FINAL (a leaked instance's dict, its payload)
 * are counted in that candidate's retained size.  A candidate that is a
 * weak reference to another candidate (an entry of a WeakSet, of a
 * WeakValueDictionary, of logging's handler list) goes away with its
 * referent: it is counted apart (`weak`).  The others are grouped
 * into clusters by the shape of their shortest path from a root in FINAL
 * (paths.h), so that the objects leaked through one holder form one
 * cluster.  Clusters are ranked by retained size, then count.
 *
 * The model is fed one snapshot at a time (so only one is loaded at
 * once): an_leaks_base(), an_leaks_target(), an_leaks_final().
 */
#ifndef AN_LIB_LEAKS_H
#define AN_LIB_LEAKS_H

#include <stdint.h>

#include "base/error.h"
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
    an_objset base;         /* BASE's objects (until the target is in) */
    an_objset fresh;        /* TARGET's objects BASE did not have */
    uint64_t fresh_count;   /* how many */
    uint64_t candidates;    /* fresh objects still alive in FINAL */
    uint64_t dominated;     /* candidates another candidate dominates */
    uint64_t weak;          /* weak references to other candidates */
    uint64_t unreachable;   /* outermost candidates no root reaches */
    /* FINAL's shortest paths and the shapes of the candidates' paths */
    an_bfs_result bfs;
    an_groups groups;
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

/* Feed BASE (address and type columns).  Returns AN_OK, or AN_ERR_NOMEM
 * when out of memory. */
an_err an_leaks_base(an_leaks *lk, const an_snap *base);
/* Feed TARGET (address and type columns); forgets BASE. */
an_err an_leaks_target(an_leaks *lk, const an_snap *target);
/*
 * an_leaks_final() - feed FINAL (address, type, size, edges, edge kinds
 * and labels) and find the clusters (`fold` as in an_group_paths()).
 * Forgets TARGET.  Peak memory: FINAL's columns and its dominator tree
 * (dominators.h).  Returns AN_OK, AN_ERR_NOMEM, or AN_ERR_TOO_LARGE for
 * a graph of 2^32 edges or more.
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
