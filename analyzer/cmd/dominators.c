/*
 * cmd_dominators.c - muppy-analyze dominators: what keeps an object
 * alive, as the chain of objects every path from the roots goes through.
 */
#include <stdlib.h>
#include <string.h>

#include "base/number.h"
#include "lib/dominators.h"
#include "lib/roots.h"
#include "render/dot.h"
#include "render/format.h"
#include "render/json.h"
#include "render/path.h"
#include "render/table.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage dominators_usage = {
    "dominators",
    "[--format text|json|dot] [--partial] [--json] SNAP ADDRESS",
    "the chain of objects that keep an object alive",
    "Prints the immediate dominators of the object at ADDRESS from the\n"
    "outermost down: every path from the roots to the object passes\n"
    "through each of them, so removing any one of them would free the\n"
    "object, along with everything else it retains.  Each with its\n"
    "retained size and own size.  Weak references do not keep objects\n"
    "alive.  --format dot prints the chain as a Graphviz graph, each\n"
    "arrow labeled with the reference when the dominator refers to the\n"
    "next object directly.",
    "  muppy-analyze dominators app.snap 0x7f3a2c1b9e80",
};

static void
dom_json(const an_snap *s, const an_domtree *dt, const uint32_t *chain,
         uint32_t len)
{
    uint32_t target = chain[len - 1];
    an_json j;

    an_json_init(&j, stdout);
    an_json_object(&j);
    an_json_key(&j, "target");
    an_json_object(&j);
    an_json_objref(&j, s, target);
    an_json_key(&j, "size");
    an_json_u64(&j, s->cols.size[target]);
    an_json_key(&j, "retained");
    an_json_u64(&j, dt->retained[target]);
    an_json_key(&j, "unreachable");
    an_json_bool(&j, an_bit(dt->unreachable, target));
    an_json_end_object(&j);
    an_json_key(&j, "chain");
    an_json_array(&j);
    for (uint32_t i = 0; i + 1 < len; i++) {
        an_json_object(&j);
        an_json_objref(&j, s, chain[i]);
        an_json_key(&j, "size");
        an_json_u64(&j, s->cols.size[chain[i]]);
        an_json_key(&j, "retained");
        an_json_u64(&j, dt->retained[chain[i]]);
        an_json_end_object(&j);
    }
    an_json_end_array(&j);
    an_json_end_object(&j);
    an_json_finish(&j);
}

/* The label of a direct edge from a to b into buf, or "" when a refers
 * to b only through other objects. */
static void
dom_edge_label(const an_snap *s, uint32_t a, uint32_t b, char *buf,
               size_t cap)
{
    buf[0] = '\0';
    for (uint64_t e = s->g.edge_start[a]; e < s->g.edge_start[a + 1]; e++) {
        if (s->g.edge_target[e] == b && s->g.edge_kind != NULL
            && !(s->g.edge_kind[e] & MF_EDGE_WEAK)) {
            an_snap_edge_label(s, e, buf, cap);
            if (buf[0] == '\0') {
                snprintf(buf, cap, "(ref)");
            }
            return;
        }
    }
}

static int
dom_dot(const an_snap *s, const an_roots *roots, const an_domtree *dt,
        const uint32_t *chain, uint32_t len)
{
    uint32_t target = chain[len - 1];
    an_outfile o;
    char title[300], id[24], prev[24], extra[300], r[32], note[160];
    char label[200];

    if (an_outfile_open(&o, "-") != 0) {
        return -1;
    }
    snprintf(title, sizeof(title), "what keeps %s @0x%llx alive%s",
             s->keys[an_snap_key_of(s, target)].display,
             (unsigned long long)s->cols.address[target],
             an_bit(dt->unreachable, target)
             ? " (reachable from no root: its island)" : "");
    an_dot_begin(&o, title);
    for (uint32_t i = 0; i < len; i++) {
        uint32_t v = chain[i];
        unsigned style = i + 1 == len ? AN_DOT_TARGET : AN_DOT_PLAIN;

        an_root_note(s, roots, v, note, sizeof(note));
        if (note[0] && style == AN_DOT_PLAIN) {
            style = AN_DOT_ROOT;
        }
        snprintf(extra, sizeof(extra), "retains %s%s%s",
                 an_format_size(dt->retained[v], r, sizeof(r)),
                 note[0] ? "\n" : "", note[0] ? note + 1 : "");
        snprintf(id, sizeof(id), "o%u", v);
        an_dot_object(&o, s, id, v, extra, style);
        if (i > 0) {
            dom_edge_label(s, chain[i - 1], v, label, sizeof(label));
            an_dot_edge(&o, prev, id, label[0] ? label
                                               : "(through other objects)",
                        label[0] ? 0 : AN_DOT_WEAK);
        }
        memcpy(prev, id, sizeof(prev));
    }
    an_dot_end(&o);
    return an_outfile_commit(&o) == 0 ? 0 : 1;
}

/* Lines shown at each end of a long chain */
#define DOM_ENDS 40

static void
dom_text(const an_snap *s, const an_roots *roots, const an_domtree *dt,
         const uint32_t *chain, uint32_t len)
{
    uint32_t target = chain[len - 1];
    an_table *t = an_table_new(3, "rrl");
    char r[32], sz[32], addr[32], note[160];

    printf("%s @%s", s->keys[an_snap_key_of(s, target)].display,
           an_address_text(s, target, addr, sizeof(addr)));
    if (an_bit(dt->unreachable, target)) {
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

        if (len > 2 * DOM_ENDS + 1 && i == DOM_ENDS) {
            char c[32];

            an_table_rowf(t, "\t\t%*s... (%s more) ...", DOM_ENDS, "",
                          an_format_count(len - 2 * DOM_ENDS, c, sizeof(c)));
            i = len - DOM_ENDS - 1;
            continue;
        }
        an_root_note(s, roots, v, note, sizeof(note));
        an_table_rowf(t, "%s\t%s\t%*s%s @%s%s%s",
                      an_format_size(dt->retained[v], r, sizeof(r)),
                      an_format_size(s->cols.size[v], sz, sizeof(sz)),
                      (int)(i < DOM_ENDS ? i : DOM_ENDS), "",
                      s->keys[an_snap_key_of(s, v)].display,
                      an_address_text(s, v, addr, sizeof(addr)), note,
                      i + 1 == len ? "  (this object)" : "");
    }
    an_table_print(t, stdout, "  ");
    an_table_free(t);
}

static int
dominators_run(int argc, char **argv)
{
    int partial = 0, json = 0, npos, status;
    const char *format_name = NULL, *msg;
    an_format format;
    const an_option opts[] = {
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of a truncated or damaged file"},
        {AN_OPT_STRING, 0, "format", &format_name, "FORMAT",
         "text (default), json or dot (Graphviz)"},
        {AN_OPT_FLAG, 0, "json", &json, NULL, "print JSON (spec/json.md)"},
        AN_OPT_END_ROW,
    };
    uint64_t address;
    an_snap s;
    an_roots roots;
    an_domtree dt;
    uint32_t target, len, *chain = NULL;

    memset(&roots, 0, sizeof(roots));
    memset(&dt, 0, sizeof(dt));
    if (!an_parse_options(argc, argv, &dominators_usage, opts, &npos,
                          &status)) {
        return status;
    }
    if (npos != 2) {
        return an_usage_error(&dominators_usage, opts,
                              "dominators needs SNAP and ADDRESS");
    }
    if (an_parse_address(argv[1], &address) != 0) {
        return an_usage_error(&dominators_usage, opts, "bad address '%s'",
                              argv[1]);
    }
    msg = an_choose_format(format_name, json, AN_FORMAT_BIT(AN_FORMAT_DOT),
                           &format);
    if (msg != NULL) {
        return an_usage_error(&dominators_usage, opts, "%s", msg);
    }
    status = an_open(&s, argv[0], partial);
    if (status != 0) {
        return status;
    }
    status = an_load(&s, MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_SIZE
                             | MF_COL_EDGES | MF_COL_EDGE_KIND
                             | (format == AN_FORMAT_DOT ? MF_COL_EDGE_LABEL
                                                        : 0));
    if (status != 0) {
        goto done;
    }
    status = AN_EXIT_INPUT;
    target = an_object_at(&s, address);
    if (target == MF_NONE) {
        goto done;
    }
    if (an_roots_of_snap(&roots, &s) != 0
        || an_dominators(&s.g, s.cols.size, roots.ordered, roots.n, &dt)
           != 0) {
        an_error("'%s': out of memory", s.path);
        goto done;
    }
    len = an_dom_chain(&dt, target, NULL, 0);
    chain = an_malloc((size_t)len * sizeof(uint32_t));
    if (chain == NULL) {
        goto done;
    }
    an_dom_chain(&dt, target, chain, len);
    if (format == AN_FORMAT_DOT) {
        int rc = dom_dot(&s, &roots, &dt, chain, len);

        if (rc != 0) {
            if (rc < 0) {
                an_error("out of memory");
            }
            status = AN_EXIT_INPUT;
            goto done;
        }
    }
    else if (format == AN_FORMAT_JSON) {
        dom_json(&s, &dt, chain, len);
    }
    else {
        dom_text(&s, &roots, &dt, chain, len);
    }
    status = AN_EXIT_OK;

done:
    free(chain);
    an_domtree_free(&dt);
    an_roots_free(&roots);
    an_snap_close(&s);
    return status;
}

const an_command cmd_dominators = {&dominators_usage, dominators_run};
