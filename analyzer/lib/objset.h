/*
 * objset.h - sets of object identities across snapshots of one process.
 *
 * CPython never moves an object, so within one process an object is
 * identified by its address and its type; the type is compared by its key
 * (module, qualname), never by type id, so that snapshots with different
 * type tables match.  An address reused by a new object of the same type
 * looks like the old object (spec/analyzer.md, "diff --objects").
 */
#ifndef AN_LIB_OBJSET_H
#define AN_LIB_OBJSET_H

#include <stdint.h>

#include "base/error.h"
#include "lib/maps.h"
#include "lib/snap.h"

typedef struct an_objset {
    an_u64map objects;      /* address -> type name id */
    an_strmap *names;       /* (module, qualname) -> type name id */
} an_objset;

/* An empty set with room for `expected` objects.  Returns AN_OK, or
 * AN_ERR_NOMEM when out of memory. */
an_err an_objset_init(an_objset *set, uint64_t expected);
void an_objset_free(an_objset *set);

/*
 * an_objset_names() - the type name id of each key of s (n_keys + 1
 * entries, the unknown key last), added to the set's names when `add`,
 * else MF_NONE for a name the set does not know.  NULL when out of
 * memory; free().
 */
uint32_t *an_objset_names(an_objset *set, const an_snap *s, int add);

/* Add an identity (the first value for an address wins).  Returns AN_OK,
 * or AN_ERR_TOO_LARGE when the set is full. */
an_err an_objset_put(an_objset *set, uint64_t address, uint32_t name);

/* 1 when (address, name) is in the set. */
int an_objset_has(const an_objset *set, uint64_t address, uint32_t name);

/* Loops over many addresses prefetch this many ahead (maps.h). */
#define AN_OBJSET_AHEAD 16

static inline void
an_objset_prefetch(const an_objset *set, uint64_t address)
{
    an_u64map_prefetch(&set->objects, address);
}

/*
 * an_objset_add_snap() - add every object of s (address and type columns
 * loaded) whose bit is set in `select` (NULL: all).  Returns AN_OK,
 * AN_ERR_NOMEM, or AN_ERR_TOO_LARGE when the set is full.
 */
an_err an_objset_add_snap(an_objset *set, const an_snap *s,
                          const uint64_t *select);

#endif /* AN_LIB_OBJSET_H */
