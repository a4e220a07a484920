/*
 * cmd_paths.c - muppy-analyze paths: why an object is alive.
 *
 * One multi-source BFS from all roots gives every object the edge into it
 * on a shortest path; instance paths are then grouped by shape
 * (an_group_paths) and one example of each group is printed.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "commands.h"
#include "graph.h"
#include "json.h"
#include "options.h"
#include "util.h"

static const an_usage paths_usage = {
    "paths",
    "[--weak] [--max N] [--partial] [--json] SNAP\n"
    " ADDRESS\n"
    "--type NAME [--weak] [--fold-keys] [--max N]\n"
    " [--partial] [--json] SNAP",
    "why an object is alive: paths from the roots",
    "Prints a shortest chain of references from a root (a module in\n"
    "sys.modules, a thread's frame, ... or an object nothing in the\n"
    "snapshot refers to) to the object at ADDRESS.  With --type, finds the\n"
    "paths of all instances of a type at once and groups them by shape\n"
    "(list indices and int keys folded to [*]; with --fold-keys str keys\n"
    "too), most common first.\n"
    "Weak references are not followed unless --weak.",
    "  muppy-analyze paths app.snap 0x7f3a2c1b9e80\n"
    "  muppy-analyze paths --type LeakedSession app.snap",
};

#define PATHS_LABEL 160

/* Text of the root step of a path into buf. */
static void
paths_root_text(const an_snap *s, const an_root_ref *rr, uint32_t obj,
                char *buf, size_t cap)
{
    size_t len = 0;
    const char *label = NULL;
    uint32_t kind = rr ? rr->kind : MF_ROOT_UNREFERENCED;

    if (rr && rr->label != MF_NONE) {
        label = mf_reader_string(s->reader, rr->label, &len);
    }
    if (len > 100) {
        len = 100;
    }
    switch (kind) {
    case MF_ROOT_MODULE:
        if (label) {
            snprintf(buf, cap, "sys.modules['%.*s']", (int)len, label);
        }
        else {
            snprintf(buf, cap, "sys.modules[?]");
        }
        return;
    case MF_ROOT_SYS_MODULES:
        snprintf(buf, cap, "sys.modules");
        return;
    case MF_ROOT_BUILTINS:
        snprintf(buf, cap, "builtins");
        return;
    case MF_ROOT_GC_GARBAGE:
        snprintf(buf, cap, "gc.garbage");
        return;
    case MF_ROOT_UNREFERENCED:
        snprintf(buf, cap, "<unreferenced %s @0x%llx>",
                 s->keys[an_snap_key_of(s, obj)].display,
                 (unsigned long long)s->cols.address[obj]);
        return;
    default:
        if (label && strncmp(label, an_root_kind_name(kind),
                             strlen(an_root_kind_name(kind))) == 0) {
            /* thread roots are labeled "thread <id> <func>() ..." */
            snprintf(buf, cap, "<%.*s>", (int)len, label);
        }
        else if (label) {
            snprintf(buf, cap, "<%s %.*s>", an_root_kind_name(kind),
                     (int)len, label);
        }
        else {
            snprintf(buf, cap, "<%s root>", an_root_kind_name(kind));
        }
        return;
    }
}

/* Label of the edge into path[k] (k >= 1), "" when unlabeled. */
static void
paths_step_label(const an_snap *s, const an_bfs_result *bfs,
                 const uint32_t *path, uint32_t k, char *buf, size_t cap)
{
    buf[0] = '\0';
    an_snap_edge_label(s, bfs->via[path[k]], buf, cap);
}

static void
paths_print_text(const an_snap *s, const an_root_ref *by_obj,
                 uint32_t n_roots, const uint32_t *path, uint32_t len,
                 const an_bfs_result *bfs)
{
    char buf[PATHS_LABEL];
    uint32_t last = path[len - 1];

    paths_root_text(s, an_root_of(by_obj, n_roots, path[0]), path[0], buf,
                    sizeof(buf));
    fputs("  ", stdout);
    fputs(buf, stdout);
    for (uint32_t k = 1; k < len; k++) {
        paths_step_label(s, bfs, path, k, buf, sizeof(buf));
        if (buf[0]) {
            printf(" %s", buf);
        }
        else if (k + 1 < len) {
            /* an unlabeled reference: name what it leads to */
            printf(" -> <%s>", s->keys[an_snap_key_of(s, path[k])].display);
        }
    }
    printf(" -> %s @0x%llx\n", s->keys[an_snap_key_of(s, last)].display,
           (unsigned long long)s->cols.address[last]);
}

/* The path of group gr's example instance into *path (grown to fit);
 * its length, or UINT32_MAX when out of memory (reported). */
static uint32_t
paths_example(const an_snap *s, const an_bfs_result *bfs,
              const an_group *gr, uint32_t **path)
{
    uint32_t *grown = realloc(*path, ((size_t)gr->length + 1)
                                         * sizeof(uint32_t));

    if (grown == NULL) {
        an_error("out of memory");
        return UINT32_MAX;
    }
    *path = grown;
    return an_path(&s->g, bfs, gr->example, grown, gr->length);
}

static void
paths_json_steps(an_json *j, const an_snap *s, const an_root_ref *by_obj,
                 uint32_t n_roots, const uint32_t *path, uint32_t len,
                 const an_bfs_result *bfs)
{
    char buf[PATHS_LABEL], addr[32];

    an_json_key(j, "steps");
    an_json_array(j);
    for (uint32_t k = 0; k < len; k++) {
        const an_key *key = &s->keys[an_snap_key_of(s, path[k])];

        an_json_object(j);
        if (k == 0) {
            const an_root_ref *rr = an_root_of(by_obj, n_roots, path[0]);

            paths_root_text(s, rr, path[0], buf, sizeof(buf));
            an_json_key(j, "root");
            an_json_str(j, an_root_kind_name(rr ? rr->kind
                                                : MF_ROOT_UNREFERENCED));
        }
        else {
            paths_step_label(s, bfs, path, k, buf, sizeof(buf));
        }
        an_json_key(j, "label");
        an_json_str(j, buf);
        an_json_key(j, "type");
        an_json_str(j, key->qualname);
        an_json_key(j, "module");
        an_json_str(j, key->module);
        snprintf(addr, sizeof(addr), "0x%llx",
                 (unsigned long long)s->cols.address[path[k]]);
        an_json_key(j, "address");
        an_json_str(j, addr);
        an_json_end_object(j);
    }
    an_json_end_array(j);
}

int
cmd_paths(int argc, char **argv)
{
    int partial = 0, json = 0, weak = 0, fold_keys = 0;
    const char *type_name = NULL;
    uint64_t max_groups = 10;
    const an_option opts[] = {
        {AN_OPT_STRING, 't', "type", &type_name, "NAME",
         "all instances of type NAME (qualname or module.qualname)"},
        {AN_OPT_FLAG, 0, "weak", &weak, NULL, "follow weak references too"},
        {AN_OPT_FLAG, 0, "fold-keys", &fold_keys, NULL,
         "group paths through different str dict keys too"},
        {AN_OPT_UINT, 0, "max", &max_groups, "N",
         "show at most N path groups (default 10)"},
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of a truncated or damaged file"},
        {AN_OPT_FLAG, 0, "json", &json, NULL, "print JSON (spec/json.md)"},
        AN_OPT_END_ROW,
    };
    int npos, status;
    an_snap s;
    uint64_t address = 0;
    uint32_t n_roots = 0, *targets = NULL, *path = NULL;
    uint64_t n_targets = 0;
    const mf_root *mroots;
    an_root_ref *roots = NULL, *by_obj = NULL;
    an_bfs_result bfs;
    an_groups groups;
    unsigned char *match = NULL;
    unsigned flags;
    char target_desc[512];

    memset(&bfs, 0, sizeof(bfs));
    memset(&groups, 0, sizeof(groups));
    if (!an_parse_options(argc, argv, &paths_usage, opts, &npos, &status)) {
        return status;
    }
    if (type_name != NULL ? npos != 1 : npos != 2) {
        return an_usage_error(&paths_usage, opts,
                              type_name ? "paths --type needs one SNAP"
                                        : "paths needs SNAP and ADDRESS "
                                          "(or --type NAME)");
    }
    if (type_name == NULL && an_parse_address(argv[1], &address) != 0) {
        return an_usage_error(&paths_usage, opts, "bad address '%s'",
                              argv[1]);
    }
    flags = weak ? AN_BFS_WEAK : 0;

    status = an_snap_open(&s, argv[0], partial);
    if (status != 0) {
        return status;
    }
    status = an_snap_load(&s, MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_EDGES
                                  | MF_COL_EDGE_KIND | MF_COL_EDGE_LABEL);
    if (status != 0) {
        goto done;
    }
    an_snap_warn_partial(&s);
    status = AN_EXIT_INPUT;

    /* the targets */
    if (type_name != NULL) {
        match = an_calloc((size_t)s.n_keys + 1, 1);
        if (match == NULL) {
            goto done;
        }
        if (an_snap_match_type(&s, type_name, match) == 0) {
            an_error("'%s': no type named '%s'", s.path, type_name);
            goto done;
        }
        for (uint32_t i = 0; i < s.cols.n_objects; i++) {
            n_targets += match[an_snap_key_of(&s, i)];
        }
        targets = an_malloc((size_t)(n_targets ? n_targets : 1)
                            * sizeof(uint32_t));
        if (targets == NULL) {
            goto done;
        }
        n_targets = 0;
        for (uint32_t i = 0; i < s.cols.n_objects; i++) {
            if (match[an_snap_key_of(&s, i)]) {
                targets[n_targets++] = i;
            }
        }
        snprintf(target_desc, sizeof(target_desc), "%s", type_name);
    }
    else {
        uint32_t t = an_snap_find_address(&s, address);

        if (t == MF_NONE) {
            an_error("'%s': no object at address 0x%llx", s.path,
                     (unsigned long long)address);
            goto done;
        }
        targets = an_malloc(sizeof(uint32_t));
        if (targets == NULL) {
            goto done;
        }
        targets[0] = t;
        n_targets = 1;
        snprintf(target_desc, sizeof(target_desc), "%s @0x%llx",
                 s.keys[an_snap_key_of(&s, t)].display,
                 (unsigned long long)address);
    }

    /* the roots, in priority order, and a copy sorted by object */
    mroots = mf_reader_roots(s.reader, &n_roots);
    roots = an_malloc((size_t)(n_roots ? n_roots : 1) * sizeof(*roots));
    by_obj = an_malloc((size_t)(n_roots ? n_roots : 1) * sizeof(*by_obj));
    if (roots == NULL || by_obj == NULL) {
        goto done;
    }
    for (uint32_t i = 0; i < n_roots; i++) {
        roots[i].object = mroots[i].object;
        roots[i].kind = mroots[i].kind;
        roots[i].label = mroots[i].label;
    }
    an_sort_roots(roots, n_roots);
    memcpy(by_obj, roots, (size_t)n_roots * sizeof(*roots));
    an_sort_roots_by_object(by_obj, n_roots);

    if (an_bfs(&s.g, roots, n_roots, flags, &bfs) != 0
        || an_group_paths(&s.g, &bfs, fold_keys ? AN_FOLD_STR_KEYS : 0,
                          roots, n_roots, targets, n_targets,
                          &groups) != 0) {
        an_error("'%s': out of memory", s.path);
        goto done;
    }

    if (json) {
        an_json j;
        char addr[32];

        an_json_init(&j, stdout);
        an_json_object(&j);
        an_json_key(&j, "target");
        an_json_object(&j);
        if (type_name != NULL) {
            an_json_key(&j, "type");
            an_json_str(&j, type_name);
        }
        else {
            const an_key *k = &s.keys[an_snap_key_of(&s, targets[0])];

            snprintf(addr, sizeof(addr), "0x%llx",
                     (unsigned long long)address);
            an_json_key(&j, "address");
            an_json_str(&j, addr);
            an_json_key(&j, "type");
            an_json_str(&j, k->qualname);
            an_json_key(&j, "module");
            an_json_str(&j, k->module);
        }
        an_json_end_object(&j);
        an_json_key(&j, "instances");
        an_json_u64(&j, n_targets);
        an_json_key(&j, "unreachable");
        an_json_u64(&j, groups.unreachable);
        an_json_key(&j, "weak");
        an_json_bool(&j, weak);
        an_json_key(&j, "fold_keys");
        an_json_bool(&j, fold_keys);
        an_json_key(&j, "groups");
        an_json_u64(&j, groups.n_groups);
        an_json_key(&j, "paths");
        an_json_array(&j);
        for (uint32_t g = 0; g < groups.n_groups && g < max_groups; g++) {
            const an_group *gr = &groups.groups[g];
            uint32_t len;

            len = paths_example(&s, &bfs, gr, &path);
            if (len == UINT32_MAX) {
                goto done;
            }
            an_json_object(&j);
            an_json_key(&j, "count");
            an_json_u64(&j, gr->count);
            an_json_key(&j, "length");
            an_json_u64(&j, len);
            paths_json_steps(&j, &s, by_obj, n_roots, path, len, &bfs);
            an_json_end_object(&j);
        }
        an_json_end_array(&j);
        an_json_end_object(&j);
        an_json_finish(&j);
    }
    else {
        char c1[32], c2[32];

        if (n_targets == 0) {
            printf("no instance of %s in the snapshot\n", target_desc);
        }
        for (uint32_t g = 0; g < groups.n_groups && g < max_groups; g++) {
            const an_group *gr = &groups.groups[g];
            uint32_t len;

            len = paths_example(&s, &bfs, gr, &path);
            if (len == UINT32_MAX) {
                goto done;
            }
            if (type_name != NULL) {
                printf("%s%s of %s %s held through this path (%u step%s):\n",
                       g ? "\n" : "",
                       an_format_count(gr->count, c1, sizeof(c1)),
                       an_format_count(n_targets, c2, sizeof(c2)),
                       target_desc, len - 1, len == 2 ? "" : "s");
            }
            else {
                printf("%s is held through this path (%u step%s):\n",
                       target_desc, len - 1, len == 2 ? "" : "s");
            }
            paths_print_text(&s, by_obj, n_roots, path, len, &bfs);
        }
        if (groups.n_groups > max_groups) {
            printf("\n... and %llu more path shapes (--max to see them)\n",
                   (unsigned long long)(groups.n_groups - max_groups));
        }
        if (groups.unreachable > 0) {
            printf("%s%s of %s %s reachable from no root%s (only from "
                   "reference cycles nothing else refers to%s), e.g. "
                   "@0x%llx\n",
                   groups.n_groups ? "\n" : "",
                   an_format_count(groups.unreachable, c1, sizeof(c1)),
                   an_format_count(n_targets, c2, sizeof(c2)), target_desc,
                   weak ? "" : " by strong references",
                   weak ? "" : ", or through weak references",
                   (unsigned long long)
                   s.cols.address[groups.unreachable_example]);
        }
    }
    status = AN_EXIT_OK;

done:
    an_groups_free(&groups);
    an_bfs_free(&bfs);
    free(path);
    free(match);
    free(targets);
    free(roots);
    free(by_obj);
    an_snap_close(&s);
    return status;
}
