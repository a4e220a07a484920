/*
 * fuzz_commands.c - libFuzzer target: any bytes through the analyzer's
 * commands, as a user running them on a file from a bug report would.
 *
 * The input is written to a file and every command runs on it (diff,
 * leaks and trend take it twice or three times), with its text and JSON
 * output, its files (scrub, report, export) written and removed.  A
 * command may refuse the input; it must never crash, hang, leak or
 * allocate beyond what libFuzzer allows.  The first object's address and
 * type name, read through the format library, are the arguments of
 * paths, referrers and dominators.
 *
 * Built as a libFuzzer target with MUPPY_FUZZ=ON (tests/format/fuzz.sh
 * SECONDS commands); fuzz_replay.c runs the same function over
 * tests/analyzer/corpus as an ordinary test.
 */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "muppy_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256];
static FILE *devnull, *saved_out, *saved_err;
static char snap[300], out[300];

static void
cleanup(void)
{
    rmdir(dir);
}

/* Once: a work directory, and the commands' output thrown away. */
static void
setup(void)
{
    const char *tmp = getenv("TMPDIR");

    if (dir[0] != '\0') {
        return;
    }
    if (tmp == NULL || tmp[0] == '\0' || strlen(tmp) > 200) {
        tmp = "/tmp";
    }
    snprintf(dir, sizeof(dir), "%s/muppy-fuzzcmd-XXXXXX", tmp);
    if (mkdtemp(dir) == NULL) {
        abort();
    }
    atexit(cleanup);
    snprintf(snap, sizeof(snap), "%s/in.snap", dir);
    snprintf(out, sizeof(out), "%s/out", dir);
    devnull = fopen("/dev/null", "w");
    saved_out = stdout;
    saved_err = stderr;
    if (devnull == NULL) {
        abort();
    }
}

/* The commands' output goes nowhere: their FILE streams are swapped, not
 * the descriptors, so that a sanitizer's report (written to descriptor
 * 2) and the fuzzer's own output stay visible. */
static void
quiet(int on)
{
    fflush(stdout);
    fflush(stderr);
    stdout = on ? devnull : saved_out;
    stderr = on ? devnull : saved_err;
}

/* Run one command: argv[0] is its name; NULL-terminated. */
static void
run(const an_command *cmd, ...)
{
    char *argv[16], *owned[16];
    int argc = 0;
    va_list ap;
    const char *a;

    va_start(ap, cmd);
    while ((a = va_arg(ap, const char *)) != NULL && argc < 15) {
        owned[argc] = strdup(a);
        argv[argc] = owned[argc];
        argc++;
    }
    va_end(ap);
    argv[argc] = NULL;
    cmd->run(argc, argv);
    /* the parser permutes and overwrites argv's pointers */
    for (int i = 0; i < argc; i++) {
        free(owned[i]);
    }
    fflush(stdout);
}

/* Address and type name of the first object, if the file loads. */
static void
first_object(char *addr, size_t acap, char *type, size_t tcap)
{
    mf_read_options ro;
    mf_reader *r;
    mf_graph g;
    mf_error err;

    snprintf(addr, acap, "0x10");
    snprintf(type, tcap, "dict");
    memset(&ro, 0, sizeof(ro));
    ro.max_memory = 64u << 20;
    if (mf_reader_open(&r, snap, &ro, &err) != MF_OK) {
        return;
    }
    if (mf_reader_load(r, MF_COL_ADDRESS | MF_COL_TYPE, &g, &err) != MF_OK) {
        mf_reader_close(r);
        return;
    }
    if (g.n_objects > 0) {
        uint32_t nt;
        const mf_type *t = mf_reader_types(r, &nt);
        size_t len;
        const char *q;

        snprintf(addr, acap, "0x%llx", (unsigned long long)g.address[0]);
        if (g.type[0] < nt && t[g.type[0]].qualname != MF_NONE
            && (q = mf_reader_string(r, t[g.type[0]].qualname, &len))
               != NULL && len > 0 && len < tcap && memchr(q, 0, len) == NULL) {
            memcpy(type, q, len);
            type[len] = '\0';
        }
    }
    mf_graph_free(&g);
    mf_reader_close(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char addr[32], type[128], outfile[320];
    FILE *f;

    setup();
    f = fopen(snap, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        abort();
    }
    first_object(addr, sizeof(addr), type, sizeof(type));
    quiet(1);
    run(&cmd_info, "info", snap, NULL);
    run(&cmd_info, "info", "--partial", "--json", snap, NULL);
    run(&cmd_summary, "summary", "--retained", snap, NULL);
    run(&cmd_summary, "summary", "--by", "module", "--json", snap, NULL);
    run(&cmd_diff, "diff", "--objects", "--retained", snap, snap, NULL);
    run(&cmd_diff, "diff", "--format", "markdown", snap, snap, NULL);
    run(&cmd_retained, "retained", snap, NULL);
    run(&cmd_retained, "retained", "--by", "type", "--json", snap, NULL);
    run(&cmd_paths, "paths", snap, addr, NULL);
    run(&cmd_paths, "paths", "--type", type, "--json", snap, NULL);
    run(&cmd_paths, "paths", "--type", type, "--format", "dot", snap, NULL);
    run(&cmd_referrers, "referrers", "--json", snap, addr, NULL);
    run(&cmd_dominators, "dominators", "--format", "dot", snap, addr, NULL);
    run(&cmd_leaks, "leaks", "--partial", snap, snap, snap, NULL);
    run(&cmd_leaks, "leaks", "--json", snap, snap, snap, NULL);
    run(&cmd_trend, "trend", snap, snap, NULL);
    snprintf(outfile, sizeof(outfile), "%s.snap", out);
    run(&cmd_scrub, "scrub", snap, outfile, NULL);
    unlink(outfile);
    snprintf(outfile, sizeof(outfile), "%s.html", out);
    run(&cmd_report, "report", snap, "-o", outfile, NULL);
    unlink(outfile);
    snprintf(outfile, sizeof(outfile), "%s.heapsnapshot", out);
    run(&cmd_export, "export", snap, "-o", outfile, NULL);
    unlink(outfile);
    run(&cmd_export, "export", "--format", "csv", snap, "-o", out, NULL);
    {
        static const char *csv[] = {"objects.csv", "edges.csv", "roots.csv"};

        for (int i = 0; i < 3; i++) {
            snprintf(outfile, sizeof(outfile), "%s/%s", out, csv[i]);
            unlink(outfile);
        }
        rmdir(out);
    }
    unlink(snap);
    quiet(0);
    return 0;
}
