/*
 * roots.h - where the analyzer's paths and dominators start.
 *
 * The roots come in two tiers (spec/analyzer.md, "Roots"):
 *   1. the dumper's ROOT records, ordered by kind (an_root_priority():
 *      sys.modules, its modules, builtins, threads, gc.garbage, other,
 *      unknown kinds) and within a kind in file order;
 *   2. among the objects tier 1 does not reach, those no followed edge
 *      points to (in-degree 0, an_referenced() in graph.h): objects held
 *      from C code, by the dumper's caller or by the interpreter.
 * Whatever neither tier reaches (a garbage cycle, an object only weakly
 * referenced) is "unreachable".
 *
 * Tier 1 is a list (an_roots); tier 2 depends on what tier 1 reaches, so
 * each traversal (paths.h, dominators.h) derives it as it goes.
 */
#ifndef AN_LIB_ROOTS_H
#define AN_LIB_ROOTS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "lib/snap.h"

typedef struct an_root_ref {
    uint32_t object;
    uint32_t kind;      /* MF_ROOT_* */
    uint32_t label;     /* string id or MF_NONE */
} an_root_ref;

typedef struct an_roots {
    an_root_ref *ordered;   /* tier 1 in priority order */
    an_root_ref *by_object; /* the same sorted by object (stable) */
    uint32_t n;
} an_roots;

/*
 * an_roots_init() - the tier-1 roots of `records` (n of them, file order).
 * Returns AN_OK, or AN_ERR_NOMEM when out of memory.  Free with
 * an_roots_free().
 */
an_err an_roots_init(an_roots *r, const mf_root *records, uint32_t n);
/* The tier-1 roots of an open snapshot. */
an_err an_roots_of_snap(an_roots *r, const an_snap *s);
void an_roots_free(an_roots *r);

/* The first root record (in priority order) of object obj, or NULL when
 * obj is no dumper root.  O(log n). */
const an_root_ref *an_roots_find(const an_roots *r, uint32_t obj);

/* Sort rank of a root kind: lower comes first. */
int an_root_priority(uint32_t kind);
/* Stable sort of root records by an_root_priority() / by object. */
void an_sort_roots(an_root_ref *roots, uint32_t n);
void an_sort_roots_by_object(an_root_ref *roots, uint32_t n);

/* Root kind names as printed ("sys.modules", "module", "thread", ...,
 * "unreferenced" for tier 2). */
const char *an_root_kind_name(uint32_t kind);

/*
 * an_root_text() - how a path starting at root object `obj` prints, into
 * buf: sys.modules['name'], sys.modules, builtins, gc.garbage,
 * <thread LABEL>, <KIND LABEL>, or <unreferenced TYPE @ADDRESS> when rr is
 * NULL (tier 2).  Needs the snapshot's address and type columns.
 */
void an_root_text(const an_snap *s, const an_root_ref *rr, uint32_t obj,
                  char *buf, size_t cap);

#endif /* AN_LIB_ROOTS_H */
