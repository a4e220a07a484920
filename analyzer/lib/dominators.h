/*
 * dominators.h - the dominator tree of the heap and retained sizes.
 *
 * An object d dominates v when every path from the roots to v passes
 * through d: if d went away, v would be freed.  The retained size of d is
 * the sum of the sizes of the objects it dominates, itself included.
 *
 * The tree hangs under a virtual super-root whose children are, in this
 * order, the tier-1 roots (the dumper's, in priority order), the tier-2
 * roots (unreferenced objects, in index order; roots.h) and then, for
 * what neither tier reaches, the first object of each garbage island in
 * index order.  Weak edges are never followed.  Objects reached only from
 * an island are "unreachable": they form subtrees of their own under the
 * super-root, and edges from them into the reachable heap are ignored, so
 * garbage never changes a reachable object's dominators.
 *
 * The algorithm is semi-NCA (Georgiadis, "Linear-Time Algorithms for
 * Dominators and Related Problems", 2005; the variant LLVM uses):
 * an iterative depth-first search numbers the objects, semidominators come
 * from the predecessors with Tarjan's path compression, and each
 * immediate dominator is the nearest common ancestor of the DFS parent and
 * the semidominator.  O((n + e) log n) worst case, near-linear in
 * practice, no recursion; 32-bit indices.  Peak extra memory about 32
 * bytes an object plus 4 an edge (the predecessor lists), then 12 bytes an
 * object kept (idom, retained) and a bitmap.
 */
#ifndef AN_LIB_DOMINATORS_H
#define AN_LIB_DOMINATORS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "lib/graph.h"
#include "lib/roots.h"

/* idom[] of the super-root's children */
#define AN_DOM_SUPER UINT32_MAX

typedef struct an_domtree {
    uint32_t n;
    uint32_t *idom;         /* n entries: the immediate dominator, or
                               AN_DOM_SUPER */
    uint64_t *retained;     /* n entries: own size + what it dominates */
    uint64_t *unreachable;  /* bitmap of n bits: reached from no root */
    uint64_t reachable_count, reachable_size;
    uint64_t unreachable_count, unreachable_size;
} an_domtree;

/*
 * an_dominators() - the dominator tree of g (edges, edge kinds for the
 * weak bit) from the tier-1 `roots` (priority order), with `size[i]`
 * the own size of object i.  Returns AN_OK, AN_ERR_NOMEM, or
 * AN_ERR_TOO_LARGE when the graph has 2^32 edges or more.  Free with
 * an_domtree_free().
 */
an_err an_dominators(const an_graph *g, const uint64_t *size,
                     const an_root_ref *roots, uint32_t n_roots,
                     an_domtree *dt);
void an_domtree_free(an_domtree *dt);

/*
 * an_snap_dominators() - the dominator tree of a loaded snapshot (its
 * edges, edge kinds and sizes), from its tier-1 roots: the one way the
 * commands get it.  `roots`: s's roots (an_roots_of_snap()) when the
 * caller has them, or NULL to read them here.  Returns AN_OK,
 * AN_ERR_NOMEM or AN_ERR_TOO_LARGE.  Free with an_domtree_free().
 */
an_err an_snap_dominators(const an_snap *s, const an_roots *roots,
                          an_domtree *dt);

/*
 * an_snap_retained() - the retained size of every object of s (as for
 * an_snap_dominators()) into *retained (8 bytes an object, free()), the
 * rest of the tree freed.  Returns AN_OK, AN_ERR_NOMEM or
 * AN_ERR_TOO_LARGE.
 */
an_err an_snap_retained(const an_snap *s, uint64_t **retained);

/*
 * an_dom_chain() - the dominators of obj from the outermost (a child of
 * the super-root) to obj itself, into out (up to cap); returns the
 * length of the chain.  O(depth).
 */
uint32_t an_dom_chain(const an_domtree *dt, uint32_t obj, uint32_t *out,
                      uint32_t cap);

/*
 * an_dom_top() - the (up to) cap reachable objects with the largest
 * retained sizes, among those whose bit is set in `select` (NULL: all),
 * into out, largest first, ties by lower index; returns how many.
 * O(n log cap).
 */
uint32_t an_dom_top(const an_domtree *dt, const uint64_t *select,
                    uint32_t *out, uint32_t cap);

/*
 * an_dom_outermost() - for every object, whether no strict dominator of
 * it has the same class: bit i of `out` (n bits, zeroed by the caller) is
 * set when so.  The class of object i is class_of_type[type[i]] when
 * type[i] < n_types, else `unknown_class`; classes are below n_classes.
 * Summing the retained sizes of the outermost instances of a class counts
 * each byte once (MAT's "retained heap by class").  O(n) time, 16 bytes
 * an object of temporary memory.  Returns AN_OK, or AN_ERR_NOMEM when out
 * of memory.
 */
an_err an_dom_outermost(const an_domtree *dt, const uint32_t *type,
                        const uint32_t *class_of_type, uint32_t n_types,
                        uint32_t unknown_class, uint32_t n_classes,
                        uint64_t *out);

/*
 * an_dom_outermost_of() - the same for one set of objects: bit i of `out`
 * (zeroed by the caller) is set when i is in `members` (a bitmap) and no
 * strict dominator of i is.  Returns AN_OK, or AN_ERR_NOMEM when out of
 * memory.
 */
an_err an_dom_outermost_of(const an_domtree *dt, const uint64_t *members,
                           uint64_t *out);

#endif /* AN_LIB_DOMINATORS_H */
