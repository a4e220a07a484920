/*
 * cmd_summary.c - muppy-analyze summary: objects grouped by type.
 */
#include <stdlib.h>
#include <string.h>

#include "base/number.h"
#include "lib/dominators.h"
#include "lib/groups.h"
#include "render/format.h"
#include "render/json.h"
#include "render/path.h"
#include "render/table.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage summary_usage = {
    "summary",
    "[--sort size|count|retained] [--top N] [--by type|module]\n"
    " [--type NAME] [--retained] [--format text|markdown] [--partial]\n"
    " [--json] SNAP",
    "objects grouped by type, largest first",
    "Groups the objects of the snapshot by type (module and qualified\n"
    "name) or by the type's module, with the count, the total size and its\n"
    "share of the snapshot's size, sorted by size (or count).  A type is\n"
    "shown as module.qualname when two types share a qualname.\n"
    "With --retained, also the retained size of each group: what would be\n"
    "freed with all its objects (each byte counted once; see 'retained').",
    "  muppy-analyze summary --top 10 app.snap\n"
    "  muppy-analyze summary --by module --retained app.snap",
};

typedef struct sum_row {
    uint32_t group;
    uint64_t count, size, retained;
} sum_row;

typedef enum sum_key { SUM_SIZE, SUM_COUNT, SUM_RETAINED } sum_key;
static sum_key sum_sort;

static uint64_t
sum_primary(const sum_row *r)
{
    return sum_sort == SUM_COUNT ? r->count
           : sum_sort == SUM_RETAINED ? r->retained : r->size;
}

/* The sort key descending, then size (or count), then group id. */
static int
sum_cmp(const void *a, const void *b)
{
    const sum_row *x = a, *y = b;
    uint64_t xa = sum_primary(x), ya = sum_primary(y);
    uint64_t xb = sum_sort == SUM_SIZE ? x->count : x->size;
    uint64_t yb = sum_sort == SUM_SIZE ? y->count : y->size;

    if (xa != ya) {
        return xa > ya ? -1 : 1;
    }
    if (xb != yb) {
        return xb > yb ? -1 : 1;
    }
    return x->group < y->group ? -1 : x->group > y->group;
}

typedef struct sum_result {
    sum_row *rows;
    uint32_t n_rows;
    uint64_t count, size, retained;     /* of the rows */
    uint64_t all_size;                  /* of the whole snapshot */
} sum_result;

static void
sum_json(const an_snap *s, const sum_result *r, int by_module,
         int retained, uint64_t top)
{
    an_json j;

    an_json_init(&j, stdout);
    an_json_object(&j);
    an_json_key(&j, "objects");
    an_json_u64(&j, r->count);
    an_json_key(&j, "size");
    an_json_u64(&j, r->size);
    an_json_key(&j, "partial");
    an_json_bool(&j, s->info->partial);
    an_json_key(&j, "by");
    an_json_str(&j, by_module ? "module" : "type");
    an_json_key(&j, "groups");
    an_json_u64(&j, r->n_rows);
    an_json_key(&j, by_module ? "modules" : "types");
    an_json_array(&j);
    for (uint32_t i = 0; i < r->n_rows && i < top; i++) {
        uint32_t gi = r->rows[i].group;

        an_json_object(&j);
        an_json_group(&j, by_module ? s->modules[gi] : s->keys[gi].module,
                      by_module ? "" : s->keys[gi].qualname, by_module);
        an_json_key(&j, "count");
        an_json_u64(&j, r->rows[i].count);
        an_json_key(&j, "size");
        an_json_u64(&j, r->rows[i].size);
        if (retained) {
            an_json_key(&j, "retained");
            an_json_u64(&j, r->rows[i].retained);
        }
        an_json_end_object(&j);
    }
    an_json_end_array(&j);
    an_json_end_object(&j);
    an_json_finish(&j);
}

static void
sum_text(const an_snap *s, const sum_result *r, int by_module,
         int retained, uint64_t top, an_format fmt)
{
    an_table *t = an_table_new(retained ? 5 : 4, retained ? "rrrrl"
                                                          : "rrrl");
    char c[32], sz[32], sh[32], rt[32];

    if (retained) {
        an_table_rowf(t, "count\tsize\tshare\tretained\t%s",
                      by_module ? "module" : "type");
    }
    else {
        an_table_rowf(t, "count\tsize\tshare\t%s",
                      by_module ? "module" : "type");
    }
    for (uint32_t i = 0; i < r->n_rows && i < top; i++) {
        const sum_row *row = &r->rows[i];
        const char *name = by_module ? s->modules[row->group]
                                     : s->keys[row->group].display;

        snprintf(sh, sizeof(sh), "%.1f%%",
                 r->all_size ? 100.0 * (double)row->size
                                   / (double)r->all_size : 0.0);
        an_format_count(row->count, c, sizeof(c));
        an_format_size(row->size, sz, sizeof(sz));
        if (retained) {
            an_table_rowf(t, "%s\t%s\t%s\t%s\t%s", c, sz, sh,
                          an_format_size(row->retained, rt, sizeof(rt)),
                          name[0] ? name : "(no module)");
        }
        else {
            an_table_rowf(t, "%s\t%s\t%s\t%s", c, sz, sh,
                          name[0] ? name : "(no module)");
        }
    }
    an_table_emit(t, fmt, NULL);
    an_table_free(t);
    printf("%stotal: %s objects, %s", fmt == AN_FORMAT_MARKDOWN ? "\n" : "",
           an_format_count(r->count, c, sizeof(c)),
           an_format_size(r->size, sz, sizeof(sz)));
    if ((uint64_t)r->n_rows > top) {
        printf(" (%llu of %u %s shown)", (unsigned long long)top, r->n_rows,
               by_module ? "modules" : "types");
    }
    printf("\n");
}

static int
summary_run(int argc, char **argv)
{
    int partial = 0, json = 0, retained = 0;
    const char *sort = "size", *by = "type", *type_name = NULL;
    const char *format = NULL, *why;
    an_format fmt;
    uint64_t top = UINT64_MAX;
    const an_option opts[] = {
        {AN_OPT_STRING, 0, "sort", &sort, "KEY",
         "sort by 'size' (default), 'count' or 'retained'"},
        {AN_OPT_UINT, 'n', "top", &top, "N",
         "show N groups (default 20, JSON: all)"},
        {AN_OPT_STRING, 0, "by", &by, "WHAT",
         "group by 'type' (default) or 'module'"},
        {AN_OPT_STRING, 't', "type", &type_name, "NAME",
         "only types named NAME (qualname or module.qualname)"},
        {AN_OPT_FLAG, 0, "retained", &retained, NULL,
         "add each group's retained size (loads the edges)"},
        {AN_OPT_STRING, 0, "format", &format, "FORMAT",
         "'text' (default), 'markdown' or 'json'"},
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of a truncated or damaged file"},
        {AN_OPT_FLAG, 0, "json", &json, NULL, "print JSON (spec/json.md)"},
        AN_OPT_END_ROW,
    };
    int npos, status, by_module;
    an_snap s;
    an_roots roots;
    an_domtree dt;
    uint32_t *group_of = NULL;
    uint64_t *count = NULL, *bytes = NULL, *ret = NULL, *outer = NULL;
    uint32_t n_groups = 0, excluded, unknown;
    unsigned char *match = NULL;
    sum_result r;
    unsigned cols = MF_COL_TYPE | MF_COL_SIZE;

    memset(&r, 0, sizeof(r));
    memset(&roots, 0, sizeof(roots));
    memset(&dt, 0, sizeof(dt));
    if (!an_parse_options(argc, argv, &summary_usage, opts, &npos,
                          &status)) {
        return status;
    }
    if (npos != 1) {
        return an_usage_error(&summary_usage, opts,
                              npos ? "too many arguments" : "missing SNAP");
    }
    if (strcmp(sort, "size") == 0) {
        sum_sort = SUM_SIZE;
    }
    else if (strcmp(sort, "count") == 0) {
        sum_sort = SUM_COUNT;
    }
    else if (strcmp(sort, "retained") == 0) {
        sum_sort = SUM_RETAINED;
        retained = 1;
    }
    else {
        return an_usage_error(&summary_usage, opts,
                              "bad value '%s' for option '--sort'", sort);
    }
    if (strcmp(by, "type") != 0 && strcmp(by, "module") != 0) {
        return an_usage_error(&summary_usage, opts,
                              "bad value '%s' for option '--by'", by);
    }
    by_module = strcmp(by, "module") == 0;
    why = an_choose_format(format, json, AN_FORMAT_BIT(AN_FORMAT_MARKDOWN),
                           &fmt);
    if (why != NULL) {
        return an_usage_error(&summary_usage, opts, "%s", why);
    }
    if (top == UINT64_MAX && fmt != AN_FORMAT_JSON) {
        top = 20;
    }
    if (retained) {
        cols |= MF_COL_EDGES | MF_COL_EDGE_KIND;
    }

    status = an_open(&s, argv[0], partial);
    if (status != 0) {
        return status;
    }
    status = an_load(&s, cols);
    if (status != 0) {
        goto done;
    }
    status = AN_EXIT_INPUT;

    /* groups: the keys (or modules), then "unknown", then "excluded" */
    group_of = an_group_of_types(&s, by_module, &n_groups);
    if (group_of == NULL) {
        goto nomem;
    }
    unknown = n_groups - 1;
    excluded = n_groups;
    count = an_calloc((size_t)n_groups + 1, sizeof(uint64_t));
    bytes = an_calloc((size_t)n_groups + 1, sizeof(uint64_t));
    ret = an_calloc((size_t)n_groups + 1, sizeof(uint64_t));
    match = an_calloc((size_t)s.n_keys + 1, 1);
    r.rows = an_calloc((size_t)n_groups + 1, sizeof(sum_row));
    if (!count || !bytes || !ret || !match || !r.rows) {
        goto done;
    }
    if (retained) {
        /* outermost per group before --type narrows the groups: a
         * Node inside another Node is not counted twice */
        if (an_roots_of_snap(&roots, &s) != 0
            || an_dominators(&s.g, s.cols.size, roots.ordered, roots.n,
                             &dt) != 0) {
            goto nomem;
        }
        outer = an_group_outermost(&s, &dt, group_of, n_groups);
        if (outer == NULL) {
            goto nomem;
        }
    }
    if (type_name != NULL) {
        if (an_snap_match_type(&s, type_name, match) == 0) {
            an_error("'%s': no type named '%s'", s.path, type_name);
            goto done;
        }
        for (uint32_t t = 0; t < s.n_types; t++) {
            if (!match[s.type_key[t]]) {
                group_of[t] = excluded;
            }
        }
        if (!match[s.n_keys]) {
            unknown = excluded;
        }
    }
    an_aggregate(s.cols.type, s.cols.size, NULL, s.cols.n_objects, group_of,
                 s.n_types, unknown, count, bytes);
    if (retained) {
        uint64_t *unused = an_calloc((size_t)n_groups + 1, sizeof(uint64_t));

        if (unused == NULL) {
            goto done;
        }
        an_aggregate(s.cols.type, dt.retained, outer, s.cols.n_objects,
                     group_of, s.n_types, unknown, unused, ret);
        free(unused);
    }
    for (uint32_t gi = 0; gi <= n_groups; gi++) {
        r.all_size += bytes[gi];
        if (gi == excluded || count[gi] == 0) {
            continue;
        }
        r.rows[r.n_rows].group = gi;
        r.rows[r.n_rows].count = count[gi];
        r.rows[r.n_rows].size = bytes[gi];
        r.rows[r.n_rows].retained = ret[gi];
        r.count += count[gi];
        r.size += bytes[gi];
        r.n_rows++;
    }
    qsort(r.rows, r.n_rows, sizeof(sum_row), sum_cmp);

    if (fmt == AN_FORMAT_JSON) {
        sum_json(&s, &r, by_module, retained, top);
    }
    else {
        sum_text(&s, &r, by_module, retained, top, fmt);
    }
    status = AN_EXIT_OK;
    goto done;

nomem:
    an_error("'%s': out of memory", s.path);
    status = AN_EXIT_INPUT;
done:
    free(group_of);
    free(count);
    free(bytes);
    free(ret);
    free(outer);
    free(match);
    free(r.rows);
    an_domtree_free(&dt);
    an_roots_free(&roots);
    an_snap_close(&s);
    return status;
}

const an_command cmd_summary = {&summary_usage, summary_run};
