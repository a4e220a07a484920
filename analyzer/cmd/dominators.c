/*
 * dominators.c - muppy-analyze dominators: what keeps an object alive,
 * as the chain of objects every path from the roots goes through.
 */
#include <stdint.h>
#include <string.h>

#include "lib/domchain.h"
#include "render/dominators.h"
#include "render/format.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage dominators_usage = {
    "dominators",
    "[--format text|json|dot] [--partial] [--json] SNAP ADDRESS",
    "the chain of objects that keep an object alive",
    "Prints the immediate dominators of the object at ADDRESS from the\n"
    "outermost down: every path from the roots to the object passes\n"
    "through each of them, so removing any one of them would free the\n"
    "object, along with everything else it retains.  Each with its\n"
    "retained size and own size.  Weak references do not keep objects\n"
    "alive.  --format dot prints the chain as a Graphviz graph, each\n"
    "arrow labeled with the reference when the dominator refers to the\n"
    "next object directly.",
    "  muppy-analyze dominators app.snap 0x7f3a2c1b9e80",
};

static int
dominators_run(int argc, char **argv)
{
    int partial = 0, json = 0, npos, status;
    const char *format_name = NULL;
    an_format format;
    const an_option opts[] = {
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of a truncated or damaged file"},
        {AN_OPT_STRING, 0, "format", &format_name, "FORMAT",
         "text (default), json or dot (Graphviz)"},
        {AN_OPT_FLAG, 0, "json", &json, NULL, "print JSON (spec/json.md)"},
        AN_OPT_END_ROW,
    };
    uint64_t address;
    uint32_t target;
    an_snap s;
    an_domchain m;
    an_outfile o;
    an_err rc;

    memset(&m, 0, sizeof(m));
    if (!an_parse_options(argc, argv, &dominators_usage, opts, &npos,
                          &status)) {
        return status;
    }
    if (npos != 2) {
        return an_usage_error(&dominators_usage, opts,
                              "dominators needs SNAP and ADDRESS");
    }
    status = an_address_arg(&dominators_usage, opts, argv[1], &address);
    if (status != 0) {
        return status;
    }
    status = an_format_option(&dominators_usage, opts, format_name, json,
                              AN_FORMAT_BIT(AN_FORMAT_DOT), &format);
    if (status != 0) {
        return status;
    }
    status = an_open(&s, argv[0], partial);
    if (status != 0) {
        return status;
    }
    status = an_load(&s, MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_SIZE
                             | MF_COL_EDGES | MF_COL_EDGE_KIND
                             | (format == AN_FORMAT_DOT ? MF_COL_EDGE_LABEL
                                                        : 0));
    if (status == 0) {
        target = an_object_at(&s, address);
        status = target == MF_NONE ? AN_EXIT_INPUT : 0;
    }
    if (status == 0) {
        rc = an_domchain_compute(&s, target, &m);
        if (rc != AN_OK) {
            status = an_error_lib(s.path, rc, NULL);
        }
        else if (format == AN_FORMAT_DOT) {
            status = an_output_open(&o, "-");
            if (status == 0) {
                an_dot_dominators(&o, &s, &m);
                status = an_output_commit(&o);
            }
        }
        else {
            an_print_dominators(&s, &m, format);
        }
    }
    an_domchain_free(&m);
    an_snap_close(&s);
    return status;
}

const an_command cmd_dominators = {&dominators_usage, dominators_run};
