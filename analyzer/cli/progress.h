/*
 * progress.h - the loading progress shown on a terminal, and the clock.
 *
 * A progress reporter for mf_read_options.progress: shows "loading
 * 'x.snap': 42%" on stderr, only when stderr is a terminal and only once
 * loading has taken more than a second.  an_progress_done() erases it.
 */
#ifndef AN_CLI_PROGRESS_H
#define AN_CLI_PROGRESS_H

#include <stdint.h>

typedef struct an_progress {
    const char *what;
    double start;
    int enabled, shown;
    int last_pct;
} an_progress;

void an_progress_init(an_progress *p, const char *what);
void an_progress_cb(void *ctx, uint64_t done, uint64_t total);
void an_progress_done(an_progress *p);

/* Monotonic seconds. */
double an_now(void);

#endif /* AN_CLI_PROGRESS_H */
