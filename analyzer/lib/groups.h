/*
 * groups.h - objects grouped by type key or by module, and per-group
 * totals: the aggregation behind summary, diff and retained --by.
 */
#ifndef AN_LIB_GROUPS_H
#define AN_LIB_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "lib/dominators.h"
#include "lib/snap.h"

/*
 * The objects --type NAME selects: the types whose qualname, or
 * module.qualname, is NAME (an_snap_match_type()).
 */
typedef struct an_typesel {
    const char *name;
    unsigned char *key;     /* n_keys + 1 entries: 1 for a key selected */
    uint64_t *objects;      /* bitmap of the loaded objects selected */
    uint64_t count;         /* how many */
} an_typesel;

/*
 * an_type_select() - the selection of `name` in s (its type column
 * loaded).  Returns AN_OK, AN_ERR_NO_TYPE when no type has that name, or
 * AN_ERR_NOMEM.  Free with an_typesel_free() in every case.
 */
an_err an_type_select(const an_snap *s, const char *name, an_typesel *sel);
void an_typesel_free(an_typesel *sel);

/*
 * an_group_of_types() - the group of each type id of s (n_types
 * entries): its type key, or with by_module its key's module group.
 * *n_groups is then n_keys + 1 (or n_modules + 1); the last group stands
 * for out-of-range type ids (an_group_unknown()).  NULL when out of
 * memory; free().
 */
uint32_t *an_group_of_types(const an_snap *s, int by_module,
                            uint32_t *n_groups);

/* The group of out-of-range type ids. */
static inline uint32_t
an_group_unknown(const an_snap *s, int by_module)
{
    return by_module ? s->n_modules : s->n_keys;
}

/*
 * an_aggregate() - count[group_of[type[i]]]++ and bytes[...] += value[i]
 * for every object i (value may be NULL: counts only) whose bit is set in
 * `select` (NULL: every object); objects whose type is >= n_types go to
 * `unknown_group`.  count and bytes must be zeroed by the caller and have
 * room for every group.  One pass, O(n).
 */
void an_aggregate(const uint32_t *type, const uint64_t *value,
                  const uint64_t *select, uint32_t n,
                  const uint32_t *group_of, uint32_t n_types,
                  uint32_t unknown_group, uint64_t *count, uint64_t *bytes);

/*
 * an_group_outermost() - the reachable objects none of whose strict
 * dominators is in the same group (an_dom_outermost() with the groups as
 * classes), as a bitmap of n bits: summing their retained sizes per group
 * counts each byte once ("retained size of a type").  Unreachable objects
 * are left out.  NULL when out of memory; free().
 */
uint64_t *an_group_outermost(const an_snap *s, const an_domtree *dt,
                             const uint32_t *group_of, uint32_t n_groups);

/*
 * an_group_charge() - a partition of the reachable heap, for pictures
 * that must add up: each reachable object's size is charged to the
 * nearest object on its dominator chain (itself included) whose type id
 * is marked in `owner_type` (n_types entries; the report marks classes
 * defined in Python), or to itself when there is none.  The charged
 * bytes are summed per group of the object charged (group_of, as for
 * an_aggregate()) into charged[] (zeroed by the caller, room for every
 * group).  The sums add up to the reachable size.
 * O(n) time, 8 bytes an object of temporary memory.  Returns AN_OK, or
 * AN_ERR_NOMEM when out of memory.
 */
an_err an_group_charge(const an_snap *s, const an_domtree *dt,
                       const unsigned char *owner_type,
                       const uint32_t *group_of, uint32_t n_groups,
                       uint64_t *charged);

#endif /* AN_LIB_GROUPS_H */
