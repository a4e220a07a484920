/*
 * test_models.c - the commands' models (lib/summary.h, retained.h,
 * paths.h, referrers.h, domchain.h, report.h) against naive readings of
 * their definitions, on random heaps written as snapshots (theap.h).
 *
 * The dominator tree itself is lib/dominators.h's, tested against brute
 * force in test_dominators; what is checked here is what each model
 * makes of it and of the heap: per-group counts and sizes from the heap's
 * own model, a group's retained size as the bytes of the reachable
 * objects with an instance of the group on their dominator chain (each
 * byte once), the largest retained sizes by a full sort, the referrers'
 * tree by a naive walk, a dominator chain by following idom.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/diff.h"
#include "lib/domchain.h"
#include "lib/dominators.h"
#include "lib/groups.h"
#include "lib/paths.h"
#include "lib/referrers.h"
#include "lib/report.h"
#include "lib/retained.h"
#include "lib/roots.h"
#include "lib/snap.h"
#include "lib/summary.h"
#include "theap.h"
#include "unit.h"

/* ---- helpers ---------------------------------------------------------- */

/* A random heap with instances nested in instances of their own type
 * (Node -> Node), shared payloads, islands and weak edges. */
static void
random_heap(theap *h, uint32_t n)
{
    th_random(h, n, 2, 5);
}

typedef void (*heap_check)(const theap *h, an_snap *s,
                           const an_domtree *dt);

/* Run `check` on `rounds` random heaps of at least min_n objects, each
 * opened with every column and given its dominator tree. */
static void
each_random_heap(int rounds, uint32_t min_n, heap_check check)
{
    for (int round = 0; round < rounds; round++) {
        theap h;
        an_snap s;
        an_domtree dt;

        random_heap(&h, min_n + th_randn(300));
        CU_ASSERT_EQUAL_FATAL(th_open(&h, &s, MF_COL_ALL), 0);
        CU_ASSERT_EQUAL_FATAL(an_snap_dominators(&s, NULL, &dt), AN_OK);
        check(&h, &s, &dt);
        an_domtree_free(&dt);
        an_snap_close(&s);
        th_free(&h);
    }
}

/* Does object i of h belong to the group (module, or module.qualname)? */
static int
in_group(const theap *h, uint32_t i, const char *module,
         const char *qualname)
{
    const th_type *t = &h->types[h->objs[i].type];

    return strcmp(t->module, module) == 0
           && (qualname == NULL || strcmp(t->qualname, qualname) == 0);
}

/* The key (or module group) object i's group is, by names. */
static int
group_is(const an_snap *s, int by_module, uint32_t group, uint32_t i)
{
    uint32_t k = an_snap_key_of(s, i);

    return by_module ? an_snap_module_of_key(s, k) == group : k == group;
}

/* Naive retained size of a group: the reachable objects with an object
 * of the group on their dominator chain, themselves included. */
static uint64_t
naive_group_retained(const an_snap *s, const an_domtree *dt, int by_module,
                     uint32_t group, const uint64_t *select)
{
    uint64_t sum = 0;

    for (uint32_t v = 0; v < s->g.n; v++) {
        if (an_bit(dt->unreachable, v)) {
            continue;
        }
        for (uint32_t u = v; u != AN_DOM_SUPER; u = dt->idom[u]) {
            if (group_is(s, by_module, group, u)
                && (select == NULL || an_bit(select, u))) {
                sum += s->cols.size[v];
                break;
            }
        }
    }
    return sum;
}

/* ---- summary ---------------------------------------------------------- */

static void
check_summary(const theap *h, const an_snap *s, const an_domtree *dt,
              int by_module, const char *type_name, an_summary_sort sort)
{
    an_summary m;
    uint64_t total = 0, count = 0, size = 0, rows_objects = 0;

    CU_ASSERT_EQUAL_FATAL(an_summary_compute(s, by_module, type_name, 1,
                                             sort, &m), AN_OK);
    for (uint32_t i = 0; i < h->n; i++) {
        total += h->objs[i].size;
    }
    CU_ASSERT_EQUAL(m.all_size, total);
    for (uint32_t r = 0; r < m.n_rows; r++) {
        const an_summary_row *row = &m.rows[r];
        const char *module = by_module ? s->modules[row->group]
                                       : s->keys[row->group].module;
        const char *qualname = by_module ? NULL
                                         : s->keys[row->group].qualname;
        uint64_t nc = 0, nb = 0;

        for (uint32_t i = 0; i < h->n; i++) {
            if (in_group(h, i, module, qualname)) {
                nc++;
                nb += h->objs[i].size;
            }
        }
        CU_ASSERT_EQUAL(row->count, nc);
        CU_ASSERT_EQUAL(row->size, nb);
        CU_ASSERT_EQUAL(row->retained,
                        naive_group_retained(s, dt, by_module, row->group,
                                             NULL));
        if (type_name != NULL) {
            /* "Node" names a.Node and b.Node, nothing else */
            CU_ASSERT_STRING_EQUAL(s->keys[row->group].qualname, "Node");
        }
        if (r > 0) {
            const an_summary_row *p = &m.rows[r - 1];
            uint64_t pv = sort == AN_SUMMARY_BY_COUNT ? p->count
                          : sort == AN_SUMMARY_BY_RETAINED ? p->retained
                          : p->size;
            uint64_t v = sort == AN_SUMMARY_BY_COUNT ? row->count
                         : sort == AN_SUMMARY_BY_RETAINED ? row->retained
                         : row->size;

            CU_ASSERT(pv >= v);
        }
        count += row->count;
        size += row->size;
        rows_objects += nc;
    }
    CU_ASSERT_EQUAL(m.count, count);
    CU_ASSERT_EQUAL(m.size, size);
    if (type_name == NULL) {
        /* every object in exactly one row */
        CU_ASSERT_EQUAL(rows_objects, h->n);
        CU_ASSERT_EQUAL(m.size, total);
    }
    else {
        uint64_t nodes = 0;

        for (uint32_t i = 0; i < h->n; i++) {
            nodes += strcmp(h->types[h->objs[i].type].qualname, "Node") == 0;
        }
        CU_ASSERT_EQUAL(m.count, nodes);
    }
    an_summary_free(&m);
}

static void
summary_cases(const theap *h, an_snap *s, const an_domtree *dt)
{
    check_summary(h, s, dt, 0, NULL, AN_SUMMARY_BY_SIZE);
    check_summary(h, s, dt, 1, NULL, AN_SUMMARY_BY_COUNT);
    check_summary(h, s, dt, 0, "Node", AN_SUMMARY_BY_RETAINED);
}

static void
test_summary(void)
{
    each_random_heap(12, 40, summary_cases);
    {
        theap h;
        an_snap s;
        an_summary m;

        random_heap(&h, 30);
        CU_ASSERT_EQUAL_FATAL(th_open(&h, &s, MF_COL_ALL), 0);
        CU_ASSERT_EQUAL(an_summary_compute(&s, 0, "Nope", 0,
                                           AN_SUMMARY_BY_SIZE, &m),
                        AN_ERR_NO_TYPE);
        an_summary_free(&m);
        an_snap_close(&s);
        th_free(&h);
    }
}

/* ---- retained --------------------------------------------------------- */

static int
cmp_top(const void *a, const void *b, const an_domtree *dt)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    if (dt->retained[x] != dt->retained[y]) {
        return dt->retained[x] > dt->retained[y] ? -1 : 1;
    }
    return x < y ? -1 : x > y;
}

static const an_domtree *sort_dt;

static int
cmp_top_q(const void *a, const void *b)
{
    return cmp_top(a, b, sort_dt);
}

static void
check_retained(const theap *h, const an_snap *s, const an_domtree *dt,
               const char *type_name, int by)
{
    an_retained m;
    an_typesel sel;
    uint32_t *all = malloc(((size_t)h->n + 1) * sizeof(uint32_t));
    uint32_t n_all = 0, top = 7;

    memset(&sel, 0, sizeof(sel));
    if (type_name != NULL) {
        CU_ASSERT_EQUAL_FATAL(an_type_select(s, type_name, &sel), AN_OK);
    }
    CU_ASSERT_EQUAL_FATAL(an_retained_compute(s, type_name, top, by, 1, &m),
                          AN_OK);
    CU_ASSERT_EQUAL(m.objects, h->n);
    CU_ASSERT_EQUAL(m.reach_count, dt->reachable_count);
    CU_ASSERT_EQUAL(m.unreach_size, dt->unreachable_size);
    /* the top objects: a full sort of the reachable (selected) ones */
    for (uint32_t v = 0; v < h->n; v++) {
        if (!an_bit(dt->unreachable, v)
            && (type_name == NULL || an_bit(sel.objects, v))) {
            all[n_all++] = v;
        }
    }
    sort_dt = dt;
    qsort(all, n_all, sizeof(uint32_t), cmp_top_q);
    CU_ASSERT_EQUAL(m.n_top, n_all < top ? n_all : top);
    for (uint32_t i = 0; i < m.n_top; i++) {
        const an_retained_object *o = &m.top[i];

        CU_ASSERT_EQUAL(o->obj, all[i]);
        CU_ASSERT_EQUAL(o->retained, dt->retained[all[i]]);
        CU_ASSERT_EQUAL(o->size, h->objs[all[i]].size);
        /* its path leads from a root to it */
        CU_ASSERT_FATAL(o->path.len > 0);
        CU_ASSERT_EQUAL(o->path.objs[o->path.len - 1], o->obj);
    }
    /* the groups: the outermost (selected) instances of each */
    for (uint32_t gi = 0; gi < m.n_groups; gi++) {
        const an_retained_group *g = &m.groups[gi];
        uint64_t outer = 0;

        CU_ASSERT_EQUAL(g->retained,
                        naive_group_retained(s, dt,
                                             by == AN_RETAINED_BY_MODULE,
                                             g->group, sel.objects));
        for (uint32_t v = 0; v < h->n; v++) {
            int is = !an_bit(dt->unreachable, v)
                     && group_is(s, by == AN_RETAINED_BY_MODULE, g->group, v)
                     && (sel.objects == NULL || an_bit(sel.objects, v));

            for (uint32_t u = dt->idom[v]; is && u != AN_DOM_SUPER;
                 u = dt->idom[u]) {
                is = !group_is(s, by == AN_RETAINED_BY_MODULE, g->group, u);
            }
            outer += is;
        }
        CU_ASSERT_EQUAL(g->count, outer);
        if (gi > 0) {
            CU_ASSERT(m.groups[gi - 1].retained >= g->retained);
        }
    }
    CU_ASSERT(by != 0 || m.n_groups == 0);
    an_retained_free(&m);
    an_typesel_free(&sel);
    free(all);
}

static void
retained_cases(const theap *h, an_snap *s, const an_domtree *dt)
{
    check_retained(h, s, dt, NULL, AN_RETAINED_BY_TYPE);
    check_retained(h, s, dt, NULL, AN_RETAINED_BY_MODULE);
    check_retained(h, s, dt, "Node", AN_RETAINED_BY_TYPE);
    check_retained(h, s, dt, "app.Session", 0);
}

static void
test_retained(void)
{
    each_random_heap(12, 40, retained_cases);
}

/* ---- paths ------------------------------------------------------------ */

static void
check_paths(const theap *h, const an_snap *s, const an_domtree *dt,
            unsigned flags)
{
    an_paths m;
    uint64_t n_nodes = 0, in_groups = 0;
    uint32_t max_groups = 3;

    CU_ASSERT_EQUAL_FATAL(an_paths_compute(s, "Node", 0,
                                           flags | AN_PATHS_RETAINED,
                                           max_groups, &m), AN_OK);
    /* the targets: every Node, in index order */
    for (uint32_t i = 0; i < h->n; i++) {
        if (strcmp(h->types[h->objs[i].type].qualname, "Node") == 0) {
            CU_ASSERT_FATAL(n_nodes < m.n_targets);
            CU_ASSERT_EQUAL(m.targets[n_nodes], i);
            n_nodes++;
        }
    }
    CU_ASSERT_EQUAL(m.n_targets, n_nodes);
    CU_ASSERT_EQUAL(m.n_examples,
                    m.groups.n_groups < max_groups ? m.groups.n_groups
                                                   : max_groups);
    for (uint32_t g = 0; g < m.groups.n_groups; g++) {
        uint64_t want = 0;

        /* a group's retained size: its outermost targets' (no strict
         * dominator is a Node) */
        for (uint64_t t = 0; t < m.n_targets; t++) {
            uint32_t v = m.targets[t];
            int outer = !an_bit(dt->unreachable, v);

            if (m.groups.group_of[t] != g) {
                continue;
            }
            for (uint32_t u = dt->idom[v]; outer && u != AN_DOM_SUPER;
                 u = dt->idom[u]) {
                outer = strcmp(h->types[h->objs[u].type].qualname, "Node")
                        != 0;
            }
            want += outer ? dt->retained[v] : 0;
        }
        CU_ASSERT_EQUAL(m.group_retained[g], want);
        in_groups += m.groups.groups[g].count;
        if (g < m.n_examples) {
            const an_pathbuf *pb = &m.examples[g];

            CU_ASSERT_EQUAL(pb->len, m.groups.groups[g].length);
            CU_ASSERT_EQUAL(pb->objs[pb->len - 1],
                            m.groups.groups[g].example);
        }
    }
    CU_ASSERT_EQUAL(in_groups + m.groups.unreachable, m.n_targets);
    an_paths_free(&m);
}

static void
paths_cases(const theap *h, an_snap *s, const an_domtree *dt)
{
    uint32_t target = th_randn(h->n);
    an_paths one;

    check_paths(h, s, dt, 0);
    check_paths(h, s, dt, AN_PATHS_WEAK | AN_PATHS_FOLD_KEYS);
    /* one object: itself the only target */
    CU_ASSERT_EQUAL_FATAL(an_paths_compute(s, NULL, target, 0, 1, &one),
                          AN_OK);
    CU_ASSERT_EQUAL(one.n_targets, 1);
    CU_ASSERT_EQUAL(one.targets[0], target);
    CU_ASSERT_PTR_NULL(one.group_retained);
    CU_ASSERT_EQUAL(one.groups.n_groups + one.groups.unreachable, 1);
    an_paths_free(&one);
}

static void
test_paths(void)
{
    each_random_heap(12, 40, paths_cases);
}

/* ---- referrers -------------------------------------------------------- */

typedef struct naive_node {
    uint32_t obj, level;
    int seen, walked;
    uint64_t total;
    uint32_t shown, end;
} naive_node;

typedef struct naive_tree {
    naive_node *nodes;
    uint32_t n, cap;
    unsigned char *expanded;
    uint64_t depth, max_children;
} naive_tree;

/* The distinct objects with an edge to obj, ascending, by a scan. */
static uint32_t
naive_referrers(const theap *h, uint32_t obj, uint32_t *out)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < h->n; i++) {
        for (uint32_t k = 0; k < h->objs[i].n_edges; k++) {
            if (h->objs[i].edges[k].target == obj) {
                out[n++] = i;
                break;
            }
        }
    }
    return n;
}

static uint32_t
naive_add(naive_tree *t, uint32_t obj, uint32_t level)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->nodes = realloc(t->nodes, t->cap * sizeof(naive_node));
    }
    memset(&t->nodes[t->n], 0, sizeof(naive_node));
    t->nodes[t->n].obj = obj;
    t->nodes[t->n].level = level;
    return t->n++;
}

static void
naive_walk(const theap *h, naive_tree *t, uint32_t i)
{
    uint32_t obj = t->nodes[i].obj, level = t->nodes[i].level + 1;
    uint32_t *list, total, shown;

    if (level > t->depth || t->n - 1 >= AN_REFERRERS_CAP) {
        t->nodes[i].end = t->n;
        return;
    }
    t->expanded[obj] = 1;
    list = malloc(((size_t)h->n + 1) * sizeof(uint32_t));
    total = naive_referrers(h, obj, list);
    shown = total < t->max_children ? total : (uint32_t)t->max_children;
    t->nodes[i].walked = 1;
    t->nodes[i].total = total;
    t->nodes[i].shown = shown;
    for (uint32_t k = 0; k < shown; k++) {
        uint32_t c = naive_add(t, list[k], level);

        t->nodes[c].seen = t->expanded[list[k]];
        if (!t->nodes[c].seen) {
            naive_walk(h, t, c);
        }
        t->nodes[c].end = t->n;
    }
    t->nodes[i].end = t->n;
    free(list);
}

static void
test_referrers(void)
{
    for (int round = 0; round < 20; round++) {
        theap h;
        an_snap s;
        an_reftree m;
        naive_tree t;
        uint32_t target;

        random_heap(&h, 10 + th_randn(200));
        CU_ASSERT_EQUAL_FATAL(th_open(&h, &s, MF_COL_ALL), 0);
        target = th_randn(h.n);
        memset(&t, 0, sizeof(t));
        t.depth = 1 + th_randn(5);
        t.max_children = 1 + th_randn(6);
        t.expanded = calloc((size_t)h.n + 1, 1);
        naive_add(&t, target, 0);
        naive_walk(&h, &t, 0);
        CU_ASSERT_EQUAL_FATAL(an_reftree_compute(&s, target, t.depth,
                                                 t.max_children, &m),
                              AN_OK);
        CU_ASSERT_EQUAL(m.n_nodes, t.n);
        CU_ASSERT_FALSE(m.cut);
        for (uint32_t i = 0; i < m.n_nodes && i < t.n; i++) {
            const an_refnode *a = &m.nodes[i];
            const naive_node *b = &t.nodes[i];

            CU_ASSERT_EQUAL(a->obj, b->obj);
            CU_ASSERT_EQUAL(a->level, b->level);
            CU_ASSERT_EQUAL(a->seen, b->seen);
            CU_ASSERT_EQUAL(a->walked, b->walked);
            CU_ASSERT_EQUAL(a->total, b->total);
            CU_ASSERT_EQUAL(a->shown, b->shown);
            CU_ASSERT_EQUAL(a->end, b->end);
            CU_ASSERT(i == 0 || (a->labels != NULL && a->labels[0] != '\0'));
        }
        an_reftree_free(&m);
        free(t.nodes);
        free(t.expanded);
        an_snap_close(&s);
        th_free(&h);
    }
}

/* The labels of a referrer: every edge to the object, weak ones said. */
static void
test_referrer_labels(void)
{
    theap h;
    an_snap s;
    an_reftree m;
    uint32_t a, b, c;

    th_init(&h, 9);
    a = th_add(&h, 0x1000, 0, 64);
    b = th_add(&h, 0x1040, 1, 64);
    c = th_add(&h, 0x1080, 7, 48);
    th_edge_add(&h, a, c, MF_EDGE_KEY_STR, 2);      /* ['cache'] */
    th_edge_add(&h, a, c, MF_EDGE_ATTR, 0);         /* .next */
    th_edge_add(&h, b, c, MF_EDGE_REF | MF_EDGE_WEAK, 0);
    CU_ASSERT_EQUAL_FATAL(th_open(&h, &s, MF_COL_ALL), 0);
    CU_ASSERT_EQUAL_FATAL(an_reftree_compute(&s, c, 1, 10, &m), AN_OK);
    CU_ASSERT_EQUAL_FATAL(m.n_nodes, 3);
    CU_ASSERT_EQUAL(m.nodes[1].obj, a);
    CU_ASSERT_STRING_EQUAL(m.nodes[1].labels, "['cache'], .next");
    CU_ASSERT_EQUAL(m.nodes[2].obj, b);
    CU_ASSERT_STRING_EQUAL(m.nodes[2].labels, "(ref) (weak)");
    an_reftree_free(&m);
    an_snap_close(&s);
    th_free(&h);
}

/* ---- dominator chains ------------------------------------------------- */

static void
domchain_cases(const theap *h, an_snap *s, const an_domtree *dt)
{
    for (uint32_t v = 0; v < h->n; v += 1 + th_randn(5)) {
        an_domchain m;
        uint32_t len = 0, u;

        CU_ASSERT_EQUAL_FATAL(an_domchain_compute(s, v, &m), AN_OK);
        for (u = v; u != AN_DOM_SUPER; u = dt->idom[u]) {
            len++;
        }
        CU_ASSERT_EQUAL_FATAL(m.len, len);
        CU_ASSERT_EQUAL(m.unreachable, an_bit(dt->unreachable, v));
        /* outermost first, the target last */
        u = v;
        for (uint32_t i = len; i-- > 0; u = dt->idom[u]) {
            CU_ASSERT_EQUAL(m.objs[i], u);
            CU_ASSERT_EQUAL(m.retained[i], dt->retained[u]);
        }
        CU_ASSERT_EQUAL(m.edge[0], UINT64_MAX);
        for (uint32_t i = 1; i < len; i++) {
            const th_object *from = &h->objs[m.objs[i - 1]];
            int strong = 0;

            for (uint32_t k = 0; k < from->n_edges; k++) {
                strong |= from->edges[k].target == m.objs[i]
                          && !(from->edges[k].kind & MF_EDGE_WEAK);
            }
            CU_ASSERT_EQUAL(m.edge[i] != UINT64_MAX, strong);
            if (m.edge[i] != UINT64_MAX) {
                CU_ASSERT_EQUAL(s->g.edge_target[m.edge[i]], m.objs[i]);
                CU_ASSERT_EQUAL(an_edge_source(&s->g, m.edge[i]),
                                m.objs[i - 1]);
            }
        }
        an_domchain_free(&m);
    }
}

static void
test_domchain(void)
{
    each_random_heap(12, 20, domchain_cases);
}

/* r -> x; x -> y weakly, and through p and q: x dominates y without a
 * strong edge to it. */
static void
test_domchain_weak(void)
{
    theap h;
    an_snap s;
    an_domchain m;
    uint32_t r, x, y, p, q;

    th_init(&h, 4);
    r = th_add(&h, 0x1000, 0, 10);
    x = th_add(&h, 0x1040, 1, 20);
    y = th_add(&h, 0x1080, 2, 30);
    p = th_add(&h, 0x10c0, 3, 40);
    q = th_add(&h, 0x1100, 3, 50);
    th_edge_add(&h, r, x, MF_EDGE_KEY_STR, 0);
    th_edge_add(&h, x, y, MF_EDGE_REF | MF_EDGE_WEAK, 0);
    th_edge_add(&h, x, p, MF_EDGE_INDEX, 0);
    th_edge_add(&h, x, q, MF_EDGE_INDEX, 1);
    th_edge_add(&h, p, y, MF_EDGE_ATTR, 1);
    th_edge_add(&h, q, y, MF_EDGE_ATTR, 1);
    h.roots = calloc(1, sizeof(mf_root));
    h.roots[0] = (mf_root){r, MF_ROOT_MODULE, MF_NONE};
    h.n_roots = 1;
    CU_ASSERT_EQUAL_FATAL(th_open(&h, &s, MF_COL_ALL), 0);
    CU_ASSERT_EQUAL_FATAL(an_domchain_compute(&s, y, &m), AN_OK);
    CU_ASSERT_EQUAL_FATAL(m.len, 3);
    CU_ASSERT(m.objs[0] == r && m.objs[1] == x && m.objs[2] == y);
    CU_ASSERT_EQUAL(m.retained[0], 150);
    CU_ASSERT_EQUAL(m.retained[1], 140);
    CU_ASSERT_EQUAL(m.retained[2], 30);
    CU_ASSERT_NOT_EQUAL(m.edge[1], UINT64_MAX);
    CU_ASSERT_EQUAL(m.edge[2], UINT64_MAX);     /* only a weak one */
    CU_ASSERT_FALSE(m.unreachable);
    an_domchain_free(&m);
    an_snap_close(&s);
    th_free(&h);
}

/* ---- the report ------------------------------------------------------- */

static void
test_report(void)
{
    for (int round = 0; round < 8; round++) {
        theap h, b;
        an_snap s, sb;
        an_domtree dt;
        an_report r;
        uint64_t total = 0, boxes = 0, n_keys = 0;
        uint32_t n_changed = 0;

        random_heap(&b, 40 + th_randn(300));
        th_evolve(&h, &b, th_randn(30), th_randn(200));
        CU_ASSERT_EQUAL_FATAL(th_open(&h, &s, MF_COL_ALL), 0);
        CU_ASSERT_EQUAL_FATAL(th_open(&b, &sb, MF_COL_ALL), 0);
        CU_ASSERT_EQUAL_FATAL(an_snap_dominators(&s, NULL, &dt), AN_OK);
        memset(&r, 0, sizeof(r));
        CU_ASSERT_EQUAL_FATAL(an_report_snapshot(&r, &s, 5), AN_OK);
        CU_ASSERT_EQUAL_FATAL(an_report_base(&r, &sb, &s, NULL), AN_OK);
        for (uint32_t i = 0; i < h.n; i++) {
            total += h.objs[i].size;
        }
        CU_ASSERT_EQUAL(r.objects, h.n);
        CU_ASSERT_EQUAL(r.size, total);
        CU_ASSERT_EQUAL(r.reachable_size, dt.reachable_size);
        CU_ASSERT_EQUAL(r.unreachable_count, dt.unreachable_count);
        /* the types' rows: the largest five, each as the heap says */
        for (uint32_t k = 0; k < s.n_keys; k++) {
            for (uint32_t i = 0; i < h.n; i++) {
                if (an_snap_key_of(&s, i) == k) {
                    n_keys++;
                    break;
                }
            }
        }
        CU_ASSERT_EQUAL(r.n_types, n_keys);
        CU_ASSERT_EQUAL(r.n_types_shown, n_keys < 5 ? n_keys : 5);
        for (uint32_t t = 0; t < r.n_types_shown; t++) {
            const an_report_row *row = &r.types[t];
            uint64_t nc = 0, nb = 0;

            for (uint32_t i = 0; i < h.n; i++) {
                const th_type *ty = &h.types[h.objs[i].type];
                char full[128];

                /* the name is the qualname, or module.qualname where
                 * two modules have a type of that qualname */
                snprintf(full, sizeof(full), "%s.%s", ty->module,
                         ty->qualname);
                if (strcmp(ty->module, row->module) == 0
                    && (strcmp(ty->qualname, row->name) == 0
                        || strcmp(full, row->name) == 0)) {
                    nc++;
                    nb += h.objs[i].size;
                }
            }
            CU_ASSERT_EQUAL(row->count, nc);
            CU_ASSERT_EQUAL(row->size, nb);
            CU_ASSERT(t == 0 || r.types[t - 1].size >= row->size);
        }
        /* no class defined in Python (theap's types are no heap types):
         * each object is charged to itself, the boxes add up */
        CU_ASSERT_EQUAL(r.charged, dt.reachable_size);
        for (uint32_t i = 0; i < r.n_boxes; i++) {
            if (r.boxes[i].level == 0) {
                boxes += r.boxes[i].value;
            }
        }
        CU_ASSERT_EQUAL(boxes, r.charged);
        /* the top objects: largest retained first */
        for (uint32_t i = 1; i < r.n_top; i++) {
            CU_ASSERT(r.top[i - 1].retained >= r.top[i].retained);
        }
        /* --base: the types whose count or size changed */
        CU_ASSERT_EQUAL(r.base_objects, b.n);
        for (uint32_t i = 0; i < r.n_changes; i++) {
            const an_report_change *ch = &r.changes[i];
            uint64_t ca = 0, cb = 0, za = 0, zb = 0;

            for (uint32_t k = 0; k < b.n; k++) {
                if (in_group(&b, k, ch->module, ch->name)) {
                    ca++;
                    za += b.objs[k].size;
                }
            }
            for (uint32_t k = 0; k < h.n; k++) {
                if (in_group(&h, k, ch->module, ch->name)) {
                    cb++;
                    zb += h.objs[k].size;
                }
            }
            CU_ASSERT(ch->count_a == ca && ch->count_b == cb
                      && ch->size_a == za && ch->size_b == zb);
            CU_ASSERT(ca != cb || za != zb);
        }
        for (uint32_t t = 0; t < h.n_types; t++) {
            uint64_t ca = 0, cb = 0, za = 0, zb = 0;

            for (uint32_t k = 0; k < b.n; k++) {
                if (b.objs[k].type == t) {
                    ca++;
                    za += b.objs[k].size;
                }
            }
            for (uint32_t k = 0; k < h.n; k++) {
                if (h.objs[k].type == t) {
                    cb++;
                    zb += h.objs[k].size;
                }
            }
            n_changed += ca != cb || za != zb;
        }
        CU_ASSERT_EQUAL(r.n_changed, n_changed);
        an_report_free(&r);
        an_domtree_free(&dt);
        an_snap_close(&s);
        an_snap_close(&sb);
        th_free(&h);
        th_free(&b);
    }
}

int
main(void)
{
    static const unit_test tests[] = {
        {"summary equals naive groups", test_summary},
        {"retained equals a full sort and naive groups", test_retained},
        {"paths: targets, groups, retained per group", test_paths},
        {"referrers equal a naive walk", test_referrers},
        {"referrers' labels", test_referrer_labels},
        {"dominator chains follow idom", test_domchain},
        {"a dominator without a strong edge", test_domchain_weak},
        {"the report's model", test_report},
        {NULL, NULL},
    };

    return unit_run("models", tests);
}
