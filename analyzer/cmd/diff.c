/*
 * diff.c - muppy-analyze diff: per-type growth between two snapshots.
 *
 * Memory: the snapshots are loaded one after the other; A's columns are
 * freed (after its counts and, with --objects, its address map are
 * taken) before B is loaded.
 */
#include <stdint.h>
#include <string.h>

#include "lib/diff.h"
#include "render/diff.h"
#include "render/format.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage diff_usage = {
    "diff",
    "[--by type|module] [--top N] [--fail-above BYTES]\n"
    " [--objects] [--retained] [--format text|markdown] [--partial]\n"
    " [--json] A.snap B.snap",
    "what grew between two snapshots",
    "Matches types across the snapshots by module and qualified name and\n"
    "prints the change of their count and size, largest growth first.\n"
    "With --objects (two snapshots of one process only) it also lists the\n"
    "objects of B that are new: no object of A had the same address and\n"
    "type.  With --retained, also the change of each type's retained size\n"
    "(see 'retained').  --fail-above exits with status 3 when the total\n"
    "size grew by more than BYTES (suffixes K, M, G).",
    "  muppy-analyze diff before.snap after.snap\n"
    "  muppy-analyze diff --fail-above 10M --json before.snap after.snap",
};

static int
diff_run(int argc, char **argv)
{
    int partial = 0, json = 0, objects = 0, retained = 0;
    const char *by = "type", *format = NULL;
    uint64_t top = UINT64_MAX, fail_above = UINT64_MAX;
    an_format fmt;
    const an_option opts[] = {
        {AN_OPT_STRING, 0, "by", &by, "WHAT",
         "group by 'type' (default) or 'module'"},
        {AN_OPT_UINT, 'n', "top", &top, "N",
         "show N groups (default 20, JSON: all)"},
        {AN_OPT_SIZE, 0, "fail-above", &fail_above, "BYTES",
         "exit 3 when the total size grew by more than BYTES"},
        {AN_OPT_FLAG, 0, "objects", &objects, NULL,
         "list the new objects of B (same process only)"},
        {AN_OPT_FLAG, 0, "retained", &retained, NULL,
         "add the change of each group's retained size"},
        {AN_OPT_STRING, 0, "format", &format, "FORMAT",
         "'text' (default), 'markdown' or 'json'"},
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of truncated or damaged files"},
        {AN_OPT_FLAG, 0, "json", &json, NULL, "print JSON (spec/json.md)"},
        AN_OPT_END_ROW,
    };
    int npos, status;
    an_snap a, b;
    an_diff d;
    unsigned cols = MF_COL_TYPE | MF_COL_SIZE;
    char why[512];
    an_err rc;

    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    memset(&d, 0, sizeof(d));
    if (!an_parse_options(argc, argv, &diff_usage, opts, &npos, &status)) {
        return status;
    }
    if (npos != 2) {
        return an_usage_error(&diff_usage, opts,
                              npos > 2 ? "too many arguments"
                                       : "diff needs two snapshots");
    }
    if (strcmp(by, "type") != 0 && strcmp(by, "module") != 0) {
        return an_usage_error(&diff_usage, opts,
                              "bad value '%s' for option '--by'", by);
    }
    status = an_format_option(&diff_usage, opts, format, json,
                              AN_FORMAT_BIT(AN_FORMAT_MARKDOWN), &fmt);
    if (status != 0) {
        return status;
    }
    if (top == UINT64_MAX && fmt != AN_FORMAT_JSON) {
        top = 20;
    }
    if (objects) {
        cols |= MF_COL_ADDRESS;
    }
    if (retained) {
        cols |= MF_COL_EDGES | MF_COL_EDGE_KIND;
    }

    status = an_open(&a, argv[0], partial);
    if (status != 0) {
        return status;
    }
    status = an_open(&b, argv[1], partial);
    if (status != 0) {
        an_snap_close(&a);
        return status;
    }
    if (objects && an_snap_same_process(&a, &b, why, sizeof(why)) != 0) {
        an_error("%s: --objects needs two snapshots of one process", why);
        status = AN_EXIT_INPUT;
        goto done;
    }
    rc = an_diff_init(&d, strcmp(by, "module") == 0, objects);
    if (rc != AN_OK) {
        status = an_error_lib(a.path, rc, NULL);
        goto done;
    }
    /* one snapshot loaded at a time: A's columns go before B's come */
    status = an_load(&a, cols);
    if (status != 0) {
        goto done;
    }
    rc = an_diff_add_snap(&d, 0, &a, retained);
    if (rc != AN_OK) {
        status = an_error_lib(a.path, rc, NULL);
        goto done;
    }
    an_snap_close(&a);
    status = an_load(&b, cols);
    if (status != 0) {
        goto done;
    }
    rc = an_diff_add_snap(&d, 1, &b, retained);
    if (rc == AN_OK) {
        rc = an_diff_sort(&d);
    }
    if (rc != AN_OK) {
        status = an_error_lib(b.path, rc, NULL);
        goto done;
    }
    an_print_diff(&d, &b, argv[0], argv[1], fmt, top);
    status = an_fail_above("size grew by", d.size_b > d.size_a
                                           ? d.size_b - d.size_a : 0,
                           fail_above);

done:
    an_diff_free(&d);
    an_snap_close(&a);
    an_snap_close(&b);
    return status;
}

const an_command cmd_diff = {&diff_usage, diff_run};
