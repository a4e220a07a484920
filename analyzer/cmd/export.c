/*
 * export.c - muppy-analyze export: the snapshot in another tool's
 * format.
 *
 *   --format heapsnapshot  a V8 heap snapshot for Chrome DevTools and
 *                          memlab (lib/heapsnapshot.h, render/heapsnapshot.h)
 *   --format csv           objects.csv, edges.csv, roots.csv in a folder
 *                          (render/csv.h)
 *
 * Files are written under temporary names and renamed when complete
 * (render/outfile.h): an error leaves nothing under the final names.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dominators.h"
#include "lib/heapsnapshot.h"
#include "lib/roots.h"
#include "render/csv.h"
#include "render/format.h"
#include "render/heapsnapshot.h"
#include "render/outfile.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage export_usage = {
    "export",
    "--format heapsnapshot [--partial] SNAP -o OUT.heapsnapshot\n"
    "--format csv [--no-retained] [--partial] SNAP -o DIR",
    "the snapshot for other tools: DevTools, memlab, data tools",
    "--format heapsnapshot writes a V8 heap snapshot: load it in Chrome\n"
    "DevTools (Memory panel, Load) or give it to memlab.  Node ids are\n"
    "stable across the snapshots of one process, so DevTools' Comparison\n"
    "view and memlab's find-leaks match objects.  -o - writes to stdout.\n"
    "--format csv writes objects.csv (index, address, module, type,\n"
    "size, retained, flags, length), edges.csv (from, to, kind, label,\n"
    "weak) and roots.csv (object, kind, label) into the folder DIR\n"
    "(created if missing), for pandas, DuckDB or Spark.  The mappings\n"
    "are in spec/exports.md.",
    "  muppy-analyze export --format heapsnapshot app.snap"
    " -o app.heapsnapshot\n"
    "  muppy-analyze export --format csv app.snap -o app-tables",
};

/*
 * The heapsnapshot export.  The node ids come first, from the address and
 * type columns alone, so that their sort's temporary memory is never
 * held with the edges; then everything else is loaded and written.
 */
static int
export_heapsnapshot(an_snap *s, const char *out)
{
    an_roots roots;
    uint32_t *ids = NULL, *unref = NULL, n_unref = 0;
    an_outfile o;
    an_err rc;
    int status;

    memset(&roots, 0, sizeof(roots));
    status = an_load(s, MF_COL_ADDRESS | MF_COL_TYPE);
    if (status != 0) {
        return status;
    }
    if (s->g.n > AN_HS_MAX_OBJECTS) {
        an_error("'%s': %u objects are too many for a heapsnapshot "
                 "(at most %u)", s->path, s->g.n, (unsigned)AN_HS_MAX_OBJECTS);
        return AN_EXIT_INPUT;
    }
    ids = malloc((size_t)(s->g.n ? s->g.n : 1) * sizeof(uint32_t));
    rc = ids != NULL ? an_hs_node_ids(s, ids) : AN_ERR_NOMEM;
    if (rc == AN_OK) {
        status = an_load(s, an_hs_columns(s));
        if (status == 0) {
            rc = an_roots_of_snap(&roots, s);
        }
        if (status == 0 && rc == AN_OK) {
            rc = an_hs_unreferenced(s, &roots, &unref, &n_unref);
        }
    }
    if (status == 0 && rc != AN_OK) {
        status = an_error_lib(s->path, rc, NULL);
    }
    if (status == 0) {
        status = an_output_open(&o, out);
    }
    if (status == 0) {
        rc = an_export_heapsnapshot(&o, s, ids, unref, n_unref, NULL);
        if (rc != AN_OK) {
            an_outfile_abort(&o);
            status = an_error_lib(s->path, rc, NULL);
        }
        else {
            status = an_output_commit(&o);
        }
    }
    an_roots_free(&roots);
    free(ids);
    free(unref);
    return status;
}

/* The CSV export of a loaded snapshot into folder dir. */
static int
export_csv(an_snap *s, const char *dir, int with_retained)
{
    an_outfile o[AN_CSV_TABLES];
    uint64_t *retained = NULL;
    int status, f;

    memset(o, 0, sizeof(o));
    status = an_output_dir(dir);
    if (status == 0 && with_retained) {
        an_err rc = an_snap_retained(s, &retained);

        if (rc != AN_OK) {
            status = an_error_lib(s->path, rc, NULL);
        }
    }
    for (f = 0; status == 0 && f < AN_CSV_TABLES; f++) {
        char path[4096];

        snprintf(path, sizeof(path), "%s/%s", dir, an_csv_tables[f]);
        status = an_output_open(&o[f], path);
    }
    if (status == 0) {
        an_export_csv(o, s, retained);
    }
    /* all written and synced before any takes its final name */
    for (f = 0; status == 0 && f < AN_CSV_TABLES; f++) {
        status = an_output_finish(&o[f]);
    }
    for (f = 0; status == 0 && f < AN_CSV_TABLES; f++) {
        status = an_output_commit(&o[f]);
    }
    for (f = 0; f < AN_CSV_TABLES; f++) {
        an_outfile_abort(&o[f]);
    }
    free(retained);
    return status;
}

static int
export_run(int argc, char **argv)
{
    int partial = 0, no_retained = 0, npos, status;
    const char *format_name = NULL, *out = NULL, *msg;
    const an_option opts[] = {
        {AN_OPT_STRING, 'f', "format", &format_name, "FORMAT",
         "'heapsnapshot' or 'csv' (required)"},
        {AN_OPT_STRING, 'o', "output", &out, "OUT",
         "the file (heapsnapshot; '-': stdout) or folder (csv) to write"},
        {AN_OPT_FLAG, 0, "no-retained", &no_retained, NULL,
         "csv: leave the retained column empty (faster, less memory)"},
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of a truncated or damaged file"},
        AN_OPT_END_ROW,
    };
    an_format format;
    an_snap s;

    if (!an_parse_options(argc, argv, &export_usage, opts, &npos,
                          &status)) {
        return status;
    }
    if (npos != 1) {
        return an_usage_error(&export_usage, opts,
                              npos ? "too many arguments" : "missing SNAP");
    }
    if (format_name == NULL) {
        return an_usage_error(&export_usage, opts, "missing --format");
    }
    msg = an_choose_format(format_name, 0,
                           AN_FORMAT_BIT(AN_FORMAT_HEAPSNAPSHOT)
                           | AN_FORMAT_BIT(AN_FORMAT_CSV), &format);
    if (msg == NULL && format != AN_FORMAT_HEAPSNAPSHOT
        && format != AN_FORMAT_CSV) {
        msg = "bad value for option '--format' (heapsnapshot or csv)";
    }
    if (msg != NULL) {
        return an_usage_error(&export_usage, opts, "%s", msg);
    }
    if (out == NULL) {
        return an_usage_error(&export_usage, opts, "missing -o OUT");
    }
    if (format == AN_FORMAT_CSV && strcmp(out, "-") == 0) {
        return an_usage_error(&export_usage, opts,
                              "--format csv writes a folder: -o DIR");
    }
    status = an_open(&s, argv[0], partial);
    if (status != 0) {
        return status;
    }
    if (format == AN_FORMAT_HEAPSNAPSHOT) {
        status = export_heapsnapshot(&s, out);
    }
    else {
        status = an_load(&s, MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_SIZE
                                 | MF_COL_FLAGS | MF_COL_LENGTH
                                 | MF_COL_EDGES | MF_COL_EDGE_KIND
                                 | MF_COL_EDGE_LABEL);
        if (status == 0) {
            status = export_csv(&s, out, !no_retained);
        }
    }
    an_snap_close(&s);
    return status;
}

const an_command cmd_export = {&export_usage, export_run};
