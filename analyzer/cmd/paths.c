/*
 * cmd_paths.c - muppy-analyze paths: why an object is alive.
 *
 * One multi-source BFS from all roots gives every object the edge into it
 * on a shortest path; instance paths are then grouped by shape
 * (an_group_paths) and one example of each group is printed.  With --type
 * the dominator tree gives each group its retained size.
 */
#include <stdlib.h>
#include <string.h>

#include "base/number.h"
#include "lib/dominators.h"
#include "lib/shapes.h"
#include "render/dot.h"
#include "render/format.h"
#include "render/json.h"
#include "render/outfile.h"
#include "render/path.h"
#include "cli/commands.h"
#include "cli/message.h"
#include "cli/open.h"
#include "cli/options.h"

static const an_usage paths_usage = {
    "paths",
    "[--weak] [--max N] [--format text|json|dot] [--partial]\n"
    " [--json] SNAP ADDRESS\n"
    "--type NAME [--weak] [--fold-keys] [--no-retained] [--max N]\n"
    " [--format text|json|dot] [--partial] [--json] SNAP",
    "why an object is alive: paths from the roots",
    "Prints a shortest chain of references from a root (a module in\n"
    "sys.modules, a thread's frame, ... or an object nothing in the\n"
    "snapshot refers to) to the object at ADDRESS.  With --type, finds the\n"
    "paths of all instances of a type at once and groups them by shape\n"
    "(list indices and int keys folded to [*]; with --fold-keys str keys\n"
    "too; a run of identical steps, as along a linked list, as one step\n"
    "'+'), most common first, each group with the retained size of its\n"
    "instances.  Weak references are not followed unless --weak.\n"
    "--format dot prints a Graphviz graph of the path (with --type, one\n"
    "cluster per group showing the shape with its counts) for\n"
    "'dot -Tsvg'.",
    "  muppy-analyze paths app.snap 0x7f3a2c1b9e80\n"
    "  muppy-analyze paths --type LeakedSession app.snap\n"
    "  muppy-analyze paths --format dot app.snap 0x7f3a2c1b9e80 | dot -Tsvg",
};

typedef struct paths_ctx {
    an_snap s;
    an_roots roots;
    an_bfs_result bfs;
    an_groups groups;
    an_pathbuf pb;
    unsigned char *match;       /* per type key: matches --type */
    uint64_t *target_retained;  /* per target, with --type */
    uint64_t *group_retained;   /* per group, with --type */
    unsigned fold;
    const char *type_name;
    uint32_t *targets;
    uint64_t n_targets;
    char target_desc[512];
} paths_ctx;

/* The instances of --type, or the object at address, into c->targets.
 * Prints the error and returns the exit status, or 0. */
static int
paths_targets(paths_ctx *c, uint64_t address)
{
    an_snap *s = &c->s;
    unsigned char *match;

    if (c->type_name == NULL) {
        uint32_t t = an_object_at(s, address);

        if (t == MF_NONE) {
            return AN_EXIT_INPUT;
        }
        c->targets = an_malloc(sizeof(uint32_t));
        if (c->targets == NULL) {
            return AN_EXIT_INPUT;
        }
        c->targets[0] = t;
        c->n_targets = 1;
        snprintf(c->target_desc, sizeof(c->target_desc), "%s @0x%llx",
                 s->keys[an_snap_key_of(s, t)].display,
                 (unsigned long long)address);
        return 0;
    }
    match = c->match = an_calloc((size_t)s->n_keys + 1, 1);
    if (match == NULL) {
        return AN_EXIT_INPUT;
    }
    if (an_snap_match_type(s, c->type_name, match) == 0) {
        an_error("'%s': no type named '%s'", s->path, c->type_name);
        return AN_EXIT_INPUT;
    }
    for (uint32_t i = 0; i < s->cols.n_objects; i++) {
        c->n_targets += match[an_snap_key_of(s, i)];
    }
    c->targets = an_malloc((size_t)(c->n_targets ? c->n_targets : 1)
                           * sizeof(uint32_t));
    if (c->targets == NULL) {
        return AN_EXIT_INPUT;
    }
    c->n_targets = 0;
    for (uint32_t i = 0; i < s->cols.n_objects; i++) {
        if (match[an_snap_key_of(s, i)]) {
            c->targets[c->n_targets++] = i;
        }
    }
    snprintf(c->target_desc, sizeof(c->target_desc), "%s", c->type_name);
    return 0;
}

/*
 * The retained size of each target that no other target dominates (so
 * that nested instances count once), 0 for the others; computed before
 * the BFS, and the dominator tree freed at once, to keep the peak low.
 */
static int
paths_retained(paths_ctx *c)
{
    an_snap *s = &c->s;
    an_domtree dt;
    uint64_t *outer = NULL;
    uint32_t *class_of = NULL;      /* per type id: 0 = a target type */
    int rc = -1;

    c->target_retained = calloc((size_t)c->n_targets + 1, sizeof(uint64_t));
    if (c->target_retained == NULL
        || an_dominators(&s->g, s->cols.size, c->roots.ordered, c->roots.n,
                         &dt) != 0) {
        return -1;
    }
    outer = an_bitmap_new(s->g.n);
    class_of = malloc(((size_t)s->n_types + 1) * sizeof(uint32_t));
    if (outer == NULL || class_of == NULL) {
        goto done;
    }
    for (uint32_t t = 0; t < s->n_types; t++) {
        class_of[t] = c->match[s->type_key[t]] ? 0 : 1;
    }
    if (an_dom_outermost(&dt, s->cols.type, class_of, s->n_types,
                         c->match[s->n_keys] ? 0 : 1, 2, outer) != 0) {
        goto done;
    }
    for (uint64_t i = 0; i < c->n_targets; i++) {
        uint32_t obj = c->targets[i];

        if (an_bit(outer, obj)) {
            c->target_retained[i] = dt.retained[obj];
        }
    }
    rc = 0;

done:
    free(outer);
    free(class_of);
    an_domtree_free(&dt);
    return rc;
}

/* Per group, the sum of its targets' retained sizes. */
static int
paths_group_retained(paths_ctx *c)
{
    c->group_retained = calloc((size_t)c->groups.n_groups + 1,
                               sizeof(uint64_t));
    if (c->group_retained == NULL) {
        return -1;
    }
    for (uint64_t i = 0; i < c->n_targets; i++) {
        uint32_t g = c->groups.group_of[i];

        if (g != MF_NONE) {
            c->group_retained[g] += c->target_retained[i];
        }
    }
    return 0;
}

static int
paths_json(paths_ctx *c, uint64_t max_groups, int weak)
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
        an_json_objref(&j, &c->s, c->targets[0]);
    }
    an_json_end_object(&j);
    an_json_key(&j, "instances");
    an_json_u64(&j, c->n_targets);
    an_json_key(&j, "unreachable");
    an_json_u64(&j, c->groups.unreachable);
    an_json_key(&j, "weak");
    an_json_bool(&j, weak);
    an_json_key(&j, "fold_keys");
    an_json_bool(&j, (c->fold & AN_FOLD_STR_KEYS) != 0);
    an_json_key(&j, "groups");
    an_json_u64(&j, c->groups.n_groups);
    an_json_key(&j, "paths");
    an_json_array(&j);
    for (uint32_t g = 0; g < c->groups.n_groups && g < max_groups; g++) {
        const an_group *gr = &c->groups.groups[g];

        if (an_path_find(&c->pb, &c->s, &c->bfs, c->fold, &c->groups,
                         gr->shape, gr->example) == UINT32_MAX) {
            return -1;
        }
        an_json_object(&j);
        an_json_key(&j, "count");
        an_json_u64(&j, gr->count);
        if (c->group_retained != NULL) {
            an_json_key(&j, "retained");
            an_json_u64(&j, c->group_retained[g]);
        }
        an_json_key(&j, "length");
        an_json_u64(&j, c->pb.len);
        an_json_key(&j, "steps");
        an_json_path_steps(&j, &c->s, &c->roots, &c->pb);
        an_json_end_object(&j);
    }
    an_json_end_array(&j);
    an_json_end_object(&j);
    an_json_finish(&j);
    return 0;
}

static int
paths_text(paths_ctx *c, uint64_t max_groups, int weak)
{
    const an_groups *gs = &c->groups;
    char c1[32], c2[32], r1[48];

    if (c->n_targets == 0) {
        printf("no instance of %s in the snapshot\n", c->target_desc);
    }
    for (uint32_t g = 0; g < gs->n_groups && g < max_groups; g++) {
        const an_group *gr = &gs->groups[g];
        uint32_t len = an_path_find(&c->pb, &c->s, &c->bfs, c->fold, gs,
                                    gr->shape, gr->example);

        if (len == UINT32_MAX) {
            return -1;
        }
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
                   c->target_desc, r1, len - 1, len == 2 ? "" : "s");
        }
        else {
            printf("%s is held through this path (%u step%s):\n",
                   c->target_desc, len - 1, len == 2 ? "" : "s");
        }
        an_print_path(stdout, &c->s, &c->roots, &c->pb);
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
               c->target_desc, weak ? "" : " by strong references",
               weak ? "" : ", or through weak references",
               (unsigned long long)
               c->s.cols.address[gs->unreachable_example]);
    }
    return 0;
}

/* One path (the example of group g) as DOT nodes and edges: one node per
 * run of identical steps, a loop on a step the shape repeats. */
static void
paths_dot_path(paths_ctx *c, an_outfile *o, uint32_t g)
{
    const an_pathbuf *pb = &c->pb;
    char id[48], prev[48], label[200], extra[256], loop[240], n1[32];

    for (uint32_t j = 0; j < pb->n_runs; j++) {
        const an_run *run = &pb->runs[j];
        uint32_t obj = pb->objs[run->last];
        unsigned style = AN_DOT_PLAIN;

        snprintf(id, sizeof(id), "g%u_%u", g, j);
        extra[0] = '\0';
        if (j == 0) {
            an_root_text(&c->s, an_roots_find(&c->roots, obj), obj, extra,
                         sizeof(extra));
            style = AN_DOT_ROOT;
        }
        else if (run->count > 1) {
            snprintf(extra, sizeof(extra), "(x%s on this path)",
                     an_format_count(run->count, n1, sizeof(n1)));
        }
        if (j + 1 == pb->n_runs && j > 0) {
            style = AN_DOT_TARGET;
        }
        an_dot_object(o, &c->s, id, obj, extra, style);
        if (j == 0) {
            memcpy(prev, id, sizeof(prev));
            continue;
        }
        an_path_run_label(&c->s, pb, j, label, sizeof(label));
        {
            uint32_t e = c->bfs.via[obj];

            /* a group's shape: indices and int keys (and str keys with
             * --fold-keys) stand for any */
            if (c->type_name != NULL && c->s.g.edge_kind != NULL
                && an_edge_folded(c->s.g.edge_kind[e], c->fold)) {
                snprintf(label, sizeof(label), "[*]");
            }
            unsigned es = c->s.g.edge_kind
                          && (c->s.g.edge_kind[e] & MF_EDGE_WEAK)
                          ? AN_DOT_WEAK : 0;

            an_dot_edge(o, prev, id, label, es);
            if (run->count > 1 || run->repeats) {
                snprintf(loop, sizeof(loop), "%s+", label);
                an_dot_edge(o, id, id, loop, es | AN_DOT_LOOP);
            }
        }
        memcpy(prev, id, sizeof(prev));
    }
}

static int
paths_dot(paths_ctx *c, uint64_t max_groups)
{
    const an_groups *gs = &c->groups;
    an_outfile o;
    char title[700], c1[32], c2[32], r1[32];
    int status = an_outfile_open(&o, "-");

    if (status != 0) {
        return -1;
    }
    if (c->type_name != NULL) {
        snprintf(title, sizeof(title), "paths to the %s instances of %s "
                 "(%u shape%s)", an_format_count(c->n_targets, c1,
                                                 sizeof(c1)),
                 c->target_desc, gs->n_groups, gs->n_groups == 1 ? "" : "s");
    }
    else {
        snprintf(title, sizeof(title), "why %s is alive", c->target_desc);
    }
    an_dot_begin(&o, title);
    for (uint32_t g = 0; g < gs->n_groups && g < max_groups; g++) {
        const an_group *gr = &gs->groups[g];
        char name[32];

        if (an_path_find(&c->pb, &c->s, &c->bfs, c->fold, gs, gr->shape,
                         gr->example) == UINT32_MAX) {
            an_outfile_abort(&o);
            return -1;
        }
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
            an_dot_begin_cluster(&o, name, title);
        }
        paths_dot_path(c, &o, g);
        if (c->type_name != NULL) {
            an_dot_end_cluster(&o);
        }
    }
    if (gs->n_groups > max_groups || gs->unreachable > 0) {
        snprintf(title, sizeof(title), "%llu more shapes (--max); %s "
                 "unreachable", (unsigned long long)(gs->n_groups > max_groups
                                                     ? gs->n_groups
                                                       - max_groups : 0),
                 an_format_count(gs->unreachable, c1, sizeof(c1)));
        an_dot_node(&o, "more", title, AN_DOT_NOTE);
    }
    an_dot_end(&o);
    return an_outfile_commit(&o) == 0 ? 0 : 1;
}

static int
paths_run(int argc, char **argv)
{
    int partial = 0, json = 0, weak = 0, fold_keys = 0, no_retained = 0;
    uint64_t max_groups = 10;
    const char *format_name = NULL, *msg;
    an_format format;
    paths_ctx c;
    const an_option opts[] = {
        {AN_OPT_STRING, 't', "type", &c.type_name, "NAME",
         "all instances of type NAME (qualname or module.qualname)"},
        {AN_OPT_FLAG, 0, "weak", &weak, NULL, "follow weak references too"},
        {AN_OPT_FLAG, 0, "no-retained", &no_retained, NULL,
         "with --type, skip the retained sizes (faster, less memory)"},
        {AN_OPT_FLAG, 0, "fold-keys", &fold_keys, NULL,
         "group paths through different str dict keys too"},
        {AN_OPT_UINT, 0, "max", &max_groups, "N",
         "show at most N path groups (default 10)"},
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of a truncated or damaged file"},
        {AN_OPT_STRING, 0, "format", &format_name, "FORMAT",
         "text (default), json or dot (Graphviz)"},
        {AN_OPT_FLAG, 0, "json", &json, NULL, "print JSON (spec/json.md)"},
        AN_OPT_END_ROW,
    };
    int npos, status, rc;
    uint64_t address = 0;

    memset(&c, 0, sizeof(c));
    if (!an_parse_options(argc, argv, &paths_usage, opts, &npos, &status)) {
        return status;
    }
    if (c.type_name != NULL ? npos != 1 : npos != 2) {
        return an_usage_error(&paths_usage, opts,
                              c.type_name ? "paths --type needs one SNAP"
                                          : "paths needs SNAP and ADDRESS "
                                            "(or --type NAME)");
    }
    if (c.type_name == NULL && an_parse_address(argv[1], &address) != 0) {
        return an_usage_error(&paths_usage, opts, "bad address '%s'",
                              argv[1]);
    }
    msg = an_choose_format(format_name, json, AN_FORMAT_BIT(AN_FORMAT_DOT),
                           &format);
    if (msg != NULL) {
        return an_usage_error(&paths_usage, opts, "%s", msg);
    }
    c.fold = fold_keys ? AN_FOLD_STR_KEYS : 0;

    status = an_open(&c.s, argv[0], partial);
    if (status != 0) {
        return status;
    }
    status = an_load(&c.s, MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_EDGES
                               | MF_COL_EDGE_KIND | MF_COL_EDGE_LABEL
                               | ((c.type_name && !no_retained)
                                  || format == AN_FORMAT_DOT
                                  ? MF_COL_SIZE : 0));
    if (status != 0) {
        goto done;
    }
    status = paths_targets(&c, address);
    if (status != 0) {
        goto done;
    }
    status = AN_EXIT_INPUT;
    if (an_roots_of_snap(&c.roots, &c.s) != 0
        || (c.type_name != NULL && !no_retained && paths_retained(&c) != 0)
        || an_bfs(&c.s.g, c.roots.ordered, c.roots.n,
                  weak ? AN_FOLLOW_WEAK : 0, &c.bfs) != 0
        || an_group_paths(&c.s.g, &c.bfs, c.fold, &c.roots, c.targets,
                          c.n_targets, &c.groups) != 0
        || (c.target_retained != NULL && paths_group_retained(&c) != 0)) {
        an_error("'%s': out of memory", c.s.path);
        goto done;
    }
    rc = format == AN_FORMAT_DOT ? paths_dot(&c, max_groups)
         : format == AN_FORMAT_JSON ? paths_json(&c, max_groups, weak)
         : paths_text(&c, max_groups, weak);
    if (rc != 0) {
        if (rc < 0) {
            an_error("out of memory");
        }
        goto done;
    }
    status = AN_EXIT_OK;

done:
    an_pathbuf_free(&c.pb);
    an_groups_free(&c.groups);
    an_bfs_free(&c.bfs);
    an_roots_free(&c.roots);
    free(c.group_retained);
    free(c.target_retained);
    free(c.match);
    free(c.targets);
    an_snap_close(&c.s);
    return status;
}

const an_command cmd_paths = {&paths_usage, paths_run};
