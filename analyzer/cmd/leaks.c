/*
 * leaks.c - muppy-analyze leaks: what a workload allocated and never
 * freed, from three snapshots, one entry per accumulation point (or per
 * retainer path with --by path).
 *
 * Memory: the snapshots are loaded one after the other (BASE's and
 * TARGET's identities, then all of FINAL's columns).
 */
#include <stdint.h>
#include <string.h>

#include "lib/leaks.h"
#include "render/format.h"
#include "render/growth.h"
#include "render/leaks.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage leaks_usage = {
    "leaks",
    "[--top N] [--min-count N] [--by point|path] [--fold-keys]\n"
    " [--fail-above BYTES] [--format text|markdown] [--members] [--partial]\n"
    " [--json] BASE.snap TARGET.snap FINAL.snap",
    "what a workload leaked: where it piles up",
    "Takes three snapshots of one process: BASE before a workload, TARGET\n"
    "after it, FINAL after running it again.  The objects of TARGET that\n"
    "are new since BASE (no object of BASE with the same address, type and\n"
    "name) and still alive in FINAL are what the workload leaked; what it\n"
    "allocated and freed again is not.  Each leak is one entry: its\n"
    "accumulation point, the object through which the leaked objects are\n"
    "held (a cache dict, a handler list, a session's _new; for a new\n"
    "structure, the outermost new object and where it fans out), with\n"
    "what it gained by type, how it hangs, the retained size of it (the\n"
    "entries' ranking), its path from a root and an example.  Points that\n"
    "gained fewer than --min-count objects (default 2) are left out.\n"
    "--by path groups the leaked objects by the shape of their path\n"
    "instead (with --fold-keys, str keys folded too).  --fail-above exits\n"
    "with status 3 when the entries retain more than BYTES in all\n"
    "(suffixes K, M, G), for CI.",
    "  muppy-analyze leaks base.snap target.snap final.snap\n"
    "  muppy-analyze leaks --fail-above 1M --json b.snap t.snap f.snap",
};

/* BASE and TARGET: their identities, one at a time. */
static int
leaks_before(an_leaks *lk, an_snap *s)
{
    an_err rc = AN_OK;
    int status;

    for (int i = 0; i < 2 && rc == AN_OK; i++) {
        status = an_load(&s[i], AN_LEAKS_ID_COLUMNS);
        if (status != 0) {
            return status;
        }
        rc = i == 0 ? an_leaks_base(lk, &s[0]) : an_leaks_target(lk, &s[1]);
        if (rc != AN_OK) {
            return an_error_lib(s[i].path, rc, NULL);
        }
        an_snap_close(&s[i]);
    }
    return 0;
}

static int
leaks_run(int argc, char **argv)
{
    int partial = 0, json = 0, fold_keys = 0, members = 0, newer = 0;
    int npos, status;
    const char *format = NULL, *by = "point";
    uint64_t top = 10, min_count = 2, fail_above = UINT64_MAX, total;
    const an_option opts[] = {
        {AN_OPT_UINT, 'n', "top", &top, "N",
         "show N entries (default 10)"},
        {AN_OPT_UINT, 0, "min-count", &min_count, "N",
         "leave out entries of fewer gained objects (default 2)"},
        {AN_OPT_STRING, 0, "by", &by, "WHAT",
         "'point' (default: one entry per accumulation point) or 'path'"},
        {AN_OPT_FLAG, 0, "fold-keys", &fold_keys, NULL,
         "with --by path, group paths through different str keys too"},
        {AN_OPT_SIZE, 0, "fail-above", &fail_above, "BYTES",
         "exit 3 when the entries retain more than BYTES"},
        {AN_OPT_STRING, 0, "format", &format, "FORMAT",
         "'text' (default), 'markdown' or 'json'"},
        {AN_OPT_FLAG, 0, "newer", &newer, NULL,
         "list points held only by objects newer than TARGET too"},
        {AN_OPT_FLAG, 0, "members", &members, NULL,
         "with --json, each point's objects (addresses)"},
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of truncated or damaged files"},
        {AN_OPT_FLAG, 0, "json", &json, NULL, "print JSON (spec/json.md)"},
        AN_OPT_END_ROW,
    };
    an_snap s[3];
    an_leaks lk;
    an_format fmt;
    an_err rc;
    int by_path;
    char why[512];

    memset(s, 0, sizeof(s));
    memset(&lk, 0, sizeof(lk));
    if (!an_parse_options(argc, argv, &leaks_usage, opts, &npos, &status)) {
        return status;
    }
    if (npos != 3) {
        return an_usage_error(&leaks_usage, opts,
                              "leaks needs three snapshots: BASE TARGET "
                              "FINAL");
    }
    if (strcmp(by, "point") != 0 && strcmp(by, "path") != 0) {
        return an_usage_error(&leaks_usage, opts,
                              "bad value '%s' for option '--by'", by);
    }
    by_path = strcmp(by, "path") == 0;
    if (fold_keys && !by_path) {
        return an_usage_error(&leaks_usage, opts,
                              "--fold-keys needs --by path");
    }
    status = an_format_option(&leaks_usage, opts, format, json,
                              AN_FORMAT_BIT(AN_FORMAT_MARKDOWN), &fmt);
    if (status != 0) {
        return status;
    }
    for (int i = 0; i < 3; i++) {
        status = an_open(&s[i], argv[i], partial);
        if (status != 0) {
            goto done;
        }
    }
    if (an_snap_same_process(&s[0], &s[1], why, sizeof(why)) != 0
        || an_snap_same_process(&s[1], &s[2], why, sizeof(why)) != 0) {
        an_error("%s: leaks needs three snapshots of one process", why);
        status = AN_EXIT_INPUT;
        goto done;
    }
    status = leaks_before(&lk, s);
    if (status == 0) {
        status = an_load(&s[2], AN_LEAKS_FINAL_COLUMNS);
    }
    if (status != 0) {
        goto done;
    }
    if (by_path) {
        rc = an_leaks_final(&lk, &s[2], fold_keys ? AN_FOLD_STR_KEYS : 0);
        if (rc == AN_OK) {
            rc = an_leaks_select(&lk, &s[2], min_count, top);
        }
    }
    else {
        rc = an_leaks_points(&lk, &s[2], min_count, top, members, newer);
    }
    if (rc != AN_OK) {
        status = an_error_lib(s[2].path, rc, NULL);
        goto done;
    }
    if (by_path) {
        an_print_leaks(&s[2], &lk, fmt);
        total = lk.retained_total;
    }
    else {
        an_points_intro in;

        memset(&in, 0, sizeof(in));
        in.mode = AN_POINTS_LEAKS;
        in.new_count = lk.fresh_count;
        in.candidates = lk.candidates;
        in.members = members;
        an_print_points(&s[2], &lk.points, &in, fmt);
        total = lk.points.retained;
    }
    status = an_fail_above(by_path ? "the leak clusters retain"
                                   : "the leaks retain", total, fail_above);

done:
    an_leaks_free(&lk);
    for (int i = 0; i < 3; i++) {
        an_snap_close(&s[i]);
    }
    return status;
}

const an_command cmd_leaks = {&leaks_usage, leaks_run};
