/*
 * fold.h - repeated cycles of path steps folded into one:
 *
 *   .children [15] .children [1] .children [0]   ->  (.children [i])+
 *   .body [i] .orelse [i] .body [i] .orelse [i]   ->  (.body [i] .orelse [i])+
 *   [1] [1] [1]                                   ->  ([1])+
 *
 * so that the nodes of a tree, a linked list of pairs, an AST or a DOM-like
 * document, whatever their depth, share one path shape.  A step is opaque
 * here: two steps are the same when both of their 64-bit words are equal
 * (the caller packs edge kind, label and type; indices and int keys folded
 * by the caller when it wants them equal).
 *
 * The rule, applied each time a step is appended (online, left to right):
 *   B: a cycle X (1 to max_period steps) followed by X again becomes (X)+;
 *   A: (X)+ followed by X stays (X)+;
 * shortest cycles first, repeated until neither applies (so nested cycles
 * fold from the inside: `((.a)+ .b)+`).  Each append costs
 * O(max_period^2) compares at worst: linear in the length of the path.
 *
 *   an_fold_path        one path folded, as items to print
 *   an_fold_trie        shapes hash-consed in a trie, one append per step,
 *                       for grouping many paths (an object's shape is its
 *                       parent's plus one step)
 *   an_fold_group_paths targets grouped by the folded shape of their
 *                       shortest path (the grouping of paths.h with
 *                       cycles folded), in O(objects on the paths)
 */
#ifndef AN_FOLD_H
#define AN_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "graph.h"
#include "paths.h"
#include "roots.h"

typedef struct an_fold_step {
    uint64_t a, b;
} an_fold_step;

/* The default longest cycle folded (in steps). */
#define AN_FOLD_PERIOD 8
/* The longest the functions accept. */
#define AN_FOLD_MAX_PERIOD 32

/* ---- one path --------------------------------------------------------- */

enum { AN_FOLD_STEP, AN_FOLD_OPEN, AN_FOLD_CLOSE };

typedef struct an_fold_item {
    int kind;           /* AN_FOLD_STEP, _OPEN or _CLOSE */
    uint32_t step;      /* STEP: the input index of the step (within a
                           repeat: its last occurrence) */
    uint32_t times;     /* OPEN and CLOSE: repetitions of the body */
    uint32_t first, last;   /* OPEN and CLOSE: input steps covered */
    int in_repeat;      /* STEP: inside at least one repeat */
} an_fold_item;

/*
 * an_fold_path() - fold steps[0..n) (max_period: 1..AN_FOLD_MAX_PERIOD,
 * larger is clamped) into *items (malloc'ed, free() it), a flat sequence
 * where each repeat is OPEN, its body's items, CLOSE.  Returns the number
 * of items, or UINT32_MAX when out of memory (*items NULL).
 * O(n x max_period^2) time, O(n x max_period) memory.
 */
uint32_t an_fold_path(const an_fold_step *steps, uint32_t n,
                      uint32_t max_period, an_fold_item **items);

/* ---- shapes in a trie ------------------------------------------------- */

typedef struct an_fold_trie an_fold_trie;

/* The empty shape. */
#define AN_FOLD_EMPTY 0u

/* A new trie (max_period as above), or NULL when out of memory. */
an_fold_trie *an_fold_trie_new(uint32_t max_period);
void an_fold_trie_free(an_fold_trie *t);

/* The shape `shape` followed by `step`, folded.  Returns the shape's id,
 * or MF_NONE when out of memory.  O(max_period^2). */
uint32_t an_fold_trie_append(an_fold_trie *t, uint32_t shape,
                             const an_fold_step *step);

/* Shapes made so far (ids are 0 .. count - 1). */
uint32_t an_fold_trie_count(const an_fold_trie *t);

/*
 * an_fold_trie_canonical() - per shape id (an_fold_trie_count() entries
 * into *canon, malloc'ed), the shape it belongs with: a shape that ends
 * with one occurrence of a cycle X, where the same prefix followed by
 * (X)+ is also a shape, belongs with that one (a tree's first level with
 * its deeper levels); else with itself, its prefix taken canonical
 * first.  Depends only on the set of shapes, not on their order.
 * Returns 0, or -1 when out of memory.
 */
int an_fold_trie_canonical(an_fold_trie *t, uint32_t **canon);

/* ---- grouping paths by folded shape ----------------------------------- */

typedef struct an_fold_group {
    uint32_t shape;     /* canonical shape */
    uint64_t count;     /* targets with it */
    uint32_t example;   /* the lowest object index among them whose own
                           path has the shape (a tree's deeper nodes, not
                           its first level), else the lowest */
} an_fold_group;

typedef struct an_fold_groups {
    an_fold_group *groups;  /* count desc, then example asc */
    uint32_t n_groups;
    uint32_t *group_of;     /* per target: index into groups, or MF_NONE
                               when no root reaches it */
    uint64_t unreachable;
} an_fold_groups;

/*
 * an_fold_group_paths() - group targets by the folded shape of their
 * shortest path (bfs): the root step is (root kind, root label, root's
 * type), each other step (edge kind with its weak bit, label, type of the
 * object reached), list indices and int keys folded.  O(objects on the
 * paths x max_period^2).  Returns 0, or -1 when out of memory.
 */
int an_fold_group_paths(const an_graph *g, const an_bfs_result *bfs,
                        const an_roots *roots, const uint32_t *targets,
                        uint32_t n_targets, uint32_t max_period,
                        an_fold_groups *out);
void an_fold_groups_free(an_fold_groups *fg);

#endif /* AN_FOLD_H */
