/*
 * cmd_leaks.c - muppy-analyze leaks: what a workload allocated and never
 * freed, from three snapshots, grouped by why it is kept.
 *
 * Memory: the snapshots are loaded one after the other (BASE's and
 * TARGET's addresses and types, then all of FINAL's columns).
 */
#include <stdlib.h>
#include <string.h>

#include "base/number.h"
#include "base/sbuf.h"
#include "lib/leaks.h"
#include "render/format.h"
#include "render/json.h"
#include "render/path.h"
#include "render/table.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage leaks_usage = {
    "leaks",
    "[--top N] [--min-count N] [--fold-keys] [--fail-above BYTES]\n"
    " [--format text|markdown] [--partial] [--json]\n"
    " BASE.snap TARGET.snap FINAL.snap",
    "what a workload leaked, grouped by why it is kept",
    "Takes three snapshots of one process: BASE before a workload, TARGET\n"
    "after it, FINAL after running it again.  The objects of TARGET that\n"
    "are new since BASE (no object of BASE with the same address and type)\n"
    "and still alive in FINAL are the leak candidates; what the workload\n"
    "allocated and freed again is not.  Candidates held by another\n"
    "candidate count in its retained size; the others are grouped into\n"
    "clusters by the shape of their shortest path from a root in FINAL\n"
    "(list indices and int keys folded; with --fold-keys str keys too),\n"
    "largest retained size first.  Clusters of fewer than --min-count\n"
    "objects (default 2) are left out: one stray object is rarely a leak.\n"
    "--fail-above exits with status 3 when the clusters retain more than\n"
    "BYTES in all (suffixes K, M, G), for CI.",
    "  muppy-analyze leaks base.snap target.snap final.snap\n"
    "  muppy-analyze leaks --fail-above 1M --json b.snap t.snap f.snap",
};

typedef struct leaks_out {
    const an_snap *s;           /* FINAL */
    const an_roots *roots;
    an_leaks *lk;
    an_pathbuf pb;
    unsigned fold;
    uint64_t top, min_count;
    uint64_t shown_total;       /* clusters of at least min_count */
    uint64_t retained_total;    /* their retained sizes */
} leaks_out;

/* The path of cluster c's example into o->pb; -1 when out of memory. */
static int
leaks_path(leaks_out *o, const an_leak_cluster *c)
{
    const an_group *gr = &o->lk->groups.groups[c->group];

    return an_path_find(&o->pb, o->s, &o->lk->bfs, o->fold, &o->lk->groups,
                        gr->shape, c->example) == UINT32_MAX ? -1 : 0;
}

static int
leaks_json(leaks_out *o)
{
    an_json j;
    uint64_t n = 0;

    an_json_init(&j, stdout);
    an_json_object(&j);
    an_json_key(&j, "candidates");
    an_json_u64(&j, o->lk->candidates);
    an_json_key(&j, "dominated");
    an_json_u64(&j, o->lk->dominated);
    an_json_key(&j, "weak");
    an_json_u64(&j, o->lk->weak);
    an_json_key(&j, "unreachable");
    an_json_u64(&j, o->lk->unreachable);
    an_json_key(&j, "retained");
    an_json_u64(&j, o->retained_total);
    an_json_key(&j, "clusters");
    an_json_array(&j);
    for (uint32_t i = 0; i < o->lk->n_clusters && n < o->top; i++) {
        const an_leak_cluster *c = &o->lk->clusters[i];
        const an_key *k = &o->s->keys[an_snap_key_of(o->s, c->example)];
        char addr[32];

        if (c->count < o->min_count) {
            continue;
        }
        n++;
        if (leaks_path(o, c) != 0) {
            return -1;
        }
        an_json_object(&j);
        an_json_group(&j, k->module, k->qualname, 0);
        an_json_key(&j, "count");
        an_json_u64(&j, c->count);
        an_json_key(&j, "size");
        an_json_u64(&j, c->size);
        an_json_key(&j, "retained");
        an_json_u64(&j, c->retained);
        an_json_key(&j, "example");
        an_json_str(&j, an_address_text(o->s, c->example, addr,
                                        sizeof(addr)));
        an_json_key(&j, "path");
        an_json_path_steps(&j, o->s, o->roots, &o->pb);
        an_json_end_object(&j);
    }
    an_json_end_array(&j);
    an_json_end_object(&j);
    an_json_finish(&j);
    return 0;
}

static void
leaks_summary_line(const leaks_out *o)
{
    char a[32], b[32], w[32], c[32], m[32], r[32];

    printf("%s leak candidate%s: objects new in TARGET and still alive in "
           "FINAL (%s held by other candidates, %s weak references to "
           "them); %s cluster%s of %s or more, retaining %s\n",
           an_format_count(o->lk->candidates, a, sizeof(a)),
           o->lk->candidates == 1 ? "" : "s",
           an_format_count(o->lk->dominated, b, sizeof(b)),
           an_format_count(o->lk->weak, w, sizeof(w)),
           an_format_count(o->shown_total, c, sizeof(c)),
           o->shown_total == 1 ? "" : "s",
           an_format_count(o->min_count, m, sizeof(m)),
           an_format_size(o->retained_total, r, sizeof(r)));
}

static int
leaks_text(leaks_out *o)
{
    uint64_t n = 0;
    char c1[32], s1[32], r1[32], addr[32];

    leaks_summary_line(o);
    for (uint32_t i = 0; i < o->lk->n_clusters && n < o->top; i++) {
        const an_leak_cluster *c = &o->lk->clusters[i];

        if (c->count < o->min_count) {
            continue;
        }
        n++;
        if (leaks_path(o, c) != 0) {
            return -1;
        }
        printf("\n#%llu  %s %s (%s, retaining %s), e.g. @%s:\n",
               (unsigned long long)n,
               an_format_count(c->count, c1, sizeof(c1)),
               o->s->keys[an_snap_key_of(o->s, c->example)].display,
               an_format_size(c->size, s1, sizeof(s1)),
               an_format_size(c->retained, r1, sizeof(r1)),
               an_address_text(o->s, c->example, addr, sizeof(addr)));
        an_print_path(stdout, o->s, o->roots, &o->pb);
    }
    if (o->shown_total > n) {
        printf("\n... and %llu more clusters (--top to see them)\n",
               (unsigned long long)(o->shown_total - n));
    }
    if (o->lk->unreachable > 0) {
        printf("\n%s candidates are reachable from no root (garbage cycles "
               "the collector had not freed yet)\n",
               an_format_count(o->lk->unreachable, c1, sizeof(c1)));
    }
    return 0;
}

static int
leaks_markdown(leaks_out *o)
{
    an_table *t = an_table_new(6, "rrrrll");
    an_sbuf paths = {0};
    uint64_t n = 0;
    char c1[32], s1[32], r1[32], addr[40], no[32];

    leaks_summary_line(o);
    printf("\n");
    an_table_rowf(t, "#\tcount\tsize\tretained\ttype\texample");
    for (uint32_t i = 0; i < o->lk->n_clusters && n < o->top; i++) {
        const an_leak_cluster *c = &o->lk->clusters[i];

        if (c->count < o->min_count) {
            continue;
        }
        n++;
        if (leaks_path(o, c) != 0) {
            an_table_free(t);
            an_sbuf_free(&paths);
            return -1;
        }
        snprintf(no, sizeof(no), "%llu", (unsigned long long)n);
        addr[0] = '`';
        an_address_text(o->s, c->example, addr + 1, sizeof(addr) - 2);
        strcat(addr, "`");
        an_table_rowf(t, "%s\t%s\t%s\t%s\t%s\t%s", no,
                      an_format_count(c->count, c1, sizeof(c1)),
                      an_format_size(c->size, s1, sizeof(s1)),
                      an_format_size(c->retained, r1, sizeof(r1)),
                      o->s->keys[an_snap_key_of(o->s, c->example)].display,
                      addr);
        an_sbuf_printf(&paths, "\n#%s:\n\n```\n", no);
        an_format_path(&paths, o->s, o->roots, &o->pb);
        an_sbuf_printf(&paths, "\n```\n");
    }
    an_table_print_markdown(t, stdout);
    an_table_free(t);
    fputs(an_sbuf_str(&paths), stdout);
    an_sbuf_free(&paths);
    return 0;
}

static int
leaks_run(int argc, char **argv)
{
    int partial = 0, json = 0, fold_keys = 0, npos, status;
    const char *format = NULL, *why_fmt;
    uint64_t top = 10, min_count = 2, fail_above = UINT64_MAX;
    const an_option opts[] = {
        {AN_OPT_UINT, 'n', "top", &top, "N",
         "show N clusters (default 10)"},
        {AN_OPT_UINT, 0, "min-count", &min_count, "N",
         "leave out clusters of fewer objects (default 2)"},
        {AN_OPT_FLAG, 0, "fold-keys", &fold_keys, NULL,
         "group paths through different str dict keys too"},
        {AN_OPT_SIZE, 0, "fail-above", &fail_above, "BYTES",
         "exit 3 when the clusters retain more than BYTES"},
        {AN_OPT_STRING, 0, "format", &format, "FORMAT",
         "'text' (default), 'markdown' or 'json'"},
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of truncated or damaged files"},
        {AN_OPT_FLAG, 0, "json", &json, NULL, "print JSON (spec/json.md)"},
        AN_OPT_END_ROW,
    };
    an_snap s[3];
    an_roots roots;
    an_leaks lk;
    leaks_out o;
    an_format fmt;
    char why[512];

    memset(s, 0, sizeof(s));
    memset(&roots, 0, sizeof(roots));
    memset(&lk, 0, sizeof(lk));
    memset(&o, 0, sizeof(o));
    if (!an_parse_options(argc, argv, &leaks_usage, opts, &npos, &status)) {
        return status;
    }
    if (npos != 3) {
        return an_usage_error(&leaks_usage, opts,
                              "leaks needs three snapshots: BASE TARGET "
                              "FINAL");
    }
    why_fmt = an_choose_format(format, json,
                               AN_FORMAT_BIT(AN_FORMAT_MARKDOWN), &fmt);
    if (why_fmt != NULL) {
        return an_usage_error(&leaks_usage, opts, "%s", why_fmt);
    }
    for (int i = 0; i < 3; i++) {
        status = an_open(&s[i], argv[i], partial);
        if (status != 0) {
            goto done;
        }
    }
    if (an_snap_same_process(&s[0], &s[1], why, sizeof(why)) != 0
        || an_snap_same_process(&s[1], &s[2], why, sizeof(why)) != 0) {
        an_error("%s: leaks needs three snapshots of one process", why);
        status = AN_EXIT_INPUT;
        goto done;
    }
    /* BASE, then TARGET: their identities only, one at a time */
    for (int i = 0; i < 2; i++) {
        status = an_load(&s[i], MF_COL_ADDRESS | MF_COL_TYPE);
        if (status != 0) {
            goto done;
        }
        status = AN_EXIT_INPUT;
        if ((i == 0 ? an_leaks_base(&lk, &s[0])
                    : an_leaks_target(&lk, &s[1])) != 0) {
            goto nomem;
        }
        an_snap_close(&s[i]);
    }
    status = an_load(&s[2], MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_SIZE
                                   | MF_COL_EDGES | MF_COL_EDGE_KIND
                                   | MF_COL_EDGE_LABEL);
    if (status != 0) {
        goto done;
    }
    status = AN_EXIT_INPUT;
    o.fold = fold_keys ? AN_FOLD_STR_KEYS : 0;
    if (an_roots_of_snap(&roots, &s[2]) != 0
        || an_leaks_final(&lk, &s[2], &roots, o.fold) != 0) {
        goto nomem;
    }
    o.s = &s[2];
    o.roots = &roots;
    o.lk = &lk;
    o.top = top;
    o.min_count = min_count;
    for (uint32_t i = 0; i < lk.n_clusters; i++) {
        if (lk.clusters[i].count >= min_count) {
            o.shown_total++;
            o.retained_total += lk.clusters[i].retained;
        }
    }
    if ((fmt == AN_FORMAT_JSON ? leaks_json(&o)
         : fmt == AN_FORMAT_MARKDOWN ? leaks_markdown(&o)
         : leaks_text(&o)) != 0) {
        goto nomem;
    }
    status = an_fail_above("the leak clusters retain", o.retained_total,
                           fail_above);
    goto done;

nomem:
    an_error("out of memory");
    status = AN_EXIT_INPUT;
done:
    an_pathbuf_free(&o.pb);
    an_leaks_free(&lk);
    an_roots_free(&roots);
    for (int i = 0; i < 3; i++) {
        an_snap_close(&s[i]);
    }
    return status;
}

const an_command cmd_leaks = {&leaks_usage, leaks_run};
