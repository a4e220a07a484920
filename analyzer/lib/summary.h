/*
 * summary.h - the objects of a snapshot grouped by type key or by
 * module, with their count, size and, on demand, the retained size of
 * each group (groups.h: its outermost instances, each byte once): the
 * model of `muppy-analyze summary`.
 */
#ifndef AN_LIB_SUMMARY_H
#define AN_LIB_SUMMARY_H

#include <stdint.h>

#include "base/error.h"
#include "lib/snap.h"

typedef enum an_summary_sort {
    AN_SUMMARY_BY_SIZE = 0,
    AN_SUMMARY_BY_COUNT,
    AN_SUMMARY_BY_RETAINED
} an_summary_sort;

typedef struct an_summary_row {
    uint32_t group;         /* a key of the snapshot, or a module group */
    uint64_t count, size;
    uint64_t retained;      /* with `retained` */
} an_summary_row;

typedef struct an_summary {
    int by_module, retained;
    an_summary_row *rows;   /* the groups with objects, sorted */
    uint32_t n_rows;
    uint64_t count, size;   /* of the rows */
    uint64_t external_count, external_size; /* of the rows of external
                               nodes (types, or the module, of
                               an_snap_is_external()) */
    uint64_t all_size;      /* of the whole snapshot: the shares' whole */
} an_summary;

/*
 * an_summary_compute() - the groups of s (type and size columns loaded;
 * with `retained` the edges and edge kinds too), by type key or with
 * `by_module` by module, only the types `type_name` names when not NULL
 * (--type), sorted by `sort` descending, then size (or count), then
 * group.  The retained sizes are those of the outermost instances of each
 * group before --type narrows the groups, so that a Node inside another
 * Node counts once.  Returns AN_OK, AN_ERR_NO_TYPE, AN_ERR_NOMEM or
 * AN_ERR_TOO_LARGE.  Free with an_summary_free() in every case.
 */
an_err an_summary_compute(const an_snap *s, int by_module,
                          const char *type_name, int retained,
                          an_summary_sort sort, an_summary *m);
void an_summary_free(an_summary *m);

#endif /* AN_LIB_SUMMARY_H */
