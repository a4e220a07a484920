/*
 * open.c - opening and loading snapshots for a command, and its output
 * files.
 */
#define _POSIX_C_SOURCE 200809L     /* mkdir, stat */
#include "cli/open.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/message.h"
#include "cli/progress.h"

/* One process, one terminal: the progress display is shared. */
static an_progress open_progress;

int
an_open(an_snap *s, const char *path, int partial)
{
    mf_error err;
    int rc;

    memset(&err, 0, sizeof(err));
    an_progress_init(&open_progress, path);
    rc = an_snap_open(s, path, partial ? MF_READ_PARTIAL : 0,
                      an_progress_cb, &open_progress, &err);
    an_progress_done(&open_progress);
    if (rc != MF_OK) {
        an_snap_close(s);
        return an_error_file(path, &err);
    }
    return AN_EXIT_OK;
}

int
an_load(an_snap *s, unsigned columns)
{
    mf_error err;
    int rc;

    memset(&err, 0, sizeof(err));
    an_progress_init(&open_progress, s->path);
    rc = an_snap_load(s, columns, &err);
    an_progress_done(&open_progress);
    if (rc != MF_OK) {
        return an_error_file(s->path, &err);
    }
    if (s->info != NULL && s->info->partial) {
        an_warn("'%s' is incomplete (%s): analyzing the %llu objects of "
                "its valid blocks", s->path,
                s->info->damage.message[0] ? s->info->damage.message
                                           : "truncated",
                (unsigned long long)s->cols.n_objects);
    }
    return AN_EXIT_OK;
}

uint32_t
an_object_at(const an_snap *s, uint64_t address)
{
    uint32_t obj = an_snap_find_address(s, address);
    char text[32];

    if (obj == MF_NONE) {
        snprintf(text, sizeof(text), "0x%llx", (unsigned long long)address);
        an_error_lib(s->path, AN_ERR_NO_OBJECT, text);
    }
    return obj;
}

/* Say what failed, when there is anything to say (a reader that went
 * away from stdout is no news). */
static int
output_failed(const an_outfile *o)
{
    if (o->error[0] != '\0') {
        an_error("%s", o->error);
    }
    return AN_EXIT_INPUT;
}

int
an_output_open(an_outfile *o, const char *path)
{
    return an_outfile_open(o, path) == 0 ? 0 : output_failed(o);
}

int
an_output_finish(an_outfile *o)
{
    return an_outfile_finish(o) == 0 ? 0 : output_failed(o);
}

int
an_output_commit(an_outfile *o)
{
    return an_outfile_commit(o) == 0 ? 0 : output_failed(o);
}

int
an_output_dir(const char *dir)
{
    struct stat st;
    int e = 0;

    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        e = errno;
    }
    else if (stat(dir, &st) != 0) {
        e = errno;
    }
    else if (!S_ISDIR(st.st_mode)) {
        e = ENOTDIR;
    }
    if (e != 0) {
        an_error("cannot create '%s': %s", dir, strerror(e));
        return AN_EXIT_INPUT;
    }
    return 0;
}
