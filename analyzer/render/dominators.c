/*
 * dominators.c - a chain of dominators as text, JSON or Graphviz.
 */
#include "render/dominators.h"

#include <stdio.h>
#include <string.h>

#include "base/number.h"
#include "render/dot.h"
#include "render/json.h"
#include "render/outfile.h"
#include "render/path.h"
#include "render/table.h"

static void
dominators_json(const an_snap *s, const an_domchain *m)
{
    const uint32_t *chain = m->objs;
    uint32_t len = m->len, target = chain[len - 1];
    an_json j;

    an_json_init(&j, stdout);
    an_json_object(&j);
    an_json_key(&j, "target");
    an_json_object(&j);
    an_json_objref(&j, s, target);
    an_json_key(&j, "size");
    an_json_u64(&j, s->cols.size[target]);
    an_json_key(&j, "retained");
    an_json_u64(&j, m->retained[len - 1]);
    an_json_key(&j, "unreachable");
    an_json_bool(&j, m->unreachable);
    an_json_end_object(&j);
    an_json_key(&j, "chain");
    an_json_array(&j);
    for (uint32_t i = 0; i + 1 < len; i++) {
        an_json_object(&j);
        an_json_objref(&j, s, chain[i]);
        an_json_key(&j, "size");
        an_json_u64(&j, s->cols.size[chain[i]]);
        an_json_key(&j, "retained");
        an_json_u64(&j, m->retained[i]);
        an_json_end_object(&j);
    }
    an_json_end_array(&j);
    an_json_end_object(&j);
    an_json_finish(&j);
}

/* The label of entry i's direct edge from the previous one into buf, or
 * "" when it is reached only through other objects. */
static void
link_label(const an_snap *s, const an_domchain *m, uint32_t i, char *buf,
           size_t cap)
{
    buf[0] = '\0';
    if (m->edge[i] != UINT64_MAX) {
        an_snap_edge_label(s, m->edge[i], buf, cap);
        if (buf[0] == '\0') {
            snprintf(buf, cap, "(ref)");
        }
    }
}

void
an_dot_dominators(an_outfile *o, const an_snap *s, const an_domchain *m)
{
    const uint32_t *chain = m->objs;
    uint32_t len = m->len, target = chain[len - 1];
    char title[300], id[24], prev[24], extra[300], r[32], note[160];
    char label[200];

    snprintf(title, sizeof(title), "what keeps %s @0x%llx alive%s",
             s->keys[an_snap_key_of(s, target)].display,
             (unsigned long long)s->cols.address[target],
             m->unreachable ? " (reachable from no root: its island)" : "");
    an_dot_begin(o, title);
    for (uint32_t i = 0; i < len; i++) {
        uint32_t v = chain[i];
        unsigned style = i + 1 == len ? AN_DOT_TARGET : AN_DOT_PLAIN;

        an_root_note(s, &m->roots, v, note, sizeof(note));
        if (note[0] && style == AN_DOT_PLAIN) {
            style = AN_DOT_ROOT;
        }
        snprintf(extra, sizeof(extra), "retains %s%s%s",
                 an_format_size(m->retained[i], r, sizeof(r)),
                 note[0] ? "\n" : "", note[0] ? note + 1 : "");
        snprintf(id, sizeof(id), "o%u", v);
        an_dot_object(o, s, id, v, extra, style);
        if (i > 0) {
            link_label(s, m, i, label, sizeof(label));
            an_dot_edge(o, prev, id, label[0] ? label
                                               : "(through other objects)",
                        label[0] ? 0 : AN_DOT_WEAK);
        }
        memcpy(prev, id, sizeof(prev));
    }
    an_dot_end(o);
}

/* Lines shown at each end of a long chain */
#define CHAIN_ENDS 40

static void
dominators_text(const an_snap *s, const an_domchain *m)
{
    const uint32_t *chain = m->objs;
    uint32_t len = m->len, target = chain[len - 1];
    an_table *t = an_table_new(3, "rrl");
    char r[32], sz[32], addr[32], note[160];

    printf("%s @%s", s->keys[an_snap_key_of(s, target)].display,
           an_address_text(s, target, addr, sizeof(addr)));
    if (m->unreachable) {
        printf(" is reachable from no root (a garbage cycle, or weakly "
               "referenced only); within its island:\n");
    }
    else if (len == 1) {
        printf(" is dominated by no object: a root, or reachable from "
               "several roots\n");
    }
    else {
        printf(" is kept alive through %u dominator%s, outermost first:\n",
               len - 1, len == 2 ? "" : "s");
    }
    an_table_rowf(t, "retained\tsize\tobject");
    for (uint32_t i = 0; i < len; i++) {
        uint32_t v = chain[i];

        if (len > 2 * CHAIN_ENDS + 1 && i == CHAIN_ENDS) {
            char c[32];

            an_table_rowf(t, "\t\t%*s... (%s more) ...", CHAIN_ENDS, "",
                          an_format_count(len - 2 * CHAIN_ENDS, c, sizeof(c)));
            i = len - CHAIN_ENDS - 1;
            continue;
        }
        an_root_note(s, &m->roots, v, note, sizeof(note));
        an_table_rowf(t, "%s\t%s\t%*s%s @%s%s%s",
                      an_format_size(m->retained[i], r, sizeof(r)),
                      an_format_size(s->cols.size[v], sz, sizeof(sz)),
                      (int)(i < CHAIN_ENDS ? i : CHAIN_ENDS), "",
                      s->keys[an_snap_key_of(s, v)].display,
                      an_address_text(s, v, addr, sizeof(addr)), note,
                      i + 1 == len ? "  (this object)" : "");
    }
    an_table_print(t, stdout, "  ");
    an_table_free(t);
}

void
an_print_dominators(const an_snap *s, const an_domchain *m, an_format fmt)
{
    if (fmt == AN_FORMAT_JSON) {
        dominators_json(s, m);
    }
    else {
        dominators_text(s, m);
    }
}
