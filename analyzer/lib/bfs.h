/*
 * bfs.h - shortest paths from the roots.
 *
 *   an_bfs          one breadth-first search from all roots (two tiers,
 *                   roots.h): every object gets the edge into it on one
 *                   of its shortest paths
 *   an_path         one object's path, root first
 *
 * Grouping many paths by shape is shapes.h's.
 */
#ifndef AN_LIB_BFS_H
#define AN_LIB_BFS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "lib/graph.h"
#include "lib/roots.h"

/* via[] of an object no root reaches, and of a root */
#define AN_UNREACHED UINT32_MAX
#define AN_VIA_ROOT (UINT32_MAX - 1)

typedef struct an_bfs_result {
    uint32_t *via;          /* n entries: the edge (global index) through
                               which the BFS reached the object, AN_VIA_ROOT
                               for a root, AN_UNREACHED */
    uint32_t *depth;        /* n entries (edges from the root), or NULL */
    uint32_t n_unreferenced;/* roots added in the second tier */
    uint64_t reached;
} an_bfs_result;

/* flags of an_bfs(), besides AN_FOLLOW_WEAK (graph.h) */
#define AN_BFS_DEPTH 0x02u  /* fill depth[] */
#define AN_BFS_NO_UNREFERENCED 0x04u /* no second tier */

/*
 * an_bfs() - breadth-first search in two tiers.
 * Tier 1 starts from `roots` (already in priority order) at once: every
 * object reachable from them gets the edge into it on one of its shortest
 * paths from the nearest of them (ties: the earlier root, then the earlier
 * edge).  Tier 2 then starts from every object not yet reached that no
 * followed edge points to and continues the same way for the rest.  Weak
 * edges are skipped unless AN_FOLLOW_WEAK.
 * O(n + e) time; allocates via (and depth) and a queue of n entries.
 * Edge indices are 32-bit: fails for graphs of 2^32 - 2 edges or more.
 * Returns AN_OK, or AN_ERR_NOMEM when out of memory.  Free with an_bfs_free().
 */
an_err an_bfs(const an_graph *g, const an_root_ref *roots, uint32_t n_roots,
              unsigned flags, an_bfs_result *res);
void an_bfs_free(an_bfs_result *res);

/*
 * an_path() - the objects on the BFS path to `obj`, root first, into buf
 * (cap entries).  Returns the number of objects on the path, or 0 when
 * obj is unreached; when that number is larger than cap nothing is
 * written (call again with a larger buffer).  The edge into path[k] is
 * res->via[path[k]] for k >= 1.  O(length x log n).
 */
uint32_t an_path(const an_graph *g, const an_bfs_result *res, uint32_t obj,
                 uint32_t *buf, uint32_t cap);

#endif /* AN_LIB_BFS_H */
