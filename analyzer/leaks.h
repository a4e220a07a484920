/*
 * leaks.h - leak candidates of three snapshots of one process, clustered
 * by why they are kept: the computation behind the leak section of
 * `muppy-analyze report --base BASE --final FINAL` (a minimal version of
 * issue 7's `leaks`; see spec/analyzer.md, "report").
 *
 * A candidate is an object of TARGET that is new since BASE (no object of
 * BASE has its address and type key) and still present in FINAL (an
 * object of FINAL has both).  In FINAL, the candidates that no other
 * candidate dominates are grouped by the shape of their shortest path
 * from a root (paths.h, an_group_paths); each group is a cluster with its
 * count, own size and retained size, ranked by retained size, then count.
 *
 * The snapshots are fed one at a time (only one need be loaded):
 * an_leaks_base(), an_leaks_target(), then an_leaks_final().  Nothing
 * here prints.
 */
#ifndef AN_LEAKS_H
#define AN_LEAKS_H

#include <stdint.h>

#include "paths.h"
#include "roots.h"
#include "snap.h"

typedef struct an_leak_cluster {
    uint32_t group;         /* index into an_leaks.groups.groups */
    uint32_t example;       /* object index in FINAL */
    uint64_t count, size, retained;
} an_leak_cluster;

typedef struct an_leaks {
    uint64_t candidates;    /* candidates found in FINAL */
    uint64_t outermost;     /* of them, not dominated by another */
    an_leak_cluster *clusters;  /* ranked; those of >= min_count */
    uint32_t n_clusters;
    an_bfs_result bfs;      /* FINAL's paths, for printing the clusters */
    an_groups groups;
} an_leaks;

typedef struct an_leak_finder an_leak_finder;

/* A new finder, or NULL when out of memory. */
an_leak_finder *an_leaks_new(void);
void an_leaks_free_finder(an_leak_finder *lf);

/* The identities of BASE's objects (address and type columns loaded).
 * Returns 0, or -1 when out of memory. */
int an_leaks_base(an_leak_finder *lf, const an_snap *base);

/* TARGET's objects new since BASE (address and type columns loaded);
 * BASE's identities are freed.  Returns 0, or -1 when out of memory. */
int an_leaks_target(an_leak_finder *lf, const an_snap *target);

/*
 * an_leaks_final() - the candidates present in FINAL (address, type,
 * size, edges, edge kinds and labels loaded) and their clusters, with
 * `fold` as in an_group_paths and at least min_count candidates each.
 * Fills *out (free with an_leaks_free()).  Returns 0, or -1 when out of
 * memory.
 */
int an_leaks_final(an_leak_finder *lf, const an_snap *final,
                   const an_roots *roots, unsigned fold, uint64_t min_count,
                   an_leaks *out);
void an_leaks_free(an_leaks *l);

#endif /* AN_LEAKS_H */
