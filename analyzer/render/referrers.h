/*
 * referrers.h - `muppy-analyze referrers`'s tree (lib/referrers.h) on
 * stdout: indented text, nested JSON (spec/json.md), or a Graphviz graph
 * (dot.h).
 */
#ifndef AN_RENDER_REFERRERS_H
#define AN_RENDER_REFERRERS_H

#include "lib/referrers.h"
#include "render/format.h"

/* Print m (computed from s).  Returns 0, or an exit status when the
 * output could not be written. */
int an_print_referrers(const an_snap *s, const an_reftree *m,
                       an_format fmt);

#endif /* AN_RENDER_REFERRERS_H */
