/*
 * referrers.h - who points at an object, as a tree: the objects that
 * refer to it, those that refer to them, and so on (the model of
 * `muppy-analyze referrers`).
 *
 * The walk follows the reverse edges (graph.h) up to `depth` levels, at
 * most `max_children` referrers per object; an object met a second time
 * is kept (marked `seen`) but not walked again.  Past AN_REFERRERS_CAP
 * referrers no object is walked any more (`cut`): the tree of a heap can
 * be as large as the heap.
 */
#ifndef AN_LIB_REFERRERS_H
#define AN_LIB_REFERRERS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "lib/roots.h"
#include "lib/snap.h"

#define AN_REFERRERS_MAX_DEPTH 64
#define AN_REFERRERS_CAP 10000

/* A node of the tree: node 0 is the object asked about, the others its
 * referrers, each followed by its own (preorder). */
typedef struct an_refnode {
    uint32_t obj;
    uint32_t level;         /* 0: the target; 1: refers to it; ... */
    int seen;               /* met before: its referrers are not here */
    int walked;             /* its referrers were looked at */
    uint64_t total;         /* walked: how many objects refer to it */
    uint32_t shown;         /* walked: how many of them follow, as its
                               children (at most max_children) */
    uint32_t end;           /* the node after its subtree */
    char *labels;           /* the labels of its edges to the node it
                               refers to, joined by ", " ("(ref)" for an
                               unlabeled one, " (weak)" after a weak one) */
} an_refnode;

typedef struct an_reftree {
    an_roots roots;         /* s's tier-1 roots, for marking them */
    uint64_t depth;
    an_refnode *nodes;
    uint32_t n_nodes, cap;
    int cut;                /* AN_REFERRERS_CAP was reached */
} an_reftree;

/*
 * an_reftree_compute() - the tree of the referrers of `target` in s
 * (address, type, edge, edge kind and label columns loaded; builds the
 * reverse edges of s->g).  `depth` is capped at AN_REFERRERS_MAX_DEPTH.
 * Returns AN_OK, AN_ERR_NOMEM or AN_ERR_TOO_LARGE.  Free with
 * an_reftree_free() in every case.
 */
an_err an_reftree_compute(an_snap *s, uint32_t target, uint64_t depth,
                            uint64_t max_children, an_reftree *m);
void an_reftree_free(an_reftree *m);

#endif /* AN_LIB_REFERRERS_H */
