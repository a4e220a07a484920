/*
 * domchain.h - what keeps one object alive: the chain of its dominators
 * from the outermost down (dominators.h), each with its retained size,
 * and the direct strong reference from each to the next when there is
 * one: the model of `muppy-analyze dominators`.
 */
#ifndef AN_LIB_DOMCHAIN_H
#define AN_LIB_DOMCHAIN_H

#include <stdint.h>

#include "base/error.h"
#include "lib/roots.h"
#include "lib/snap.h"

typedef struct an_domchain {
    an_roots roots;         /* s's tier-1 roots, for marking them */
    uint32_t *objs;         /* the chain, outermost first, the target last */
    uint64_t *retained;     /* per entry of the chain */
    uint64_t *edge;         /* per entry i > 0: a strong edge from
                               objs[i - 1] to objs[i], or UINT64_MAX when
                               it refers to it through other objects */
    uint32_t len;
    int unreachable;        /* no root reaches the target: the chain is
                               that of its island */
} an_domchain;

/*
 * an_domchain_compute() - the chain of `target` in s (address, type,
 * size, edges and edge kinds loaded).  The dominator tree is freed
 * before it returns.  Returns AN_OK, AN_ERR_NOMEM or AN_ERR_TOO_LARGE.
 * Free with an_domchain_free() in every case.
 */
an_err an_domchain_compute(const an_snap *s, uint32_t target,
                           an_domchain *m);
void an_domchain_free(an_domchain *m);

#endif /* AN_LIB_DOMCHAIN_H */
