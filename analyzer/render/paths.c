/*
 * paths.c - the paths model as text, JSON or Graphviz.
 */
#include "render/paths.h"

#include <stdio.h>
#include <string.h>

#include "base/number.h"
#include "render/dot.h"
#include "render/json.h"
#include "render/outfile.h"
#include "render/path.h"

static void
paths_json(const an_snap *s, const an_paths *c)
{
    an_json j;

    an_json_init(&j, stdout);
    an_json_object(&j);
    an_json_key(&j, "target");
    an_json_object(&j);
    if (c->type_name != NULL) {
        an_json_key(&j, "type");
        an_json_str(&j, c->type_name);
    }
    else {
        an_json_objref(&j, s, c->targets[0]);
    }
    an_json_end_object(&j);
    an_json_key(&j, "instances");
    an_json_u64(&j, c->n_targets);
    an_json_key(&j, "unreachable");
    an_json_u64(&j, c->groups.unreachable);
    an_json_key(&j, "weak");
    an_json_bool(&j, c->weak);
    an_json_key(&j, "fold_keys");
    an_json_bool(&j, (c->fold & AN_FOLD_STR_KEYS) != 0);
    an_json_key(&j, "groups");
    an_json_u64(&j, c->groups.n_groups);
    an_json_key(&j, "paths");
    an_json_array(&j);
    for (uint32_t g = 0; g < c->n_examples; g++) {
        const an_group *gr = &c->groups.groups[g];

        an_json_object(&j);
        an_json_key(&j, "count");
        an_json_u64(&j, gr->count);
        if (c->group_retained != NULL) {
            an_json_key(&j, "retained");
            an_json_u64(&j, c->group_retained[g]);
        }
        an_json_key(&j, "length");
        an_json_u64(&j, c->examples[g].len);
        an_json_key(&j, "steps");
        an_json_path_steps(&j, s, &c->roots, &c->examples[g]);
        an_json_end_object(&j);
    }
    an_json_end_array(&j);
    an_json_end_object(&j);
    an_json_finish(&j);
}

static void
paths_text(const an_snap *s, const an_paths *c, const char *target_desc)
{
    const an_groups *gs = &c->groups;
    uint64_t max_groups = c->n_examples;
    char c1[32], c2[32], r1[48];

    if (c->n_targets == 0) {
        printf("no instance of %s in the snapshot\n", target_desc);
    }
    for (uint32_t g = 0; g < c->n_examples; g++) {
        const an_group *gr = &gs->groups[g];
        uint32_t len = c->examples[g].len;

        if (c->type_name != NULL) {
            r1[0] = '\0';
            if (c->group_retained != NULL) {
                char sz[32];

                snprintf(r1, sizeof(r1), " (retaining %s)",
                         an_format_size(c->group_retained[g], sz,
                                        sizeof(sz)));
            }
            printf("%s%s of %s %s%s held through this path (%u step%s):\n",
                   g ? "\n" : "", an_format_count(gr->count, c1, sizeof(c1)),
                   an_format_count(c->n_targets, c2, sizeof(c2)),
                   target_desc, r1, len - 1, len == 2 ? "" : "s");
        }
        else {
            printf("%s is held through this path (%u step%s):\n",
                   target_desc, len - 1, len == 2 ? "" : "s");
        }
        an_print_path(stdout, s, &c->roots, &c->examples[g]);
    }
    if (gs->n_groups > max_groups) {
        printf("\n... and %llu more path shapes (--max to see them)\n",
               (unsigned long long)(gs->n_groups - max_groups));
    }
    if (gs->unreachable > 0) {
        printf("%s%s of %s %s reachable from no root%s (only from "
               "reference cycles nothing else refers to%s), e.g. "
               "@0x%llx\n",
               gs->n_groups ? "\n" : "",
               an_format_count(gs->unreachable, c1, sizeof(c1)),
               an_format_count(c->n_targets, c2, sizeof(c2)),
               target_desc, c->weak ? "" : " by strong references",
               c->weak ? "" : ", or through weak references",
               (unsigned long long)
               s->cols.address[gs->unreachable_example]);
    }
}

/* The DOT nodes and edges of items [i, end) of group g's example path,
 * after node `prev`; the id of the last node into prev.  A step is a
 * node and the edge into it; a repeat of one step gets a loop on its
 * node, a cycle of several steps an edge back from its last node to its
 * first (bold, gray: AN_DOT_LOOP). */
static void
dot_items(an_outfile *o, const an_snap *s, const an_paths *c, uint32_t g,
          uint32_t i, uint32_t end, char *prev, size_t cap)
{
    const an_pathbuf *pb = &c->examples[g];
    char id[48], label[200], extra[64], loop[240], n1[32];

    while (i < end) {
        const an_fold_item *it = &pb->items[i];
        uint32_t next = an_path_item_end(pb, i);
        uint32_t step = it->kind == AN_FOLD_STEP ? it->step : it->last;
        uint32_t obj = pb->objs[step];
        unsigned style, es;
        uint32_t e;

        if (it->kind != AN_FOLD_STEP && next - i > 3) {
            /* a cycle of several steps: its body, then the way back */
            char first[48];
            an_sbuf body = {0};
            const char *b;

            snprintf(first, sizeof(first), "g%u_%u", g,
                     pb->items[i + 1].kind == AN_FOLD_STEP
                     ? pb->items[i + 1].step : pb->items[i + 1].last);
            dot_items(o, s, c, g, i + 1, next - 1, prev, cap);
            an_path_items_text(&body, s, pb, i + 1, next - 1);
            b = an_sbuf_str(&body);
            snprintf(loop, sizeof(loop), "(%s)+", b[0] == ' ' ? b + 1 : b);
            if (it->times > 1) {
                snprintf(extra, sizeof(extra), " x%s",
                         an_format_count(it->times, n1, sizeof(n1)));
                strncat(loop, extra, sizeof(loop) - strlen(loop) - 1);
            }
            an_dot_edge(o, prev, first, loop, AN_DOT_LOOP);
            an_sbuf_free(&body);
            i = next;
            continue;
        }
        snprintf(id, sizeof(id), "g%u_%u", g, step);
        extra[0] = '\0';
        style = step + 1 == pb->len && step > 0 ? AN_DOT_TARGET
                                                : AN_DOT_PLAIN;
        if (it->kind == AN_FOLD_OPEN && it->times > 1) {
            snprintf(extra, sizeof(extra), "(x%s on this path)",
                     an_format_count(it->times, n1, sizeof(n1)));
        }
        an_dot_object(o, s, id, obj, extra, style);
        an_path_item_label(s, pb, it->kind == AN_FOLD_STEP ? it
                                                           : &pb->items[i + 1],
                           it->kind == AN_FOLD_STEP ? 0
                           : it->times > 1 ? 2 : 1, label, sizeof(label));
        e = pb->via[step];
        /* a group's shape: indices and int keys (and str keys with
         * --fold-keys) stand for any */
        if (c->type_name != NULL && s->g.edge_kind != NULL
            && an_edge_folded(s->g.edge_kind[e], c->fold)) {
            snprintf(label, sizeof(label), "[*]");
        }
        es = s->g.edge_kind && (s->g.edge_kind[e] & MF_EDGE_WEAK)
             ? AN_DOT_WEAK : 0;
        an_dot_edge(o, prev, id, label, es);
        if (it->kind == AN_FOLD_OPEN) {
            snprintf(loop, sizeof(loop), "%s+", label);
            an_dot_edge(o, id, id, loop, es | AN_DOT_LOOP);
        }
        snprintf(prev, cap, "%s", id);
        i = next;
    }
}

/* One path (the example of group g) as DOT nodes and edges: the root,
 * then its steps (dot_items()). */
static void
paths_dot_path(const an_snap *s, const an_paths *c, an_outfile *o,
               uint32_t g)
{
    const an_pathbuf *pb = &c->examples[g];
    char id[48], extra[256];
    uint32_t obj;

    if (pb->len == 0 || pb->n_items == 0) {
        return;
    }
    obj = pb->objs[0];
    snprintf(id, sizeof(id), "g%u_0", g);
    an_root_text(s, an_roots_find(&c->roots, obj), obj, extra,
                 sizeof(extra));
    an_dot_object(o, s, id, obj, extra, AN_DOT_ROOT);
    /* items[0] is the root */
    dot_items(o, s, c, g, 1, pb->n_items, id, sizeof(id));
}

/* What was asked about: the type, or the object. */
static void
paths_target(const an_snap *s, const an_paths *m, char *buf, size_t cap)
{
    if (m->type_name != NULL) {
        snprintf(buf, cap, "%s", m->type_name);
    }
    else {
        snprintf(buf, cap, "%s @0x%llx",
                 s->keys[an_snap_key_of(s, m->targets[0])].display,
                 (unsigned long long)s->cols.address[m->targets[0]]);
    }
}

void
an_dot_paths(an_outfile *o, const an_snap *s, const an_paths *c,
             uint64_t max_groups)
{
    const an_groups *gs = &c->groups;
    char title[700], target_desc[512], c1[32], c2[32], r1[32];

    paths_target(s, c, target_desc, sizeof(target_desc));
    if (c->type_name != NULL) {
        snprintf(title, sizeof(title), "paths to the %s instances of %s "
                 "(%u shape%s)", an_format_count(c->n_targets, c1,
                                                 sizeof(c1)),
                 target_desc, gs->n_groups, gs->n_groups == 1 ? "" : "s");
    }
    else {
        snprintf(title, sizeof(title), "why %s is alive", target_desc);
    }
    an_dot_begin(o, title);
    for (uint32_t g = 0; g < c->n_examples; g++) {
        const an_group *gr = &gs->groups[g];
        char name[32];

        if (c->type_name != NULL) {
            snprintf(name, sizeof(name), "cluster_g%u", g);
            snprintf(title, sizeof(title), "%s of %s held through this "
                     "shape%s%s",
                     an_format_count(gr->count, c1, sizeof(c1)),
                     an_format_count(c->n_targets, c2, sizeof(c2)),
                     c->group_retained ? ", retaining " : "",
                     c->group_retained
                     ? an_format_size(c->group_retained[g], r1, sizeof(r1))
                     : "");
            an_dot_begin_cluster(o, name, title);
        }
        paths_dot_path(s, c, o, g);
        if (c->type_name != NULL) {
            an_dot_end_cluster(o);
        }
    }
    if (gs->n_groups > max_groups || gs->unreachable > 0) {
        snprintf(title, sizeof(title), "%llu more shapes (--max); %s "
                 "unreachable", (unsigned long long)(gs->n_groups > max_groups
                                                     ? gs->n_groups
                                                       - max_groups : 0),
                 an_format_count(gs->unreachable, c1, sizeof(c1)));
        an_dot_node(o, "more", title, AN_DOT_NOTE);
    }
    an_dot_end(o);
}

void
an_print_paths(const an_snap *s, const an_paths *m, an_format fmt)
{
    char desc[512];

    if (fmt == AN_FORMAT_JSON) {
        paths_json(s, m);
    }
    else {
        paths_target(s, m, desc, sizeof(desc));
        paths_text(s, m, desc);
    }
}
