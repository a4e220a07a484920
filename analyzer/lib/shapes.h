/*
 * shapes.h - many objects' paths grouped by shape, and paths cut into
 * runs of identical steps.
 *
 *   an_group_paths  the targets' BFS paths (bfs.h) grouped by shape,
 *                   O(n + targets)
 *   an_path_runs    a path cut into runs of identical steps
 *   an_path_find    one object's path with its runs, ready to print
 */
#ifndef AN_LIB_SHAPES_H
#define AN_LIB_SHAPES_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/sbuf.h"
#include "lib/bfs.h"
#include "lib/graph.h"
#include "lib/roots.h"

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

/* Is an edge of this kind folded (its label stands for any) with `fold`? */
static inline int
an_edge_folded(uint8_t kind, unsigned fold)
{
    uint8_t k = kind & MF_EDGE_KIND_MASK;

    return k == MF_EDGE_INDEX || k == MF_EDGE_KEY_INT
           || ((fold & AN_FOLD_STR_KEYS) && k == MF_EDGE_KEY_STR);
}

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
 * time plus O(log n) per object on a target's path.  Returns AN_OK, or
 * AN_ERR_NOMEM when out of memory.  Free with an_groups_free().
 */
an_err an_group_paths(const an_graph *g, const an_bfs_result *bfs,
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

/*
 * A path ready to print: the objects from an_path() and their runs of
 * identical steps (an_path_runs()).  an_path_find() fills it for one
 * object, growing the buffers: with `groups` (may be NULL) and `shape`,
 * the runs the group's shape repeats are flagged.  Returns the length, 0
 * when the object is unreached, or UINT32_MAX when out of memory.  Start
 * from a zeroed an_pathbuf; free with an_pathbuf_free().
 */
typedef struct an_pathbuf {
    uint32_t *objs;
    uint32_t *via;          /* the edge into objs[k] (k >= 1) */
    an_run *runs;
    uint32_t cap;
    uint32_t len, n_runs;
    unsigned fold;          /* the fold the runs were cut with */
} an_pathbuf;
uint32_t an_path_find(an_pathbuf *pb, const an_snap *s,
                      const an_bfs_result *bfs, unsigned fold,
                      const an_groups *groups, uint32_t shape, uint32_t obj);
void an_pathbuf_free(an_pathbuf *pb);

/*
 * an_path_run_label() - the label of run j (j >= 1) of a path: the label
 * of the edge into the run's last object, or "[*]" for a run of several
 * folded steps; "" for an unlabeled reference.
 */
void an_path_run_label(const an_snap *s, const an_pathbuf *pb, uint32_t j,
                       char *buf, size_t cap);

/*
 * an_path_text() - a path as people read it, appended to out: the root,
 * the labels of the steps, "-> TYPE @ADDRESS" of the last object.  A run
 * of identical steps shows once, with "+" when the shape repeats it and
 * "(N times)" when the path does; past 201 runs the middle is elided
 * ("... (N more steps) ...").  An unlabeled reference names what it
 * leads to ("-> <dict>").
 */
void an_path_text(an_sbuf *out, const an_snap *s, const an_roots *roots,
                  const an_pathbuf *pb);

#endif /* AN_LIB_SHAPES_H */
