/*
 * diff.c - muppy-analyze diff: per-type growth between two snapshots, or
 * with --growth the accumulation points of B's new objects.
 *
 * Memory: the snapshots are loaded one after the other; A's columns are
 * freed (after its counts and, with --objects or --growth, its
 * identities are taken) before B is loaded.
 */
#include <stdint.h>
#include <string.h>

#include "lib/diff.h"
#include "render/diff.h"
#include "render/format.h"
#include "render/growth.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage diff_usage = {
    "diff",
    "[--by type|module] [--top N] [--fail-above BYTES]\n"
    " [--objects] [--retained] [--format text|markdown] [--partial]\n"
    " [--json] A.snap B.snap\n"
    "--growth [--top N] [--min-count N] [--fail-above BYTES] [--members]\n"
    " [--format text|markdown] [--partial] [--json] A.snap B.snap",
    "what grew between two snapshots",
    "Matches types across the snapshots by module and qualified name and\n"
    "prints the change of their count and size, largest growth first.\n"
    "With --objects (two snapshots of one process only) it also lists the\n"
    "objects of B that are new: no object of A had the same address, type\n"
    "and name.  With --retained, also the change of each type's retained\n"
    "size (see 'retained').  --fail-above exits with status 3 when the\n"
    "total size grew by more than BYTES (suffixes K, M, G).\n"
    "With --growth (one process), where B grew instead: the new objects'\n"
    "accumulation points, as 'leaks' shows them, of at least --min-count\n"
    "objects (default 2); --fail-above then compares what they retain.",
    "  muppy-analyze diff before.snap after.snap\n"
    "  muppy-analyze diff --fail-above 10M --json before.snap after.snap\n"
    "  muppy-analyze diff --growth before.snap after.snap",
};

/* diff --growth A B: A's identities, then B's points. */
static int
diff_growth(char **argv, int partial, an_format fmt, uint64_t top,
            uint64_t min_count, uint64_t fail_above, int members)
{
    an_snap a, b;
    an_diff_growth d;
    an_points_intro in;
    char why[512];
    int status;
    an_err rc;

    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    memset(&d, 0, sizeof(d));
    if (top == UINT64_MAX) {
        top = 10;
    }
    status = an_open(&a, argv[0], partial);
    if (status != 0) {
        return status;
    }
    status = an_open(&b, argv[1], partial);
    if (status != 0) {
        goto done;
    }
    if (an_snap_same_process(&a, &b, why, sizeof(why)) != 0) {
        an_error("%s: --growth needs two snapshots of one process", why);
        status = AN_EXIT_INPUT;
        goto done;
    }
    status = an_load(&a, AN_DIFF_GROWTH_A_COLUMNS);
    if (status != 0) {
        goto done;
    }
    rc = an_diff_growth_a(&d, &a);
    if (rc != AN_OK) {
        status = an_error_lib(a.path, rc, NULL);
        goto done;
    }
    an_snap_close(&a);
    status = an_load(&b, AN_DIFF_GROWTH_B_COLUMNS);
    if (status != 0) {
        goto done;
    }
    rc = an_diff_growth_b(&d, &b, min_count, top, members);
    if (rc != AN_OK) {
        status = an_error_lib(b.path, rc, NULL);
        goto done;
    }
    memset(&in, 0, sizeof(in));
    in.mode = AN_POINTS_DIFF;
    in.new_count = d.new_count;
    in.members = members;
    an_print_points(&b, &d.points, &in, fmt);
    status = an_fail_above("the points retain", d.points.retained,
                           fail_above);

done:
    an_diff_growth_free(&d);
    an_snap_close(&a);
    an_snap_close(&b);
    return status;
}

static int
diff_run(int argc, char **argv)
{
    int partial = 0, json = 0, objects = 0, retained = 0, growth = 0;
    int members = 0;
    const char *by = NULL, *format = NULL;
    uint64_t top = UINT64_MAX, fail_above = UINT64_MAX, min_count = 2;
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
        {AN_OPT_FLAG, 0, "growth", &growth, NULL,
         "the accumulation points of B's new objects (same process)"},
        {AN_OPT_UINT, 0, "min-count", &min_count, "N",
         "with --growth, leave out points of fewer objects (default 2)"},
        {AN_OPT_FLAG, 0, "members", &members, NULL,
         "with --growth --json, each point's objects (addresses)"},
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
    if (by != NULL && strcmp(by, "type") != 0 && strcmp(by, "module") != 0) {
        return an_usage_error(&diff_usage, opts,
                              "bad value '%s' for option '--by'", by);
    }
    if (growth && (objects || retained || by != NULL)) {
        return an_usage_error(&diff_usage, opts,
                              "--growth shows points, not types: no --%s",
                              objects ? "objects" : retained ? "retained"
                                                             : "by");
    }
    if (!growth && members) {
        return an_usage_error(&diff_usage, opts, "--members needs --growth");
    }
    status = an_format_option(&diff_usage, opts, format, json,
                              AN_FORMAT_BIT(AN_FORMAT_MARKDOWN), &fmt);
    if (status != 0) {
        return status;
    }
    if (growth) {
        return diff_growth(argv, partial, fmt, top, min_count, fail_above,
                           members);
    }
    if (by == NULL) {
        by = "type";
    }
    if (top == UINT64_MAX && fmt != AN_FORMAT_JSON) {
        top = 20;
    }
    if (objects) {
        cols |= MF_COL_ADDRESS | MF_COL_NAME;
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
