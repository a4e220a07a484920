/*
 * leaks.c - the leak clusters as text, Markdown or JSON.
 */
#include "render/leaks.h"

#include <stdio.h>
#include <string.h>

#include "base/number.h"
#include "base/sbuf.h"
#include "render/json.h"
#include "render/path.h"
#include "render/table.h"

static void
leaks_json(const an_snap *s, const an_leaks *lk)
{
    an_json j;

    an_json_init(&j, stdout);
    an_json_object(&j);
    an_json_key(&j, "candidates");
    an_json_u64(&j, lk->candidates);
    an_json_key(&j, "dominated");
    an_json_u64(&j, lk->dominated);
    an_json_key(&j, "weak");
    an_json_u64(&j, lk->weak);
    an_json_key(&j, "unreachable");
    an_json_u64(&j, lk->unreachable);
    an_json_key(&j, "retained");
    an_json_u64(&j, lk->retained_total);
    an_json_key(&j, "clusters");
    an_json_array(&j);
    for (uint32_t i = 0; i < lk->n_listed; i++) {
        const an_leak_cluster *c = &lk->clusters[lk->listed[i]];
        const an_key *k = &s->keys[an_snap_key_of(s, c->example)];
        char addr[32];

        an_json_object(&j);
        an_json_group(&j, k->module, k->qualname, 0);
        an_json_key(&j, "count");
        an_json_u64(&j, c->count);
        an_json_key(&j, "size");
        an_json_u64(&j, c->size);
        an_json_key(&j, "retained");
        an_json_u64(&j, c->retained);
        an_json_key(&j, "example");
        an_json_str(&j, an_address_text(s, c->example, addr,
                                        sizeof(addr)));
        an_json_key(&j, "path");
        an_json_path_steps(&j, s, &lk->roots, &lk->paths[i]);
        an_json_end_object(&j);
    }
    an_json_end_array(&j);
    an_json_end_object(&j);
    an_json_finish(&j);
}

static void
leaks_summary_line(const an_leaks *lk)
{
    char a[32], b[32], w[32], c[32], m[32], r[32];

    printf("%s leak candidate%s: objects new in TARGET and still alive in "
           "FINAL (%s held by other candidates, %s weak references to "
           "them); %s cluster%s of %s or more, retaining %s\n",
           an_format_count(lk->candidates, a, sizeof(a)),
           lk->candidates == 1 ? "" : "s",
           an_format_count(lk->dominated, b, sizeof(b)),
           an_format_count(lk->weak, w, sizeof(w)),
           an_format_count(lk->shown_total, c, sizeof(c)),
           lk->shown_total == 1 ? "" : "s",
           an_format_count(lk->min_count, m, sizeof(m)),
           an_format_size(lk->retained_total, r, sizeof(r)));
}

static void
leaks_text(const an_snap *s, const an_leaks *lk)
{
    uint64_t n = lk->n_listed;
    char c1[32], s1[32], r1[32], addr[32];

    leaks_summary_line(lk);
    for (uint32_t i = 0; i < lk->n_listed; i++) {
        const an_leak_cluster *c = &lk->clusters[lk->listed[i]];

        printf("\n#%llu  %s %s (%s, retaining %s), e.g. @%s:\n",
               (unsigned long long)i + 1,
               an_format_count(c->count, c1, sizeof(c1)),
               s->keys[an_snap_key_of(s, c->example)].display,
               an_format_size(c->size, s1, sizeof(s1)),
               an_format_size(c->retained, r1, sizeof(r1)),
               an_address_text(s, c->example, addr, sizeof(addr)));
        an_print_path(stdout, s, &lk->roots, &lk->paths[i]);
    }
    if (lk->shown_total > n) {
        printf("\n... and %llu more clusters (--top to see them)\n",
               (unsigned long long)(lk->shown_total - n));
    }
    if (lk->unreachable > 0) {
        printf("\n%s candidates are reachable from no root (garbage cycles "
               "the collector had not freed yet)\n",
               an_format_count(lk->unreachable, c1, sizeof(c1)));
    }
}

static void
leaks_markdown(const an_snap *s, const an_leaks *lk)
{
    an_table *t = an_table_new(6, "rrrrll");
    an_sbuf paths = {0};
    char c1[32], s1[32], r1[32], addr[40], no[32];

    leaks_summary_line(lk);
    printf("\n");
    an_table_rowf(t, "#\tcount\tsize\tretained\ttype\texample");
    for (uint32_t i = 0; i < lk->n_listed; i++) {
        const an_leak_cluster *c = &lk->clusters[lk->listed[i]];

        snprintf(no, sizeof(no), "%llu", (unsigned long long)i + 1);
        addr[0] = '`';
        an_address_text(s, c->example, addr + 1, sizeof(addr) - 2);
        strcat(addr, "`");
        an_table_rowf(t, "%s\t%s\t%s\t%s\t%s\t%s", no,
                      an_format_count(c->count, c1, sizeof(c1)),
                      an_format_size(c->size, s1, sizeof(s1)),
                      an_format_size(c->retained, r1, sizeof(r1)),
                      s->keys[an_snap_key_of(s, c->example)].display,
                      addr);
        an_sbuf_printf(&paths, "\n#%s:\n\n```\n", no);
        an_path_text(&paths, s, &lk->roots, &lk->paths[i]);
        an_sbuf_printf(&paths, "\n```\n");
    }
    an_table_print_markdown(t, stdout);
    an_table_free(t);
    fputs(an_sbuf_str(&paths), stdout);
    an_sbuf_free(&paths);
}

void
an_print_leaks(const an_snap *s, const an_leaks *lk, an_format fmt)
{
    if (fmt == AN_FORMAT_JSON) {
        leaks_json(s, lk);
    }
    else if (fmt == AN_FORMAT_MARKDOWN) {
        leaks_markdown(s, lk);
    }
    else {
        leaks_text(s, lk);
    }
}
