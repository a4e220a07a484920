/*
 * cmd_retained.c - muppy-analyze retained: what would be freed.
 *
 * The dominator tree gives every object its retained size; the objects
 * with the largest ones are printed with a shortest path from a root, or,
 * with --by, the retained size per type (or module) of the instances no
 * other instance of the group dominates.  The dominator tree is reduced
 * to the figures printed before the BFS for the paths runs, so that the
 * two never hold their memory at once.
 */
#include <stdlib.h>
#include <string.h>

#include "base/number.h"
#include "base/sbuf.h"
#include "lib/dominators.h"
#include "lib/groups.h"
#include "lib/shapes.h"
#include "render/format.h"
#include "render/json.h"
#include "render/path.h"
#include "render/table.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage retained_usage = {
    "retained",
    "[--top N] [--type NAME] [--by type|module]\n"
    " [--format text|markdown] [--partial] [--json] SNAP",
    "what would be freed: objects by retained size",
    "Computes the dominator tree of the heap: an object dominates another\n"
    "when every path from the roots to it passes through the first, and\n"
    "its retained size is what would be freed with it (its own size and\n"
    "that of everything it dominates).  Prints the objects with the\n"
    "largest retained sizes, each with a shortest path from a root.\n"
    "With --by type (or module): per group, the count and the retained\n"
    "size of its instances that no other instance of the group\n"
    "dominates, so that no byte counts twice.  Objects no root reaches\n"
    "(garbage cycles) are counted apart as unreachable.",
    "  muppy-analyze retained --top 10 app.snap\n"
    "  muppy-analyze retained --by type app.snap\n"
    "  muppy-analyze retained --type LeakedSession app.snap",
};

typedef struct ret_entry {
    uint32_t obj;
    uint64_t size, retained;
} ret_entry;

typedef struct ret_group {
    uint32_t group;
    uint64_t count, retained;
} ret_group;

typedef struct ret_ctx {
    an_snap s;
    an_roots roots;
    int by_module, by;
    /* from the dominator tree */
    uint64_t objects, size;
    uint64_t reach_count, reach_size, unreach_count, unreach_size;
    ret_entry *top;
    uint32_t n_top;
    ret_group *groups;
    uint32_t n_groups;
    /* for the paths */
    an_bfs_result bfs;
    an_pathbuf pb;
} ret_ctx;

static int
ret_group_cmp(const void *a, const void *b)
{
    const ret_group *x = a, *y = b;

    if (x->retained != y->retained) {
        return x->retained > y->retained ? -1 : 1;
    }
    if (x->count != y->count) {
        return x->count > y->count ? -1 : 1;
    }
    return x->group < y->group ? -1 : x->group > y->group;
}

/* Per group, the outermost selected instances: count and retained. */
static int
ret_by_group(ret_ctx *c, const an_domtree *dt, const uint64_t *select)
{
    an_snap *s = &c->s;
    uint32_t n_groups = 0;
    uint32_t *group_of = an_group_of_types(s, c->by_module, &n_groups);
    uint64_t *outer = NULL, *count = NULL, *ret = NULL;
    int rc = -1;

    if (group_of == NULL) {
        return -1;
    }
    outer = an_group_outermost(s, dt, group_of, n_groups);
    count = calloc(n_groups, sizeof(uint64_t));
    ret = calloc(n_groups, sizeof(uint64_t));
    c->groups = malloc((size_t)n_groups * sizeof(ret_group));
    if (outer == NULL || count == NULL || ret == NULL || c->groups == NULL) {
        goto done;
    }
    /* with --type, only its instances */
    for (size_t w = 0; select != NULL && w < (size_t)s->g.n / 64 + 1; w++) {
        outer[w] &= select[w];
    }
    an_aggregate(s->cols.type, dt->retained, outer, s->g.n, group_of,
                 s->n_types, n_groups - 1, count, ret);
    for (uint32_t gi = 0; gi < n_groups; gi++) {
        if (count[gi] > 0) {
            ret_group *g = &c->groups[c->n_groups++];

            g->group = gi;
            g->count = count[gi];
            g->retained = ret[gi];
        }
    }
    qsort(c->groups, c->n_groups, sizeof(ret_group), ret_group_cmp);
    rc = 0;

done:
    free(group_of);
    free(outer);
    free(count);
    free(ret);
    return rc;
}

/* The dominator tree, reduced to the figures printed. */
static int
ret_compute(ret_ctx *c, const char *type_name, uint64_t top)
{
    an_snap *s = &c->s;
    an_domtree dt;
    uint64_t *select = NULL;
    uint32_t *objs = NULL;
    uint32_t cap = top > s->g.n ? s->g.n : (uint32_t)top;
    int rc = AN_EXIT_INPUT;

    if (an_roots_of_snap(&c->roots, s) != 0
        || an_dominators(&s->g, s->cols.size, c->roots.ordered, c->roots.n,
                         &dt) != 0) {
        an_error("'%s': out of memory", s->path);
        return AN_EXIT_INPUT;
    }
    if (type_name != NULL) {
        unsigned char *match = an_calloc((size_t)s->n_keys + 1, 1);

        select = an_bitmap_new(s->g.n);
        if (match == NULL || select == NULL) {
            free(match);
            goto done;
        }
        if (an_snap_match_type(s, type_name, match) == 0) {
            an_error("'%s': no type named '%s'", s->path, type_name);
            free(match);
            goto done;
        }
        for (uint32_t i = 0; i < s->g.n; i++) {
            if (match[an_snap_key_of(s, i)]) {
                an_set_bit(select, i);
            }
        }
        free(match);
    }
    c->objects = s->g.n;
    c->size = dt.reachable_size + dt.unreachable_size;
    c->reach_count = dt.reachable_count;
    c->reach_size = dt.reachable_size;
    c->unreach_count = dt.unreachable_count;
    c->unreach_size = dt.unreachable_size;
    objs = an_malloc((size_t)(cap ? cap : 1) * sizeof(uint32_t));
    c->top = an_malloc((size_t)(cap ? cap : 1) * sizeof(ret_entry));
    if (objs == NULL || c->top == NULL) {
        goto done;
    }
    c->n_top = an_dom_top(&dt, select, objs, cap);
    for (uint32_t i = 0; i < c->n_top; i++) {
        c->top[i].obj = objs[i];
        c->top[i].size = s->cols.size[objs[i]];
        c->top[i].retained = dt.retained[objs[i]];
    }
    if (c->by && ret_by_group(c, &dt, select) != 0) {
        an_error("'%s': out of memory", s->path);
        goto done;
    }
    rc = 0;

done:
    free(objs);
    free(select);
    an_domtree_free(&dt);
    return rc;
}

static const char *
ret_group_name(const ret_ctx *c, uint32_t gi)
{
    const char *name = c->by_module ? c->s.modules[gi]
                                    : c->s.keys[gi].display;

    return name[0] ? name : "(no module)";
}

static int
ret_json(ret_ctx *c)
{
    an_json j;

    an_json_init(&j, stdout);
    an_json_object(&j);
    an_json_key(&j, "objects");
    an_json_u64(&j, c->objects);
    an_json_key(&j, "size");
    an_json_u64(&j, c->size);
    an_json_key(&j, "reachable");
    an_json_object(&j);
    an_json_key(&j, "count");
    an_json_u64(&j, c->reach_count);
    an_json_key(&j, "size");
    an_json_u64(&j, c->reach_size);
    an_json_end_object(&j);
    an_json_key(&j, "unreachable");
    an_json_object(&j);
    an_json_key(&j, "count");
    an_json_u64(&j, c->unreach_count);
    an_json_key(&j, "size");
    an_json_u64(&j, c->unreach_size);
    an_json_end_object(&j);
    an_json_key(&j, "top");
    an_json_array(&j);
    for (uint32_t i = 0; i < c->n_top; i++) {
        const ret_entry *e = &c->top[i];

        if (an_path_find(&c->pb, &c->s, &c->bfs, 0, NULL, 0, e->obj)
            == UINT32_MAX) {
            return -1;
        }
        an_json_object(&j);
        an_json_objref(&j, &c->s, e->obj);
        an_json_key(&j, "size");
        an_json_u64(&j, e->size);
        an_json_key(&j, "retained");
        an_json_u64(&j, e->retained);
        an_json_key(&j, "path");
        an_json_path_steps(&j, &c->s, &c->roots, &c->pb);
        an_json_end_object(&j);
    }
    an_json_end_array(&j);
    if (c->by) {
        an_json_key(&j, c->by_module ? "modules" : "types");
        an_json_array(&j);
        for (uint32_t i = 0; i < c->n_groups; i++) {
            const ret_group *g = &c->groups[i];

            an_json_object(&j);
            an_json_group(&j, c->by_module ? c->s.modules[g->group]
                                           : c->s.keys[g->group].module,
                          c->by_module ? "" : c->s.keys[g->group].qualname,
                          c->by_module);
            an_json_key(&j, "count");
            an_json_u64(&j, g->count);
            an_json_key(&j, "retained");
            an_json_u64(&j, g->retained);
            an_json_end_object(&j);
        }
        an_json_end_array(&j);
    }
    an_json_end_object(&j);
    an_json_finish(&j);
    return 0;
}

static void
ret_share(uint64_t part, uint64_t whole, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.1f%%",
             whole ? 100.0 * (double)part / (double)whole : 0.0);
}

static void
ret_text_totals(const ret_ctx *c)
{
    char a[32], b[32], d[32], e[32];

    printf("reachable: %s objects, %s", an_format_count(c->reach_count, a,
                                                         sizeof(a)),
           an_format_size(c->reach_size, b, sizeof(b)));
    if (c->unreach_count > 0) {
        printf("; unreachable (garbage cycles, weakly referenced): %s "
               "objects, %s", an_format_count(c->unreach_count, d,
                                              sizeof(d)),
               an_format_size(c->unreach_size, e, sizeof(e)));
    }
    printf("\n");
}

static void
ret_text_groups(const ret_ctx *c, uint64_t top, an_format fmt)
{
    an_table *t = an_table_new(4, "rrrl");
    char n[32], r[32], sh[32];

    an_table_rowf(t, "count\tretained\tshare\t%s",
                  c->by_module ? "module" : "type");
    for (uint32_t i = 0; i < c->n_groups && i < top; i++) {
        const ret_group *g = &c->groups[i];

        ret_share(g->retained, c->reach_size, sh, sizeof(sh));
        an_table_rowf(t, "%s\t%s\t%s\t%s",
                      an_format_count(g->count, n, sizeof(n)),
                      an_format_size(g->retained, r, sizeof(r)), sh,
                      ret_group_name(c, g->group));
    }
    an_table_emit(t, fmt, NULL);
    an_table_free(t);
    if (c->n_groups > top) {
        printf("(%llu of %u %s shown)\n", (unsigned long long)top,
               c->n_groups, c->by_module ? "modules" : "types");
    }
}

/* The objects by retained size, each with its path: in text on the line
 * under it, in markdown in code blocks after the table. */
static int
ret_text_top(ret_ctx *c, an_format fmt)
{
    an_table *t = an_table_new(5, "rrrrl");
    an_sbuf paths = {0};
    char r[32], sz[32], sh[32], addr[32], no[32];
    const char *cells[5] = {"", "", "", "", ""};
    int md = fmt == AN_FORMAT_MARKDOWN, rc = 0;

    an_table_rowf(t, "#\tretained\tshare\tsize\t%s",
                  md ? "object" : "object / path from a root");
    for (uint32_t i = 0; i < c->n_top; i++) {
        const ret_entry *e = &c->top[i];
        an_sbuf path = {0};

        if (an_path_find(&c->pb, &c->s, &c->bfs, 0, NULL, 0, e->obj)
            == UINT32_MAX) {
            rc = -1;
            break;
        }
        snprintf(no, sizeof(no), "%u", i + 1);
        ret_share(e->retained, c->reach_size, sh, sizeof(sh));
        an_table_rowf(t, "%s\t%s\t%s\t%s\t%s @%s", no,
                      an_format_size(e->retained, r, sizeof(r)), sh,
                      an_format_size(e->size, sz, sizeof(sz)),
                      c->s.keys[an_snap_key_of(&c->s, e->obj)].display,
                      an_address_text(&c->s, e->obj, addr, sizeof(addr)));
        if (md) {
            an_sbuf_printf(&paths, "\n#%s:\n\n```\n", no);
            an_format_path(&paths, &c->s, &c->roots, &c->pb);
            an_sbuf_printf(&paths, "\n```\n");
            continue;
        }
        an_sbuf_printf(&path, "  ");
        an_format_path(&path, &c->s, &c->roots, &c->pb);
        cells[4] = an_sbuf_str(&path);
        an_table_row(t, cells);
        an_sbuf_free(&path);
    }
    an_table_emit(t, fmt, NULL);
    an_table_free(t);
    fputs(an_sbuf_str(&paths), stdout);
    an_sbuf_free(&paths);
    return rc;
}

static int
retained_run(int argc, char **argv)
{
    int partial = 0, json = 0, status, npos;
    const char *by = NULL, *type_name = NULL, *format = NULL, *why;
    uint64_t top = UINT64_MAX;
    an_format fmt;
    const an_option opts[] = {
        {AN_OPT_UINT, 'n', "top", &top, "N",
         "show N objects or groups (default 20; JSON objects: 20, "
         "groups: all)"},
        {AN_OPT_STRING, 't', "type", &type_name, "NAME",
         "only instances of type NAME (qualname or module.qualname)"},
        {AN_OPT_STRING, 0, "by", &by, "WHAT",
         "retained size per 'type' or 'module'"},
        {AN_OPT_STRING, 0, "format", &format, "FORMAT",
         "'text' (default), 'markdown' or 'json'"},
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of a truncated or damaged file"},
        {AN_OPT_FLAG, 0, "json", &json, NULL, "print JSON (spec/json.md)"},
        AN_OPT_END_ROW,
    };
    ret_ctx c;
    uint64_t top_objects, top_groups;
    int paths;

    memset(&c, 0, sizeof(c));
    if (!an_parse_options(argc, argv, &retained_usage, opts, &npos,
                          &status)) {
        return status;
    }
    if (npos != 1) {
        return an_usage_error(&retained_usage, opts,
                              npos ? "too many arguments" : "missing SNAP");
    }
    if (by != NULL && strcmp(by, "type") != 0 && strcmp(by, "module") != 0) {
        return an_usage_error(&retained_usage, opts,
                              "bad value '%s' for option '--by'", by);
    }
    why = an_choose_format(format, json, AN_FORMAT_BIT(AN_FORMAT_MARKDOWN),
                           &fmt);
    if (why != NULL) {
        return an_usage_error(&retained_usage, opts, "%s", why);
    }
    json = fmt == AN_FORMAT_JSON;
    c.by = by != NULL;
    c.by_module = c.by && strcmp(by, "module") == 0;
    top_objects = top == UINT64_MAX ? 20 : top;
    top_groups = top == UINT64_MAX ? (json ? UINT64_MAX : 20) : top;
    /* the text with --by shows groups only: no paths to find */
    paths = json || !c.by;

    status = an_open(&c.s, argv[0], partial);
    if (status != 0) {
        return status;
    }
    status = an_load(&c.s, MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_SIZE
                               | MF_COL_EDGES | MF_COL_EDGE_KIND
                               | (paths ? MF_COL_EDGE_LABEL : 0));
    if (status != 0) {
        goto done;
    }
    status = ret_compute(&c, type_name, paths ? top_objects : 0);
    if (status != 0) {
        goto done;
    }
    status = AN_EXIT_INPUT;
    if (paths && an_bfs(&c.s.g, c.roots.ordered, c.roots.n, 0, &c.bfs)
                 != 0) {
        an_error("'%s': out of memory", c.s.path);
        goto done;
    }
    if (json) {
        if (ret_json(&c) != 0) {
            an_error("out of memory");
            goto done;
        }
    }
    else {
        ret_text_totals(&c);
        if (fmt == AN_FORMAT_MARKDOWN) {
            printf("\n");
        }
        if (c.by) {
            ret_text_groups(&c, top_groups, fmt);
        }
        else if (ret_text_top(&c, fmt) != 0) {
            an_error("out of memory");
            goto done;
        }
    }
    status = AN_EXIT_OK;

done:
    an_pathbuf_free(&c.pb);
    an_bfs_free(&c.bfs);
    an_roots_free(&c.roots);
    free(c.top);
    free(c.groups);
    an_snap_close(&c.s);
    return status;
}

const an_command cmd_retained = {&retained_usage, retained_run};
