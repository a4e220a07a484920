/*
 * treemap.h - squarified treemap layout (Bruls, Huizing and van Wijk,
 * "Squarified Treemaps", 2000): rectangles whose areas are proportional
 * to values, as close to squares as the greedy row-by-row method gets.
 * The report draws retained sizes with it (render/html.h).  Computes
 * only; O(n) for values sorted in decreasing order.
 */
#ifndef AN_LIB_TREEMAP_H
#define AN_LIB_TREEMAP_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

typedef struct an_rect {
    double x, y, w, h;
} an_rect;

/*
 * an_treemap_squarify() - lay out n values (sorted in decreasing order,
 * all >= 0) in `area`: out[i] gets the rectangle of value i, of area
 * value[i] / sum x area.  Zero values get empty rectangles; when every
 * value is zero, all rectangles are empty.  Returns AN_OK, or AN_ERR_NOMEM
 * (the rectangles are then empty).
 */
an_err an_treemap_squarify(const double *value, size_t n, an_rect area,
                            an_rect *out);

#endif /* AN_LIB_TREEMAP_H */
