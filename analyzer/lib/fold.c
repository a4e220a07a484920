/*
 * fold.c - repeated cycles of path steps folded (fold.h).
 *
 * Steps and repeats are interned as tokens: a step is its two words, a
 * repeat (X)+ is the sequence of tokens of its body X, so that two
 * repeats compare equal by one token compare whatever they nest.  Both the
 * one-path fold (a stack of tokens) and the trie (a stack shared by
 * hash-consing: a shape is a node (shape without its last token, last
 * token)) apply the same two rules after each append.
 */
#include "lib/fold.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "hash.h"
#include "muppy_format.h"

#define NONE MF_NONE

/* ---- tokens ----------------------------------------------------------- */

typedef struct toks {
    uint64_t *a, *b;        /* a step's words */
    uint32_t *first, *len;  /* a repeat's body in pool (len 0: a step) */
    uint32_t n, cap;
    uint32_t *pool;
    uint64_t n_pool, cap_pool;
    uint32_t *slots;        /* hash table of token ids */
    uint64_t mask;
} toks;

/* Keyed (hash.h): steps carry labels from the file, which must not be
 * able to make them collide. */
static uint64_t
step_hash(uint64_t a, uint64_t b)
{
    return mf_hash_u64(a ^ mf_hash_u64(b + 0x9e3779b97f4a7c15ULL));
}

static uint64_t
body_hash(const uint32_t *body, uint32_t len)
{
    uint64_t h = 0x51ed270b27a3c7e1ULL ^ len;

    for (uint32_t j = 0; j < len; j++) {
        h = mf_hash_u64(h ^ body[j]) + j;
    }
    return h;
}

static uint64_t
tok_hash(const toks *t, uint32_t id)
{
    return t->len[id] ? body_hash(t->pool + t->first[id], t->len[id])
                      : step_hash(t->a[id], t->b[id]);
}

static int
toks_rehash(toks *t)
{
    uint64_t slots = t->slots ? (t->mask + 1) * 2 : 256;
    uint32_t *s = malloc((size_t)slots * sizeof(uint32_t));

    if (s == NULL) {
        return -1;
    }
    memset(s, 0xff, (size_t)slots * sizeof(uint32_t));
    for (uint32_t id = 0; id < t->n; id++) {
        uint64_t h = tok_hash(t, id) & (slots - 1);

        while (s[h] != NONE) {
            h = (h + 1) & (slots - 1);
        }
        s[h] = id;
    }
    free(t->slots);
    t->slots = s;
    t->mask = slots - 1;
    return 0;
}

static int
toks_room(toks *t, uint32_t body)
{
    if (t->n == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 256;
        uint64_t *a = realloc(t->a, (size_t)cap * sizeof(uint64_t));
        uint64_t *b;
        uint32_t *f, *l;

        if (a == NULL) {
            return -1;
        }
        t->a = a;
        b = realloc(t->b, (size_t)cap * sizeof(uint64_t));
        if (b == NULL) {
            return -1;
        }
        t->b = b;
        f = realloc(t->first, (size_t)cap * sizeof(uint32_t));
        if (f == NULL) {
            return -1;
        }
        t->first = f;
        l = realloc(t->len, (size_t)cap * sizeof(uint32_t));
        if (l == NULL) {
            return -1;
        }
        t->len = l;
        t->cap = cap;
    }
    if (an_grow(&t->pool, &t->cap_pool, t->n_pool + body, sizeof(uint32_t),
                1024) != 0) {
        return -1;
    }
    if ((uint64_t)(t->n + 1) * 2 > (t->slots ? t->mask + 1 : 0)) {
        return toks_rehash(t);
    }
    return 0;
}

/* The id of step (a, b), interned; NONE on ENOMEM. */
static uint32_t
toks_step(toks *t, uint64_t a, uint64_t b)
{
    uint64_t h;

    if (toks_room(t, 0) != 0) {
        return NONE;
    }
    h = step_hash(a, b) & t->mask;
    while (t->slots[h] != NONE) {
        uint32_t id = t->slots[h];

        if (t->len[id] == 0 && t->a[id] == a && t->b[id] == b) {
            return id;
        }
        h = (h + 1) & t->mask;
    }
    t->a[t->n] = a;
    t->b[t->n] = b;
    t->first[t->n] = 0;
    t->len[t->n] = 0;
    t->slots[h] = t->n;
    return t->n++;
}

/* The id of the repeat of body[0..len); interned when `add`, else NONE
 * when unknown.  NONE on ENOMEM. */
static uint32_t
toks_rep(toks *t, const uint32_t *body, uint32_t len, int add)
{
    uint64_t h;

    if (add && toks_room(t, len) != 0) {
        return NONE;
    }
    if (t->slots == NULL) {
        return NONE;
    }
    h = body_hash(body, len) & t->mask;
    while (t->slots[h] != NONE) {
        uint32_t id = t->slots[h];

        if (t->len[id] == len
            && memcmp(t->pool + t->first[id], body,
                      len * sizeof(uint32_t)) == 0) {
            return id;
        }
        h = (h + 1) & t->mask;
    }
    if (!add) {
        return NONE;
    }
    memcpy(t->pool + t->n_pool, body, len * sizeof(uint32_t));
    t->a[t->n] = 0;
    t->b[t->n] = 0;
    t->first[t->n] = (uint32_t)t->n_pool;
    t->len[t->n] = len;
    t->n_pool += len;
    t->slots[h] = t->n;
    return t->n++;
}

static void
toks_free(toks *t)
{
    free(t->a);
    free(t->b);
    free(t->first);
    free(t->len);
    free(t->pool);
    free(t->slots);
    memset(t, 0, sizeof(*t));
}

static uint32_t
clamp_period(uint32_t p)
{
    return p < 1 ? 1 : p > AN_FOLD_MAX_PERIOD ? AN_FOLD_MAX_PERIOD : p;
}

/* ---- one path --------------------------------------------------------- */

/* A node of the folded tree: a step, or a repeat whose children are the
 * nodes of its body's last occurrence. */
typedef struct pnode {
    uint32_t step;          /* a step: its input index; a repeat: NONE */
    uint32_t times;
    uint32_t kid_first, kid_len;    /* into kids */
    uint32_t first, last;   /* input steps covered */
} pnode;

typedef struct pfold {
    toks *tk;               /* the tokens: its own, or a trie's */
    uint32_t *st_tok, *st_node;     /* the stack */
    uint32_t depth;
    pnode *nodes;
    uint32_t n_nodes;
    uint32_t *kids;
    uint64_t n_kids, cap_kids;
} pfold;

static int
pf_kids(pfold *f, const uint32_t *ids, uint32_t len, uint32_t *first)
{
    if (an_grow(&f->kids, &f->cap_kids, f->n_kids + len, sizeof(uint32_t),
                256) != 0) {
        return -1;
    }
    memcpy(f->kids + f->n_kids, ids, len * sizeof(uint32_t));
    *first = (uint32_t)f->n_kids;
    f->n_kids += len;
    return 0;
}

/* Apply rules A and B to the top of the stack until neither does. */
static int
pf_reduce(pfold *f, uint32_t max_period)
{
    uint32_t *tk = f->st_tok, *nd = f->st_node;

    for (;;) {
        uint32_t p, d = f->depth;
        int changed = 0;

        for (p = 1; p <= max_period && !changed; p++) {
            /* A: (X)+ X, |X| = p */
            if (d >= p + 1 && f->tk->len[tk[d - p - 1]] == p
                && memcmp(f->tk->pool + f->tk->first[tk[d - p - 1]],
                          tk + d - p, p * sizeof(uint32_t)) == 0) {
                pnode *r = &f->nodes[nd[d - p - 1]];

                if (pf_kids(f, nd + d - p, p, &r->kid_first) != 0) {
                    return -1;
                }
                r->kid_len = p;
                r->times++;
                r->last = f->nodes[nd[d - 1]].last;
                f->depth -= p;
                changed = 1;
                break;
            }
            /* B: X X, |X| = p */
            if (d >= 2 * p
                && memcmp(tk + d - 2 * p, tk + d - p,
                          p * sizeof(uint32_t)) == 0) {
                uint32_t rep = toks_rep(f->tk, tk + d - p, p, 1);
                pnode *r = &f->nodes[f->n_nodes];

                if (rep == NONE
                    || pf_kids(f, nd + d - p, p, &r->kid_first) != 0) {
                    return -1;
                }
                r->step = NONE;
                r->times = 2;
                r->kid_len = p;
                r->first = f->nodes[nd[d - 2 * p]].first;
                r->last = f->nodes[nd[d - 1]].last;
                f->depth -= 2 * p;
                tk[f->depth] = rep;
                nd[f->depth] = f->n_nodes++;
                f->depth++;
                changed = 1;
                break;
            }
        }
        if (!changed) {
            return 0;
        }
    }
}

/* Emit node x (and its body) into items; returns the new count. */
static uint32_t
pf_emit(const pfold *f, uint32_t x, int in_repeat, an_fold_item *items,
        uint32_t k)
{
    const pnode *nd = &f->nodes[x];

    if (nd->step != NONE) {
        items[k].kind = AN_FOLD_STEP;
        items[k].step = nd->step;
        items[k].times = 1;
        items[k].first = items[k].last = nd->step;
        items[k].in_repeat = in_repeat;
        return k + 1;
    }
    items[k].kind = AN_FOLD_OPEN;
    items[k].step = NONE;
    items[k].times = nd->times;
    items[k].first = nd->first;
    items[k].last = nd->last;
    items[k].in_repeat = in_repeat;
    k++;
    for (uint32_t j = 0; j < nd->kid_len; j++) {
        k = pf_emit(f, f->kids[nd->kid_first + j], 1, items, k);
    }
    items[k].kind = AN_FOLD_CLOSE;
    items[k].step = NONE;
    items[k].times = nd->times;
    items[k].first = nd->first;
    items[k].last = nd->last;
    items[k].in_repeat = in_repeat;
    return k + 1;
}

static uint32_t
pf_count(const pfold *f, uint32_t x)
{
    const pnode *nd = &f->nodes[x];
    uint32_t c = 2;

    if (nd->step != NONE) {
        return 1;
    }
    for (uint32_t j = 0; j < nd->kid_len; j++) {
        c += pf_count(f, f->kids[nd->kid_first + j]);
    }
    return c;
}

/* Fold steps[0..n) with the tokens f->tk; the result is on f's stack. */
static int
pf_run(pfold *f, const an_fold_step *steps, uint32_t n, uint32_t max_period)
{
    f->st_tok = malloc(((size_t)n + 1) * sizeof(uint32_t));
    f->st_node = malloc(((size_t)n + 1) * sizeof(uint32_t));
    /* every append makes one node, every fold at most one (rule B
     * shortens the stack, rule A makes none): 2n + 1 suffice, with room
     * for the repeats an alignment adds (one per stack entry at most) */
    f->nodes = malloc(((size_t)n * 3 + 1) * sizeof(pnode));
    if (f->st_tok == NULL || f->st_node == NULL || f->nodes == NULL) {
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t tok = toks_step(f->tk, steps[i].a, steps[i].b);
        pnode *nd = &f->nodes[f->n_nodes];

        if (tok == NONE) {
            return -1;
        }
        nd->step = i;
        nd->times = 1;
        nd->kid_first = nd->kid_len = 0;
        nd->first = nd->last = i;
        f->st_tok[f->depth] = tok;
        f->st_node[f->depth] = f->n_nodes++;
        f->depth++;
        if (pf_reduce(f, max_period) != 0) {
            return -1;
        }
    }
    return 0;
}

/* The items of the nodes tops[0..n_tops) into *items; their count, or
 * UINT32_MAX when out of memory. */
static uint32_t
pf_items(const pfold *f, const uint32_t *tops, uint32_t n_tops,
         an_fold_item **items)
{
    uint32_t count = 0, k = 0;

    for (uint32_t j = 0; j < n_tops; j++) {
        count += pf_count(f, tops[j]);
    }
    *items = malloc(((size_t)count + 1) * sizeof(an_fold_item));
    if (*items == NULL) {
        return UINT32_MAX;
    }
    for (uint32_t j = 0; j < n_tops; j++) {
        k = pf_emit(f, tops[j], 0, *items, k);
    }
    return k;
}

static void
pf_free(pfold *f)
{
    free(f->st_tok);
    free(f->st_node);
    free(f->nodes);
    free(f->kids);
}

uint32_t
an_fold_path(const an_fold_step *steps, uint32_t n, uint32_t max_period,
             an_fold_item **items)
{
    pfold f;
    toks tk;
    uint32_t rc = UINT32_MAX;

    *items = NULL;
    memset(&f, 0, sizeof(f));
    memset(&tk, 0, sizeof(tk));
    f.tk = &tk;
    if (pf_run(&f, steps, n, clamp_period(max_period)) == 0) {
        rc = pf_items(&f, f.st_node, f.depth, items);
    }
    toks_free(&tk);
    pf_free(&f);
    return rc;
}

/* ---- the trie --------------------------------------------------------- */

struct an_fold_trie {
    toks tk;
    uint32_t max_period;
    uint32_t *up, *tok;     /* node: (shape without its last token, it) */
    uint32_t n, cap;
    uint32_t *slots;
    uint64_t mask;
};

static uint64_t
node_hash(uint32_t up, uint32_t tok)
{
    return mf_hash_u64(((uint64_t)up << 32) | tok);
}

static int
trie_rehash(an_fold_trie *t)
{
    uint64_t slots = t->slots ? (t->mask + 1) * 2 : 1024;
    uint32_t *s = an_big_malloc((size_t)slots * sizeof(uint32_t));

    if (s == NULL) {
        return -1;
    }
    memset(s, 0xff, (size_t)slots * sizeof(uint32_t));
    for (uint32_t id = 1; id < t->n; id++) {
        uint64_t h = node_hash(t->up[id], t->tok[id]) & (slots - 1);

        while (s[h] != NONE) {
            h = (h + 1) & (slots - 1);
        }
        s[h] = id;
    }
    free(t->slots);
    t->slots = s;
    t->mask = slots - 1;
    return 0;
}

/* The node (up, tok), made when `add` and new; NONE when unknown or on
 * ENOMEM. */
static uint32_t
trie_node(an_fold_trie *t, uint32_t up, uint32_t tok, int add)
{
    uint64_t h;

    if (add && (uint64_t)(t->n + 1) * 2 > t->mask + 1) {
        if (trie_rehash(t) != 0) {
            return NONE;
        }
    }
    h = node_hash(up, tok) & t->mask;
    while (t->slots[h] != NONE) {
        uint32_t id = t->slots[h];

        if (t->up[id] == up && t->tok[id] == tok) {
            return id;
        }
        h = (h + 1) & t->mask;
    }
    if (!add) {
        return NONE;
    }
    if (t->n == t->cap) {
        uint32_t cap = t->cap * 2;
        uint32_t *u, *k;

        if (cap <= t->cap) {
            return NONE;
        }
        u = realloc(t->up, (size_t)cap * sizeof(uint32_t));
        if (u == NULL) {
            return NONE;
        }
        t->up = u;
        k = realloc(t->tok, (size_t)cap * sizeof(uint32_t));
        if (k == NULL) {
            return NONE;
        }
        t->tok = k;
        t->cap = cap;
    }
    t->up[t->n] = up;
    t->tok[t->n] = tok;
    t->slots[h] = t->n;
    return t->n++;
}

an_fold_trie *
an_fold_trie_new(uint32_t max_period)
{
    an_fold_trie *t = calloc(1, sizeof(*t));

    if (t == NULL) {
        return NULL;
    }
    t->max_period = clamp_period(max_period);
    t->cap = 1024;
    t->up = malloc(t->cap * sizeof(uint32_t));
    t->tok = malloc(t->cap * sizeof(uint32_t));
    if (t->up == NULL || t->tok == NULL || trie_rehash(t) != 0) {
        an_fold_trie_free(t);
        return NULL;
    }
    t->up[0] = NONE;    /* AN_FOLD_EMPTY */
    t->tok[0] = NONE;
    t->n = 1;
    return t;
}

void
an_fold_trie_free(an_fold_trie *t)
{
    if (t == NULL) {
        return;
    }
    toks_free(&t->tk);
    free(t->up);
    free(t->tok);
    free(t->slots);
    free(t);
}

uint32_t
an_fold_trie_count(const an_fold_trie *t)
{
    return t->n;
}

/* The top tokens of shape x, last first, into tk (at most `want`) and the
 * nodes below them into nd (nd[i]: the shape without its i last tokens);
 * returns how many tokens. */
static uint32_t
trie_top(const an_fold_trie *t, uint32_t x, uint32_t want, uint32_t *tk,
         uint32_t *nd)
{
    uint32_t i;

    for (i = 0; i < want && x != AN_FOLD_EMPTY; i++) {
        nd[i] = x;
        tk[i] = t->tok[x];
        x = t->up[x];
    }
    nd[i] = x;
    return i;
}

/* Shape x with rules A and B applied until neither does. */
static uint32_t
trie_reduce(an_fold_trie *t, uint32_t x)
{
    uint32_t tk[2 * AN_FOLD_MAX_PERIOD + 1], nd[2 * AN_FOLD_MAX_PERIOD + 2];
    uint32_t body[AN_FOLD_MAX_PERIOD];

    for (;;) {
        uint32_t avail = trie_top(t, x, 2 * t->max_period, tk, nd), p;
        int changed = 0;

        for (p = 1; p <= t->max_period && !changed; p++) {
            uint32_t j;

            /* A: (X)+ X: tk[p] is the repeat, tk[p-1..0] its body */
            if (avail >= p + 1 && t->tk.len[tk[p]] == p) {
                const uint32_t *b = t->tk.pool + t->tk.first[tk[p]];

                for (j = 0; j < p && b[j] == tk[p - 1 - j]; j++) {
                }
                if (j == p) {
                    x = nd[p];
                    changed = 1;
                    break;
                }
            }
            /* B: X X */
            if (avail >= 2 * p) {
                for (j = 0; j < p && tk[j] == tk[p + j]; j++) {
                }
                if (j == p) {
                    uint32_t rep;

                    for (j = 0; j < p; j++) {
                        body[j] = tk[p - 1 - j];
                    }
                    rep = toks_rep(&t->tk, body, p, 1);
                    if (rep == NONE) {
                        return NONE;
                    }
                    x = trie_node(t, nd[2 * p], rep, 1);
                    if (x == NONE) {
                        return NONE;
                    }
                    changed = 1;
                    break;
                }
            }
        }
        if (!changed) {
            return x;
        }
    }
}

static uint32_t
trie_append_tok(an_fold_trie *t, uint32_t shape, uint32_t tok)
{
    uint32_t x = trie_node(t, shape, tok, 1);

    return x == NONE ? NONE : trie_reduce(t, x);
}

uint32_t
an_fold_trie_append(an_fold_trie *t, uint32_t shape,
                    const an_fold_step *step)
{
    uint32_t tok = toks_step(&t->tk, step->a, step->b);

    if (tok == NONE || shape >= t->n) {
        return NONE;
    }
    return trie_append_tok(t, shape, tok);
}

an_err
an_fold_trie_canonical(an_fold_trie *t, uint32_t **canon)
{
    uint32_t n_orig = t->n;
    uint32_t tk[AN_FOLD_MAX_PERIOD + 1], nd[AN_FOLD_MAX_PERIOD + 2];
    uint32_t body[AN_FOLD_MAX_PERIOD];
    uint32_t *c = malloc((size_t)n_orig * sizeof(uint32_t));

    *canon = NULL;
    if (c == NULL) {
        return AN_ERR_NOMEM;
    }
    c[0] = AN_FOLD_EMPTY;
    /* a node's prefix was made before it: one pass in id order */
    for (uint32_t x = 1; x < n_orig; x++) {
        uint32_t y = trie_append_tok(t, c[t->up[x]], t->tok[x]);
        uint32_t avail;

        if (y == NONE) {
            free(c);
            return AN_ERR_NOMEM;
        }
        /* one occurrence of X at the end, where (X)+ after the same
         * prefix is an original shape */
        avail = trie_top(t, y, t->max_period, tk, nd);
        for (uint32_t p = 1; p <= avail; p++) {
            uint32_t rep, alt;

            for (uint32_t j = 0; j < p; j++) {
                body[j] = tk[p - 1 - j];
            }
            rep = toks_rep(&t->tk, body, p, 0);
            if (rep == NONE) {
                continue;
            }
            alt = trie_node(t, nd[p], rep, 0);
            if (alt != NONE && alt < n_orig) {
                y = alt;
                break;
            }
        }
        c[x] = y;
    }
    *canon = c;
    return AN_OK;
}

/* ---- one path under a trie's shape ---------------------------------- */

/* The tokens of shape x, first first, into *out (malloc'ed); how many,
 * or UINT32_MAX when out of memory. */
static uint32_t
trie_tokens(const an_fold_trie *t, uint32_t x, uint32_t **out)
{
    uint32_t len = 0, y;

    for (y = x; y != AN_FOLD_EMPTY && y < t->n; y = t->up[y]) {
        len++;
    }
    *out = malloc(((size_t)len + 1) * sizeof(uint32_t));
    if (*out == NULL) {
        return UINT32_MAX;
    }
    y = x;
    for (uint32_t i = len; i > 0; i--) {
        (*out)[i - 1] = t->tok[y];
        y = t->up[y];
    }
    return len;
}

uint32_t
an_fold_trie_items(an_fold_trie *t, uint32_t shape,
                   const an_fold_step *steps, uint32_t n,
                   an_fold_item **items)
{
    pfold f;
    uint32_t *canon = NULL, *tops = NULL, n_canon, n_tops = 0;
    uint32_t i = 0, j = 0, rc = UINT32_MAX;

    *items = NULL;
    memset(&f, 0, sizeof(f));
    f.tk = &t->tk;
    if (pf_run(&f, steps, n, t->max_period) != 0) {
        goto done;
    }
    n_canon = shape < t->n ? trie_tokens(t, shape, &canon) : 0;
    tops = malloc(((size_t)f.depth + 1) * sizeof(uint32_t));
    if (n_canon == UINT32_MAX || tops == NULL) {
        goto done;
    }
    /* walk the shape and the path's own fold side by side: where the
     * shape has (X)+ and the path one X, the X becomes a repeat of one */
    while (i < n_canon && j < f.depth) {
        uint32_t c = canon[i], p = t->tk.len[c];

        if (c == f.st_tok[j]) {
            tops[n_tops++] = f.st_node[j];
            i++;
            j++;
        }
        else if (p > 0 && j + p <= f.depth
                 && memcmp(t->tk.pool + t->tk.first[c], f.st_tok + j,
                           p * sizeof(uint32_t)) == 0) {
            pnode *r = &f.nodes[f.n_nodes];

            if (pf_kids(&f, f.st_node + j, p, &r->kid_first) != 0) {
                goto done;
            }
            r->step = NONE;
            r->times = 1;
            r->kid_len = p;
            r->first = f.nodes[f.st_node[j]].first;
            r->last = f.nodes[f.st_node[j + p - 1]].last;
            tops[n_tops++] = f.n_nodes++;
            i++;
            j += p;
        }
        else {
            break;
        }
    }
    if (i != n_canon || j != f.depth) {
        /* not a path of that shape: its own fold */
        memcpy(tops, f.st_node, (size_t)f.depth * sizeof(uint32_t));
        n_tops = f.depth;
    }
    rc = pf_items(&f, tops, n_tops, items);

done:
    free(canon);
    free(tops);
    pf_free(&f);
    return rc;
}
