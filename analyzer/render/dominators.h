/*
 * dominators.h - `muppy-analyze dominators`'s chain (lib/domchain.h) on
 * stdout: a table from the outermost dominator down, JSON
 * (spec/json.md), or a Graphviz graph (dot.h).
 */
#ifndef AN_RENDER_DOMINATORS_H
#define AN_RENDER_DOMINATORS_H

#include "lib/domchain.h"
#include "render/format.h"

/* Print m (computed from s).  Returns 0, or an exit status when the
 * output could not be written. */
int an_print_dominators(const an_snap *s, const an_domchain *m,
                        an_format fmt);

#endif /* AN_RENDER_DOMINATORS_H */
