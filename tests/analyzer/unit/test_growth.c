/*
 * test_growth.c - the accumulation points (lib/growth.h) and the
 * identities that feed them (lib/objset.h, as leaks.h and diff.h use
 * them).
 *
 * growth: thousands of random graphs (cycles, multi-edges, self-loops,
 * weak edges, unreachable islands, random old and gained objects) against
 * an oracle that applies the definitions of growth.h naively (dominator
 * chains climbed one by one, holders found by scanning every edge, groups
 * joined by repeated passes); hand-made heaps for each rule (a signal's
 * three dicts, a new Logger's handlers, a shared int, weak references, a
 * linked list, a tree, one object retaining much); and the shapes that
 * would make a careless pass quadratic (chains of millions, stars, dense
 * holder blocks), under the ctest timeout.  Identities: three random
 * snapshots of a simulated process (objects dying, born at free or just
 * freed addresses, with other types or names, type ids shuffled) written
 * with the format library, against the identities compared one by one.
 * Labels (an_growth_label): a small heap written by theap.h, each kind of
 * owner (a keyed object, an instance's attribute, an lru_cache, plain
 * containers from a root, an unreachable object).
 */
#define _POSIX_C_SOURCE 200809L
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/diff.h"
#include "lib/dominators.h"
#include "lib/graph.h"
#include "lib/growth.h"
#include "lib/leaks.h"
#include "lib/objset.h"
#include "lib/roots.h"
#include "lib/snap.h"
#include "lib/trend.h"
#include "egraph.h"
#include "theap.h"
#include "unit.h"

#define NONE MF_NONE

/* ---- one run of the model ------------------------------------------- */

typedef struct run {
    an_roots roots;
    an_domtree dt;
    an_bfs_result bfs;
    an_growth gr;
} run;

static void
run_model(eg *x, const mf_root *rec, uint32_t n_rec, const uint64_t *old,
          const uint64_t *gained, uint32_t permille, run *r)
{
    an_growth_opts o;

    memset(r, 0, sizeof(*r));
    CU_ASSERT_EQUAL_FATAL(an_roots_init(&r->roots, rec, n_rec), 0);
    CU_ASSERT_EQUAL_FATAL(an_dominators(&x->g, x->size, r->roots.ordered,
                                        r->roots.n, &r->dt), 0);
    CU_ASSERT_EQUAL_FATAL(an_bfs(&x->g, r->roots.ordered, r->roots.n, 0,
                                 &r->bfs), 0);
    an_growth_opts_init(&o);
    o.descend_permille = permille;
    o.members = 1;
    CU_ASSERT_EQUAL_FATAL(an_growth_find(&x->g, x->size, &r->dt, &r->bfs,
                                         old, gained, &o, &r->gr), 0);
}

static void
run_free(run *r)
{
    an_growth_free(&r->gr);
    an_bfs_free(&r->bfs);
    an_domtree_free(&r->dt);
    an_roots_free(&r->roots);
}

/* The point index charged with object v, and the point whose object is
 * v, or NONE. */
static uint32_t
point_of_object(const run *r, uint32_t v)
{
    for (uint32_t i = 0; i < r->gr.n_points; i++) {
        if (r->gr.points[i].object == v) {
            return i;
        }
    }
    return NONE;
}

/* ---- the oracle: growth.h's definitions, applied naively ------------ */

typedef struct orc {
    uint32_t n;
    const eg *x;
    const run *r;
    const uint64_t *old, *gained;
    uint32_t permille;
    unsigned char *reach;
    uint32_t *head;         /* unit head, or NONE (old region) */
    uint32_t *cnt;          /* of a head: gained objects of its unit */
    uint32_t *sub;          /* of an object in a unit: gained below it */
    uint32_t *rep;          /* of a gaining head: its group's
                               representative */
    uint32_t *charge;       /* representative charged, or NONE */
    unsigned char *linked, *weak;
    int cyclic;             /* links formed a cycle: compare less */
} orc;

static uint32_t
o_parent(const orc *o, uint32_t v)
{
    uint32_t p = o->r->dt.idom[v];

    return p < o->n && o->reach[p] ? p : NONE;
}

static int
o_old(const orc *o, uint32_t v)
{
    return o->old != NULL ? an_bit(o->old, v) : !an_bit(o->gained, v);
}

static int
o_gained(const orc *o, uint32_t v)
{
    return an_bit(o->gained, v) && !o_old(o, v);
}

static uint32_t
o_source(const eg *x, uint64_t e)
{
    for (uint32_t v = 0; v < x->n; v++) {
        if (e >= x->start[v] && e < x->start[v + 1]) {
            return v;
        }
    }
    return NONE;
}

/* u's class root among the holders (the lowest index of its class) */
static uint32_t
o_find(uint32_t *cls, uint32_t u)
{
    while (cls[u] != u) {
        u = cls[u];
    }
    return u;
}

static void
o_preorder(const orc *o, uint32_t v, uint32_t *order, uint32_t *m)
{
    order[(*m)++] = v;
    for (uint32_t c = 0; c < o->n; c++) {
        if (o->reach[c] && c != v && o_parent(o, c) == v) {
            o_preorder(o, c, order, m);
        }
    }
}

static void
oracle_groups(orc *o)
{
    uint32_t n = o->n;
    const eg *x = o->x;
    uint32_t *cls = malloc(((size_t)n + 1) * sizeof(uint32_t));
    uint32_t *link = malloc(((size_t)n + 1) * sizeof(uint32_t));
    unsigned char *held = calloc((size_t)n + 1, 1);
    uint32_t *order = malloc(((size_t)n + 1) * sizeof(uint32_t));
    uint32_t m = 0;

    for (uint32_t v = 0; v < n; v++) {
        cls[v] = v;
        link[v] = NONE;
    }
    /* weak references */
    for (uint32_t t = 0; t < n; t++) {
        if (!o->reach[t] || o->head[t] != t || o->cnt[t] == 0) {
            continue;
        }
        for (uint64_t e = x->start[t]; e < x->start[t + 1]; e++) {
            uint32_t y = x->target[e];

            if ((x->ckind[e] & MF_EDGE_WEAK) && y != t && o->reach[y]
                && o->head[y] != NONE && o->head[y] != t
                && o->cnt[o->head[y]] > 0) {
                o->weak[t] = o->linked[t] = 1;
                link[t] = o->head[y];
                break;
            }
        }
    }
    /* holders: join the holders of each head, until nothing changes */
    for (int changed = 1; changed;) {
        changed = 0;
        for (uint32_t t = 0; t < n; t++) {
            uint32_t first = NONE;

            if (!o->reach[t] || o->head[t] != t || o->cnt[t] == 0
                || o->weak[t]) {
                continue;
            }
            for (uint32_t u = 0; u < n; u++) {
                int edge = 0;

                if (!o->reach[u] || u == t || o->head[u] != NONE) {
                    continue;
                }
                for (uint64_t e = x->start[u]; e < x->start[u + 1]; e++) {
                    edge |= x->target[e] == t
                            && !(x->ckind[e] & MF_EDGE_WEAK);
                }
                if (!edge) {
                    continue;
                }
                held[t] = 1;
                if (first == NONE) {
                    first = u;
                }
                else {
                    uint32_t a = o_find(cls, u), b = o_find(cls, first);

                    if (a != b) {
                        if (a < b) {
                            cls[b] = a;
                        }
                        else {
                            cls[a] = b;
                        }
                        changed = 1;
                    }
                }
            }
            if (first != NONE) {
                link[t] = first;
            }
        }
    }
    /* shared: along the shortest path's parent */
    for (uint32_t t = 0; t < n; t++) {
        uint32_t via, p;

        if (!o->reach[t] || o->head[t] != t || o->cnt[t] == 0 || o->weak[t]
            || held[t]) {
            continue;
        }
        via = o->r->bfs.via[t];
        if (via == AN_VIA_ROOT || via == AN_UNREACHED) {
            continue;
        }
        p = o_source(x, via);
        if (p != NONE && o->head[p] != NONE && o->head[p] != t
            && o->cnt[o->head[p]] > 0) {
            link[t] = o->head[p];
            o->linked[t] = 1;
        }
    }
    /* resolve in preorder, links followed; a cycle closes on a head */
    for (uint32_t v = 0; v < n; v++) {
        if (o->reach[v] && o_parent(o, v) == NONE) {
            o_preorder(o, v, order, &m);
        }
    }
    for (uint32_t k = 0; k < m; k++) {
        uint32_t t = order[k], walk[256], len = 0, y = t, r = NONE;

        if (o->head[t] != t || o->cnt[t] == 0 || o->rep[t] != NONE) {
            continue;
        }
        while (len < 256) {
            uint32_t j;

            if (o->rep[y] != NONE) {
                r = o->rep[y];
                break;
            }
            if (held[y] && !o->weak[y]) {
                r = o_find(cls, link[y]);
                break;
            }
            if (!o->linked[y]) {
                r = y;
                break;
            }
            for (j = 0; j < len && walk[j] != y; j++) {
            }
            if (j < len) {
                r = y;
                o->cyclic = 1;
                break;
            }
            walk[len++] = y;
            y = link[y];
        }
        o->rep[y] = r;
        for (uint32_t j = 0; j < len; j++) {
            o->rep[walk[j]] = r;
        }
    }
    free(cls);
    free(link);
    free(held);
    free(order);
}

static void
oracle_run(orc *o, const eg *x, const run *r, const uint64_t *old,
           const uint64_t *gained, uint32_t permille)
{
    uint32_t n = x->n;

    memset(o, 0, sizeof(*o));
    o->n = n;
    o->x = x;
    o->r = r;
    o->old = old;
    o->gained = gained;
    o->permille = permille;
    o->reach = calloc((size_t)n + 1, 1);
    o->head = malloc(((size_t)n + 1) * sizeof(uint32_t));
    o->cnt = calloc((size_t)n + 1, sizeof(uint32_t));
    o->sub = calloc((size_t)n + 1, sizeof(uint32_t));
    o->rep = malloc(((size_t)n + 1) * sizeof(uint32_t));
    o->charge = malloc(((size_t)n + 1) * sizeof(uint32_t));
    o->linked = calloc((size_t)n + 1, 1);
    o->weak = calloc((size_t)n + 1, 1);
    for (uint32_t v = 0; v < n; v++) {
        o->reach[v] = !an_bit(r->dt.unreachable, v);
        o->rep[v] = NONE;
    }
    /* the head: the outermost new object on the dominator chain */
    for (uint32_t v = 0; v < n; v++) {
        o->head[v] = NONE;
        for (uint32_t u = v; o->reach[v] && u != NONE; u = o_parent(o, u)) {
            if (!o_old(o, u)) {
                o->head[v] = u;
            }
        }
    }
    for (uint32_t v = 0; v < n; v++) {
        if (!o->reach[v] || !o_gained(o, v)) {
            continue;
        }
        o->cnt[o->head[v]]++;
        for (uint32_t u = v; u != NONE; u = o_parent(o, u)) {
            if (o->head[u] != NONE) {
                o->sub[u]++;
            }
        }
    }
    oracle_groups(o);
    /* the charge: the nearest gained dominator's group */
    for (uint32_t v = 0; v < n; v++) {
        o->charge[v] = NONE;
        for (uint32_t u = v; o->reach[v] && u != NONE; u = o_parent(o, u)) {
            if (o_gained(o, u)) {
                o->charge[v] = o->rep[o->head[u]];
                break;
            }
        }
    }
}

static void
oracle_free(orc *o)
{
    free(o->reach);
    free(o->head);
    free(o->cnt);
    free(o->sub);
    free(o->rep);
    free(o->charge);
    free(o->linked);
    free(o->weak);
}

static int
share(uint64_t part, uint64_t whole, uint32_t permille)
{
    return part * 1000 >= (uint64_t)permille * whole && part * 2 > whole;
}

/* The expected point of the group whose representative is rep. */
static void
oracle_point(const orc *o, uint32_t rep, an_growth_point *p)
{
    uint32_t n = o->n;
    const eg *x = o->x;
    uint64_t gained = 0, own = 0;
    uint32_t largest = NONE, largest_own = NONE, primary = NONE;
    uint64_t primary_credit = 0;
    int gained_heads = 0;

    memset(p, 0, sizeof(*p));
    p->holder = p->head = NONE;
    for (uint32_t t = 0; t < n; t++) {
        if (!o->reach[t] || o->head[t] != t || o->cnt[t] == 0
            || o->rep[t] != rep) {
            continue;
        }
        p->n_units++;
        gained += o->cnt[t];
        gained_heads += o_gained(o, t);
        if (largest == NONE || o->cnt[t] > o->cnt[largest]) {
            largest = t;
        }
        if (!o->linked[t]) {
            own += o->cnt[t];
            if (largest_own == NONE || o->cnt[t] > o->cnt[largest_own]) {
                largest_own = t;
            }
        }
    }
    if (own == 0) {
        own = gained;
        largest_own = largest;
    }
    /* holders: credited once per non-weak head of the group they hold */
    for (uint32_t u = 0; u < n; u++) {
        uint64_t credit = 0;
        int holds = 0;

        if (!o->reach[u] || o->head[u] != NONE) {
            continue;
        }
        for (uint32_t t = 0; t < n; t++) {
            int edge = 0;

            if (!o->reach[t] || o->head[t] != t || o->cnt[t] == 0
                || o->rep[t] != rep || o->weak[t] || t == u) {
                continue;
            }
            for (uint64_t e = x->start[u]; e < x->start[u + 1]; e++) {
                edge |= x->target[e] == t && !(x->ckind[e] & MF_EDGE_WEAK);
            }
            if (edge) {
                credit += o->cnt[t];
                holds = 1;
            }
        }
        if (holds) {
            p->n_holders++;
            if (primary == NONE || credit > primary_credit) {
                primary = u;
                primary_credit = credit;
            }
        }
    }
    p->holder = primary;
    p->newer = gained_heads == 0;
    if (largest_own != NONE
        && share(o->cnt[largest_own], own, o->permille)) {
        uint32_t at = largest_own, seen[64], n_seen = 0;

        seen[n_seen++] = x->type[at];
        p->kind = AN_POINT_NEW;
        p->head = at;
        for (;;) {
            uint32_t next = NONE, j;

            for (uint32_t c = 0; c < n; c++) {
                if (o->reach[c] && c != at && o_parent(o, c) == at
                    && share(o->sub[c], own, o->permille)) {
                    next = c;
                }
            }
            if (next == NONE || n_seen == 64) {
                break;
            }
            for (j = 0; j < n_seen && seen[j] != x->type[next]; j++) {
            }
            if (j < n_seen) {
                break;
            }
            seen[n_seen++] = x->type[next];
            at = next;
            p->depth++;
        }
        p->object = at;
    }
    else if (primary != NONE) {
        p->kind = AN_POINT_HOLDER;
        p->object = primary;
    }
    else {
        p->kind = AN_POINT_NEW;
        p->head = largest;
        p->object = largest;
    }
    for (uint32_t v = 0; v < n; v++) {
        if (o->charge[v] != rep) {
            continue;
        }
        p->retained += x->size[v];
        if (o_gained(o, v)) {
            p->count++;
            p->size += x->size[v];
        }
    }
}

/* Compare a run with the oracle; returns 1 when they agree. */
static int
compare_with_oracle(const eg *x, const run *r, const orc *o)
{
    uint32_t n = x->n, *rep_of_point;
    int ok = 1;
    uint64_t unreachable = 0;

    rep_of_point = malloc(((size_t)r->gr.n_points + 1) * sizeof(uint32_t));
    for (uint32_t i = 0; i < r->gr.n_points; i++) {
        rep_of_point[i] = NONE;
    }
    /* the charges form the same partition */
    for (uint32_t v = 0; v < n; v++) {
        uint32_t i = r->gr.group_of[v];

        if ((i == NONE) != (o->charge[v] == NONE)) {
            ok = 0;
            continue;
        }
        if (i == NONE) {
            continue;
        }
        if (rep_of_point[i] == NONE) {
            rep_of_point[i] = o->charge[v];
        }
        else if (rep_of_point[i] != o->charge[v]) {
            ok = 0;
        }
        if (!o->reach[v] && o_gained(o, v)) {
            unreachable++;
        }
    }
    for (uint32_t i = 0; i < r->gr.n_points && ok; i++) {
        for (uint32_t j = i + 1; j < r->gr.n_points; j++) {
            ok &= rep_of_point[i] != rep_of_point[j];
        }
    }
    for (uint32_t v = 0; v < n; v++) {
        unreachable += !o->reach[v] && o_gained(o, v);
    }
    ok &= r->gr.unreachable_count == unreachable;
    /* each point as the oracle sees it; ranked */
    for (uint32_t i = 0; i < r->gr.n_points && ok; i++) {
        const an_growth_point *p = &r->gr.points[i];
        an_growth_point q;

        if (rep_of_point[i] == NONE) {
            ok = 0;
            break;
        }
        oracle_point(o, rep_of_point[i], &q);
        ok &= p->count == q.count && p->size == q.size
              && p->retained == q.retained && p->n_units == q.n_units
              && p->newer == q.newer;
        if (!o->cyclic) {
            ok &= p->object == q.object && p->kind == q.kind
                  && p->holder == q.holder && p->depth == q.depth
                  && p->head == q.head && p->n_holders == q.n_holders;
        }
        if (i > 0) {
            const an_growth_point *a = &r->gr.points[i - 1];

            ok &= a->newer < p->newer
                  || (a->newer == p->newer
                      && (a->retained > p->retained
                          || (a->retained == p->retained
                              && (a->count > p->count
                                  || (a->count == p->count
                                      && a->object < p->object)))));
        }
    }
    free(rep_of_point);
    return ok;
}

static void
random_graph(eg *x, uint32_t n, uint32_t m, uint32_t n_types)
{
    static const uint8_t kinds[] = {
        MF_EDGE_REF, MF_EDGE_INDEX, MF_EDGE_KEY_STR, MF_EDGE_DICT_KEY,
        MF_EDGE_ATTR, MF_EDGE_SET_ITEM, MF_EDGE_REF | MF_EDGE_WEAK,
    };

    eg_init(x, n);
    for (uint32_t v = 0; v < n; v++) {
        x->type[v] = eg_randn(n_types);
    }
    for (uint32_t e = 0; e < m; e++) {
        uint32_t a = eg_randn(n), b = eg_randn(n);

        eg_add(x, a, b, kinds[eg_randn(sizeof(kinds))]);
        if (eg_randn(10) == 0) {
            eg_add(x, a, b, kinds[eg_randn(sizeof(kinds))]);    /* multi */
        }
    }
    eg_finish(x);
}

static void
test_random_graphs(void)
{
    int agree = 0, acyclic = 0, with_points = 0;
    int weak = 0, shared = 0, joined = 0, descended = 0, holder_points = 0;
    int newer = 0;

    for (int round = 0; round < 4000; round++) {
        uint32_t n = 1 + eg_randn(round < 2000 ? 14 : 50);
        uint32_t m = eg_randn(3 * n + 2);
        uint32_t permille = 500 + eg_randn(501);
        uint64_t *old, *gained;
        mf_root rec[8];
        uint32_t n_rec = 1 + eg_randn(4);
        eg x;
        run r;
        orc o;
        uint32_t percent = 20 + eg_randn(70);

        random_graph(&x, n, m, 1 + eg_randn(4));
        /* old, gained, or neither (new after TARGET); every other round
         * without `old` (two snapshots: every object not gained) */
        old = round % 2 ? an_bitmap_new(n) : NULL;
        gained = an_bitmap_new(n);
        for (uint32_t v = 0; v < n; v++) {
            uint32_t die = eg_randn(100);

            if (die < percent) {
                an_set_bit(gained, v);
            }
            else if (old != NULL && die < percent + (100 - percent) * 3 / 4) {
                an_set_bit(old, v);
            }
            if (old != NULL && eg_randn(50) == 0) {
                an_set_bit(old, v);     /* gained and old: old */
            }
        }
        for (uint32_t i = 0; i < n_rec; i++) {
            rec[i].object = eg_randn(n);
            rec[i].kind = 1 + eg_randn(5);
            rec[i].label = MF_NONE;
        }
        run_model(&x, rec, n_rec, old, gained, permille, &r);
        oracle_run(&o, &x, &r, old, gained, permille);
        if (compare_with_oracle(&x, &r, &o)) {
            agree++;
        }
        else {
            fprintf(stderr, "round %d (n %u, m %u): differs from the "
                    "oracle\n", round, n, m);
        }
        acyclic += !o.cyclic;
        with_points += r.gr.n_points > 1;
        weak += r.gr.weak_units > 0;
        shared += r.gr.shared_units > 0;
        for (uint32_t i = 0; i < r.gr.n_points; i++) {
            joined += r.gr.points[i].n_holders > 1;
            descended += r.gr.points[i].depth > 0;
            holder_points += r.gr.points[i].kind == AN_POINT_HOLDER;
            newer += r.gr.points[i].newer;
        }
        oracle_free(&o);
        run_free(&r);
        free(old);
        free(gained);
        eg_free(&x);
    }
    CU_ASSERT_EQUAL(agree, 4000);
    CU_ASSERT(acyclic > 3000);      /* the exact points were compared */
    CU_ASSERT(with_points > 1000);  /* graphs with several points */
    /* every rule was exercised */
    fprintf(stderr, "(%d weak, %d shared, %d joined, %d descended, %d "
            "holder points, %d newer) ", weak, shared, joined, descended,
            holder_points, newer);
    CU_ASSERT(weak > 100 && shared > 100 && joined > 100);
    CU_ASSERT(descended > 100 && holder_points > 1000 && newer > 100);
}

/* ---- hand-made heaps ------------------------------------------------- */

/* A heap under construction: objects get types and a gained mark. */
typedef struct heap {
    eg x;
    uint64_t *gained;
    uint32_t n;
} heap;

enum { T_DICT, T_LIST, T_SET, T_INT, T_STR, T_FUNC, T_CELL, T_OBJ, T_WEAKREF,
       T_NODE, T_MODULE };

static void
heap_init(heap *h, uint32_t cap)
{
    eg_init(&h->x, cap);
    h->gained = an_bitmap_new(cap);
    h->n = 0;
}

/* A new object: old (background), or new and gained. */
static uint32_t
obj(heap *h, uint32_t type, int old)
{
    uint32_t v = h->n++;

    h->x.type[v] = type;
    if (!old) {
        an_set_bit(h->gained, v);
    }
    return v;
}

static void
heap_run(heap *h, uint32_t root, run *r)
{
    mf_root rec = {root, MF_ROOT_MODULE, MF_NONE};

    h->x.n = h->n;
    eg_finish(&h->x);
    run_model(&h->x, &rec, 1, NULL, h->gained, AN_GROWTH_DESCEND_DEFAULT,
              r);
}

static void
heap_free(heap *h)
{
    eg_free(&h->x);
    free(h->gained);
}

/* blinker: a receiver per request in `receivers` under its id (an int),
 * the id also an item of `_by_sender[ANY]` and a key of `_by_receiver`
 * whose value is a new set: one leak, three dicts */
static void
test_signal(void)
{
    heap h;
    run r;
    uint32_t mod, sig, recv, bys, any, byr;
    const an_growth_point *p;

    heap_init(&h, 4000);
    mod = obj(&h, T_MODULE, 1);
    sig = obj(&h, T_OBJ, 1);
    recv = obj(&h, T_DICT, 1);
    bys = obj(&h, T_DICT, 1);
    any = obj(&h, T_SET, 1);
    byr = obj(&h, T_DICT, 1);
    eg_add(&h.x, mod, sig, MF_EDGE_KEY_STR);
    eg_add(&h.x, sig, recv, MF_EDGE_ATTR);
    eg_add(&h.x, sig, bys, MF_EDGE_ATTR);
    eg_add(&h.x, bys, any, MF_EDGE_KEY_INT);
    eg_add(&h.x, sig, byr, MF_EDGE_ATTR);
    for (int k = 0; k < 300; k++) {
        uint32_t id = obj(&h, T_INT, 0), fn = obj(&h, T_FUNC, 0);
        uint32_t cell = obj(&h, T_CELL, 0), st = obj(&h, T_SET, 0);

        eg_add(&h.x, recv, id, MF_EDGE_DICT_KEY);
        eg_add(&h.x, recv, fn, MF_EDGE_KEY_INT);
        eg_add(&h.x, fn, cell, MF_EDGE_ATTR);
        eg_add(&h.x, any, id, MF_EDGE_SET_ITEM);
        eg_add(&h.x, byr, id, MF_EDGE_DICT_KEY);
        eg_add(&h.x, byr, st, MF_EDGE_KEY_INT);
    }
    heap_run(&h, mod, &r);
    CU_ASSERT_EQUAL(r.gr.n_points, 1);
    p = &r.gr.points[0];
    CU_ASSERT_EQUAL(p->kind, AN_POINT_HOLDER);
    CU_ASSERT_EQUAL(p->object, recv);       /* the most held: ids, fns */
    CU_ASSERT_EQUAL(p->count, 1200);
    CU_ASSERT_EQUAL(p->n_holders, 3);
    CU_ASSERT_EQUAL(p->n_units, 900);
    CU_ASSERT_EQUAL(p->hang[AN_HANG_KEY], 300);
    CU_ASSERT_EQUAL(p->hang[AN_HANG_VALUE], 300);
    CU_ASSERT_EQUAL(p->hang[AN_HANG_INDIRECT], 300);  /* the sets */
    CU_ASSERT_EQUAL(r.gr.holders[p->first_holder].object, recv);
    run_free(&r);
    heap_free(&h);
}

/* a Logger the workload created, held by the manager's dict and a module
 * global, with a handler per request: the point is its handler list */
static void
test_new_logger(void)
{
    heap h;
    run r;
    uint32_t mod, ldict, lg, hl, filters;
    const an_growth_point *p;

    heap_init(&h, 4000);
    mod = obj(&h, T_MODULE, 1);
    ldict = obj(&h, T_DICT, 1);
    eg_add(&h.x, mod, ldict, MF_EDGE_ATTR);
    lg = obj(&h, T_OBJ, 0);
    hl = obj(&h, T_LIST, 0);
    filters = obj(&h, T_LIST, 0);
    eg_add(&h.x, ldict, lg, MF_EDGE_KEY_STR);
    eg_add(&h.x, mod, lg, MF_EDGE_KEY_STR);
    eg_add(&h.x, lg, hl, MF_EDGE_ATTR);
    eg_add(&h.x, lg, filters, MF_EDGE_ATTR);
    for (int k = 0; k < 500; k++) {
        uint32_t hd = obj(&h, T_OBJ + 100, 0), lines = obj(&h, T_LIST, 0);
        uint32_t lock = obj(&h, T_SET, 0), wr = obj(&h, T_WEAKREF, 0);

        eg_add(&h.x, hl, hd, MF_EDGE_INDEX);
        eg_add(&h.x, hd, lines, MF_EDGE_ATTR);
        eg_add(&h.x, hd, lock, MF_EDGE_ATTR);
        /* logging._handlerList: weak references, in an old list */
        eg_add(&h.x, filters == 0 ? 0 : mod, wr, MF_EDGE_INDEX);
        eg_add(&h.x, wr, hd, MF_EDGE_REF | MF_EDGE_WEAK);
    }
    heap_run(&h, mod, &r);
    CU_ASSERT_EQUAL_FATAL(r.gr.n_points, 1);
    p = &r.gr.points[0];
    CU_ASSERT_EQUAL(p->kind, AN_POINT_NEW);
    CU_ASSERT_EQUAL(p->head, lg);
    CU_ASSERT_EQUAL(p->object, hl);
    CU_ASSERT_EQUAL(p->depth, 1);
    CU_ASSERT_EQUAL(p->count, 3 + 4 * 500);
    CU_ASSERT_EQUAL(p->hang[AN_HANG_ITEM], 500);
    CU_ASSERT_EQUAL(r.gr.weak_units, 500);
    CU_ASSERT_EQUAL(p->n_holders, 2);
    run_free(&r);
    heap_free(&h);
}

/* two leaks whose items share a new int: the ints are charged once, to
 * one of them, and form no point */
static void
test_shared(void)
{
    heap h;
    run r;
    uint32_t mod, a, b;

    heap_init(&h, 1000);
    mod = obj(&h, T_MODULE, 1);
    a = obj(&h, T_LIST, 1);
    b = obj(&h, T_DICT, 1);
    eg_add(&h.x, mod, a, MF_EDGE_KEY_STR);
    eg_add(&h.x, mod, b, MF_EDGE_KEY_STR);
    for (int k = 0; k < 100; k++) {
        uint32_t x = obj(&h, T_OBJ, 0), y = obj(&h, T_FUNC, 0);
        uint32_t s = obj(&h, T_INT, 0);

        eg_add(&h.x, a, x, MF_EDGE_INDEX);
        eg_add(&h.x, b, y, MF_EDGE_KEY_STR);
        eg_add(&h.x, x, s, MF_EDGE_ATTR);
        eg_add(&h.x, y, s, MF_EDGE_ATTR);
    }
    heap_run(&h, mod, &r);
    CU_ASSERT_EQUAL_FATAL(r.gr.n_points, 2);
    CU_ASSERT_EQUAL(r.gr.shared_units, 100);
    CU_ASSERT_EQUAL(r.gr.points[0].count + r.gr.points[1].count, 300);
    CU_ASSERT(point_of_object(&r, a) != NONE);
    CU_ASSERT(point_of_object(&r, b) != NONE);
    /* the int of item k goes with the list (its shortest path: the list
     * comes first in the module) */
    CU_ASSERT_EQUAL(r.gr.points[point_of_object(&r, a)].count, 200);
    run_free(&r);
    heap_free(&h);
}

/* a linked list growing under an old head, a tree under an old dict: the
 * point stops at the top of the recursive structure */
static void
test_recursive(void)
{
    heap h;
    run r;
    uint32_t mod, head, first = NONE, prev, dict, root;

    heap_init(&h, 300000);
    mod = obj(&h, T_MODULE, 1);
    head = obj(&h, T_NODE, 1);
    eg_add(&h.x, mod, head, MF_EDGE_KEY_STR);
    prev = head;
    for (int k = 0; k < 100000; k++) {
        uint32_t nd = obj(&h, T_NODE, 0);

        eg_add(&h.x, prev, nd, MF_EDGE_ATTR);
        if (first == NONE) {
            first = nd;
        }
        prev = nd;
    }
    dict = obj(&h, T_DICT, 1);
    eg_add(&h.x, mod, dict, MF_EDGE_KEY_STR);
    root = obj(&h, T_NODE, 0);
    eg_add(&h.x, dict, root, MF_EDGE_KEY_STR);
    {
        uint32_t frontier[64], nf = 1;

        frontier[0] = root;
        for (int k = 0; k < 50000; k++) {
            uint32_t parent = frontier[eg_randn(nf)];
            uint32_t kids = obj(&h, T_LIST, 0), nd = obj(&h, T_NODE, 0);

            /* each node its own list of children, for simplicity */
            eg_add(&h.x, parent, kids, MF_EDGE_ATTR);
            eg_add(&h.x, kids, nd, MF_EDGE_INDEX);
            if (nf < 64) {
                frontier[nf++] = nd;
            }
            else {
                frontier[eg_randn(64)] = nd;
            }
        }
    }
    heap_run(&h, mod, &r);
    CU_ASSERT_EQUAL_FATAL(r.gr.n_points, 2);
    {
        const an_growth_point *l = &r.gr.points[point_of_object(&r, first)];
        uint32_t ti = point_of_object(&r, root);

        CU_ASSERT_EQUAL(l->kind, AN_POINT_NEW);
        CU_ASSERT_EQUAL(l->head, first);
        CU_ASSERT_EQUAL(l->depth, 0);
        CU_ASSERT_EQUAL(l->holder, head);
        CU_ASSERT_EQUAL(l->count, 100000);
        /* the tree: its root, or one step in (a list holding most) */
        if (ti == NONE) {
            for (uint32_t i = 0; i < r.gr.n_points; i++) {
                if (r.gr.points[i].head == root) {
                    ti = i;
                }
            }
        }
        CU_ASSERT_FATAL(ti != NONE);
        CU_ASSERT(r.gr.points[ti].depth <= 1);
        CU_ASSERT_EQUAL(r.gr.points[ti].count, 100001);
    }
    run_free(&r);
    heap_free(&h);
}

/* one new object retaining much is one point of many gained objects; an
 * object of BASE adopted by a new structure belongs to it */
static void
test_one_object(void)
{
    heap h;
    run r;
    uint32_t mod, reg, big, adopted;

    heap_init(&h, 2000);
    mod = obj(&h, T_MODULE, 1);
    reg = obj(&h, T_DICT, 1);
    eg_add(&h.x, mod, reg, MF_EDGE_KEY_STR);
    big = obj(&h, T_OBJ, 0);
    eg_add(&h.x, reg, big, MF_EDGE_KEY_STR);
    adopted = obj(&h, T_LIST, 1);       /* old, now only in big */
    eg_add(&h.x, big, adopted, MF_EDGE_ATTR);
    for (int k = 0; k < 1000; k++) {
        eg_add(&h.x, adopted, obj(&h, T_STR, 0), MF_EDGE_INDEX);
    }
    heap_run(&h, mod, &r);
    CU_ASSERT_EQUAL_FATAL(r.gr.n_points, 1);
    CU_ASSERT_EQUAL(r.gr.points[0].count, 1001);
    CU_ASSERT_EQUAL(r.gr.points[0].n_units, 1);
    CU_ASSERT_EQUAL(r.gr.points[0].object, adopted);
    CU_ASSERT_EQUAL(r.gr.points[0].holder, reg);
    CU_ASSERT_EQUAL(r.gr.group_of[adopted], 0);
    run_free(&r);
    heap_free(&h);
}

/* nothing gained: no point; everything gained: points still */
static void
test_edges_cases(void)
{
    heap h;
    run r;
    uint32_t mod;

    heap_init(&h, 100);
    mod = obj(&h, T_MODULE, 1);
    for (int k = 0; k < 50; k++) {
        eg_add(&h.x, mod, obj(&h, T_STR, 1), MF_EDGE_KEY_STR);
    }
    heap_run(&h, mod, &r);
    CU_ASSERT_EQUAL(r.gr.n_points, 0);
    CU_ASSERT_EQUAL(r.gr.gained_count, 0);
    run_free(&r);
    heap_free(&h);

    heap_init(&h, 100);
    mod = obj(&h, T_MODULE, 0);
    for (int k = 0; k < 50; k++) {
        eg_add(&h.x, mod, obj(&h, T_STR, 0), MF_EDGE_KEY_STR);
    }
    heap_run(&h, mod, &r);
    CU_ASSERT_EQUAL(r.gr.n_points, 1);
    CU_ASSERT_EQUAL(r.gr.points[0].object, mod);
    CU_ASSERT_EQUAL(r.gr.points[0].count, 51);
    CU_ASSERT_EQUAL(r.gr.points[0].holder, NONE);
    run_free(&r);
    heap_free(&h);
}

/* ---- shapes that would make a careless pass quadratic --------------- */

static void
test_scale(void)
{
    heap h;
    run r;
    uint32_t mod, hub, prev;
    uint32_t n_chain = 2000000, n_star = 1000000;

    /* a chain of two million, alternating old and new: the old objects
     * below the first new one belong to its unit: one point */
    heap_init(&h, n_chain + 2);
    mod = obj(&h, T_MODULE, 1);
    prev = mod;
    for (uint32_t k = 0; k < n_chain; k++) {
        uint32_t v = obj(&h, T_NODE, k % 2 == 0);

        eg_add(&h.x, prev, v, MF_EDGE_ATTR);
        prev = v;
    }
    heap_run(&h, mod, &r);
    CU_ASSERT_EQUAL(r.gr.n_points, 1);
    CU_ASSERT_EQUAL(r.gr.gained_count, n_chain / 2);
    run_free(&r);
    heap_free(&h);

    /* a million old objects holding one new object each, in a chain of
     * old ones: a million points */
    heap_init(&h, n_chain + 2);
    mod = obj(&h, T_MODULE, 1);
    prev = mod;
    for (uint32_t k = 0; k < n_chain / 2; k++) {
        uint32_t o = obj(&h, T_NODE, 1), v = obj(&h, T_STR, 0);

        eg_add(&h.x, prev, o, MF_EDGE_ATTR);
        eg_add(&h.x, o, v, MF_EDGE_ATTR);
        prev = o;
    }
    heap_run(&h, mod, &r);
    CU_ASSERT_EQUAL(r.gr.n_points, n_chain / 2);
    CU_ASSERT_EQUAL(r.gr.gained_count, n_chain / 2);
    run_free(&r);
    heap_free(&h);

    /* a chain of two million new under an old root: one point */
    heap_init(&h, n_chain + 2);
    mod = obj(&h, T_MODULE, 1);
    prev = mod;
    for (uint32_t k = 0; k < n_chain; k++) {
        uint32_t v = obj(&h, T_NODE + k % 3, 0);

        eg_add(&h.x, prev, v, MF_EDGE_ATTR);
        prev = v;
    }
    heap_run(&h, mod, &r);
    CU_ASSERT_EQUAL(r.gr.n_points, 1);
    CU_ASSERT_EQUAL(r.gr.points[0].count, n_chain);
    CU_ASSERT(r.gr.points[0].depth <= 2);
    run_free(&r);
    heap_free(&h);

    /* a star: a million new leaves in one old hub, each also held by one
     * of a thousand old dicts: one point (the hub), a thousand holders */
    heap_init(&h, n_star + 2000);
    mod = obj(&h, T_MODULE, 1);
    hub = obj(&h, T_DICT, 1);
    eg_add(&h.x, mod, hub, MF_EDGE_KEY_STR);
    {
        uint32_t side[1000];

        for (int k = 0; k < 1000; k++) {
            side[k] = obj(&h, T_DICT, 1);
            eg_add(&h.x, mod, side[k], MF_EDGE_KEY_STR);
        }
        for (uint32_t k = 0; k < n_star; k++) {
            uint32_t v = obj(&h, T_STR, 0);

            eg_add(&h.x, hub, v, MF_EDGE_INDEX);
            eg_add(&h.x, hub, v, MF_EDGE_INDEX);    /* twice */
            eg_add(&h.x, side[k % 1000], v, MF_EDGE_KEY_STR);
        }
    }
    heap_run(&h, mod, &r);
    CU_ASSERT_EQUAL_FATAL(r.gr.n_points, 1);
    CU_ASSERT_EQUAL(r.gr.points[0].object, hub);
    CU_ASSERT_EQUAL(r.gr.points[0].n_holders, 1001);
    CU_ASSERT_EQUAL(r.gr.points[0].hang[AN_HANG_ITEM], n_star);
    CU_ASSERT_EQUAL(r.gr.holders[r.gr.points[0].first_holder].units, n_star);
    run_free(&r);
    heap_free(&h);

    /* a dense block: 300 old holders x 3000 new units, all edges; and
     * shared ints between 100000 units of two leaks */
    heap_init(&h, 3400 + 300000);
    mod = obj(&h, T_MODULE, 1);
    {
        uint32_t holders[300], units[3000], la, lb;

        for (int i = 0; i < 300; i++) {
            holders[i] = obj(&h, T_DICT, 1);
            eg_add(&h.x, mod, holders[i], MF_EDGE_KEY_STR);
        }
        for (int j = 0; j < 3000; j++) {
            units[j] = obj(&h, T_OBJ, 0);
        }
        for (int i = 0; i < 300; i++) {
            for (int j = 0; j < 3000; j++) {
                eg_add(&h.x, holders[i], units[j], MF_EDGE_KEY_STR);
            }
        }
        la = obj(&h, T_LIST, 1);
        lb = obj(&h, T_LIST, 1);
        eg_add(&h.x, mod, la, MF_EDGE_KEY_STR);
        eg_add(&h.x, mod, lb, MF_EDGE_KEY_STR);
        for (int k = 0; k < 100000; k++) {
            uint32_t a = obj(&h, T_OBJ, 0), b = obj(&h, T_FUNC, 0);
            uint32_t s = obj(&h, T_INT, 0);

            eg_add(&h.x, la, a, MF_EDGE_INDEX);
            eg_add(&h.x, lb, b, MF_EDGE_INDEX);
            eg_add(&h.x, a, s, MF_EDGE_ATTR);
            eg_add(&h.x, b, s, MF_EDGE_ATTR);
        }
    }
    heap_run(&h, mod, &r);
    CU_ASSERT_EQUAL(r.gr.n_points, 3);
    CU_ASSERT_EQUAL(r.gr.shared_units, 100000);
    run_free(&r);
    heap_free(&h);
}


/* ---- identities: snapshots of a random "process" -------------------- */

enum { ID_ADDRS = 400, ID_TYPES = 4, ID_NAMES = 3 };

/* An object of the simulated process: address slot, type, name (or -1). */
typedef struct idobj {
    uint32_t slot;
    int type, name;
} idobj;

static const char *const id_modules[ID_TYPES] = {"builtins", "app", "a",
                                                 "b"};
static const char *const id_quals[ID_TYPES] = {"dict", "Session", "Node",
                                               "Node"};
static const char *const id_names[ID_NAMES] = {"err", "on_placed", "run"};

/* Write objs as a snapshot; types registered in a shuffled order, so
 * that type ids differ between the snapshots. */
static void
id_write(const char *path, const idobj *objs, uint32_t n)
{
    mf_writer *w;
    mf_error err;
    mf_write_options wo;
    uint32_t tid[ID_TYPES], perm[ID_TYPES], names[ID_NAMES];

    memset(&wo, 0, sizeof(wo));
    wo.block_objects = 50;
    CU_ASSERT_EQUAL_FATAL(mf_writer_open(&w, path, &wo, &err), MF_OK);
    for (uint32_t t = 0; t < ID_TYPES; t++) {
        perm[t] = t;
    }
    for (uint32_t t = ID_TYPES - 1; t > 0; t--) {
        uint32_t j = eg_randn(t + 1), x = perm[t];

        perm[t] = perm[j];
        perm[j] = x;
    }
    for (uint32_t t = 0; t < ID_TYPES; t++) {
        uint32_t k = perm[t];
        mf_type ty;

        ty.address = 0x1000 + 16 * k;
        ty.flags = 1;
        CU_ASSERT_EQUAL_FATAL(mf_writer_string(w, id_modules[k],
                                               strlen(id_modules[k]),
                                               &ty.module, &err), MF_OK);
        CU_ASSERT_EQUAL_FATAL(mf_writer_string(w, id_quals[k],
                                               strlen(id_quals[k]),
                                               &ty.qualname, &err), MF_OK);
        CU_ASSERT_EQUAL_FATAL(mf_writer_type(w, &ty, &tid[k], &err), MF_OK);
    }
    for (uint32_t m = 0; m < ID_NAMES; m++) {
        CU_ASSERT_EQUAL_FATAL(mf_writer_string(w, id_names[m],
                                               strlen(id_names[m]),
                                               &names[m], &err), MF_OK);
    }
    for (uint32_t i = 0; i < n; i++) {
        mf_object o;

        memset(&o, 0, sizeof(o));
        o.address = 0x7f0000000000ULL + 48 * (uint64_t)objs[i].slot;
        o.type = tid[objs[i].type];
        o.size = 48;
        o.flags = MF_OBJ_GC_TRACKED;
        o.name = MF_NONE;
        o.value = MF_NONE;
        if (objs[i].name >= 0) {
            o.flags |= MF_OBJ_HAS_NAME;
            o.name = names[objs[i].name];
        }
        CU_ASSERT_EQUAL_FATAL(mf_writer_object(w, &o, NULL, 0, &err), MF_OK);
    }
    CU_ASSERT_EQUAL_FATAL(mf_writer_close(w, NULL, &err), MF_OK);
}

/* The next snapshot of the process: some objects die, some are born, at
 * a free address or at the address of one that just died (same type or
 * not, same name or not); objects in random order. */
static uint32_t
id_evolve(const idobj *prev, uint32_t n_prev, idobj *next)
{
    unsigned char used[ID_ADDRS] = {0};
    uint32_t n = 0, died[ID_ADDRS], n_died = 0;

    for (uint32_t i = 0; i < n_prev; i++) {
        if (eg_randn(100) < 30) {
            died[n_died++] = prev[i].slot;
        }
        else {
            next[n++] = prev[i];
            used[prev[i].slot] = 1;
        }
    }
    for (uint32_t k = eg_randn(120); k > 0; k--) {
        idobj o;

        o.type = (int)eg_randn(ID_TYPES);
        o.name = eg_randn(3) == 0 ? (int)eg_randn(ID_NAMES) : -1;
        if (n_died > 0 && eg_randn(2) == 0) {
            o.slot = died[eg_randn(n_died)];    /* address reuse */
        }
        else {
            o.slot = eg_randn(ID_ADDRS);
        }
        if (used[o.slot]) {
            continue;
        }
        used[o.slot] = 1;
        next[n++] = o;
    }
    for (uint32_t i = n; i > 1; i--) {
        uint32_t j = eg_randn(i);
        idobj x = next[i - 1];

        next[i - 1] = next[j];
        next[j] = x;
    }
    return n;
}

/* Does `set` have the identity of o (same address, type key, name)? */
static int
id_in(const idobj *set, uint32_t n, const idobj *o)
{
    for (uint32_t i = 0; i < n; i++) {
        if (set[i].slot == o->slot && set[i].name == o->name
            && strcmp(id_modules[set[i].type], id_modules[o->type]) == 0
            && strcmp(id_quals[set[i].type], id_quals[o->type]) == 0) {
            return 1;
        }
    }
    return 0;
}

static void
id_open(an_snap *s, const char *path)
{
    mf_error err;

    memset(s, 0, sizeof(*s));
    CU_ASSERT_EQUAL_FATAL(an_snap_open(s, path, 0, NULL, NULL, &err), MF_OK);
    CU_ASSERT_EQUAL_FATAL(an_snap_load(s, MF_COL_ADDRESS | MF_COL_TYPE
                                          | MF_COL_NAME, &err), MF_OK);
}

static void
test_identities(void)
{
    const char *tmp = getenv("TMPDIR");
    char dir[512], path[3][600];
    idobj snap[3][ID_ADDRS];
    uint32_t n[3];
    int agree = 0, rounds = 300;
    uint64_t gained_seen = 0, old_seen = 0, newer_seen = 0;

    snprintf(dir, sizeof(dir), "%s/muppy-growth-ids-XXXXXX",
             tmp != NULL ? tmp : "/tmp");
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    for (int k = 0; k < 3; k++) {
        snprintf(path[k], sizeof(path[k]), "%s/s%d.snap", dir, k);
    }
    for (int round = 0; round < rounds; round++) {
        an_leaks lk;
        an_diff_growth d;
        an_idorder o;
        an_snap s[3];
        uint64_t *old, *gained;
        int ok = 1;

        n[0] = id_evolve(NULL, 0, snap[0]);
        n[1] = id_evolve(snap[0], n[0], snap[1]);
        n[2] = id_evolve(snap[1], n[1], snap[2]);
        for (int k = 0; k < 3; k++) {
            id_write(path[k], snap[k], n[k]);
            id_open(&s[k], path[k]);
        }
        /* three snapshots */
        CU_ASSERT_EQUAL_FATAL(an_leaks_base(&lk, &s[0]), AN_OK);
        CU_ASSERT_EQUAL_FATAL(an_leaks_target(&lk, &s[1]), AN_OK);
        CU_ASSERT_EQUAL_FATAL(an_leaks_identities(&lk, &s[2], &old, &gained),
                              AN_OK);
        for (uint32_t i = 0; i < n[2]; i++) {
            int in_base = id_in(snap[0], n[0], &snap[2][i]);
            int in_target = id_in(snap[1], n[1], &snap[2][i]);

            ok &= an_bit(old, i) == in_base;
            ok &= an_bit(gained, i) == (in_target && !in_base);
            gained_seen += an_bit(gained, i);
            old_seen += an_bit(old, i);
            newer_seen += !in_base && !in_target;
        }
        free(old);
        free(gained);
        an_leaks_free(&lk);
        /* two snapshots: the set of the first, the second marked */
        CU_ASSERT_EQUAL_FATAL(an_diff_growth_a(&d, &s[0]), AN_OK);
        CU_ASSERT_EQUAL_FATAL(an_idorder_of(&o, d.codes, &s[2], 0), AN_OK);
        old = an_bitmap_new(n[2]);
        an_objset_mark(&d.a, &o, old);
        for (uint32_t i = 0; i < n[2]; i++) {
            ok &= an_bit(old, i) == id_in(snap[0], n[0], &snap[2][i]);
        }
        free(old);
        an_idorder_free(&o);
        an_diff_growth_free(&d);
        agree += ok;
        for (int k = 0; k < 3; k++) {
            an_snap_close(&s[k]);
        }
    }
    CU_ASSERT_EQUAL(agree, rounds);
    CU_ASSERT(gained_seen > 1000 && old_seen > 1000 && newer_seen > 1000);
    for (int k = 0; k < 3; k++) {
        unlink(path[k]);
    }
    rmdir(dir);
}

/* ---- labels: a point named by its container ------------------------- */

/* The label of object obj of s (an_growth_label), "" when unreached. */
static const char *
label_of(const an_snap *s, const an_growth_run *r, uint32_t obj)
{
    static char buf[512];

    an_growth_label(s, &r->roots, &r->bfs, obj, buf, sizeof(buf));
    return buf;
}

static void
test_labels(void)
{
    theap h;
    an_snap s;
    an_growth_run r;
    uint64_t *gained;
    uint32_t root, logger, handlers, session, sdict, snew, cls, cdict;
    uint32_t wrapper, cache, key, plain, u1, u2, ty_type, ty_lru, ty_log;
    const char *t;

    th_setup();
    th_init(&h, 5);
    ty_type = h.n_types++;
    h.types[ty_type] = (th_type){"builtins", "type", 0};
    ty_lru = h.n_types++;
    h.types[ty_lru] = (th_type){"functools", "_lru_cache_wrapper", 0};
    ty_log = h.n_types++;
    h.types[ty_log] = (th_type){"logging", "Logger", 0};
    for (uint32_t k = ty_type; k < h.n_types; k++) {
        h.type_order[k] = k;
    }
    /* th_labels: 0 next, 1 items, 2 cache, 3 __dict__, 4 k, 5 parent */
    root = th_add(&h, 0x1000, 0, 232);                  /* dict */
    logger = th_add(&h, 0x1040, ty_log, 64);
    handlers = th_add(&h, 0x1080, 1, 88);               /* list */
    session = th_add(&h, 0x10c0, 5, 56);                /* Session */
    sdict = th_add(&h, 0x1100, 0, 104);
    snew = th_add(&h, 0x1140, 0, 232);
    cls = th_add(&h, 0x1180, ty_type, 1064);
    cdict = th_add(&h, 0x11c0, 0, 232);
    wrapper = th_add(&h, 0x1200, ty_lru, 88);
    cache = th_add(&h, 0x1240, 0, 232);
    key = th_add(&h, 0x1280, 3, 48);                    /* tuple */
    plain = th_add(&h, 0x12c0, 1, 88);
    u1 = th_add(&h, 0x1300, 5, 56);
    u2 = th_add(&h, 0x1340, 5, 56);
    h.objs[cls].name = "Handler";
    h.objs[wrapper].name = "items";
    /* root ['k'] -> Logger .items -> list: the Logger by the key it is
     * held under, then the attribute */
    th_edge_add(&h, root, logger, MF_EDGE_KEY_STR, 4);
    th_edge_add(&h, logger, handlers, MF_EDGE_ATTR, 1);
    /* root ['cache'] -> Session .__dict__ ['next'] -> dict: an instance's
     * attribute, its __dict__ left out */
    th_edge_add(&h, root, session, MF_EDGE_KEY_STR, 2);
    th_edge_add(&h, session, sdict, MF_EDGE_ATTR, 3);
    th_edge_add(&h, sdict, snew, MF_EDGE_KEY_STR, 0);
    /* root ['parent'] -> class Handler .__dict__ ['items'] ->
     * _lru_cache_wrapper -> dict (key) -> tuple: the cache named by the
     * method it decorates */
    th_edge_add(&h, root, cls, MF_EDGE_KEY_STR, 5);
    th_edge_add(&h, cls, cdict, MF_EDGE_ATTR, 3);
    th_edge_add(&h, cdict, wrapper, MF_EDGE_KEY_STR, 1);
    th_edge_add(&h, wrapper, cache, MF_EDGE_REF, 0);
    th_edge_add(&h, cache, key, MF_EDGE_DICT_KEY, 0);
    /* root ['next'] -> list: plain containers only, from the root */
    th_edge_add(&h, root, plain, MF_EDGE_KEY_STR, 0);
    /* a garbage cycle: no root reaches it */
    th_edge_add(&h, u1, u2, MF_EDGE_ATTR, 0);
    th_edge_add(&h, u2, u1, MF_EDGE_ATTR, 0);
    h.n_roots = 1;
    h.roots = malloc(sizeof(mf_root));
    CU_ASSERT_FATAL(h.roots != NULL);
    h.roots[0] = (mf_root){root, MF_ROOT_OTHER, MF_NONE};
    CU_ASSERT_EQUAL_FATAL(th_open(&h, &s, AN_TREND_GROWTH_COLUMNS), 0);
    gained = calloc(h.n / 64 + 1, sizeof(uint64_t));
    CU_ASSERT_FATAL(gained != NULL);
    memset(&r, 0, sizeof(r));
    CU_ASSERT_EQUAL_FATAL(an_growth_run_compute(&r, &s, NULL, gained, 0),
                          AN_OK);

    CU_ASSERT_STRING_EQUAL(label_of(&s, &r, handlers), "Logger 'k' .items");
    CU_ASSERT_STRING_EQUAL(label_of(&s, &r, logger), "Logger 'k'");
    CU_ASSERT_STRING_EQUAL(label_of(&s, &r, snew), "Session 'cache' .next");
    CU_ASSERT_STRING_EQUAL(label_of(&s, &r, cache),
                           "Handler.items's lru_cache");
    t = label_of(&s, &r, key);
    CU_ASSERT(strncmp(t, "Handler.items's lru_cache ", 26) == 0);
    CU_ASSERT(strstr(t, "(key)") != NULL);
    t = label_of(&s, &r, plain);
    CU_ASSERT(strlen(t) > 9 && strcmp(t + strlen(t) - 9, " ['next']") == 0);
    CU_ASSERT_STRING_EQUAL(label_of(&s, &r, u1), "");
    /* cut to the buffer, NUL-terminated */
    {
        char small[8];

        an_growth_label(&s, &r.roots, &r.bfs, snew, small, sizeof(small));
        CU_ASSERT_STRING_EQUAL(small, "Session");
    }
    an_growth_run_free(&r);
    free(gained);
    an_snap_close(&s);
    th_free(&h);
    th_cleanup();
}

int
main(void)
{
    static const unit_test tests[] = {
        {"random graphs equal the oracle", test_random_graphs},
        {"a signal's three dicts are one point", test_signal},
        {"a new Logger: its handler list", test_new_logger},
        {"a shared int is charged once", test_shared},
        {"recursive structures stop at the top", test_recursive},
        {"one object retaining much", test_one_object},
        {"nothing gained, everything gained", test_edges_cases},
        {"chains of millions, stars, dense blocks", test_scale},
        {"identities of two and three snapshots", test_identities},
        {"labels name the container", test_labels},
        {NULL, NULL},
    };

    return unit_run("growth", tests);
}
