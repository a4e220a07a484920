/*
 * test_groups.c - objects grouped by type key or module (lib/groups.h):
 * the per-group totals against a naive count, --type's selection, the
 * outermost instances of each group against their definition (no strict
 * dominator in the group), the treemap's charges on a hand-made tree.
 */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dominators.h"
#include "lib/groups.h"
#include "lib/roots.h"
#include "lib/snap.h"
#include "rgraph.h"
#include "theap.h"
#include "unit.h"

static void
test_aggregate_naive(void)
{
    for (int round = 0; round < 20; round++) {
        rgraph t;
        uint32_t n_types = 1 + rg_randn(30), n_groups;
        uint32_t *group_of;
        uint64_t *c, *b, *select;

        rg_make(&t, rg_randn(2000), 1, n_types, 1);
        n_groups = 1 + rg_randn(n_types);
        group_of = malloc(n_types * sizeof(uint32_t));
        for (uint32_t i = 0; i < n_types; i++) {
            group_of[i] = rg_randn(n_groups);
        }
        c = calloc(n_groups + 1, sizeof(uint64_t));
        b = calloc(n_groups + 1, sizeof(uint64_t));
        select = an_bitmap_new(t.g.n);
        for (uint32_t v = 0; v < t.g.n; v++) {
            if (rg_randn(3) != 0) {
                an_set_bit(select, v);
            }
        }
        an_aggregate(t.type, t.size, round & 1 ? select : NULL, t.g.n,
                     group_of, n_types, n_groups, c, b);
        for (uint32_t gi = 0; gi <= n_groups; gi++) {
            uint64_t nc = 0, nb = 0;

            for (uint32_t v = 0; v < t.g.n; v++) {
                uint32_t gv = t.type[v] < n_types ? group_of[t.type[v]]
                                                  : n_groups;

                if (gv == gi && (!(round & 1) || an_bit(select, v))) {
                    nc++;
                    nb += t.size[v];
                }
            }
            CU_ASSERT_EQUAL(c[gi], nc);
            CU_ASSERT_EQUAL(b[gi], nb);
        }
        free(group_of);
        free(select);
        free(c);
        free(b);
        rg_free(&t);
    }
}

/*
 * The treemap's partition: 0 (class) -> 1 -> 2 (class) -> 3, 0 -> 4,
 * 5 unreachable.  0 is charged 0, 1 and 4; 2 is charged 2 and 3.
 */
static void
test_group_charge(void)
{
    uint64_t start[7] = {0, 2, 3, 4, 4, 4, 4};
    uint32_t target[4] = {1, 4, 2, 3};
    uint32_t type[6] = {0, 1, 0, 1, 1, 1};
    uint64_t size[6] = {10, 20, 30, 40, 50, 60};
    unsigned char owner[2] = {1, 0};
    uint32_t group_of[2] = {0, 1};
    uint64_t charged[3] = {0, 0, 0};
    an_root_ref root = {0, MF_ROOT_MODULE, MF_NONE};
    an_snap s;
    an_domtree dt;

    memset(&s, 0, sizeof(s));
    s.g.n = 6;
    s.g.n_edges = 4;
    s.g.edge_start = start;
    s.g.edge_target = target;
    s.cols.type = type;
    s.cols.size = size;
    s.cols.n_objects = 6;
    s.n_types = 2;
    CU_ASSERT_EQUAL_FATAL(an_dominators(&s.g, size, &root, 1, &dt), 0);
    CU_ASSERT_EQUAL_FATAL(an_group_charge(&s, &dt, owner, group_of, 3,
                                          charged), 0);
    /* 0 owns 0, 1, 4 (10 + 20 + 50); 2 owns 2, 3 (30 + 40); 5 is an
     * unreferenced root of type 1, charged to itself (60) */
    CU_ASSERT_EQUAL(charged[0], 10 + 20 + 50 + 30 + 40);
    CU_ASSERT_EQUAL(charged[1], 60);
    CU_ASSERT_EQUAL(charged[0] + charged[1] + charged[2],
                    dt.reachable_size);
    an_domtree_free(&dt);
}

/* --type NAME: a qualname selects every module's type of that name,
 * module.qualname one; the objects are those of the selected types. */
static void
test_type_select(void)
{
    static const struct {
        const char *name;
        const char *module[2];      /* the types it selects */
        const char *qualname;
    } cases[] = {
        {"Node", {"a", "b"}, "Node"},
        {"a.Node", {"a", NULL}, "Node"},
        {"dict", {"builtins", NULL}, "dict"},
        {"builtins.dict", {"builtins", NULL}, "dict"},
        {"app.Session", {"app", NULL}, "Session"},
    };
    theap h;
    an_snap s;

    th_random(&h, 300, 1, 3);
    CU_ASSERT_EQUAL_FATAL(th_open(&h, &s, MF_COL_ALL), 0);
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        an_typesel sel;
        uint64_t want = 0;

        CU_ASSERT_EQUAL_FATAL(an_type_select(&s, cases[c].name, &sel),
                              AN_OK);
        for (uint32_t i = 0; i < h.n; i++) {
            const th_type *t = &h.types[h.objs[i].type];
            int in = strcmp(t->qualname, cases[c].qualname) == 0
                     && ((cases[c].module[0] != NULL
                          && strcmp(t->module, cases[c].module[0]) == 0)
                         || (cases[c].module[1] != NULL
                             && strcmp(t->module, cases[c].module[1])
                                == 0));

            CU_ASSERT_EQUAL(an_bit(sel.objects, i), in);
            want += in;
        }
        CU_ASSERT_EQUAL(sel.count, want);
        an_typesel_free(&sel);
    }
    {
        an_typesel sel;

        CU_ASSERT_EQUAL(an_type_select(&s, "Nope", &sel), AN_ERR_NO_TYPE);
        an_typesel_free(&sel);
        CU_ASSERT_EQUAL(an_type_select(&s, "c.Node", &sel),
                        AN_ERR_NO_TYPE);
        an_typesel_free(&sel);
    }
    an_snap_close(&s);
    th_free(&h);
}

/* Groups by module: the keys of one module share a group; counts per
 * module equal a naive count over the heap's model. */
static void
test_group_by_module(void)
{
    theap h;
    an_snap s;
    uint32_t *group_of, n_groups;
    uint64_t *count, *bytes;

    th_random(&h, 500, 1, 3);
    CU_ASSERT_EQUAL_FATAL(th_open(&h, &s, MF_COL_ALL), 0);
    group_of = an_group_of_types(&s, 1, &n_groups);
    CU_ASSERT_PTR_NOT_NULL_FATAL(group_of);
    CU_ASSERT_EQUAL(n_groups, s.n_modules + 1);
    count = calloc(n_groups, sizeof(uint64_t));
    bytes = calloc(n_groups, sizeof(uint64_t));
    an_aggregate(s.cols.type, s.cols.size, NULL, s.cols.n_objects, group_of,
                 s.n_types, an_group_unknown(&s, 1), count, bytes);
    for (uint32_t m = 0; m < s.n_modules; m++) {
        uint64_t nc = 0, nb = 0;

        for (uint32_t i = 0; i < h.n; i++) {
            if (strcmp(h.types[h.objs[i].type].module, s.modules[m]) == 0) {
                nc++;
                nb += h.objs[i].size;
            }
        }
        CU_ASSERT_EQUAL(count[m], nc);
        CU_ASSERT_EQUAL(bytes[m], nb);
    }
    CU_ASSERT_EQUAL(count[n_groups - 1], 0);    /* no unknown type */
    free(count);
    free(bytes);
    free(group_of);
    an_snap_close(&s);
    th_free(&h);
}

/* The outermost instances of each type key: reachable, and no strict
 * dominator of the same key. */
static void
test_group_outermost(void)
{
    for (int round = 0; round < 20; round++) {
        theap h;
        an_snap s;
        an_roots roots;
        an_domtree dt;
        uint32_t *group_of, n_groups;
        uint64_t *outer;

        th_random(&h, 50 + th_randn(300), 2, 3);
        CU_ASSERT_EQUAL_FATAL(th_open(&h, &s, MF_COL_ALL), 0);
        CU_ASSERT_EQUAL_FATAL(an_roots_of_snap(&roots, &s), AN_OK);
        CU_ASSERT_EQUAL_FATAL(an_dominators(&s.g, s.cols.size, roots.ordered,
                                            roots.n, &dt), AN_OK);
        group_of = an_group_of_types(&s, 0, &n_groups);
        outer = an_group_outermost(&s, &dt, group_of, n_groups);
        CU_ASSERT_FATAL(group_of != NULL && outer != NULL);
        for (uint32_t i = 0; i < h.n; i++) {
            int want = !an_bit(dt.unreachable, i);
            uint32_t k = an_snap_key_of(&s, i);

            for (uint32_t d = dt.idom[i]; want && d != AN_DOM_SUPER;
                 d = dt.idom[d]) {
                want = an_snap_key_of(&s, d) != k;
            }
            CU_ASSERT_EQUAL(an_bit(outer, i), want);
        }
        free(outer);
        free(group_of);
        an_domtree_free(&dt);
        an_roots_free(&roots);
        an_snap_close(&s);
        th_free(&h);
    }
}

int
main(void)
{
    static const unit_test tests[] = {
        {"aggregate equals a naive count", test_aggregate_naive},
        {"--type selects by qualname or full name", test_type_select},
        {"groups by module", test_group_by_module},
        {"outermost instances", test_group_outermost},
        {"treemap charges add up", test_group_charge},
        {NULL, NULL},
    };

    return unit_run("groups", tests);
}
