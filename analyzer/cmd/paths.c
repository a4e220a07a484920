/*
 * paths.c - muppy-analyze paths: why an object is alive.
 */
#include <stdint.h>
#include <string.h>

#include "lib/paths.h"
#include "render/format.h"
#include "render/paths.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage paths_usage = {
    "paths",
    "[--weak] [--max N] [--format text|json|dot] [--partial]\n"
    " [--json] SNAP ADDRESS\n"
    "--type NAME [--weak] [--fold-keys] [--no-retained] [--max N]\n"
    " [--format text|json|dot] [--partial] [--json] SNAP",
    "why an object is alive: paths from the roots",
    "Prints a shortest chain of references from a root (a module in\n"
    "sys.modules, a thread's frame, ... or an object nothing in the\n"
    "snapshot refers to) to the object at ADDRESS.  With --type, finds the\n"
    "paths of all instances of a type at once and groups them by shape\n"
    "(list indices and int keys folded to [*]; with --fold-keys str keys\n"
    "too; a run of identical steps, as along a linked list, as one step\n"
    "'+'), most common first, each group with the retained size of its\n"
    "instances.  Weak references are not followed unless --weak.\n"
    "--format dot prints a Graphviz graph of the path (with --type, one\n"
    "cluster per group showing the shape with its counts) for\n"
    "'dot -Tsvg'.",
    "  muppy-analyze paths app.snap 0x7f3a2c1b9e80\n"
    "  muppy-analyze paths --type LeakedSession app.snap\n"
    "  muppy-analyze paths --format dot app.snap 0x7f3a2c1b9e80 | dot -Tsvg",
};

static int
paths_run(int argc, char **argv)
{
    int partial = 0, json = 0, weak = 0, fold_keys = 0, no_retained = 0;
    uint64_t max_groups = 10, address = 0;
    const char *format_name = NULL, *type_name = NULL;
    an_format format;
    const an_option opts[] = {
        {AN_OPT_STRING, 't', "type", &type_name, "NAME",
         "all instances of type NAME (qualname or module.qualname)"},
        {AN_OPT_FLAG, 0, "weak", &weak, NULL, "follow weak references too"},
        {AN_OPT_FLAG, 0, "no-retained", &no_retained, NULL,
         "with --type, skip the retained sizes (faster, less memory)"},
        {AN_OPT_FLAG, 0, "fold-keys", &fold_keys, NULL,
         "group paths through different str dict keys too"},
        {AN_OPT_UINT, 0, "max", &max_groups, "N",
         "show at most N path groups (default 10)"},
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of a truncated or damaged file"},
        {AN_OPT_STRING, 0, "format", &format_name, "FORMAT",
         "text (default), json or dot (Graphviz)"},
        {AN_OPT_FLAG, 0, "json", &json, NULL, "print JSON (spec/json.md)"},
        AN_OPT_END_ROW,
    };
    int npos, status, retained;
    uint32_t target = MF_NONE;
    an_snap s;
    an_paths m;
    an_outfile o;
    an_err rc;

    memset(&m, 0, sizeof(m));
    if (!an_parse_options(argc, argv, &paths_usage, opts, &npos, &status)) {
        return status;
    }
    if (type_name != NULL ? npos != 1 : npos != 2) {
        return an_usage_error(&paths_usage, opts,
                              type_name ? "paths --type needs one SNAP"
                                        : "paths needs SNAP and ADDRESS "
                                          "(or --type NAME)");
    }
    if (type_name == NULL) {
        status = an_address_arg(&paths_usage, opts, argv[1], &address);
        if (status != 0) {
            return status;
        }
    }
    status = an_format_option(&paths_usage, opts, format_name, json,
                              AN_FORMAT_BIT(AN_FORMAT_DOT), &format);
    if (status != 0) {
        return status;
    }
    retained = type_name != NULL && !no_retained;

    status = an_open(&s, argv[0], partial);
    if (status != 0) {
        return status;
    }
    /* sizes for the retained sizes, and for the boxes of dot */
    status = an_load(&s, MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_EDGES
                             | MF_COL_EDGE_KIND | MF_COL_EDGE_LABEL
                             | (retained || format == AN_FORMAT_DOT
                                ? MF_COL_SIZE : 0));
    if (status == 0 && type_name == NULL) {
        target = an_object_at(&s, address);
        status = target == MF_NONE ? AN_EXIT_INPUT : 0;
    }
    if (status == 0) {
        rc = an_paths_compute(&s, type_name, target,
                              (weak ? AN_PATHS_WEAK : 0)
                              | (fold_keys ? AN_PATHS_FOLD_KEYS : 0)
                              | (retained ? AN_PATHS_RETAINED : 0),
                              max_groups, &m);
        if (rc != AN_OK) {
            status = an_error_lib(s.path, rc, type_name);
        }
        else if (format == AN_FORMAT_DOT) {
            status = an_output_open(&o, "-");
            if (status == 0) {
                an_dot_paths(&o, &s, &m, max_groups);
                status = an_output_commit(&o);
            }
        }
        else {
            an_print_paths(&s, &m, format);
        }
    }
    an_paths_free(&m);
    an_snap_close(&s);
    return status;
}

const an_command cmd_paths = {&paths_usage, paths_run};
