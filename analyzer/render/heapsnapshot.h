/*
 * heapsnapshot.h - write a snapshot as a V8 heap snapshot
 * (.heapsnapshot), the JSON that Chrome DevTools' Memory panel and memlab
 * load.  The mapping (lib/heapsnapshot.h) is specified in spec/exports.md.
 *
 * The file is streamed: nodes, then edges, then the strings, each written
 * from the loaded columns as it goes, so memory does not grow with the
 * output; only the extra strings (int dict keys outside 0 .. 2^32 - 1)
 * are kept until the end.
 */
#ifndef AN_RENDER_HEAPSNAPSHOT_H
#define AN_RENDER_HEAPSNAPSHOT_H

#include <stdint.h>

#include "base/error.h"
#include "lib/heapsnapshot.h"
#include "lib/roots.h"
#include "lib/snap.h"
#include "render/outfile.h"

typedef struct an_hs_counts {
    uint64_t nodes, edges;      /* as written in snapshot.node_count... */
    uint64_t extra_strings;
} an_hs_counts;

/*
 * an_export_heapsnapshot() - write s (AN_HS_COLUMNS loaded) to o: the
 * synthetic root, "(GC roots)" and its sub-roots, one node per object
 * with ids[i] (an_hs_node_ids()), the edges, the `unreferenced` tier-2
 * roots (an_hs_unreferenced()) under "(unreferenced)".  Fills *counts
 * (may be NULL).  Returns AN_OK, or AN_ERR_NOMEM (write errors are left
 * in o for an_outfile_commit()).
 */
an_err an_export_heapsnapshot(an_outfile *o, const an_snap *s,
                              const uint32_t *ids,
                              const uint32_t *unreferenced,
                              uint32_t n_unreferenced, an_hs_counts *counts);

#endif /* AN_RENDER_HEAPSNAPSHOT_H */
