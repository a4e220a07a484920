/*
 * test_shapes.c - paths grouped by shape (lib/shapes.h) against a naive
 * grouping by the shape's text (cycles folded on strings) on random
 * graphs; which edge kinds are folded, for every kind byte; paths found,
 * folded and written as text on hand-made heaps (a chain, a tree).
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sbuf.h"
#include "lib/bfs.h"
#include "lib/roots.h"
#include "lib/shapes.h"
#include "lib/snap.h"
#include "rgraph.h"
#include "theap.h"
#include "unit.h"

/* The spec's folded kinds (spec/analyzer.md, "Paths"): list and tuple
 * indices and int dict keys, and with --fold-keys str dict keys. */
static int
naive_folded(unsigned kind, unsigned fold)
{
    switch (kind & 0x7f) {
    case 0x61:      /* MF_EDGE_INDEX */
    case 0x63:      /* MF_EDGE_KEY_INT */
        return 1;
    case 0x42:      /* MF_EDGE_KEY_STR */
        return (fold & AN_FOLD_STR_KEYS) != 0;
    default:
        return 0;
    }
}

static void
test_edge_folded(void)
{
    for (unsigned kind = 0; kind < 256; kind++) {
        CU_ASSERT_EQUAL(an_edge_folded((uint8_t)kind, 0),
                        naive_folded(kind, 0));
        CU_ASSERT_EQUAL(an_edge_folded((uint8_t)kind, AN_FOLD_STR_KEYS),
                        naive_folded(kind, AN_FOLD_STR_KEYS));
    }
}

/*
 * A naive fold (fold.h's rule on strings): after each step, with the
 * shortest cycles first, "(X)+ X" becomes "(X)+" and "X X" becomes
 * "(X)+", until neither applies.  Tokens are strings; a repeat's token
 * is "(" its body ")+".
 */
#define NT_MAX 600
#define NT_LEN 1024

typedef struct ntoks {
    char tok[NT_MAX][NT_LEN];
    uint32_t n;
} ntoks;

static void
nt_join(const ntoks *t, uint32_t from, uint32_t to, char *out, size_t cap)
{
    size_t o = 0;

    out[0] = '\0';
    for (uint32_t k = from; k < to && o < cap; k++) {
        o += (size_t)snprintf(out + o, cap - o, "%s%s", k > from ? " " : "",
                              t->tok[k]);
    }
}

static void
nt_append(ntoks *t, const char *step)
{
    char body[NT_LEN], rep[NT_LEN + 4];     /* "(" body ")+" */

    CU_ASSERT_FATAL(t->n < NT_MAX);
    snprintf(t->tok[t->n++], NT_LEN, "%s", step);
    for (;;) {
        int changed = 0;

        for (uint32_t p = 1; p <= 8 && !changed; p++) {
            uint32_t d = t->n;

            if (d >= p + 1) {
                nt_join(t, d - p, d, body, sizeof(body));
                snprintf(rep, sizeof(rep), "(%s)+", body);
                if (strcmp(t->tok[d - p - 1], rep) == 0) {
                    t->n -= p;
                    changed = 1;
                    break;
                }
            }
            if (d >= 2 * p) {
                char first[NT_LEN];

                nt_join(t, d - 2 * p, d - p, first, sizeof(first));
                nt_join(t, d - p, d, body, sizeof(body));
                if (strcmp(first, body) == 0) {
                    t->n -= 2 * p;
                    snprintf(t->tok[t->n++], NT_LEN, "(%.*s)+",
                             NT_LEN - 4, body);
                    changed = 1;
                }
            }
        }
        if (!changed) {
            return;
        }
    }
}

/* The shape with every repeat "(X)+" written as one X: equal for the
 * paths a group may join (one X, or (X)+, after the same prefix). */
static void
nt_flat(const char *shape, char *out, size_t cap)
{
    size_t o = 0;

    for (const char *c = shape; *c && o + 1 < cap; c++) {
        if (*c == '(' || (*c == ')' && c[1] == '+')) {
            if (*c == ')') {
                c++;
            }
            continue;
        }
        out[o++] = *c;
    }
    out[o] = '\0';
}

/* Naive shape string of the path to v, its cycles folded. */
static void
naive_shape(const rgraph *t, const an_bfs_result *r, const an_root_ref *roots,
            uint32_t n_roots, uint32_t v, unsigned flags, unsigned fold,
            char *buf, size_t cap)
{
    static ntoks nt;
    uint32_t path[512];
    uint32_t len = an_path(&t->g, r, v, path, 512);
    uint32_t kind = MF_ROOT_UNREFERENCED, label = MF_NONE;
    char step[64];

    CU_ASSERT_FATAL(len > 0 && len <= 512);
    for (uint32_t i = 0; i < n_roots; i++) {
        if (roots[i].object == path[0]) {
            kind = roots[i].kind;
            label = roots[i].label;
            break;
        }
    }
    nt.n = 0;
    snprintf(step, sizeof(step), "R%u/%u/%u", kind, label,
             t->type[path[0]]);
    nt_append(&nt, step);
    for (uint32_t k = 1; k < len; k++) {
        uint64_t e = rg_first_edge(t, path[k - 1], path[k], flags);
        unsigned ek;

        CU_ASSERT_FATAL(e != UINT64_MAX);
        ek = t->kind[e];
        if (naive_folded(ek, fold)) {
            snprintf(step, sizeof(step), "%u:*/%u", ek, t->type[path[k]]);
        }
        else {
            snprintf(step, sizeof(step), "%u:%llu/%u", ek,
                     (unsigned long long)t->label[e], t->type[path[k]]);
        }
        nt_append(&nt, step);
    }
    nt_join(&nt, 0, nt.n, buf, cap);
}

/* Shapes with a repeat, over all rounds: the folding was exercised. */
static uint64_t seen_folded;

static void
test_group_paths_naive(void)
{
    for (int round = 0; round < 40; round++) {
        rgraph t;
        an_bfs_result r;
        an_groups g1, g2;
        an_roots roots;
        uint32_t *targets;
        uint64_t nt = 0, sum = 0, unreach = 0;
        unsigned flags = round & 1 ? AN_FOLLOW_WEAK : 0;
        unsigned fold = round & 2 ? AN_FOLD_STR_KEYS : 0;
        char (*shapes)[2048];
        uint64_t folded = 0;

        rg_make(&t, 1 + rg_randn(300), 1 + rg_randn(2), 3, 1 + rg_randn(3));
        /* the "roots" array in file order, unsorted */
        targets = malloc(t.g.n * sizeof(uint32_t));
        for (uint32_t v = 0; v < t.g.n; v++) {
            if (t.type[v] == 1) {
                targets[nt++] = v;
            }
        }
        CU_ASSERT_EQUAL_FATAL(rg_roots(&t, &roots), 0);
        CU_ASSERT_EQUAL_FATAL(an_bfs(&t.g, roots.ordered, roots.n, flags,
                                     &r), 0);
        CU_ASSERT_EQUAL_FATAL(an_group_paths(&t.g, &r, fold, &roots,
                                             targets, nt, &g1), 0);
        CU_ASSERT_EQUAL_FATAL(an_group_paths(&t.g, &r, fold, &roots,
                                             targets, nt, &g2), 0);
        /* stable: same input, same output */
        CU_ASSERT_EQUAL(g1.n_groups, g2.n_groups);
        for (uint32_t gi = 0; gi < g1.n_groups && gi < g2.n_groups; gi++) {
            CU_ASSERT_EQUAL(g1.groups[gi].shape, g2.groups[gi].shape);
            CU_ASSERT_EQUAL(g1.groups[gi].count, g2.groups[gi].count);
            CU_ASSERT_EQUAL(g1.groups[gi].example, g2.groups[gi].example);
            CU_ASSERT_EQUAL(g1.groups[gi].length, g2.groups[gi].length);
        }
        /* naive: group by the shape string */
        shapes = malloc((nt + 1) * sizeof(*shapes));
        for (uint64_t i = 0; i < nt; i++) {
            if (r.via[targets[i]] == AN_UNREACHED) {
                shapes[i][0] = '\0';
                unreach++;
                continue;
            }
            /* first root record of the object gives kind and label */
            naive_shape(&t, &r, roots.ordered, roots.n, targets[i], flags,
                        fold, shapes[i], sizeof(shapes[i]));
        }
        CU_ASSERT_EQUAL(g1.unreachable, unreach);
        for (uint32_t gi = 0; gi < g1.n_groups; gi++) {
            const an_group *gr = &g1.groups[gi];
            char ex[2048], flat_ex[2048], flat[2048];
            uint64_t cnt = 0;
            uint32_t lowest = UINT32_MAX;

            naive_shape(&t, &r, roots.ordered, roots.n, gr->example, flags,
                        fold, ex, sizeof(ex));
            nt_flat(ex, flat_ex, sizeof(flat_ex));
            for (uint64_t i = 0; i < nt; i++) {
                if (!shapes[i][0]) {
                    CU_ASSERT_EQUAL(g1.group_of[i], MF_NONE);
                    continue;
                }
                /* the same folded shape: the same group */
                if (strcmp(shapes[i], ex) == 0) {
                    CU_ASSERT_EQUAL(g1.group_of[i], gi);
                }
                if (g1.group_of[i] != gi) {
                    continue;
                }
                /* a group joins one X with (X)+ only */
                nt_flat(shapes[i], flat, sizeof(flat));
                CU_ASSERT_STRING_EQUAL(flat, flat_ex);
                cnt++;
                if (targets[i] < lowest) {
                    lowest = targets[i];
                }
            }
            CU_ASSERT_EQUAL(an_path(&t.g, &r, gr->example, NULL, 0),
                            gr->length);
            CU_ASSERT_EQUAL(cnt, gr->count);
            CU_ASSERT_EQUAL(lowest, gr->example);
            if (gi > 0) {
                CU_ASSERT(g1.groups[gi - 1].count >= gr->count);
            }
            sum += gr->count;
        }
        CU_ASSERT_EQUAL(sum + unreach, nt);
        for (uint64_t i = 0; i < nt; i++) {
            folded += strstr(shapes[i], ")+") != NULL;
        }
        seen_folded += folded;
        free(shapes);
        an_groups_free(&g1);
        an_groups_free(&g2);
        an_bfs_free(&r);
        an_roots_free(&roots);
        free(targets);
        rg_free(&t);
    }
    CU_ASSERT(seen_folded > 0);
}

/*
 * A module dict (root) -> "items" -> a list -> [0] -> a Node -> .next ->
 * Node -> .next -> Node (the target): the runs are the root, items, [0],
 * .next twice; its text names each step once.
 */
static void
test_path_text(void)
{
    theap h;
    an_snap s;
    an_roots roots;
    an_bfs_result bfs;
    an_pathbuf pb;
    an_sbuf text;
    uint32_t mod, lst, n1, n2, n3, i1, i2, len;
    char label[64];

    th_init(&h, 7);
    mod = th_add(&h, 0x1000, 0, 100);           /* dict */
    lst = th_add(&h, 0x1040, 1, 64);            /* list */
    n1 = th_add(&h, 0x2000, 7, 48);             /* a.Node */
    n2 = th_add(&h, 0x2040, 7, 48);
    n3 = th_add(&h, 0x2080, 7, 48);
    th_edge_add(&h, mod, lst, MF_EDGE_KEY_STR, 1);      /* ['items'] */
    th_edge_add(&h, lst, n1, MF_EDGE_INDEX, 0);
    th_edge_add(&h, n1, n2, MF_EDGE_ATTR, 0);           /* .next */
    th_edge_add(&h, n2, n3, MF_EDGE_ATTR, 0);
    th_edge_add(&h, n3, n1, MF_EDGE_ATTR, 5);           /* .parent */
    i1 = th_add(&h, 0x3000, 3, 40);             /* an island: a cycle */
    i2 = th_add(&h, 0x3040, 3, 40);
    th_edge_add(&h, i1, i2, MF_EDGE_INDEX, 0);
    th_edge_add(&h, i2, i1, MF_EDGE_INDEX, 0);
    h.roots = calloc(1, sizeof(mf_root));
    h.roots[0] = (mf_root){mod, MF_ROOT_MODULE, MF_NONE};
    h.n_roots = 1;
    CU_ASSERT_EQUAL_FATAL(th_open(&h, &s, MF_COL_ALL), 0);
    CU_ASSERT_EQUAL_FATAL(an_roots_of_snap(&roots, &s), AN_OK);
    CU_ASSERT_EQUAL_FATAL(an_bfs(&s.g, roots.ordered, roots.n, 0, &bfs),
                          AN_OK);

    memset(&pb, 0, sizeof(pb));
    len = an_path_find(&pb, &s, &bfs, 0, NULL, 0, n3);
    CU_ASSERT_EQUAL_FATAL(len, 5);
    CU_ASSERT(pb.objs[0] == mod && pb.objs[1] == lst && pb.objs[2] == n1
              && pb.objs[3] == n2 && pb.objs[4] == n3);
    /* root | ['items'] | [0] | (.next)+ twice */
    CU_ASSERT_EQUAL_FATAL(pb.n_items, 6);
    CU_ASSERT_EQUAL(pb.items[3].kind, AN_FOLD_OPEN);
    CU_ASSERT_EQUAL(pb.items[3].times, 2);
    CU_ASSERT_EQUAL(pb.items[4].step, 4);
    CU_ASSERT_EQUAL(pb.items[5].kind, AN_FOLD_CLOSE);
    an_path_item_label(&s, &pb, &pb.items[4], 2, label, sizeof(label));
    CU_ASSERT_STRING_EQUAL(label, ".next");
    an_path_item_label(&s, &pb, &pb.items[1], 0, label, sizeof(label));
    CU_ASSERT_STRING_EQUAL(label, "['items']");
    an_path_item_label(&s, &pb, &pb.items[2], 0, label, sizeof(label));
    CU_ASSERT_STRING_EQUAL(label, "[0]");

    memset(&text, 0, sizeof(text));
    an_path_text(&text, &s, &roots, &pb);
    /* a module root without its name; the run of two .next once, with
     * its count */
    CU_ASSERT_STRING_EQUAL(an_sbuf_str(&text),
                           "sys.modules[?] ['items'] [0] .next+ (2 times)"
                           " -> a.Node @0x2080");
    an_sbuf_free(&text);

    /* a root's path is itself; an island has none */
    CU_ASSERT_EQUAL(an_path_find(&pb, &s, &bfs, 0, NULL, 0, mod), 1);
    CU_ASSERT_EQUAL(an_path_find(&pb, &s, &bfs, 0, NULL, 0, i1), 0);
    CU_ASSERT_EQUAL(an_path_find(&pb, &s, &bfs, 0, NULL, 0, i2), 0);
    an_pathbuf_free(&pb);
    an_bfs_free(&bfs);
    an_roots_free(&roots);
    an_snap_close(&s);
    th_free(&h);
}

/*
 * A tree: a module dict (root) -> ['cache'] -> a Node -> .items -> a
 * list -> [0] -> a Node -> .items -> list -> [1] -> ...: the Nodes below
 * the first are one group, `['cache'] (.items [i])+`, the first level
 * included; the paths print the cycle once.
 */
static void
test_cycle_text(void)
{
    theap h;
    an_snap s;
    an_roots roots;
    an_bfs_result bfs;
    an_groups gr;
    an_pathbuf pb;
    an_sbuf text;
    uint32_t mod, node[4], lst[3], targets[4];

    th_init(&h, 7);
    mod = th_add(&h, 0x1000, 0, 100);           /* dict */
    for (uint32_t k = 0; k < 4; k++) {
        node[k] = th_add(&h, 0x2000 + 0x40 * k, 7, 48);     /* a.Node */
        targets[k] = node[k];
    }
    for (uint32_t k = 0; k < 3; k++) {
        lst[k] = th_add(&h, 0x3000 + 0x40 * k, 1, 64);      /* list */
    }
    th_edge_add(&h, mod, node[0], MF_EDGE_KEY_STR, 2);      /* ['cache'] */
    for (uint32_t k = 0; k < 3; k++) {
        th_edge_add(&h, node[k], lst[k], MF_EDGE_ATTR, 1);  /* .items */
        th_edge_add(&h, lst[k], node[k + 1], MF_EDGE_INDEX, k % 2);
    }
    h.roots = calloc(1, sizeof(mf_root));
    h.roots[0] = (mf_root){mod, MF_ROOT_MODULE, MF_NONE};
    h.n_roots = 1;
    CU_ASSERT_EQUAL_FATAL(th_open(&h, &s, MF_COL_ALL), 0);
    CU_ASSERT_EQUAL_FATAL(an_roots_of_snap(&roots, &s), AN_OK);
    CU_ASSERT_EQUAL_FATAL(an_bfs(&s.g, roots.ordered, roots.n, 0, &bfs),
                          AN_OK);
    CU_ASSERT_EQUAL_FATAL(an_group_paths(&s.g, &bfs, 0, &roots, targets, 4,
                                         &gr), AN_OK);
    /* the three below the first, then the first */
    CU_ASSERT_EQUAL_FATAL(gr.n_groups, 2);
    CU_ASSERT_EQUAL(gr.groups[0].count, 3);
    CU_ASSERT_EQUAL(gr.groups[0].example, node[1]);
    CU_ASSERT_EQUAL(gr.groups[1].count, 1);
    CU_ASSERT_EQUAL(gr.group_of[0], 1);
    CU_ASSERT(gr.group_of[1] == 0 && gr.group_of[2] == 0
              && gr.group_of[3] == 0);

    /* the example has the cycle once: the group's shape repeats it */
    memset(&pb, 0, sizeof(pb));
    memset(&text, 0, sizeof(text));
    CU_ASSERT_EQUAL(an_path_find(&pb, &s, &bfs, 0, &gr, gr.groups[0].shape,
                                 node[1]), 4);
    an_path_text(&text, &s, &roots, &pb);
    CU_ASSERT_STRING_EQUAL(an_sbuf_str(&text),
                           "sys.modules[?] ['cache'] (.items [i])+"
                           " -> a.Node @0x2040");
    an_sbuf_free(&text);
    /* the deepest: three times */
    memset(&text, 0, sizeof(text));
    CU_ASSERT_EQUAL(an_path_find(&pb, &s, &bfs, 0, &gr, gr.groups[0].shape,
                                 node[3]), 8);
    an_path_text(&text, &s, &roots, &pb);
    CU_ASSERT_STRING_EQUAL(an_sbuf_str(&text),
                           "sys.modules[?] ['cache'] (.items [i])+"
                           " (3 times) -> a.Node @0x20c0");
    an_sbuf_free(&text);
    /* alone, the first level folds nothing */
    memset(&text, 0, sizeof(text));
    CU_ASSERT_EQUAL(an_path_find(&pb, &s, &bfs, 0, NULL, 0, node[1]), 4);
    an_path_text(&text, &s, &roots, &pb);
    CU_ASSERT_STRING_EQUAL(an_sbuf_str(&text),
                           "sys.modules[?] ['cache'] .items [0]"
                           " -> a.Node @0x2040");
    an_sbuf_free(&text);
    an_pathbuf_free(&pb);
    an_groups_free(&gr);
    an_bfs_free(&bfs);
    an_roots_free(&roots);
    an_snap_close(&s);
    th_free(&h);
}

int
main(void)
{
    static const unit_test tests[] = {
        {"folded edge kinds", test_edge_folded},
        {"path groups equal naive grouping", test_group_paths_naive},
        {"a path, its folds and its text", test_path_text},
        {"a cycle of two steps folds, the first level with it",
         test_cycle_text},
        {NULL, NULL},
    };

    return unit_run("shapes", tests);
}
