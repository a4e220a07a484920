/*
 * diff.h - what changed between two snapshots, per type key or module.
 *
 * The model is fed one snapshot at a time, so that only one is loaded at
 * once: an_diff_add(d, 0, A) with A's type and size columns (and its
 * addresses to match objects), then the caller may unload A, then
 * an_diff_add(d, 1, B).  Groups are matched across the snapshots by name
 * (module and qualname, or module), never by type id or address.
 *
 * With `objects`, an object of B is new when no object of A has the same
 * identity: address, type key, and name for the objects that have one
 * (objset.h; spec/analyzer.md, "diff --objects").
 */
#ifndef AN_LIB_DIFF_H
#define AN_LIB_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "lib/growth.h"
#include "lib/maps.h"
#include "lib/objset.h"
#include "lib/snap.h"

typedef struct an_diff_row {
    uint32_t id;                /* group: an_strmap_key(d->names, id) */
    uint64_t count_a, count_b, size_a, size_b;
    uint64_t retained_a, retained_b;  /* when retained sizes were given */
    uint64_t new_count, new_size;     /* with `objects` */
} an_diff_row;

typedef struct an_diff_new {
    uint32_t index;             /* object index in B */
    uint32_t key;               /* its type key in B */
    uint64_t size;
    uint64_t address;
} an_diff_new;

#define AN_DIFF_LARGEST 10

typedef struct an_diff {
    int by_module;
    int objects;
    int retained;               /* retained sizes were added */
    an_strmap *names;           /* (module, qualname) or (module, "") */
    an_diff_row *rows;          /* n_rows, indexed by id until sorted */
    uint32_t n_rows;
    /* totals over all objects of each snapshot */
    uint64_t count_a, count_b, size_a, size_b, retained_a, retained_b;
    /* with `objects` */
    uint64_t new_count, new_size;
    an_diff_new largest[AN_DIFF_LARGEST];   /* largest first */
    uint32_t n_largest;
    uint32_t *by_new;           /* after an_diff_sort(), with `objects`:
                                   the rows by new size (descending), new
                                   count, id: indices into rows */
    an_strmap *codes;           /* identity codes (objset.h) */
    an_objset old;              /* A's objects */
} an_diff;

/* Start an empty model.  Returns AN_OK, or AN_ERR_NOMEM when out of memory. */
an_err an_diff_init(an_diff *d, int by_module, int objects);

/*
 * an_diff_add() - count snapshot s as A (which = 0) or B (which = 1).
 * Needs s's type and size columns, and with `objects` its addresses
 * (and names, when the file has them).
 * `retained` (may be NULL) gives per object the retained size to add to
 * its group's retained_a/_b, for the objects whose bit is set in
 * `outermost` (dominators.h: an_dom_outermost()).  A must be added
 * before B.  Returns AN_OK, or AN_ERR_NOMEM when out of memory.
 */
an_err an_diff_add(an_diff *d, int which, const an_snap *s,
                   const uint64_t *retained, const uint64_t *outermost);

/*
 * an_diff_add_snap() - an_diff_add() of a loaded snapshot, with the
 * retained sizes of each group's outermost instances (groups.h) when
 * `retained` (then its edges and edge kinds are loaded too): computes
 * its dominator tree and frees it.  Returns AN_OK, AN_ERR_NOMEM or
 * AN_ERR_TOO_LARGE.
 */
an_err an_diff_add_snap(an_diff *d, int which, const an_snap *s,
                        int retained);

/* Sort the rows by size growth (descending), then count growth, then
 * first appearance; with `objects`, order by_new.  Returns AN_OK, or
 * AN_ERR_NOMEM. */
an_err an_diff_sort(an_diff *d);

void an_diff_free(an_diff *d);

/*
 * diff --growth: the accumulation points (growth.h) of the objects of B
 * not in A (objset.h), from two snapshots of one process, fed one at a
 * time: A's identities (AN_DIFF_GROWTH_A_COLUMNS), then B
 * (AN_DIFF_GROWTH_B_COLUMNS).
 */
typedef struct an_diff_growth {
    an_strmap *codes;       /* identity codes */
    an_objset a;            /* A's identities, until B comes */
    uint64_t count_a, count_b;  /* the snapshots' objects */
    uint64_t new_count;     /* B's objects not in A */
    an_points points;
} an_diff_growth;

#define AN_DIFF_GROWTH_A_COLUMNS (MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_NAME)
#define AN_DIFF_GROWTH_B_COLUMNS (AN_DIFF_GROWTH_A_COLUMNS | MF_COL_SIZE  \
                                  | MF_COL_EDGES | MF_COL_EDGE_KIND        \
                                  | MF_COL_EDGE_LABEL)

/* Feed A.  Returns AN_OK or AN_ERR_NOMEM.  Free with
 * an_diff_growth_free() in every case. */
an_err an_diff_growth_a(an_diff_growth *d, const an_snap *a);
/*
 * an_diff_growth_b() - feed B: its points, the first `top` of those of
 * at least `min_count` gained objects shown in d->points (with
 * `members`, each with the addresses charged to it).  Returns AN_OK,
 * AN_ERR_NOMEM or AN_ERR_TOO_LARGE.
 */
an_err an_diff_growth_b(an_diff_growth *d, const an_snap *b,
                        uint64_t min_count, uint64_t top, int members);
void an_diff_growth_free(an_diff_growth *d);

#endif /* AN_LIB_DIFF_H */
