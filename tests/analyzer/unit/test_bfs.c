/*
 * test_bfs.c - the multi-source BFS (lib/bfs.h) against naive shortest
 * distances (relaxation until nothing changes) on random graphs, with
 * and without weak edges; the two tiers of roots (the dumper's, then what
 * nothing refers to) on hand-made graphs.
 */
#include <CUnit/Basic.h>
#include <stdlib.h>

#include "lib/bfs.h"
#include "rgraph.h"
#include "unit.h"

/* Naive distances by relaxation until nothing changes. */
static void
naive_dist(const rgraph *t, const unsigned char *src, unsigned flags,
           uint32_t *dist)
{
    int changed = 1;

    for (uint32_t v = 0; v < t->g.n; v++) {
        dist[v] = src[v] ? 0 : UINT32_MAX;
    }
    while (changed) {
        changed = 0;
        for (uint32_t v = 0; v < t->g.n; v++) {
            if (dist[v] == UINT32_MAX) {
                continue;
            }
            for (uint64_t e = t->start[v]; e < t->start[v + 1]; e++) {
                uint32_t u = t->target[e];

                if (!(flags & AN_FOLLOW_WEAK) && (t->kind[e] & MF_EDGE_WEAK)) {
                    continue;
                }
                if (dist[u] > dist[v] + 1) {
                    dist[u] = dist[v] + 1;
                    changed = 1;
                }
            }
        }
    }
}

static void
check_bfs(rgraph *t, unsigned flags)
{
    an_bfs_result res;
    uint32_t n = t->g.n;
    unsigned char *src1 = calloc(n + 1, 1), *src2 = calloc(n + 1, 1);
    unsigned char *refd = calloc(n + 1, 1);
    uint32_t *d1 = malloc((n + 1) * sizeof(uint32_t));
    uint32_t *d2 = malloc((n + 1) * sizeof(uint32_t));
    uint32_t *path = malloc((n + 1) * sizeof(uint32_t));

    CU_ASSERT_EQUAL_FATAL(an_bfs(&t->g, t->roots, t->n_roots,
                                 flags | AN_BFS_DEPTH, &res), 0);
    for (uint32_t i = 0; i < t->n_roots; i++) {
        src1[t->roots[i].object] = 1;
    }
    naive_dist(t, src1, flags, d1);
    for (uint64_t e = 0; e < t->g.n_edges; e++) {
        if ((flags & AN_FOLLOW_WEAK) || !(t->kind[e] & MF_EDGE_WEAK)) {
            refd[t->target[e]] = 1;
        }
    }
    for (uint32_t v = 0; v < n; v++) {
        src2[v] = d1[v] == UINT32_MAX && !refd[v];
    }
    naive_dist(t, src2, flags, d2);
    for (uint32_t v = 0; v < n; v++) {
        uint32_t want = d1[v] != UINT32_MAX ? d1[v] : d2[v];
        uint32_t len;

        if (want == UINT32_MAX) {
            CU_ASSERT_EQUAL(res.via[v], AN_UNREACHED);
            continue;
        }
        CU_ASSERT_NOT_EQUAL_FATAL(res.via[v], AN_UNREACHED);
        CU_ASSERT_EQUAL(res.depth[v], want);
        len = an_path(&t->g, &res, v, path, n);
        CU_ASSERT_EQUAL(len, want + 1);
        /* starts at a root of the right tier, every step a followed edge */
        CU_ASSERT(d1[v] != UINT32_MAX ? src1[path[0]] : src2[path[0]]);
        for (uint32_t k = 1; k < len; k++) {
            uint64_t e = res.via[path[k]];

            CU_ASSERT_FATAL(e < t->g.n_edges);
            CU_ASSERT_EQUAL(an_edge_source(&t->g, e), path[k - 1]);
            CU_ASSERT_EQUAL(t->target[e], path[k]);
            if (!(flags & AN_FOLLOW_WEAK)) {
                CU_ASSERT_FALSE(t->kind[e] & MF_EDGE_WEAK);
            }
        }
    }
    an_bfs_free(&res);
    free(src1);
    free(src2);
    free(refd);
    free(d1);
    free(d2);
    free(path);
}

static void
test_bfs_random(void)
{
    for (int round = 0; round < 60; round++) {
        rgraph t;

        rg_make(&t, 1 + rg_randn(400), 1 + rg_randn(3), 5, rg_randn(4));
        check_bfs(&t, 0);
        check_bfs(&t, AN_FOLLOW_WEAK);
        rg_free(&t);
    }
}

/* A path through a weak edge is shorter but must not be taken. */
static void
test_bfs_weak_hand(void)
{
    /* 0 -> 1 (weak) ; 0 -> 2 -> 3 -> 1 */
    uint64_t start[] = {0, 2, 2, 3, 4};
    uint32_t target[] = {1, 2, 3, 1};
    uint8_t kind[] = {MF_EDGE_REF | MF_EDGE_WEAK, MF_EDGE_ATTR,
                      MF_EDGE_ATTR, MF_EDGE_ATTR};
    uint64_t label[] = {0, 0, 0, 0};
    an_graph g = {4, 4, start, target, kind, label, NULL, NULL, NULL};
    an_root_ref root = {0, MF_ROOT_MODULE, 0};
    an_bfs_result r;
    uint32_t path[4];

    CU_ASSERT_EQUAL_FATAL(an_bfs(&g, &root, 1, 0, &r), 0);
    CU_ASSERT_EQUAL(an_path(&g, &r, 1, path, 4), 4);
    CU_ASSERT_EQUAL(path[2], 3);
    an_bfs_free(&r);
    CU_ASSERT_EQUAL_FATAL(an_bfs(&g, &root, 1, AN_FOLLOW_WEAK, &r), 0);
    CU_ASSERT_EQUAL(an_path(&g, &r, 1, path, 4), 2);
    an_bfs_free(&r);
}

/* Dumper roots win over unreferenced objects even with longer paths. */
static void
test_bfs_tiers(void)
{
    /* 0 (root) -> 1 -> 2 -> 3 ; 4 (in-degree 0) -> 3 ; 5 <-> 6 cycle */
    uint64_t start[] = {0, 1, 2, 3, 3, 4, 5, 6};
    uint32_t target[] = {1, 2, 3, 3, 6, 5};
    an_graph g = {7, 6, start, target, NULL, NULL, NULL, NULL, NULL};
    an_root_ref root = {0, MF_ROOT_MODULE, 0};
    an_bfs_result r;
    uint32_t path[8];

    CU_ASSERT_EQUAL_FATAL(an_bfs(&g, &root, 1, 0, &r), 0);
    CU_ASSERT_EQUAL(an_path(&g, &r, 3, path, 8), 4);
    CU_ASSERT_EQUAL(path[0], 0);
    CU_ASSERT_EQUAL(r.via[4], AN_VIA_ROOT);  /* unreferenced root */
    CU_ASSERT_EQUAL(r.n_unreferenced, 1);
    CU_ASSERT_EQUAL(r.via[5], AN_UNREACHED);
    CU_ASSERT_EQUAL(r.via[6], AN_UNREACHED);
    an_bfs_free(&r);
}

int
main(void)
{
    static const unit_test tests[] = {
        {"bfs equals naive shortest paths", test_bfs_random},
        {"bfs avoids weak edges", test_bfs_weak_hand},
        {"bfs prefers dumper roots", test_bfs_tiers},
        {NULL, NULL},
    };

    return unit_run("bfs", tests);
}
