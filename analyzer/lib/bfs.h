/*
 * paths.h - shortest paths from the roots, and paths grouped by shape.
 *
 *   an_bfs          one breadth-first search from all roots (two tiers,
 *                   roots.h): every object gets the edge into it on one
 *                   of its shortest paths
 *   an_path         one object's path, root first
 *   an_group_paths  many objects' paths grouped by shape, O(n + e)
 *   an_path_runs    a path cut into runs of identical steps, for printing
 */
#ifndef AN_PATHS_H
#define AN_PATHS_H

#include <stddef.h>
#include <stdint.h>

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
 * Returns 0, or -1 when out of memory.  Free with an_bfs_free().
 */
int an_bfs(const an_graph *g, const an_root_ref *roots, uint32_t n_roots,
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

/* ---- grouping paths by shape ---------------------------------------- */

/*
 * A step of a path is (edge kind with its weak bit, label, type of the
 * object reached), where list/tuple indices (MF_EDGE_INDEX) and int dict
 * keys (MF_EDGE_KEY_INT) are folded to "[*]" - and, with
 * AN_FOLD_STR_KEYS, str dict keys (MF_EDGE_KEY_STR) too.  The root step is
 * (root kind, root label, root's type).  The shape of a path is its
 * sequence of steps where a run of identical consecutive steps (`.next
 * .next .next`, `[*] [*]` through nested lists) counts as one step, so
 * the nodes of a linked list share one shape (`.next+`).  Shapes are
 * hash-consed in a trie: the shape of an object is its BFS parent's shape
 * plus one step, computed once per object, so grouping is linear in the
 * objects on the paths, whatever their lengths.
 */
#define AN_FOLD_STR_KEYS 0x01u

typedef struct an_shape_node {
    uint32_t up;        /* parent node, or MF_NONE for a root step */
    uint32_t type;
    uint32_t kind;      /* edge kind byte, or 0x100 | root kind */
    uint32_t repeats;   /* 1 when some path repeats this step */
    uint64_t label;     /* folded label, or root label */
} an_shape_node;

typedef struct an_group {
    uint32_t shape;         /* trie node of the path's last step */
    uint64_t count;         /* instances with this shape */
    uint32_t example;       /* lowest object index with this shape */
    uint32_t length;        /* objects on the example's path */
} an_group;

typedef struct an_groups {
    an_group *groups;       /* sorted by count desc, then example asc */
    uint32_t n_groups;
    uint64_t n_targets;
    uint32_t *group_of;     /* n_targets entries: index into groups of
                               each target, MF_NONE when unreachable */
    uint64_t unreachable;   /* targets no root reaches */
    uint32_t unreachable_example; /* one of them, or MF_NONE */
    an_shape_node *nodes;   /* the trie */
    uint32_t n_nodes;
} an_groups;

/*
 * an_group_paths() - group `targets` (object indices; duplicates count
 * twice) by the shape of their BFS path.  `fold`: 0 or AN_FOLD_STR_KEYS.
 * `roots` give kind and label of the dumper roots; a path starting
 * elsewhere starts at an unreferenced root.  `g->type` may be NULL
 * (shapes then differ only by edges).  Deterministic.  O(n + targets)
 * time plus O(log n) per object on a target's path.  Returns 0, or -1
 * when out of memory.  Free with an_groups_free().
 */
int an_group_paths(const an_graph *g, const an_bfs_result *bfs,
                   unsigned fold, const an_roots *roots,
                   const uint32_t *targets, uint64_t n_targets,
                   an_groups *out);
void an_groups_free(an_groups *gr);

/* A run of identical consecutive steps of one path (the root step is a
 * run of its own). */
typedef struct an_run {
    uint32_t last;      /* index in the path of the run's last object */
    uint32_t count;     /* steps in the run */
    int repeats;        /* the group's shape repeats this step */
} an_run;

/*
 * an_path_runs() - cut path[0..len) (from an_path) into runs into `runs`
 * (len entries suffice); returns how many.  With `groups` (may be NULL),
 * `shape` is the group's shape and each run gets its `repeats` flag.
 * `fold` must be what the groups were made with.  O(len).
 */
uint32_t an_path_runs(const an_graph *g, const an_bfs_result *bfs,
                      unsigned fold, const uint32_t *path, uint32_t len,
                      const an_groups *groups, uint32_t shape,
                      an_run *runs);

#endif /* AN_PATHS_H */
