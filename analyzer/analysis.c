/*
 * analysis.c - aggregation, shortest paths, path shapes, referrers.
 */
#include "analysis.h"

#include <stdlib.h>
#include <string.h>

void
an_aggregate(const uint32_t *type, const uint64_t *size, uint32_t n,
             const uint32_t *group_of, uint32_t n_types,
             uint32_t unknown_group, uint64_t *count, uint64_t *bytes)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t t = type[i];
        uint32_t gr = t < n_types ? group_of[t] : unknown_group;

        count[gr]++;
        bytes[gr] += size ? size[i] : 0;
    }
}

/* ---- roots ---------------------------------------------------------- */

int
an_root_priority(uint32_t kind)
{
    switch (kind) {
    case MF_ROOT_SYS_MODULES: return 0;
    case MF_ROOT_MODULE: return 1;
    case MF_ROOT_BUILTINS: return 2;
    case MF_ROOT_THREAD: return 3;
    case MF_ROOT_GC_GARBAGE: return 4;
    case MF_ROOT_OTHER: return 5;
    case MF_ROOT_UNREFERENCED: return 7;
    default: return 6;
    }
}

/* Stable insertion-merge sort of roots by a key function. */
static void
an_msort(an_root_ref *a, an_root_ref *tmp, uint32_t n,
         int (*less)(const an_root_ref *, const an_root_ref *))
{
    uint32_t mid, i, j, k;

    if (n < 2) {
        return;
    }
    mid = n / 2;
    an_msort(a, tmp, mid, less);
    an_msort(a + mid, tmp, n - mid, less);
    i = 0;
    j = mid;
    k = 0;
    while (i < mid && j < n) {
        if (less(&a[j], &a[i])) {
            tmp[k++] = a[j++];
        }
        else {
            tmp[k++] = a[i++];
        }
    }
    while (i < mid) {
        tmp[k++] = a[i++];
    }
    while (j < n) {
        tmp[k++] = a[j++];
    }
    memcpy(a, tmp, (size_t)n * sizeof(*a));
}

static int
an_less_priority(const an_root_ref *x, const an_root_ref *y)
{
    return an_root_priority(x->kind) < an_root_priority(y->kind);
}

static int
an_less_object(const an_root_ref *x, const an_root_ref *y)
{
    return x->object < y->object;
}

static void
an_sort_by(an_root_ref *roots, uint32_t n,
           int (*less)(const an_root_ref *, const an_root_ref *))
{
    an_root_ref *tmp;

    if (n < 2) {
        return;
    }
    tmp = malloc((size_t)n * sizeof(*tmp));
    if (tmp == NULL) {
        /* fall back to insertion sort: slow but stable and allocation-free */
        for (uint32_t i = 1; i < n; i++) {
            an_root_ref x = roots[i];
            uint32_t j = i;

            while (j > 0 && less(&x, &roots[j - 1])) {
                roots[j] = roots[j - 1];
                j--;
            }
            roots[j] = x;
        }
        return;
    }
    an_msort(roots, tmp, n, less);
    free(tmp);
}

void
an_sort_roots(an_root_ref *roots, uint32_t n)
{
    an_sort_by(roots, n, an_less_priority);
}

void
an_sort_roots_by_object(an_root_ref *roots, uint32_t n)
{
    an_sort_by(roots, n, an_less_object);
}

const an_root_ref *
an_root_of(const an_root_ref *by_object, uint32_t n, uint32_t obj)
{
    uint32_t lo = 0, hi = n;

    /* first record with object >= obj */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;

        if (by_object[mid].object < obj) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    if (lo < n && by_object[lo].object == obj) {
        return &by_object[lo];
    }
    return NULL;
}

/* ---- BFS ------------------------------------------------------------ */

/* Run the BFS from queue[head..tail) until the queue is empty. */
static uint32_t
an_bfs_run(const an_graph *g, unsigned flags, uint32_t *queue,
           uint32_t head, uint32_t tail, uint32_t *via, uint32_t *depth)
{
    while (head < tail) {
        uint32_t v = queue[head++];
        uint64_t e0, e1;

        if (g->edge_start == NULL) {
            continue;
        }
        e0 = g->edge_start[v];
        e1 = g->edge_start[v + 1];
        for (uint64_t e = e0; e < e1; e++) {
            uint32_t t = g->edge_target[e];

            if (t >= g->n || via[t] != AN_UNREACHED
                || !an_edge_followed(g, e, flags)) {
                continue;
            }
            via[t] = (uint32_t)e;
            if (depth) {
                depth[t] = depth[v] + 1;
            }
            queue[tail++] = t;
        }
    }
    return tail;
}

int
an_bfs(const an_graph *g, const an_root_ref *roots, uint32_t n_roots,
       unsigned flags, an_bfs_result *res)
{
    uint32_t n = g->n;
    uint32_t *queue = NULL;
    uint32_t tail = 0;
    uint64_t *referenced = NULL;

    memset(res, 0, sizeof(*res));
    if (g->n_edges >= AN_VIA_ROOT) {
        return -1;
    }
    res->via = malloc((size_t)(n ? n : 1) * sizeof(uint32_t));
    queue = malloc((size_t)(n ? n : 1) * sizeof(uint32_t));
    if (flags & AN_BFS_DEPTH) {
        res->depth = malloc((size_t)(n ? n : 1) * sizeof(uint32_t));
    }
    if (res->via == NULL || queue == NULL
        || ((flags & AN_BFS_DEPTH) && res->depth == NULL)) {
        goto nomem;
    }
    memset(res->via, 0xff, (size_t)n * sizeof(uint32_t));

    /* tier 1: the dumper's roots, in the order given */
    for (uint32_t i = 0; i < n_roots; i++) {
        uint32_t r = roots[i].object;

        if (r >= n || res->via[r] != AN_UNREACHED) {
            continue;
        }
        res->via[r] = AN_VIA_ROOT;
        if (res->depth) {
            res->depth[r] = 0;
        }
        queue[tail++] = r;
    }
    tail = an_bfs_run(g, flags, queue, 0, tail, res->via, res->depth);

    /* tier 2: what nothing refers to, among what is left */
    if (!(flags & AN_BFS_NO_UNREFERENCED) && tail < n) {
        uint32_t head = tail;

        referenced = calloc((size_t)n / 64 + 1, sizeof(uint64_t));
        if (referenced == NULL) {
            goto nomem;
        }
        for (uint64_t e = 0; g->edge_start && e < g->n_edges; e++) {
            uint32_t t = g->edge_target[e];

            if (t < n && an_edge_followed(g, e, flags)) {
                referenced[t >> 6] |= (uint64_t)1 << (t & 63);
            }
        }
        for (uint32_t v = 0; v < n; v++) {
            if (res->via[v] == AN_UNREACHED
                && !(referenced[v >> 6] & ((uint64_t)1 << (v & 63)))) {
                res->via[v] = AN_VIA_ROOT;
                if (res->depth) {
                    res->depth[v] = 0;
                }
                queue[tail++] = v;
                res->n_unreferenced++;
            }
        }
        free(referenced);
        tail = an_bfs_run(g, flags, queue, head, tail, res->via,
                          res->depth);
    }
    res->reached = tail;
    free(queue);
    return 0;

nomem:
    free(queue);
    an_bfs_free(res);
    return -1;
}

void
an_bfs_free(an_bfs_result *res)
{
    free(res->via);
    free(res->depth);
    res->via = NULL;
    res->depth = NULL;
}

uint32_t
an_edge_source(const an_graph *g, uint64_t e)
{
    uint32_t lo = 0, hi = g->n;

    /* the last v with edge_start[v] <= e; it has edge_start[v+1] > e */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;

        if (g->edge_start[mid + 1] <= e) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    return lo;
}

uint32_t
an_path(const an_graph *g, const an_bfs_result *res, uint32_t obj,
        uint32_t *buf, uint32_t cap)
{
    uint32_t len = 1;
    uint32_t v = obj;

    if (obj >= g->n || res->via[obj] == AN_UNREACHED) {
        return 0;
    }
    /* BFS paths are acyclic; the bound guards the loop */
    while (res->via[v] != AN_VIA_ROOT && len <= g->n) {
        v = an_edge_source(g, res->via[v]);
        len++;
    }
    if (len > cap) {
        return len;
    }
    v = obj;
    for (uint32_t i = len; i > 0; i--) {
        buf[i - 1] = v;
        if (i > 1) {
            v = an_edge_source(g, res->via[v]);
        }
    }
    return len;
}

/* ---- shapes --------------------------------------------------------- */

#define AN_FOLDED UINT64_MAX

typedef struct an_shape_node {
    uint32_t up;        /* parent node or MF_NONE for a root step */
    uint32_t type;
    uint32_t kind;      /* edge kind, or 0x100 | root kind */
    uint64_t label;     /* folded label, or root label */
} an_shape_node;

typedef struct an_trie {
    an_shape_node *nodes;
    uint32_t n_nodes, cap_nodes;
    uint32_t *slots;    /* hash table of node ids, MF_NONE = empty */
    uint32_t mask;
} an_trie;

static uint64_t
an_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t
an_node_hash(const an_shape_node *x)
{
    uint64_t h = an_mix(((uint64_t)x->up << 32) | x->type);

    h = an_mix(h ^ x->kind ^ ((uint64_t)x->kind << 40));
    return an_mix(h ^ x->label);
}

static int
an_trie_grow(an_trie *t)
{
    uint32_t cap = t->mask ? (t->mask + 1) * 2 : 1024;
    uint32_t *slots = malloc((size_t)cap * sizeof(uint32_t));

    if (slots == NULL) {
        return -1;
    }
    memset(slots, 0xff, (size_t)cap * sizeof(uint32_t));
    for (uint32_t i = 0; i < t->n_nodes; i++) {
        uint64_t h = an_node_hash(&t->nodes[i]) & (cap - 1);

        while (slots[h] != MF_NONE) {
            h = (h + 1) & (cap - 1);
        }
        slots[h] = i;
    }
    free(t->slots);
    t->slots = slots;
    t->mask = cap - 1;
    return 0;
}

/* Intern a node; MF_NONE when out of memory. */
static uint32_t
an_trie_intern(an_trie *t, const an_shape_node *x)
{
    uint64_t h;

    if ((uint64_t)(t->n_nodes + 1) * 2 > (uint64_t)t->mask + 1) {
        if (an_trie_grow(t) != 0) {
            return MF_NONE;
        }
    }
    h = an_node_hash(x) & t->mask;
    while (t->slots[h] != MF_NONE) {
        const an_shape_node *y = &t->nodes[t->slots[h]];

        if (y->up == x->up && y->type == x->type && y->kind == x->kind
            && y->label == x->label) {
            return t->slots[h];
        }
        h = (h + 1) & t->mask;
    }
    if (t->n_nodes == t->cap_nodes) {
        uint32_t cap = t->cap_nodes ? t->cap_nodes * 2 : 1024;
        an_shape_node *nodes = realloc(t->nodes, (size_t)cap * sizeof(*nodes));

        if (nodes == NULL) {
            return MF_NONE;
        }
        t->nodes = nodes;
        t->cap_nodes = cap;
    }
    t->nodes[t->n_nodes] = *x;
    t->slots[h] = t->n_nodes;
    return t->n_nodes++;
}

static int
an_group_cmp(const void *a, const void *b)
{
    const an_group *x = a, *y = b;

    if (x->count != y->count) {
        return x->count > y->count ? -1 : 1;
    }
    if (x->example != y->example) {
        return x->example < y->example ? -1 : 1;
    }
    return 0;
}

int
an_group_paths(const an_graph *g, const an_bfs_result *bfs, unsigned fold,
               const an_root_ref *roots, uint32_t n_roots,
               const uint32_t *targets, uint64_t n_targets, an_groups *out)
{
    an_trie trie = {0};
    an_root_ref *by_obj = NULL;
    uint32_t *path = NULL;
    uint32_t path_cap = 0;
    uint64_t *count = NULL;         /* per trie node */
    uint32_t *example = NULL;       /* per trie node */
    uint32_t *length = NULL;        /* per trie node */
    uint32_t count_cap = 0;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    out->unreachable_example = MF_NONE;
    out->n_targets = n_targets;
    by_obj = malloc((size_t)(n_roots ? n_roots : 1) * sizeof(*by_obj));
    if (by_obj == NULL) {
        goto done;
    }
    memcpy(by_obj, roots, (size_t)n_roots * sizeof(*by_obj));
    an_sort_roots_by_object(by_obj, n_roots);

    for (uint64_t i = 0; i < n_targets; i++) {
        uint32_t obj = targets[i];
        uint32_t len, node = MF_NONE;
        const an_root_ref *rr;
        an_shape_node x;

        if (obj >= g->n) {
            continue;
        }
        len = an_path(g, bfs, obj, path, path_cap);
        if (len == 0) {
            if (out->unreachable == 0 || obj < out->unreachable_example) {
                out->unreachable_example = obj;
            }
            out->unreachable++;
            continue;
        }
        if (len > path_cap) {
            uint32_t cap = len > 64 ? len : 64;
            uint32_t *p = realloc(path, (size_t)cap * sizeof(*p));

            if (p == NULL) {
                goto done;
            }
            path = p;
            path_cap = cap;
            len = an_path(g, bfs, obj, path, path_cap);
        }
        /* the root step */
        rr = an_root_of(by_obj, n_roots, path[0]);
        x.up = MF_NONE;
        x.type = g->type ? g->type[path[0]] : 0;
        x.kind = 0x100u | (rr ? rr->kind : MF_ROOT_UNREFERENCED);
        x.label = rr ? rr->label : MF_NONE;
        node = an_trie_intern(&trie, &x);
        for (uint32_t k = 1; k < len && node != MF_NONE; k++) {
            uint64_t e = bfs->via[path[k]];
            uint8_t kind = 0;

            x.up = node;
            x.type = g->type ? g->type[path[k]] : 0;
            x.label = 0;
            if (g->edge_kind) {
                kind = g->edge_kind[e];
                x.label = g->edge_label ? g->edge_label[e] : 0;
                if ((kind & MF_EDGE_KIND_MASK) == MF_EDGE_INDEX
                    || (kind & MF_EDGE_KIND_MASK) == MF_EDGE_KEY_INT
                    || ((fold & AN_FOLD_STR_KEYS)
                        && (kind & MF_EDGE_KIND_MASK) == MF_EDGE_KEY_STR)) {
                    x.label = AN_FOLDED;
                }
            }
            x.kind = kind;
            node = an_trie_intern(&trie, &x);
        }
        if (node == MF_NONE) {
            goto done;
        }
        if (trie.n_nodes > count_cap) {
            uint32_t cap = trie.cap_nodes;
            uint64_t *c = realloc(count, (size_t)cap * sizeof(*c));
            uint32_t *ex, *ln;

            if (c == NULL) {
                goto done;
            }
            count = c;
            ex = realloc(example, (size_t)cap * sizeof(*ex));
            if (ex == NULL) {
                goto done;
            }
            example = ex;
            ln = realloc(length, (size_t)cap * sizeof(*ln));
            if (ln == NULL) {
                goto done;
            }
            length = ln;
            memset(count + count_cap, 0,
                   (size_t)(cap - count_cap) * sizeof(*count));
            count_cap = cap;
        }
        if (count[node] == 0 || obj < example[node]) {
            example[node] = obj;
            length[node] = len;
        }
        count[node]++;
    }

    for (uint32_t v = 0; v < trie.n_nodes && v < count_cap; v++) {
        if (count[v] > 0) {
            out->n_groups++;
        }
    }
    out->groups = malloc((size_t)(out->n_groups ? out->n_groups : 1)
                         * sizeof(an_group));
    if (out->groups == NULL) {
        goto done;
    }
    out->n_groups = 0;
    for (uint32_t v = 0; v < trie.n_nodes && v < count_cap; v++) {
        if (count[v] > 0) {
            an_group *gr = &out->groups[out->n_groups++];

            gr->shape = v;
            gr->count = count[v];
            gr->example = example[v];
            gr->length = length[v];
        }
    }
    qsort(out->groups, out->n_groups, sizeof(an_group), an_group_cmp);
    rc = 0;

done:
    free(by_obj);
    free(path);
    free(count);
    free(example);
    free(length);
    free(trie.nodes);
    free(trie.slots);
    if (rc != 0) {
        an_groups_free(out);
    }
    return rc;
}

void
an_groups_free(an_groups *gr)
{
    free(gr->groups);
    gr->groups = NULL;
    gr->n_groups = 0;
}

/* ---- referrers ------------------------------------------------------ */

uint64_t
an_referrers(const an_graph *g, uint32_t obj, uint32_t *out, uint64_t cap)
{
    uint64_t total = 0;
    uint32_t prev = MF_NONE;

    if (g->rev_start == NULL || obj >= g->n) {
        return 0;
    }
    for (uint32_t k = g->rev_start[obj]; k < g->rev_start[obj + 1]; k++) {
        uint32_t s = g->rev_source[k];

        if (s == prev) {
            continue;           /* several edges from one referrer */
        }
        prev = s;
        if (total < cap) {
            out[total] = s;
        }
        total++;
    }
    return total;
}

/* ---- maps ----------------------------------------------------------- */

typedef struct an_strent {
    char *a, *b;
    size_t alen, blen;
    uint64_t hash;
} an_strent;

struct an_strmap {
    an_strent *ents;
    uint32_t n, cap;
    uint32_t *slots;
    uint32_t mask;
};

static uint64_t
an_fnv(const char *s, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    }
    return h;
}

static uint64_t
an_pair_hash(const char *a, size_t alen, const char *b, size_t blen)
{
    uint64_t h = an_fnv(a, alen, 0xcbf29ce484222325ULL);

    h = an_fnv("\0", 1, h);
    return an_mix(an_fnv(b, blen, h));
}

an_strmap *
an_strmap_new(void)
{
    return calloc(1, sizeof(an_strmap));
}

uint32_t
an_strmap_count(const an_strmap *m)
{
    return m->n;
}

void
an_strmap_key(const an_strmap *m, uint32_t id, const char **a,
              const char **b)
{
    if (id >= m->n) {
        *a = "";
        *b = "";
        return;
    }
    *a = m->ents[id].a;
    *b = m->ents[id].b;
}

static uint32_t
an_strmap_find(const an_strmap *m, uint64_t h, const char *a, size_t alen,
               const char *b, size_t blen, uint32_t *slot)
{
    uint32_t i;

    if (m->slots == NULL) {
        *slot = MF_NONE;
        return MF_NONE;
    }
    i = (uint32_t)(h & m->mask);
    while (m->slots[i] != MF_NONE) {
        const an_strent *e = &m->ents[m->slots[i]];

        if (e->hash == h && e->alen == alen && e->blen == blen
            && memcmp(e->a, a, alen) == 0 && memcmp(e->b, b, blen) == 0) {
            *slot = i;
            return m->slots[i];
        }
        i = (i + 1) & m->mask;
    }
    *slot = i;
    return MF_NONE;
}

uint32_t
an_strmap_get(const an_strmap *m, const char *a, size_t alen, const char *b,
              size_t blen)
{
    uint32_t slot;

    return an_strmap_find(m, an_pair_hash(a, alen, b, blen), a, alen, b,
                          blen, &slot);
}

uint32_t
an_strmap_intern(an_strmap *m, const char *a, size_t alen, const char *b,
                 size_t blen, int *added)
{
    uint64_t h = an_pair_hash(a, alen, b, blen);
    uint32_t slot, id;
    an_strent *e;

    *added = 0;
    if ((uint64_t)(m->n + 1) * 2 > (uint64_t)m->mask + 1 || !m->slots) {
        uint32_t cap = m->slots ? (m->mask + 1) * 2 : 256;
        uint32_t *slots = malloc((size_t)cap * sizeof(uint32_t));

        if (slots == NULL) {
            return MF_NONE;
        }
        memset(slots, 0xff, (size_t)cap * sizeof(uint32_t));
        for (uint32_t k = 0; k < m->n; k++) {
            uint32_t i = (uint32_t)(m->ents[k].hash & (cap - 1));

            while (slots[i] != MF_NONE) {
                i = (i + 1) & (cap - 1);
            }
            slots[i] = k;
        }
        free(m->slots);
        m->slots = slots;
        m->mask = cap - 1;
    }
    id = an_strmap_find(m, h, a, alen, b, blen, &slot);
    if (id != MF_NONE) {
        return id;
    }
    if (m->n == m->cap) {
        uint32_t cap = m->cap ? m->cap * 2 : 64;
        an_strent *ents = realloc(m->ents, (size_t)cap * sizeof(*ents));

        if (ents == NULL) {
            return MF_NONE;
        }
        m->ents = ents;
        m->cap = cap;
    }
    e = &m->ents[m->n];
    e->a = malloc(alen + 1);
    e->b = malloc(blen + 1);
    if (e->a == NULL || e->b == NULL) {
        free(e->a);
        free(e->b);
        return MF_NONE;
    }
    memcpy(e->a, a, alen);
    e->a[alen] = '\0';
    memcpy(e->b, b, blen);
    e->b[blen] = '\0';
    e->alen = alen;
    e->blen = blen;
    e->hash = h;
    m->slots[slot] = m->n;
    *added = 1;
    return m->n++;
}

void
an_strmap_free(an_strmap *m)
{
    if (m == NULL) {
        return;
    }
    for (uint32_t i = 0; i < m->n; i++) {
        free(m->ents[i].a);
        free(m->ents[i].b);
    }
    free(m->ents);
    free(m->slots);
    free(m);
}

int
an_u64map_init(an_u64map *m, uint64_t expected)
{
    uint64_t cap = 1024;

    memset(m, 0, sizeof(*m));
    while (cap < expected * 2) {
        cap *= 2;
    }
    m->keys = malloc(cap * sizeof(uint64_t));
    m->vals = malloc(cap * sizeof(uint32_t));
    if (m->keys == NULL || m->vals == NULL) {
        an_u64map_free(m);
        return -1;
    }
    memset(m->vals, 0xff, cap * sizeof(uint32_t));
    m->mask = cap - 1;
    return 0;
}

int
an_u64map_put(an_u64map *m, uint64_t key, uint32_t val)
{
    uint64_t i = an_mix(key) & m->mask;

    if (m->count + 1 > m->mask) {
        return -1;
    }
    while (m->vals[i] != MF_NONE) {
        if (m->keys[i] == key) {
            return 0;
        }
        i = (i + 1) & m->mask;
    }
    m->keys[i] = key;
    m->vals[i] = val;
    m->count++;
    return 0;
}

uint32_t
an_u64map_get(const an_u64map *m, uint64_t key)
{
    uint64_t i = an_mix(key) & m->mask;

    while (m->vals[i] != MF_NONE) {
        if (m->keys[i] == key) {
            return m->vals[i];
        }
        i = (i + 1) & m->mask;
    }
    return MF_NONE;
}

void
an_u64map_free(an_u64map *m)
{
    free(m->keys);
    free(m->vals);
    m->keys = NULL;
    m->vals = NULL;
}
