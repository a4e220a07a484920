/*
 * diff.h - `muppy-analyze diff`'s model (lib/diff.h) on stdout: the
 * groups that changed with their deltas, then with --objects the new
 * objects, as text or Markdown; or JSON (spec/json.md).
 */
#ifndef AN_RENDER_DIFF_H
#define AN_RENDER_DIFF_H

#include <stdint.h>

#include "lib/diff.h"
#include "render/format.h"

/* Print d, sorted (an_diff_sort()), its first `top` rows; b is the
 * snapshot added as B (its types name the new objects), path_a and
 * path_b how the snapshots were named. */
void an_print_diff(const an_diff *d, const an_snap *b, const char *path_a,
                   const char *path_b, an_format fmt, uint64_t top);

#endif /* AN_RENDER_DIFF_H */
