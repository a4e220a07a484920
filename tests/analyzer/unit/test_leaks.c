/*
 * test_leaks.c - the leak finder (leaks.h) against a naive reading of
 * its definition, on random series of three snapshots of one process:
 *
 *   candidates  objects of FINAL whose identity (address, type name) is
 *               in TARGET and not in BASE;
 *   dominated   candidates with a strict dominator that is a candidate
 *               (the dominator tree is dominators.h's, tested against
 *               brute force in test_dominators);
 *   weak        the other candidates with a weak edge to a candidate;
 *   clusters    the rest, grouped by path shape: every one in exactly
 *               one cluster or unreachable, counts, sizes and retained
 *               sizes adding up, ranked by retained size, then count.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dominators.h"
#include "lib/leaks.h"
#include "lib/roots.h"
#include "lib/snap.h"
#include "theap.h"
#include "unit.h"

static int
has_identity(const theap *h, uint64_t address, const th_type *t)
{
    for (uint32_t i = 0; i < h->n; i++) {
        const th_type *u = &h->types[h->objs[i].type];

        if (h->objs[i].address == address && strcmp(u->module, t->module) == 0
            && strcmp(u->qualname, t->qualname) == 0) {
            return 1;
        }
    }
    return 0;
}

/* What the random series exercised, over all rounds. */
static uint64_t seen_dominated, seen_weak, seen_unreachable, seen_clusters;

#define IDS (MF_COL_ADDRESS | MF_COL_TYPE)
#define ALL_COLUMNS (MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_SIZE        \
                     | MF_COL_EDGES | MF_COL_EDGE_KIND | MF_COL_EDGE_LABEL)

static void
check_leaks(const theap *base, const theap *target, const theap *final,
            unsigned fold)
{
    an_snap sb, st, sf;
    an_leaks lk;
    an_roots roots;
    an_domtree dt;
    uint64_t *cand, n_cand = 0, n_dominated = 0, n_weak = 0;
    uint64_t n_out = 0, out_size = 0, out_retained = 0;
    uint64_t sum_count = 0, sum_size = 0, sum_retained = 0;

    memset(&lk, 0, sizeof(lk));
    CU_ASSERT_EQUAL_FATAL(th_open(base, &sb, IDS), 0);
    CU_ASSERT_EQUAL_FATAL(an_leaks_base(&lk, &sb), 0);
    an_snap_close(&sb);
    CU_ASSERT_EQUAL_FATAL(th_open(target, &st, IDS), 0);
    CU_ASSERT_EQUAL_FATAL(an_leaks_target(&lk, &st), 0);
    an_snap_close(&st);
    CU_ASSERT_EQUAL_FATAL(th_open(final, &sf, ALL_COLUMNS), 0);
    CU_ASSERT_EQUAL_FATAL(an_roots_of_snap(&roots, &sf), 0);
    CU_ASSERT_EQUAL_FATAL(an_leaks_final(&lk, &sf, fold), 0);

    /* the naive candidates */
    cand = an_bitmap_new(final->n);
    for (uint32_t i = 0; i < final->n; i++) {
        const th_object *o = &final->objs[i];
        const th_type *t = &final->types[o->type];

        if (has_identity(target, o->address, t)
            && !has_identity(base, o->address, t)) {
            an_set_bit(cand, i);
            n_cand++;
        }
    }
    CU_ASSERT_EQUAL(lk.candidates, n_cand);

    CU_ASSERT_EQUAL_FATAL(an_dominators(&sf.g, sf.cols.size, roots.ordered,
                                        roots.n, &dt), 0);
    for (uint32_t i = 0; i < final->n; i++) {
        int dominated = 0, weak = 0;

        if (!an_bit(cand, i)) {
            continue;
        }
        for (uint32_t d = dt.idom[i]; d != AN_DOM_SUPER; d = dt.idom[d]) {
            dominated |= an_bit(cand, d);
        }
        if (dominated) {
            n_dominated++;
            continue;
        }
        for (uint32_t k = 0; k < final->objs[i].n_edges; k++) {
            const th_edge *e = &final->objs[i].edges[k];

            weak |= (e->kind & MF_EDGE_WEAK) && e->target != i
                    && an_bit(cand, e->target);
        }
        if (weak) {
            n_weak++;
            continue;
        }
        if (!an_bit(dt.unreachable, i)) {
            n_out++;
            out_size += final->objs[i].size;
            out_retained += dt.retained[i];
        }
    }
    CU_ASSERT_EQUAL(lk.dominated, n_dominated);
    CU_ASSERT_EQUAL(lk.weak, n_weak);
    CU_ASSERT_EQUAL(lk.candidates - lk.dominated - lk.weak
                    - lk.unreachable, n_out);
    for (uint32_t c = 0; c < lk.n_clusters; c++) {
        const an_leak_cluster *cl = &lk.clusters[c];

        CU_ASSERT(cl->count > 0);
        CU_ASSERT(cl->example < final->n && an_bit(cand, cl->example));
        sum_count += cl->count;
        sum_size += cl->size;
        sum_retained += cl->retained;
        if (c > 0) {
            const an_leak_cluster *p = &lk.clusters[c - 1];

            CU_ASSERT(p->retained > cl->retained
                      || (p->retained == cl->retained
                          && (p->count > cl->count
                              || (p->count == cl->count
                                  && p->example < cl->example))));
        }
    }
    seen_dominated += n_dominated;
    seen_weak += n_weak;
    seen_unreachable += lk.unreachable;
    seen_clusters += lk.n_clusters > 1;
    CU_ASSERT_EQUAL(sum_count, n_out);
    CU_ASSERT_EQUAL(sum_size, out_size);
    CU_ASSERT_EQUAL(sum_retained, out_retained);

    free(cand);
    an_domtree_free(&dt);
    an_leaks_free(&lk);
    an_roots_free(&roots);
    an_snap_close(&sf);
}

static void
test_leaks_naive(void)
{
    for (int round = 0; round < 30; round++) {
        theap b, t, f;

        th_random(&b, 30 + th_randn(400), 2, 11);
        th_evolve(&t, &b, th_randn(30), 20 + th_randn(200));
        th_evolve(&f, &t, th_randn(30), th_randn(100));
        check_leaks(&b, &t, &f, round % 2 ? AN_FOLD_STR_KEYS : 0);
        th_free(&b);
        th_free(&t);
        th_free(&f);
    }
    /* the series met every case at least once */
    CU_ASSERT(seen_dominated > 0);
    CU_ASSERT(seen_weak > 0);
    CU_ASSERT(seen_unreachable > 0);
    CU_ASSERT(seen_clusters > 0);
}

/* A hand-made series: sessions leaked through a list, a weak reference
 * to one of them (leaked too), a session's payload dominated by it, a
 * transient object freed again. */
static void
test_leaks_hand(void)
{
    theap b, t, f;
    uint32_t mod, lst, s1, s2, p1, wr;

    th_init(&b, 5);
    mod = th_add(&b, 0x1000, 0, 100);           /* dict */
    lst = th_add(&b, 0x1040, 1, 64);            /* list */
    th_edge_add(&b, mod, lst, MF_EDGE_KEY_STR, 2);
    b.roots = calloc(1, sizeof(mf_root));
    b.roots[0] = (mf_root){mod, MF_ROOT_MODULE, MF_NONE};
    b.n_roots = 1;

    th_init(&t, 5);
    memcpy(t.types, b.types, sizeof(t.types));
    mod = th_add(&t, 0x1000, 0, 100);
    lst = th_add(&t, 0x1040, 1, 64);
    s1 = th_add(&t, 0x2000, 5, 56);             /* app.Session */
    s2 = th_add(&t, 0x2040, 5, 56);
    p1 = th_add(&t, 0x2080, 2, 300);            /* its str payload */
    th_add(&t, 0x3000, 3, 40);                  /* transient tuple */
    wr = th_add(&t, 0x2100, 9, 72);             /* a weakref to s2 */
    th_edge_add(&t, mod, lst, MF_EDGE_KEY_STR, 2);
    th_edge_add(&t, lst, s1, MF_EDGE_INDEX, 0);
    th_edge_add(&t, lst, s2, MF_EDGE_INDEX, 1);
    th_edge_add(&t, s1, p1, MF_EDGE_ATTR, 1);
    th_edge_add(&t, mod, wr, MF_EDGE_KEY_STR, 3);
    th_edge_add(&t, wr, s2, MF_EDGE_REF | MF_EDGE_WEAK, 0);
    t.roots = calloc(1, sizeof(mf_root));
    t.roots[0] = (mf_root){mod, MF_ROOT_MODULE, MF_NONE};
    t.n_roots = 1;

    th_init(&f, 5);
    memcpy(f.types, b.types, sizeof(f.types));
    mod = th_add(&f, 0x1000, 0, 100);
    lst = th_add(&f, 0x1040, 1, 64);
    s1 = th_add(&f, 0x2000, 5, 56);
    s2 = th_add(&f, 0x2040, 5, 56);
    p1 = th_add(&f, 0x2080, 2, 300);
    wr = th_add(&f, 0x2100, 9, 72);
    th_edge_add(&f, mod, lst, MF_EDGE_KEY_STR, 2);
    th_edge_add(&f, lst, s1, MF_EDGE_INDEX, 0);
    th_edge_add(&f, lst, s2, MF_EDGE_INDEX, 1);
    th_edge_add(&f, s1, p1, MF_EDGE_ATTR, 1);
    th_edge_add(&f, mod, wr, MF_EDGE_KEY_STR, 3);
    th_edge_add(&f, wr, s2, MF_EDGE_REF | MF_EDGE_WEAK, 0);
    f.roots = calloc(1, sizeof(mf_root));
    f.roots[0] = (mf_root){mod, MF_ROOT_MODULE, MF_NONE};
    f.n_roots = 1;

    check_leaks(&b, &t, &f, 0);
    {
        /* and the figures themselves */
        an_snap sb, st, sf;
        an_leaks lk;
        an_roots roots;

        memset(&lk, 0, sizeof(lk));
        CU_ASSERT_EQUAL_FATAL(th_open(&b, &sb, IDS), 0);
        CU_ASSERT_EQUAL_FATAL(an_leaks_base(&lk, &sb), 0);
        an_snap_close(&sb);
        CU_ASSERT_EQUAL_FATAL(th_open(&t, &st, IDS), 0);
        CU_ASSERT_EQUAL_FATAL(an_leaks_target(&lk, &st), 0);
        an_snap_close(&st);
        CU_ASSERT_EQUAL_FATAL(th_open(&f, &sf, ALL_COLUMNS), 0);
        CU_ASSERT_EQUAL_FATAL(an_roots_of_snap(&roots, &sf), 0);
        CU_ASSERT_EQUAL_FATAL(an_leaks_final(&lk, &sf, 0), 0);
        CU_ASSERT_EQUAL(lk.fresh_count, 5);     /* s1 s2 p1 tuple wr */
        CU_ASSERT_EQUAL(lk.candidates, 4);      /* s1 s2 p1 wr */
        CU_ASSERT_EQUAL(lk.dominated, 1);       /* p1, by s1 */
        CU_ASSERT_EQUAL(lk.weak, 1);            /* wr, weakly to s2 */
        CU_ASSERT_EQUAL(lk.n_clusters, 1);      /* list[*] -> Session */
        if (lk.n_clusters == 1) {
            CU_ASSERT_EQUAL(lk.clusters[0].count, 2);
            CU_ASSERT_EQUAL(lk.clusters[0].size, 112);
            CU_ASSERT_EQUAL(lk.clusters[0].retained, 56 + 300 + 56);
            CU_ASSERT_EQUAL(lk.clusters[0].example, s1);
        }
        an_leaks_free(&lk);
        an_roots_free(&roots);
        an_snap_close(&sf);
    }
    th_free(&b);
    th_free(&t);
    th_free(&f);
}

int
main(void)
{
    static const unit_test tests[] = {
        {"a leak, a payload, a weak reference", test_leaks_hand},
        {"leaks equal a naive reading", test_leaks_naive},
        {NULL, NULL},
    };

    return unit_run("leaks", tests);
}
