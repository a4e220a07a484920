/*
 * growth_view.c - what the front-ends of growth.h share: a snapshot's
 * points computed (roots, dominators, shortest paths, the model) and
 * shown (names, paths, types, holders), ready for render/.
 */
#include "lib/growth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/number.h"
#include "base/sbuf.h"

/* A copy of t, or NULL when out of memory (strdup is not C11). */
static char *
copy_text(const char *t)
{
    size_t n = strlen(t) + 1;
    char *c = malloc(n);

    if (c != NULL) {
        memcpy(c, t, n);
    }
    return c;
}

/* ---- a point's example path ------------------------------------------- */

uint32_t
an_growth_path(const an_graph *g, const an_bfs_result *bfs, uint32_t from,
               uint32_t x, uint32_t *objs, uint64_t *edges, uint32_t cap,
               int *from_root)
{
    uint32_t len, at;

    *from_root = 0;
    if (from >= g->n || x >= g->n || bfs->via[x] == AN_UNREACHED) {
        return 0;
    }
    if (from == x) {
        if (cap >= 1) {
            objs[0] = x;
            edges[0] = UINT64_MAX;
        }
        return 1;
    }
    /* a direct edge, a strong one first */
    if (g->edge_start != NULL) {
        uint64_t found = UINT64_MAX;

        for (uint64_t e = g->edge_start[from]; e < g->edge_start[from + 1];
             e++) {
            if (g->edge_target[e] != x) {
                continue;
            }
            if (an_edge_followed(g, e, 0)) {
                found = e;
                break;
            }
            if (found == UINT64_MAX) {
                found = e;
            }
        }
        if (found != UINT64_MAX) {
            if (cap >= 2) {
                objs[0] = from;
                objs[1] = x;
                edges[0] = UINT64_MAX;
                edges[1] = found;
            }
            return 2;
        }
    }
    len = an_path(g, bfs, x, objs, cap);
    if (len == 0 || len > cap) {
        return len;
    }
    for (at = 0; at < len && objs[at] != from; at++) {
    }
    if (at == len) {
        at = 0;     /* `from` is not on it: the whole path */
        *from_root = 1;
    }
    memmove(objs, objs + at, (size_t)(len - at) * sizeof(uint32_t));
    len -= at;
    for (uint32_t k = 0; k < len; k++) {
        edges[k] = k == 0 ? UINT64_MAX : bfs->via[objs[k]];
    }
    return len;
}

/* ---- a point's label ---------------------------------------------------- */

/* Containers a label names by their owner. */
static int
plain_container(const an_key *k)
{
    static const char *const builtins[] = {
        "dict", "list", "tuple", "set", "frozenset", "cell", "mappingproxy",
        NULL,
    };
    static const char *const collections[] = {
        "deque", "OrderedDict", "defaultdict", NULL,
    };
    const char *const *names = strcmp(k->module, "builtins") == 0
                               ? builtins
                               : strcmp(k->module, "collections") == 0
                               ? collections : NULL;

    for (int i = 0; names != NULL && names[i] != NULL; i++) {
        if (strcmp(k->qualname, names[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static int
is_lru_cache(const an_key *k)
{
    return strcmp(k->module, "functools") == 0
           && strcmp(k->qualname, "_lru_cache_wrapper") == 0;
}

/* A ['identifier'] label: an attribute in a __dict__. */
static int
attribute_key(const char *t)
{
    size_t n = strlen(t);

    if (n < 5 || t[0] != '[' || t[1] != '\'' || t[n - 2] != '\''
        || t[n - 1] != ']' || (t[2] >= '0' && t[2] <= '9')) {
        return 0;
    }
    for (size_t i = 2; i < n - 2; i++) {
        char c = t[i];

        if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9'))) {
            return 0;
        }
    }
    return 1;
}

#define LABEL_TEXT 256

/* The steps path[from+1 .. to] as a label writes them: `.__dict__` left
 * out, a __dict__'s ['name'] as .name, an unlabeled reference as
 * "-> TYPE".  The edge into path[k] is via[k], or with via NULL the
 * shortest path's (bfs). */
static void
label_steps(an_sbuf *b, const an_snap *s, const an_bfs_result *bfs,
            const uint32_t *path, const uint32_t *via, uint32_t from,
            uint32_t to)
{
    char text[LABEL_TEXT];
    int in_dict = 0;

    for (uint32_t k = from + 1; k <= to; k++) {
        an_snap_edge_label(s, via != NULL ? via[k] : bfs->via[path[k]], text,
                           sizeof(text));
        if (strcmp(text, ".__dict__") == 0) {
            in_dict = 1;
            continue;
        }
        if (in_dict && attribute_key(text)) {
            text[strlen(text) - 2] = '\0';
            an_sbuf_printf(b, " .%s", text + 2);
        }
        else if (text[0] == '\0') {
            an_sbuf_printf(b, " -> %s",
                           s->keys[an_snap_key_of(s, path[k])].display);
        }
        else {
            an_sbuf_printf(b, " %s", text);
        }
        in_dict = 0;
    }
}

/* The owner path[k] by itself: its name (a class, a function, a module),
 * else its type and the str key it is held under ("Logger 'app'"). */
static void
label_owner(an_sbuf *b, const an_snap *s, const an_roots *roots,
            const an_bfs_result *bfs, const uint32_t *path, uint32_t k)
{
    uint32_t obj = path[k];
    const char *name = NULL;
    size_t nl = 0;

    if (s->cols.name != NULL && s->cols.name[obj] != MF_NONE) {
        name = mf_reader_string(s->reader, s->cols.name[obj], &nl);
    }
    if (name != NULL && nl > 0) {
        an_sbuf_printf(b, "%.*s", (int)(nl > 120 ? 120 : nl), name);
        return;
    }
    if (plain_container(&s->keys[an_snap_key_of(s, obj)])) {
        char text[LABEL_TEXT];
        const char *t = text;

        an_root_text(s, an_roots_find(roots, obj), obj, text, sizeof(text));
        /* "<thread 1398... main() globals>": "main() globals", the
         * thread's id says nothing in a name */
        if (strncmp(text, "<thread ", 8) == 0 && text[8] >= '0'
            && text[8] <= '9') {
            size_t d = 8, n = strlen(text);

            while (text[d] >= '0' && text[d] <= '9') {
                d++;
            }
            if (text[d] == ' ' && text[n - 1] == '>') {
                text[n - 1] = '\0';
                t = text + d + 1;
            }
        }
        an_sbuf_printf(b, "%s", t);
        return;
    }
    an_sbuf_printf(b, "%s", s->keys[an_snap_key_of(s, obj)].display);
    if (k > 0 && s->cols.edge_kind != NULL
        && (s->cols.edge_kind[bfs->via[obj]] & MF_EDGE_KIND_MASK)
           == MF_EDGE_KEY_STR) {
        char text[LABEL_TEXT];
        size_t n = an_snap_edge_label(s, bfs->via[obj], text, sizeof(text));

        /* ['app'] -> 'app' */
        if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
            text[n - 1] = '\0';
            an_sbuf_printf(b, " %s", text + 1);
        }
        else {
            an_sbuf_printf(b, " %s", text);
        }
    }
}

/* The nearest object of path[0..to] that is no plain container, or
 * MF_NONE. */
static uint32_t
label_owner_index(const an_snap *s, const uint32_t *path, uint32_t to)
{
    for (uint32_t k = to + 1; k > 0; k--) {
        if (!plain_container(&s->keys[an_snap_key_of(s, path[k - 1])])) {
            return k - 1;
        }
    }
    return MF_NONE;
}

/* The label of path[to] (path from a root) appended to b. */
static void
label_of(an_sbuf *b, const an_snap *s, const an_roots *roots,
         const an_bfs_result *bfs, const uint32_t *path, uint32_t to)
{
    uint32_t from = label_owner_index(s, path, to);

    if (from == MF_NONE) {
        label_owner(b, s, roots, bfs, path, 0);
        label_steps(b, s, bfs, path, NULL, 0, to);
        return;
    }
    if (is_lru_cache(&s->keys[an_snap_key_of(s, path[from])])) {
        /* name the cache by what it decorates: the owner before it and
         * the steps to it, without spaces ("PriceCalculator.quote") */
        an_sbuf name = {0};
        const char *t;
        uint32_t prev = from > 0 ? label_owner_index(s, path, from - 1)
                                 : MF_NONE;

        if (prev == MF_NONE) {
            label_owner(&name, s, roots, bfs, path, 0);
            label_steps(&name, s, bfs, path, NULL, 0, from);
        }
        else {
            label_owner(&name, s, roots, bfs, path, prev);
            label_steps(&name, s, bfs, path, NULL, prev, from);
        }
        for (t = an_sbuf_str(&name); *t; t++) {
            if (!(t[0] == ' ' && t[1] == '.')) {
                an_sbuf_printf(b, "%c", *t);
            }
        }
        an_sbuf_free(&name);
        an_sbuf_printf(b, "'s lru_cache");
        /* the cache dict itself is what "lru_cache" says */
        if (to == from + 1 && s->cols.edge_kind != NULL
            && (s->cols.edge_kind[bfs->via[path[to]]] & MF_EDGE_KIND_MASK)
               == MF_EDGE_REF) {
            return;
        }
        label_steps(b, s, bfs, path, NULL, from, to);
        return;
    }
    label_owner(b, s, roots, bfs, path, from);
    label_steps(b, s, bfs, path, NULL, from, to);
}

/* The BFS path of obj into *path (malloc'ed); its length, 0 when
 * unreached or out of memory. */
static uint32_t
path_of(const an_snap *s, const an_bfs_result *bfs, uint32_t obj,
        uint32_t **path)
{
    uint32_t len = an_path(&s->g, bfs, obj, NULL, 0);

    *path = len ? malloc((size_t)len * sizeof(uint32_t)) : NULL;
    if (*path == NULL || an_path(&s->g, bfs, obj, *path, len) != len) {
        free(*path);
        *path = NULL;
        return 0;
    }
    return len;
}

size_t
an_growth_label(const an_snap *s, const an_roots *roots,
                const an_bfs_result *bfs, uint32_t obj, char *buf,
                size_t cap)
{
    an_sbuf b = {0};
    uint32_t *path, len = path_of(s, bfs, obj, &path);
    size_t n = 0;

    if (cap > 0) {
        buf[0] = '\0';
    }
    if (len == 0) {
        return 0;
    }
    label_of(&b, s, roots, bfs, path, len - 1);
    if (cap > 0) {
        n = b.len < cap - 1 ? b.len : cap - 1;
        memcpy(buf, an_sbuf_str(&b), n);
        buf[n] = '\0';
    }
    an_sbuf_free(&b);
    free(path);
    return n;
}

/* ---- a snapshot's points ------------------------------------------------ */

an_err
an_growth_run_compute(an_growth_run *run, const an_snap *s,
                      const uint64_t *old, const uint64_t *gained,
                      int members)
{
    an_growth_opts opts;
    an_err rc;

    memset(run, 0, sizeof(*run));
    rc = an_roots_of_snap(&run->roots, s);
    if (rc == AN_OK) {
        rc = an_snap_dominators(s, &run->roots, &run->dt);
    }
    if (rc == AN_OK) {
        rc = an_bfs(&s->g, run->roots.ordered, run->roots.n, 0, &run->bfs);
    }
    if (rc == AN_OK) {
        an_growth_opts_init(&opts);
        opts.class_of_type = s->type_key;
        opts.n_types = s->n_types;
        opts.unknown_class = s->n_keys;
        opts.members = members;
        rc = an_growth_find(&s->g, s->cols.size, &run->dt, &run->bfs, old,
                            gained, &opts, &run->gr);
    }
    return rc;
}

void
an_growth_run_free(an_growth_run *run)
{
    an_growth_free(&run->gr);
    an_bfs_free(&run->bfs);
    an_domtree_free(&run->dt);
    an_roots_free(&run->roots);
    memset(run, 0, sizeof(*run));
}

/* The label of the entry: the object's own; for a new structure whose
 * point is below its head, the steps down to the point too. */
static char *
entry_label(const an_snap *s, const an_growth_run *run, uint32_t object,
            const an_pathbuf *fans_out)
{
    an_sbuf b = {0};
    uint32_t *path, len = path_of(s, &run->bfs, object, &path);
    char *out;

    if (len == 0) {
        an_sbuf_printf(&b, "%s",
                       s->keys[an_snap_key_of(s, object)].display);
    }
    else {
        label_of(&b, s, &run->roots, &run->bfs, path, len - 1);
    }
    free(path);
    if (fans_out->len > 1) {
        label_steps(&b, s, &run->bfs, fans_out->objs, fans_out->via, 0,
                    fans_out->len - 1);
    }
    out = b.failed ? NULL : copy_text(an_sbuf_str(&b));
    an_sbuf_free(&b);
    return out;
}

/* The path from `from` to x into pb (an_growth_path()). */
static an_err
view_path(an_pathbuf *pb, const an_snap *s, const an_growth_run *run,
          uint32_t from, uint32_t x)
{
    uint32_t cap = 64, len, *objs = NULL;
    uint64_t *edges = NULL;
    int from_root;
    an_err rc = AN_OK;

    for (;;) {
        uint32_t *o = realloc(objs, (size_t)cap * sizeof(uint32_t));
        uint64_t *e;

        if (o == NULL) {
            rc = AN_ERR_NOMEM;
            break;
        }
        objs = o;
        e = realloc(edges, (size_t)cap * sizeof(uint64_t));
        if (e == NULL) {
            rc = AN_ERR_NOMEM;
            break;
        }
        edges = e;
        len = an_growth_path(&s->g, &run->bfs, from, x, objs, edges, cap,
                             &from_root);
        if (len <= cap) {
            rc = an_path_set(pb, s, objs, edges, len, from_root);
            break;
        }
        cap = len;
    }
    free(objs);
    free(edges);
    return rc;
}

static an_err
view_make(an_point_view *v, const an_snap *s, const an_growth_run *run,
          uint32_t rank)
{
    const an_growth *gr = &run->gr;
    const an_growth_point *pt = &gr->points[rank];
    an_err rc;

    v->rank = rank;
    v->pt = *pt;
    v->object = pt->kind == AN_POINT_NEW && pt->head != MF_NONE ? pt->head
                                                                : pt->object;
    if (an_path_find(&v->path, s, &run->bfs, 0, NULL, 0, v->object)
        == UINT32_MAX) {
        return AN_ERR_NOMEM;
    }
    if (v->object != pt->object) {
        rc = view_path(&v->fans_out, s, run, v->object, pt->object);
        if (rc != AN_OK) {
            return rc;
        }
        if (v->fans_out.from_root) {
            /* the head is not on the point's path: no steps to show */
            an_pathbuf_free(&v->fans_out);
        }
    }
    rc = view_path(&v->example, s, run, v->object,
                   pt->example != MF_NONE ? pt->example : pt->object);
    if (rc != AN_OK) {
        return rc;
    }
    v->label = entry_label(s, run, v->object, &v->fans_out);
    v->types = malloc(((size_t)pt->n_types + 1) * sizeof(an_point_type));
    if (v->label == NULL || v->types == NULL) {
        return AN_ERR_NOMEM;
    }
    for (uint32_t t = 0; t < pt->n_types; t++) {
        const an_growth_type *ty = &gr->types[pt->first_type + t];

        v->types[t].key = ty->type <= s->n_keys ? ty->type : s->n_keys;
        v->types[t].count = ty->count;
        v->types[t].size = ty->size;
    }
    v->n_types = pt->n_types;
    v->holders = calloc(AN_POINT_HOLDERS, sizeof(an_point_holder));
    if (v->holders == NULL) {
        return AN_ERR_NOMEM;
    }
    for (uint32_t h = 0; h < pt->n_holders
                         && v->n_holders < AN_POINT_HOLDERS; h++) {
        const an_growth_holder *ho = &gr->holders[pt->first_holder + h];
        an_point_holder *vh;
        char text[512];

        if (ho->object == v->object || ho->object == pt->object) {
            continue;
        }
        vh = &v->holders[v->n_holders++];
        vh->object = ho->object;
        vh->units = ho->units;
        vh->count = ho->count;
        if (an_growth_label(s, &run->roots, &run->bfs, ho->object, text,
                            sizeof(text)) == 0) {
            snprintf(text, sizeof(text), "%s",
                     s->keys[an_snap_key_of(s, ho->object)].display);
        }
        vh->label = copy_text(text);
        if (vh->label == NULL) {
            return AN_ERR_NOMEM;
        }
    }
    return AN_OK;
}

/* The addresses of the objects charged to each listed view from `first`
 * on (run computed with members). */
static an_err
view_members(an_points *p, const an_snap *s, const an_growth_run *run,
             uint32_t first)
{
    const uint32_t *group_of = run->gr.group_of;
    uint32_t *listed = NULL;
    an_err rc = AN_ERR_NOMEM;

    if (group_of == NULL) {
        return AN_OK;
    }
    listed = malloc(((size_t)run->gr.n_points + 1) * sizeof(uint32_t));
    if (listed == NULL) {
        return AN_ERR_NOMEM;
    }
    memset(listed, 0xff, ((size_t)run->gr.n_points + 1) * sizeof(uint32_t));
    for (uint32_t i = first; i < p->n_listed; i++) {
        listed[p->listed[i].rank] = i;
    }
    for (uint32_t v = 0; v < s->g.n; v++) {
        uint32_t r = group_of[v];

        if (r != MF_NONE && r < run->gr.n_points && listed[r] != MF_NONE) {
            p->listed[listed[r]].n_members++;
        }
    }
    for (uint32_t i = first; i < p->n_listed; i++) {
        an_point_view *w = &p->listed[i];

        w->members = malloc(((size_t)w->n_members + 1) * sizeof(uint64_t));
        if (w->members == NULL) {
            goto done;
        }
        w->n_members = 0;
    }
    for (uint32_t v = 0; v < s->g.n; v++) {
        uint32_t r = group_of[v];

        if (r != MF_NONE && r < run->gr.n_points && listed[r] != MF_NONE) {
            an_point_view *w = &p->listed[listed[r]];

            w->members[w->n_members++] = s->cols.address[v];
        }
    }
    rc = AN_OK;

done:
    free(listed);
    return rc;
}

/* A copy of the roots r into p (once). */
static an_err
points_roots(an_points *p, const an_roots *r)
{
    size_t bytes = ((size_t)r->n + 1) * sizeof(an_root_ref);

    if (p->roots.ordered != NULL) {
        return AN_OK;
    }
    p->roots.ordered = malloc(bytes);
    p->roots.by_object = malloc(bytes);
    if (p->roots.ordered == NULL || p->roots.by_object == NULL) {
        return AN_ERR_NOMEM;
    }
    if (r->n > 0) {
        memcpy(p->roots.ordered, r->ordered, r->n * sizeof(an_root_ref));
        memcpy(p->roots.by_object, r->by_object, r->n * sizeof(an_root_ref));
    }
    p->roots.n = r->n;
    return AN_OK;
}

an_err
an_points_show(an_points *p, const an_snap *s, const an_growth_run *run,
               const uint32_t *ranks, uint32_t n, int members)
{
    uint32_t first = p->n_listed;
    an_point_view *l;
    an_err rc = points_roots(p, &run->roots);

    if (rc != AN_OK) {
        return rc;
    }

    p->gained_count = run->gr.gained_count;
    p->gained_size = run->gr.gained_size;
    p->unreachable_count = run->gr.unreachable_count;
    p->unreachable_size = run->gr.unreachable_size;
    p->n_points = run->gr.n_points;
    l = realloc(p->listed, ((size_t)p->n_listed + n + 1) * sizeof(*l));
    if (l == NULL) {
        return AN_ERR_NOMEM;
    }
    p->listed = l;
    memset(l + p->n_listed, 0, ((size_t)n + 1) * sizeof(*l));
    for (uint32_t i = 0; i < n && rc == AN_OK; i++) {
        if (ranks[i] >= run->gr.n_points) {
            continue;
        }
        rc = view_make(&p->listed[p->n_listed++], s, run, ranks[i]);
    }
    if (rc == AN_OK && members) {
        rc = view_members(p, s, run, first);
    }
    return rc;
}

an_err
an_points_select(an_points *p, const an_snap *s, const an_growth_run *run,
                 uint64_t min_count, uint64_t top, int members,
                 int with_newer)
{
    uint32_t *ranks = NULL, n = 0;
    an_err rc;

    memset(p, 0, sizeof(*p));
    p->min_count = min_count;
    ranks = malloc(((size_t)run->gr.n_points + 1) * sizeof(uint32_t));
    if (ranks == NULL) {
        return AN_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < run->gr.n_points; i++) {
        const an_growth_point *pt = &run->gr.points[i];

        if (pt->count < min_count) {
            continue;
        }
        if (pt->newer && !with_newer) {
            p->newer_points++;
            p->newer_count += pt->count;
            continue;
        }
        p->n_shown++;
        p->retained += pt->retained;
        if (n < top) {
            ranks[n++] = i;
        }
    }
    rc = an_points_show(p, s, run, ranks, n, members);
    free(ranks);
    return rc;
}

void
an_points_free(an_points *p)
{
    for (uint32_t i = 0; p->listed != NULL && i < p->n_listed; i++) {
        an_point_view *v = &p->listed[i];

        free(v->label);
        an_pathbuf_free(&v->path);
        an_pathbuf_free(&v->fans_out);
        an_pathbuf_free(&v->example);
        free(v->types);
        for (uint32_t h = 0; v->holders != NULL && h < v->n_holders; h++) {
            free(v->holders[h].label);
        }
        free(v->holders);
        free(v->members);
        free(v->per_step);
    }
    free(p->listed);
    an_roots_free(&p->roots);
    memset(p, 0, sizeof(*p));
}

void
an_point_types_text(an_sbuf *out, const an_snap *s, const an_point_view *v,
                    uint32_t max)
{
    char c[32];

    for (uint32_t t = 0; t < v->n_types && t < max; t++) {
        an_sbuf_printf(out, "%s%s %s", t ? ", " : "",
                       an_format_count(v->types[t].count, c, sizeof(c)),
                       s->keys[v->types[t].key].display);
    }
    if (v->n_types > max) {
        an_sbuf_printf(out, " and %u more type%s", v->n_types - max,
                       v->n_types - max == 1 ? "" : "s");
    }
}

void
an_point_hang_text(an_sbuf *out, const an_point_view *v)
{
    char c[32];
    int any = 0;

    for (int h = 0; h < AN_HANG_KINDS; h++) {
        if (v->pt.hang[h] > 0) {
            an_sbuf_printf(out, "%s%s %s", any ? ", " : "",
                           an_format_count(v->pt.hang[h], c, sizeof(c)),
                           an_hang_name(h));
            any = 1;
        }
    }
}
