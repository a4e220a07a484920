/*
 * test_maps.c - the analyzer's hash maps against brute force: the
 * string-pair map (ids in order of first insertion, lookups, the
 * ambiguous-qualname flags) and the address map (first value wins,
 * lookups of absent keys, a full table), on random keys and on keys
 * chosen to collide.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/maps.h"
#include "theap.h"
#include "unit.h"

/* ---- the string-pair map ---------------------------------------------- */

#define SM_MAX 3000

typedef struct pair {
    char a[24], b[24];
    size_t alen, blen;
} pair;

/* A random pair from a small alphabet, NUL bytes included, so that
 * pairs repeat and differ only by where the split falls. */
static void
random_pair(pair *p)
{
    static const char alpha[] = "ab\0.";

    p->alen = th_randn(4);
    p->blen = th_randn(4);
    for (size_t i = 0; i < p->alen; i++) {
        p->a[i] = alpha[th_randn(4)];
    }
    for (size_t i = 0; i < p->blen; i++) {
        p->b[i] = alpha[th_randn(4)];
    }
    p->a[p->alen] = p->b[p->blen] = '\0';
}

static int
same_pair(const pair *x, const pair *y)
{
    return x->alen == y->alen && x->blen == y->blen
           && memcmp(x->a, y->a, x->alen) == 0
           && memcmp(x->b, y->b, x->blen) == 0;
}

static void
test_strmap_naive(void)
{
    for (int round = 0; round < 20; round++) {
        an_strmap *m = an_strmap_new();
        pair *seen = malloc(SM_MAX * sizeof(pair));
        uint32_t n_seen = 0, n = 50 + th_randn(SM_MAX - 50);

        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        for (uint32_t i = 0; i < n; i++) {
            pair p;
            uint32_t want = MF_NONE, id;
            int added = -1;

            random_pair(&p);
            for (uint32_t k = 0; k < n_seen; k++) {
                if (same_pair(&seen[k], &p)) {
                    want = k;
                    break;
                }
            }
            CU_ASSERT_EQUAL(an_strmap_get(m, p.a, p.alen, p.b, p.blen),
                            want);
            id = an_strmap_intern(m, p.a, p.alen, p.b, p.blen, &added);
            if (want == MF_NONE) {
                /* new: the next id */
                CU_ASSERT_EQUAL(id, n_seen);
                CU_ASSERT_EQUAL(added, 1);
                seen[n_seen++] = p;
            }
            else {
                CU_ASSERT_EQUAL(id, want);
                CU_ASSERT_EQUAL(added, 0);
            }
        }
        CU_ASSERT_EQUAL(an_strmap_count(m), n_seen);
        for (uint32_t k = 0; k < n_seen; k++) {
            const char *a, *b;

            an_strmap_key(m, k, &a, &b);
            /* NUL-terminated copies: compare up to the first NUL */
            CU_ASSERT(strncmp(a, seen[k].a, sizeof(seen[k].a)) == 0);
            CU_ASSERT(strncmp(b, seen[k].b, sizeof(seen[k].b)) == 0);
        }
        {
            const char *a, *b;

            an_strmap_key(m, n_seen, &a, &b);   /* out of range: "" */
            CU_ASSERT(a[0] == '\0' && b[0] == '\0');
        }
        an_strmap_free(m);
        free(seen);
    }
    an_strmap_free(NULL);
}

/* ambiguous[i]: another entry has the same second string. */
static void
test_strmap_ambiguous(void)
{
    static const char *const mods[] = {"a", "b", "app", ""};
    static const char *const quals[] = {"Node", "dict", "Session", "x"};

    for (int round = 0; round < 50; round++) {
        an_strmap *m = an_strmap_new();
        unsigned char *amb;
        uint32_t n;
        int added;

        for (int i = 0; i < 10; i++) {
            const char *a = mods[th_randn(4)], *b = quals[th_randn(4)];

            an_strmap_intern(m, a, strlen(a), b, strlen(b), &added);
        }
        n = an_strmap_count(m);
        amb = an_strmap_ambiguous(m);
        CU_ASSERT_PTR_NOT_NULL_FATAL(amb);
        for (uint32_t i = 0; i < n; i++) {
            const char *a, *b, *a2, *b2;
            int want = 0;

            an_strmap_key(m, i, &a, &b);
            for (uint32_t j = 0; j < n; j++) {
                an_strmap_key(m, j, &a2, &b2);
                want |= j != i && strcmp(b, b2) == 0;
            }
            CU_ASSERT_EQUAL(amb[i], want);
        }
        free(amb);
        an_strmap_free(m);
    }
}

/* ---- the address map ------------------------------------------------- */

static int
cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

    return a < b ? -1 : a > b;
}

/* Keys: random, or with only high bits differing (the worst case of a
 * hash taking low bits), or in a stride like a heap's addresses. */
static uint64_t
make_key(int shape)
{
    switch (shape) {
    case 0:
        return th_rand();
    case 1:
        return (uint64_t)th_randn(4096) << 44;
    default:
        return 0x7f0000000000ull + 0x40ull * th_randn(100000);
    }
}

static void
test_u64map_naive(void)
{
    for (int round = 0; round < 30; round++) {
        int shape = round % 3;
        uint32_t n = 100 + th_randn(5000);
        uint64_t *keys = malloc((size_t)n * sizeof(uint64_t));
        uint32_t *vals = malloc((size_t)n * sizeof(uint32_t));
        uint64_t *sorted = malloc((size_t)n * sizeof(uint64_t));
        an_u64map m;

        CU_ASSERT_EQUAL_FATAL(an_u64map_init(&m, n), 0);
        for (uint32_t i = 0; i < n; i++) {
            keys[i] = make_key(shape);
            vals[i] = i;
            CU_ASSERT_EQUAL(an_u64map_put(&m, keys[i], i), 0);
        }
        for (uint32_t i = 0; i < n; i++) {
            /* the first value put for a key stays */
            uint32_t first = MF_NONE;

            for (uint32_t k = 0; k < n && first == MF_NONE; k++) {
                if (keys[k] == keys[i]) {
                    first = vals[k];
                }
            }
            CU_ASSERT_EQUAL(an_u64map_get(&m, keys[i]), first);
        }
        /* keys never put */
        memcpy(sorted, keys, (size_t)n * sizeof(uint64_t));
        qsort(sorted, n, sizeof(uint64_t), cmp_u64);
        for (int k = 0; k < 200; k++) {
            uint64_t probe = make_key(shape) + 1;

            if (bsearch(&probe, sorted, n, sizeof(uint64_t), cmp_u64)
                == NULL) {
                CU_ASSERT_EQUAL(an_u64map_get(&m, probe), MF_NONE);
            }
        }
        an_u64map_free(&m);
        free(keys);
        free(vals);
        free(sorted);
    }
}

/* A map sized for few keys refuses more than it has room for, and
 * still answers for those it took. */
static void
test_u64map_full(void)
{
    an_u64map m;
    uint32_t took = 0;

    CU_ASSERT_EQUAL_FATAL(an_u64map_init(&m, 1), 0);
    for (uint32_t i = 0; i < 100000; i++) {
        if (an_u64map_put(&m, 0x1000 + 16ull * i, i) != 0) {
            break;
        }
        took++;
    }
    CU_ASSERT(took > 0 && took < 100000);
    for (uint32_t i = 0; i < took; i++) {
        CU_ASSERT_EQUAL(an_u64map_get(&m, 0x1000 + 16ull * i), i);
    }
    an_u64map_free(&m);
}

int
main(void)
{
    static const unit_test tests[] = {
        {"string pairs equal a naive list", test_strmap_naive},
        {"ambiguous qualnames", test_strmap_ambiguous},
        {"addresses equal a naive search", test_u64map_naive},
        {"a full address map", test_u64map_full},
        {NULL, NULL},
    };

    return unit_run("maps", tests);
}
