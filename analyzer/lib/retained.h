/*
 * retained.h - what would be freed: the objects with the largest
 * retained sizes (dominators.h), each with a shortest path from a root
 * (bfs.h), and the retained size per type or module of the instances no
 * other instance of the group dominates (groups.h): the model of
 * `muppy-analyze retained`.
 *
 * The dominator tree is reduced to these figures, and freed, before the
 * BFS for the paths runs, so that the two never hold their memory at
 * once.
 */
#ifndef AN_LIB_RETAINED_H
#define AN_LIB_RETAINED_H

#include <stdint.h>

#include "base/error.h"
#include "lib/roots.h"
#include "lib/shapes.h"
#include "lib/snap.h"

typedef struct an_retained_object {
    uint32_t obj;
    uint64_t size, retained;
    an_pathbuf path;        /* from a root, when paths were asked for */
} an_retained_object;

typedef struct an_retained_group {
    uint32_t group;         /* a key of the snapshot, or a module group */
    uint64_t count;         /* its outermost instances */
    uint64_t retained;      /* their retained sizes: each byte once */
} an_retained_group;

typedef struct an_retained {
    int by, by_module;      /* groups computed, by type or by module */
    an_roots roots;         /* s's tier-1 roots, for naming the paths */
    uint64_t objects, size;
    uint64_t reach_count, reach_size, unreach_count, unreach_size;
    an_retained_object *top;    /* largest retained size first */
    uint32_t n_top;
    an_retained_group *groups;  /* largest retained size first */
    uint32_t n_groups;
} an_retained;

/* Which groups an_retained_compute() makes. */
#define AN_RETAINED_BY_TYPE 1
#define AN_RETAINED_BY_MODULE 2

/*
 * an_retained_compute() - from s (address, type, size, edges and edge
 * kinds loaded; labels too for the paths): the `top` reachable objects
 * with the largest retained sizes, of the types `type_name` names when
 * not NULL (--type), with their paths when `paths`; with `by`
 * (AN_RETAINED_BY_*, or 0) the groups.  Returns AN_OK, AN_ERR_NO_TYPE,
 * AN_ERR_NOMEM or AN_ERR_TOO_LARGE.  Free with an_retained_free() in
 * every case.
 */
an_err an_retained_compute(const an_snap *s, const char *type_name,
                           uint64_t top, int by, int paths,
                           an_retained *m);
void an_retained_free(an_retained *m);

#endif /* AN_LIB_RETAINED_H */
