/*
 * test_diff.c - the models that compare snapshots, against naive
 * counts over the heaps the test wrote: object identities across
 * snapshots (objset.h), the per-type diff with its new objects
 * (diff.h), the series of trend.h, and its points that grew in every
 * step (trend --growth) on a series made by hand.
 *
 * The heaps are random series of one process (theap.h): objects keep
 * their addresses, some are freed, new ones come, some at a freed
 * address with another type; the files list the types in different
 * orders and name one type twice, so that only names may match types.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/diff.h"
#include "lib/objset.h"
#include "lib/snap.h"
#include "theap.h"
#include "lib/trend.h"
#include "unit.h"

/* the columns an object's identity needs, and a summary's */
#define IDS (MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_NAME)
#define SIZES (MF_COL_TYPE | MF_COL_SIZE)

/* Do two objects' names match (both none, or equal)? */
static int
same_name(const char *a, const char *b)
{
    return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* Is there an object in h with this address, type name and name? */
static int
naive_has(const theap *h, uint64_t address, const th_type *t,
          const char *name)
{
    for (uint32_t i = 0; i < h->n; i++) {
        const th_type *u = &h->types[h->objs[i].type];

        if (h->objs[i].address == address
            && strcmp(u->module, t->module) == 0
            && strcmp(u->qualname, t->qualname) == 0
            && same_name(h->objs[i].name, name)) {
            return 1;
        }
    }
    return 0;
}

/* Names for some objects: functions freed and others made at their
 * addresses differ by them. */
static const char *const names_pool[] = {"err", "on_placed", "run", NULL};

static void
give_names(theap *h)
{
    for (uint32_t i = 0; i < h->n; i++) {
        uint32_t r = th_randn(8);

        h->objs[i].name = r < 3 ? names_pool[r] : NULL;
    }
}

/* The name of a group of the diff/trend models (by type or module). */
static int
group_of_type(const an_strmap *names, int by_module, const th_type *t)
{
    return (int)an_strmap_get(names, t->module, strlen(t->module),
                              by_module ? "" : t->qualname,
                              by_module ? 0 : strlen(t->qualname));
}

/* ---- identities ------------------------------------------------------ */

static void
test_objset_naive(void)
{
    for (int round = 0; round < 20; round++) {
        theap a, b;
        an_snap sa, sb;
        an_strmap *codes = an_strmap_new();
        an_idorder oa, ob;
        an_objset set;
        uint64_t *select, *in, marked, want_marked = 0;

        th_random(&a, 50 + th_randn(400), 2, 7);
        give_names(&a);
        th_evolve(&b, &a, 30, 100);
        /* some survivors renamed (a function freed, another one at its
         * address), and in odd rounds objects sharing an address (a
         * hostile file) */
        for (uint32_t i = 0; i < b.n; i++) {
            if (th_randn(10) == 0) {
                b.objs[i].name = names_pool[th_randn(3)];
            }
            if (round % 2 && i > 0 && th_randn(6) == 0) {
                b.objs[i].address = b.objs[i - 1].address;
            }
        }
        for (uint32_t i = 0; round % 2 && i + 1 < a.n; i += 7) {
            a.objs[i + 1].address = a.objs[i].address;
        }
        CU_ASSERT_EQUAL_FATAL(th_open(&a, &sa, IDS), 0);
        CU_ASSERT_EQUAL_FATAL(th_open(&b, &sb, IDS), 0);
        /* A's objects, every other one */
        select = an_bitmap_new(sa.cols.n_objects);
        for (uint32_t i = 0; i < sa.cols.n_objects; i += 2) {
            an_set_bit(select, i);
        }
        CU_ASSERT_PTR_NOT_NULL_FATAL(codes);
        CU_ASSERT_EQUAL_FATAL(an_idorder_of(&oa, codes, &sa, 1), AN_OK);
        CU_ASSERT_EQUAL_FATAL(an_objset_of(&set, &oa, select), AN_OK);
        CU_ASSERT_EQUAL_FATAL(an_idorder_of(&ob, codes, &sb, 0), AN_OK);
        /* ordered by address */
        for (uint64_t k = 1; k < ob.n; k++) {
            CU_ASSERT(ob.addr[k - 1] <= ob.addr[k]);
        }
        in = an_bitmap_new(sb.cols.n_objects);
        marked = an_objset_mark(&set, &ob, in);
        for (uint32_t i = 0; i < b.n; i++) {
            theap half;
            int want;

            /* the model of what was added: A's even objects */
            th_init(&half, a.pid);
            for (uint32_t k = 0; k < a.n; k += 2) {
                uint32_t x = th_add(&half, a.objs[k].address,
                                    a.objs[k].type, 1);

                half.objs[x].name = a.objs[k].name;
            }
            want = naive_has(&half, b.objs[i].address,
                             &b.types[b.objs[i].type], b.objs[i].name);
            want_marked += want;
            CU_ASSERT_EQUAL(an_bit(in, i), want);
            th_free(&half);
        }
        CU_ASSERT_EQUAL(marked, want_marked);
        free(select);
        free(in);
        an_objset_free(&set);
        an_idorder_free(&oa);
        an_idorder_free(&ob);
        an_strmap_free(codes);
        an_snap_close(&sa);
        an_snap_close(&sb);
        th_free(&a);
        th_free(&b);
    }
}

/* ---- diff ------------------------------------------------------------- */

/* New objects at an address an object of A had (with another type),
 * over all rounds: the case an address-only diff would get wrong. */
static uint64_t seen_reused;

typedef struct naive_row {
    uint64_t count_a, count_b, size_a, size_b, new_count, new_size;
} naive_row;

static void
check_diff(const theap *a, const theap *b, int by_module)
{
    an_snap sa, sb;
    an_diff d;
    naive_row rows[2 * TH_MAX_TYPES];
    uint64_t new_count = 0, new_size = 0, top[AN_DIFF_LARGEST];
    uint32_t n_top = 0;

    memset(rows, 0, sizeof(rows));
    CU_ASSERT_EQUAL_FATAL(th_open(a, &sa, IDS | MF_COL_SIZE), 0);
    CU_ASSERT_EQUAL_FATAL(th_open(b, &sb, IDS | MF_COL_SIZE), 0);
    CU_ASSERT_EQUAL_FATAL(an_diff_init(&d, by_module, 1), 0);
    CU_ASSERT_EQUAL_FATAL(an_diff_add(&d, 0, &sa, NULL, NULL), 0);
    an_snap_close(&sa);     /* A's columns are no longer needed */
    CU_ASSERT_EQUAL_FATAL(an_diff_add(&d, 1, &sb, NULL, NULL), 0);
    an_diff_sort(&d);

    for (uint32_t i = 0; i < a->n; i++) {
        int g = group_of_type(d.names, by_module,
                              &a->types[a->objs[i].type]);

        CU_ASSERT_FATAL(g >= 0 && g < 2 * TH_MAX_TYPES);
        rows[g].count_a++;
        rows[g].size_a += a->objs[i].size;
    }
    for (uint32_t i = 0; i < b->n; i++) {
        const th_type *t = &b->types[b->objs[i].type];
        int g = group_of_type(d.names, by_module, t);

        CU_ASSERT_FATAL(g >= 0 && g < 2 * TH_MAX_TYPES);
        rows[g].count_b++;
        rows[g].size_b += b->objs[i].size;
        if (!naive_has(a, b->objs[i].address, t, b->objs[i].name)) {
            for (uint32_t k = 0; k < a->n; k++) {
                seen_reused += a->objs[k].address == b->objs[i].address;
            }
            rows[g].new_count++;
            rows[g].new_size += b->objs[i].size;
            new_count++;
            new_size += b->objs[i].size;
            /* the sizes of the largest new objects, descending */
            if (n_top < AN_DIFF_LARGEST
                || b->objs[i].size > top[n_top - 1]) {
                uint32_t p = n_top < AN_DIFF_LARGEST ? n_top++ : n_top - 1;

                while (p > 0 && top[p - 1] < b->objs[i].size) {
                    top[p] = top[p - 1];
                    p--;
                }
                top[p] = b->objs[i].size;
            }
        }
    }
    CU_ASSERT_EQUAL(d.count_a, a->n);
    CU_ASSERT_EQUAL(d.count_b, b->n);
    CU_ASSERT_EQUAL(d.new_count, new_count);
    CU_ASSERT_EQUAL(d.new_size, new_size);
    CU_ASSERT_EQUAL(d.n_largest, n_top);
    for (uint32_t k = 0; k < d.n_largest && k < n_top; k++) {
        CU_ASSERT_EQUAL(d.largest[k].size, top[k]);
        CU_ASSERT_EQUAL(sb.cols.size[d.largest[k].index], top[k]);
        CU_ASSERT_EQUAL(sb.cols.address[d.largest[k].index],
                        d.largest[k].address);
    }
    for (uint32_t r = 0; r < d.n_rows; r++) {
        const an_diff_row *w = &d.rows[r];
        const naive_row *x = &rows[w->id];

        CU_ASSERT(w->count_a == x->count_a && w->count_b == x->count_b
                  && w->size_a == x->size_a && w->size_b == x->size_b);
        CU_ASSERT(w->new_count == x->new_count
                  && w->new_size == x->new_size);
        if (r > 0) {
            /* size growth descending, then count growth, then id */
            const an_diff_row *p = &d.rows[r - 1];
            int64_t gp = (int64_t)(p->size_b - p->size_a);
            int64_t gw = (int64_t)(w->size_b - w->size_a);
            int64_t cp = (int64_t)(p->count_b - p->count_a);
            int64_t cw = (int64_t)(w->count_b - w->count_a);

            CU_ASSERT(gp > gw || (gp == gw && (cp > cw
                                               || (cp == cw
                                                   && p->id < w->id))));
        }
    }
    an_diff_free(&d);
    an_snap_close(&sb);
}

static void
test_diff_naive(void)
{
    for (int round = 0; round < 20; round++) {
        theap a, b;

        th_random(&a, 20 + th_randn(600), 2, 7);
        th_evolve(&b, &a, th_randn(60), th_randn(300));
        check_diff(&a, &b, round % 2);
        th_free(&a);
        th_free(&b);
    }
    CU_ASSERT(seen_reused > 0);
}

/* Retained sizes per group: the sum over the objects the caller marks
 * (the outermost ones), of the sizes the caller gives. */
static void
test_diff_retained(void)
{
    theap a;
    an_snap s;
    an_diff d;
    uint64_t *ret, *outer, want[2 * TH_MAX_TYPES] = {0};

    th_random(&a, 300, 2, 7);
    CU_ASSERT_EQUAL_FATAL(th_open(&a, &s, SIZES), 0);
    ret = malloc((size_t)a.n * sizeof(uint64_t));
    outer = an_bitmap_new(a.n);
    CU_ASSERT_EQUAL_FATAL(an_diff_init(&d, 0, 0), 0);
    CU_ASSERT_EQUAL_FATAL(an_diff_add(&d, 0, &s, NULL, NULL), 0);
    for (uint32_t i = 0; i < a.n; i++) {
        ret[i] = th_randn(10000);
        if (th_randn(3) == 0) {
            an_set_bit(outer, i);
        }
    }
    CU_ASSERT_EQUAL_FATAL(an_diff_add(&d, 1, &s, ret, outer), 0);
    for (uint32_t i = 0; i < a.n; i++) {
        if (an_bit(outer, i)) {
            want[group_of_type(d.names, 0, &a.types[a.objs[i].type])]
                += ret[i];
        }
    }
    for (uint32_t r = 0; r < d.n_rows; r++) {
        CU_ASSERT_EQUAL(d.rows[r].retained_a, 0);
        CU_ASSERT_EQUAL(d.rows[r].retained_b, want[d.rows[r].id]);
    }
    an_diff_free(&d);
    an_snap_close(&s);
    free(ret);
    free(outer);
    th_free(&a);
}

/* ---- trend ------------------------------------------------------------ */

#define TR_SNAPS 5

static void
test_trend_naive(void)
{
    for (int round = 0; round < 10; round++) {
        theap h[TR_SNAPS];
        an_trend t;
        int by_module = round % 2;
        uint64_t count[2 * TH_MAX_TYPES][TR_SNAPS];
        uint64_t size[2 * TH_MAX_TYPES][TR_SNAPS];

        memset(count, 0, sizeof(count));
        memset(size, 0, sizeof(size));
        th_random(&h[0], 50 + th_randn(300), 1, 9);
        for (int k = 1; k < TR_SNAPS; k++) {
            th_evolve(&h[k], &h[k - 1], th_randn(20), th_randn(100));
        }
        CU_ASSERT_EQUAL_FATAL(an_trend_init(&t, by_module, TR_SNAPS), 0);
        for (int k = 0; k < TR_SNAPS; k++) {
            an_snap s;

            CU_ASSERT_EQUAL_FATAL(th_open(&h[k], &s, SIZES), 0);
            CU_ASSERT_EQUAL_FATAL(an_trend_add(&t, (uint32_t)k, &s), 0);
            an_snap_close(&s);
        }
        an_trend_finish(&t);
        for (int k = 0; k < TR_SNAPS; k++) {
            uint64_t total = 0;

            for (uint32_t i = 0; i < h[k].n; i++) {
                int g = group_of_type(t.names, by_module,
                                      &h[k].types[h[k].objs[i].type]);

                CU_ASSERT_FATAL(g >= 0 && g < 2 * TH_MAX_TYPES);
                count[g][k]++;
                size[g][k] += h[k].objs[i].size;
                total += h[k].objs[i].size;
            }
            CU_ASSERT_EQUAL(t.total_count[k], h[k].n);
            CU_ASSERT_EQUAL(t.total_size[k], total);
        }
        for (uint32_t r = 0; r < t.n_rows; r++) {
            const an_trend_row *w = &t.rows[r];
            int growing = 1;

            for (int k = 0; k < TR_SNAPS; k++) {
                CU_ASSERT_EQUAL(w->count[k], count[w->id][k]);
                CU_ASSERT_EQUAL(w->size[k], size[w->id][k]);
                if (k > 0 && count[w->id][k] <= count[w->id][k - 1]) {
                    growing = 0;
                }
            }
            CU_ASSERT_EQUAL(w->growing, growing);
            CU_ASSERT_EQUAL(w->count_growth,
                            (int64_t)(count[w->id][TR_SNAPS - 1]
                                      - count[w->id][0]));
            if (r > 0) {
                /* growing first, then size growth descending */
                const an_trend_row *p = &t.rows[r - 1];

                CU_ASSERT(p->growing > w->growing
                          || (p->growing == w->growing
                              && p->size_growth >= w->size_growth));
            }
        }
        an_trend_free(&t);
        for (int k = 0; k < TR_SNAPS; k++) {
            th_free(&h[k]);
        }
    }
}

/* ---- trend --growth: the points that grew in every step -------------- */

enum { TY_DICT = 0, TY_LIST = 1, TY_STR = 2, TY_SESSION = 5,
       TY_CUSTOMER = 6, TY_NODE = 7 };
#define GR_SNAPS 3
#define GR_COLUMNS(k) ((k) ? AN_TREND_GROWTH_COLUMNS : AN_TREND_FIRST_COLUMNS)
#define GR_CACHE 0x10040ull     /* the cache list's address */

/*
 * Snapshot k of one process: a root dict holding
 * - a cache list that gains sessions[j] Sessions in step j (each with a
 *   str attribute: two objects a Session);
 * - a bounded list whose 2 Customers are replaced at every step: it gains
 *   new objects at each step but does not grow;
 * - a list that gains 3 Nodes in the first step only.
 * The old objects keep their addresses; new ones take fresh addresses.
 * Returns the objects new in step k.
 */
static uint32_t
growth_series(theap *h, int k, const uint32_t *sessions)
{
    uint32_t root, cache, bounded, once, index = 0, gained = 0;

    th_init(h, 7);
    root = th_add(h, 0x10000, TY_DICT, 232);
    cache = th_add(h, GR_CACHE, TY_LIST, 88);
    bounded = th_add(h, 0x10080, TY_LIST, 72);
    once = th_add(h, 0x100c0, TY_LIST, 88);
    th_edge_add(h, root, cache, MF_EDGE_KEY_STR, 2);       /* ['cache'] */
    th_edge_add(h, root, bounded, MF_EDGE_KEY_STR, 1);     /* ['items'] */
    th_edge_add(h, root, once, MF_EDGE_KEY_STR, 4);        /* ['k'] */
    for (int j = 1; j <= k; j++) {
        for (uint32_t i = 0; i < sessions[j]; i++) {
            uint64_t a = 0x100000ull * (uint64_t)j + 0x80ull * i;
            uint32_t ses = th_add(h, a, TY_SESSION, 56);
            uint32_t str = th_add(h, a + 0x40, TY_STR, 60);

            th_edge_add(h, cache, ses, MF_EDGE_INDEX, index++);
            th_edge_add(h, ses, str, MF_EDGE_ATTR, 4);     /* .k */
            gained += j == k ? 2 : 0;
        }
    }
    for (uint32_t i = 0; i < 2; i++) {
        uint32_t c = th_add(h, 0x900000ull + 0x10000ull * (uint64_t)k
                               + 0x40ull * i, TY_CUSTOMER, 48);

        th_edge_add(h, bounded, c, MF_EDGE_INDEX, i);
        gained += k > 0;
    }
    for (uint32_t i = 0; k >= 1 && i < 3; i++) {
        uint32_t n = th_add(h, 0xa00000ull + 0x40ull * i, TY_NODE, 64);

        th_edge_add(h, once, n, MF_EDGE_INDEX, i);
        gained += k == 1;
    }
    h->n_roots = 1;
    h->roots = malloc(sizeof(mf_root));
    CU_ASSERT_FATAL(h->roots != NULL);
    h->roots[0].object = root;
    h->roots[0].kind = MF_ROOT_OTHER;
    h->roots[0].label = MF_NONE;
    return gained;
}

/* trend --growth over growth_series(sessions): the cache list is the one
 * point when it gained in every step (sessions[j] > 0), with what it
 * gained per step; the bounded list (churn) and the list that gained in
 * one step only are not points. */
static void
trend_growth_case(const uint32_t *sessions)
{
    an_trend t;
    an_snap s[GR_SNAPS];
    theap h;
    uint32_t gained[GR_SNAPS];
    int grows = 1;

    CU_ASSERT_EQUAL_FATAL(an_trend_init(&t, 0, GR_SNAPS), AN_OK);
    CU_ASSERT_EQUAL_FATAL(an_trend_growth(&t, 2, 10), AN_OK);
    for (int k = 0; k < GR_SNAPS; k++) {
        gained[k] = growth_series(&h, k, sessions);
        CU_ASSERT_EQUAL_FATAL(th_open(&h, &s[k], GR_COLUMNS(k)), 0);
        CU_ASSERT_EQUAL_FATAL(an_trend_add_growth(&t, (uint32_t)k, &s[k]),
                              AN_OK);
        th_free(&h);
        grows &= k == 0 || sessions[k] > 0;     /* 2 objects: --min-count */
    }
    CU_ASSERT_EQUAL(t.n_steps, GR_SNAPS - 1);
    for (int k = 1; k < GR_SNAPS; k++) {
        CU_ASSERT_EQUAL(t.gained[k - 1], gained[k]);
    }
    CU_ASSERT_EQUAL(t.points.n_listed, (uint32_t)grows);
    if (grows && t.points.n_listed == 1) {
        const an_point_view *v = &t.points.listed[0];

        CU_ASSERT_EQUAL(s[GR_SNAPS - 1].cols.address[v->object], GR_CACHE);
        CU_ASSERT_EQUAL_FATAL(v->n_steps, GR_SNAPS - 1);
        for (int k = 1; k < GR_SNAPS; k++) {
            CU_ASSERT_EQUAL(v->per_step[k - 1], 2 * sessions[k]);
        }
        /* what it gained in the last step */
        CU_ASSERT_EQUAL(v->pt.count, 2 * sessions[GR_SNAPS - 1]);
        CU_ASSERT(v->label != NULL && strstr(v->label, "['cache']"));
    }
    an_trend_free(&t);
    for (int k = 0; k < GR_SNAPS; k++) {
        an_snap_close(&s[k]);
    }
}

static void
test_trend_growth(void)
{
    static const uint32_t grows[GR_SNAPS] = {0, 3, 4};
    static const uint32_t stops[GR_SNAPS] = {0, 3, 0};
    static const uint32_t late[GR_SNAPS] = {0, 0, 5};

    trend_growth_case(grows);
    trend_growth_case(stops);
    trend_growth_case(late);
}

int
main(void)
{
    static const unit_test tests[] = {
        {"identities equal a naive search", test_objset_naive},
        {"diff equals naive counts", test_diff_naive},
        {"diff sums the retained sizes given", test_diff_retained},
        {"trend equals naive counts", test_trend_naive},
        {"trend --growth: the points that grew in every step",
         test_trend_growth},
        {NULL, NULL},
    };

    return unit_run("diff", tests);
}
