/*
 * retained.c - the retained model as text, Markdown or JSON.
 */
#include "render/retained.h"

#include <stdio.h>

#include "base/number.h"
#include "base/sbuf.h"
#include "render/json.h"
#include "render/path.h"
#include "render/table.h"

static const char *
group_name(const an_snap *s, const an_retained *c, uint32_t gi)
{
    const char *name = c->by_module ? s->modules[gi] : s->keys[gi].display;

    return name[0] ? name : "(no module)";
}

static void
retained_json(const an_snap *s, const an_retained *c)
{
    an_json j;

    an_json_init(&j, stdout);
    an_json_object(&j);
    an_json_key(&j, "objects");
    an_json_u64(&j, c->objects);
    an_json_key(&j, "size");
    an_json_u64(&j, c->size);
    an_json_key(&j, "reachable");
    an_json_object(&j);
    an_json_key(&j, "count");
    an_json_u64(&j, c->reach_count);
    an_json_key(&j, "size");
    an_json_u64(&j, c->reach_size);
    an_json_end_object(&j);
    an_json_key(&j, "unreachable");
    an_json_object(&j);
    an_json_key(&j, "count");
    an_json_u64(&j, c->unreach_count);
    an_json_key(&j, "size");
    an_json_u64(&j, c->unreach_size);
    an_json_end_object(&j);
    an_json_key(&j, "top");
    an_json_array(&j);
    for (uint32_t i = 0; i < c->n_top; i++) {
        const an_retained_object *e = &c->top[i];

        an_json_object(&j);
        an_json_objref(&j, s, e->obj);
        an_json_key(&j, "size");
        an_json_u64(&j, e->size);
        an_json_key(&j, "retained");
        an_json_u64(&j, e->retained);
        an_json_key(&j, "path");
        an_json_path_steps(&j, s, &c->roots, &e->path);
        an_json_end_object(&j);
    }
    an_json_end_array(&j);
    if (c->by) {
        an_json_key(&j, c->by_module ? "modules" : "types");
        an_json_array(&j);
        for (uint32_t i = 0; i < c->n_groups; i++) {
            const an_retained_group *g = &c->groups[i];

            an_json_object(&j);
            an_json_group(&j, c->by_module ? s->modules[g->group]
                                           : s->keys[g->group].module,
                          c->by_module ? "" : s->keys[g->group].qualname,
                          c->by_module);
            an_json_key(&j, "count");
            an_json_u64(&j, g->count);
            an_json_key(&j, "retained");
            an_json_u64(&j, g->retained);
            an_json_end_object(&j);
        }
        an_json_end_array(&j);
    }
    an_json_end_object(&j);
    an_json_finish(&j);
}

static void
retained_totals(const an_retained *c)
{
    char a[32], b[32], d[32], e[32];

    printf("reachable: %s objects, %s", an_format_count(c->reach_count, a,
                                                         sizeof(a)),
           an_format_size(c->reach_size, b, sizeof(b)));
    if (c->unreach_count > 0) {
        printf("; unreachable (garbage cycles, weakly referenced): %s "
               "objects, %s", an_format_count(c->unreach_count, d,
                                              sizeof(d)),
               an_format_size(c->unreach_size, e, sizeof(e)));
    }
    printf("\n");
}

static void
retained_groups(const an_snap *s, const an_retained *c, uint64_t top,
                an_format fmt)
{
    an_table *t = an_table_new(4, "rrrl");
    char n[32], r[32], sh[32];

    an_table_rowf(t, "count\tretained\tshare\t%s",
                  c->by_module ? "module" : "type");
    for (uint32_t i = 0; i < c->n_groups && i < top; i++) {
        const an_retained_group *g = &c->groups[i];

        an_format_share(g->retained, c->reach_size, sh, sizeof(sh));
        an_table_rowf(t, "%s\t%s\t%s\t%s",
                      an_format_count(g->count, n, sizeof(n)),
                      an_format_size(g->retained, r, sizeof(r)), sh,
                      group_name(s, c, g->group));
    }
    an_table_emit(t, fmt, NULL);
    an_table_free(t);
    if (c->n_groups > top) {
        printf("(%llu of %u %s shown)\n", (unsigned long long)top,
               c->n_groups, c->by_module ? "modules" : "types");
    }
}

/* The objects by retained size, each with its path: in text on the line
 * under it, in markdown in code blocks after the table. */
static void
retained_top(const an_snap *s, const an_retained *c, an_format fmt)
{
    an_table *t = an_table_new(5, "rrrrl");
    an_sbuf paths = {0};
    char r[32], sz[32], sh[32], addr[32], no[32];
    const char *cells[5] = {"", "", "", "", ""};
    int md = fmt == AN_FORMAT_MARKDOWN;

    an_table_rowf(t, "#\tretained\tshare\tsize\t%s",
                  md ? "object" : "object / path from a root");
    for (uint32_t i = 0; i < c->n_top; i++) {
        const an_retained_object *e = &c->top[i];
        an_sbuf path = {0};

        snprintf(no, sizeof(no), "%u", i + 1);
        an_format_share(e->retained, c->reach_size, sh, sizeof(sh));
        an_table_rowf(t, "%s\t%s\t%s\t%s\t%s @%s", no,
                      an_format_size(e->retained, r, sizeof(r)), sh,
                      an_format_size(e->size, sz, sizeof(sz)),
                      s->keys[an_snap_key_of(s, e->obj)].display,
                      an_address_text(s, e->obj, addr, sizeof(addr)));
        if (md) {
            an_sbuf_printf(&paths, "\n#%s:\n\n```\n", no);
            an_path_text(&paths, s, &c->roots, &e->path);
            an_sbuf_printf(&paths, "\n```\n");
            continue;
        }
        an_sbuf_printf(&path, "  ");
        an_path_text(&path, s, &c->roots, &e->path);
        cells[4] = an_sbuf_str(&path);
        an_table_row(t, cells);
        an_sbuf_free(&path);
    }
    an_table_emit(t, fmt, NULL);
    an_table_free(t);
    fputs(an_sbuf_str(&paths), stdout);
    an_sbuf_free(&paths);
}

void
an_print_retained(const an_snap *s, const an_retained *m, an_format fmt,
                  uint64_t top_groups)
{
    if (fmt == AN_FORMAT_JSON) {
        retained_json(s, m);
        return;
    }
    retained_totals(m);
    if (fmt == AN_FORMAT_MARKDOWN) {
        printf("\n");
    }
    if (m->by) {
        retained_groups(s, m, top_groups, fmt);
    }
    else {
        retained_top(s, m, fmt);
    }
}
