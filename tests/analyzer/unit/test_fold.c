/*
 * test_fold.c - path folding (lib/fold.h): repeated cycles of steps as
 * one.
 *
 * Random step sequences over small alphabets, checked by matching them
 * against their fold read as a regular expression and by the absence of
 * any foldable repeat left; the trie against the one-path fold; the
 * canonical shapes; grouping the paths (shapes.h) of a tree and of a
 * chain of a million pairs.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bfs.h"
#include "lib/fold.h"
#include "lib/graph.h"
#include "lib/roots.h"
#include "lib/shapes.h"
#include "egraph.h"
#include "unit.h"

#define NONE MF_NONE

/* types of the grouped heaps */
enum { T_LIST = 1, T_NODE = 9 };

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
        uint32_t n = eg_randn(120), alphabet = 1 + eg_randn(4), p = 1 + eg_randn(8);
        uint32_t n_items;

        /* pieces repeated, over a small alphabet */
        for (uint32_t i = 0; i < n;) {
            uint32_t plen = 1 + eg_randn(4), times = 1 + eg_randn(4);
            an_fold_step piece[4];

            for (uint32_t j = 0; j < plen; j++) {
                piece[j].a = eg_randn(alphabet);
                piece[j].b = eg_randn(2);
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

        len[q] = eg_randn(40);
        for (uint32_t i = 0; i < len[q]; i++) {
            s[q][i].a = eg_randn(3);
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
    an_groups fg;
    an_snap fake;
    an_pathbuf pb;

    /* 0: module, 1: the tree's root; node k > 1 gets a list (a new
     * object) in its parent: object 2k-ish layout: nodes then lists */
    eg_init(&x, 2 * n);
    x.type[0] = 50;
    x.type[1] = T_NODE;
    eg_add(&x, 0, 1, MF_EDGE_KEY_STR);
    for (uint32_t k = 2; k < n; k++) {
        uint32_t parent = k < 12 ? 1 : 1 + eg_randn(k - 1);
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
    CU_ASSERT_EQUAL_FATAL(an_group_paths(&x.g, &bfs, 0, &roots, targets,
                                         n - 1, &fg), AN_OK);
    /* the root, and every other node in one group */
    CU_ASSERT_EQUAL(fg.n_groups, 2);
    CU_ASSERT_EQUAL(fg.groups[0].count, n - 2);
    CU_ASSERT_EQUAL(fg.groups[1].count, 1);
    CU_ASSERT_EQUAL(fg.groups[1].example, 1);
    /* its example, on the first level, is written as the group's shape:
     * root ['x'] (.a [i])+ with the cycle once */
    CU_ASSERT_EQUAL(fg.groups[0].example, 2);
    memset(&fake, 0, sizeof(fake));
    memset(&pb, 0, sizeof(pb));
    fake.g = x.g;
    CU_ASSERT_EQUAL(an_path_find(&pb, &fake, &bfs, 0, &fg,
                                 fg.groups[0].shape, 2), 4);
    CU_ASSERT_EQUAL_FATAL(pb.n_items, 6);
    CU_ASSERT_EQUAL(pb.items[2].kind, AN_FOLD_OPEN);
    CU_ASSERT_EQUAL(pb.items[2].times, 1);
    CU_ASSERT_EQUAL(pb.items[3].step, 2);
    CU_ASSERT_EQUAL(pb.items[4].step, 3);
    an_pathbuf_free(&pb);
    an_groups_free(&fg);
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
    CU_ASSERT_EQUAL_FATAL(an_group_paths(&x.g, &bfs, 0, &roots, targets,
                                         n - 1, &fg), AN_OK);
    /* (.a [i])+ -> node, (.a [i])+ .a -> list, and the first list alone:
     * `.a` is no repeat of anything (zero repetitions do not fold) */
    CU_ASSERT_EQUAL(fg.n_groups, 3);
    CU_ASSERT_EQUAL(fg.groups[0].count, (n - 1) / 2);
    CU_ASSERT_EQUAL(fg.groups[0].example, 2);
    CU_ASSERT_EQUAL(fg.groups[1].count, (n - 1) / 2 - 1);
    CU_ASSERT_EQUAL(fg.groups[1].example, 3);
    CU_ASSERT_EQUAL(fg.groups[2].example, 1);
    CU_ASSERT_EQUAL(fg.group_of[n - 3], 1);     /* object n - 2 */
    CU_ASSERT_EQUAL(fg.group_of[n - 2], 0);
    an_groups_free(&fg);
    an_bfs_free(&bfs);
    an_roots_free(&roots);
    eg_free(&x);
    free(targets);
}

int
main(void)
{
    static const unit_test tests[] = {
        {"paths folded", test_fold_path},
        {"random sequences match their fold, nothing foldable left",
         test_fold_random},
        {"the trie equals the one-path fold", test_fold_trie},
        {"a tree and a chain of pairs group", test_fold_groups},
        {NULL, NULL},
    };

    return unit_run("fold", tests);
}
