/*
 * leaks.h - `muppy-analyze leaks`'s clusters (lib/leaks.h, after
 * an_leaks_select()) on stdout: a summary line, then each cluster with
 * its example's path, as text or Markdown; or JSON (spec/json.md).
 */
#ifndef AN_RENDER_LEAKS_H
#define AN_RENDER_LEAKS_H

#include "lib/leaks.h"
#include "render/format.h"

/* Print lk (s: FINAL, the snapshot the clusters are in). */
void an_print_leaks(const an_snap *s, const an_leaks *lk, an_format fmt);

#endif /* AN_RENDER_LEAKS_H */
