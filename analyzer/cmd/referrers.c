/*
 * cmd_referrers.c - muppy-analyze referrers: who points at an object.
 *
 * Walks the reverse edges (an_graph_reverse) from the object up to
 * --depth levels, at most --max-children referrers per node; an object
 * met a second time is shown but not expanded again.
 */
#include <stdlib.h>
#include <string.h>

#include "base/number.h"
#include "lib/graph.h"
#include "lib/roots.h"
#include "render/dot.h"
#include "render/format.h"
#include "render/json.h"
#include "render/path.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage referrers_usage = {
    "referrers",
    "[--depth N] [--max-children N] [--format text|json|dot]\n"
    " [--partial] [--json] SNAP ADDRESS",
    "who points at an object, as a tree",
    "Prints the objects that refer to the object at ADDRESS, the objects\n"
    "that refer to those, and so on up to --depth levels, each with the\n"
    "label of its reference, its type and its address.  An object shown\n"
    "once is not expanded again; roots are marked.  --format dot prints\n"
    "the same as a Graphviz graph for 'dot -Tsvg'.",
    "  muppy-analyze referrers --depth 4 app.snap 0x7f3a2c1b9e80",
};

#define REF_MAX_DEPTH 64
#define REF_MAX_LINES 10000

typedef struct ref_ctx {
    an_snap *s;
    uint64_t depth, max_children;
    unsigned char *expanded;    /* n entries */
    const an_roots *roots;
    uint64_t lines;
    an_json *j;                 /* NULL for text */
    an_outfile *dot;            /* --format dot, or NULL */
} ref_ctx;

/* The DOT name of object obj. */
static const char *
ref_dot_id(uint32_t obj, char *buf, size_t cap)
{
    snprintf(buf, cap, "o%u", obj);
    return buf;
}

/* Labels of the edges from `src` to `dst`, joined by ", ". */
static void
ref_labels(const an_snap *s, uint32_t src, uint32_t dst, char *buf,
           size_t cap)
{
    size_t used = 0;
    char one[160];
    uint32_t first, count = an_edges_between(&s->g, src, dst, &first);

    buf[0] = '\0';
    for (uint32_t k = first; k < first + count; k++) {
        uint32_t e = s->g.rev_edge[k];
        size_t n;

        an_snap_edge_label(s, e, one, sizeof(one));
        if (one[0] == '\0') {
            snprintf(one, sizeof(one), "(ref)");
        }
        if (s->g.edge_kind && (s->g.edge_kind[e] & MF_EDGE_WEAK)) {
            n = strlen(one);
            snprintf(one + n, sizeof(one) - n, " (weak)");
        }
        n = (size_t)snprintf(buf + used, cap - used, "%s%s",
                             used ? ", " : "", one);
        if (n >= cap - used) {
            buf[cap - 1] = '\0';
            return;
        }
        used += n;
    }
}

/* Print (or emit as JSON) the referrers of obj at `level` (1-based). */
static int
ref_walk(ref_ctx *c, uint32_t obj, uint64_t level)
{
    an_snap *s = c->s;
    uint64_t total, shown;
    uint32_t *list;

    if (level > c->depth || c->lines >= REF_MAX_LINES) {
        return 0;
    }
    c->expanded[obj] = 1;
    total = an_referrers(&s->g, obj, NULL, 0);
    shown = total < c->max_children ? total : c->max_children;
    list = malloc((size_t)(shown ? shown : 1) * sizeof(uint32_t));
    if (list == NULL) {
        return -1;
    }
    an_referrers(&s->g, obj, list, shown);
    if (c->j && !c->dot) {
        an_json_key(c->j, "referrers_total");
        an_json_u64(c->j, total);
        an_json_key(c->j, "referrers");
        an_json_array(c->j);
    }
    for (uint64_t i = 0; i < shown; i++) {
        uint32_t r = list[i];
        const an_key *k = &s->keys[an_snap_key_of(s, r)];
        char labels[512], note[160], addr[32];
        int again = c->expanded[r];

        ref_labels(s, r, obj, labels, sizeof(labels));
        an_root_note(s, c->roots, r, note, sizeof(note));
        an_address_text(s, r, addr, sizeof(addr));
        c->lines++;
        if (c->dot) {
            char from[24], to[24];

            an_dot_object(c->dot, s, ref_dot_id(r, from, sizeof(from)), r,
                          note[0] ? note + 1 : NULL,
                          note[0] ? AN_DOT_ROOT : AN_DOT_PLAIN);
            an_dot_edge(c->dot, from, ref_dot_id(obj, to, sizeof(to)),
                        labels, strstr(labels, "(weak)") ? AN_DOT_WEAK : 0);
        }
        else if (c->j) {
            an_json_object(c->j);
            an_json_key(c->j, "label");
            an_json_str(c->j, labels);
            an_json_objref(c->j, s, r);
            if (note[0]) {
                an_json_key(c->j, "root");
                an_json_bool(c->j, 1);
            }
            if (again) {
                an_json_key(c->j, "seen");
                an_json_bool(c->j, 1);
            }
        }
        else {
            printf("%*s<- %s  %s @%s%s%s\n", (int)(2 * level), "", labels,
                   k->display, addr, note,
                   again ? " (already shown)" : "");
        }
        if (!again && ref_walk(c, r, level + 1) != 0) {
            free(list);
            return -1;
        }
        if (c->j && !c->dot) {
            an_json_end_object(c->j);
        }
    }
    if (c->dot) {
        if (total > shown) {
            char more[32], to[24], text[64], n1[32];

            snprintf(more, sizeof(more), "more%u", obj);
            snprintf(text, sizeof(text), "... and %s more",
                     an_format_count(total - shown, n1, sizeof(n1)));
            an_dot_node(c->dot, more, text, AN_DOT_NOTE);
            an_dot_edge(c->dot, more, ref_dot_id(obj, to, sizeof(to)), NULL,
                        0);
        }
    }
    else if (c->j) {
        an_json_end_array(c->j);
    }
    else if (total > shown) {
        printf("%*s... and %llu more\n", (int)(2 * level), "",
               (unsigned long long)(total - shown));
    }
    else if (total == 0 && level == 1) {
        printf("%*s(nothing in the snapshot refers to it: it is held from C "
               "code or by the dumper's caller)\n", (int)(2 * level), "");
    }
    free(list);
    return 0;
}

static int
referrers_run(int argc, char **argv)
{
    int partial = 0, json = 0;
    uint64_t depth = 3, max_children = 10, address;
    const char *format_name = NULL, *msg;
    an_format format;
    an_outfile dot;
    const an_option opts[] = {
        {AN_OPT_UINT, 'd', "depth", &depth, "N",
         "levels of referrers to show (default 3)"},
        {AN_OPT_UINT, 0, "max-children", &max_children, "N",
         "referrers shown per object (default 10)"},
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of a truncated or damaged file"},
        {AN_OPT_STRING, 0, "format", &format_name, "FORMAT",
         "text (default), json or dot (Graphviz)"},
        {AN_OPT_FLAG, 0, "json", &json, NULL, "print JSON (spec/json.md)"},
        AN_OPT_END_ROW,
    };
    int npos, status;
    an_snap s;
    ref_ctx c;
    uint32_t target;
    an_roots roots;
    an_json j;
    char note[160];

    memset(&c, 0, sizeof(c));
    memset(&roots, 0, sizeof(roots));
    memset(&dot, 0, sizeof(dot));
    if (!an_parse_options(argc, argv, &referrers_usage, opts, &npos,
                          &status)) {
        return status;
    }
    if (npos != 2) {
        return an_usage_error(&referrers_usage, opts,
                              "referrers needs SNAP and ADDRESS");
    }
    if (an_parse_address(argv[1], &address) != 0) {
        return an_usage_error(&referrers_usage, opts, "bad address '%s'",
                              argv[1]);
    }
    msg = an_choose_format(format_name, json, AN_FORMAT_BIT(AN_FORMAT_DOT),
                           &format);
    if (msg != NULL) {
        return an_usage_error(&referrers_usage, opts, "%s", msg);
    }
    if (depth > REF_MAX_DEPTH) {
        depth = REF_MAX_DEPTH;
    }
    status = an_open(&s, argv[0], partial);
    if (status != 0) {
        return status;
    }
    /* no size column but for the boxes of dot: it would cost 8 bytes an
     * object for one figure */
    status = an_load(&s, MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_EDGES
                             | MF_COL_EDGE_KIND | MF_COL_EDGE_LABEL
                             | (format == AN_FORMAT_DOT ? MF_COL_SIZE : 0));
    if (status != 0) {
        goto done;
    }
    status = AN_EXIT_INPUT;
    target = an_object_at(&s, address);
    if (target == MF_NONE) {
        goto done;
    }
    c.expanded = an_calloc((size_t)s.g.n + 1, 1);
    if (c.expanded == NULL) {
        goto done;
    }
    if (an_roots_of_snap(&roots, &s) != 0 || an_graph_reverse(&s.g) != 0) {
        an_error("'%s': out of memory", s.path);
        goto done;
    }
    c.s = &s;
    c.depth = depth;
    c.max_children = max_children;
    c.roots = &roots;
    an_root_note(&s, &roots, target, note, sizeof(note));
    if (format == AN_FORMAT_DOT) {
        char title[300];

        if (an_outfile_open(&dot, "-") != 0) {
            goto done;
        }
        c.dot = &dot;
        snprintf(title, sizeof(title), "who refers to %s @0x%llx",
                 s.keys[an_snap_key_of(&s, target)].display,
                 (unsigned long long)address);
        an_dot_begin(&dot, title);
        snprintf(title, sizeof(title), "o%u", target);
        an_dot_object(&dot, &s, title, target, note[0] ? note + 1 : NULL,
                      AN_DOT_TARGET);
    }
    else if (format == AN_FORMAT_JSON) {
        an_json_init(&j, stdout);
        c.j = &j;
        an_json_object(&j);
        an_json_key(&j, "depth");
        an_json_u64(&j, depth);
        an_json_key(&j, "target");
        an_json_object(&j);
        an_json_objref(&j, &s, target);
        if (note[0]) {
            an_json_key(&j, "root");
            an_json_bool(&j, 1);
        }
    }
    else {
        printf("%s @0x%llx%s\n", s.keys[an_snap_key_of(&s, target)].display,
               (unsigned long long)address, note);
    }
    if (ref_walk(&c, target, 1) != 0) {
        an_error("out of memory");
        goto done;
    }
    if (c.dot) {
        an_dot_end(&dot);
        if (an_outfile_commit(&dot) != 0) {
            goto done;
        }
    }
    else if (format == AN_FORMAT_JSON) {
        an_json_end_object(&j);
        an_json_end_object(&j);
        an_json_finish(&j);
    }
    else if (c.lines >= REF_MAX_LINES) {
        printf("(output cut at %d lines: use a smaller --depth or "
               "--max-children)\n", REF_MAX_LINES);
    }
    status = AN_EXIT_OK;

done:
    an_outfile_abort(&dot);
    an_roots_free(&roots);
    free(c.expanded);
    an_snap_close(&s);
    return status;
}

const an_command cmd_referrers = {&referrers_usage, referrers_run};
