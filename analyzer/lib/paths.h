/*
 * paths.h - why objects are alive: the shortest paths from the roots to
 * one object, or to every instance of a type grouped by shape, each
 * group with the retained size of its instances (the outermost ones:
 * nested instances count once): the model of `muppy-analyze paths`.
 *
 * One multi-source BFS from all roots (bfs.h) gives every object the
 * edge into it on a shortest path; the targets' paths are grouped by
 * shape (shapes.h) and one example of each group is kept.  The dominator
 * tree for the retained sizes is computed and freed before the BFS, so
 * that the two never hold their memory at once; the BFS is freed too
 * once the examples are found.
 */
#ifndef AN_LIB_PATHS_H
#define AN_LIB_PATHS_H

#include <stdint.h>

#include "base/error.h"
#include "lib/roots.h"
#include "lib/shapes.h"
#include "lib/snap.h"

typedef struct an_paths {
    const char *type_name;      /* --type NAME, or NULL: one object */
    int weak;                   /* weak references were followed */
    unsigned fold;              /* AN_FOLD_STR_KEYS or 0 */
    an_roots roots;             /* s's tier-1 roots, for naming paths */
    uint32_t *targets;          /* the objects asked about */
    uint64_t n_targets;
    an_groups groups;           /* their shapes, most common first; the
                                   unreachable ones counted apart */
    uint64_t *group_retained;   /* per group, or NULL (not asked for) */
    an_pathbuf *examples;       /* the example path of the first groups */
    uint32_t n_examples;
} an_paths;

/* flags of an_paths_compute() */
#define AN_PATHS_WEAK 0x01u     /* follow weak references */
#define AN_PATHS_FOLD_KEYS 0x02u /* fold str dict keys too */
#define AN_PATHS_RETAINED 0x04u /* with type_name: retained per group */

/*
 * an_paths_compute() - the paths to `target` (an object index), or with
 * `type_name` to every instance of those types, the examples of the
 * first `max_groups` groups.  s has its address, type, edge, edge kind
 * and label columns loaded, and with AN_PATHS_RETAINED its sizes.
 * Returns AN_OK, AN_ERR_NO_TYPE, AN_ERR_NOMEM or AN_ERR_TOO_LARGE.  Free
 * with an_paths_free() in every case.
 */
an_err an_paths_compute(const an_snap *s, const char *type_name,
                        uint32_t target, unsigned flags, uint64_t max_groups,
                        an_paths *m);
void an_paths_free(an_paths *m);

#endif /* AN_LIB_PATHS_H */
