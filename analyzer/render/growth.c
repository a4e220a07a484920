/*
 * growth.c - accumulation points as text, Markdown or JSON.
 */
#include "render/growth.h"

#include <stdio.h>
#include <string.h>

#include "base/number.h"
#include "base/sbuf.h"
#include "render/json.h"
#include "render/path.h"
#include "render/table.h"

/* Types named on a point's line of text. */
#define TEXT_TYPES 5

static void
points_summary(const an_points *p, const an_points_intro *in)
{
    char a[32], b[32], c[32], m[32], r[32];

    switch (in->mode) {
    case AN_POINTS_LEAKS:
        printf("%s object%s new in TARGET, %s of them still alive in "
               "FINAL", an_format_count(in->new_count, a, sizeof(a)),
               in->new_count == 1 ? "" : "s",
               an_format_count(in->candidates, b, sizeof(b)));
        break;
    case AN_POINTS_DIFF:
        printf("%s object%s of B not in A",
               an_format_count(in->new_count, a, sizeof(a)),
               in->new_count == 1 ? "" : "s");
        break;
    case AN_POINTS_TREND:
        printf("%u snapshots, %u step%s",
               in->n_snapshots, in->n_snapshots ? in->n_snapshots - 1 : 0,
               in->n_snapshots == 2 ? "" : "s");
        break;
    }
    printf("; %s accumulation point%s %s %s or more%s, retaining %s\n",
           an_format_count(p->n_shown, c, sizeof(c)),
           p->n_shown == 1 ? "" : "s",
           in->mode == AN_POINTS_TREND ? "grew, gaining"
           : p->n_shown == 1 ? "gained" : "each gained",
           an_format_count(p->min_count, m, sizeof(m)),
           in->mode == AN_POINTS_TREND ? " objects in every step"
           : " of them",
           an_format_size(p->retained, r, sizeof(r)));
}

/* "(new Logger)" after the label of a new structure. */
static const char *
point_kind_note(const an_snap *s, const an_point_view *v, char *buf,
                size_t cap)
{
    buf[0] = '\0';
    if (v->pt.kind == AN_POINT_NEW) {
        snprintf(buf, cap, "  (new %s)",
                 s->keys[an_snap_key_of(s, v->object)].display);
    }
    return buf;
}

/* A point's lines of text (with `title`, "#N  LABEL" first). */
static void
point_text(const an_snap *s, const an_point_view *v, uint32_t i, int title,
           an_sbuf *out)
{
    char c1[32], s1[32], r1[32], note[300];

    if (title) {
        an_sbuf_printf(out, "#%u  %s%s\n", i + 1, v->label,
                       point_kind_note(s, v, note, sizeof(note)));
    }
    else if (v->pt.kind == AN_POINT_NEW) {
        an_sbuf_printf(out, "%s\n",
                       point_kind_note(s, v, note, sizeof(note)) + 2);
    }
    an_sbuf_printf(out, "    gained    %s object%s (%s), retaining %s\n",
                   an_format_count(v->pt.count, c1, sizeof(c1)),
                   v->pt.count == 1 ? "" : "s",
                   an_format_size(v->pt.size, s1, sizeof(s1)),
                   an_format_size(v->pt.retained, r1, sizeof(r1)));
    if (v->per_step != NULL) {
        an_sbuf_printf(out, "    per step  ");
        for (uint32_t k = 0; k < v->n_steps; k++) {
            an_sbuf_printf(out, "%s%s", k ? ", " : "",
                           an_format_count(v->per_step[k], c1, sizeof(c1)));
        }
        an_sbuf_printf(out, "\n");
    }
    an_sbuf_printf(out, "    types     ");
    an_point_types_text(out, s, v, TEXT_TYPES);
    an_sbuf_printf(out, "\n    hanging   ");
    an_point_hang_text(out, v);
    an_sbuf_printf(out, "\n");
}

static void
points_text(const an_snap *s, const an_points *p, const an_points_intro *in)
{
    an_sbuf out = {0};

    points_summary(p, in);
    for (uint32_t i = 0; i < p->n_listed; i++) {
        const an_point_view *v = &p->listed[i];

        an_sbuf_printf(&out, "\n");
        point_text(s, v, i, 1, &out);
        an_sbuf_printf(&out, "    at        ");
        an_path_text(&out, s, &p->roots, &v->path);
        an_sbuf_printf(&out, "\n    e.g.      ");
        an_path_text(&out, s, &p->roots, &v->example);
        an_sbuf_printf(&out, "\n");
        for (uint32_t h = 0; h < v->n_holders; h++) {
            char u[32];

            an_sbuf_printf(&out, "    also held by %s (%s unit%s)\n",
                           v->holders[h].label,
                           an_format_count(v->holders[h].units, u,
                                           sizeof(u)),
                           v->holders[h].units == 1 ? "" : "s");
        }
        if (v->pt.newer) {
            an_sbuf_printf(&out, "    note      held only through objects "
                           "newer than TARGET: likely address reuse\n");
        }
        fputs(an_sbuf_str(&out), stdout);
        out.len = 0;
        if (out.s != NULL) {
            out.s[0] = '\0';
        }
    }
    an_sbuf_free(&out);
    if (p->n_shown > p->n_listed) {
        printf("\n... and %llu more accumulation points (--top to see "
               "them)\n", (unsigned long long)(p->n_shown - p->n_listed));
    }
    if (p->newer_points > 0) {
        char c[32], n[32];

        printf("\n%s gained object%s in %s point%s held only through "
               "objects newer than TARGET left out: likely address reuse "
               "(--newer lists them)\n",
               an_format_count(p->newer_count, c, sizeof(c)),
               p->newer_count == 1 ? "" : "s",
               an_format_count(p->newer_points, n, sizeof(n)),
               p->newer_points == 1 ? "" : "s");
    }
    if (p->unreachable_count > 0) {
        char c[32];

        printf("\n%s gained objects are reachable from no root (garbage "
               "cycles the collector had not freed yet)\n",
               an_format_count(p->unreachable_count, c, sizeof(c)));
    }
}

static void
points_markdown(const an_snap *s, const an_points *p,
                const an_points_intro *in)
{
    an_table *t = an_table_new(5, "rlrrl");
    an_sbuf details = {0};
    char c1[32], r1[32], no[32];

    points_summary(p, in);
    printf("\n");
    an_table_rowf(t, "#\taccumulation point\tgained\tretained\ttypes");
    for (uint32_t i = 0; i < p->n_listed; i++) {
        const an_point_view *v = &p->listed[i];
        an_sbuf types = {0};
        an_sbuf label = {0};

        snprintf(no, sizeof(no), "%u", i + 1);
        an_point_types_text(&types, s, v, 3);
        an_sbuf_printf(&label, "`%s`", v->label);
        an_table_rowf(t, "%s\t%s\t%s\t%s\t%s", no, an_sbuf_str(&label),
                      an_format_count(v->pt.count, c1, sizeof(c1)),
                      an_format_size(v->pt.retained, r1, sizeof(r1)),
                      an_sbuf_str(&types));
        an_sbuf_free(&types);
        an_sbuf_free(&label);
        an_sbuf_printf(&details, "\n#%s:\n\n```\n", no);
        point_text(s, v, i, 0, &details);
        an_sbuf_printf(&details, "    at        ");
        an_path_text(&details, s, &p->roots, &v->path);
        an_sbuf_printf(&details, "\n    e.g.      ");
        an_path_text(&details, s, &p->roots, &v->example);
        an_sbuf_printf(&details, "\n```\n");
    }
    an_table_print_markdown(t, stdout);
    an_table_free(t);
    fputs(an_sbuf_str(&details), stdout);
    an_sbuf_free(&details);
}

static void
point_json(an_json *j, const an_snap *s, const an_points *p,
           const an_point_view *v, uint32_t i, int members)
{
    static const char *const hang_keys[AN_HANG_KINDS] = {
        "keys", "values", "items", "attributes", "references", "indirect",
    };

    an_json_object(j);
    an_json_key(j, "rank");
    an_json_u64(j, (uint64_t)i + 1);
    an_json_key(j, "label");
    an_json_str(j, v->label);
    an_json_key(j, "kind");
    an_json_str(j, v->pt.kind == AN_POINT_NEW ? "new" : "holder");
    an_json_objref(j, s, v->object);
    an_json_key(j, "count");
    an_json_u64(j, v->pt.count);
    an_json_key(j, "size");
    an_json_u64(j, v->pt.size);
    an_json_key(j, "retained");
    an_json_u64(j, v->pt.retained);
    an_json_key(j, "newer");
    an_json_bool(j, v->pt.newer);
    if (v->per_step != NULL) {
        an_json_key(j, "per_step");
        an_json_array(j);
        for (uint32_t k = 0; k < v->n_steps; k++) {
            an_json_u64(j, v->per_step[k]);
        }
        an_json_end_array(j);
    }
    an_json_key(j, "types");
    an_json_array(j);
    for (uint32_t t = 0; t < v->n_types; t++) {
        const an_key *k = &s->keys[v->types[t].key];

        an_json_object(j);
        an_json_group(j, k->module, k->qualname, 0);
        an_json_key(j, "count");
        an_json_u64(j, v->types[t].count);
        an_json_key(j, "size");
        an_json_u64(j, v->types[t].size);
        an_json_end_object(j);
    }
    an_json_end_array(j);
    an_json_key(j, "hang");
    an_json_object(j);
    for (int h = 0; h < AN_HANG_KINDS; h++) {
        an_json_key(j, hang_keys[h]);
        an_json_u64(j, v->pt.hang[h]);
    }
    an_json_end_object(j);
    an_json_key(j, "units");
    an_json_u64(j, v->pt.n_units);
    an_json_key(j, "path");
    an_json_path_steps(j, s, &p->roots, &v->path);
    if (v->fans_out.len > 1) {
        an_json_key(j, "fans_out");
        an_json_path_steps(j, s, &p->roots, &v->fans_out);
    }
    an_json_key(j, "example");
    an_json_path_steps(j, s, &p->roots, &v->example);
    an_json_key(j, "holders");
    an_json_u64(j, v->pt.n_holders);
    an_json_key(j, "other_holders");
    an_json_array(j);
    for (uint32_t h = 0; h < v->n_holders; h++) {
        an_json_object(j);
        an_json_key(j, "label");
        an_json_str(j, v->holders[h].label);
        an_json_objref(j, s, v->holders[h].object);
        an_json_key(j, "units");
        an_json_u64(j, v->holders[h].units);
        an_json_key(j, "count");
        an_json_u64(j, v->holders[h].count);
        an_json_end_object(j);
    }
    an_json_end_array(j);
    if (members && v->members != NULL) {
        char addr[32];

        an_json_key(j, "members");
        an_json_array(j);
        for (uint64_t m = 0; m < v->n_members; m++) {
            snprintf(addr, sizeof(addr), "0x%llx",
                     (unsigned long long)v->members[m]);
            an_json_str(j, addr);
        }
        an_json_end_array(j);
    }
    an_json_end_object(j);
}

static void
points_json(const an_snap *s, const an_points *p, const an_points_intro *in)
{
    an_json j;

    an_json_init(&j, stdout);
    an_json_object(&j);
    if (in->mode == AN_POINTS_TREND) {
        an_json_key(&j, "snapshots");
        an_json_array(&j);
        for (uint32_t i = 0; i < in->n_snapshots; i++) {
            an_json_str(&j, in->snapshots[i]);
        }
        an_json_end_array(&j);
        if (in->gained_per_step != NULL) {
            an_json_key(&j, "gained_per_step");
            an_json_array(&j);
            for (uint32_t i = 0; i + 1 < in->n_snapshots; i++) {
                an_json_u64(&j, in->gained_per_step[i]);
            }
            an_json_end_array(&j);
        }
    }
    else {
        an_json_key(&j, "new");
        an_json_u64(&j, in->new_count);
    }
    if (in->mode == AN_POINTS_LEAKS) {
        an_json_key(&j, "candidates");
        an_json_u64(&j, in->candidates);
        an_json_key(&j, "newer_points");
        an_json_u64(&j, p->newer_points);
        an_json_key(&j, "newer_gained");
        an_json_u64(&j, p->newer_count);
    }
    if (in->mode != AN_POINTS_TREND) {
        an_json_key(&j, "gained");
        an_json_u64(&j, p->gained_count);
        an_json_key(&j, "gained_size");
        an_json_u64(&j, p->gained_size);
        an_json_key(&j, "unreachable");
        an_json_u64(&j, p->unreachable_count);
        an_json_key(&j, "all_points");
        an_json_u64(&j, p->n_points);
    }
    an_json_key(&j, "min_count");
    an_json_u64(&j, p->min_count);
    an_json_key(&j, "count");
    an_json_u64(&j, p->n_shown);
    an_json_key(&j, "retained");
    an_json_u64(&j, p->retained);
    an_json_key(&j, "points");
    an_json_array(&j);
    for (uint32_t i = 0; i < p->n_listed; i++) {
        point_json(&j, s, p, &p->listed[i], i, in->members);
    }
    an_json_end_array(&j);
    an_json_end_object(&j);
    an_json_finish(&j);
}

void
an_print_points(const an_snap *s, const an_points *p,
                const an_points_intro *in, an_format fmt)
{
    if (fmt == AN_FORMAT_JSON) {
        points_json(s, p, in);
    }
    else if (fmt == AN_FORMAT_MARKDOWN) {
        points_markdown(s, p, in);
    }
    else {
        points_text(s, p, in);
    }
}
