/*
 * open.c - opening and loading snapshots for a command.
 */
#include "cli/open.h"

#include <stdio.h>
#include <string.h>

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
