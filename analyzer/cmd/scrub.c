/*
 * cmd_scrub.c - muppy-analyze scrub: a copy safe to share.
 */
#include <string.h>

#include "base/number.h"
#include "lib/scrub.h"
#include "render/format.h"
#include "render/json.h"
#include "render/path.h"
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

static void
scrub_json(const char *out, unsigned drop, const an_scrub_stats *st)
{
    static const char *const words[] = {"labels", "names", "strings",
                                         "metadata", "addresses"};
    an_json j;

    an_json_init(&j, stdout);
    an_json_object(&j);
    an_json_key(&j, "path");
    an_json_str(&j, out);
    an_json_key(&j, "dropped");
    an_json_array(&j);
    for (unsigned i = 0; i < 5; i++) {
        if (drop & (1u << i)) {
            an_json_str(&j, words[i]);
        }
    }
    an_json_end_array(&j);
    an_json_key(&j, "objects");
    an_json_u64(&j, st->objects);
    an_json_key(&j, "file_size");
    an_json_u64(&j, st->file_bytes);
    an_json_key(&j, "placeholders");
    an_json_object(&j);
    an_json_key(&j, "k");
    an_json_u64(&j, st->keys);
    an_json_key(&j, "a");
    an_json_u64(&j, st->attrs);
    an_json_key(&j, "v");
    an_json_u64(&j, st->locals);
    an_json_key(&j, "f");
    an_json_u64(&j, st->funcs);
    an_json_key(&j, "m");
    an_json_u64(&j, st->modules);
    an_json_key(&j, "C");
    an_json_u64(&j, st->classes);
    an_json_end_object(&j);
    an_json_key(&j, "int_keys_ranked");
    an_json_u64(&j, st->int_keys);
    an_json_key(&j, "names_dropped");
    an_json_u64(&j, st->names);
    an_json_key(&j, "strings_dropped");
    an_json_u64(&j, st->strings);
    an_json_key(&j, "addresses_renumbered");
    an_json_u64(&j, st->addresses);
    an_json_end_object(&j);
    an_json_finish(&j);
}

static void
scrub_text(const char *out, unsigned drop, const an_scrub_stats *st)
{
    char o[32], s[32], k[32], a[32], v[32], n[32], t[32], m[32], c[32],
         ik[32], w[96];

    printf("wrote '%s' (%s objects, %s), dropped %s: %s dict keys, %s "
           "attribute names and %s local names replaced, %s int keys "
           "ranked; %s module and %s class names replaced, %s names and "
           "%s str values dropped\n", out,
           an_format_count(st->objects, o, sizeof(o)),
           an_format_size(st->file_bytes, s, sizeof(s)),
           an_scrub_words(drop, w, sizeof(w)),
           an_format_count(st->keys, k, sizeof(k)),
           an_format_count(st->attrs, a, sizeof(a)),
           an_format_count(st->locals, v, sizeof(v)),
           an_format_count(st->int_keys, ik, sizeof(ik)),
           an_format_count(st->modules, m, sizeof(m)),
           an_format_count(st->classes, c, sizeof(c)),
           an_format_count(st->names, n, sizeof(n)),
           an_format_count(st->strings, t, sizeof(t)));
}

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
        else if (json) {
            scrub_json(argv[1], drop, &st);
        }
        else {
            scrub_text(argv[1], drop, &st);
        }
    }
    an_snap_close(&s);
    return status;
}

const an_command cmd_scrub = {&scrub_usage, scrub_run};
