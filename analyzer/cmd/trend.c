/*
 * trend.c - muppy-analyze trend: counts and sizes per type across a
 * series of snapshots (taken periodically, or by dump_on_signal), or
 * with --growth the accumulation points that grew in every step.
 *
 * Streams: one snapshot is loaded at a time (type and size columns; with
 * --growth, everything, and the identities of the one before), so a
 * hundred snapshots need the memory of one.
 */
#include <stdint.h>
#include <string.h>

#include "lib/trend.h"
#include "render/format.h"
#include "render/growth.h"
#include "render/trend.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage trend_usage = {
    "trend",
    "[--by type|module] [--top N] [--format text|markdown]\n"
    " [--partial] [--json] S1.snap S2.snap [S3.snap ...]\n"
    "--growth [--top N] [--min-count N] [--format text|markdown]\n"
    " [--partial] [--json] S1.snap S2.snap [S3.snap ...]",
    "counts and sizes per type across snapshots",
    "Reads the snapshots in the order given, one at a time, and prints per\n"
    "type (or module) its count and size in the last one, their change\n"
    "since the first, and a sparkline of its count across all of them.\n"
    "Types whose count grew at every step come first, marked '*': the\n"
    "usual suspects of a slow leak.  With --growth (snapshots of one\n"
    "process), the accumulation points that grew in every step instead,\n"
    "as 'leaks' shows them: each step is a 'diff --growth', and a point\n"
    "must gain --min-count objects (default 2) and grow at each.",
    "  muppy-analyze trend /var/tmp/snaps/*.snap\n"
    "  muppy-analyze trend --by module --top 10 s1.snap s2.snap s3.snap\n"
    "  muppy-analyze trend --growth s1.snap s2.snap s3.snap",
};

/* trend --growth: one snapshot loaded at a time; the one before stays
 * open (not loaded) for the same-process check, the last for the
 * output. */
static int
trend_growth(char **argv, int npos, int partial, an_format fmt,
             uint64_t top, uint64_t min_count)
{
    an_snap prev, cur;
    an_trend t;
    an_points_intro in;
    char why[512];
    int status = 0;
    an_err rc;

    memset(&prev, 0, sizeof(prev));
    memset(&cur, 0, sizeof(cur));
    rc = an_trend_init(&t, 0, (uint32_t)npos);
    if (rc == AN_OK) {
        rc = an_trend_growth(&t, min_count, top);
    }
    if (rc != AN_OK) {
        an_trend_free(&t);
        return an_error_lib(argv[0], rc, NULL);
    }
    for (int i = 0; i < npos; i++) {
        status = an_open(&cur, argv[i], partial);
        if (status != 0) {
            goto done;
        }
        if (i > 0 && an_snap_same_process(&prev, &cur, why, sizeof(why))
                     != 0) {
            an_error("%s: --growth needs snapshots of one process", why);
            status = AN_EXIT_INPUT;
            goto done;
        }
        an_snap_close(&prev);
        status = an_load(&cur, i ? AN_TREND_GROWTH_COLUMNS
                                 : AN_TREND_FIRST_COLUMNS);
        if (status != 0) {
            goto done;
        }
        rc = an_trend_add_growth(&t, (uint32_t)i, &cur);
        if (rc != AN_OK) {
            status = an_error_lib(cur.path, rc, NULL);
            goto done;
        }
        if (i + 1 < npos) {
            an_snap_unload(&cur);
            prev = cur;
            memset(&cur, 0, sizeof(cur));
        }
    }
    memset(&in, 0, sizeof(in));
    in.mode = AN_POINTS_TREND;
    in.snapshots = argv;
    in.n_snapshots = (uint32_t)npos;
    in.gained_per_step = t.gained;
    an_print_points(&cur, &t.points, &in, fmt);

done:
    an_trend_free(&t);
    an_snap_close(&prev);
    an_snap_close(&cur);
    return status;
}

static int
trend_run(int argc, char **argv)
{
    int partial = 0, json = 0, growth = 0, npos, status;
    const char *by = NULL, *format = NULL;
    uint64_t top = UINT64_MAX, min_count = 2;
    const an_option opts[] = {
        {AN_OPT_STRING, 0, "by", &by, "WHAT",
         "group by 'type' (default) or 'module'"},
        {AN_OPT_UINT, 'n', "top", &top, "N",
         "show N groups (default 20, JSON: all; --growth: 10)"},
        {AN_OPT_FLAG, 0, "growth", &growth, NULL,
         "the accumulation points that grew in every step"},
        {AN_OPT_UINT, 0, "min-count", &min_count, "N",
         "with --growth, objects a point gains at each step (default 2)"},
        {AN_OPT_STRING, 0, "format", &format, "FORMAT",
         "'text' (default), 'markdown' or 'json'"},
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of truncated or damaged files"},
        {AN_OPT_FLAG, 0, "json", &json, NULL, "print JSON (spec/json.md)"},
        AN_OPT_END_ROW,
    };
    an_trend t;
    an_format fmt;
    an_err rc;

    memset(&t, 0, sizeof(t));
    if (!an_parse_options(argc, argv, &trend_usage, opts, &npos, &status)) {
        return status;
    }
    if (npos < 2) {
        return an_usage_error(&trend_usage, opts,
                              "trend needs two snapshots or more");
    }
    if (by != NULL && strcmp(by, "type") != 0 && strcmp(by, "module") != 0) {
        return an_usage_error(&trend_usage, opts,
                              "bad value '%s' for option '--by'", by);
    }
    if (growth && by != NULL) {
        return an_usage_error(&trend_usage, opts,
                              "--growth shows points, not types: no --by");
    }
    status = an_format_option(&trend_usage, opts, format, json,
                              AN_FORMAT_BIT(AN_FORMAT_MARKDOWN), &fmt);
    if (status != 0) {
        return status;
    }
    if (growth) {
        return trend_growth(argv, npos, partial, fmt,
                            top == UINT64_MAX ? 10 : top, min_count);
    }
    if (by == NULL) {
        by = "type";
    }
    if (top == UINT64_MAX && fmt != AN_FORMAT_JSON) {
        top = 20;
    }
    rc = an_trend_init(&t, strcmp(by, "module") == 0, (uint32_t)npos);
    if (rc != AN_OK) {
        return an_error_lib(argv[0], rc, NULL);
    }
    /* one snapshot at a time: a hundred need the memory of one */
    for (int i = 0; i < npos; i++) {
        an_snap s;

        status = an_open(&s, argv[i], partial);
        if (status != 0) {
            goto done;
        }
        status = an_load(&s, MF_COL_TYPE | MF_COL_SIZE);
        if (status == 0) {
            rc = an_trend_add(&t, (uint32_t)i, &s);
            if (rc != AN_OK) {
                status = an_error_lib(s.path, rc, NULL);
            }
        }
        an_snap_close(&s);
        if (status != 0) {
            goto done;
        }
    }
    an_trend_finish(&t);
    an_print_trend(&t, argv, fmt, top);
    status = AN_EXIT_OK;

done:
    an_trend_free(&t);
    return status;
}

const an_command cmd_trend = {&trend_usage, trend_run};
