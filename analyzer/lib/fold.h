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
 *                       parent's plus one step: shapes.h's an_group_paths)
 *   an_fold_trie_items  one path folded as its group's shape has it
 */
#ifndef AN_LIB_FOLD_H
#define AN_LIB_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

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
    uint32_t times;     /* OPEN and CLOSE: repetitions of the body (1:
                           once on this path, repeated by the shape of
                           its group: an_fold_trie_items()) */
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
 * Returns AN_OK, or AN_ERR_NOMEM when out of memory.
 */
an_err an_fold_trie_canonical(an_fold_trie *t, uint32_t **canon);

/*
 * an_fold_trie_items() - steps[0..n) folded as an_fold_path() does, in
 * the tokens of t, then written the way shape `shape` of t (its
 * canonical shape: an_fold_trie_canonical()) has them: where the shape
 * has a repeat (X)+ and the path a single X, the items show a repeat of
 * `times` 1 (a tree's first level in the group of its deeper levels).
 * A path that does not fit the shape gets its own fold.  Returns the
 * number of items, or UINT32_MAX when out of memory (*items NULL).
 * O(n x max_period^2).
 */
uint32_t an_fold_trie_items(an_fold_trie *t, uint32_t shape,
                            const an_fold_step *steps, uint32_t n,
                            an_fold_item **items);

#endif /* AN_LIB_FOLD_H */
