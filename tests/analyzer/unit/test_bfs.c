/*
 * test_analysis.c - CUnit tests of the analyzer's algorithms on hand-made
 * and random in-memory graphs, checked against naive recomputations, and
 * of the snapshot loading on small files written with the library.
 */
#define _POSIX_C_SOURCE 200809L
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/dominators.h"
#include "lib/graph.h"
#include "lib/groups.h"
#include "lib/heapsnapshot.h"
#include "render/json.h"
#include "lib/shapes.h"
#include "lib/roots.h"
#include "lib/snap.h"
#include "lib/treemap.h"
#include "base/number.h"

/* ---- random graphs -------------------------------------------------- */

typedef struct tg {
    an_graph g;
    uint64_t *start;
    uint32_t *target;
    uint8_t *kind;
    uint64_t *label;
    uint32_t *type;
    uint64_t *size;
    uint32_t n_types;
    an_root_ref *roots;
    uint32_t n_roots;
} tg;

static uint64_t rng_state = 88172645463325252ULL;

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

static const uint8_t kinds[] = {
    MF_EDGE_REF, MF_EDGE_INDEX, MF_EDGE_KEY_STR, MF_EDGE_KEY_INT,
    MF_EDGE_ATTR, MF_EDGE_FIELD, MF_EDGE_SET_ITEM,
    MF_EDGE_REF | MF_EDGE_WEAK, MF_EDGE_ATTR | MF_EDGE_WEAK,
};

/* A random graph of n objects with about `deg` edges each. */
static void
tg_make(tg *t, uint32_t n, uint32_t deg, uint32_t n_types, uint32_t n_roots)
{
    uint64_t cap = (uint64_t)n * (deg + 1) + 1, e = 0;

    memset(t, 0, sizeof(*t));
    t->start = calloc((size_t)n + 1, sizeof(uint64_t));
    t->target = malloc(cap * sizeof(uint32_t));
    t->kind = malloc(cap);
    t->label = malloc(cap * sizeof(uint64_t));
    t->type = malloc(((size_t)n + 1) * sizeof(uint32_t));
    t->size = malloc(((size_t)n + 1) * sizeof(uint64_t));
    for (uint32_t v = 0; v < n; v++) {
        uint32_t d = rndn(2 * deg + 1);

        t->start[v] = e;
        /* a few out-of-range types, as a hostile file could have */
        t->type[v] = rndn(50) == 0 ? n_types + rndn(3) : rndn(n_types);
        t->size[v] = 16 + rndn(1000);
        for (uint32_t k = 0; k < d && e < cap; k++) {
            t->target[e] = rndn(n);
            t->kind[e] = kinds[rndn(sizeof(kinds))];
            t->label[e] = rndn(4);  /* few labels: shapes collide */
            e++;
        }
    }
    t->start[n] = e;
    t->n_types = n_types;
    t->roots = malloc(((size_t)n_roots + 1) * sizeof(an_root_ref));
    for (uint32_t i = 0; i < n_roots; i++) {
        t->roots[i].object = rndn(n);
        t->roots[i].kind = 1 + rndn(5);
        t->roots[i].label = rndn(3);
    }
    t->n_roots = n_roots;
    t->g.n = n;
    t->g.n_edges = e;
    t->g.edge_start = t->start;
    t->g.edge_target = t->target;
    t->g.edge_kind = t->kind;
    t->g.edge_label = t->label;
    t->g.type = t->type;
}

static void
tg_free(tg *t)
{
    an_graph_free_reverse(&t->g);
    free(t->start);
    free(t->target);
    free(t->kind);
    free(t->label);
    free(t->type);
    free(t->size);
    free(t->roots);
}

/* The random roots (in file order) as the analyzer's tier-1 list. */
static void
tg_roots(const tg *t, an_roots *r)
{
    mf_root *rec = malloc(((size_t)t->n_roots + 1) * sizeof(mf_root));

    for (uint32_t i = 0; i < t->n_roots; i++) {
        rec[i].object = t->roots[i].object;
        rec[i].kind = t->roots[i].kind;
        rec[i].label = t->roots[i].label;
    }
    CU_ASSERT_EQUAL_FATAL(an_roots_init(r, rec, t->n_roots), 0);
    free(rec);
}

/* ---- aggregation ---------------------------------------------------- */

static void
test_aggregate_naive(void)
{
    for (int round = 0; round < 20; round++) {
        tg t;
        uint32_t n_types = 1 + rndn(30), n_groups;
        uint32_t *group_of;
        uint64_t *c, *b, *select;

        tg_make(&t, rndn(2000), 1, n_types, 1);
        n_groups = 1 + rndn(n_types);
        group_of = malloc(n_types * sizeof(uint32_t));
        for (uint32_t i = 0; i < n_types; i++) {
            group_of[i] = rndn(n_groups);
        }
        c = calloc(n_groups + 1, sizeof(uint64_t));
        b = calloc(n_groups + 1, sizeof(uint64_t));
        select = an_bitmap_new(t.g.n);
        for (uint32_t v = 0; v < t.g.n; v++) {
            if (rndn(3) != 0) {
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
        tg_free(&t);
    }
}

/* ---- BFS ------------------------------------------------------------ */

/* Naive distances by relaxation until nothing changes. */
static void
naive_dist(const tg *t, const unsigned char *src, unsigned flags,
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
check_bfs(tg *t, unsigned flags)
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
        tg t;

        tg_make(&t, 1 + rndn(400), 1 + rndn(3), 5, rndn(4));
        check_bfs(&t, 0);
        check_bfs(&t, AN_FOLLOW_WEAK);
        tg_free(&t);
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

/* ---- grouping ------------------------------------------------------- */

/* The first followed edge from `from` to `to` (what a BFS scanning edges
 * in order takes), found by a scan. */
static uint64_t
first_edge(const tg *t, uint32_t from, uint32_t to, unsigned flags)
{
    for (uint64_t e = t->start[from]; e < t->start[from + 1]; e++) {
        if (t->target[e] == to
            && ((flags & AN_FOLLOW_WEAK) || !(t->kind[e] & MF_EDGE_WEAK))) {
            return e;
        }
    }
    CU_FAIL("no edge between consecutive path objects");
    return 0;
}

/* Naive shape string of the path to v. */
static void
naive_shape(const tg *t, const an_bfs_result *r, const an_root_ref *roots,
            uint32_t n_roots, uint32_t v, unsigned flags, unsigned fold,
            char *buf, size_t cap)
{
    uint32_t path[512];
    uint32_t len = an_path(&t->g, r, v, path, 512);
    size_t o = 0;
    uint32_t kind = MF_ROOT_UNREFERENCED, label = MF_NONE;
    char step[64], prev[64];

    CU_ASSERT_FATAL(len > 0 && len <= 512);
    for (uint32_t i = 0; i < n_roots; i++) {
        if (roots[i].object == path[0]) {
            kind = roots[i].kind;
            label = roots[i].label;
            break;
        }
    }
    o += (size_t)snprintf(buf + o, cap - o, "R%u/%u/%u", kind, label,
                          t->type[path[0]]);
    prev[0] = '\0';
    for (uint32_t k = 1; k < len; k++) {
        uint64_t e = first_edge(t, path[k - 1], path[k], flags);
        unsigned ek = t->kind[e];
        int folded = (ek & 0x7f) == MF_EDGE_INDEX
                     || (ek & 0x7f) == MF_EDGE_KEY_INT
                     || ((fold & AN_FOLD_STR_KEYS)
                         && (ek & 0x7f) == MF_EDGE_KEY_STR);

        if (folded) {
            snprintf(step, sizeof(step), " %u:*/%u", ek, t->type[path[k]]);
        }
        else {
            snprintf(step, sizeof(step), " %u:%llu/%u", ek,
                     (unsigned long long)t->label[e], t->type[path[k]]);
        }
        /* a run of identical steps is one step of the shape */
        if (strcmp(step, prev) != 0) {
            o += (size_t)snprintf(buf + o, cap - o, "%s", step);
            strcpy(prev, step);
        }
    }
}

static void
test_group_paths_naive(void)
{
    for (int round = 0; round < 40; round++) {
        tg t;
        an_bfs_result r;
        an_groups g1, g2;
        an_roots roots;
        uint32_t *targets;
        uint64_t nt = 0, sum = 0, unreach = 0;
        unsigned flags = round & 1 ? AN_FOLLOW_WEAK : 0;
        unsigned fold = round & 2 ? AN_FOLD_STR_KEYS : 0;
        char (*shapes)[2048];

        tg_make(&t, 1 + rndn(300), 1 + rndn(2), 3, 1 + rndn(3));
        /* the "roots" array in file order, unsorted */
        targets = malloc(t.g.n * sizeof(uint32_t));
        for (uint32_t v = 0; v < t.g.n; v++) {
            if (t.type[v] == 1) {
                targets[nt++] = v;
            }
        }
        tg_roots(&t, &roots);
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
            char ex[2048];
            uint64_t cnt = 0;
            uint32_t lowest = UINT32_MAX;

            naive_shape(&t, &r, roots.ordered, roots.n, gr->example, flags,
                        fold, ex, sizeof(ex));
            for (uint64_t i = 0; i < nt; i++) {
                int same = shapes[i][0] && strcmp(shapes[i], ex) == 0;

                /* each target is mapped to its own group */
                CU_ASSERT_EQUAL(same, g1.group_of[i] == gi);
                if (same) {
                    cnt++;
                    if (targets[i] < lowest) {
                        lowest = targets[i];
                    }
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
        free(shapes);
        an_groups_free(&g1);
        an_groups_free(&g2);
        an_bfs_free(&r);
        an_roots_free(&roots);
        free(targets);
        tg_free(&t);
    }
}

/* ---- referrers ------------------------------------------------------ */

static void
test_referrers_naive(void)
{
    for (int round = 0; round < 30; round++) {
        tg t;
        uint32_t *got, *want;

        tg_make(&t, 1 + rndn(300), 1 + rndn(4), 3, 1);
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
        tg_free(&t);
    }
}

/* ---- helpers -------------------------------------------------------- */

static void
test_json_escape(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    an_json j;

    an_json_init(&j, f);
    an_json_object(&j);
    an_json_key(&j, "a\"b");
    an_json_strn(&j, "x\\\n\x01\xff\xc3\xa9", 7);
    an_json_key(&j, "l");
    an_json_array(&j);
    an_json_u64(&j, 1);
    an_json_i64(&j, -2);
    an_json_null(&j);
    an_json_end_array(&j);
    an_json_end_object(&j);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(buf,
                           "{\"a\\\"b\":\"x\\\\\\n\\u0001\\ufffd\xc3\xa9\","
                           "\"l\":[1,-2,null]}");
    free(buf);
}

static void
test_sizes(void)
{
    uint64_t v;
    char b[32];

    CU_ASSERT_EQUAL(an_parse_size("10K", &v), 0);
    CU_ASSERT_EQUAL(v, 10240);
    CU_ASSERT_EQUAL(an_parse_size("1.5M", &v), 0);
    CU_ASSERT_EQUAL(v, 1572864);
    CU_ASSERT_EQUAL(an_parse_size("2GiB", &v), 0);
    CU_ASSERT_EQUAL(v, 2147483648ULL);
    CU_ASSERT_EQUAL(an_parse_size("12", &v), 0);
    CU_ASSERT_EQUAL(v, 12);
    CU_ASSERT_EQUAL(an_parse_size("-1", &v), -1);
    CU_ASSERT_EQUAL(an_parse_size("1X", &v), -1);
    CU_ASSERT_EQUAL(an_parse_address("0x7f00", &v), 0);
    CU_ASSERT_EQUAL(v, 0x7f00);
    CU_ASSERT_EQUAL(an_parse_address("0x", &v), -1);
    CU_ASSERT_STRING_EQUAL(an_format_size(512, b, sizeof(b)), "512 B");
    CU_ASSERT_STRING_EQUAL(an_format_size(1536, b, sizeof(b)), "1.50 KiB");
    CU_ASSERT_STRING_EQUAL(an_format_delta(-2048, b, sizeof(b)),
                           "-2.00 KiB");
    CU_ASSERT_STRING_EQUAL(an_format_count(1234567, b, sizeof(b)),
                           "1,234,567");
}

/* ---- snapshots written with the library ------------------------------ */

static char tmpdir[256];

static void
test_snap_keys(void)
{
    char path[300];
    mf_writer *w;
    mf_error err;
    uint32_t sa, sb, sn, sd, sbi, id;
    mf_type t;
    mf_object o;
    an_snap s;
    unsigned char match[8];

    snprintf(path, sizeof(path), "%s/keys.snap", tmpdir);
    CU_ASSERT_EQUAL_FATAL(mf_writer_open(&w, path, NULL, &err), MF_OK);
    mf_writer_string(w, "a", 1, &sa, &err);
    mf_writer_string(w, "b", 1, &sb, &err);
    mf_writer_string(w, "Node", 4, &sn, &err);
    mf_writer_string(w, "dict", 4, &sd, &err);
    mf_writer_string(w, "builtins", 8, &sbi, &err);
    t = (mf_type){0x10, sa, sn, 1};
    mf_writer_type(w, &t, &id, &err);
    t = (mf_type){0x20, sb, sn, 1};
    mf_writer_type(w, &t, &id, &err);
    t = (mf_type){0x30, sbi, sd, 0};
    mf_writer_type(w, &t, &id, &err);
    t = (mf_type){0x40, sa, sn, 1};       /* same key as type 0 */
    mf_writer_type(w, &t, &id, &err);
    memset(&o, 0, sizeof(o));
    o.name = o.value = MF_NONE;
    for (uint32_t i = 0; i < 10; i++) {
        o.address = 0x1000 + 16 * i;
        o.type = i % 4;
        o.size = 10 + i;
        CU_ASSERT_EQUAL(mf_writer_object(w, &o, NULL, 0, &err), MF_OK);
    }
    CU_ASSERT_EQUAL_FATAL(mf_writer_close(w, NULL, &err), MF_OK);

    CU_ASSERT_EQUAL_FATAL(an_snap_open(&s, path, 0, NULL, NULL, &err),
                          MF_OK);
    CU_ASSERT_EQUAL(s.n_keys, 3);
    CU_ASSERT_EQUAL(s.type_key[0], s.type_key[3]);
    CU_ASSERT_STRING_EQUAL(s.keys[s.type_key[0]].display, "a.Node");
    CU_ASSERT_STRING_EQUAL(s.keys[s.type_key[1]].display, "b.Node");
    CU_ASSERT_STRING_EQUAL(s.keys[s.type_key[2]].display, "dict");
    CU_ASSERT_EQUAL(an_snap_match_type(&s, "Node", match), 2);
    CU_ASSERT_EQUAL(an_snap_match_type(&s, "b.Node", match), 1);
    CU_ASSERT_EQUAL(match[s.type_key[1]], 1);
    CU_ASSERT_EQUAL(an_snap_match_type(&s, "builtins.dict", match), 1);
    CU_ASSERT_EQUAL(an_snap_load(&s, MF_COL_TYPE | MF_COL_SIZE
                                         | MF_COL_ADDRESS, &err), MF_OK);
    CU_ASSERT_EQUAL(s.cols.n_objects, 10);
    CU_ASSERT_EQUAL(an_snap_find_address(&s, 0x1000 + 16 * 7), 7);
    CU_ASSERT_EQUAL(an_snap_find_address(&s, 0x999), MF_NONE);
    {
        uint64_t c[4] = {0}, b[4] = {0};

        an_aggregate(s.cols.type, s.cols.size, NULL, s.cols.n_objects,
                     s.type_key, s.n_types, s.n_keys, c, b);
        /* types 0 and 3 (same key): objects 0,3,4,7,8 */
        CU_ASSERT_EQUAL(c[s.type_key[0]], 5);
        CU_ASSERT_EQUAL(b[s.type_key[0]], 10 + 13 + 14 + 17 + 18);
    }
    an_snap_close(&s);
    unlink(path);
}

/* ---- exports and the report ------------------------------------------ */

static void
test_treemap(void)
{
    for (int round = 0; round < 50; round++) {
        double v[40], sum = 0;
        an_rect r[40], area = {10, 20, 300 + rnd() % 500, 100 + rnd() % 300};
        size_t n = 1 + rnd() % 40;

        for (size_t i = 0; i < n; i++) {
            v[i] = (double)(rnd() % 1000) + (i == 0);
        }
        /* decreasing, some zeros at the end */
        for (size_t i = 0; i < n; i++) {
            for (size_t j = i + 1; j < n; j++) {
                if (v[j] > v[i]) {
                    double t = v[i];

                    v[i] = v[j];
                    v[j] = t;
                }
            }
        }
        for (size_t i = 0; i < n; i++) {
            sum += v[i];
        }
        CU_ASSERT_EQUAL_FATAL(an_treemap_squarify(v, n, area, r), 0);
        for (size_t i = 0; i < n; i++) {
            double want = v[i] / sum * area.w * area.h;

            CU_ASSERT(r[i].w * r[i].h > want - 1e-6 * area.w * area.h
                      && r[i].w * r[i].h < want + 1e-6 * area.w * area.h);
            CU_ASSERT(r[i].x >= area.x - 1e-9 && r[i].y >= area.y - 1e-9);
            CU_ASSERT(r[i].x + r[i].w <= area.x + area.w + 1e-6);
            CU_ASSERT(r[i].y + r[i].h <= area.y + area.h + 1e-6);
            for (size_t j = 0; j < i; j++) {
                double ox = (r[i].x + r[i].w < r[j].x + r[j].w
                             ? r[i].x + r[i].w : r[j].x + r[j].w)
                            - (r[i].x > r[j].x ? r[i].x : r[j].x);
                double oy = (r[i].y + r[i].h < r[j].y + r[j].h
                             ? r[i].y + r[i].h : r[j].y + r[j].h)
                            - (r[i].y > r[j].y ? r[i].y : r[j].y);

                CU_ASSERT(ox <= 1e-6 || oy <= 1e-6);  /* no overlap */
            }
        }
    }
    {
        double z[3] = {0, 0, 0};
        an_rect r[3];

        CU_ASSERT_EQUAL(an_treemap_squarify(z, 3, (an_rect){0, 0, 10, 10},
                                            r), 0);
        CU_ASSERT(r[0].w == 0 && r[2].h == 0);
    }
}

/* A snapshot of n objects: objects [0, dup) all at one address and type,
 * the others distinct; written in reverse when `reverse`. */
static void
write_id_snap(const char *path, uint32_t n, uint32_t dup, int reverse)
{
    mf_writer *w;
    mf_error err;
    uint32_t sm, sq, sq2, id;
    mf_type t;
    mf_object o;

    CU_ASSERT_EQUAL_FATAL(mf_writer_open(&w, path, NULL, &err), MF_OK);
    mf_writer_string(w, "app", 3, &sm, &err);
    mf_writer_string(w, "Thing", 5, &sq, &err);
    mf_writer_string(w, "Other", 5, &sq2, &err);
    t = (mf_type){0x10, sm, sq, 1};
    mf_writer_type(w, &t, &id, &err);
    t = (mf_type){0x20, sm, sq2, 1};
    mf_writer_type(w, &t, &id, &err);
    memset(&o, 0, sizeof(o));
    o.name = o.value = MF_NONE;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = reverse ? n - 1 - k : k;

        o.address = i < dup ? 0x5000 : 0x7f0000000000ULL + 64 * (uint64_t)i;
        o.type = i % 3 == 0 && i >= dup;     /* some of type Other */
        o.size = 16;
        CU_ASSERT_EQUAL(mf_writer_object(w, &o, NULL, 0, &err), MF_OK);
    }
    CU_ASSERT_EQUAL_FATAL(mf_writer_close(w, NULL, &err), MF_OK);
}

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

static void
test_hs_ids(void)
{
    char p1[300], p2[300];
    uint32_t n = 20000, dup = 3000;
    uint32_t *id1 = malloc(n * sizeof(uint32_t));
    uint32_t *id2 = malloc(n * sizeof(uint32_t));
    uint32_t *sorted = malloc(n * sizeof(uint32_t));
    an_snap s1, s2;
    mf_error err;

    snprintf(p1, sizeof(p1), "%s/ids1.snap", tmpdir);
    snprintf(p2, sizeof(p2), "%s/ids2.snap", tmpdir);
    write_id_snap(p1, n, dup, 0);
    write_id_snap(p2, n, dup, 1);
    CU_ASSERT_EQUAL_FATAL(an_snap_open(&s1, p1, 0, NULL, NULL, &err), MF_OK);
    CU_ASSERT_EQUAL_FATAL(an_snap_open(&s2, p2, 0, NULL, NULL, &err), MF_OK);
    CU_ASSERT_EQUAL_FATAL(an_snap_load(&s1, MF_COL_ADDRESS | MF_COL_TYPE,
                                       &err), MF_OK);
    CU_ASSERT_EQUAL_FATAL(an_snap_load(&s2, MF_COL_ADDRESS | MF_COL_TYPE,
                                       &err), MF_OK);
    CU_ASSERT_EQUAL_FATAL(an_hs_node_ids(&s1, id1), 0);
    CU_ASSERT_EQUAL_FATAL(an_hs_node_ids(&s2, id2), 0);
    /* odd, above the synthetic ids, unique (3000 forced collisions) */
    memcpy(sorted, id1, n * sizeof(uint32_t));
    qsort(sorted, n, sizeof(uint32_t), cmp_u32);
    for (uint32_t i = 0; i < n; i++) {
        CU_ASSERT(sorted[i] % 2 == 1 && sorted[i] >= AN_HS_MIN_OBJECT_ID);
        CU_ASSERT(i == 0 || sorted[i] != sorted[i - 1]);
    }
    /* the order of objects in the file changes no distinct object's id */
    for (uint32_t i = dup; i < n; i++) {
        CU_ASSERT_EQUAL(id1[i], id2[n - 1 - i]);
    }
    an_snap_close(&s1);
    an_snap_close(&s2);
    unlink(p1);
    unlink(p2);
    free(id1);
    free(id2);
    free(sorted);
}

static void
test_hs_edges(void)
{
    an_hs_edge e;

    e = an_hs_map_edge(MF_EDGE_ATTR, 7, 100);
    CU_ASSERT(e.type == AN_HS_EDGE_PROPERTY && e.name_kind == AN_HS_NAME_SNAP
              && e.value == 7);
    e = an_hs_map_edge(MF_EDGE_KEY_STR, 100, 100);   /* out of range */
    CU_ASSERT(e.type == AN_HS_EDGE_PROPERTY && e.name_kind == AN_HS_NAME_FIXED
              && e.value == AN_HS_STR_EMPTY);
    e = an_hs_map_edge(MF_EDGE_INDEX, 42, 100);
    CU_ASSERT(e.type == AN_HS_EDGE_ELEMENT && e.value == 42);
    e = an_hs_map_edge(MF_EDGE_KEY_INT, (uint64_t)(int64_t)-5, 100);
    CU_ASSERT(e.type == AN_HS_EDGE_PROPERTY && e.name_kind == AN_HS_NAME_INT);
    e = an_hs_map_edge(MF_EDGE_KEY_INT, (uint64_t)1 << 40, 100);
    CU_ASSERT(e.type == AN_HS_EDGE_PROPERTY && e.name_kind == AN_HS_NAME_INT);
    e = an_hs_map_edge(MF_EDGE_KEY_INT, UINT32_MAX, 100);
    CU_ASSERT(e.type == AN_HS_EDGE_ELEMENT && e.value == UINT32_MAX);
    e = an_hs_map_edge(MF_EDGE_REF, 0, 100);
    CU_ASSERT(e.type == AN_HS_EDGE_INTERNAL && e.value == AN_HS_STR_EMPTY);
    e = an_hs_map_edge(MF_EDGE_SET_ITEM, 0, 100);
    CU_ASSERT(e.type == AN_HS_EDGE_INTERNAL && e.value == AN_HS_STR_SET_ITEM);
    e = an_hs_map_edge(MF_EDGE_REF | MF_EDGE_WEAK, 0, 100);
    CU_ASSERT(e.type == AN_HS_EDGE_WEAK && e.name_kind == AN_HS_NAME_FIXED);
    e = an_hs_map_edge(MF_EDGE_ATTR | MF_EDGE_WEAK, 3, 100);
    CU_ASSERT(e.type == AN_HS_EDGE_WEAK && e.name_kind == AN_HS_NAME_SNAP);
    e = an_hs_map_edge(0x1f, 9, 100);   /* an unknown kind, no label */
    CU_ASSERT(e.type == AN_HS_EDGE_INTERNAL);
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

int
main(void)
{
    CU_pSuite suite;
    int failures;
    const char *td = getenv("TMPDIR");

    snprintf(tmpdir, sizeof(tmpdir), "%s/muppy-an-XXXXXX", td ? td : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    suite = CU_add_suite("analysis", NULL, NULL);
    CU_add_test(suite, "aggregate equals a naive count", test_aggregate_naive);
    CU_add_test(suite, "bfs equals naive shortest paths", test_bfs_random);
    CU_add_test(suite, "bfs avoids weak edges", test_bfs_weak_hand);
    CU_add_test(suite, "bfs prefers dumper roots", test_bfs_tiers);
    CU_add_test(suite, "path groups equal naive grouping",
                test_group_paths_naive);
    CU_add_test(suite, "referrers equal a naive scan", test_referrers_naive);
    CU_add_test(suite, "json escaping", test_json_escape);
    CU_add_test(suite, "size parsing and formatting", test_sizes);
    CU_add_test(suite, "snapshot type keys", test_snap_keys);
    CU_add_test(suite, "treemap layout", test_treemap);
    CU_add_test(suite, "heapsnapshot node ids", test_hs_ids);
    CU_add_test(suite, "heapsnapshot edge mapping", test_hs_edges);
    CU_add_test(suite, "treemap charges add up", test_group_charge);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = (int)CU_get_number_of_failures();
    CU_cleanup_registry();
    rmdir(tmpdir);
    return failures ? 1 : 0;
}
