/*
 * retained.h - `muppy-analyze retained`'s model (lib/retained.h) on
 * stdout: the totals, then the objects with their paths, or the groups;
 * or JSON (spec/json.md) with both.
 */
#ifndef AN_RENDER_RETAINED_H
#define AN_RENDER_RETAINED_H

#include <stdint.h>

#include "lib/retained.h"
#include "render/format.h"

/* Print m (computed from s); text and Markdown show the groups, when
 * there are, the first `top_groups` of them, else the objects. */
void an_print_retained(const an_snap *s, const an_retained *m,
                       an_format fmt, uint64_t top_groups);

#endif /* AN_RENDER_RETAINED_H */
