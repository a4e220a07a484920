/*
 * shapes.h - many objects' paths grouped by shape, and paths folded
 * (repeated cycles of steps as one, fold.h) ready to print.
 *
 *   an_group_paths  the targets' BFS paths (bfs.h) grouped by their
 *                   folded shape, O(objects on the paths)
 *   an_path_find    one object's path from a root, folded as its group's
 *                   shape has it
 *   an_path_set     any path (a point's, from the object where it starts)
 *   an_path_text    a path as people read it
 */
#ifndef AN_LIB_SHAPES_H
#define AN_LIB_SHAPES_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/sbuf.h"
#include "lib/bfs.h"
#include "lib/fold.h"
#include "lib/graph.h"
#include "lib/roots.h"

/*
 * A step of a path is (edge kind with its weak bit, label, type of the
 * object reached), where list/tuple indices (MF_EDGE_INDEX) and int dict
 * keys (MF_EDGE_KEY_INT) are folded (their label stands for any) - and,
 * with AN_FOLD_STR_KEYS, str dict keys (MF_EDGE_KEY_STR) too.  The root
 * step is (root kind, root label, root's type).  The shape of a path is
 * its sequence of steps folded (fold.h): any cycle of 1 to AN_FOLD_PERIOD
 * steps repeated is one `(X)+` - `.next .next .next` along a linked list,
 * `.children [15] .children [1]` down a tree, `[1] [1]` through nested
 * pairs - so the nodes of a linked list or a tree share one shape.  A
 * path with a single X where the same prefix followed by (X)+ is also a
 * shape goes with that one (a tree's first level with its deeper ones).
 * Shapes are hash-consed in a trie: the shape of an object is its BFS
 * parent's shape plus one step, computed once per object, so grouping is
 * linear in the objects on the paths, whatever their lengths.
 */
#define AN_FOLD_STR_KEYS 0x01u

/* Is an edge of this kind folded (its label stands for any) with `fold`? */
static inline int
an_edge_folded(uint8_t kind, unsigned fold)
{
    uint8_t k = kind & MF_EDGE_KIND_MASK;

    return k == MF_EDGE_INDEX || k == MF_EDGE_KEY_INT
           || ((fold & AN_FOLD_STR_KEYS) && k == MF_EDGE_KEY_STR);
}

typedef struct an_group {
    uint32_t shape;         /* the group's (canonical) shape in the trie */
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
    unsigned fold;          /* what the steps were folded with */
    const an_roots *roots;  /* the roots they were named with (borrowed) */
    an_fold_trie *trie;     /* the shapes */
} an_groups;

/*
 * an_group_paths() - group `targets` (object indices; duplicates count
 * twice) by the folded shape of their BFS path.  `fold`: 0 or
 * AN_FOLD_STR_KEYS.  `roots` give kind and label of the dumper roots; a
 * path starting elsewhere starts at an unreferenced root.  `g->type` may
 * be NULL (shapes then differ only by edges).  Deterministic.
 * O(n + targets) time plus O(log n + AN_FOLD_PERIOD^2) per object on a
 * target's path.  Returns AN_OK, or AN_ERR_NOMEM when out of memory.
 * Free with an_groups_free().
 */
an_err an_group_paths(const an_graph *g, const an_bfs_result *bfs,
                      unsigned fold, const an_roots *roots,
                      const uint32_t *targets, uint64_t n_targets,
                      an_groups *out);
void an_groups_free(an_groups *gr);

/*
 * A path ready to print: its objects, the edge into each (via[k], k >= 1)
 * and its steps folded into items (fold.h; item step k is the step into
 * objs[k], step 0 the start).  A path from a root (an_path_find) starts
 * with the root; one set by an_path_set() may start at any object.  Start
 * from a zeroed an_pathbuf; free with an_pathbuf_free().
 */
typedef struct an_pathbuf {
    uint32_t *objs;
    uint32_t *via;          /* the edge into objs[k] (k >= 1) */
    an_fold_item *items;
    uint32_t cap;
    uint32_t len, n_items;
    unsigned fold;          /* the fold the steps were made with */
    int from_root;          /* objs[0] is a root */
    int grouped;            /* folded as its group's shape has it */
} an_pathbuf;

/*
 * an_path_find() - the BFS path of `obj` into pb: with `groups` (may be
 * NULL) and `shape` (a group's shape), folded as that shape has it
 * (an_fold_trie_items()), else folded alone.  Returns the length, 0 when
 * the object is unreached, or UINT32_MAX when out of memory.
 */
uint32_t an_path_find(an_pathbuf *pb, const an_snap *s,
                      const an_bfs_result *bfs, unsigned fold,
                      const an_groups *groups, uint32_t shape, uint32_t obj);

/*
 * an_path_set() - the path objs[0..len) (edges[k] into objs[k], k >= 1)
 * into pb, folded alone; objs[0] is a root when `from_root`.  Returns
 * AN_OK or AN_ERR_NOMEM.
 */
an_err an_path_set(an_pathbuf *pb, const an_snap *s, const uint32_t *objs,
                   const uint64_t *edges, uint32_t len, int from_root);
void an_pathbuf_free(an_pathbuf *pb);

/*
 * an_path_item_label() - the label of STEP item `it` of a path: the
 * label of the edge into its object, "" for an unlabeled reference.  A
 * folded label (an index, an int key) inside a repeat stands for any:
 * "[i]" in a cycle of several steps (`alone` 0), "[*]" for a step
 * repeated alone that this path repeats (`alone` 2); a step the path has
 * once (`alone` 1) keeps its own.
 */
void an_path_item_label(const an_snap *s, const an_pathbuf *pb,
                        const an_fold_item *it, int alone, char *buf,
                        size_t cap);

/*
 * an_path_item_end() - the index of the item after the one at `i` (after
 * its CLOSE for an OPEN): items i .. end-1 are one step or one repeat.
 */
uint32_t an_path_item_end(const an_pathbuf *pb, uint32_t i);

/*
 * an_path_text() - a path as people read it, appended to out: the root
 * (or the type of the object it starts at), the labels of the steps,
 * "-> TYPE @ADDRESS" of the last object.  A repeated step shows once with
 * "+", a repeated cycle of steps in parentheses with "+" - `.next+`,
 * `(.children [i])+` - and "(N times)" when this path repeats it N > 1
 * times; past 201 top-level steps the middle is elided ("... (N more
 * steps) ...").  An unlabeled reference names what it leads to
 * ("-> <dict>").
 */
void an_path_text(an_sbuf *out, const an_snap *s, const an_roots *roots,
                  const an_pathbuf *pb);
/* The text of items [first, end) of a path, each step after a space
 * (" .children [i]"); a repeat as an_path_text() writes it. */
void an_path_items_text(an_sbuf *out, const an_snap *s,
                        const an_pathbuf *pb, uint32_t first, uint32_t end);
/* The same as an_path_text() without the last object's type and address:
 * the start and the steps ("Logger .handlers"). */
void an_path_steps_text(an_sbuf *out, const an_snap *s,
                        const an_roots *roots, const an_pathbuf *pb);

#endif /* AN_LIB_SHAPES_H */
