/*
 * report_html.h - the one-file HTML report of `muppy-analyze report`:
 * the model (aggregates only, never one element per object) that
 * cmd_report.c computes, and the writer.
 *
 * The page is self-contained: inline style, inline script (table
 * sorting), inline SVG (the treemap), and a Content-Security-Policy that
 * forbids the browser to fetch anything, so it opens the same offline,
 * as a bug report's attachment, anywhere.  Every text from a snapshot is
 * HTML-escaped (outfile.h).
 */
#ifndef AN_REPORT_HTML_H
#define AN_REPORT_HTML_H

#include <stdint.h>

#include "lib/treemap.h"
#include "render/outfile.h"

typedef struct an_report_kv {
    char *key, *value;
} an_report_kv;

/* A row of the summary tables: a type (name set) or a module. */
typedef struct an_report_row {
    char *module;
    char *name;                 /* type display name, NULL for a module */
    uint64_t count, size;
    uint64_t retained;          /* of the group (its outermost instances) */
} an_report_row;

/* A row of the growth table (--base). */
typedef struct an_report_change {
    char *module, *name;
    uint64_t count_a, count_b, size_a, size_b;
} an_report_change;

/* An object with a large retained size, or a leak cluster's example. */
typedef struct an_report_object {
    char *type, *address, *path;
    uint64_t size, retained;
    uint64_t count;             /* leak clusters: candidates in it */
} an_report_object;

/* A rectangle of the treemap: a module (level 0) or a type in it. */
typedef struct an_report_box {
    an_rect r;
    int level;
    unsigned color;             /* palette index of the module */
    char *label, *title;
    uint64_t value;
} an_report_box;

#define AN_REPORT_TM_W 1100.0
#define AN_REPORT_TM_H 560.0

typedef struct an_report {
    char *snap;
    an_report_kv *meta;
    uint32_t n_meta;
    uint64_t objects, edges, size, n_types, n_modules;
    uint64_t reachable_count, reachable_size;
    uint64_t unreachable_count, unreachable_size;
    an_report_row *types, *modules;     /* the rows shown */
    uint32_t n_types_shown, n_modules_shown;
    an_report_box *boxes;
    uint32_t n_boxes;
    an_report_object *top;              /* largest retained sizes */
    uint32_t n_top;
    /* --base */
    char *base;                         /* NULL without --base */
    uint64_t base_objects, base_size;
    an_report_change *changes;
    uint32_t n_changes, n_changed;      /* shown, and changed in all */
    /* --final */
    char *final;                        /* NULL without --final */
    uint64_t candidates, outermost;
    an_report_object *leaks;            /* clusters, ranked */
    uint32_t n_leaks, n_clusters;       /* shown, and in all */
} an_report;

/* Write the page.  Write errors stay in o (an_outfile_commit()). */
void an_report_write_html(an_outfile *o, const an_report *r);

/* Free what the model owns (every string is its own copy). */
void an_report_free(an_report *r);

/* A copy of s (NULL when out of memory; "" for NULL). */
char *an_report_strdup(const char *s);

#endif /* AN_REPORT_HTML_H */
