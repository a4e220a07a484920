/*
 * trend.c - the trend model as text (with sparklines), Markdown or JSON.
 */
#include "render/trend.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/number.h"
#include "base/sbuf.h"
#include "render/json.h"
#include "render/path.h"
#include "render/table.h"

/* Eight levels of a sparkline (UTF-8). */
static const char *const trend_bars[8] = {
    "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
    "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
};

/* The sparkline of a series into out (at most 64 points: longer series
 * are sampled evenly). */
static void
trend_sparkline(const uint64_t *v, uint32_t n, an_sbuf *out)
{
    uint64_t lo = UINT64_MAX, hi = 0;
    uint32_t points = n < 64 ? n : 64;

    for (uint32_t i = 0; i < n; i++) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    for (uint32_t p = 0; p < points; p++) {
        uint32_t i = points > 1 ? (uint32_t)((uint64_t)p * (n - 1)
                                             / (points - 1)) : 0;
        unsigned level = hi > lo ? (unsigned)((v[i] - lo) * 7 / (hi - lo))
                                 : 3;

        an_sbuf_printf(out, "%s", trend_bars[level]);
    }
}

static void
trend_json(const an_trend *t, char *const *paths, uint64_t top)
{
    an_json j;

    an_json_init(&j, stdout);
    an_json_object(&j);
    an_json_key(&j, "by");
    an_json_str(&j, t->by_module ? "module" : "type");
    an_json_key(&j, "snapshots");
    an_json_array(&j);
    for (uint32_t i = 0; i < t->n_snaps; i++) {
        an_json_str(&j, paths[i]);
    }
    an_json_end_array(&j);
    an_json_key(&j, "count");
    an_json_array(&j);
    for (uint32_t i = 0; i < t->n_snaps; i++) {
        an_json_u64(&j, t->total_count[i]);
    }
    an_json_end_array(&j);
    an_json_key(&j, "size");
    an_json_array(&j);
    for (uint32_t i = 0; i < t->n_snaps; i++) {
        an_json_u64(&j, t->total_size[i]);
    }
    an_json_end_array(&j);
    an_json_key(&j, t->by_module ? "modules" : "types");
    an_json_array(&j);
    for (uint32_t r = 0; r < t->n_rows && r < top; r++) {
        const an_trend_row *row = &t->rows[r];
        const char *m, *q;

        an_strmap_key(t->names, row->id, &m, &q);
        an_json_object(&j);
        an_json_group(&j, m, q, t->by_module);
        an_json_key(&j, "growing");
        an_json_bool(&j, row->growing);
        an_json_key(&j, "count");
        an_json_array(&j);
        for (uint32_t i = 0; i < t->n_snaps; i++) {
            an_json_u64(&j, row->count[i]);
        }
        an_json_end_array(&j);
        an_json_key(&j, "size");
        an_json_array(&j);
        for (uint32_t i = 0; i < t->n_snaps; i++) {
            an_json_u64(&j, row->size[i]);
        }
        an_json_end_array(&j);
        an_json_end_object(&j);
    }
    an_json_end_array(&j);
    an_json_end_object(&j);
    an_json_finish(&j);
}

static void
trend_table(const an_trend *t, uint64_t top, an_format fmt)
{
    an_table *tab = an_table_new(6, "rrrrll");
    unsigned char *amb = an_strmap_ambiguous(t->names);
    uint32_t last = t->n_snaps - 1;
    char c1[32], c2[40], s1[32], s2[32], nb[512];

    an_table_rowf(tab, "count\tdelta\tsize\tdelta\ttrend\t%s",
                  t->by_module ? "module" : "type");
    for (uint32_t r = 0; r < t->n_rows && r < top; r++) {
        const an_trend_row *row = &t->rows[r];
        an_sbuf spark = {0};
        const char *name = an_group_name(t->names, amb, t->by_module,
                                         row->id, nb, sizeof(nb));
        const char *cells[6];
        char flagged[540];

        trend_sparkline(row->count, t->n_snaps, &spark);
        snprintf(flagged, sizeof(flagged), "%s%s", row->growing ? "* " : "",
                 name);
        cells[0] = an_format_count(row->count[last], c1, sizeof(c1));
        cells[1] = an_format_count_delta(row->count_growth, c2, sizeof(c2));
        cells[2] = an_format_size(row->size[last], s1, sizeof(s1));
        cells[3] = an_format_delta(row->size_growth, s2, sizeof(s2));
        cells[4] = an_sbuf_str(&spark);
        cells[5] = flagged;
        an_table_row(tab, cells);
        an_sbuf_free(&spark);
    }
    printf("%u snapshots, %s -> %s objects, %s -> ", t->n_snaps,
           an_format_count(t->total_count[0], c1, sizeof(c1)),
           an_format_count(t->total_count[last], c2, sizeof(c2)),
           an_format_size(t->total_size[0], s1, sizeof(s1)));
    printf("%s; * = count grew at every step\n",
           an_format_size(t->total_size[last], s2, sizeof(s2)));
    if (fmt == AN_FORMAT_MARKDOWN) {
        printf("\n");
    }
    an_table_emit(tab, fmt, NULL);
    an_table_free(tab);
    if (t->n_rows > top) {
        printf("(%llu of %u %s shown)\n", (unsigned long long)top, t->n_rows,
               t->by_module ? "modules" : "types");
    }
    free(amb);
}

void
an_print_trend(const an_trend *t, char *const *paths, an_format fmt,
               uint64_t top)
{
    if (fmt == AN_FORMAT_JSON) {
        trend_json(t, paths, top);
    }
    else {
        trend_table(t, top, fmt);
    }
}
