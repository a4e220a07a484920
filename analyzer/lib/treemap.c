/*
 * treemap.c - the squarified treemap layout.
 */
#include "lib/treemap.h"

#include <stdlib.h>
#include <string.h>

/* The worst aspect ratio of a row of areas [from, to) laid along a side
 * of length `side`, their sum being `sum`. */
static double
tm_worst(const double *area, size_t from, size_t to, double sum,
         double side)
{
    double max = area[from], min = area[to - 1];    /* decreasing */
    double s2 = sum * sum, w2 = side * side;
    double a = w2 * max / s2, b = s2 / (w2 * min);

    if (min <= 0.0) {
        return 1e300;
    }
    return a > b ? a : b;
}

/* Place the row [from, to) of total `sum` along the shorter side of
 * *rest, and shrink *rest by it. */
static void
tm_place(const double *area, size_t from, size_t to, double sum,
         an_rect *rest, an_rect *out)
{
    if (rest->w >= rest->h) {
        /* a column on the left */
        double w = rest->h > 0 ? sum / rest->h : 0, y = rest->y;

        for (size_t i = from; i < to; i++) {
            double h = w > 0 ? area[i] / w : 0;

            out[i] = (an_rect){rest->x, y, w, h};
            y += h;
        }
        rest->x += w;
        rest->w -= w;
    }
    else {
        /* a row at the top */
        double h = rest->w > 0 ? sum / rest->w : 0, x = rest->x;

        for (size_t i = from; i < to; i++) {
            double w = h > 0 ? area[i] / h : 0;

            out[i] = (an_rect){x, rest->y, w, h};
            x += w;
        }
        rest->y += h;
        rest->h -= h;
    }
    if (rest->w < 0) {
        rest->w = 0;
    }
    if (rest->h < 0) {
        rest->h = 0;
    }
}

an_err
an_treemap_squarify(const double *value, size_t n, an_rect area,
                    an_rect *out)
{
    double total = 0, scale, *a;
    an_rect rest = area;
    size_t start = 0, m = 0;

    for (size_t i = 0; i < n; i++) {
        total += value[i] > 0 ? value[i] : 0;
        out[i] = (an_rect){area.x, area.y, 0, 0};
    }
    if (total <= 0 || area.w <= 0 || area.h <= 0) {
        return AN_OK;
    }
    /* the positive values come first (decreasing order) */
    while (m < n && value[m] > 0) {
        m++;
    }
    a = malloc(m * sizeof(double));
    if (a == NULL) {
        return AN_ERR_NOMEM;
    }
    scale = area.w * area.h / total;
    for (size_t i = 0; i < m; i++) {
        a[i] = value[i] * scale;
    }
    while (start < m) {
        double side = rest.w < rest.h ? rest.w : rest.h;
        double sum = a[start];
        size_t end = start + 1;

        /* grow the row while its worst aspect ratio improves */
        while (end < m
               && tm_worst(a, start, end + 1, sum + a[end], side)
                  <= tm_worst(a, start, end, sum, side)) {
            sum += a[end];
            end++;
        }
        tm_place(a, start, end, sum, &rest, out);
        start = end;
    }
    free(a);
    return AN_OK;
}
