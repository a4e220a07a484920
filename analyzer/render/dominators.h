/*
 * dominators.h - `muppy-analyze dominators`'s chain (lib/domchain.h) on
 * stdout: a table from the outermost dominator down, JSON
 * (spec/json.md), or a Graphviz graph (dot.h).
 */
#ifndef AN_RENDER_DOMINATORS_H
#define AN_RENDER_DOMINATORS_H

#include "lib/domchain.h"
#include "render/format.h"
#include "render/outfile.h"

/* Print m (computed from s) as text or JSON on stdout. */
void an_print_dominators(const an_snap *s, const an_domchain *m,
                         an_format fmt);

/* Write m as a Graphviz graph to o. */
void an_dot_dominators(an_outfile *o, const an_snap *s,
                       const an_domchain *m);

#endif /* AN_RENDER_DOMINATORS_H */
