/*
 * objset.h - object identities across snapshots of one process: which
 * objects of a later snapshot were already in an earlier one.
 *
 * CPython never moves an object, so within one process an object is
 * identified by its address and its type, the type compared by its key
 * (module, qualname), never by type id, so that snapshots with different
 * type tables match.  An object with a name (function, class, module,
 * code object: the `name` column, when loaded) is identified by its name
 * too, so that a function freed and another allocated at its address
 * differ when their names do (per-request closures and attach payloads
 * reuse each other's addresses).  An address reused by a new object of
 * the same type and name still looks like the old object
 * (spec/analyzer.md, "What identity matching cannot see").
 *
 * An identity is (address, code): the code numbers the (type key, name)
 * pair in an an_strmap that the sets of one comparison share.  A
 * snapshot's objects are put in address order once (an_idorder: LSD
 * radix sort over the bits where the addresses differ, 24 bytes an
 * object while it sorts, 16 after) and matched against a set, itself in
 * address order, by merging: sequential passes, where a hash table would
 * miss the cache at every object.  A set keeps 12 bytes an object.
 *
 *   leaks:      set(BASE); order(TARGET), the new ones = not in BASE,
 *               set(new ones); order(FINAL) marked against both
 *   diff:       set(A); order(B) marked: not in A = new
 *   trend:      set(S1); order(S2) marked, set(S2); ...
 */
#ifndef AN_LIB_OBJSET_H
#define AN_LIB_OBJSET_H

#include <stdint.h>

#include "base/error.h"
#include "lib/maps.h"
#include "lib/snap.h"

/* The objects of one snapshot in address order, with their codes. */
typedef struct an_idorder {
    uint32_t *index;        /* object indices, by ascending address */
    uint64_t *addr;         /* their addresses */
    uint32_t *code;         /* their codes (MF_NONE: a name the codes do
                               not know, which matches nothing) */
    uint64_t n;
} an_idorder;

/* A set of identities, in address order. */
typedef struct an_objset {
    uint64_t *addr;
    uint32_t *code;
    uint64_t n;
} an_objset;

/*
 * an_idorder_of() - the objects of s (address and type columns loaded,
 * the name column when there is one) in address order, coded in `codes`:
 * with `add`, unknown (type key, name) pairs are added, else they get
 * MF_NONE.  O(objects) time.  Returns AN_OK or AN_ERR_NOMEM.  Free with
 * an_idorder_free() (a zeroed one is fine).
 */
an_err an_idorder_of(an_idorder *o, an_strmap *codes, const an_snap *s,
                     int add);
void an_idorder_free(an_idorder *o);

/*
 * an_objset_of() - the identities of the objects of `o` whose bit is set
 * in `select` (by object index; NULL: all).  With `select` NULL it takes
 * o's addresses and codes (o keeps its index only).  Returns AN_OK or
 * AN_ERR_NOMEM.  Free with an_objset_free() (a zeroed one is fine).
 */
an_err an_objset_of(an_objset *set, an_idorder *o, const uint64_t *select);
void an_objset_free(an_objset *set);

/*
 * an_objset_mark() - set bit i of `in` (a bitmap over o's snapshot,
 * zeroed by the caller) for each object i of `o` whose identity is in
 * `set`; returns how many.  O(|o| + |set|).
 */
uint64_t an_objset_mark(const an_objset *set, const an_idorder *o,
                        uint64_t *in);

#endif /* AN_LIB_OBJSET_H */
