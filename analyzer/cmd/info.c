/*
 * info.c - muppy-analyze info: metadata, counts, totals and integrity.
 */
#include <string.h>

#include "lib/memory.h"
#include "render/format.h"
#include "render/info.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage info_usage = {
    "info",
    "[--partial] [--json] SNAP",
    "show a snapshot's metadata, counts and integrity",
    "Prints the format version, the counts of objects, edges, types,\n"
    "strings and roots, the total size of the objects, where the\n"
    "process's resident memory was (objects + external nodes +\n"
    "allocator free space + file-backed + other + unexplained = RSS;\n"
    "format 1.1), the metadata the dumper recorded, and checks every\n"
    "block and checksum of the file.\n"
    "A damaged file is reported with the block and byte offset of the\n"
    "damage (exit 1).  With --partial a truncated or damaged file is\n"
    "described as far as its valid blocks go (exit 0).",
    "  muppy-analyze info app.snap",
};

static int
info_run(int argc, char **argv)
{
    int partial = 0, json = 0;
    const an_option opts[] = {
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "describe a truncated or damaged file as far as it is valid"},
        {AN_OPT_FLAG, 0, "json", &json, NULL, "print JSON (spec/json.md)"},
        AN_OPT_END_ROW,
    };
    int npos, status, verified;
    an_snap s;
    an_memory mem;
    mf_error verr;

    if (!an_parse_options(argc, argv, &info_usage, opts, &npos, &status)) {
        return status;
    }
    if (npos != 1) {
        return an_usage_error(&info_usage, opts, npos ? "too many arguments"
                                                      : "missing SNAP");
    }
    status = an_open(&s, argv[0], partial);
    if (status != 0) {
        return status;
    }
    memset(&verr, 0, sizeof(verr));
    verified = mf_reader_verify(s.reader, &verr) == MF_OK;
    if (!verified && !partial) {
        status = an_error_file(s.path, &verr);
        an_snap_close(&s);
        return status;
    }
    /* the breakdown sums the objects' sizes: the columns are loaded
     * only when the snapshot recorded its memory */
    memset(&mem, 0, sizeof(mem));
    if (verified && an_memory_recorded(&s)) {
        status = an_load(&s, MF_COL_TYPE | MF_COL_SIZE | MF_COL_FLAGS);
        if (status == 0 && an_snap_memory(&s, &mem) != AN_OK) {
            status = an_error_lib(s.path, AN_ERR_INPUT, NULL);
        }
        if (status != 0) {
            an_snap_close(&s);
            return status;
        }
    }
    an_print_info(&s, &verr, verified, &mem, json ? AN_FORMAT_JSON
                                                  : AN_FORMAT_TEXT);
    if (s.info->partial || !verified) {
        an_warn("'%s' is incomplete or damaged: figures cover its valid "
                "blocks only", s.path);
    }
    an_snap_close(&s);
    return AN_EXIT_OK;
}

const an_command cmd_info = {&info_usage, info_run};
