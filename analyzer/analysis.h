/*
 * analysis.h - the algorithms behind muppy-analyze, on plain columns, so
 * that the tests can run them on hand-made graphs.
 *
 *   an_aggregate      per-group count and size in one pass over the types
 *   an_bfs            shortest paths from the roots (parent pointers)
 *   an_path           one object's path, root first
 *   an_group_paths    instances grouped by the shape of their path
 *   an_referrers      distinct referrers of an object (reverse CSR)
 *   an_strmap         (module, qualname) -> id, by content
 *   an_u64map         address -> value
 */
#ifndef AN_ANALYSIS_H
#define AN_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "graph.h"

/*
 * an_aggregate() - count[group_of[type[i]]]++ and bytes[...] += size[i]
 * for every object i; objects whose type is >= n_types go to
 * `unknown_group`.  count and bytes must be zeroed by the caller and have
 * room for every group.  One pass, O(n).
 */
void an_aggregate(const uint32_t *type, const uint64_t *size, uint32_t n,
                  const uint32_t *group_of, uint32_t n_types,
                  uint32_t unknown_group, uint64_t *count, uint64_t *bytes);

/* ---- shortest paths from the roots ---------------------------------- */

typedef struct an_root_ref {
    uint32_t object;
    uint32_t kind;      /* MF_ROOT_* */
    uint32_t label;     /* string id or MF_NONE */
} an_root_ref;

/* via[] of an object no root reaches, and of a root */
#define AN_UNREACHED UINT32_MAX
#define AN_VIA_ROOT (UINT32_MAX - 1)

/*
 * an_root_priority() - sort rank of a dumper root kind: sys.modules and
 * its modules first, then builtins, threads, gc.garbage, other.
 */
int an_root_priority(uint32_t kind);

/*
 * an_sort_roots() - stable sort of dumper roots by an_root_priority().
 */
void an_sort_roots(an_root_ref *roots, uint32_t n);

typedef struct an_bfs_result {
    uint32_t *via;          /* n entries: the edge (global index) through
                               which the BFS reached the object, AN_VIA_ROOT
                               for a root, AN_UNREACHED */
    uint32_t *depth;        /* n entries (edges from the root), or NULL */
    uint32_t n_unreferenced;/* roots added in the second tier */
    uint64_t reached;
} an_bfs_result;

#define AN_BFS_WEAK 0x01u   /* follow weak edges too */
#define AN_BFS_DEPTH 0x02u  /* fill depth[] */
#define AN_BFS_NO_UNREFERENCED 0x04u /* no second tier */

/*
 * an_bfs() - breadth-first search in two tiers.
 * Tier 1 starts from `roots` (the dumper's, already in priority order) at
 * once: every object reachable from them gets the edge into it on one of
 * its shortest paths from the nearest of them (ties: the earlier root,
 * then the earlier edge).  Tier 2 then starts from every object not yet
 * reached that no followed edge points to (in-degree 0, "unreferenced")
 * and continues the same way for the rest.  Weak edges (MF_EDGE_WEAK) are
 * skipped unless AN_BFS_WEAK.  Edges with targets >= n are ignored.
 * O(n + e) time; allocates via (and depth) and a queue of n entries.
 * Edge indices are 32-bit: fails for graphs of 2^32 - 2 edges or more.
 * Returns 0, or -1 when out of memory.  Free with an_bfs_free().
 */
int an_bfs(const an_graph *g, const an_root_ref *roots, uint32_t n_roots,
           unsigned flags, an_bfs_result *res);
void an_bfs_free(an_bfs_result *res);

/* Is edge e followed under `flags`? */
static inline int
an_edge_followed(const an_graph *g, uint64_t e, unsigned flags)
{
    return g->edge_kind == NULL || (flags & AN_BFS_WEAK)
           || !(g->edge_kind[e] & MF_EDGE_WEAK);
}

/* The object edge e comes from (binary search in edge_start). */
uint32_t an_edge_source(const an_graph *g, uint64_t e);

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
 * The shape of a path is the sequence of its steps: the root step (root
 * kind, root label, root object's type) then one step per edge (edge kind,
 * label, target's type), where list/tuple indices (MF_EDGE_INDEX) and int
 * dict keys (MF_EDGE_KEY_INT) are folded to "[*]" - and, with
 * AN_FOLD_STR_KEYS, str dict keys (MF_EDGE_KEY_STR) too, for caches keyed
 * by strings.  Shapes are interned in a trie, so equal shapes get the
 * same leaf id.
 */
#define AN_FOLD_STR_KEYS 0x01u

typedef struct an_group {
    uint32_t shape;         /* trie node of the path's last step */
    uint64_t count;         /* instances with this shape */
    uint32_t example;       /* lowest object index with this shape */
    uint32_t length;        /* objects on the path */
} an_group;

typedef struct an_groups {
    an_group *groups;       /* sorted by count desc, then example asc */
    uint32_t n_groups;
    uint64_t n_targets;
    uint64_t unreachable;   /* targets no root reaches */
    uint32_t unreachable_example; /* one of them, or MF_NONE */
} an_groups;

/*
 * an_group_paths() - group `targets` by the shape of their BFS path
 * (`fold`: 0 or AN_FOLD_STR_KEYS).
 * `roots` (n_roots entries, any order) give kind and label of the dumper
 * roots; a path starting elsewhere starts at an unreferenced root.
 * `g->type` may be NULL (shapes then differ only by edges).
 * Deterministic: the same input gives the same groups in the same order.
 * O(sum of path lengths x log n).  Returns 0, or -1 when out of memory.
 */
int an_group_paths(const an_graph *g, const an_bfs_result *bfs,
                   unsigned fold, const an_root_ref *roots,
                   uint32_t n_roots, const uint32_t *targets,
                   uint64_t n_targets, an_groups *out);
void an_groups_free(an_groups *gr);

/*
 * an_root_of() - the root record of root object `obj` (binary search in
 * roots sorted by an_sort_roots_by_object()), or NULL for an unreferenced
 * root.
 */
const an_root_ref *an_root_of(const an_root_ref *by_object, uint32_t n,
                              uint32_t obj);
/* Sort a copy of the roots by object (stable: first record wins). */
void an_sort_roots_by_object(an_root_ref *roots, uint32_t n);

/* ---- referrers ------------------------------------------------------ */

/*
 * an_referrers() - the distinct objects with an edge to `obj`, ascending,
 * into out (up to cap); returns how many there are in total.  Needs the
 * reverse CSR (an_graph_reverse).
 */
uint64_t an_referrers(const an_graph *g, uint32_t obj, uint32_t *out,
                      uint64_t cap);

/* ---- maps ----------------------------------------------------------- */

/* (module, qualname) byte strings -> dense ids 0, 1, ... */
typedef struct an_strmap an_strmap;
an_strmap *an_strmap_new(void);
/* The id of (a, b), adding it (id = previous count) when new; *added set
 * to 1 when it was new.  Strings are copied.  Returns MF_NONE on ENOMEM. */
uint32_t an_strmap_intern(an_strmap *m, const char *a, size_t alen,
                          const char *b, size_t blen, int *added);
/* The id of (a, b) or MF_NONE. */
uint32_t an_strmap_get(const an_strmap *m, const char *a, size_t alen,
                       const char *b, size_t blen);
uint32_t an_strmap_count(const an_strmap *m);
/* The strings of id (NUL-terminated copies owned by the map). */
void an_strmap_key(const an_strmap *m, uint32_t id, const char **a,
                   const char **b);
void an_strmap_free(an_strmap *m);

/* address -> uint32 value (not MF_NONE), open addressing, sized for
 * `expected` keys (12 bytes a slot, 2 to 4 slots a key) */
typedef struct an_u64map {
    uint64_t *keys;
    uint32_t *vals;
    uint64_t mask;
    uint64_t count;
} an_u64map;
int an_u64map_init(an_u64map *m, uint64_t expected);
/* Insert or keep the existing value; returns 0 or -1 when full. */
int an_u64map_put(an_u64map *m, uint64_t key, uint32_t val);
/* The value, or MF_NONE. */
uint32_t an_u64map_get(const an_u64map *m, uint64_t key);
void an_u64map_free(an_u64map *m);

#endif /* AN_ANALYSIS_H */
