/*
 * referrers.h - `muppy-analyze referrers`'s tree (lib/referrers.h) on
 * stdout: indented text, nested JSON (spec/json.md), or a Graphviz graph
 * (dot.h).
 */
#ifndef AN_RENDER_REFERRERS_H
#define AN_RENDER_REFERRERS_H

#include "lib/referrers.h"
#include "render/format.h"
#include "render/outfile.h"

/* Print m (computed from s) as text or JSON on stdout. */
void an_print_referrers(const an_snap *s, const an_reftree *m,
                        an_format fmt);

/* Write m as a Graphviz graph to o. */
void an_dot_referrers(an_outfile *o, const an_snap *s, const an_reftree *m);

#endif /* AN_RENDER_REFERRERS_H */
