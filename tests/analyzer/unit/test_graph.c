/*
 * test_graph.c - the graph's reverse edges (lib/graph.h) against naive
 * scans on random graphs: referrers, the edges between two objects, the
 * source of an edge, what followed edges point to; the roots' tier 1
 * (lib/roots.h) against a naive ordering.
 */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

#include "lib/graph.h"
#include "lib/roots.h"
#include "rgraph.h"
#include "unit.h"

static void
test_referrers_naive(void)
{
    for (int round = 0; round < 30; round++) {
        rgraph t;
        uint32_t *got, *want;

        rg_make(&t, 1 + rg_randn(300), 1 + rg_randn(4), 3, 1);
        CU_ASSERT_EQUAL_FATAL(an_graph_reverse(&t.g), 0);
        CU_ASSERT_EQUAL(an_graph_reverse(&t.g), 0);  /* idempotent */
        got = malloc((t.g.n + 1) * sizeof(uint32_t));
        want = malloc((t.g.n + 1) * sizeof(uint32_t));
        for (uint32_t v = 0; v < t.g.n; v++) {
            uint64_t nw = 0, ng;

            for (uint32_t s = 0; s < t.g.n; s++) {
                for (uint64_t e = t.start[s]; e < t.start[s + 1]; e++) {
                    if (t.target[e] == v) {
                        want[nw++] = s;
                        break;
                    }
                }
            }
            ng = an_referrers(&t.g, v, got, t.g.n);
            CU_ASSERT_EQUAL(ng, nw);
            CU_ASSERT(ng == nw && memcmp(got, want, nw * 4) == 0);
            /* the cap bounds the writes but not the count */
            CU_ASSERT_EQUAL(an_referrers(&t.g, v, got, 1), nw);
        }
        free(got);
        free(want);
        rg_free(&t);
    }
}

static void
test_edges_naive(void)
{
    for (int round = 0; round < 30; round++) {
        rgraph t;
        uint64_t *refd, *refd_weak;

        rg_make(&t, 1 + rg_randn(200), 1 + rg_randn(4), 3, 1);
        CU_ASSERT_EQUAL_FATAL(an_graph_reverse(&t.g), AN_OK);
        for (uint32_t v = 0; v < t.g.n; v++) {
            for (uint64_t e = t.start[v]; e < t.start[v + 1]; e++) {
                CU_ASSERT_EQUAL(an_edge_source(&t.g, e), v);
            }
        }
        /* the edges between each pair, ascending */
        for (uint32_t a = 0; a < t.g.n; a++) {
            for (uint32_t b = 0; b < t.g.n; b += 1 + rg_randn(3)) {
                uint32_t first = 0;
                uint32_t count = an_edges_between(&t.g, a, b, &first);
                uint32_t k = 0;

                for (uint64_t e = t.start[a]; e < t.start[a + 1]; e++) {
                    if (t.target[e] != b) {
                        continue;
                    }
                    CU_ASSERT_FATAL(k < count);
                    CU_ASSERT_EQUAL(t.g.rev_edge[first + k], e);
                    k++;
                }
                CU_ASSERT_EQUAL(k, count);
            }
        }
        refd = an_referenced(&t.g, 0);
        refd_weak = an_referenced(&t.g, AN_FOLLOW_WEAK);
        CU_ASSERT_FATAL(refd != NULL && refd_weak != NULL);
        for (uint32_t v = 0; v < t.g.n; v++) {
            int strong = 0, any = 0;

            for (uint64_t e = 0; e < t.g.n_edges; e++) {
                if (t.target[e] == v) {
                    any = 1;
                    strong |= !(t.kind[e] & MF_EDGE_WEAK);
                }
            }
            CU_ASSERT_EQUAL(an_bit(refd, v), strong);
            CU_ASSERT_EQUAL(an_bit(refd_weak, v), any);
        }
        free(refd);
        free(refd_weak);
        rg_free(&t);
    }
}

/* Tier 1: by kind's priority, within a kind in file order; the record
 * an_roots_find() gives is an object's first in that order. */
static void
test_roots_naive(void)
{
    for (int round = 0; round < 50; round++) {
        uint32_t n = rg_randn(60);
        mf_root *rec = malloc((n + 1) * sizeof(mf_root));
        an_roots r;
        uint32_t k = 0;

        for (uint32_t i = 0; i < n; i++) {
            rec[i].object = rg_randn(20);
            rec[i].kind = rg_randn(9);      /* unknown kinds too */
            rec[i].label = i;               /* the file order */
        }
        CU_ASSERT_EQUAL_FATAL(an_roots_init(&r, rec, n), AN_OK);
        CU_ASSERT_EQUAL(r.n, n);
        for (int prio = 0; prio < 8; prio++) {
            for (uint32_t i = 0; i < n; i++) {
                if (an_root_priority(rec[i].kind) != prio) {
                    continue;
                }
                CU_ASSERT_FATAL(k < n);
                CU_ASSERT_EQUAL(r.ordered[k].object, rec[i].object);
                CU_ASSERT_EQUAL(r.ordered[k].label, i);
                k++;
            }
        }
        CU_ASSERT_EQUAL(k, n);
        for (uint32_t obj = 0; obj < 21; obj++) {
            const an_root_ref *got = an_roots_find(&r, obj);
            const an_root_ref *want = NULL;

            for (uint32_t i = 0; i < n && want == NULL; i++) {
                if (r.ordered[i].object == obj) {
                    want = &r.ordered[i];
                }
            }
            CU_ASSERT_EQUAL(got == NULL, want == NULL);
            if (got != NULL && want != NULL) {
                CU_ASSERT_EQUAL(got->label, want->label);
                CU_ASSERT_EQUAL(got->kind, want->kind);
            }
        }
        an_roots_free(&r);
        free(rec);
    }
    /* the kinds' order, from the spec */
    CU_ASSERT(an_root_priority(MF_ROOT_SYS_MODULES)
              < an_root_priority(MF_ROOT_MODULE));
    CU_ASSERT(an_root_priority(MF_ROOT_MODULE)
              < an_root_priority(MF_ROOT_BUILTINS));
    CU_ASSERT(an_root_priority(MF_ROOT_BUILTINS)
              < an_root_priority(MF_ROOT_THREAD));
    CU_ASSERT(an_root_priority(MF_ROOT_THREAD)
              < an_root_priority(MF_ROOT_GC_GARBAGE));
    CU_ASSERT(an_root_priority(MF_ROOT_GC_GARBAGE)
              < an_root_priority(MF_ROOT_OTHER));
    CU_ASSERT(an_root_priority(MF_ROOT_OTHER) < an_root_priority(99));
}

int
main(void)
{
    static const unit_test tests[] = {
        {"referrers equal a naive scan", test_referrers_naive},
        {"edges between, sources, referenced", test_edges_naive},
        {"roots ordered as the spec says", test_roots_naive},
        {NULL, NULL},
    };

    return unit_run("graph", tests);
}
