/*
 * referrers.c - the tree of referrers as text, JSON or Graphviz.
 */
#include "render/referrers.h"

#include <stdio.h>
#include <string.h>

#include "base/number.h"
#include "render/dot.h"
#include "render/json.h"
#include "render/outfile.h"
#include "render/path.h"

/* The DOT name of object obj. */
static const char *
dot_id(uint32_t obj, char *buf, size_t cap)
{
    snprintf(buf, cap, "o%u", obj);
    return buf;
}

/* The referrers of walked node i, then what was left out. */
static void
text_children(const an_snap *s, const an_reftree *m, uint32_t i)
{
    const an_refnode *n = &m->nodes[i];
    int indent = 2 * (int)(n->level + 1);
    uint32_t c = i + 1;

    for (uint32_t k = 0; k < n->shown; k++) {
        const an_refnode *r = &m->nodes[c];
        char note[160], addr[32];

        an_root_note(s, &m->roots, r->obj, note, sizeof(note));
        printf("%*s<- %s  %s @%s%s%s\n", indent, "", r->labels,
               s->keys[an_snap_key_of(s, r->obj)].display,
               an_address_text(s, r->obj, addr, sizeof(addr)), note,
               r->seen ? " (already shown)" : "");
        if (r->walked) {
            text_children(s, m, c);
        }
        c = r->end;
    }
    if (n->total > n->shown) {
        printf("%*s... and %llu more\n", indent, "",
               (unsigned long long)(n->total - n->shown));
    }
    else if (n->total == 0 && n->level == 0) {
        printf("%*s(nothing in the snapshot refers to it: it is held from C "
               "code or by the dumper's caller)\n", indent, "");
    }
}

static void
referrers_text(const an_snap *s, const an_reftree *m)
{
    uint32_t target = m->nodes[0].obj;
    char note[160];

    an_root_note(s, &m->roots, target, note, sizeof(note));
    printf("%s @0x%llx%s\n", s->keys[an_snap_key_of(s, target)].display,
           (unsigned long long)s->cols.address[target], note);
    if (m->nodes[0].walked) {
        text_children(s, m, 0);
    }
    if (m->cut) {
        printf("(output cut at %d lines: use a smaller --depth or "
               "--max-children)\n", AN_REFERRERS_CAP);
    }
}

/* The members of walked node i: its referrers, each with its own. */
static void
json_children(an_json *j, const an_snap *s, const an_reftree *m,
              uint32_t i)
{
    const an_refnode *n = &m->nodes[i];
    uint32_t c = i + 1;

    an_json_key(j, "referrers_total");
    an_json_u64(j, n->total);
    an_json_key(j, "referrers");
    an_json_array(j);
    for (uint32_t k = 0; k < n->shown; k++) {
        const an_refnode *r = &m->nodes[c];

        an_json_object(j);
        an_json_key(j, "label");
        an_json_str(j, r->labels);
        an_json_objref(j, s, r->obj);
        if (an_roots_find(&m->roots, r->obj) != NULL) {
            an_json_key(j, "root");
            an_json_bool(j, 1);
        }
        if (r->seen) {
            an_json_key(j, "seen");
            an_json_bool(j, 1);
        }
        if (r->walked) {
            json_children(j, s, m, c);
        }
        an_json_end_object(j);
        c = r->end;
    }
    an_json_end_array(j);
}

static void
referrers_json(const an_snap *s, const an_reftree *m)
{
    uint32_t target = m->nodes[0].obj;
    an_json j;

    an_json_init(&j, stdout);
    an_json_object(&j);
    an_json_key(&j, "depth");
    an_json_u64(&j, m->depth);
    an_json_key(&j, "target");
    an_json_object(&j);
    an_json_objref(&j, s, target);
    if (an_roots_find(&m->roots, target) != NULL) {
        an_json_key(&j, "root");
        an_json_bool(&j, 1);
    }
    if (m->nodes[0].walked) {
        json_children(&j, s, m, 0);
    }
    an_json_end_object(&j);
    an_json_end_object(&j);
    an_json_finish(&j);
}

/* The referrers of walked node i as boxes and arrows. */
static void
dot_children(an_outfile *o, const an_snap *s, const an_reftree *m,
             uint32_t i)
{
    const an_refnode *n = &m->nodes[i];
    uint32_t c = i + 1;
    char from[24], to[24];

    for (uint32_t k = 0; k < n->shown; k++) {
        const an_refnode *r = &m->nodes[c];
        char note[160];

        an_root_note(s, &m->roots, r->obj, note, sizeof(note));
        an_dot_object(o, s, dot_id(r->obj, from, sizeof(from)), r->obj,
                      note[0] ? note + 1 : NULL,
                      note[0] ? AN_DOT_ROOT : AN_DOT_PLAIN);
        an_dot_edge(o, from, dot_id(n->obj, to, sizeof(to)), r->labels,
                    strstr(r->labels, "(weak)") ? AN_DOT_WEAK : 0);
        if (r->walked) {
            dot_children(o, s, m, c);
        }
        c = r->end;
    }
    if (n->total > n->shown) {
        char more[32], text[64], n1[32];

        snprintf(more, sizeof(more), "more%u", n->obj);
        snprintf(text, sizeof(text), "... and %s more",
                 an_format_count(n->total - n->shown, n1, sizeof(n1)));
        an_dot_node(o, more, text, AN_DOT_NOTE);
        an_dot_edge(o, more, dot_id(n->obj, to, sizeof(to)), NULL, 0);
    }
}

void
an_dot_referrers(an_outfile *o, const an_snap *s, const an_reftree *m)
{
    uint32_t target = m->nodes[0].obj;
    char title[300], note[160];

    an_root_note(s, &m->roots, target, note, sizeof(note));
    snprintf(title, sizeof(title), "who refers to %s @0x%llx",
             s->keys[an_snap_key_of(s, target)].display,
             (unsigned long long)s->cols.address[target]);
    an_dot_begin(o, title);
    an_dot_object(o, s, dot_id(target, title, sizeof(title)), target,
                  note[0] ? note + 1 : NULL, AN_DOT_TARGET);
    if (m->nodes[0].walked) {
        dot_children(o, s, m, 0);
    }
    an_dot_end(o);
}

void
an_print_referrers(const an_snap *s, const an_reftree *m, an_format fmt)
{
    if (fmt == AN_FORMAT_JSON) {
        referrers_json(s, m);
    }
    else {
        referrers_text(s, m);
    }
}
