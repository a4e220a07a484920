/*
 * summary.c - muppy-analyze summary: objects grouped by type.
 */
#include <stdint.h>
#include <string.h>

#include "lib/summary.h"
#include "render/format.h"
#include "render/summary.h"
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

static int
summary_run(int argc, char **argv)
{
    int partial = 0, json = 0, retained = 0;
    const char *sort = "size", *by = "type", *type_name = NULL;
    const char *format = NULL;
    an_format fmt;
    an_summary_sort order;
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
    int npos, status;
    an_snap s;
    an_summary m;
    an_err rc;

    memset(&m, 0, sizeof(m));
    if (!an_parse_options(argc, argv, &summary_usage, opts, &npos,
                          &status)) {
        return status;
    }
    if (npos != 1) {
        return an_usage_error(&summary_usage, opts,
                              npos ? "too many arguments" : "missing SNAP");
    }
    if (strcmp(sort, "size") == 0) {
        order = AN_SUMMARY_BY_SIZE;
    }
    else if (strcmp(sort, "count") == 0) {
        order = AN_SUMMARY_BY_COUNT;
    }
    else if (strcmp(sort, "retained") == 0) {
        order = AN_SUMMARY_BY_RETAINED;
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
    status = an_format_option(&summary_usage, opts, format, json,
                              AN_FORMAT_BIT(AN_FORMAT_MARKDOWN), &fmt);
    if (status != 0) {
        return status;
    }
    if (top == UINT64_MAX && fmt != AN_FORMAT_JSON) {
        top = 20;
    }

    status = an_open(&s, argv[0], partial);
    if (status != 0) {
        return status;
    }
    status = an_load(&s, MF_COL_TYPE | MF_COL_SIZE
                             | (retained ? MF_COL_EDGES | MF_COL_EDGE_KIND
                                         : 0));
    if (status == 0) {
        rc = an_summary_compute(&s, strcmp(by, "module") == 0, type_name,
                                retained, order, &m);
        if (rc != AN_OK) {
            status = an_error_lib(s.path, rc, type_name);
        }
        else {
            an_print_summary(&s, &m, fmt, top);
        }
    }
    an_summary_free(&m);
    an_snap_close(&s);
    return status;
}

const an_command cmd_summary = {&summary_usage, summary_run};
