/*
 * diff.c - the diff model as text, Markdown or JSON.
 */
#include "render/diff.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/number.h"
#include "render/json.h"
#include "render/path.h"
#include "render/table.h"

static void
diff_json_counts(an_json *j, uint64_t ca, uint64_t cb, uint64_t sa,
                 uint64_t sb)
{
    an_json_key(j, "count_a");
    an_json_u64(j, ca);
    an_json_key(j, "count_b");
    an_json_u64(j, cb);
    an_json_key(j, "count_delta");
    an_json_i64(j, an_delta(ca, cb));
    an_json_key(j, "size_a");
    an_json_u64(j, sa);
    an_json_key(j, "size_b");
    an_json_u64(j, sb);
    an_json_key(j, "size_delta");
    an_json_i64(j, an_delta(sa, sb));
}

static void
diff_json_retained(an_json *j, uint64_t ra, uint64_t rb)
{
    an_json_key(j, "retained_a");
    an_json_u64(j, ra);
    an_json_key(j, "retained_b");
    an_json_u64(j, rb);
    an_json_key(j, "retained_delta");
    an_json_i64(j, an_delta(ra, rb));
}

static void
diff_json(const an_diff *d, uint64_t top, const char *path_a,
          const char *path_b, const an_snap *b)
{
    int retained = d->retained;
    an_json j;

    an_json_init(&j, stdout);
    an_json_object(&j);
    an_json_key(&j, "a");
    an_json_str(&j, path_a);
    an_json_key(&j, "b");
    an_json_str(&j, path_b);
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
diff_text_new(const an_diff *d, const unsigned char *amb, uint64_t top,
              const an_snap *b, an_format fmt)
{
    char c1[32], s1[32], nb[512];
    an_table *t;

    printf("\nnew objects in B (address and type not in A): %s, %s\n",
           an_format_count(d->new_count, c1, sizeof(c1)),
           an_format_size(d->new_size, s1, sizeof(s1)));
    t = an_table_new(3, "rrl");
    an_table_rowf(t, "count\tsize\t%s", d->by_module ? "module" : "type");
    for (uint32_t i = 0; i < d->n_rows && i < top; i++) {
        const an_diff_row *r = &d->rows[d->by_new[i]];

        if (r->new_count == 0) {
            break;
        }
        an_table_rowf(t, "%s\t%s\t%s",
                      an_format_count(r->new_count, c1, sizeof(c1)),
                      an_format_size(r->new_size, s1, sizeof(s1)),
                      an_group_name(d->names, amb, d->by_module, r->id, nb,
                                    sizeof(nb)));
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
diff_text(const an_diff *d, uint64_t top, const an_snap *b, an_format fmt)
{
    int retained = d->retained;
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
        an_format_count_delta(an_delta(r->count_a, r->count_b), c2,
                              sizeof(c2));
        an_format_size(r->size_b, s1, sizeof(s1));
        an_format_delta(an_delta(r->size_a, r->size_b), s2, sizeof(s2));
        name = an_group_name(d->names, amb, d->by_module, r->id, nb,
                             sizeof(nb));
        if (retained) {
            an_table_rowf(t, "%s\t%s\t%s\t%s\t%s\t%s\t%s", c1, c2, s1, s2,
                          an_format_size(r->retained_b, r1, sizeof(r1)),
                          an_format_delta(an_delta(r->retained_a,
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
           an_format_count_delta(an_delta(d->count_a, d->count_b), nb,
                                 sizeof(nb)),
           an_format_size(d->size_a, s1, sizeof(s1)));
    printf("%s (%s)", an_format_size(d->size_b, s1, sizeof(s1)),
           an_format_delta(an_delta(d->size_a, d->size_b), s2, sizeof(s2)));
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

void
an_print_diff(const an_diff *d, const an_snap *b, const char *path_a,
              const char *path_b, an_format fmt, uint64_t top)
{
    if (fmt == AN_FORMAT_JSON) {
        diff_json(d, top, path_a, path_b, b);
    }
    else {
        diff_text(d, top, b, fmt);
    }
}
