/*
 * test_growth.c - CUnit tests of the accumulation points (growth.c) and
 * of path folding (fold.c).
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
 *
 * fold: random step sequences over small alphabets, checked by matching
 * them against their fold read as a regular expression and by the
 * absence of any foldable repeat left;
 * the trie against the one-path fold; the canonical shapes; grouping the
 * paths of a tree and of a chain of a million.
 */
#define _POSIX_C_SOURCE 200809L
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dominators.h"
#include "fold.h"
#include "graph.h"
#include "growth.h"
#include "paths.h"
#include "roots.h"
#include "snap.h"

#define NONE MF_NONE

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t
rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint32_t
rndn(uint32_t n)
{
    return n ? (uint32_t)(rnd() % n) : 0;
}

/* ---- a graph built edge by edge ------------------------------------- */

typedef struct eg {
    uint32_t n;
    uint64_t n_edges, cap;
    uint32_t *src, *dst;
    uint8_t *kind;
    uint64_t *start;
    uint32_t *target;
    uint8_t *ckind;
    uint64_t *label;
    uint32_t *type;
    uint64_t *size;
    an_graph g;
} eg;

static void
eg_init(eg *x, uint32_t n)
{
    memset(x, 0, sizeof(*x));
    x->n = n;
    x->type = calloc((size_t)n + 1, sizeof(uint32_t));
    x->size = calloc((size_t)n + 1, sizeof(uint64_t));
    for (uint32_t v = 0; v < n; v++) {
        x->size[v] = 16 + v % 97;
    }
}

static void
eg_add(eg *x, uint32_t a, uint32_t b, uint8_t kind)
{
    if (x->n_edges == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 64;
        x->src = realloc(x->src, x->cap * sizeof(uint32_t));
        x->dst = realloc(x->dst, x->cap * sizeof(uint32_t));
        x->kind = realloc(x->kind, x->cap);
    }
    x->src[x->n_edges] = a;
    x->dst[x->n_edges] = b;
    x->kind[x->n_edges] = kind;
    x->n_edges++;
}

static void
eg_finish(eg *x)
{
    uint64_t *pos;

    x->start = calloc((size_t)x->n + 1, sizeof(uint64_t));
    x->target = malloc((x->n_edges + 1) * sizeof(uint32_t));
    x->ckind = malloc(x->n_edges + 1);
    x->label = calloc(x->n_edges + 1, sizeof(uint64_t));
    pos = calloc((size_t)x->n + 1, sizeof(uint64_t));
    for (uint64_t e = 0; e < x->n_edges; e++) {
        x->start[x->src[e] + 1]++;
    }
    for (uint32_t v = 0; v < x->n; v++) {
        x->start[v + 1] += x->start[v];
        pos[v] = x->start[v];
    }
    for (uint64_t e = 0; e < x->n_edges; e++) {
        uint64_t k = pos[x->src[e]]++;

        x->target[k] = x->dst[e];
        x->ckind[k] = x->kind[e];
    }
    free(pos);
    memset(&x->g, 0, sizeof(x->g));
    x->g.n = x->n;
    x->g.n_edges = x->n_edges;
    x->g.edge_start = x->start;
    x->g.edge_target = x->target;
    x->g.edge_kind = x->ckind;
    x->g.edge_label = x->label;
    x->g.type = x->type;
}

static void
eg_free(eg *x)
{
    free(x->src);
    free(x->dst);
    free(x->kind);
    free(x->start);
    free(x->target);
    free(x->ckind);
    free(x->label);
    free(x->type);
    free(x->size);
}

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
        x->type[v] = rndn(n_types);
    }
    for (uint32_t e = 0; e < m; e++) {
        uint32_t a = rndn(n), b = rndn(n);

        eg_add(x, a, b, kinds[rndn(sizeof(kinds))]);
        if (rndn(10) == 0) {
            eg_add(x, a, b, kinds[rndn(sizeof(kinds))]);    /* multi */
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
        uint32_t n = 1 + rndn(round < 2000 ? 14 : 50);
        uint32_t m = rndn(3 * n + 2);
        uint32_t permille = 500 + rndn(501);
        uint64_t *old, *gained;
        mf_root rec[8];
        uint32_t n_rec = 1 + rndn(4);
        eg x;
        run r;
        orc o;
        uint32_t percent = 20 + rndn(70);

        random_graph(&x, n, m, 1 + rndn(4));
        /* old, gained, or neither (new after TARGET); every other round
         * without `old` (two snapshots: every object not gained) */
        old = round % 2 ? an_bitmap_new(n) : NULL;
        gained = an_bitmap_new(n);
        for (uint32_t v = 0; v < n; v++) {
            uint32_t die = rndn(100);

            if (die < percent) {
                an_set_bit(gained, v);
            }
            else if (old != NULL && die < percent + (100 - percent) * 3 / 4) {
                an_set_bit(old, v);
            }
            if (old != NULL && rndn(50) == 0) {
                an_set_bit(old, v);     /* gained and old: old */
            }
        }
        for (uint32_t i = 0; i < n_rec; i++) {
            rec[i].object = rndn(n);
            rec[i].kind = 1 + rndn(5);
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
            uint32_t parent = frontier[rndn(nf)];
            uint32_t kids = obj(&h, T_LIST, 0), nd = obj(&h, T_NODE, 0);

            /* each node its own list of children, for simplicity */
            eg_add(&h.x, parent, kids, MF_EDGE_ATTR);
            eg_add(&h.x, kids, nd, MF_EDGE_INDEX);
            if (nf < 64) {
                frontier[nf++] = nd;
            }
            else {
                frontier[rndn(64)] = nd;
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
        uint32_t j = rndn(t + 1), x = perm[t];

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
        if (rndn(100) < 30) {
            died[n_died++] = prev[i].slot;
        }
        else {
            next[n++] = prev[i];
            used[prev[i].slot] = 1;
        }
    }
    for (uint32_t k = rndn(120); k > 0; k--) {
        idobj o;

        o.type = (int)rndn(ID_TYPES);
        o.name = rndn(3) == 0 ? (int)rndn(ID_NAMES) : -1;
        if (n_died > 0 && rndn(2) == 0) {
            o.slot = died[rndn(n_died)];    /* address reuse */
        }
        else {
            o.slot = rndn(ID_ADDRS);
        }
        if (used[o.slot]) {
            continue;
        }
        used[o.slot] = 1;
        next[n++] = o;
    }
    for (uint32_t i = n; i > 1; i--) {
        uint32_t j = rndn(i);
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
        an_growth_ids ids;
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
        CU_ASSERT_EQUAL_FATAL(an_growth_ids_before(&ids, &s[0]), 0);
        CU_ASSERT_EQUAL_FATAL(an_growth_ids_target(&ids, &s[1]), 0);
        gained = an_growth_ids_mark(&ids, &s[2], &old);
        CU_ASSERT_FATAL(gained != NULL && old != NULL);
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
        /* two snapshots */
        CU_ASSERT_EQUAL_FATAL(an_growth_ids_before(&ids, &s[0]), 0);
        gained = an_growth_ids_mark(&ids, &s[2], &old);
        CU_ASSERT_FATAL(gained != NULL);
        CU_ASSERT(old == NULL);
        for (uint32_t i = 0; i < n[2]; i++) {
            ok &= an_bit(gained, i) == !id_in(snap[0], n[0], &snap[2][i]);
        }
        free(gained);
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

/* ---- fold ------------------------------------------------------------- */

/*
 * The folded items read as a regular expression over step keys (a STEP
 * its key, OPEN body CLOSE the body one or more times): match[] gets the
 * positions where the items it[0..n) can end when they start at any
 * position set in from[] (n_steps + 1 entries each).
 */
static void
match_items(const an_fold_step *steps, uint32_t n_steps,
            const an_fold_item *it, uint32_t n, const unsigned char *from,
            unsigned char *to)
{
    unsigned char *cur = malloc(n_steps + 1), *nxt = malloc(n_steps + 1);

    memcpy(cur, from, n_steps + 1);
    for (uint32_t i = 0; i < n;) {
        memset(nxt, 0, n_steps + 1);
        if (it[i].kind == AN_FOLD_STEP) {
            const an_fold_step *k = &steps[it[i].step];

            for (uint32_t p = 0; p < n_steps; p++) {
                if (cur[p] && steps[p].a == k->a && steps[p].b == k->b) {
                    nxt[p + 1] = 1;
                }
            }
            i++;
        }
        else {
            uint32_t depth = 0, j = i;
            unsigned char *once = malloc(n_steps + 1);
            int grew = 1;

            do {
                depth += it[j].kind == AN_FOLD_OPEN;
                depth -= it[j].kind == AN_FOLD_CLOSE;
                j++;
            } while (depth > 0);
            /* one or more times: iterate to a fixpoint */
            memcpy(once, cur, n_steps + 1);
            while (grew) {
                unsigned char *got = malloc(n_steps + 1);

                match_items(steps, n_steps, it + i + 1, j - i - 2, once,
                            got);
                grew = 0;
                for (uint32_t p = 0; p <= n_steps; p++) {
                    if (got[p] && !nxt[p]) {
                        nxt[p] = 1;
                        grew = 1;
                    }
                }
                memcpy(once, got, n_steps + 1);
                free(got);
            }
            free(once);
            i = j;
        }
        memcpy(cur, nxt, n_steps + 1);
    }
    memcpy(to, cur, n_steps + 1);
    free(cur);
    free(nxt);
}

/* The items match the whole input, and each repeat the span it says it
 * covers. */
static int
matches(const an_fold_step *steps, uint32_t n_steps, const an_fold_item *it,
        uint32_t n)
{
    unsigned char *from = calloc(n_steps + 1, 1), *to = malloc(n_steps + 1);
    int ok;

    from[0] = 1;
    match_items(steps, n_steps, it, n, from, to);
    ok = to[n_steps];
    for (uint32_t i = 0; i < n && ok; i++) {
        uint32_t depth = 0, j = i;

        if (it[i].kind != AN_FOLD_OPEN) {
            continue;
        }
        do {
            depth += it[j].kind == AN_FOLD_OPEN;
            depth -= it[j].kind == AN_FOLD_CLOSE;
            j++;
        } while (depth > 0);
        memset(from, 0, n_steps + 1);
        from[it[i].first] = 1;
        match_items(steps, n_steps, it + i, j - i, from, to);
        ok = to[it[i].last + 1] && it[i].times >= 2;
    }
    free(from);
    free(to);
    return ok;
}

/* A canonical text of the folded items (step keys, parentheses): equal
 * texts are equal folded shapes. */
static void
fold_text(const an_fold_step *steps, const an_fold_item *it, uint32_t n,
          char *buf, size_t cap)
{
    size_t len = 0;

    buf[0] = '\0';
    for (uint32_t i = 0; i < n && len + 40 < cap; i++) {
        if (it[i].kind == AN_FOLD_OPEN) {
            len += (size_t)snprintf(buf + len, cap - len, "(");
        }
        else if (it[i].kind == AN_FOLD_CLOSE) {
            len += (size_t)snprintf(buf + len, cap - len, ")+");
        }
        else {
            len += (size_t)snprintf(buf + len, cap - len, "%llu.%llu ",
                                    (unsigned long long)steps[it[i].step].a,
                                    (unsigned long long)steps[it[i].step].b);
        }
    }
}

/* No level of the folded items has X X or (X)+ X left with |X| <= p
 * (compared by canonical text of the top-level units). */
static int
maximal(const an_fold_step *steps, const an_fold_item *it, uint32_t n,
        uint32_t p)
{
    /* the units of the top level, as text */
    char (*unit)[512] = malloc((size_t)(n + 1) * sizeof(*unit));
    int *is_rep = calloc((size_t)n + 1, sizeof(int));
    char (*body)[512] = malloc((size_t)(n + 1) * sizeof(*body));
    uint32_t m = 0, ok = 1;

    for (uint32_t i = 0; i < n;) {
        if (it[i].kind == AN_FOLD_STEP) {
            fold_text(steps, it + i, 1, unit[m], 512);
            body[m][0] = '\0';
            m++;
            i++;
        }
        else {
            uint32_t depth = 0, j = i;

            do {
                depth += it[j].kind == AN_FOLD_OPEN;
                depth -= it[j].kind == AN_FOLD_CLOSE;
                j++;
            } while (depth > 0);
            fold_text(steps, it + i, j - i, unit[m], 512);
            fold_text(steps, it + i + 1, j - i - 2, body[m], 512);
            is_rep[m] = 1;
            if (!maximal(steps, it + i + 1, j - i - 2, p)) {
                ok = 0;
            }
            m++;
            i = j;
        }
    }
    for (uint32_t q = 1; q <= p && ok; q++) {
        for (uint32_t s = 0; s + 2 * q <= m && ok; s++) {
            uint32_t j;

            for (j = 0; j < q && strcmp(unit[s + j], unit[s + q + j]) == 0;
                 j++) {
            }
            ok = j < q;
        }
        /* (X)+ X: a repeat whose body's text equals the next q units */
        for (uint32_t s = 0; s + q < m && ok; s++) {
            char cat[512] = "";

            if (!is_rep[s]) {
                continue;
            }
            for (uint32_t j = 1; j <= q; j++) {
                strncat(cat, unit[s + j], sizeof(cat) - strlen(cat) - 1);
            }
            ok = strcmp(cat, body[s]) != 0;
        }
    }
    free(unit);
    free(is_rep);
    free(body);
    return (int)ok;
}

static void
test_fold_path(void)
{
    /* `.children [15] .children [1] .children [0]`, indices folded */
    an_fold_step tree[7] = {{1, 7}, {2, 1}, {3, 9}, {2, 1}, {3, 9},
                            {2, 1}, {3, 9}};
    an_fold_item *it;
    uint32_t n = an_fold_path(tree, 7, 8, &it);

    CU_ASSERT_EQUAL_FATAL(n, 5);
    CU_ASSERT_EQUAL(it[0].kind, AN_FOLD_STEP);
    CU_ASSERT_EQUAL(it[1].kind, AN_FOLD_OPEN);
    CU_ASSERT_EQUAL(it[1].times, 3);
    CU_ASSERT_EQUAL(it[1].first, 1);
    CU_ASSERT_EQUAL(it[1].last, 6);
    CU_ASSERT_EQUAL(it[2].step, 5);     /* the last occurrence */
    CU_ASSERT_EQUAL(it[3].step, 6);
    CU_ASSERT(it[2].in_repeat && !it[0].in_repeat);
    CU_ASSERT_EQUAL(it[4].kind, AN_FOLD_CLOSE);
    free(it);

    /* nothing to fold, and nothing at all */
    CU_ASSERT_EQUAL(an_fold_path(tree, 3, 8, &it), 3);
    free(it);
    CU_ASSERT_EQUAL(an_fold_path(tree, 0, 8, &it), 0);
    free(it);

    /* nested: ((a)+ b)+ c */
    {
        an_fold_step s[9] = {{1, 0}, {1, 0}, {2, 0}, {1, 0}, {1, 0}, {1, 0},
                             {2, 0}, {1, 0}, {3, 0}};
        char text[512];

        n = an_fold_path(s, 9, 8, &it);
        fold_text(s, it, n, text, sizeof(text));
        CU_ASSERT_STRING_EQUAL(text, "((1.0 )+2.0 )+1.0 3.0 ");
        free(it);
    }
    /* period 9 with max_period 8: not folded; with 9: folded */
    {
        an_fold_step s[18];

        for (int i = 0; i < 18; i++) {
            s[i].a = (uint64_t)(i % 9);
            s[i].b = 0;
        }
        CU_ASSERT_EQUAL(an_fold_path(s, 18, 8, &it), 18);
        free(it);
        CU_ASSERT_EQUAL(an_fold_path(s, 18, 9, &it), 11);
        free(it);
    }
}

static void
test_fold_random(void)
{
    an_fold_step s[200];
    an_fold_item *it;

    for (int round = 0; round < 3000; round++) {
        uint32_t n = rndn(120), alphabet = 1 + rndn(4), p = 1 + rndn(8);
        uint32_t n_items;

        /* pieces repeated, over a small alphabet */
        for (uint32_t i = 0; i < n;) {
            uint32_t plen = 1 + rndn(4), times = 1 + rndn(4);
            an_fold_step piece[4];

            for (uint32_t j = 0; j < plen; j++) {
                piece[j].a = rndn(alphabet);
                piece[j].b = rndn(2);
            }
            for (uint32_t t = 0; t < times && i < n; t++) {
                for (uint32_t j = 0; j < plen && i < n; j++) {
                    s[i++] = piece[j];
                }
            }
        }
        n_items = an_fold_path(s, n, p, &it);
        CU_ASSERT_FATAL(n_items != UINT32_MAX);
        CU_ASSERT(matches(s, n, it, n_items));
        CU_ASSERT(maximal(s, it, n_items, p));
        free(it);
    }
}

/* The trie's shape of a sequence equals the one-path fold's. */
static void
test_fold_trie(void)
{
    enum { SEQS = 400 };
    an_fold_step s[SEQS][40];
    uint32_t len[SEQS], shape[SEQS];
    char text[SEQS][512];
    an_fold_trie *t = an_fold_trie_new(4);
    an_fold_item *it;

    CU_ASSERT_FATAL(t != NULL);
    for (int q = 0; q < SEQS; q++) {
        uint32_t x = AN_FOLD_EMPTY, n;

        len[q] = rndn(40);
        for (uint32_t i = 0; i < len[q]; i++) {
            s[q][i].a = rndn(3);
            s[q][i].b = 0;
            x = an_fold_trie_append(t, x, &s[q][i]);
            CU_ASSERT_FATAL(x != NONE);
        }
        shape[q] = x;
        n = an_fold_path(s[q], len[q], 4, &it);
        fold_text(s[q], it, n, text[q], 512);
        free(it);
    }
    for (int a = 0; a < SEQS; a++) {
        for (int b = a + 1; b < SEQS; b++) {
            CU_ASSERT_EQUAL(shape[a] == shape[b],
                            strcmp(text[a], text[b]) == 0);
        }
    }
    an_fold_trie_free(t);

    /* canonical: one occurrence of a cycle belongs with its repeat */
    t = an_fold_trie_new(8);
    {
        an_fold_step root = {100, 0}, c = {1, 0}, i = {2, 0}, z = {9, 0};
        uint32_t r0, d1, d2, d3, other, *canon;

        r0 = an_fold_trie_append(t, AN_FOLD_EMPTY, &root);
        d1 = an_fold_trie_append(t, an_fold_trie_append(t, r0, &c), &i);
        d2 = an_fold_trie_append(t, an_fold_trie_append(t, d1, &c), &i);
        d3 = an_fold_trie_append(t, an_fold_trie_append(t, d2, &c), &i);
        other = an_fold_trie_append(t, an_fold_trie_append(t, r0, &z), &c);
        CU_ASSERT_EQUAL(d2, d3);
        CU_ASSERT(d1 != d2);
        CU_ASSERT_EQUAL_FATAL(an_fold_trie_canonical(t, &canon), 0);
        CU_ASSERT_EQUAL(canon[d1], canon[d2]);
        CU_ASSERT(canon[r0] != canon[d2]);
        CU_ASSERT_EQUAL(canon[other], other);
        free(canon);
    }
    an_fold_trie_free(t);
}

/* paths grouped by folded shape: a tree of `.children [i]` and a chain of
 * a million `.next` */
static void
test_fold_groups(void)
{
    uint32_t n = 200001, *targets;
    eg x;
    mf_root rec = {0, MF_ROOT_MODULE, MF_NONE};
    an_roots roots;
    an_bfs_result bfs;
    an_fold_groups fg;

    /* 0: module, 1: the tree's root; node k > 1 gets a list (a new
     * object) in its parent: object 2k-ish layout: nodes then lists */
    eg_init(&x, 2 * n);
    x.type[0] = 50;
    x.type[1] = T_NODE;
    eg_add(&x, 0, 1, MF_EDGE_KEY_STR);
    for (uint32_t k = 2; k < n; k++) {
        uint32_t parent = k < 12 ? 1 : 1 + rndn(k - 1);
        uint32_t kids = n + parent;     /* the parent's children list */

        x.type[k] = T_NODE;
        x.type[kids] = T_LIST;
        eg_add(&x, kids, k, MF_EDGE_INDEX);
    }
    for (uint32_t k = 1; k < n; k++) {
        eg_add(&x, k, n + k, MF_EDGE_ATTR);
    }
    eg_finish(&x);
    targets = malloc((size_t)n * sizeof(uint32_t));
    for (uint32_t k = 1; k < n; k++) {
        targets[k - 1] = k;
    }
    CU_ASSERT_EQUAL_FATAL(an_roots_init(&roots, &rec, 1), 0);
    CU_ASSERT_EQUAL_FATAL(an_bfs(&x.g, roots.ordered, roots.n, 0, &bfs), 0);
    CU_ASSERT_EQUAL_FATAL(an_fold_group_paths(&x.g, &bfs, &roots, targets,
                                              n - 1, 8, &fg), 0);
    /* the root, and every other node in one group */
    CU_ASSERT_EQUAL(fg.n_groups, 2);
    CU_ASSERT_EQUAL(fg.groups[0].count, n - 2);
    CU_ASSERT_EQUAL(fg.groups[1].count, 1);
    CU_ASSERT_EQUAL(fg.groups[1].example, 1);
    CU_ASSERT(fg.groups[0].example >= 12);  /* a path (.children [i])+ */
    an_fold_groups_free(&fg);
    an_bfs_free(&bfs);
    an_roots_free(&roots);
    eg_free(&x);
    free(targets);

    /* a chain of a million pairs (node -> tuple -> node ...) */
    n = 2000001;
    eg_init(&x, n);
    x.type[0] = 50;
    for (uint32_t k = 0; k + 1 < n; k++) {
        x.type[k + 1] = k % 2 ? T_NODE : T_LIST;
        eg_add(&x, k, k + 1, k % 2 ? MF_EDGE_INDEX : MF_EDGE_ATTR);
    }
    eg_finish(&x);
    targets = malloc((size_t)n * sizeof(uint32_t));
    for (uint32_t k = 1; k < n; k++) {
        targets[k - 1] = k;
    }
    CU_ASSERT_EQUAL_FATAL(an_roots_init(&roots, &rec, 1), 0);
    CU_ASSERT_EQUAL_FATAL(an_bfs(&x.g, roots.ordered, roots.n, 0, &bfs), 0);
    CU_ASSERT_EQUAL_FATAL(an_fold_group_paths(&x.g, &bfs, &roots, targets,
                                              n - 1, 8, &fg), 0);
    /* (.a [i])+ -> node, (.a [i])+ .a -> list, and the first list alone:
     * `.a` is no repeat of anything (zero repetitions do not fold) */
    CU_ASSERT_EQUAL(fg.n_groups, 3);
    CU_ASSERT_EQUAL(fg.groups[0].count, (n - 1) / 2);
    CU_ASSERT_EQUAL(fg.groups[1].count, (n - 1) / 2 - 1);
    CU_ASSERT_EQUAL(fg.groups[2].example, 1);
    an_fold_groups_free(&fg);
    an_bfs_free(&bfs);
    an_roots_free(&roots);
    eg_free(&x);
    free(targets);
}

int
main(void)
{
    CU_pSuite suite;
    int failures;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    suite = CU_add_suite("growth", NULL, NULL);
    CU_add_test(suite, "random graphs equal the oracle", test_random_graphs);
    CU_add_test(suite, "a signal's three dicts are one point", test_signal);
    CU_add_test(suite, "a new Logger: its handler list", test_new_logger);
    CU_add_test(suite, "a shared int is charged once", test_shared);
    CU_add_test(suite, "recursive structures stop at the top",
                test_recursive);
    CU_add_test(suite, "one object retaining much", test_one_object);
    CU_add_test(suite, "nothing gained, everything gained",
                test_edges_cases);
    CU_add_test(suite, "chains of millions, stars, dense blocks",
                test_scale);
    CU_add_test(suite, "identities of two and three snapshots",
                test_identities);
    suite = CU_add_suite("fold", NULL, NULL);
    CU_add_test(suite, "paths folded", test_fold_path);
    CU_add_test(suite, "random sequences match their fold, nothing "
                "foldable left", test_fold_random);
    CU_add_test(suite, "the trie equals the one-path fold", test_fold_trie);
    CU_add_test(suite, "a tree and a chain of pairs group", test_fold_groups);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = (int)CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
