/*
 * summary.h - `muppy-analyze summary`'s model (lib/summary.h) on stdout:
 * a table (text or Markdown) with each group's share of the snapshot,
 * or JSON (spec/json.md).
 */
#ifndef AN_RENDER_SUMMARY_H
#define AN_RENDER_SUMMARY_H

#include <stdint.h>

#include "lib/summary.h"
#include "render/format.h"

/* Print the first `top` rows of m (s: the snapshot it was computed
 * from, for the names). */
void an_print_summary(const an_snap *s, const an_summary *m, an_format fmt,
                      uint64_t top);

#endif /* AN_RENDER_SUMMARY_H */
