/*
 * summary.c - the summary model as text, Markdown or JSON.
 */
#include "render/summary.h"

#include <stdio.h>

#include "base/number.h"
#include "render/json.h"
#include "render/path.h"
#include "render/table.h"

static void
summary_json(const an_snap *s, const an_summary *r, uint64_t top)
{
    int by_module = r->by_module, retained = r->retained;
    an_json j;

    an_json_init(&j, stdout);
    an_json_object(&j);
    an_json_key(&j, "objects");
    an_json_u64(&j, r->count);
    an_json_key(&j, "size");
    an_json_u64(&j, r->size);
    if (r->external_count > 0) {
        an_json_key(&j, "external_objects");
        an_json_u64(&j, r->external_count);
        an_json_key(&j, "external_size");
        an_json_u64(&j, r->external_size);
    }
    an_json_key(&j, "partial");
    an_json_bool(&j, s->info->partial);
    an_json_key(&j, "by");
    an_json_str(&j, by_module ? "module" : "type");
    an_json_key(&j, "groups");
    an_json_u64(&j, r->n_rows);
    an_json_key(&j, by_module ? "modules" : "types");
    an_json_array(&j);
    for (uint32_t i = 0; i < r->n_rows && i < top; i++) {
        uint32_t gi = r->rows[i].group;

        an_json_object(&j);
        an_json_group(&j, by_module ? s->modules[gi] : s->keys[gi].module,
                      by_module ? "" : s->keys[gi].qualname, by_module);
        an_json_key(&j, "count");
        an_json_u64(&j, r->rows[i].count);
        an_json_key(&j, "size");
        an_json_u64(&j, r->rows[i].size);
        if (retained) {
            an_json_key(&j, "retained");
            an_json_u64(&j, r->rows[i].retained);
        }
        an_json_end_object(&j);
    }
    an_json_end_array(&j);
    an_json_end_object(&j);
    an_json_finish(&j);
}

static void
summary_text(const an_snap *s, const an_summary *r, uint64_t top,
             an_format fmt)
{
    int by_module = r->by_module, retained = r->retained;
    an_table *t = an_table_new(retained ? 5 : 4, retained ? "rrrrl"
                                                          : "rrrl");
    char c[32], sz[32], sh[32], rt[32];

    if (retained) {
        an_table_rowf(t, "count\tsize\tshare\tretained\t%s",
                      by_module ? "module" : "type");
    }
    else {
        an_table_rowf(t, "count\tsize\tshare\t%s",
                      by_module ? "module" : "type");
    }
    for (uint32_t i = 0; i < r->n_rows && i < top; i++) {
        const an_summary_row *row = &r->rows[i];
        const char *name = by_module ? s->modules[row->group]
                                     : s->keys[row->group].display;

        an_format_share(row->size, r->all_size, sh, sizeof(sh));
        an_format_count(row->count, c, sizeof(c));
        an_format_size(row->size, sz, sizeof(sz));
        if (retained) {
            an_table_rowf(t, "%s\t%s\t%s\t%s\t%s", c, sz, sh,
                          an_format_size(row->retained, rt, sizeof(rt)),
                          name[0] ? name : "(no module)");
        }
        else {
            an_table_rowf(t, "%s\t%s\t%s\t%s", c, sz, sh,
                          name[0] ? name : "(no module)");
        }
    }
    an_table_emit(t, fmt, NULL);
    an_table_free(t);
    printf("%stotal: %s objects, %s", fmt == AN_FORMAT_MARKDOWN ? "\n" : "",
           an_format_count(r->count, c, sizeof(c)),
           an_format_size(r->size, sz, sizeof(sz)));
    if (r->external_count > 0) {
        printf(" (of which %s external nodes, %s)",
               an_format_count(r->external_count, c, sizeof(c)),
               an_format_size(r->external_size, sz, sizeof(sz)));
    }
    if ((uint64_t)r->n_rows > top) {
        printf(" (%llu of %u %s shown)", (unsigned long long)top, r->n_rows,
               by_module ? "modules" : "types");
    }
    printf("\n");
}

void
an_print_summary(const an_snap *s, const an_summary *m, an_format fmt,
                 uint64_t top)
{
    if (fmt == AN_FORMAT_JSON) {
        summary_json(s, m, top);
    }
    else {
        summary_text(s, m, top, fmt);
    }
}
