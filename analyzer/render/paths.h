/*
 * paths.h - `muppy-analyze paths`'s model (lib/paths.h) on stdout: each
 * group's example path as text, JSON (spec/json.md), or a Graphviz
 * graph (dot.h) with one cluster per group.
 */
#ifndef AN_RENDER_PATHS_H
#define AN_RENDER_PATHS_H

#include <stdint.h>

#include "lib/paths.h"
#include "render/format.h"

/* Print m (computed from s, with `max_groups` examples at most).
 * Returns 0, or an exit status when the output could not be written. */
int an_print_paths(const an_snap *s, const an_paths *m, an_format fmt,
                   uint64_t max_groups);

#endif /* AN_RENDER_PATHS_H */
