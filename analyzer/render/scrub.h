/*
 * scrub.h - `muppy-analyze scrub`'s report on the copy it wrote
 * (lib/scrub.h: what was replaced and dropped), as text or as JSON
 * (spec/json.md).
 */
#ifndef AN_RENDER_SCRUB_H
#define AN_RENDER_SCRUB_H

#include "lib/scrub.h"
#include "render/format.h"

/* Print the stats of the copy written to `out` with `drop`. */
void an_print_scrub(const char *out, unsigned drop, const an_scrub_stats *st,
                    an_format fmt);

#endif /* AN_RENDER_SCRUB_H */
