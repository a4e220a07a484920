/*
 * report.h - the model of `muppy-analyze report`, the one-file HTML
 * report (render/html.h writes it): aggregates only, never one element
 * per object, so that the page stays small whatever the heap.
 *
 * Built one snapshot at a time, each loaded only while it is added:
 *   an_report_snapshot()  SNAP: its metadata, the summaries by type and by
 *                         module with retained sizes (groups.h), the
 *                         treemap of what each type's instances retain
 *                         (an_group_charge() laid out by treemap.h), the
 *                         objects that retain the most with their paths;
 *   an_report_base()      BASE (--base): what grew since (diff.h);
 *   an_report_final()     FINAL (--final): the leaks, by accumulation
 *                         point (leaks.h).
 * Every string is the model's own copy: the snapshots may be closed.
 */
#ifndef AN_LIB_REPORT_H
#define AN_LIB_REPORT_H

#include <stdint.h>

#include "base/error.h"
#include "lib/leaks.h"
#include "lib/memory.h"
#include "lib/snap.h"
#include "lib/treemap.h"

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

/* An object with a large retained size. */
typedef struct an_report_object {
    char *type, *address, *path;
    uint64_t size, retained;
} an_report_object;

/* A leak (--final): an accumulation point (growth.h), as text. */
typedef struct an_report_leak {
    char *label;                /* "Logger 'app' .handlers" */
    char *type, *address;       /* the entry's object */
    int is_new;                 /* a new structure (its head) */
    char *types, *hang;         /* what it gained, how it hangs */
    char *path, *example;       /* from a root; an example */
    uint64_t count, size, retained;
} an_report_leak;

/* What a box of the treemap stands for. */
typedef enum an_report_box_kind {
    AN_REPORT_BOX_MODULE = 0,   /* a module (level 0) */
    AN_REPORT_BOX_TYPE,         /* a type in its module's box (level 1) */
    AN_REPORT_BOX_OTHER_MODULES,
    AN_REPORT_BOX_OTHER_TYPES
} an_report_box_kind;

/* A rectangle of the treemap: a module (level 0) or a type in it. */
typedef struct an_report_box {
    an_rect r;
    int level;
    an_report_box_kind kind;
    unsigned color;             /* palette index of the module */
    char *label;                /* module or type display name; NULL for
                                   the "other" boxes */
    char *module, *qualname;    /* a type's names */
    uint64_t value;             /* the bytes charged to it */
    uint64_t count, size, retained;     /* a type's instances */
} an_report_box;

/* The treemap's area, in the page's pixels. */
#define AN_REPORT_TM_W 1100.0
#define AN_REPORT_TM_H 560.0

typedef struct an_report {
    char *snap;
    an_report_kv *meta;
    uint32_t n_meta;
    uint64_t objects, edges, size, n_types, n_modules;
    uint64_t reachable_count, reachable_size;
    uint64_t unreachable_count, unreachable_size;
    an_memory memory;                   /* the RSS breakdown (the bar) */
    an_report_row *types, *modules;     /* the rows shown */
    uint32_t n_types_shown, n_modules_shown;
    an_report_box *boxes;
    uint32_t n_boxes;
    uint64_t charged;                   /* all the treemap's bytes */
    an_report_object *top;              /* largest retained sizes */
    uint32_t n_top;
    /* --base */
    char *base;                         /* NULL without --base */
    uint64_t base_objects, base_size;
    an_report_change *changes;
    uint32_t n_changes, n_changed;      /* shown, and changed in all */
    /* --final */
    char *final;                        /* NULL without --final */
    uint64_t candidates;                /* gained: new since BASE, alive
                                           in FINAL */
    an_report_leak *leaks;              /* points, ranked */
    uint32_t n_leaks, n_points;         /* shown, and in all (of at
                                           least 2 gained objects) */
} an_report;

/*
 * an_report_snapshot() - start the model of SNAP `s` (address, type, size,
 * flags, edges, edge kinds and labels loaded), with `top_rows` rows in each
 * summary table.  Returns AN_OK, AN_ERR_NOMEM or AN_ERR_TOO_LARGE.
 */
an_err an_report_snapshot(an_report *r, const an_snap *s, uint64_t top_rows);

/*
 * an_report_base() - add BASE (address, type, name and size loaded)
 * against SNAP `s`: the growth table; with `lk` (not NULL), also feed
 * BASE and SNAP to the leak finder (an_leaks_base(), an_leaks_target():
 * both need their names).  Returns AN_OK or AN_ERR_NOMEM.
 */
an_err an_report_base(an_report *r, const an_snap *base, const an_snap *s,
                      an_leaks *lk);

/*
 * an_report_final() - add FINAL (AN_LEAKS_FINAL_COLUMNS loaded): the
 * leaks of `lk`, fed with BASE and SNAP, by accumulation point.  Returns
 * AN_OK, AN_ERR_NOMEM or AN_ERR_TOO_LARGE.
 */
an_err an_report_final(an_report *r, an_leaks *lk, const an_snap *final);

/* Free what the model owns; a zeroed model is fine. */
void an_report_free(an_report *r);

#endif /* AN_LIB_REPORT_H */
