/*
 * retained.c - muppy-analyze retained: what would be freed.
 */
#include <stdint.h>
#include <string.h>

#include "lib/retained.h"
#include "render/format.h"
#include "render/retained.h"
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

static int
retained_run(int argc, char **argv)
{
    int partial = 0, json = 0, status, npos, paths, group_by;
    const char *by = NULL, *type_name = NULL, *format = NULL;
    uint64_t top = UINT64_MAX, top_objects, top_groups;
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
    an_snap s;
    an_retained m;
    an_err rc;

    memset(&m, 0, sizeof(m));
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
    status = an_format_option(&retained_usage, opts, format, json,
                              AN_FORMAT_BIT(AN_FORMAT_MARKDOWN), &fmt);
    if (status != 0) {
        return status;
    }
    json = fmt == AN_FORMAT_JSON;
    group_by = by == NULL ? 0 : strcmp(by, "module") == 0
                                ? AN_RETAINED_BY_MODULE
                                : AN_RETAINED_BY_TYPE;
    top_objects = top == UINT64_MAX ? 20 : top;
    top_groups = top == UINT64_MAX ? (json ? UINT64_MAX : 20) : top;
    /* the text with --by shows groups only: no paths to find */
    paths = json || group_by == 0;

    status = an_open(&s, argv[0], partial);
    if (status != 0) {
        return status;
    }
    status = an_load(&s, MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_SIZE
                             | MF_COL_EDGES | MF_COL_EDGE_KIND
                             | (paths ? MF_COL_EDGE_LABEL : 0));
    if (status == 0) {
        rc = an_retained_compute(&s, type_name, top_objects, group_by, paths,
                                 &m);
        if (rc != AN_OK) {
            status = an_error_lib(s.path, rc, type_name);
        }
        else {
            an_print_retained(&s, &m, fmt, top_groups);
        }
    }
    an_retained_free(&m);
    an_snap_close(&s);
    return status;
}

const an_command cmd_retained = {&retained_usage, retained_run};
