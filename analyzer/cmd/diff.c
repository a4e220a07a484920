/*
 * cmd_diff.c - muppy-analyze diff: per-type growth between two snapshots.
 *
 * Memory: the snapshots are loaded one after the other; A's columns are
 * freed (after its counts and, with --objects, its address map are
 * taken) before B is loaded.
 */
#include <stdlib.h>
#include <string.h>

#include "base/number.h"
#include "lib/diff.h"
#include "lib/dominators.h"
#include "lib/groups.h"
#include "render/format.h"
#include "render/json.h"
#include "render/path.h"
#include "render/table.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage diff_usage = {
    "diff",
    "[--by type|module] [--top N] [--fail-above BYTES]\n"
    " [--objects] [--retained] [--format text|markdown] [--partial]\n"
    " [--json] A.snap B.snap",
    "what grew between two snapshots",
    "Matches types across the snapshots by module and qualified name and\n"
    "prints the change of their count and size, largest growth first.\n"
    "With --objects (two snapshots of one process only) it also lists the\n"
    "objects of B that are new: no object of A had the same address and\n"
    "type.  With --retained, also the change of each type's retained size\n"
    "(see 'retained').  --fail-above exits with status 3 when the total\n"
    "size grew by more than BYTES (suffixes K, M, G).",
    "  muppy-analyze diff before.snap after.snap\n"
    "  muppy-analyze diff --fail-above 10M --json before.snap after.snap",
};

static int64_t
diff_delta(uint64_t a, uint64_t b)
{
    return (int64_t)(b - a);
}

static int
diff_new_cmp(const void *pa, const void *pb)
{
    const an_diff_row *x = pa, *y = pb;

    if (x->new_size != y->new_size) {
        return x->new_size > y->new_size ? -1 : 1;
    }
    if (x->new_count != y->new_count) {
        return x->new_count > y->new_count ? -1 : 1;
    }
    return x->id < y->id ? -1 : x->id > y->id;
}

static void
diff_json_counts(an_json *j, uint64_t ca, uint64_t cb, uint64_t sa,
                 uint64_t sb)
{
    an_json_key(j, "count_a");
    an_json_u64(j, ca);
    an_json_key(j, "count_b");
    an_json_u64(j, cb);
    an_json_key(j, "count_delta");
    an_json_i64(j, diff_delta(ca, cb));
    an_json_key(j, "size_a");
    an_json_u64(j, sa);
    an_json_key(j, "size_b");
    an_json_u64(j, sb);
    an_json_key(j, "size_delta");
    an_json_i64(j, diff_delta(sa, sb));
}

static void
diff_json_retained(an_json *j, uint64_t ra, uint64_t rb)
{
    an_json_key(j, "retained_a");
    an_json_u64(j, ra);
    an_json_key(j, "retained_b");
    an_json_u64(j, rb);
    an_json_key(j, "retained_delta");
    an_json_i64(j, diff_delta(ra, rb));
}

static void
diff_json(const an_diff *d, uint64_t top, char **argv, int retained,
          const an_snap *b)
{
    an_json j;

    an_json_init(&j, stdout);
    an_json_object(&j);
    an_json_key(&j, "a");
    an_json_str(&j, argv[0]);
    an_json_key(&j, "b");
    an_json_str(&j, argv[1]);
    an_json_key(&j, "by");
    an_json_str(&j, d->by_module ? "module" : "type");
    diff_json_counts(&j, d->count_a, d->count_b, d->size_a, d->size_b);
    if (retained) {
        diff_json_retained(&j, d->retained_a, d->retained_b);
    }
    an_json_key(&j, d->by_module ? "modules" : "types");
    an_json_array(&j);
    for (uint32_t i = 0; i < d->n_rows && i < top; i++) {
        const an_diff_row *r = &d->rows[i];
        const char *m, *q;

        an_strmap_key(d->names, r->id, &m, &q);
        an_json_object(&j);
        an_json_group(&j, m, q, d->by_module);
        diff_json_counts(&j, r->count_a, r->count_b, r->size_a, r->size_b);
        if (retained) {
            diff_json_retained(&j, r->retained_a, r->retained_b);
        }
        if (d->objects) {
            an_json_key(&j, "new_count");
            an_json_u64(&j, r->new_count);
            an_json_key(&j, "new_size");
            an_json_u64(&j, r->new_size);
        }
        an_json_end_object(&j);
    }
    an_json_end_array(&j);
    if (d->objects) {
        an_json_key(&j, "new_objects");
        an_json_object(&j);
        an_json_key(&j, "count");
        an_json_u64(&j, d->new_count);
        an_json_key(&j, "size");
        an_json_u64(&j, d->new_size);
        an_json_key(&j, "largest");
        an_json_array(&j);
        for (uint32_t i = 0; i < d->n_largest; i++) {
            an_json_object(&j);
            an_json_objref(&j, b, d->largest[i].index);
            an_json_key(&j, "size");
            an_json_u64(&j, d->largest[i].size);
            an_json_end_object(&j);
        }
        an_json_end_array(&j);
        an_json_end_object(&j);
    }
    an_json_end_object(&j);
    an_json_finish(&j);
}

static void
diff_text_new(an_diff *d, const unsigned char *amb, uint64_t top,
              const an_snap *b, an_format fmt)
{
    char c1[32], s1[32], nb[512];
    an_table *t;

    printf("\nnew objects in B (address and type not in A): %s, %s\n",
           an_format_count(d->new_count, c1, sizeof(c1)),
           an_format_size(d->new_size, s1, sizeof(s1)));
    qsort(d->rows, d->n_rows, sizeof(an_diff_row), diff_new_cmp);
    t = an_table_new(3, "rrl");
    an_table_rowf(t, "count\tsize\t%s", d->by_module ? "module" : "type");
    for (uint32_t i = 0; i < d->n_rows && i < top; i++) {
        if (d->rows[i].new_count == 0) {
            break;
        }
        an_table_rowf(t, "%s\t%s\t%s",
                      an_format_count(d->rows[i].new_count, c1, sizeof(c1)),
                      an_format_size(d->rows[i].new_size, s1, sizeof(s1)),
                      an_group_name(d->names, amb, d->by_module, d->rows[i].id, nb, sizeof(nb)));
    }
    if (d->new_count > 0) {
        if (fmt == AN_FORMAT_MARKDOWN) {
            printf("\n");
        }
        an_table_emit(t, fmt, "  ");
    }
    an_table_free(t);
    if (d->n_largest > 0) {
        printf("%slargest new objects:\n%s",
               fmt == AN_FORMAT_MARKDOWN ? "\n" : "",
               fmt == AN_FORMAT_MARKDOWN ? "\n" : "");
        t = an_table_new(3, "lrl");
        an_table_rowf(t, "address\tsize\ttype");
        for (uint32_t i = 0; i < d->n_largest; i++) {
            an_table_rowf(t, "0x%llx\t%s\t%s",
                          (unsigned long long)d->largest[i].address,
                          an_format_size(d->largest[i].size, s1, sizeof(s1)),
                          b->keys[d->largest[i].key].display);
        }
        an_table_emit(t, fmt, "  ");
        an_table_free(t);
    }
}

static void
diff_text(an_diff *d, uint64_t top, int retained, const an_snap *b,
          an_format fmt)
{
    unsigned char *amb = d->by_module ? NULL : an_strmap_ambiguous(d->names);
    an_table *t = an_table_new(retained ? 7 : 5,
                               retained ? "rrrrrrl" : "rrrrl");
    char c1[32], c2[40], s1[32], s2[32], r1[32], r2[32], nb[512];
    uint64_t shown = 0, changed = 0;
    const char *what = d->by_module ? "module" : "type";

    if (retained) {
        an_table_rowf(t, "count\tdelta\tsize\tdelta\tretained\tdelta\t%s",
                      what);
    }
    else {
        an_table_rowf(t, "count\tdelta\tsize\tdelta\t%s", what);
    }
    for (uint32_t i = 0; i < d->n_rows; i++) {
        const an_diff_row *r = &d->rows[i];
        const char *name;

        if (r->count_a == r->count_b && r->size_a == r->size_b
            && r->retained_a == r->retained_b) {
            continue;
        }
        changed++;
        if (shown >= top) {
            continue;
        }
        shown++;
        an_format_count(r->count_b, c1, sizeof(c1));
        an_format_count_delta(diff_delta(r->count_a, r->count_b), c2,
                              sizeof(c2));
        an_format_size(r->size_b, s1, sizeof(s1));
        an_format_delta(diff_delta(r->size_a, r->size_b), s2, sizeof(s2));
        name = an_group_name(d->names, amb, d->by_module, r->id, nb, sizeof(nb));
        if (retained) {
            an_table_rowf(t, "%s\t%s\t%s\t%s\t%s\t%s\t%s", c1, c2, s1, s2,
                          an_format_size(r->retained_b, r1, sizeof(r1)),
                          an_format_delta(diff_delta(r->retained_a,
                                                     r->retained_b),
                                          r2, sizeof(r2)),
                          name);
        }
        else {
            an_table_rowf(t, "%s\t%s\t%s\t%s\t%s", c1, c2, s1, s2, name);
        }
    }
    if (changed == 0) {
        printf("no %s changed\n", what);
    }
    else {
        an_table_emit(t, fmt, NULL);
    }
    an_table_free(t);
    printf("%stotal: %s -> %s objects (%s), %s -> ",
           fmt == AN_FORMAT_MARKDOWN ? "\n" : "",
           an_format_count(d->count_a, c1, sizeof(c1)),
           an_format_count(d->count_b, c2, sizeof(c2)),
           an_format_count_delta(diff_delta(d->count_a, d->count_b), nb,
                                 sizeof(nb)),
           an_format_size(d->size_a, s1, sizeof(s1)));
    printf("%s (%s)", an_format_size(d->size_b, s1, sizeof(s1)),
           an_format_delta(diff_delta(d->size_a, d->size_b), s2, sizeof(s2)));
    if (changed > shown) {
        printf("; %llu of %llu changed %ss shown", (unsigned long long)shown,
               (unsigned long long)changed, what);
    }
    printf("\n");
    if (d->objects) {
        diff_text_new(d, amb, top, b, fmt);
    }
    free(amb);
}

/*
 * Count snapshot s (already open) into the model as A or B: load its
 * columns, with --retained compute its dominators, add it.  The columns
 * stay loaded (B's addresses are printed); the caller unloads A.
 */
static int
diff_add(an_diff *d, int which, an_snap *s, unsigned cols, int retained)
{
    an_roots roots;
    an_domtree dt;
    uint64_t *outer = NULL;
    uint32_t *group_of = NULL, n_groups = 0;
    int status;

    memset(&roots, 0, sizeof(roots));
    memset(&dt, 0, sizeof(dt));
    status = an_load(s, cols);
    if (status != 0) {
        return status;
    }
    status = AN_EXIT_INPUT;
    if (retained) {
        group_of = an_group_of_types(s, d->by_module, &n_groups);
        if (group_of == NULL || an_roots_of_snap(&roots, s) != 0
            || an_dominators(&s->g, s->cols.size, roots.ordered, roots.n,
                             &dt) != 0
            || (outer = an_group_outermost(s, &dt, group_of, n_groups))
               == NULL) {
            goto nomem;
        }
    }
    if (an_diff_add(d, which, s, retained ? dt.retained : NULL, outer)
        != 0) {
        goto nomem;
    }
    status = AN_EXIT_OK;
    goto done;

nomem:
    an_error("'%s': out of memory", s->path);
done:
    free(outer);
    free(group_of);
    an_domtree_free(&dt);
    an_roots_free(&roots);
    return status;
}

static int
diff_run(int argc, char **argv)
{
    int partial = 0, json = 0, objects = 0, retained = 0;
    const char *by = "type", *format = NULL, *why_fmt;
    uint64_t top = UINT64_MAX, fail_above = UINT64_MAX;
    an_format fmt;
    const an_option opts[] = {
        {AN_OPT_STRING, 0, "by", &by, "WHAT",
         "group by 'type' (default) or 'module'"},
        {AN_OPT_UINT, 'n', "top", &top, "N",
         "show N groups (default 20, JSON: all)"},
        {AN_OPT_SIZE, 0, "fail-above", &fail_above, "BYTES",
         "exit 3 when the total size grew by more than BYTES"},
        {AN_OPT_FLAG, 0, "objects", &objects, NULL,
         "list the new objects of B (same process only)"},
        {AN_OPT_FLAG, 0, "retained", &retained, NULL,
         "add the change of each group's retained size"},
        {AN_OPT_STRING, 0, "format", &format, "FORMAT",
         "'text' (default), 'markdown' or 'json'"},
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of truncated or damaged files"},
        {AN_OPT_FLAG, 0, "json", &json, NULL, "print JSON (spec/json.md)"},
        AN_OPT_END_ROW,
    };
    int npos, status;
    an_snap a, b;
    an_diff d;
    unsigned cols = MF_COL_TYPE | MF_COL_SIZE;
    char why[512];

    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    memset(&d, 0, sizeof(d));
    if (!an_parse_options(argc, argv, &diff_usage, opts, &npos, &status)) {
        return status;
    }
    if (npos != 2) {
        return an_usage_error(&diff_usage, opts,
                              npos > 2 ? "too many arguments"
                                       : "diff needs two snapshots");
    }
    if (strcmp(by, "type") != 0 && strcmp(by, "module") != 0) {
        return an_usage_error(&diff_usage, opts,
                              "bad value '%s' for option '--by'", by);
    }
    why_fmt = an_choose_format(format, json,
                               AN_FORMAT_BIT(AN_FORMAT_MARKDOWN), &fmt);
    if (why_fmt != NULL) {
        return an_usage_error(&diff_usage, opts, "%s", why_fmt);
    }
    if (top == UINT64_MAX && fmt != AN_FORMAT_JSON) {
        top = 20;
    }
    if (objects) {
        cols |= MF_COL_ADDRESS;
    }
    if (retained) {
        cols |= MF_COL_EDGES | MF_COL_EDGE_KIND;
    }

    status = an_open(&a, argv[0], partial);
    if (status != 0) {
        return status;
    }
    status = an_open(&b, argv[1], partial);
    if (status != 0) {
        an_snap_close(&a);
        return status;
    }
    if (objects && an_snap_same_process(&a, &b, why, sizeof(why)) != 0) {
        an_error("%s: --objects needs two snapshots of one process", why);
        status = AN_EXIT_INPUT;
        goto done;
    }
    if (an_diff_init(&d, strcmp(by, "module") == 0, objects) != 0) {
        an_error("out of memory");
        status = AN_EXIT_INPUT;
        goto done;
    }
    status = diff_add(&d, 0, &a, cols, retained);
    if (status != 0) {
        goto done;
    }
    an_snap_close(&a);
    status = diff_add(&d, 1, &b, cols, retained);
    if (status != 0) {
        goto done;
    }
    an_diff_sort(&d);
    if (fmt == AN_FORMAT_JSON) {
        diff_json(&d, top, argv, retained, &b);
    }
    else {
        diff_text(&d, top, retained, &b, fmt);
    }
    status = an_fail_above("size grew by", d.size_b > d.size_a
                                           ? d.size_b - d.size_a : 0,
                           fail_above);

done:
    an_diff_free(&d);
    an_snap_close(&a);
    an_snap_close(&b);
    return status;
}

const an_command cmd_diff = {&diff_usage, diff_run};
