/*
 * referrers.c - muppy-analyze referrers: who points at an object.
 */
#include <stdint.h>
#include <string.h>

#include "lib/referrers.h"
#include "render/format.h"
#include "render/referrers.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage referrers_usage = {
    "referrers",
    "[--depth N] [--max-children N] [--format text|json|dot]\n"
    " [--partial] [--json] SNAP ADDRESS",
    "who points at an object, as a tree",
    "Prints the objects that refer to the object at ADDRESS, the objects\n"
    "that refer to those, and so on up to --depth levels, each with the\n"
    "label of its reference, its type and its address.  An object shown\n"
    "once is not expanded again; roots are marked.  --format dot prints\n"
    "the same as a Graphviz graph for 'dot -Tsvg'.",
    "  muppy-analyze referrers --depth 4 app.snap 0x7f3a2c1b9e80",
};

static int
referrers_run(int argc, char **argv)
{
    int partial = 0, json = 0;
    uint64_t depth = 3, max_children = 10, address;
    const char *format_name = NULL;
    an_format format;
    const an_option opts[] = {
        {AN_OPT_UINT, 'd', "depth", &depth, "N",
         "levels of referrers to show (default 3)"},
        {AN_OPT_UINT, 0, "max-children", &max_children, "N",
         "referrers shown per object (default 10)"},
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of a truncated or damaged file"},
        {AN_OPT_STRING, 0, "format", &format_name, "FORMAT",
         "text (default), json or dot (Graphviz)"},
        {AN_OPT_FLAG, 0, "json", &json, NULL, "print JSON (spec/json.md)"},
        AN_OPT_END_ROW,
    };
    int npos, status;
    uint32_t target;
    an_snap s;
    an_reftree m;
    an_outfile o;
    an_err rc;

    memset(&m, 0, sizeof(m));
    if (!an_parse_options(argc, argv, &referrers_usage, opts, &npos,
                          &status)) {
        return status;
    }
    if (npos != 2) {
        return an_usage_error(&referrers_usage, opts,
                              "referrers needs SNAP and ADDRESS");
    }
    status = an_address_arg(&referrers_usage, opts, argv[1], &address);
    if (status != 0) {
        return status;
    }
    status = an_format_option(&referrers_usage, opts, format_name, json,
                              AN_FORMAT_BIT(AN_FORMAT_DOT), &format);
    if (status != 0) {
        return status;
    }
    status = an_open(&s, argv[0], partial);
    if (status != 0) {
        return status;
    }
    /* no size column but for the boxes of dot: it would cost 8 bytes an
     * object for one figure */
    status = an_load(&s, MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_EDGES
                             | MF_COL_EDGE_KIND | MF_COL_EDGE_LABEL
                             | (format == AN_FORMAT_DOT ? MF_COL_SIZE : 0));
    if (status == 0) {
        target = an_object_at(&s, address);
        status = target == MF_NONE ? AN_EXIT_INPUT : 0;
    }
    if (status == 0) {
        rc = an_reftree_compute(&s, target, depth, max_children, &m);
        if (rc != AN_OK) {
            status = an_error_lib(s.path, rc, NULL);
        }
        else if (format == AN_FORMAT_DOT) {
            status = an_output_open(&o, "-");
            if (status == 0) {
                an_dot_referrers(&o, &s, &m);
                status = an_output_commit(&o);
            }
        }
        else {
            an_print_referrers(&s, &m, format);
        }
    }
    an_reftree_free(&m);
    an_snap_close(&s);
    return status;
}

const an_command cmd_referrers = {&referrers_usage, referrers_run};
