/*
 * test_dominators.c - CUnit tests of the dominator tree and retained
 * sizes against a brute-force oracle (remove a node, recount what the
 * roots still reach) on thousands of random graphs with cycles,
 * self-loops, multi-edges, weak edges and unreachable islands; hand-made
 * diamond, cycle and ladder graphs; and the graph shapes that make
 * careless algorithms quadratic (chains of a million, stars, complete
 * bipartite blocks), for dominators and for path grouping.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dominators.h"
#include "lib/graph.h"
#include "lib/shapes.h"
#include "lib/roots.h"
#include "egraph.h"
#include "unit.h"


/* ---- the oracle ------------------------------------------------------ */

static int
followed(const eg *x, uint64_t e)
{
    return !(x->ckind[e] & MF_EDGE_WEAK);
}

/* Mark in `seen` what `starts` reach through edges `ok` allows, never
 * entering `banned` (or MF_NONE). */
static void
reach(const eg *x, const unsigned char *is_start, uint32_t banned,
      const unsigned char *unreach, unsigned char *seen)
{
    uint32_t *queue = malloc(((size_t)x->n + 1) * sizeof(uint32_t));
    uint32_t head = 0, tail = 0;

    memset(seen, 0, x->n);
    for (uint32_t v = 0; v < x->n; v++) {
        if (is_start[v] && v != banned) {
            seen[v] = 1;
            queue[tail++] = v;
        }
    }
    while (head < tail) {
        uint32_t v = queue[head++];

        for (uint64_t e = x->start[v]; e < x->start[v + 1]; e++) {
            uint32_t t = x->target[e];

            if (!followed(x, e) || t == banned || seen[t]) {
                continue;
            }
            /* edges from the unreachable part into the reachable one are
             * not part of the graph the dominators are computed on */
            if (unreach != NULL && unreach[v] && !unreach[t]) {
                continue;
            }
            seen[t] = 1;
            queue[tail++] = t;
        }
    }
    free(queue);
}

typedef struct oracle {
    unsigned char *unreach;     /* reached by neither tier */
    unsigned char *is_start;    /* children of the super-root */
    unsigned char *dom;         /* dom[u * n + v]: u dominates v */
    uint64_t *retained;
    uint32_t *idom;
} oracle;

static void
oracle_run(const eg *x, const an_roots *roots, oracle *o)
{
    uint32_t n = x->n;
    unsigned char *tier1 = calloc((size_t)n + 1, 1);
    unsigned char *seen = calloc((size_t)n + 1, 1);
    unsigned char *referenced = calloc((size_t)n + 1, 1);
    uint32_t *ndom = calloc((size_t)n + 1, sizeof(uint32_t));

    o->unreach = calloc((size_t)n + 1, 1);
    o->is_start = calloc((size_t)n + 1, 1);
    o->dom = calloc((size_t)n * n + 1, 1);
    o->retained = calloc((size_t)n + 1, sizeof(uint64_t));
    o->idom = malloc(((size_t)n + 1) * sizeof(uint32_t));

    for (uint32_t i = 0; i < roots->n; i++) {
        tier1[roots->ordered[i].object] = 1;
    }
    reach(x, tier1, MF_NONE, NULL, seen);
    for (uint64_t e = 0; e < x->n_edges; e++) {
        if (followed(x, e)) {
            referenced[x->target[e]] = 1;
        }
    }
    for (uint32_t v = 0; v < n; v++) {
        o->is_start[v] = tier1[v] || (!seen[v] && !referenced[v]);
    }
    reach(x, o->is_start, MF_NONE, NULL, seen);
    for (uint32_t v = 0; v < n; v++) {
        o->unreach[v] = !seen[v];
    }
    /* islands: in index order, each object no earlier island start
     * reaches starts one */
    {
        unsigned char *island = calloc((size_t)n + 1, 1);
        unsigned char *one = calloc((size_t)n + 1, 1);
        unsigned char *got = calloc((size_t)n + 1, 1);

        for (uint32_t v = 0; v < n; v++) {
            if (!o->unreach[v] || got[v]) {
                continue;
            }
            o->is_start[v] = 1;
            memset(one, 0, n);
            one[v] = 1;
            reach(x, one, MF_NONE, o->unreach, island);
            for (uint32_t u = 0; u < n; u++) {
                got[u] |= island[u];
            }
        }
        free(island);
        free(one);
        free(got);
    }
    /* u dominates v when v is not reached without u */
    for (uint32_t u = 0; u < n; u++) {
        reach(x, o->is_start, u, o->unreach, seen);
        for (uint32_t v = 0; v < n; v++) {
            if (!seen[v]) {
                o->dom[(size_t)u * n + v] = 1;
                o->retained[u] += x->size[v];
                ndom[v]++;
            }
        }
    }
    /* the immediate dominator: the strict dominator with most dominators */
    for (uint32_t v = 0; v < n; v++) {
        uint32_t best = AN_DOM_SUPER, best_n = 0;

        for (uint32_t u = 0; u < n; u++) {
            if (u != v && o->dom[(size_t)u * n + v] && ndom[u] > best_n) {
                best = u;
                best_n = ndom[u];
            }
        }
        o->idom[v] = best;
    }
    free(tier1);
    free(seen);
    free(referenced);
    free(ndom);
}

static void
oracle_free(oracle *o)
{
    free(o->unreach);
    free(o->is_start);
    free(o->dom);
    free(o->retained);
    free(o->idom);
}

/* Check an_dominators() and friends on x against the oracle. */
static void
check_graph(eg *x, const an_roots *roots)
{
    an_domtree dt;
    oracle o;
    uint32_t n = x->n;
    uint64_t reach_size = 0, unreach_size = 0;

    CU_ASSERT_EQUAL_FATAL(an_dominators(&x->g, x->size, roots->ordered,
                                        roots->n, &dt), 0);
    oracle_run(x, roots, &o);
    for (uint32_t v = 0; v < n; v++) {
        CU_ASSERT_EQUAL(an_bit(dt.unreachable, v), o.unreach[v]);
        CU_ASSERT_EQUAL(dt.idom[v], o.idom[v]);
        CU_ASSERT_EQUAL(dt.retained[v], o.retained[v]);
        if (o.unreach[v]) {
            unreach_size += x->size[v];
        }
        else {
            reach_size += x->size[v];
        }
    }
    CU_ASSERT_EQUAL(dt.reachable_size, reach_size);
    CU_ASSERT_EQUAL(dt.unreachable_size, unreach_size);
    CU_ASSERT_EQUAL(dt.reachable_count + dt.unreachable_count, n);

    /* the chain is the idom sequence, outermost first */
    for (uint32_t v = 0; v < n; v++) {
        uint32_t chain[256], len = an_dom_chain(&dt, v, chain, 256);

        CU_ASSERT_FATAL(len >= 1 && len <= 256);
        CU_ASSERT_EQUAL(chain[len - 1], v);
        CU_ASSERT_EQUAL(dt.idom[chain[0]], AN_DOM_SUPER);
        for (uint32_t i = 1; i < len; i++) {
            CU_ASSERT_EQUAL(dt.idom[chain[i]], chain[i - 1]);
        }
    }

    /* outermost of a class: no strict dominator of the same class */
    {
        uint32_t n_types = 1 + eg_randn(4);
        uint32_t class_of[8];
        uint64_t *bits = an_bitmap_new(n);

        for (uint32_t t = 0; t < n_types; t++) {
            class_of[t] = eg_randn(3);
        }
        for (uint32_t v = 0; v < n; v++) {
            x->type[v] = eg_randn(n_types + 1);    /* n_types: unknown */
        }
        CU_ASSERT_EQUAL_FATAL(an_dom_outermost(&dt, x->type, class_of,
                                               n_types, 3, 4, bits), 0);
        for (uint32_t v = 0; v < n; v++) {
            uint32_t cv = x->type[v] < n_types ? class_of[x->type[v]] : 3;
            int outer = 1;

            for (uint32_t u = 0; u < n; u++) {
                uint32_t cu = x->type[u] < n_types ? class_of[x->type[u]]
                                                   : 3;

                if (u != v && o.dom[(size_t)u * n + v] && cu == cv) {
                    outer = 0;
                }
            }
            CU_ASSERT_EQUAL(an_bit(bits, v), outer);
        }
        free(bits);
    }

    /* outermost members of a set: no strict dominator in the set */
    {
        uint64_t *members = an_bitmap_new(n), *bits = an_bitmap_new(n);

        for (uint32_t v = 0; v < n; v++) {
            if (eg_randn(3) == 0) {
                an_set_bit(members, v);
            }
        }
        CU_ASSERT_EQUAL_FATAL(an_dom_outermost_of(&dt, members, bits), 0);
        for (uint32_t v = 0; v < n; v++) {
            int outer = an_bit(members, v);

            for (uint32_t u = 0; u < n && outer; u++) {
                if (u != v && o.dom[(size_t)u * n + v]
                    && an_bit(members, u)) {
                    outer = 0;
                }
            }
            CU_ASSERT_EQUAL(an_bit(bits, v), outer);
        }
        free(members);
        free(bits);
    }

    /* the top: reachable objects by retained desc, then index */
    {
        uint32_t top[16], cap = 1 + eg_randn(16), got;
        uint32_t prev = MF_NONE;

        got = an_dom_top(&dt, NULL, top, cap);
        for (uint32_t i = 0; i < got; i++) {
            uint32_t v = top[i];
            uint32_t better = 0;

            CU_ASSERT_FALSE(o.unreach[v]);
            for (uint32_t u = 0; u < n; u++) {
                if (!o.unreach[u]
                    && (o.retained[u] > o.retained[v]
                        || (o.retained[u] == o.retained[v] && u < v))) {
                    better++;
                }
            }
            CU_ASSERT_EQUAL(better, i);
            CU_ASSERT(prev == MF_NONE || prev != v);
            prev = v;
        }
        CU_ASSERT(got == cap || got == (uint32_t)dt.reachable_count);
    }
    oracle_free(&o);
    an_domtree_free(&dt);
}

/* Roots for x: `k` random objects with random kinds. */
static void
random_roots(const eg *x, uint32_t k, an_roots *r)
{
    mf_root rec[16];

    for (uint32_t i = 0; i < k && i < 16; i++) {
        rec[i].object = eg_randn(x->n);
        rec[i].kind = 1 + eg_randn(5);
        rec[i].label = MF_NONE;
    }
    CU_ASSERT_EQUAL_FATAL(an_roots_init(r, rec, k < 16 ? k : 16), 0);
}

static void
test_random_graphs(void)
{
    for (int round = 0; round < 3000; round++) {
        uint32_t n = 1 + eg_randn(round < 1500 ? 12 : 60);
        uint32_t m = eg_randn(3 * n + 1);
        eg x;
        an_roots roots;

        eg_init(&x, n);
        for (uint32_t i = 0; i < m; i++) {
            uint32_t a = eg_randn(n), b = eg_randn(n);
            uint8_t kind = eg_randn(6) == 0 ? MF_EDGE_REF | MF_EDGE_WEAK
                                        : MF_EDGE_REF;

            eg_add(&x, a, b, kind);
            if (eg_randn(10) == 0) {
                eg_add(&x, a, b, MF_EDGE_REF);      /* multi-edge */
            }
            if (eg_randn(15) == 0) {
                eg_add(&x, a, a, MF_EDGE_REF);      /* self-loop */
            }
        }
        eg_finish(&x);
        random_roots(&x, eg_randn(4), &roots);
        check_graph(&x, &roots);
        an_roots_free(&roots);
        eg_free(&x);
    }
}

/* Dangling targets (a hostile file) are ignored like missing edges. */
static void
test_dangling(void)
{
    eg x;
    an_roots roots;
    an_domtree dt;
    mf_root rec = {0, MF_ROOT_MODULE, MF_NONE};

    eg_init(&x, 3);
    eg_add(&x, 0, 1, MF_EDGE_REF);
    eg_add(&x, 1, 7, MF_EDGE_REF);
    eg_add(&x, 1, 2, MF_EDGE_REF);
    eg_add(&x, 2, 99, MF_EDGE_REF);
    eg_finish(&x);
    CU_ASSERT_EQUAL_FATAL(an_roots_init(&roots, &rec, 1), 0);
    CU_ASSERT_EQUAL_FATAL(an_dominators(&x.g, x.size, roots.ordered, 1,
                                        &dt), 0);
    CU_ASSERT_EQUAL(dt.idom[2], 1);
    CU_ASSERT_EQUAL(dt.retained[0], x.size[0] + x.size[1] + x.size[2]);
    an_domtree_free(&dt);
    an_roots_free(&roots);
    eg_free(&x);
}

/* Hand-made graphs with known trees. */
static void
test_hand_made(void)
{
    mf_root rec = {0, MF_ROOT_MODULE, MF_NONE};
    an_roots roots;
    an_domtree dt;
    eg x;

    CU_ASSERT_EQUAL_FATAL(an_roots_init(&roots, &rec, 1), 0);

    /* diamond: 0 -> 1, 0 -> 2, 1 -> 3, 2 -> 3 */
    eg_init(&x, 4);
    eg_add(&x, 0, 1, MF_EDGE_REF);
    eg_add(&x, 0, 2, MF_EDGE_REF);
    eg_add(&x, 1, 3, MF_EDGE_REF);
    eg_add(&x, 2, 3, MF_EDGE_REF);
    eg_finish(&x);
    CU_ASSERT_EQUAL_FATAL(an_dominators(&x.g, x.size, roots.ordered, 1,
                                        &dt), 0);
    CU_ASSERT_EQUAL(dt.idom[0], AN_DOM_SUPER);
    CU_ASSERT_EQUAL(dt.idom[1], 0);
    CU_ASSERT_EQUAL(dt.idom[2], 0);
    CU_ASSERT_EQUAL(dt.idom[3], 0);
    CU_ASSERT_EQUAL(dt.retained[1], x.size[1]);
    CU_ASSERT_EQUAL(dt.retained[0], 1 + 2 + 3 + 4);
    an_domtree_free(&dt);
    eg_free(&x);

    /* cycle hanging off the root: 0 -> 1 -> 2 -> 3 -> 1 */
    eg_init(&x, 4);
    eg_add(&x, 0, 1, MF_EDGE_REF);
    eg_add(&x, 1, 2, MF_EDGE_REF);
    eg_add(&x, 2, 3, MF_EDGE_REF);
    eg_add(&x, 3, 1, MF_EDGE_REF);
    eg_finish(&x);
    CU_ASSERT_EQUAL_FATAL(an_dominators(&x.g, x.size, roots.ordered, 1,
                                        &dt), 0);
    CU_ASSERT_EQUAL(dt.idom[2], 1);
    CU_ASSERT_EQUAL(dt.idom[3], 2);
    CU_ASSERT_EQUAL(dt.retained[1], 2 + 3 + 4);
    an_domtree_free(&dt);
    eg_free(&x);

    /* ladder: two rails 1..k and k+1..2k from the root, rungs across:
     * no rail node dominates another, the root dominates them all */
    {
        uint32_t k = 50;

        eg_init(&x, 2 * k + 1);
        eg_add(&x, 0, 1, MF_EDGE_REF);
        eg_add(&x, 0, k + 1, MF_EDGE_REF);
        for (uint32_t i = 1; i < k; i++) {
            eg_add(&x, i, i + 1, MF_EDGE_REF);
            eg_add(&x, k + i, k + i + 1, MF_EDGE_REF);
            eg_add(&x, i, k + i + 1, MF_EDGE_REF);
            eg_add(&x, k + i, i + 1, MF_EDGE_REF);
        }
        eg_finish(&x);
        CU_ASSERT_EQUAL_FATAL(an_dominators(&x.g, x.size, roots.ordered, 1,
                                            &dt), 0);
        for (uint32_t v = 1; v <= 2 * k; v++) {
            CU_ASSERT_EQUAL(dt.idom[v], 0);
            CU_ASSERT_EQUAL(dt.retained[v], x.size[v]);
        }
        an_domtree_free(&dt);
        eg_free(&x);
    }

    /* a weak edge does not keep alive: 0 -> 1 -> 2, 0 -w-> 2 */
    eg_init(&x, 3);
    eg_add(&x, 0, 1, MF_EDGE_REF);
    eg_add(&x, 1, 2, MF_EDGE_ATTR);
    eg_add(&x, 0, 2, MF_EDGE_REF | MF_EDGE_WEAK);
    eg_finish(&x);
    CU_ASSERT_EQUAL_FATAL(an_dominators(&x.g, x.size, roots.ordered, 1,
                                        &dt), 0);
    CU_ASSERT_EQUAL(dt.idom[2], 1);
    an_domtree_free(&dt);
    eg_free(&x);

    /* an island pointing into the heap does not change its dominators:
     * 0 -> 1 -> 2 ; 3 <-> 4 -> 2 (3, 4 a garbage cycle) */
    eg_init(&x, 5);
    eg_add(&x, 0, 1, MF_EDGE_REF);
    eg_add(&x, 1, 2, MF_EDGE_REF);
    eg_add(&x, 3, 4, MF_EDGE_REF);
    eg_add(&x, 4, 3, MF_EDGE_REF);
    eg_add(&x, 4, 2, MF_EDGE_REF);
    eg_finish(&x);
    CU_ASSERT_EQUAL_FATAL(an_dominators(&x.g, x.size, roots.ordered, 1,
                                        &dt), 0);
    CU_ASSERT_EQUAL(dt.idom[2], 1);
    CU_ASSERT_EQUAL(dt.idom[3], AN_DOM_SUPER);
    CU_ASSERT_EQUAL(dt.idom[4], 3);
    CU_ASSERT_TRUE(an_bit(dt.unreachable, 3));
    CU_ASSERT_TRUE(an_bit(dt.unreachable, 4));
    CU_ASSERT_FALSE(an_bit(dt.unreachable, 2));
    CU_ASSERT_EQUAL(dt.unreachable_count, 2);
    CU_ASSERT_EQUAL(dt.retained[3], x.size[3] + x.size[4]);
    an_domtree_free(&dt);
    eg_free(&x);
    an_roots_free(&roots);
}

/* ---- shapes that must stay linear ------------------------------------ */

#define BIG 1000000u

/* A chain 0 -> 1 -> ... -> BIG-1 of `.next` attributes (types
 * alternating when `alternate`), rooted at 0. */
static void
make_chain(eg *x, int alternate)
{
    eg_init(x, BIG);
    for (uint32_t v = 0; v + 1 < BIG; v++) {
        eg_add(x, v, v + 1, MF_EDGE_ATTR);
    }
    eg_finish(x);
    for (uint32_t v = 0; v < BIG; v++) {
        x->type[v] = alternate ? 1 + (v & 1) : 1;
        x->label[v] = 7;        /* the string id of "next" */
    }
}

static void
test_chain(void)
{
    mf_root rec = {0, MF_ROOT_MODULE, MF_NONE};
    an_roots roots;
    an_domtree dt;
    an_bfs_result bfs;
    an_groups gr;
    uint32_t *targets = malloc(BIG * sizeof(uint32_t));
    uint64_t total = 0;
    eg x;

    CU_ASSERT_EQUAL_FATAL(an_roots_init(&roots, &rec, 1), 0);
    for (uint32_t v = 0; v < BIG; v++) {
        targets[v] = v;
    }
    for (int alternate = 0; alternate <= 1; alternate++) {
        make_chain(&x, alternate);
        for (uint32_t v = 0; v < BIG; v++) {
            total += alternate ? 0 : x.size[v];
        }
        CU_ASSERT_EQUAL_FATAL(an_dominators(&x.g, x.size, roots.ordered, 1,
                                            &dt), 0);
        CU_ASSERT_EQUAL(dt.idom[0], AN_DOM_SUPER);
        CU_ASSERT_EQUAL(dt.idom[BIG - 1], BIG - 2);
        CU_ASSERT_EQUAL(dt.idom[BIG / 2], BIG / 2 - 1);
        CU_ASSERT_EQUAL(dt.retained[BIG - 1], x.size[BIG - 1]);
        if (!alternate) {
            CU_ASSERT_EQUAL(dt.retained[0], total);
        }
        an_domtree_free(&dt);

        CU_ASSERT_EQUAL_FATAL(an_bfs(&x.g, roots.ordered, 1, 0, &bfs), 0);
        CU_ASSERT_EQUAL_FATAL(an_group_paths(&x.g, &bfs, 0, &roots, targets,
                                             BIG, &gr), 0);
        if (!alternate) {
            /* the root, then every other node: `.next+` */
            CU_ASSERT_EQUAL(gr.n_groups, 2);
            CU_ASSERT_EQUAL(gr.groups[0].count, BIG - 1);
            CU_ASSERT_EQUAL(gr.groups[0].example, 1);
            CU_ASSERT_EQUAL(gr.groups[0].length, 2);
            CU_ASSERT_EQUAL(gr.group_of[BIG - 1], 0);
        }
        else {
            /* A B A B ...: the cycle `(.next .next)+` folds: the nodes
             * after it at an even index, those one step further, and
             * the first two */
            CU_ASSERT_EQUAL(gr.n_groups, 4);
            CU_ASSERT_EQUAL(gr.groups[0].count, (BIG - 2) / 2);
            CU_ASSERT_EQUAL(gr.groups[0].example, 2);
            CU_ASSERT_EQUAL(gr.groups[0].length, 3);
            CU_ASSERT_EQUAL(gr.groups[1].count, (BIG - 2) / 2);
            CU_ASSERT_EQUAL(gr.groups[1].example, 3);
            CU_ASSERT_EQUAL(gr.groups[1].length, 4);
            CU_ASSERT_EQUAL(gr.groups[2].example, 0);
            CU_ASSERT_EQUAL(gr.groups[3].example, 1);
            CU_ASSERT_EQUAL(gr.group_of[BIG - 1], 1);
            CU_ASSERT_EQUAL(gr.group_of[BIG - 2], 0);
        }
        {
            /* the last node's path, folded as its group's shape has it:
             * root (.next)+, or root (.next .next)+ .next */
            an_snap fake;
            an_pathbuf pb;
            uint32_t len;

            memset(&fake, 0, sizeof(fake));
            memset(&pb, 0, sizeof(pb));
            fake.g = x.g;
            len = an_path_find(&pb, &fake, &bfs, 0, &gr,
                               gr.groups[gr.group_of[BIG - 1]].shape,
                               BIG - 1);
            CU_ASSERT_EQUAL(len, BIG);
            CU_ASSERT_EQUAL_FATAL(pb.n_items, alternate ? 6 : 4);
            CU_ASSERT_EQUAL(pb.items[0].kind, AN_FOLD_STEP);
            CU_ASSERT_EQUAL(pb.items[0].step, 0);
            CU_ASSERT_EQUAL(pb.items[1].kind, AN_FOLD_OPEN);
            if (!alternate) {
                CU_ASSERT_EQUAL(pb.items[1].times, BIG - 1);
                CU_ASSERT_EQUAL(pb.items[2].step, BIG - 1);
                CU_ASSERT_EQUAL(pb.items[3].kind, AN_FOLD_CLOSE);
            }
            else {
                CU_ASSERT_EQUAL(pb.items[1].times, (BIG - 2) / 2);
                CU_ASSERT_EQUAL(pb.items[1].first, 1);
                CU_ASSERT_EQUAL(pb.items[1].last, BIG - 2);
                CU_ASSERT_EQUAL(pb.items[4].kind, AN_FOLD_CLOSE);
                CU_ASSERT_EQUAL(pb.items[5].kind, AN_FOLD_STEP);
                CU_ASSERT_EQUAL(pb.items[5].step, BIG - 1);
            }
            an_pathbuf_free(&pb);
        }
        an_groups_free(&gr);
        an_bfs_free(&bfs);
        eg_free(&x);
    }
    an_roots_free(&roots);
    free(targets);
}

/* A star: a list of BIG objects that all refer to one object X, so X
 * has BIG referrers; the list dominates every item and X. */
static void
test_star(void)
{
    mf_root rec = {0, MF_ROOT_MODULE, MF_NONE};
    uint32_t x_obj = BIG + 2;
    an_roots roots;
    an_domtree dt;
    an_bfs_result bfs;
    an_groups gr;
    uint32_t *targets = malloc(BIG * sizeof(uint32_t));
    eg x;

    eg_init(&x, BIG + 3);
    eg_add(&x, 0, 1, MF_EDGE_KEY_STR);
    for (uint32_t v = 2; v < BIG + 2; v++) {
        eg_add(&x, 1, v, MF_EDGE_INDEX);
    }
    for (uint32_t v = 2; v < BIG + 2; v++) {
        eg_add(&x, v, x_obj, MF_EDGE_ATTR);
    }
    eg_finish(&x);
    for (uint32_t v = 2; v < BIG + 2; v++) {
        x.type[v] = 5;
        x.label[x.start[1] + (v - 2)] = v - 2;
        targets[v - 2] = v;
    }
    CU_ASSERT_EQUAL_FATAL(an_roots_init(&roots, &rec, 1), 0);
    CU_ASSERT_EQUAL_FATAL(an_dominators(&x.g, x.size, roots.ordered, 1,
                                        &dt), 0);
    CU_ASSERT_EQUAL(dt.idom[x_obj], 1);
    CU_ASSERT_EQUAL(dt.idom[BIG], 1);
    CU_ASSERT_EQUAL(dt.retained[2], x.size[2]);
    an_domtree_free(&dt);
    CU_ASSERT_EQUAL_FATAL(an_bfs(&x.g, roots.ordered, 1, 0, &bfs), 0);
    CU_ASSERT_EQUAL_FATAL(an_group_paths(&x.g, &bfs, 0, &roots, targets,
                                         BIG, &gr), 0);
    CU_ASSERT_EQUAL(gr.n_groups, 1);            /* indices folded */
    CU_ASSERT_EQUAL(gr.groups[0].count, BIG);
    CU_ASSERT_EQUAL_FATAL(an_graph_reverse(&x.g), 0);
    CU_ASSERT_EQUAL(an_referrers(&x.g, x_obj, NULL, 0), BIG);
    {
        uint32_t first;

        CU_ASSERT_EQUAL(an_edges_between(&x.g, BIG / 2, x_obj, &first), 1);
        CU_ASSERT_EQUAL(x.g.edge_target[x.g.rev_edge[first]], x_obj);
        CU_ASSERT_EQUAL(an_edges_between(&x.g, 1, x_obj, &first), 0);
    }
    an_groups_free(&gr);
    an_bfs_free(&bfs);
    an_roots_free(&roots);
    an_graph_free_reverse(&x.g);
    eg_free(&x);
    free(targets);
}

/* A complete bipartite block: K left nodes each referring to all K right
 * nodes, the root to every left node; nothing but the root dominates. */
static void
test_bipartite(void)
{
    uint32_t k = 1000;
    mf_root rec = {0, MF_ROOT_MODULE, MF_NONE};
    an_roots roots;
    an_domtree dt;
    eg x;

    eg_init(&x, 2 * k + 1);
    for (uint32_t a = 1; a <= k; a++) {
        eg_add(&x, 0, a, MF_EDGE_INDEX);
        for (uint32_t b = k + 1; b <= 2 * k; b++) {
            eg_add(&x, a, b, MF_EDGE_ATTR);
        }
    }
    eg_finish(&x);
    CU_ASSERT_EQUAL_FATAL(an_roots_init(&roots, &rec, 1), 0);
    CU_ASSERT_EQUAL_FATAL(an_dominators(&x.g, x.size, roots.ordered, 1,
                                        &dt), 0);
    for (uint32_t v = 1; v <= 2 * k; v++) {
        CU_ASSERT_EQUAL(dt.idom[v], 0);
    }
    an_domtree_free(&dt);
    an_roots_free(&roots);
    eg_free(&x);
}

int
main(void)
{
    static const unit_test tests[] = {
        {"random graphs equal the brute-force oracle", test_random_graphs},
        {"dangling targets are ignored", test_dangling},
        {"diamond, cycle, ladder, weak, island", test_hand_made},
        {"chains of a million: dominators, path groups", test_chain},
        {"a star of a million", test_star},
        {"a complete bipartite block", test_bipartite},
        {NULL, NULL},
    };

    return unit_run("dominators", tests);
}
