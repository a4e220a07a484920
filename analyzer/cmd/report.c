/*
 * cmd_report.c - muppy-analyze report: a one-file HTML report.
 *
 * Computes the report's model (report_html.h) from the snapshot - the
 * summaries by type and module with retained sizes (dominators.h,
 * groups.h), the treemap (an_group_charge() laid out by treemap.h), the
 * objects that retain the most with their paths - and, with --base, the
 * growth table (diff.h), with --final too the leak clusters (leaks.h);
 * then writes the page atomically (outfile.h).  One snapshot is loaded
 * at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "base/number.h"
#include "base/sbuf.h"
#include "lib/diff.h"
#include "lib/dominators.h"
#include "lib/groups.h"
#include "lib/leaks.h"
#include "lib/roots.h"
#include "lib/shapes.h"
#include "lib/treemap.h"
#include "render/format.h"
#include "render/html.h"
#include "render/outfile.h"
#include "render/path.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage report_usage = {
    "report",
    "[--base BASE.snap [--final FINAL.snap]] [--top N] [--partial]\n"
    " SNAP -o REPORT.html",
    "a one-file HTML report to open offline",
    "Writes one self-contained HTML page (no network, no external script,\n"
    "style or font: it opens anywhere, offline, as a bug report's\n"
    "attachment): the snapshot's metadata, sortable summaries by type and\n"
    "by module with retained sizes, a treemap of the retained size by\n"
    "module and type, and the objects that retain the most with their\n"
    "paths.  With --base, what grew since BASE; with --base and --final\n"
    "(three snapshots of one process: BASE before, SNAP during, FINAL\n"
    "after a workload), the leak clusters: objects of SNAP new since BASE\n"
    "and still alive in FINAL, grouped by the path that keeps them.\n"
    "Aggregates only: the page stays small whatever the heap.",
    "  muppy-analyze report app.snap -o report.html\n"
    "  muppy-analyze report --base before.snap --final after.snap "
    "during.snap -o leaks.html",
};

#define REPORT_TOP_OBJECTS 20
#define REPORT_LEAKS 10
#define REPORT_MIN_COUNT 2     /* as leaks --min-count */
#define REPORT_CHANGES 100
#define REPORT_TM_MODULES 24
#define REPORT_TM_TYPES 24

typedef struct report_ctx {
    an_report r;
    an_snap s;
    an_roots roots;
    uint64_t top_rows;
    /* per type key of s (n_keys + 1) and per module (n_modules + 1) */
    uint64_t *key_count, *key_size, *key_retained, *key_charged;
    uint64_t *mod_count, *mod_size, *mod_retained, *mod_charged;
} report_ctx;

static int
report_nomem(void)
{
    an_error("out of memory");
    return AN_EXIT_INPUT;
}

/* The metadata of s as text pairs. */
static int
report_meta(report_ctx *c)
{
    uint32_t n = 0;
    const mf_meta *m = mf_reader_meta(c->s.reader, &n);

    c->r.meta = calloc((size_t)n + 1, sizeof(an_report_kv));
    if (c->r.meta == NULL) {
        return -1;
    }
    for (uint32_t i = 0; m != NULL && i < n; i++) {
        size_t len = 0;
        const char *k = mf_reader_string(c->s.reader, m[i].key, &len);
        char key[128], value[128];

        snprintf(key, sizeof(key), "%.*s", k ? (int)len : 0, k ? k : "");
        if (an_snap_meta_text(&c->s, key, value, sizeof(value)) != 0) {
            continue;
        }
        c->r.meta[c->r.n_meta].key = an_report_strdup(key);
        c->r.meta[c->r.n_meta].value = an_report_strdup(value);
        if (c->r.meta[c->r.n_meta].key == NULL
            || c->r.meta[c->r.n_meta].value == NULL) {
            c->r.n_meta++;
            return -1;
        }
        c->r.n_meta++;
    }
    return 0;
}

/* Row order: size desc, then count desc, then index. */
static const uint64_t *report_sort_size, *report_sort_count;

static int
report_row_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    if (report_sort_size[x] != report_sort_size[y]) {
        return report_sort_size[x] > report_sort_size[y] ? -1 : 1;
    }
    if (report_sort_count != NULL
        && report_sort_count[x] != report_sort_count[y]) {
        return report_sort_count[x] > report_sort_count[y] ? -1 : 1;
    }
    return x < y ? -1 : x > y;
}

/* Indices 0..n-1 sorted by value desc (then count desc), or NULL. */
static uint32_t *
report_order(const uint64_t *value, const uint64_t *count, uint32_t n)
{
    uint32_t *order = malloc((size_t)(n ? n : 1) * sizeof(uint32_t));

    if (order == NULL) {
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        order[i] = i;
    }
    report_sort_size = value;
    report_sort_count = count;
    qsort(order, n, sizeof(uint32_t), report_row_cmp);
    return order;
}

/* Per type key and per module: count, size, retained, charged. */
static int
report_groups(report_ctx *c, const an_domtree *dt)
{
    an_snap *s = &c->s;
    uint32_t nk = 0, nm = 0;
    uint32_t *by_key = an_group_of_types(s, 0, &nk);
    uint32_t *by_mod = an_group_of_types(s, 1, &nm);
    uint64_t *outer = NULL, *dummy = NULL;
    unsigned char *owner_type = NULL;
    int rc = -1;

    c->key_count = calloc((size_t)nk + 1, sizeof(uint64_t));
    c->key_size = calloc((size_t)nk + 1, sizeof(uint64_t));
    c->key_retained = calloc((size_t)nk + 1, sizeof(uint64_t));
    c->key_charged = calloc((size_t)nk + 1, sizeof(uint64_t));
    c->mod_count = calloc((size_t)nm + 1, sizeof(uint64_t));
    c->mod_size = calloc((size_t)nm + 1, sizeof(uint64_t));
    c->mod_retained = calloc((size_t)nm + 1, sizeof(uint64_t));
    c->mod_charged = calloc((size_t)nm + 1, sizeof(uint64_t));
    dummy = calloc((size_t)(nk > nm ? nk : nm) + 1, sizeof(uint64_t));
    owner_type = calloc((size_t)s->n_types + 1, 1);
    if (by_key == NULL || by_mod == NULL || c->key_count == NULL
        || c->key_size == NULL || c->key_retained == NULL
        || c->key_charged == NULL || c->mod_count == NULL
        || c->mod_size == NULL || c->mod_retained == NULL
        || c->mod_charged == NULL || dummy == NULL || owner_type == NULL) {
        goto done;
    }
    an_aggregate(s->cols.type, s->cols.size, NULL, s->g.n, by_key,
                 s->n_types, nk - 1, c->key_count, c->key_size);
    an_aggregate(s->cols.type, s->cols.size, NULL, s->g.n, by_mod,
                 s->n_types, nm - 1, c->mod_count, c->mod_size);
    outer = an_group_outermost(s, dt, by_key, nk);
    if (outer == NULL) {
        goto done;
    }
    an_aggregate(s->cols.type, dt->retained, outer, s->g.n, by_key,
                 s->n_types, nk - 1, dummy, c->key_retained);
    free(outer);
    memset(dummy, 0, ((size_t)(nk > nm ? nk : nm) + 1) * sizeof(uint64_t));
    outer = an_group_outermost(s, dt, by_mod, nm);
    if (outer == NULL) {
        goto done;
    }
    an_aggregate(s->cols.type, dt->retained, outer, s->g.n, by_mod,
                 s->n_types, nm - 1, dummy, c->mod_retained);
    /* the treemap: charged to instances of classes defined in Python */
    for (uint32_t t = 0; t < s->n_types; t++) {
        const an_key *k = &s->keys[s->type_key[t]];

        owner_type[t] = (s->types[t].flags & MF_TYPE_HEAP)
                        && strcmp(k->module, "builtins") != 0;
    }
    if (an_group_charge(s, dt, owner_type, by_key, nk, c->key_charged)
        != 0) {
        goto done;
    }
    for (uint32_t k = 0; k < nk; k++) {
        c->mod_charged[an_snap_module_of_key(s, k)] += c->key_charged[k];
    }
    rc = 0;

done:
    free(by_key);
    free(by_mod);
    free(outer);
    free(dummy);
    free(owner_type);
    return rc;
}

/* The rows of the two summary tables. */
static int
report_rows(report_ctx *c)
{
    an_snap *s = &c->s;
    uint32_t nk = s->n_keys + 1, nm = s->n_modules + 1;
    uint32_t *ok = report_order(c->key_size, c->key_count, nk);
    uint32_t *om = report_order(c->mod_size, c->mod_count, nm);
    int rc = -1;

    c->r.types = calloc((size_t)nk, sizeof(an_report_row));
    c->r.modules = calloc((size_t)nm, sizeof(an_report_row));
    if (ok == NULL || om == NULL || c->r.types == NULL
        || c->r.modules == NULL) {
        goto done;
    }
    for (uint32_t i = 0; i < nk; i++) {
        uint32_t k = ok[i];
        an_report_row *w;

        if (c->key_count[k] == 0) {
            continue;
        }
        c->r.n_types++;
        if (c->r.n_types_shown >= c->top_rows) {
            continue;
        }
        w = &c->r.types[c->r.n_types_shown++];
        w->module = an_report_strdup(s->keys[k].module);
        w->name = an_report_strdup(s->keys[k].display);
        w->count = c->key_count[k];
        w->size = c->key_size[k];
        w->retained = c->key_retained[k];
        if (w->module == NULL || w->name == NULL) {
            goto done;
        }
    }
    for (uint32_t i = 0; i < nm; i++) {
        uint32_t m = om[i];
        an_report_row *w;

        if (c->mod_count[m] == 0) {
            continue;
        }
        c->r.n_modules++;
        if (c->r.n_modules_shown >= c->top_rows) {
            continue;
        }
        w = &c->r.modules[c->r.n_modules_shown++];
        w->module = an_report_strdup(s->modules[m]);
        w->count = c->mod_count[m];
        w->size = c->mod_size[m];
        w->retained = c->mod_retained[m];
        if (w->module == NULL) {
            goto done;
        }
    }
    rc = 0;

done:
    free(ok);
    free(om);
    return rc;
}

/* Add a treemap box (strings copied); returns 0 or -1. */
static int
report_box(report_ctx *c, an_rect r, int level, unsigned color,
           const char *label, const char *title, uint64_t value)
{
    an_report_box *b = &c->r.boxes[c->r.n_boxes++];

    b->r = r;
    b->level = level;
    b->color = color;
    b->value = value;
    b->label = an_report_strdup(label);
    b->title = an_report_strdup(title);
    return b->label && b->title ? 0 : -1;
}

/* The types of module m laid out in its box's area. */
static int
report_treemap_types(report_ctx *c, uint32_t m, an_rect area,
                     unsigned color, const uint32_t *key_order)
{
    an_snap *s = &c->s;
    uint32_t nk = s->n_keys + 1, n = 0;
    uint32_t keys[REPORT_TM_TYPES];
    double value[REPORT_TM_TYPES + 1];
    an_rect rect[REPORT_TM_TYPES + 1];
    uint64_t other = 0;
    char title[600], r1[32], r2[32], r3[32], n1[32];

    for (uint32_t i = 0; i < nk; i++) {
        uint32_t k = key_order[i];

        if (c->key_charged[k] == 0 || an_snap_module_of_key(s, k) != m) {
            continue;
        }
        if (n < REPORT_TM_TYPES) {
            keys[n] = k;
            value[n++] = (double)c->key_charged[k];
        }
        else {
            other += c->key_charged[k];
        }
    }
    value[n] = (double)other;
    if (an_treemap_squarify(value, n + (other > 0), area, rect) != 0) {
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = keys[i];
        const an_key *key = &s->keys[k];

        snprintf(title, sizeof(title), "%s%s%s: %s charged; %s instances "
                 "of %s own; their outermost instances retain %s",
                 key->module, key->module[0] ? "." : "", key->qualname,
                 an_format_size(c->key_charged[k], r1, sizeof(r1)),
                 an_format_count(c->key_count[k], n1, sizeof(n1)),
                 an_format_size(c->key_size[k], r2, sizeof(r2)),
                 an_format_size(c->key_retained[k], r3, sizeof(r3)));
        if (report_box(c, rect[i], 1, color, key->display, title,
                       c->key_charged[k]) != 0) {
            return -1;
        }
    }
    if (other > 0) {
        snprintf(title, sizeof(title), "other types: %s charged",
                 an_format_size(other, r1, sizeof(r1)));
        if (report_box(c, rect[n], 1, color, "other types", title, other)
            != 0) {
            return -1;
        }
    }
    return 0;
}

/* The treemap: modules, then the types inside each. */
static int
report_treemap(report_ctx *c)
{
    an_snap *s = &c->s;
    uint32_t nk = s->n_keys + 1, nm = s->n_modules + 1, n = 0;
    uint32_t *mo = report_order(c->mod_charged, NULL, nm);
    uint32_t *ko = report_order(c->key_charged, NULL, nk);
    uint32_t mods[REPORT_TM_MODULES];
    double value[REPORT_TM_MODULES + 1];
    an_rect rect[REPORT_TM_MODULES + 1];
    uint64_t other = 0, total = 0;
    an_rect area = {0, 0, AN_REPORT_TM_W, AN_REPORT_TM_H};
    char title[400], r1[32];
    int rc = -1;

    c->r.boxes = calloc((REPORT_TM_MODULES + 1) * (REPORT_TM_TYPES + 2),
                        sizeof(an_report_box));
    if (mo == NULL || ko == NULL || c->r.boxes == NULL) {
        goto done;
    }
    for (uint32_t i = 0; i < nm; i++) {
        uint32_t m = mo[i];

        total += c->mod_charged[m];
        if (c->mod_charged[m] == 0) {
            continue;
        }
        if (n < REPORT_TM_MODULES) {
            mods[n] = m;
            value[n++] = (double)c->mod_charged[m];
        }
        else {
            other += c->mod_charged[m];
        }
    }
    value[n] = (double)other;
    if (an_treemap_squarify(value, n + (other > 0), area, rect) != 0) {
        goto done;
    }
    for (uint32_t i = 0; i < n; i++) {
        const char *name = s->modules[mods[i]][0] ? s->modules[mods[i]]
                                                  : "(no module)";
        an_rect inner = rect[i];

        snprintf(title, sizeof(title), "module %s: %s charged (%.1f%% of "
                 "the reachable size)", name,
                 an_format_size(c->mod_charged[mods[i]], r1, sizeof(r1)),
                 total ? 100.0 * (double)c->mod_charged[mods[i]]
                         / (double)total : 0.0);
        if (report_box(c, rect[i], 0, i, name, title,
                       c->mod_charged[mods[i]]) != 0) {
            goto done;
        }
        /* the types below the module's name, when there is room */
        if (inner.h > 36.0 && inner.w > 40.0) {
            inner.x += 2.0;
            inner.w -= 4.0;
            inner.y += 16.0;
            inner.h -= 18.0;
            if (report_treemap_types(c, mods[i], inner, i, ko) != 0) {
                goto done;
            }
        }
    }
    if (other > 0) {
        snprintf(title, sizeof(title), "other modules: %s charged",
                 an_format_size(other, r1, sizeof(r1)));
        if (report_box(c, rect[n], 0, n, "other modules", title, other)
            != 0) {
            goto done;
        }
    }
    rc = 0;

done:
    free(mo);
    free(ko);
    return rc;
}

/* The objects that retain the most, with their paths. */
static int
report_top(report_ctx *c, const an_domtree *dt, uint32_t *objs,
           uint32_t n)
{
    an_snap *s = &c->s;
    an_bfs_result bfs;
    an_pathbuf pb;
    char addr[32];
    int rc = -1;

    memset(&pb, 0, sizeof(pb));
    c->r.top = calloc((size_t)n + 1, sizeof(an_report_object));
    if (c->r.top == NULL
        || an_bfs(&s->g, c->roots.ordered, c->roots.n, 0, &bfs) != 0) {
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        an_report_object *t = &c->r.top[c->r.n_top++];
        an_sbuf path = {0};

        t->retained = dt ? dt->retained[objs[i]] : t->retained;
        t->size = s->cols.size[objs[i]];
        t->type = an_report_strdup(s->keys[an_snap_key_of(s, objs[i])]
                                   .display);
        t->address = an_report_strdup(an_address_text(s, objs[i], addr,
                                                      sizeof(addr)));
        if (an_path_find(&pb, s, &bfs, 0, NULL, 0, objs[i]) == UINT32_MAX) {
            goto done;
        }
        an_format_path(&path, s, &c->roots, &pb);
        t->path = an_report_strdup(an_sbuf_str(&path));
        an_sbuf_free(&path);
        if (t->type == NULL || t->address == NULL || t->path == NULL) {
            goto done;
        }
    }
    rc = 0;

done:
    an_pathbuf_free(&pb);
    an_bfs_free(&bfs);
    return rc;
}

/* Everything that needs SNAP's dominator tree, then the paths. */
static int
report_snapshot(report_ctx *c)
{
    an_snap *s = &c->s;
    an_domtree dt;
    uint32_t objs[REPORT_TOP_OBJECTS];
    uint64_t retained[REPORT_TOP_OBJECTS];
    uint32_t n_top;

    if (an_roots_of_snap(&c->roots, s) != 0
        || an_dominators(&s->g, s->cols.size, c->roots.ordered, c->roots.n,
                         &dt) != 0) {
        return -1;
    }
    c->r.objects = s->g.n;
    c->r.edges = s->g.n_edges;
    c->r.reachable_count = dt.reachable_count;
    c->r.reachable_size = dt.reachable_size;
    c->r.unreachable_count = dt.unreachable_count;
    c->r.unreachable_size = dt.unreachable_size;
    c->r.size = dt.reachable_size + dt.unreachable_size;
    if (report_groups(c, &dt) != 0 || report_rows(c) != 0
        || report_treemap(c) != 0) {
        an_domtree_free(&dt);
        return -1;
    }
    n_top = an_dom_top(&dt, NULL, objs, REPORT_TOP_OBJECTS);
    for (uint32_t i = 0; i < n_top; i++) {
        retained[i] = dt.retained[objs[i]];
    }
    /* the tree goes before the BFS comes */
    an_domtree_free(&dt);
    if (report_top(c, NULL, objs, n_top) != 0) {
        return -1;
    }
    for (uint32_t i = 0; i < c->r.n_top; i++) {
        c->r.top[i].retained = retained[i];
    }
    return 0;
}

/* --base: the growth table; with a finder, BASE's identities. */
static int
report_base(report_ctx *c, const char *path, int partial, an_leaks *lk)
{
    an_snap base;
    an_diff d;
    char why[300];
    int status;

    memset(&d, 0, sizeof(d));
    status = an_open(&base, path, partial);
    if (status != 0) {
        return status;
    }
    status = an_load(&base, MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_SIZE);
    if (status != 0) {
        goto done;
    }
    status = AN_EXIT_INPUT;
    if (lk != NULL && an_snap_same_process(&base, &c->s, why, sizeof(why))
                      != 0) {
        an_error("%s: --final needs three snapshots of one process", why);
        goto done;
    }
    if (an_diff_init(&d, 0, 0) != 0 || an_diff_add(&d, 0, &base, NULL, NULL) != 0
        || an_diff_add(&d, 1, &c->s, NULL, NULL) != 0
        || (lk != NULL && (an_leaks_base(lk, &base) != 0
                           || an_leaks_target(lk, &c->s) != 0))) {
        report_nomem();
        goto done;
    }
    an_diff_sort(&d);
    c->r.base = an_report_strdup(path);
    c->r.base_objects = d.count_a;
    c->r.base_size = d.size_a;
    c->r.changes = calloc(REPORT_CHANGES, sizeof(an_report_change));
    if (c->r.base == NULL || c->r.changes == NULL) {
        report_nomem();
        goto done;
    }
    for (uint32_t i = 0; i < d.n_rows; i++) {
        const an_diff_row *w = &d.rows[i];
        an_report_change *ch;
        const char *m, *q;

        if (w->count_a == w->count_b && w->size_a == w->size_b) {
            continue;
        }
        c->r.n_changed++;
        if (c->r.n_changes >= REPORT_CHANGES) {
            continue;
        }
        an_strmap_key(d.names, w->id, &m, &q);
        ch = &c->r.changes[c->r.n_changes++];
        ch->module = an_report_strdup(m);
        ch->name = an_report_strdup(q);
        ch->count_a = w->count_a;
        ch->count_b = w->count_b;
        ch->size_a = w->size_a;
        ch->size_b = w->size_b;
        if (ch->module == NULL || ch->name == NULL) {
            report_nomem();
            goto done;
        }
    }
    status = 0;

done:
    an_diff_free(&d);
    an_snap_close(&base);
    return status;
}

/* --final: the leak clusters with their paths in FINAL. */
static int
report_final(report_ctx *c, const char *path, int partial, an_leaks *lk)
{
    an_snap fin;
    an_roots roots;
    an_pathbuf pb;
    char why[300], addr[32];
    int status;

    memset(&roots, 0, sizeof(roots));
    memset(&pb, 0, sizeof(pb));
    status = an_open(&fin, path, partial);
    if (status != 0) {
        return status;
    }
    status = AN_EXIT_INPUT;
    if (an_snap_same_process(&c->s, &fin, why, sizeof(why)) != 0) {
        an_error("%s: --final needs three snapshots of one process", why);
        goto done;
    }
    status = an_load(&fin, MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_SIZE
                               | MF_COL_EDGES | MF_COL_EDGE_KIND
                               | MF_COL_EDGE_LABEL);
    if (status != 0) {
        goto done;
    }
    status = AN_EXIT_INPUT;
    if (an_roots_of_snap(&roots, &fin) != 0
        || an_leaks_final(lk, &fin, 0) != 0) {
        report_nomem();
        goto done;
    }
    c->r.final = an_report_strdup(path);
    c->r.candidates = lk->candidates;
    c->r.outermost = lk->candidates - lk->dominated - lk->weak;
    for (uint32_t i = 0; i < lk->n_clusters; i++) {
        c->r.n_clusters += lk->clusters[i].count >= REPORT_MIN_COUNT;
    }
    c->r.leaks = calloc(REPORT_LEAKS, sizeof(an_report_object));
    if (c->r.final == NULL || c->r.leaks == NULL) {
        report_nomem();
        goto done;
    }
    for (uint32_t i = 0; i < lk->n_clusters && c->r.n_leaks < REPORT_LEAKS;
         i++) {
        const an_leak_cluster *cl = &lk->clusters[i];
        an_report_object *t;
        an_sbuf text = {0};

        if (cl->count < REPORT_MIN_COUNT) {
            continue;
        }
        t = &c->r.leaks[c->r.n_leaks++];
        t->count = cl->count;
        t->size = cl->size;
        t->retained = cl->retained;
        t->type = an_report_strdup(fin.keys[an_snap_key_of(&fin,
                                                           cl->example)]
                                   .display);
        t->address = an_report_strdup(an_address_text(&fin, cl->example,
                                                      addr, sizeof(addr)));
        if (an_path_find(&pb, &fin, &lk->bfs, 0, &lk->groups,
                         lk->groups.groups[cl->group].shape, cl->example)
            == UINT32_MAX) {
            report_nomem();
            goto done;
        }
        an_format_path(&text, &fin, &roots, &pb);
        t->path = an_report_strdup(an_sbuf_str(&text));
        an_sbuf_free(&text);
        if (t->type == NULL || t->address == NULL || t->path == NULL) {
            report_nomem();
            goto done;
        }
    }
    status = 0;

done:
    an_pathbuf_free(&pb);
    an_roots_free(&roots);
    an_snap_close(&fin);
    return status;
}

static int
report_run(int argc, char **argv)
{
    int partial = 0, npos, status;
    const char *out = NULL, *base = NULL, *final = NULL;
    uint64_t top = 300;
    const an_option opts[] = {
        {AN_OPT_STRING, 'o', "output", &out, "REPORT.html",
         "the file to write ('-': stdout)"},
        {AN_OPT_STRING, 0, "base", &base, "BASE.snap",
         "an earlier snapshot: what grew since"},
        {AN_OPT_STRING, 0, "final", &final, "FINAL.snap",
         "a later snapshot (with --base): the leak clusters"},
        {AN_OPT_UINT, 'n', "top", &top, "N",
         "rows of the summary tables (default 300)"},
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of truncated or damaged files"},
        AN_OPT_END_ROW,
    };
    report_ctx c;
    an_leaks *lk = NULL;
    an_outfile o;

    memset(&c, 0, sizeof(c));
    memset(&o, 0, sizeof(o));
    if (!an_parse_options(argc, argv, &report_usage, opts, &npos,
                          &status)) {
        return status;
    }
    if (npos != 1) {
        return an_usage_error(&report_usage, opts,
                              npos ? "too many arguments" : "missing SNAP");
    }
    if (out == NULL) {
        return an_usage_error(&report_usage, opts, "missing -o REPORT.html");
    }
    if (final != NULL && base == NULL) {
        return an_usage_error(&report_usage, opts,
                              "--final needs --base");
    }
    c.top_rows = top;
    status = an_open(&c.s, argv[0], partial);
    if (status != 0) {
        return status;
    }
    status = an_load(&c.s, MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_SIZE
                               | MF_COL_EDGES | MF_COL_EDGE_KIND
                               | MF_COL_EDGE_LABEL);
    if (status != 0) {
        goto done;
    }
    c.r.snap = an_report_strdup(argv[0]);
    if (c.r.snap == NULL || report_meta(&c) != 0) {
        status = report_nomem();
        goto done;
    }
    if (report_snapshot(&c) != 0) {
        an_error("'%s': out of memory", c.s.path);
        status = AN_EXIT_INPUT;
        goto done;
    }
    if (final != NULL) {
        lk = calloc(1, sizeof(*lk));
        if (lk == NULL) {
            status = report_nomem();
            goto done;
        }
    }
    if (base != NULL) {
        status = report_base(&c, base, partial, lk);
        if (status != 0) {
            goto done;
        }
    }
    if (final != NULL) {
        an_snap_unload(&c.s);   /* one snapshot's columns at a time */
        status = report_final(&c, final, partial, lk);
        if (status != 0) {
            goto done;
        }
    }
    status = an_outfile_open(&o, out);
    if (status != 0) {
        goto done;
    }
    an_report_write_html(&o, &c.r);
    status = an_outfile_commit(&o);

done:
    an_outfile_abort(&o);
    if (lk != NULL) {
        an_leaks_free(lk);
        free(lk);
    }
    an_roots_free(&c.roots);
    free(c.key_count);
    free(c.key_size);
    free(c.key_retained);
    free(c.key_charged);
    free(c.mod_count);
    free(c.mod_size);
    free(c.mod_retained);
    free(c.mod_charged);
    an_report_free(&c.r);
    an_snap_close(&c.s);
    return status;
}

const an_command cmd_report = {&report_usage, report_run};
