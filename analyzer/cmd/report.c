/*
 * report.c - muppy-analyze report: a one-file HTML report.
 *
 * The model (lib/report.h) is built from SNAP, then BASE, then FINAL,
 * one snapshot's columns loaded at a time; the page is written
 * atomically (render/outfile.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/leaks.h"
#include "lib/report.h"
#include "render/html.h"
#include "render/outfile.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage report_usage = {
    "report",
    "[--base BASE.snap [--final FINAL.snap]] [--top N] [--partial]\n"
    " SNAP -o REPORT.html",
    "a one-file HTML report to open offline",
    "Writes one self-contained HTML page (no network, no external script,\n"
    "style or font: it opens anywhere, offline, as a bug report's\n"
    "attachment): the snapshot's metadata, sortable summaries by type and\n"
    "by module with retained sizes, a treemap of the retained size by\n"
    "module and type, and the objects that retain the most with their\n"
    "paths.  With --base, what grew since BASE; with --base and --final\n"
    "(three snapshots of one process: BASE before, SNAP during, FINAL\n"
    "after a workload), the leaks: objects of SNAP new since BASE and\n"
    "still alive in FINAL, one entry per accumulation point (see leaks).\n"
    "Aggregates only: the page stays small whatever the heap.",
    "  muppy-analyze report app.snap -o report.html\n"
    "  muppy-analyze report --base before.snap --final after.snap "
    "during.snap -o leaks.html",
};

/* Do the snapshots a and b come from one process?  Else say so. */
static int
report_same_process(const an_snap *a, const an_snap *b)
{
    char why[300];

    if (an_snap_same_process(a, b, why, sizeof(why)) != 0) {
        an_error("%s: --final needs three snapshots of one process", why);
        return AN_EXIT_INPUT;
    }
    return 0;
}

static int
report_run(int argc, char **argv)
{
    int partial = 0, npos, status;
    const char *out = NULL, *base = NULL, *final = NULL;
    uint64_t top = 300;
    const an_option opts[] = {
        {AN_OPT_STRING, 'o', "output", &out, "REPORT.html",
         "the file to write ('-': stdout)"},
        {AN_OPT_STRING, 0, "base", &base, "BASE.snap",
         "an earlier snapshot: what grew since"},
        {AN_OPT_STRING, 0, "final", &final, "FINAL.snap",
         "a later snapshot (with --base): the leaks"},
        {AN_OPT_UINT, 'n', "top", &top, "N",
         "rows of the summary tables (default 300)"},
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of truncated or damaged files"},
        AN_OPT_END_ROW,
    };
    /* the names too: the leaks' identities need them (leaks.h); the
     * flags: external nodes and the memory breakdown */
    unsigned all = AN_LEAKS_FINAL_COLUMNS | MF_COL_FLAGS;
    an_snap s, other;
    an_report r;
    an_leaks lk;
    an_outfile o;
    an_err rc;

    memset(&s, 0, sizeof(s));
    memset(&other, 0, sizeof(other));
    memset(&r, 0, sizeof(r));
    memset(&lk, 0, sizeof(lk));
    memset(&o, 0, sizeof(o));
    if (!an_parse_options(argc, argv, &report_usage, opts, &npos,
                          &status)) {
        return status;
    }
    if (npos != 1) {
        return an_usage_error(&report_usage, opts,
                              npos ? "too many arguments" : "missing SNAP");
    }
    if (out == NULL) {
        return an_usage_error(&report_usage, opts, "missing -o REPORT.html");
    }
    if (final != NULL && base == NULL) {
        return an_usage_error(&report_usage, opts,
                              "--final needs --base");
    }
    status = an_open(&s, argv[0], partial);
    if (status != 0) {
        return status;
    }
    status = an_load(&s, all);
    if (status != 0) {
        goto done;
    }
    rc = an_report_snapshot(&r, &s, top);
    if (rc != AN_OK) {
        status = an_error_lib(s.path, rc, NULL);
        goto done;
    }
    if (base != NULL) {
        status = an_open(&other, base, partial);
        if (status == 0) {
            status = an_load(&other, AN_LEAKS_ID_COLUMNS | MF_COL_SIZE);
        }
        if (status == 0 && final != NULL) {
            status = report_same_process(&other, &s);
        }
        if (status != 0) {
            goto done;
        }
        rc = an_report_base(&r, &other, &s, final != NULL ? &lk : NULL);
        if (rc != AN_OK) {
            status = an_error_lib(other.path, rc, NULL);
            goto done;
        }
        an_snap_close(&other);
    }
    if (final != NULL) {
        an_snap_unload(&s);     /* one snapshot's columns at a time */
        status = an_open(&other, final, partial);
        if (status == 0) {
            status = report_same_process(&s, &other);
        }
        if (status == 0) {
            status = an_load(&other, all);
        }
        if (status != 0) {
            goto done;
        }
        rc = an_report_final(&r, &lk, &other);
        if (rc != AN_OK) {
            status = an_error_lib(other.path, rc, NULL);
            goto done;
        }
        an_snap_close(&other);
    }
    status = an_output_open(&o, out);
    if (status == 0) {
        an_report_write_html(&o, &r);
        status = an_output_commit(&o);
    }

done:
    an_outfile_abort(&o);
    an_leaks_free(&lk);
    an_report_free(&r);
    an_snap_close(&other);
    an_snap_close(&s);
    return status;
}

const an_command cmd_report = {&report_usage, report_run};
