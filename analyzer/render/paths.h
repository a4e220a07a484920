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
#include "render/outfile.h"

/* Print m (computed from s) as text or JSON on stdout. */
void an_print_paths(const an_snap *s, const an_paths *m, an_format fmt);

/* Write m as a Graphviz graph to o: one cluster per group with --type
 * (max_groups: as computed, for the note on the shapes left out). */
void an_dot_paths(an_outfile *o, const an_snap *s, const an_paths *m,
                  uint64_t max_groups);

#endif /* AN_RENDER_PATHS_H */
