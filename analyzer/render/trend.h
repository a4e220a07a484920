/*
 * trend.h - `muppy-analyze trend`'s series (lib/trend.h) on stdout: a
 * table with each group's change and a sparkline of its count (text or
 * Markdown), or JSON (spec/json.md).
 */
#ifndef AN_RENDER_TREND_H
#define AN_RENDER_TREND_H

#include <stdint.h>

#include "lib/trend.h"
#include "render/format.h"

/* Print the first `top` rows of t (finished: an_trend_finish()); paths
 * name its snapshots. */
void an_print_trend(const an_trend *t, char *const *paths, an_format fmt,
                    uint64_t top);

#endif /* AN_RENDER_TREND_H */
