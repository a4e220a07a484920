/*
 * growth_probe.c - a prototype front-end of growth.h (accumulation
 * points), to validate the model end to end before it is wired into the
 * commands: it loads snapshots through snap.h, calls the model and prints
 * what it found.
 *
 *   growth_probe leaks BASE TARGET FINAL [options]
 *   growth_probe diff A B [options]
 *   growth_probe trend S1 S2 ... Sn [options]
 *   growth_probe fold-groups SNAP TYPE     paths of TYPE grouped by
 *                                          their folded shape (fold.h)
 * options:
 *   --json         one JSON object on stdout (members with --members)
 *   --members      with --json: each point's charged objects' addresses
 *   --top N        points shown (default 10; 0 = all)
 *   --min-count N  leave out points of fewer gained objects (default 2)
 *   --descend P    descend_permille (default 900)
 *
 * Not installed; the tests (test_leak_programs.py, the benchmark) run it.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dominators.h"
#include "fold.h"
#include "graph.h"
#include "growth.h"
#include "paths.h"
#include "roots.h"
#include "snap.h"

typedef struct probe_opts {
    int json, members;
    uint64_t top, min_count;
    uint32_t descend;
} probe_opts;

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
fail(const char *what, const char *path, const mf_error *err)
{
    fprintf(stderr, "growth_probe: %s '%s': %s\n", what, path,
            err ? err->message : "out of memory");
    return 1;
}

static int
open_snap(an_snap *s, const char *path, unsigned cols)
{
    mf_error err;

    memset(&err, 0, sizeof(err));
    if (an_snap_open(s, path, 0, NULL, NULL, &err) != MF_OK
        || an_snap_load(s, cols, &err) != MF_OK) {
        return fail("cannot read", path, &err);
    }
    return 0;
}

#define ID_COLS (MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_NAME)
#define ALL_COLS (ID_COLS | MF_COL_SIZE | MF_COL_EDGES \
                  | MF_COL_EDGE_KIND | MF_COL_EDGE_LABEL)

/* ---- text of paths ---------------------------------------------------- */

typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

static void
sb_add(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->s ? b->s + b->len : NULL,
                      b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            return;
        }
        if (b->s != NULL && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        b->cap = (b->cap + (size_t)n + 64) * 2;
        b->s = realloc(b->s, b->cap);
        if (b->s == NULL) {
            abort();
        }
        if (b->len == 0) {
            b->s[0] = '\0';
        }
    }
}

static const char *
type_name(const an_snap *s, uint32_t i)
{
    return s->keys[an_snap_key_of(s, i)].display;
}

/* The steps of a path objs[0..len) (edges[k] into objs[k]) as text, runs
 * of repeated cycles folded (fold.h): "['x'] .handlers (.next)+". */
static void
steps_text(sbuf *b, const an_snap *s, const uint32_t *objs,
           const uint64_t *edges, uint32_t len)
{
    uint64_t *keys = malloc(((size_t)len + 1) * sizeof(uint64_t) * 2);
    an_fold_item *items = NULL;
    uint32_t n_items;
    char label[256];

    if (keys == NULL) {
        abort();
    }
    /* a step: edge kind, folded label, type of the object reached */
    for (uint32_t k = 1; k < len; k++) {
        uint8_t kind = s->cols.edge_kind ? s->cols.edge_kind[edges[k]] : 0;
        uint8_t km = kind & MF_EDGE_KIND_MASK;
        uint64_t lab = s->cols.edge_label ? s->cols.edge_label[edges[k]] : 0;

        if (km == MF_EDGE_INDEX || km == MF_EDGE_KEY_INT) {
            lab = UINT64_MAX;
        }
        keys[2 * (k - 1)] = ((uint64_t)kind << 32) | s->cols.type[objs[k]];
        keys[2 * (k - 1) + 1] = lab;
    }
    n_items = an_fold_path((const an_fold_step *)keys, len ? len - 1 : 0, 8,
                           &items);
    if (n_items == UINT32_MAX) {
        abort();
    }
    for (uint32_t i = 0; i < n_items; i++) {
        const an_fold_item *it = &items[i];

        if (it->kind == AN_FOLD_OPEN) {
            sb_add(b, " (");
            continue;
        }
        if (it->kind == AN_FOLD_CLOSE) {
            sb_add(b, ")+");
            continue;
        }
        {
            uint32_t k = it->step + 1;  /* path index of the step */
            uint8_t km = s->cols.edge_kind
                         ? s->cols.edge_kind[edges[k]] & MF_EDGE_KIND_MASK : 0;

            if (it->in_repeat && (km == MF_EDGE_INDEX
                                  || km == MF_EDGE_KEY_INT)) {
                sb_add(b, "%s[i]", b->len && b->s[b->len - 1] == '(' ? ""
                                                                     : " ");
                continue;
            }
            an_snap_edge_label(s, edges[k], label, sizeof(label));
            if (label[0] == '\0') {
                sb_add(b, " -> <%s>", type_name(s, objs[k]));
            }
            else {
                sb_add(b, "%s%s", b->len && b->s[b->len - 1] == '(' ? ""
                                                                   : " ",
                       label);
            }
        }
    }
    free(items);
    free(keys);
}

static void
root_text(sbuf *b, const an_snap *s, const an_roots *roots, uint32_t obj)
{
    char buf[256];

    an_root_text(s, an_roots_find(roots, obj), obj, buf, sizeof(buf));
    sb_add(b, "%s", buf);
}

/* The path from a root to obj. */
static void
path_text(sbuf *b, const an_snap *s, const an_roots *roots,
          const an_bfs_result *bfs, uint32_t obj)
{
    uint32_t cap = 1024, len;
    uint32_t *objs = malloc(cap * sizeof(uint32_t));
    uint64_t *edges;

    len = an_path(&s->g, bfs, obj, objs, cap);
    if (len > cap) {
        cap = len;
        objs = realloc(objs, cap * sizeof(uint32_t));
        len = an_path(&s->g, bfs, obj, objs, cap);
    }
    if (len == 0) {
        sb_add(b, "<unreachable>");
        free(objs);
        return;
    }
    edges = malloc((size_t)len * sizeof(uint64_t));
    for (uint32_t k = 0; k < len; k++) {
        edges[k] = k ? bfs->via[objs[k]] : 0;
    }
    root_text(b, s, roots, objs[0]);
    steps_text(b, s, objs, edges, len);
    free(objs);
    free(edges);
}

/* The point's label (growth.h). */
static void
label_text(sbuf *b, const an_snap *s, const an_roots *roots,
           const an_bfs_result *bfs, uint32_t obj)
{
    char buf[512];

    if (an_growth_label(s, roots, bfs, obj, buf, sizeof(buf)) == 0) {
        snprintf(buf, sizeof(buf), "%s", type_name(s, obj));
    }
    sb_add(b, "%s", buf);
}

static void
json_str(const char *t)
{
    putchar('"');
    for (; *t; t++) {
        unsigned char c = (unsigned char)*t;

        if (c == '"' || c == '\\') {
            printf("\\%c", c);
        }
        else if (c < 0x20) {
            printf("\\u%04x", c);
        }
        else {
            putchar(c);
        }
    }
    putchar('"');
}

/* ---- one growth computation and its report ---------------------------- */

typedef struct result {
    an_snap *s;
    an_roots roots;
    an_domtree dt;
    an_bfs_result bfs;
    an_growth gr;
    double t_dom, t_bfs, t_growth;
} result;

static int
compute(result *r, an_snap *s, const uint64_t *old, const uint64_t *gained,
        const probe_opts *po)
{
    an_growth_opts go;
    double t0 = now();

    r->s = s;
    if (an_roots_of_snap(&r->roots, s) != 0
        || an_dominators(&s->g, s->cols.size, r->roots.ordered, r->roots.n,
                         &r->dt) != 0) {
        return -1;
    }
    r->t_dom = now() - t0;
    t0 = now();
    if (an_bfs(&s->g, r->roots.ordered, r->roots.n, 0, &r->bfs) != 0) {
        return -1;
    }
    r->t_bfs = now() - t0;
    t0 = now();
    an_growth_opts_init(&go);
    go.descend_permille = po->descend;
    go.class_of_type = s->type_key;
    go.n_types = s->n_types;
    go.unknown_class = s->n_keys;
    go.members = po->members;
    if (an_growth_find(&s->g, s->cols.size, &r->dt, &r->bfs, old, gained,
                       &go, &r->gr) != 0) {
        return -1;
    }
    r->t_growth = now() - t0;
    return 0;
}

static void
result_free(result *r)
{
    an_growth_free(&r->gr);
    an_bfs_free(&r->bfs);
    an_domtree_free(&r->dt);
    an_roots_free(&r->roots);
}

static void
example_text(sbuf *b, const result *r, const an_growth_point *p)
{
    uint32_t cap = 4096, len;
    uint32_t *objs = malloc(cap * sizeof(uint32_t));
    uint64_t *edges = malloc(cap * sizeof(uint64_t));

    len = an_growth_path(&r->s->g, &r->bfs, p->object, p->example, objs,
                         edges, cap);
    if (len > 0 && len <= cap) {
        sb_add(b, "%s", type_name(r->s, objs[0]));
        steps_text(b, r->s, objs, edges, len);
        sb_add(b, " -> %s", type_name(r->s, objs[len - 1]));
    }
    free(objs);
    free(edges);
}

static void
report_text(const result *r, const probe_opts *po)
{
    const an_growth *gr = &r->gr;
    const an_snap *s = r->s;
    uint64_t shown = 0;

    printf("%llu gained objects (%llu bytes) in %llu units, %u points; "
           "%llu shared units, %llu weak; unreachable %llu\n",
           (unsigned long long)gr->gained_count,
           (unsigned long long)gr->gained_size,
           (unsigned long long)gr->units, gr->n_points,
           (unsigned long long)gr->shared_units,
           (unsigned long long)gr->weak_units,
           (unsigned long long)gr->unreachable_count);
    for (uint32_t i = 0; i < gr->n_points; i++) {
        const an_growth_point *p = &gr->points[i];
        sbuf b = {0};

        if (p->count < po->min_count) {
            continue;
        }
        if (po->top && shown >= po->top) {
            break;
        }
        shown++;
        label_text(&b, s, &r->roots, &r->bfs, p->object);
        printf("\n#%llu  %s  gained %llu objects, retaining %llu bytes "
               "(%s, %u units, %u holders)\n", (unsigned long long)shown,
               b.s, (unsigned long long)p->count,
               (unsigned long long)p->retained,
               p->kind == AN_POINT_HOLDER ? "holder" : "new structure",
               p->n_units, p->n_holders);
        b.len = 0;
        path_text(&b, s, &r->roots, &r->bfs, p->object);
        printf("    at:   %s -> %s @0x%llx\n", b.s, type_name(s, p->object),
               (unsigned long long)s->cols.address[p->object]);
        printf("    by type:");
        for (uint32_t t = 0; t < p->n_types && t < 5; t++) {
            const an_growth_type *ty = &gr->types[p->first_type + t];

            printf(" %llu %s", (unsigned long long)ty->count,
                   ty->type <= s->n_keys ? s->keys[ty->type].display : "?");
        }
        printf("\n    hang:");
        for (int h = 0; h < AN_HANG_KINDS; h++) {
            if (p->hang[h]) {
                printf(" %llu %s", (unsigned long long)p->hang[h],
                       an_hang_name(h));
            }
        }
        b.len = 0;
        example_text(&b, r, p);
        printf("\n    e.g.: %s @0x%llx\n", b.s,
               (unsigned long long)s->cols.address[p->example]);
        for (uint32_t h = 1; h < p->n_holders && h < 4; h++) {
            const an_growth_holder *ho = &gr->holders[p->first_holder + h];

            b.len = 0;
            label_text(&b, s, &r->roots, &r->bfs, ho->object);
            printf("    also held by: %s (%u units)\n", b.s, ho->units);
        }
        free(b.s);
    }
}

static void
report_json(const result *r, const probe_opts *po)
{
    const an_growth *gr = &r->gr;
    const an_snap *s = r->s;
    int first = 1;

    printf("{\"gained\": %llu, \"gained_size\": %llu, \"units\": %llu, "
           "\"shared_units\": %llu, \"weak_units\": %llu, "
           "\"unreachable\": %llu, \"seconds\": {\"dominators\": %.3f, "
           "\"bfs\": %.3f, \"growth\": %.3f}, \"points\": [",
           (unsigned long long)gr->gained_count,
           (unsigned long long)gr->gained_size,
           (unsigned long long)gr->units,
           (unsigned long long)gr->shared_units,
           (unsigned long long)gr->weak_units,
           (unsigned long long)gr->unreachable_count, r->t_dom, r->t_bfs,
           r->t_growth);
    for (uint32_t i = 0; i < gr->n_points; i++) {
        const an_growth_point *p = &gr->points[i];
        sbuf b = {0};

        if (p->count < po->min_count) {
            continue;
        }
        printf("%s\n {\"rank\": %u, \"object\": \"0x%llx\", \"type\": ",
               first ? "" : ",", i, (unsigned long long)s->cols.address[p->object]);
        first = 0;
        json_str(type_name(s, p->object));
        printf(", \"newer\": %s, \"kind\": \"%s\", \"depth\": %u, "
               "\"count\": %llu, \"size\": %llu, \"retained\": %llu, "
               "\"units\": %u, ", p->newer ? "true" : "false",
               p->kind == AN_POINT_HOLDER ? "holder" : "new", p->depth,
               (unsigned long long)p->count, (unsigned long long)p->size,
               (unsigned long long)p->retained, p->n_units);
        label_text(&b, s, &r->roots, &r->bfs, p->object);
        printf("\"label\": ");
        json_str(b.s);
        b.len = 0;
        path_text(&b, s, &r->roots, &r->bfs, p->object);
        printf(", \"path\": ");
        json_str(b.s);
        b.len = 0;
        example_text(&b, r, p);
        printf(", \"example\": \"0x%llx\", \"example_path\": ",
               (unsigned long long)s->cols.address[p->example]);
        json_str(b.s);
        printf(", \"holders\": [");
        for (uint32_t h = 0; h < p->n_holders; h++) {
            const an_growth_holder *ho = &gr->holders[p->first_holder + h];

            printf("%s{\"object\": \"0x%llx\", \"units\": %u, \"count\": "
                   "%llu}", h ? ", " : "",
                   (unsigned long long)s->cols.address[ho->object],
                   ho->units, (unsigned long long)ho->count);
        }
        printf("], \"types\": [");
        for (uint32_t t = 0; t < p->n_types; t++) {
            const an_growth_type *ty = &gr->types[p->first_type + t];

            printf("%s[", t ? ", " : "");
            json_str(ty->type <= s->n_keys ? s->keys[ty->type].display : "?");
            printf(", %llu, %llu]", (unsigned long long)ty->count,
                   (unsigned long long)ty->size);
        }
        printf("], \"hang\": {");
        for (int h = 0; h < AN_HANG_KINDS; h++) {
            printf("%s\"%s\": %llu", h ? ", " : "", an_hang_name(h),
                   (unsigned long long)p->hang[h]);
        }
        printf("}");
        if (po->members && gr->group_of != NULL) {
            int f = 1;

            printf(", \"members\": [");
            for (uint32_t v = 0; v < s->g.n; v++) {
                if (gr->group_of[v] == i) {
                    printf("%s\"0x%llx\"", f ? "" : ",",
                           (unsigned long long)s->cols.address[v]);
                    f = 0;
                }
            }
            printf("]");
        }
        printf("}");
        free(b.s);
    }
    printf("\n]}\n");
}

/* ---- the modes -------------------------------------------------------- */

static int
mode_growth(char **paths, int n_paths, const probe_opts *po)
{
    an_snap s[3];
    an_growth_ids ids;
    uint64_t *old = NULL, *gained = NULL;
    result r;
    int rc = 1, last = n_paths - 1;

    double t0 = now(), t_load[3] = {0}, t_ids[3] = {0};

    memset(s, 0, sizeof(s));
    memset(&ids, 0, sizeof(ids));
    memset(&r, 0, sizeof(r));
    for (int i = 0; i < last; i++) {
        if (open_snap(&s[i], paths[i], ID_COLS) != 0) {
            goto done;
        }
        t_load[i] = now() - t0;
        t0 = now();
        if ((i == 0 ? an_growth_ids_before(&ids, &s[0])
                    : an_growth_ids_target(&ids, &s[1])) != 0) {
            fail("out of memory on", paths[i], NULL);
            goto done;
        }
        t_ids[i] = now() - t0;
        an_snap_close(&s[i]);
        t0 = now();
    }
    if (open_snap(&s[last], paths[last], ALL_COLS) != 0) {
        goto done;
    }
    t_load[last] = now() - t0;
    t0 = now();
    gained = an_growth_ids_mark(&ids, &s[last], &old);
    if (gained == NULL) {
        fail("out of memory on", paths[last], NULL);
        goto done;
    }
    t_ids[last] = now() - t0;
    fprintf(stderr, "growth_probe: load %.3f %.3f %.3f s, identities "
            "%.3f %.3f %.3f s\n", t_load[0], t_load[1], t_load[2],
            t_ids[0], t_ids[1], t_ids[2]);
    if (compute(&r, &s[last], old, gained, po) != 0) {
        fail("out of memory on", paths[last], NULL);
        goto done;
    }
    if (po->json) {
        report_json(&r, po);
    }
    else {
        report_text(&r, po);
    }
    fprintf(stderr, "growth_probe: dominators %.3f s, bfs %.3f s, "
            "growth %.3f s\n", r.t_dom, r.t_bfs, r.t_growth);
    rc = 0;

done:
    result_free(&r);
    free(old);
    free(gained);
    an_growth_ids_free(&ids);
    for (int i = 0; i < 3; i++) {
        an_snap_close(&s[i]);
    }
    return rc;
}

static int
mode_trend(char **paths, int n_paths, const probe_opts *po)
{
    an_growth_series sr;
    an_growth_ids ids;
    int rc = 1;

    memset(&ids, 0, sizeof(ids));
    if (an_growth_series_init(&sr) != 0) {
        return fail("out of memory", "", NULL);
    }
    for (int i = 0; i < n_paths; i++) {
        an_snap s;
        result r;
        uint64_t *old = NULL, *gained = NULL;
        int ok = 1;

        memset(&s, 0, sizeof(s));
        memset(&r, 0, sizeof(r));
        if (open_snap(&s, paths[i], i ? ALL_COLS : ID_COLS) != 0) {
            an_snap_close(&s);
            goto done;
        }
        if (i > 0) {
            gained = an_growth_ids_mark(&ids, &s, &old);
            ok = gained != NULL && compute(&r, &s, old, gained, po) == 0
                 && an_growth_series_add(&sr, (uint32_t)(i - 1), &s,
                                         &r.dt, &r.gr) == 0;
        }
        ok = ok && an_growth_ids_before(&ids, &s) == 0;
        result_free(&r);
        free(old);
        free(gained);
        an_snap_close(&s);
        if (!ok) {
            fail("out of memory on", paths[i], NULL);
            goto done;
        }
    }
    an_growth_ids_free(&ids);
    printf("%s{\"steps\": %u, \"growing\": [", po->json ? "" : "",
           sr.n_steps);
    {
        int first = 1;

        for (uint32_t t = 0; t < sr.n_tracks; t++) {
            const an_growth_track *tr = &sr.tracks[t];
            const char *m, *q;

            if (!an_growth_series_grew(&sr, tr)) {
                continue;
            }
            an_strmap_key(sr.names, tr->object_name, &m, &q);
            printf("%s\n {\"object\": \"0x%llx\", \"type\": \"%s\", "
                   "\"holder\": \"0x%llx\", \"last_count\": %llu, "
                   "\"total_count\": %llu, \"retained\": %llu, \"total\": %llu}",
                   first ? "" : ",",
                   (unsigned long long)tr->object_address, q,
                   (unsigned long long)tr->holder_address,
                   (unsigned long long)tr->count,
                   (unsigned long long)tr->total_count,
                   (unsigned long long)tr->retained,
                   (unsigned long long)tr->total);
            first = 0;
        }
    }
    printf("\n]}\n");
    rc = 0;

done:
    an_growth_ids_free(&ids);
    an_growth_series_free(&sr);
    return rc;
}

/* paths of TYPE grouped by their folded shape: the proof of fold.h on a
 * real heap (heapgen's tree) before paths.c uses it */
static int
mode_fold_groups(const char *path, const char *type, const probe_opts *po)
{
    an_snap s;
    an_roots roots;
    an_bfs_result bfs;
    an_fold_groups fg;
    unsigned char *match = NULL;
    uint32_t *targets = NULL, n_targets = 0;
    double t0;
    int rc = 1;

    memset(&s, 0, sizeof(s));
    memset(&roots, 0, sizeof(roots));
    memset(&bfs, 0, sizeof(bfs));
    memset(&fg, 0, sizeof(fg));
    if (open_snap(&s, path, ALL_COLS) != 0) {
        goto done;
    }
    match = calloc((size_t)s.n_keys + 1, 1);
    targets = malloc((size_t)s.g.n * sizeof(uint32_t) + 4);
    if (match == NULL || targets == NULL) {
        goto done;
    }
    if (an_snap_match_type(&s, type, match) == 0) {
        fprintf(stderr, "growth_probe: no type '%s'\n", type);
        goto done;
    }
    for (uint32_t i = 0; i < s.g.n; i++) {
        if (match[an_snap_key_of(&s, i)]) {
            targets[n_targets++] = i;
        }
    }
    t0 = now();
    if (an_roots_of_snap(&roots, &s) != 0
        || an_bfs(&s.g, roots.ordered, roots.n, 0, &bfs) != 0
        || an_fold_group_paths(&s.g, &bfs, &roots, targets, n_targets, 8,
                               &fg) != 0) {
        fail("out of memory on", path, NULL);
        goto done;
    }
    fprintf(stderr, "growth_probe: bfs + folded grouping %.3f s\n",
            now() - t0);
    printf("%u %s in %u groups\n", n_targets, type, fg.n_groups);
    for (uint32_t i = 0; i < fg.n_groups && (po->top == 0 || i < po->top);
         i++) {
        sbuf b = {0};

        path_text(&b, &s, &roots, &bfs, fg.groups[i].example);
        printf("  %llu  %s -> %s\n",
               (unsigned long long)fg.groups[i].count, b.s, type);
        free(b.s);
    }
    rc = 0;

done:
    an_fold_groups_free(&fg);
    an_bfs_free(&bfs);
    an_roots_free(&roots);
    an_snap_close(&s);
    free(match);
    free(targets);
    return rc;
}

static int
usage(void)
{
    fprintf(stderr,
            "usage: growth_probe leaks BASE TARGET FINAL [options]\n"
            "       growth_probe diff A B [options]\n"
            "       growth_probe trend S1 S2 ... [options]\n"
            "       growth_probe fold-groups SNAP TYPE [--top N]\n"
            "options: --json --members --top N --min-count N "
            "--descend PERMILLE\n");
    return 2;
}

int
main(int argc, char **argv)
{
    probe_opts po = {0, 0, 10, 2, AN_GROWTH_DESCEND_DEFAULT};
    char *pos[64];
    int n_pos = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--json") == 0) {
            po.json = 1;
        }
        else if (strcmp(a, "--members") == 0) {
            po.members = 1;
        }
        else if ((strcmp(a, "--top") == 0 || strcmp(a, "--min-count") == 0
                  || strcmp(a, "--descend") == 0) && i + 1 < argc) {
            char *end;
            unsigned long long v;

            errno = 0;
            v = strtoull(argv[++i], &end, 10);
            if (errno || *end) {
                return usage();
            }
            if (a[2] == 't') {
                po.top = v;
            }
            else if (a[2] == 'm') {
                po.min_count = v;
            }
            else {
                po.descend = (uint32_t)v;
            }
        }
        else if (a[0] == '-' || n_pos == 64) {
            return usage();
        }
        else {
            pos[n_pos++] = argv[i];
        }
    }
    if (n_pos < 1) {
        return usage();
    }
    if (strcmp(pos[0], "leaks") == 0 && n_pos == 4) {
        return mode_growth(pos + 1, 3, &po);
    }
    if (strcmp(pos[0], "diff") == 0 && n_pos == 3) {
        return mode_growth(pos + 1, 2, &po);
    }
    if (strcmp(pos[0], "trend") == 0 && n_pos >= 3) {
        return mode_trend(pos + 1, n_pos - 1, &po);
    }
    if (strcmp(pos[0], "fold-groups") == 0 && n_pos == 3) {
        return mode_fold_groups(pos[1], pos[2], &po);
    }
    return usage();
}
