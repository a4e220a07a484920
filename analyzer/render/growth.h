/*
 * growth.h - accumulation points (lib/growth.h: an_points) on stdout, as
 * `leaks`, `diff --growth` and `trend --growth` show them: a summary
 * line, then each point with what it gained, what that retains, where it
 * is and an example, as text or Markdown; or JSON (spec/json.md).
 */
#ifndef AN_RENDER_GROWTH_H
#define AN_RENDER_GROWTH_H

#include <stdint.h>

#include "lib/growth.h"
#include "render/format.h"

/* Which command shows the points: the summary line says it. */
typedef enum an_points_mode {
    AN_POINTS_LEAKS,        /* BASE TARGET FINAL */
    AN_POINTS_DIFF,         /* A B */
    AN_POINTS_TREND         /* S1 .. Sn */
} an_points_mode;

typedef struct an_points_intro {
    an_points_mode mode;
    uint64_t new_count;     /* leaks: TARGET's objects not in BASE; diff:
                               B's objects not in A */
    uint64_t candidates;    /* leaks: of them, still in FINAL */
    char *const *snapshots; /* trend: the files, in order */
    uint32_t n_snapshots;
    const uint64_t *gained_per_step;    /* trend: per step */
    int members;            /* JSON: each point's members */
} an_points_intro;

/* Print p (s: the snapshot its points are in). */
void an_print_points(const an_snap *s, const an_points *p,
                     const an_points_intro *in, an_format fmt);

#endif /* AN_RENDER_GROWTH_H */
