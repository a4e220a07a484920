/*
 * progress.c - the loading display on stderr.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

double
an_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void
an_progress_init(an_progress *p, const char *what)
{
    p->what = what;
    p->start = an_now();
    p->enabled = isatty(STDERR_FILENO);
    p->shown = 0;
    p->last_pct = -1;
}

void
an_progress_cb(void *ctx, uint64_t done, uint64_t total)
{
    an_progress *p = ctx;
    int pct;

    if (p == NULL || !p->enabled) {
        return;
    }
    if (!p->shown && an_now() - p->start < 1.0) {
        return;
    }
    pct = total ? (int)(done * 100 / total) : 0;
    if (pct > 100) {
        pct = 100;
    }
    if (pct == p->last_pct) {
        return;
    }
    p->last_pct = pct;
    p->shown = 1;
    fprintf(stderr, "\rloading '%s': %3d%%", p->what, pct);
    fflush(stderr);
}

void
an_progress_done(an_progress *p)
{
    if (p != NULL && p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->shown = 0;
    }
}
