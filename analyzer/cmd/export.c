/*
 * cmd_export.c - muppy-analyze export: the snapshot in another tool's
 * format.
 *
 *   --format heapsnapshot  a V8 heap snapshot for Chrome DevTools and
 *                          memlab (heapsnapshot.h, export_heapsnapshot.h)
 *   --format csv           objects.csv, edges.csv, roots.csv in a folder
 *                          (export_csv.h)
 *
 * Files are written under temporary names and renamed when complete
 * (outfile.h): an error leaves nothing under the final names.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/dominators.h"
#include "lib/heapsnapshot.h"
#include "lib/roots.h"
#include "render/csv.h"
#include "render/format.h"
#include "render/heapsnapshot.h"
#include "render/outfile.h"
#include "render/path.h"
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
    "  muppy-analyze export --format heapsnapshot app.snap -o app.heapsnapshot\n"
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
    an_hs_counts counts;
    unsigned columns = AN_HS_COLUMNS;
    char text[32];
    int status;

    memset(&roots, 0, sizeof(roots));
    memset(&o, 0, sizeof(o));
    status = an_load(s, MF_COL_ADDRESS | MF_COL_TYPE);
    if (status != 0) {
        return status;
    }
    status = AN_EXIT_INPUT;
    if (s->g.n > AN_HS_MAX_OBJECTS) {
        an_error("'%s': %u objects are too many for a heapsnapshot "
                 "(at most %u)", s->path, s->g.n, (unsigned)AN_HS_MAX_OBJECTS);
        return AN_EXIT_INPUT;
    }
    ids = an_malloc((size_t)(s->g.n ? s->g.n : 1) * sizeof(uint32_t));
    if (ids == NULL) {
        return AN_EXIT_INPUT;
    }
    if (an_hs_node_ids(s, ids) != 0) {
        an_error("'%s': out of memory", s->path);
        goto done;
    }
    /* str contents exist only in files dumped with include_strings */
    if (an_snap_meta_text(s, "dump.include_strings", text, sizeof(text)) == 0
        && strcmp(text, "0") == 0) {
        columns &= ~MF_COL_VALUE;
    }
    status = an_load(s, columns);
    if (status != 0) {
        goto done;
    }
    status = AN_EXIT_INPUT;
    if (an_roots_of_snap(&roots, s) != 0
        || an_hs_unreferenced(s, &roots, &unref, &n_unref) != 0) {
        an_error("'%s': out of memory", s->path);
        goto done;
    }
    status = an_outfile_open(&o, out);
    if (status != 0) {
        goto done;
    }
    if (an_export_heapsnapshot(&o, s, ids, unref, n_unref, &counts) != 0) {
        an_error("'%s': out of memory", s->path);
        an_outfile_abort(&o);
        status = AN_EXIT_INPUT;
        goto done;
    }
    status = an_outfile_commit(&o);

done:
    an_roots_free(&roots);
    free(ids);
    free(unref);
    return status;
}

/* The retained size of every object (8 bytes an object), or NULL when
 * out of memory (printed). */
static uint64_t *
export_retained(an_snap *s)
{
    an_roots roots;
    an_domtree dt;
    uint64_t *retained = NULL;

    if (an_roots_of_snap(&roots, s) != 0) {
        an_error("'%s': out of memory", s->path);
        return NULL;
    }
    if (an_dominators(&s->g, s->cols.size, roots.ordered, roots.n, &dt)
        != 0) {
        an_error("'%s': out of memory", s->path);
    }
    else {
        retained = dt.retained;
        dt.retained = NULL;
        an_domtree_free(&dt);
    }
    an_roots_free(&roots);
    return retained;
}

#define EXPORT_CSV_FILES 3

/* The CSV export of a loaded snapshot into folder dir. */
static int
export_csv(an_snap *s, const char *dir, int with_retained)
{
    static const char *const names[EXPORT_CSV_FILES] = {
        "objects.csv", "edges.csv", "roots.csv",
    };
    an_outfile o[EXPORT_CSV_FILES];
    uint64_t *retained = NULL;
    int status = AN_EXIT_INPUT;
    struct stat st;

    memset(o, 0, sizeof(o));
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        an_error("cannot create '%s': %s", dir, strerror(errno));
        return AN_EXIT_INPUT;
    }
    if (stat(dir, &st) != 0) {
        an_error("cannot create '%s': %s", dir, strerror(errno));
        return AN_EXIT_INPUT;
    }
    if (!S_ISDIR(st.st_mode)) {
        an_error("cannot create '%s': %s", dir, strerror(ENOTDIR));
        return AN_EXIT_INPUT;
    }
    if (with_retained) {
        retained = export_retained(s);
        if (retained == NULL) {
            return AN_EXIT_INPUT;
        }
    }
    for (int f = 0; f < EXPORT_CSV_FILES; f++) {
        size_t len = strlen(dir) + strlen(names[f]) + 2;
        char *path = malloc(len);

        if (path == NULL) {
            an_error("out of memory");
            goto done;
        }
        snprintf(path, len, "%s/%s", dir, names[f]);
        status = an_outfile_open(&o[f], path);
        free(path);
        if (status != 0) {
            goto done;
        }
    }
    an_export_csv_objects(&o[0], s, retained);
    an_export_csv_edges(&o[1], s);
    an_export_csv_roots(&o[2], s);
    /* all written and synced before any takes its final name */
    status = AN_EXIT_INPUT;
    for (int f = 0; f < EXPORT_CSV_FILES; f++) {
        if (an_outfile_finish(&o[f]) != 0) {
            goto done;
        }
    }
    for (int f = 0; f < EXPORT_CSV_FILES; f++) {
        if (an_outfile_commit(&o[f]) != 0) {
            goto done;
        }
    }
    status = AN_EXIT_OK;

done:
    for (int f = 0; f < EXPORT_CSV_FILES; f++) {
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
