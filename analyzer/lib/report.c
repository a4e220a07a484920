/*
 * report.c - the report's model: summaries, treemap, top objects, growth
 * and leak clusters.
 */
#define _POSIX_C_SOURCE 200809L     /* strdup */
#include "lib/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sbuf.h"
#include "lib/bfs.h"
#include "lib/diff.h"
#include "lib/dominators.h"
#include "lib/groups.h"
#include "lib/roots.h"
#include "lib/shapes.h"

#define REPORT_TOP_OBJECTS 20
#define REPORT_LEAKS 10
#define REPORT_MIN_COUNT 2     /* as leaks --min-count */
#define REPORT_CHANGES 100
#define REPORT_TM_MODULES 24
#define REPORT_TM_TYPES 24


/* While SNAP is added: per type key (n_keys + 1) and per module
 * (n_modules + 1) the figures the tables and the treemap come from. */
typedef struct report_build {
    an_report *r;
    const an_snap *s;
    an_roots roots;
    uint64_t top_rows;
    uint64_t *key_count, *key_size, *key_retained, *key_charged;
    uint64_t *mod_count, *mod_size, *mod_retained, *mod_charged;
} report_build;

/* A copy of s (NULL when out of memory; "" for NULL). */
static char *
report_strdup(const char *s)
{
    return strdup(s != NULL ? s : "");
}

/* The metadata of s as text pairs. */
static an_err
report_meta(report_build *c)
{
    uint32_t n = 0;
    const mf_meta *m = mf_reader_meta(c->s->reader, &n);

    c->r->meta = calloc((size_t)n + 1, sizeof(an_report_kv));
    if (c->r->meta == NULL) {
        return AN_ERR_NOMEM;
    }
    for (uint32_t i = 0; m != NULL && i < n; i++) {
        size_t len = 0;
        const char *k = mf_reader_string(c->s->reader, m[i].key, &len);
        char key[128], value[128];

        snprintf(key, sizeof(key), "%.*s", k ? (int)len : 0, k ? k : "");
        if (an_snap_meta_text(c->s, key, value, sizeof(value)) != 0) {
            continue;
        }
        c->r->meta[c->r->n_meta].key = report_strdup(key);
        c->r->meta[c->r->n_meta].value = report_strdup(value);
        if (c->r->meta[c->r->n_meta].key == NULL
            || c->r->meta[c->r->n_meta].value == NULL) {
            c->r->n_meta++;
            return AN_ERR_NOMEM;
        }
        c->r->n_meta++;
    }
    return AN_OK;
}

/* Row order: size desc, then count desc, then index. */
static const uint64_t *sort_size, *sort_count;

static int
row_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    if (sort_size[x] != sort_size[y]) {
        return sort_size[x] > sort_size[y] ? -1 : 1;
    }
    if (sort_count != NULL
        && sort_count[x] != sort_count[y]) {
        return sort_count[x] > sort_count[y] ? -1 : 1;
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
    sort_size = value;
    sort_count = count;
    qsort(order, n, sizeof(uint32_t), row_cmp);
    return order;
}

/* Per type key and per module: count, size, retained, charged. */
static an_err
report_groups(report_build *c, const an_domtree *dt)
{
    const an_snap *s = c->s;
    uint32_t nk = 0, nm = 0;
    uint32_t *by_key = an_group_of_types(s, 0, &nk);
    uint32_t *by_mod = an_group_of_types(s, 1, &nm);
    uint64_t *outer = NULL, *dummy = NULL;
    unsigned char *owner_type = NULL;
    an_err rc = AN_ERR_NOMEM;

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
    rc = AN_OK;

done:
    free(by_key);
    free(by_mod);
    free(outer);
    free(dummy);
    free(owner_type);
    return rc;
}

/* The rows of the two summary tables. */
static an_err
report_rows(report_build *c)
{
    const an_snap *s = c->s;
    uint32_t nk = s->n_keys + 1, nm = s->n_modules + 1;
    uint32_t *ok = report_order(c->key_size, c->key_count, nk);
    uint32_t *om = report_order(c->mod_size, c->mod_count, nm);
    an_err rc = AN_ERR_NOMEM;

    c->r->types = calloc((size_t)nk, sizeof(an_report_row));
    c->r->modules = calloc((size_t)nm, sizeof(an_report_row));
    if (ok == NULL || om == NULL || c->r->types == NULL
        || c->r->modules == NULL) {
        goto done;
    }
    for (uint32_t i = 0; i < nk; i++) {
        uint32_t k = ok[i];
        an_report_row *w;

        if (c->key_count[k] == 0) {
            continue;
        }
        c->r->n_types++;
        if (c->r->n_types_shown >= c->top_rows) {
            continue;
        }
        w = &c->r->types[c->r->n_types_shown++];
        w->module = report_strdup(s->keys[k].module);
        w->name = report_strdup(s->keys[k].display);
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
        c->r->n_modules++;
        if (c->r->n_modules_shown >= c->top_rows) {
            continue;
        }
        w = &c->r->modules[c->r->n_modules_shown++];
        w->module = report_strdup(s->modules[m]);
        w->count = c->mod_count[m];
        w->size = c->mod_size[m];
        w->retained = c->mod_retained[m];
        if (w->module == NULL) {
            goto done;
        }
    }
    rc = AN_OK;

done:
    free(ok);
    free(om);
    return rc;
}

/* Add a treemap box (its label copied); returns it, or NULL when out of
 * memory. */
static an_report_box *
report_box(report_build *c, an_rect r, an_report_box_kind kind,
           unsigned color, const char *label, uint64_t value)
{
    an_report_box *b = &c->r->boxes[c->r->n_boxes++];

    b->r = r;
    b->kind = kind;
    b->level = kind == AN_REPORT_BOX_TYPE || kind == AN_REPORT_BOX_OTHER_TYPES;
    b->color = color;
    b->value = value;
    b->label = report_strdup(label);
    return b->label != NULL ? b : NULL;
}

/* The types of module m laid out in its box's area. */
static an_err
report_treemap_types(report_build *c, uint32_t m, an_rect area,
                     unsigned color, const uint32_t *key_order)
{
    const an_snap *s = c->s;
    uint32_t nk = s->n_keys + 1, n = 0;
    uint32_t keys[REPORT_TM_TYPES];
    double value[REPORT_TM_TYPES + 1];
    an_rect rect[REPORT_TM_TYPES + 1];
    uint64_t other = 0;

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
    if (an_treemap_squarify(value, n + (other > 0), area, rect) != AN_OK) {
        return AN_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = keys[i];
        const an_key *key = &s->keys[k];
        an_report_box *b = report_box(c, rect[i], AN_REPORT_BOX_TYPE, color,
                                      key->display, c->key_charged[k]);

        if (b == NULL) {
            return AN_ERR_NOMEM;
        }
        b->module = report_strdup(key->module);
        b->qualname = report_strdup(key->qualname);
        b->count = c->key_count[k];
        b->size = c->key_size[k];
        b->retained = c->key_retained[k];
        if (b->module == NULL || b->qualname == NULL) {
            return AN_ERR_NOMEM;
        }
    }
    if (other > 0 && report_box(c, rect[n], AN_REPORT_BOX_OTHER_TYPES, color,
                                "other types", other) == NULL) {
        return AN_ERR_NOMEM;
    }
    return AN_OK;
}

/* The treemap: modules, then the types inside each. */
static an_err
report_treemap(report_build *c)
{
    const an_snap *s = c->s;
    uint32_t nk = s->n_keys + 1, nm = s->n_modules + 1, n = 0;
    uint32_t *mo = report_order(c->mod_charged, NULL, nm);
    uint32_t *ko = report_order(c->key_charged, NULL, nk);
    uint32_t mods[REPORT_TM_MODULES];
    double value[REPORT_TM_MODULES + 1];
    an_rect rect[REPORT_TM_MODULES + 1];
    uint64_t other = 0, total = 0;
    an_rect area = {0, 0, AN_REPORT_TM_W, AN_REPORT_TM_H};
    an_err rc = AN_ERR_NOMEM;

    c->r->boxes = calloc((REPORT_TM_MODULES + 1) * (REPORT_TM_TYPES + 2),
                        sizeof(an_report_box));
    if (mo == NULL || ko == NULL || c->r->boxes == NULL) {
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
    c->r->charged = total;
    if (an_treemap_squarify(value, n + (other > 0), area, rect) != AN_OK) {
        goto done;
    }
    for (uint32_t i = 0; i < n; i++) {
        const char *name = s->modules[mods[i]][0] ? s->modules[mods[i]]
                                                  : "(no module)";
        an_rect inner = rect[i];

        if (report_box(c, rect[i], AN_REPORT_BOX_MODULE, i, name,
                       c->mod_charged[mods[i]]) == NULL) {
            goto done;
        }
        /* the types below the module's name, when there is room */
        if (inner.h > 36.0 && inner.w > 40.0) {
            inner.x += 2.0;
            inner.w -= 4.0;
            inner.y += 16.0;
            inner.h -= 18.0;
            if (report_treemap_types(c, mods[i], inner, i, ko) != AN_OK) {
                goto done;
            }
        }
    }
    if (other > 0 && report_box(c, rect[n], AN_REPORT_BOX_OTHER_MODULES, n,
                                "other modules", other) == NULL) {
        goto done;
    }
    rc = AN_OK;

done:
    free(mo);
    free(ko);
    return rc;
}

/* The objects that retain the most, with their paths. */
static an_err
report_top(report_build *c, const uint32_t *objs, const uint64_t *retained,
           uint32_t n)
{
    const an_snap *s = c->s;
    an_bfs_result bfs;
    an_pathbuf pb;
    char addr[32];
    an_err rc;

    memset(&pb, 0, sizeof(pb));
    c->r->top = calloc((size_t)n + 1, sizeof(an_report_object));
    if (c->r->top == NULL) {
        return AN_ERR_NOMEM;
    }
    rc = an_bfs(&s->g, c->roots.ordered, c->roots.n, 0, &bfs);
    if (rc != AN_OK) {
        return rc;
    }
    rc = AN_ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++) {
        an_report_object *t = &c->r->top[c->r->n_top++];
        an_sbuf path = {0};

        t->retained = retained[i];
        t->size = s->cols.size[objs[i]];
        t->type = report_strdup(s->keys[an_snap_key_of(s, objs[i])]
                                   .display);
        snprintf(addr, sizeof(addr), "0x%llx",
                 (unsigned long long)s->cols.address[objs[i]]);
        t->address = report_strdup(addr);
        if (an_path_find(&pb, s, &bfs, 0, NULL, 0, objs[i]) == UINT32_MAX) {
            goto done;
        }
        an_path_text(&path, s, &c->roots, &pb);
        t->path = report_strdup(an_sbuf_str(&path));
        an_sbuf_free(&path);
        if (t->type == NULL || t->address == NULL || t->path == NULL) {
            goto done;
        }
    }
    rc = AN_OK;

done:
    an_pathbuf_free(&pb);
    an_bfs_free(&bfs);
    return rc;
}

an_err
an_report_snapshot(an_report *r, const an_snap *s, uint64_t top_rows)
{
    report_build c;
    an_domtree dt;
    uint32_t objs[REPORT_TOP_OBJECTS];
    uint64_t retained[REPORT_TOP_OBJECTS];
    uint32_t n_top = 0;
    an_err rc;

    memset(&c, 0, sizeof(c));
    memset(&dt, 0, sizeof(dt));
    c.r = r;
    c.s = s;
    c.top_rows = top_rows;
    r->snap = report_strdup(s->path);
    rc = r->snap != NULL ? report_meta(&c) : AN_ERR_NOMEM;
    if (rc == AN_OK) {
        rc = an_roots_of_snap(&c.roots, s);
    }
    if (rc == AN_OK) {
        rc = an_snap_dominators(s, &c.roots, &dt);
    }
    if (rc == AN_OK) {
        r->objects = s->g.n;
        r->edges = s->g.n_edges;
        r->reachable_count = dt.reachable_count;
        r->reachable_size = dt.reachable_size;
        r->unreachable_count = dt.unreachable_count;
        r->unreachable_size = dt.unreachable_size;
        r->size = dt.reachable_size + dt.unreachable_size;
        rc = an_snap_memory(s, &r->memory);
    }
    if (rc == AN_OK) {
        rc = report_groups(&c, &dt);
    }
    if (rc == AN_OK) {
        rc = report_rows(&c);
    }
    if (rc == AN_OK) {
        rc = report_treemap(&c);
    }
    if (rc == AN_OK) {
        n_top = an_dom_top(&dt, NULL, objs, REPORT_TOP_OBJECTS);
        for (uint32_t i = 0; i < n_top; i++) {
            retained[i] = dt.retained[objs[i]];
        }
    }
    /* the tree goes before the BFS comes */
    an_domtree_free(&dt);
    if (rc == AN_OK) {
        rc = report_top(&c, objs, retained, n_top);
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
    return rc;
}

an_err
an_report_base(an_report *r, const an_snap *base, const an_snap *s,
               an_leaks *lk)
{
    an_diff d;
    an_err rc;

    rc = an_diff_init(&d, 0, 0);
    if (rc == AN_OK) {
        rc = an_diff_add(&d, 0, base, NULL, NULL);
    }
    if (rc == AN_OK) {
        rc = an_diff_add(&d, 1, s, NULL, NULL);
    }
    if (rc == AN_OK && lk != NULL) {
        rc = an_leaks_base(lk, base);
        if (rc == AN_OK) {
            rc = an_leaks_target(lk, s);
        }
    }
    if (rc == AN_OK) {
        rc = an_diff_sort(&d);
    }
    if (rc != AN_OK) {
        an_diff_free(&d);
        return rc;
    }
    r->base = report_strdup(base->path);
    r->base_objects = d.count_a;
    r->base_size = d.size_a;
    r->changes = calloc(REPORT_CHANGES, sizeof(an_report_change));
    if (r->base == NULL || r->changes == NULL) {
        an_diff_free(&d);
        return AN_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < d.n_rows; i++) {
        const an_diff_row *w = &d.rows[i];
        an_report_change *ch;
        const char *m, *q;

        if (w->count_a == w->count_b && w->size_a == w->size_b) {
            continue;
        }
        r->n_changed++;
        if (r->n_changes >= REPORT_CHANGES) {
            continue;
        }
        an_strmap_key(d.names, w->id, &m, &q);
        ch = &r->changes[r->n_changes++];
        ch->module = report_strdup(m);
        ch->name = report_strdup(q);
        ch->count_a = w->count_a;
        ch->count_b = w->count_b;
        ch->size_a = w->size_a;
        ch->size_b = w->size_b;
        if (ch->module == NULL || ch->name == NULL) {
            an_diff_free(&d);
            return AN_ERR_NOMEM;
        }
    }
    an_diff_free(&d);
    return AN_OK;
}

/* A copy of the text of b (NULL when out of memory). */
static char *
report_text(const an_sbuf *b)
{
    return b->failed ? NULL : report_strdup(an_sbuf_str(b));
}

an_err
an_report_final(an_report *r, an_leaks *lk, const an_snap *final)
{
    const an_points *p = &lk->points;
    char addr[32];
    an_err rc;

    rc = an_leaks_points(lk, final, REPORT_MIN_COUNT, REPORT_LEAKS, 0, 0);
    if (rc != AN_OK) {
        return rc;
    }
    r->final = report_strdup(final->path);
    r->candidates = lk->candidates;
    r->n_points = (uint32_t)p->n_shown;
    r->leaks = calloc(REPORT_LEAKS, sizeof(an_report_leak));
    if (r->final == NULL || r->leaks == NULL) {
        return AN_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < p->n_listed && i < REPORT_LEAKS; i++) {
        const an_point_view *v = &p->listed[i];
        an_report_leak *t = &r->leaks[r->n_leaks++];
        an_sbuf types = {0}, hang = {0}, path = {0}, example = {0};

        t->count = v->pt.count;
        t->size = v->pt.size;
        t->retained = v->pt.retained;
        t->is_new = v->pt.kind == AN_POINT_NEW;
        t->label = report_strdup(v->label);
        t->type = report_strdup(final->keys[an_snap_key_of(final,
                                                           v->object)]
                                .display);
        snprintf(addr, sizeof(addr), "0x%llx",
                 (unsigned long long)final->cols.address[v->object]);
        t->address = report_strdup(addr);
        an_point_types_text(&types, final, v, 8);
        an_point_hang_text(&hang, v);
        an_path_text(&path, final, &p->roots, &v->path);
        an_path_text(&example, final, &p->roots, &v->example);
        t->types = report_text(&types);
        t->hang = report_text(&hang);
        t->path = report_text(&path);
        t->example = report_text(&example);
        an_sbuf_free(&types);
        an_sbuf_free(&hang);
        an_sbuf_free(&path);
        an_sbuf_free(&example);
        if (t->label == NULL || t->type == NULL || t->address == NULL
            || t->types == NULL || t->hang == NULL || t->path == NULL
            || t->example == NULL) {
            return AN_ERR_NOMEM;
        }
    }
    return AN_OK;
}

static void
free_objects(an_report_object *obj, uint32_t n)
{
    for (uint32_t i = 0; obj != NULL && i < n; i++) {
        free(obj[i].type);
        free(obj[i].address);
        free(obj[i].path);
    }
    free(obj);
}

static void
free_rows(an_report_row *rows, uint32_t n)
{
    for (uint32_t i = 0; rows != NULL && i < n; i++) {
        free(rows[i].module);
        free(rows[i].name);
    }
    free(rows);
}

void
an_report_free(an_report *r)
{
    free(r->snap);
    for (uint32_t i = 0; r->meta != NULL && i < r->n_meta; i++) {
        free(r->meta[i].key);
        free(r->meta[i].value);
    }
    free(r->meta);
    free_rows(r->types, r->n_types_shown);
    free_rows(r->modules, r->n_modules_shown);
    for (uint32_t i = 0; r->boxes != NULL && i < r->n_boxes; i++) {
        free(r->boxes[i].label);
        free(r->boxes[i].module);
        free(r->boxes[i].qualname);
    }
    free(r->boxes);
    free_objects(r->top, r->n_top);
    free(r->base);
    for (uint32_t i = 0; r->changes != NULL && i < r->n_changes; i++) {
        free(r->changes[i].module);
        free(r->changes[i].name);
    }
    free(r->changes);
    free(r->final);
    for (uint32_t i = 0; r->leaks != NULL && i < r->n_leaks; i++) {
        an_report_leak *t = &r->leaks[i];

        free(t->label);
        free(t->type);
        free(t->address);
        free(t->types);
        free(t->hang);
        free(t->path);
        free(t->example);
    }
    free(r->leaks);
    memset(r, 0, sizeof(*r));
}
