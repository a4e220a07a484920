/*
 * scrub.c - muppy-analyze scrub: a copy safe to share.
 */
#include <string.h>

#include "lib/scrub.h"
#include "render/format.h"
#include "render/scrub.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage scrub_usage = {
    "scrub",
    "[--drop WHAT[,WHAT...] | --keep WHAT[,WHAT...]] [--partial] [--json]\n"
    " IN.snap OUT.snap",
    "a copy without the program's own strings, to share",
    "Writes a copy of IN.snap to OUT.snap without what the program chose\n"
    "or what locates the process.  WHAT is any of:\n"
    "  labels     dict keys, attribute and local variable names become\n"
    "             placeholders (k1, a1, v1, f1: the same name the same\n"
    "             placeholder, so paths keep their shapes); int dict keys\n"
    "             become their rank among the file's\n"
    "  names      names of modules, classes and functions, and the module\n"
    "             and class names of the program's own types (heap types)\n"
    "             become m1, C1...; built-in and extension types keep theirs\n"
    "  strings    recorded str contents are dropped\n"
    "  metadata   the pid, process start time and boot id give way to one\n"
    "             keyed hash (scrub.process)\n"
    "  addresses  object, type and thread addresses are permuted with a\n"
    "             key derived from the process's identity\n"
    "Snapshots of one process scrubbed apart still match (diff --objects,\n"
    "leaks).  Types, sizes, counts, the graph and the roots stay: summary,\n"
    "diff, paths, retained and leaks give the same figures on the copy.\n"
    "The default drops all; --keep names drops all but names.",
    "  muppy-analyze scrub app.snap app-public.snap\n"
    "  muppy-analyze scrub --keep names app.snap shared.snap",
};

static int
scrub_run(int argc, char **argv)
{
    int partial = 0, json = 0, npos, status, rc;
    const char *drop_list = NULL, *keep_list = NULL;
    const an_option opts[] = {
        {AN_OPT_STRING, 0, "drop", &drop_list, "WHAT",
         "labels, names, strings, metadata, addresses, or all (default)"},
        {AN_OPT_STRING, 0, "keep", &keep_list, "WHAT",
         "drop all but these"},
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "copy the valid blocks of a truncated or damaged file"},
        {AN_OPT_FLAG, 0, "json", &json, NULL, "print JSON (spec/json.md)"},
        AN_OPT_END_ROW,
    };
    unsigned drop;
    an_snap s;
    an_scrub_stats st;
    mf_error err;

    if (!an_parse_options(argc, argv, &scrub_usage, opts, &npos, &status)) {
        return status;
    }
    if (npos != 2) {
        return an_usage_error(&scrub_usage, opts,
                              "scrub needs IN.snap and OUT.snap");
    }
    if (drop_list != NULL && keep_list != NULL) {
        return an_usage_error(&scrub_usage, opts,
                              "--drop and --keep cannot go together");
    }
    if (keep_list != NULL) {
        unsigned keep;

        if (an_scrub_parse(keep_list, &keep) != 0) {
            return an_usage_error(&scrub_usage, opts,
                                  "bad value '%s' for option '--keep'",
                                  keep_list);
        }
        drop = AN_SCRUB_ALL & ~keep;
    }
    else if (an_scrub_parse(drop_list ? drop_list : "all", &drop) != 0) {
        return an_usage_error(&scrub_usage, opts,
                              "bad value '%s' for option '--drop'",
                              drop_list);
    }
    status = an_open(&s, argv[0], partial);
    if (status != 0) {
        return status;
    }
    status = an_load(&s, MF_COL_ALL);
    if (status == 0) {
        memset(&err, 0, sizeof(err));
        rc = an_scrub(s.reader, &s.cols, drop, argv[1], &st, &err);
        if (rc != MF_OK) {
            status = an_error_file(argv[1], &err);
        }
        else {
            an_print_scrub(argv[1], drop, &st, json ? AN_FORMAT_JSON
                                                    : AN_FORMAT_TEXT);
        }
    }
    an_snap_close(&s);
    return status;
}

const an_command cmd_scrub = {&scrub_usage, scrub_run};
