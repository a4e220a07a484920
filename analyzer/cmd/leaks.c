/*
 * leaks.c - muppy-analyze leaks: what a workload allocated and never
 * freed, from three snapshots, grouped by why it is kept.
 *
 * Memory: the snapshots are loaded one after the other (BASE's and
 * TARGET's addresses and types, then all of FINAL's columns).
 */
#include <stdint.h>
#include <string.h>

#include "lib/leaks.h"
#include "render/format.h"
#include "render/leaks.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage leaks_usage = {
    "leaks",
    "[--top N] [--min-count N] [--fold-keys] [--fail-above BYTES]\n"
    " [--format text|markdown] [--partial] [--json]\n"
    " BASE.snap TARGET.snap FINAL.snap",
    "what a workload leaked, grouped by why it is kept",
    "Takes three snapshots of one process: BASE before a workload, TARGET\n"
    "after it, FINAL after running it again.  The objects of TARGET that\n"
    "are new since BASE (no object of BASE with the same address and type)\n"
    "and still alive in FINAL are the leak candidates; what the workload\n"
    "allocated and freed again is not.  Candidates held by another\n"
    "candidate count in its retained size; the others are grouped into\n"
    "clusters by the shape of their shortest path from a root in FINAL\n"
    "(list indices and int keys folded; with --fold-keys str keys too),\n"
    "largest retained size first.  Clusters of fewer than --min-count\n"
    "objects (default 2) are left out: one stray object is rarely a leak.\n"
    "--fail-above exits with status 3 when the clusters retain more than\n"
    "BYTES in all (suffixes K, M, G), for CI.",
    "  muppy-analyze leaks base.snap target.snap final.snap\n"
    "  muppy-analyze leaks --fail-above 1M --json b.snap t.snap f.snap",
};

static int
leaks_run(int argc, char **argv)
{
    int partial = 0, json = 0, fold_keys = 0, npos, status;
    const char *format = NULL;
    uint64_t top = 10, min_count = 2, fail_above = UINT64_MAX;
    const an_option opts[] = {
        {AN_OPT_UINT, 'n', "top", &top, "N",
         "show N clusters (default 10)"},
        {AN_OPT_UINT, 0, "min-count", &min_count, "N",
         "leave out clusters of fewer objects (default 2)"},
        {AN_OPT_FLAG, 0, "fold-keys", &fold_keys, NULL,
         "group paths through different str dict keys too"},
        {AN_OPT_SIZE, 0, "fail-above", &fail_above, "BYTES",
         "exit 3 when the clusters retain more than BYTES"},
        {AN_OPT_STRING, 0, "format", &format, "FORMAT",
         "'text' (default), 'markdown' or 'json'"},
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of truncated or damaged files"},
        {AN_OPT_FLAG, 0, "json", &json, NULL, "print JSON (spec/json.md)"},
        AN_OPT_END_ROW,
    };
    an_snap s[3];
    an_leaks lk;
    an_format fmt;
    an_err rc = AN_OK;
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
    /* BASE, then TARGET: their identities only, one at a time */
    for (int i = 0; i < 2 && rc == AN_OK; i++) {
        status = an_load(&s[i], MF_COL_ADDRESS | MF_COL_TYPE);
        if (status != 0) {
            goto done;
        }
        rc = i == 0 ? an_leaks_base(&lk, &s[0]) : an_leaks_target(&lk, &s[1]);
        if (rc != AN_OK) {
            status = an_error_lib(s[i].path, rc, NULL);
            goto done;
        }
        an_snap_close(&s[i]);
    }
    status = an_load(&s[2], MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_SIZE
                                | MF_COL_EDGES | MF_COL_EDGE_KIND
                                | MF_COL_EDGE_LABEL);
    if (status != 0) {
        goto done;
    }
    rc = an_leaks_final(&lk, &s[2], fold_keys ? AN_FOLD_STR_KEYS : 0);
    if (rc == AN_OK) {
        rc = an_leaks_select(&lk, &s[2], min_count, top);
    }
    if (rc != AN_OK) {
        status = an_error_lib(s[2].path, rc, NULL);
        goto done;
    }
    an_print_leaks(&s[2], &lk, fmt);
    status = an_fail_above("the leak clusters retain", lk.retained_total,
                           fail_above);

done:
    an_leaks_free(&lk);
    for (int i = 0; i < 3; i++) {
        an_snap_close(&s[i]);
    }
    return status;
}

const an_command cmd_leaks = {&leaks_usage, leaks_run};
