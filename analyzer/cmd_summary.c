/*
 * cmd_summary.c - muppy-analyze summary: objects grouped by type.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "commands.h"
#include "graph.h"
#include "json.h"
#include "options.h"
#include "util.h"

static const an_usage summary_usage = {
    "summary",
    "[--sort size|count] [--top N] [--by type|module]\n"
    " [--type NAME] [--partial] [--json] SNAP",
    "objects grouped by type, largest first",
    "Groups the objects of the snapshot by type (module and qualified\n"
    "name) or by the type's module, with the count, the total size and its\n"
    "share of the snapshot's size, sorted by size (or count).  A type is\n"
    "shown as module.qualname when two types share a qualname.",
    "  muppy-analyze summary --top 10 app.snap\n"
    "  muppy-analyze summary --by module app.snap",
};

typedef struct sum_row {
    uint32_t group;
    uint64_t count, size;
} sum_row;

static int sum_by_count;

/* Size (or count) descending, then the other, then group id. */
static int
sum_cmp(const void *a, const void *b)
{
    const sum_row *x = a, *y = b;
    uint64_t xa = sum_by_count ? x->count : x->size;
    uint64_t ya = sum_by_count ? y->count : y->size;
    uint64_t xb = sum_by_count ? x->size : x->count;
    uint64_t yb = sum_by_count ? y->size : y->count;

    if (xa != ya) {
        return xa > ya ? -1 : 1;
    }
    if (xb != yb) {
        return xb > yb ? -1 : 1;
    }
    return x->group < y->group ? -1 : x->group > y->group;
}

int
cmd_summary(int argc, char **argv)
{
    int partial = 0, json = 0;
    const char *sort = "size", *by = "type", *type_name = NULL;
    uint64_t top = UINT64_MAX;
    const an_option opts[] = {
        {AN_OPT_STRING, 0, "sort", &sort, "KEY",
         "sort by 'size' (default) or 'count'"},
        {AN_OPT_UINT, 'n', "top", &top, "N",
         "show N groups (default 20, JSON: all)"},
        {AN_OPT_STRING, 0, "by", &by, "WHAT",
         "group by 'type' (default) or 'module'"},
        {AN_OPT_STRING, 't', "type", &type_name, "NAME",
         "only types named NAME (qualname or module.qualname)"},
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of a truncated or damaged file"},
        {AN_OPT_FLAG, 0, "json", &json, NULL, "print JSON (spec/json.md)"},
        AN_OPT_END_ROW,
    };
    int npos, status, by_module;
    an_snap s;
    uint32_t *group_of = NULL;
    uint64_t *count = NULL, *bytes = NULL;
    uint32_t n_groups, excluded, unknown;
    unsigned char *match = NULL;
    sum_row *rows = NULL;
    uint32_t n_rows = 0;
    uint64_t tot_count = 0, tot_size = 0, all_size = 0;

    if (!an_parse_options(argc, argv, &summary_usage, opts, &npos,
                          &status)) {
        return status;
    }
    if (npos != 1) {
        return an_usage_error(&summary_usage, opts,
                              npos ? "too many arguments" : "missing SNAP");
    }
    if (strcmp(sort, "size") != 0 && strcmp(sort, "count") != 0) {
        return an_usage_error(&summary_usage, opts,
                              "bad value '%s' for option '--sort'", sort);
    }
    if (strcmp(by, "type") != 0 && strcmp(by, "module") != 0) {
        return an_usage_error(&summary_usage, opts,
                              "bad value '%s' for option '--by'", by);
    }
    sum_by_count = strcmp(sort, "count") == 0;
    by_module = strcmp(by, "module") == 0;
    if (top == UINT64_MAX && !json) {
        top = 20;
    }

    status = an_snap_open(&s, argv[0], partial);
    if (status != 0) {
        return status;
    }
    status = an_snap_load(&s, MF_COL_TYPE | MF_COL_SIZE);
    if (status != 0) {
        goto done;
    }
    an_snap_warn_partial(&s);
    status = AN_EXIT_INPUT;

    /* groups: the keys (or modules), then "unknown", then "excluded" */
    unknown = by_module ? s.n_modules : s.n_keys;
    excluded = unknown + 1;
    n_groups = unknown + 2;
    group_of = an_calloc((size_t)s.n_types + 1, sizeof(uint32_t));
    count = an_calloc(n_groups, sizeof(uint64_t));
    bytes = an_calloc(n_groups, sizeof(uint64_t));
    match = an_calloc((size_t)s.n_keys + 1, 1);
    rows = an_calloc(n_groups, sizeof(sum_row));
    if (!group_of || !count || !bytes || !match || !rows) {
        goto done;
    }
    if (type_name != NULL) {
        if (an_snap_match_type(&s, type_name, match) == 0) {
            an_error("'%s': no type named '%s'", s.path, type_name);
            goto done;
        }
    }
    for (uint32_t t = 0; t < s.n_types; t++) {
        uint32_t k = s.type_key[t];

        if (type_name != NULL && !match[k]) {
            group_of[t] = excluded;
        }
        else {
            group_of[t] = by_module ? s.keys[k].module_group : k;
        }
    }
    an_aggregate(s.cols.type, s.cols.size, s.cols.n_objects, group_of,
                 s.n_types,
                 (type_name != NULL && !match[s.n_keys]) ? excluded
                                                          : unknown,
                 count, bytes);

    for (uint32_t gi = 0; gi < n_groups; gi++) {
        all_size += bytes[gi];
        if (gi == excluded || count[gi] == 0) {
            continue;
        }
        rows[n_rows].group = gi;
        rows[n_rows].count = count[gi];
        rows[n_rows].size = bytes[gi];
        tot_count += count[gi];
        tot_size += bytes[gi];
        n_rows++;
    }
    qsort(rows, n_rows, sizeof(sum_row), sum_cmp);

    if (json) {
        an_json j;

        an_json_init(&j, stdout);
        an_json_object(&j);
        an_json_key(&j, "objects");
        an_json_u64(&j, tot_count);
        an_json_key(&j, "size");
        an_json_u64(&j, tot_size);
        an_json_key(&j, "partial");
        an_json_bool(&j, s.info->partial);
        an_json_key(&j, "by");
        an_json_str(&j, by_module ? "module" : "type");
        an_json_key(&j, "groups");
        an_json_u64(&j, n_rows);
        an_json_key(&j, by_module ? "modules" : "types");
        an_json_array(&j);
        for (uint32_t i = 0; i < n_rows && i < top; i++) {
            uint32_t gi = rows[i].group;

            an_json_object(&j);
            if (by_module) {
                an_json_key(&j, "module");
                an_json_str(&j, s.modules[gi]);
            }
            else {
                an_json_key(&j, "module");
                an_json_str(&j, s.keys[gi].module);
                an_json_key(&j, "type");
                an_json_str(&j, s.keys[gi].qualname);
            }
            an_json_key(&j, "count");
            an_json_u64(&j, rows[i].count);
            an_json_key(&j, "size");
            an_json_u64(&j, rows[i].size);
            an_json_end_object(&j);
        }
        an_json_end_array(&j);
        an_json_end_object(&j);
        an_json_finish(&j);
    }
    else {
        an_table *t = an_table_new(4, "rrrl");
        char c[32], sz[32], sh[32];

        an_table_rowf(t, "count\tsize\tshare\t%s", by_module ? "module"
                                                             : "type");
        for (uint32_t i = 0; i < n_rows && i < top; i++) {
            uint32_t gi = rows[i].group;
            const char *name = by_module ? s.modules[gi]
                                         : s.keys[gi].display;

            snprintf(sh, sizeof(sh), "%.1f%%",
                     all_size ? 100.0 * (double)rows[i].size
                                    / (double)all_size : 0.0);
            an_table_rowf(t, "%s\t%s\t%s\t%s",
                          an_format_count(rows[i].count, c, sizeof(c)),
                          an_format_size(rows[i].size, sz, sizeof(sz)), sh,
                          name[0] ? name : "(no module)");
        }
        an_table_print(t, stdout, NULL);
        an_table_free(t);
        printf("total: %s objects, %s", an_format_count(tot_count, c,
                                                         sizeof(c)),
               an_format_size(tot_size, sz, sizeof(sz)));
        if ((uint64_t)n_rows > top) {
            printf(" (%llu of %u %s shown)", (unsigned long long)top,
                   n_rows, by_module ? "modules" : "types");
        }
        printf("\n");
    }
    status = AN_EXIT_OK;

done:
    free(group_of);
    free(count);
    free(bytes);
    free(match);
    free(rows);
    an_snap_close(&s);
    return status;
}
