/*
 * growth.c - accumulation points of new objects (growth.h).
 *
 * The passes, each O(objects) or O(edges):
 *   1. a preorder of the dominator tree (through its children lists), so
 *      that the other passes go top-down or bottom-up;
 *   2. top-down: the unit (head) of each object below a new one;
 *      bottom-up: the gained objects below each object of a unit (`cnt`);
 *   3. one scan of the edges: the holders of each unit's head, and the
 *      weak references from heads to other units;
 *   4. per unit: its group (union-find over the holders; a unit without
 *      holders follows its shortest path's parent or its weak referent);
 *      per group: totals and its primary holder;
 *   5. per group: the point (a descent inside a unit holding most of the
 *      group, or the primary holder);
 *   6. examples and hangs;
 *   7. top-down again: each object charged to its nearest gained
 *      dominator's group; totals and types per group;
 *   8. the points ranked, everything renumbered by rank.
 */
#include "lib/growth.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "hash.h"

#define NONE MF_NONE

/* unit states (one byte per object, meaningful for heads) */
enum {
    ST_NONE,    /* no holder seen yet */
    ST_HELD,    /* uf[t]: one of its holders */
    ST_WEAK,    /* uf[t]: the unit its weak reference points into */
    ST_SHARED,  /* uf[t]: the unit of its shortest path's parent */
    ST_ROOT,    /* a group of its own */
    ST_VISIT,   /* being resolved */
    ST_DONE     /* uf[t]: its group id */
};

int
an_hang_of_kind(uint8_t kind)
{
    switch (kind & MF_EDGE_KIND_MASK) {
    case MF_EDGE_DICT_KEY:
        return AN_HANG_KEY;
    case MF_EDGE_KEY_STR:
    case MF_EDGE_KEY_INT:
    case MF_EDGE_KEY_OTHER:
        return AN_HANG_VALUE;
    case MF_EDGE_INDEX:
    case MF_EDGE_SET_ITEM:
        return AN_HANG_ITEM;
    case MF_EDGE_ATTR:
    case MF_EDGE_FIELD:
        return AN_HANG_ATTR;
    default:
        return AN_HANG_OTHER;
    }
}

const char *
an_hang_name(int hang)
{
    static const char *const names[AN_HANG_KINDS] = {
        "keys", "values", "items", "attributes", "references", "indirect",
    };

    return hang >= 0 && hang < AN_HANG_KINDS ? names[hang] : "?";
}

void
an_growth_opts_init(an_growth_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->descend_permille = AN_GROWTH_DESCEND_DEFAULT;
}

/* ---- small growable arrays and a hash of 64-bit keys ------------------ */

typedef struct hold_pair {
    uint32_t head, holder;
    uint64_t edge;
} hold_pair;

typedef struct weak_pair {
    uint32_t head, unit;
} weak_pair;

/* 64-bit key -> 32-bit value, open addressing, grows (keys never
 * UINT64_MAX).  Keys are object indices: keyed hash (hash.h), so that no
 * file makes the probes long. */
typedef struct kmap {
    uint64_t *keys;
    uint32_t *vals;
    uint64_t mask, count;
} kmap;

#define KMAP_EMPTY UINT64_MAX

static int
kmap_rehash(kmap *m, uint64_t slots)
{
    uint64_t *keys = malloc((size_t)slots * sizeof(uint64_t));
    uint32_t *vals = malloc((size_t)slots * sizeof(uint32_t));

    if (keys == NULL || vals == NULL) {
        free(keys);
        free(vals);
        return -1;
    }
    memset(keys, 0xff, (size_t)slots * sizeof(uint64_t));
    for (uint64_t i = 0; m->keys != NULL && i <= m->mask; i++) {
        if (m->keys[i] != KMAP_EMPTY) {
            uint64_t h = mf_hash_u64(m->keys[i]) & (slots - 1);

            while (keys[h] != KMAP_EMPTY) {
                h = (h + 1) & (slots - 1);
            }
            keys[h] = m->keys[i];
            vals[h] = m->vals[i];
        }
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->mask = slots - 1;
    return 0;
}

/* The slot of key (inserted with value NONE when new); NULL on ENOMEM. */
static uint32_t *
kmap_slot(kmap *m, uint64_t key)
{
    uint64_t h;

    if (m->keys == NULL || (m->count + 1) * 2 > m->mask + 1) {
        if (kmap_rehash(m, m->keys ? (m->mask + 1) * 2 : 64) != 0) {
            return NULL;
        }
    }
    h = mf_hash_u64(key) & m->mask;
    while (m->keys[h] != KMAP_EMPTY && m->keys[h] != key) {
        h = (h + 1) & m->mask;
    }
    if (m->keys[h] == KMAP_EMPTY) {
        m->keys[h] = key;
        m->vals[h] = NONE;
        m->count++;
    }
    return &m->vals[h];
}

static void
kmap_free(kmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

/* ---- the model -------------------------------------------------------- */

/* Per group, while the model is built. */
typedef struct grp {
    uint64_t gained;        /* sum of its units' cnt */
    uint64_t own;           /* the same over its units neither weak nor
                               shared */
    uint32_t units;
    uint32_t gained_heads;  /* units whose head is gained */
    uint32_t largest;       /* its unit with the most gained objects */
    uint32_t largest_own;   /* the same among its own units */
    uint32_t heavy;         /* the own unit holding the share, or NONE */
    uint32_t primary;       /* holder row, or NONE */
    uint32_t children;      /* of a new point: children holding gained */
} grp;

typedef struct holder_row {
    uint32_t object;
    uint32_t group;
    uint32_t units;
    uint64_t count;
} holder_row;

typedef struct gw {
    const an_graph *g;
    const an_domtree *dt;
    const uint64_t *old, *gained, *size;
    an_growth_opts opts;
    uint32_t n, m;          /* objects, reachable ones */
    size_t nb;              /* bytes of an array of n uint32 */
    uint32_t *order;        /* preorder of the reachable objects */
    uint32_t *isl;          /* the head of the unit of each object, or
                               NONE in the old region */
    uint32_t *cnt;          /* in a unit: gained objects below, itself
                               included */
    uint32_t *uf;           /* old region: union-find parent of holders;
                               heads: link, then representative; in a
                               unit, after gw_groups: the group */
    uint32_t *scratch;      /* marks and stacks of the passes */
    uint8_t *state;         /* heads: ST_* */
    uint64_t *weakheads;    /* heads that are weak references to a unit */
    uint64_t *linked;       /* heads charged along a weak reference or a
                               shortest path */
    hold_pair *pairs;       /* (head, holder, edge), by holder */
    uint64_t n_pairs, cap_pairs;
    weak_pair *weak;
    uint64_t n_weak, cap_weak;
    kmap gidmap;            /* representative -> group */
    grp *gr;
    uint32_t n_groups;
    holder_row *hrows;
    uint64_t n_hrows, cap_hrows;
    an_growth_point *pts;   /* by group until ranked */
} gw;

/* old: in the earlier snapshot (BASE); without an `old` bitmap, every
 * object not gained */
static inline int
is_old(const gw *w, uint32_t v)
{
    return w->old != NULL ? an_bit(w->old, v) : !an_bit(w->gained, v);
}

static inline int
is_gained(const gw *w, uint32_t v)
{
    return an_bit(w->gained, v) && !is_old(w, v);
}

static inline int
reachable(const gw *w, uint32_t v)
{
    return w->dt->unreachable == NULL || !an_bit(w->dt->unreachable, v);
}

/* The parent of reachable v in the dominator tree, NONE under the
 * super-root. */
static inline uint32_t
dom_parent(const gw *w, uint32_t v)
{
    uint32_t p = w->dt->idom[v];

    return p < w->n && reachable(w, p) ? p : NONE;
}

static inline uint32_t
type_of(const an_graph *g, uint32_t v)
{
    return g->type ? g->type[v] : 0;
}

static inline int
gaining_head(const gw *w, uint32_t t)
{
    return w->isl[t] == t && w->cnt[t] > 0;
}

static int
better(uint64_t a_count, uint32_t a, uint64_t b_count, uint32_t b)
{
    return b == NONE || a_count > b_count || (a_count == b_count && a < b);
}

/* Pass 1: a preorder of the dominator tree (children in index order),
 * through its children lists (CSR; the stack borrows uf). */
static int
gw_preorder(gw *w)
{
    uint32_t n = w->n;
    uint32_t *cstart = calloc((size_t)n + 2, sizeof(uint32_t));
    uint32_t *clist = an_big_malloc(w->nb);
    uint32_t *stack = w->uf;
    uint32_t top = 0, m = 0;

    if (cstart == NULL || clist == NULL) {
        free(cstart);
        free(clist);
        return -1;
    }
    /* the super-root's children are listed under n */
    for (uint32_t v = 0; v < n; v++) {
        if (reachable(w, v)) {
            uint32_t p = dom_parent(w, v);

            cstart[(p == NONE ? n : p) + 1]++;
        }
    }
    for (uint32_t p = 0; p <= n; p++) {
        cstart[p + 1] += cstart[p];
    }
    for (uint32_t v = 0; v < n; v++) {
        if (reachable(w, v)) {
            uint32_t p = dom_parent(w, v);

            clist[cstart[p == NONE ? n : p]++] = v;
        }
    }
    for (uint32_t p = n + 1; p > 0; p--) {
        cstart[p] = cstart[p - 1];
    }
    cstart[0] = 0;
    for (uint32_t k = cstart[n + 1]; k > cstart[n]; k--) {
        stack[top++] = clist[k - 1];
    }
    while (top > 0) {
        uint32_t v = stack[--top];

        w->order[m++] = v;
        for (uint32_t k = cstart[v + 1]; k > cstart[v]; k--) {
            stack[top++] = clist[k - 1];
        }
    }
    w->m = m;
    free(cstart);
    free(clist);
    return 0;
}

/*
 * Pass 2: the units.  The old region is the old objects with no new
 * dominator; a unit is the dominator subtree of a new object whose parent
 * is in the old region (or the super-root): its head.  An old object
 * inside a unit belongs to it (an object of BASE adopted by a new
 * structure, or a new one that took a freed object's address).
 */
static void
gw_units(gw *w)
{
    memset(w->isl, 0xff, w->nb);
    memset(w->cnt, 0, w->nb);
    for (uint32_t k = 0; k < w->m; k++) {
        uint32_t v = w->order[k], p = dom_parent(w, v);

        if (p != NONE && w->isl[p] != NONE) {
            w->isl[v] = w->isl[p];
        }
        else if (!is_old(w, v)) {
            w->isl[v] = v;
        }
        w->cnt[v] = (uint32_t)is_gained(w, v);
    }
    for (uint32_t k = w->m; k > 0; k--) {
        uint32_t v = w->order[k - 1], p = dom_parent(w, v);

        if (w->isl[v] != NONE && w->isl[v] != v) {
            w->cnt[p] += w->cnt[v];
        }
    }
}

/* Pass 3: the holders of the heads (in the old region), and the weak
 * references that heads are to other units. */
static int
gw_scan(gw *w)
{
    const an_graph *g = w->g;

    for (uint32_t u = 0; g->edge_start != NULL && u < w->n; u++) {
        int holder, weak_head;

        if (!reachable(w, u)) {
            continue;
        }
        holder = w->isl[u] == NONE;
        weak_head = gaining_head(w, u);
        if (!holder && !weak_head) {
            continue;
        }
        for (uint64_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++) {
            uint32_t t = g->edge_target[e];

            if (t >= w->n || t == u || !reachable(w, t)) {
                continue;
            }
            if (g->edge_kind != NULL && (g->edge_kind[e] & MF_EDGE_WEAK)) {
                uint32_t unit = w->isl[t];

                if (weak_head && unit != NONE && unit != u
                    && w->cnt[unit] > 0) {
                    if (an_grow(&w->weak, &w->cap_weak, w->n_weak + 1,
                             sizeof(weak_pair), 256) != 0) {
                        return -1;
                    }
                    w->weak[w->n_weak].head = u;
                    w->weak[w->n_weak].unit = unit;
                    w->n_weak++;
                    weak_head = 0;  /* its first referent decides */
                }
                continue;
            }
            if (!holder || !gaining_head(w, t)) {
                continue;
            }
            if (an_grow(&w->pairs, &w->cap_pairs, w->n_pairs + 1,
                     sizeof(hold_pair), 256) != 0) {
                return -1;
            }
            w->pairs[w->n_pairs].head = t;
            w->pairs[w->n_pairs].holder = u;
            w->pairs[w->n_pairs].edge = e;
            w->n_pairs++;
        }
    }
    return 0;
}

static uint32_t
uf_find(uint32_t *uf, uint32_t x)
{
    while (uf[x] != x) {
        uf[x] = uf[uf[x]];
        x = uf[x];
    }
    return x;
}

static void
uf_union(uint32_t *uf, uint32_t a, uint32_t b)
{
    a = uf_find(uf, a);
    b = uf_find(uf, b);
    if (a < b) {
        uf[b] = a;
    }
    else if (b < a) {
        uf[a] = b;
    }
}

/* Pass 4a: how each gaining head is charged: weak reference, holders
 * (joined), shortest path's parent, or a group of its own. */
static void
gw_link(gw *w, const an_bfs_result *bfs)
{
    memset(w->uf, 0xff, w->nb);
    memset(w->state, ST_NONE, w->n ? w->n : 1);
    for (uint64_t i = 0; i < w->n_weak; i++) {
        uint32_t t = w->weak[i].head;

        if (w->state[t] == ST_NONE) {
            w->state[t] = ST_WEAK;
            w->uf[t] = w->weak[i].unit;
            an_set_bit(w->weakheads, t);
            an_set_bit(w->linked, t);
        }
    }
    for (uint64_t i = 0; i < w->n_pairs; i++) {
        uint32_t t = w->pairs[i].head, u = w->pairs[i].holder;

        if (w->state[t] == ST_WEAK) {
            continue;
        }
        if (w->uf[u] == NONE) {
            w->uf[u] = u;
        }
        if (w->state[t] == ST_NONE) {
            w->state[t] = ST_HELD;
            w->uf[t] = u;
        }
        else {
            uf_union(w->uf, u, w->uf[t]);
        }
    }
    for (uint32_t k = 0; k < w->m; k++) {
        uint32_t t = w->order[k], via, p;

        if (!gaining_head(w, t) || w->state[t] != ST_NONE) {
            continue;
        }
        w->state[t] = ST_ROOT;
        via = bfs != NULL ? bfs->via[t] : AN_UNREACHED;
        if (via == AN_VIA_ROOT || via == AN_UNREACHED) {
            continue;
        }
        p = an_edge_source(w->g, via);
        if (p < w->n && w->isl[p] != NONE && w->isl[p] != t
            && w->cnt[w->isl[p]] > 0) {
            w->state[t] = ST_SHARED;
            w->uf[t] = w->isl[p];
            an_set_bit(w->linked, t);
        }
    }
}

/*
 * Pass 4b: the representative of head t's group: an old holder (the
 * union-find root) or a head.  Chains of weak and shared links are
 * followed with an explicit stack (scratch); a cycle makes the head where
 * it closes a representative.  The heads on the way get ST_DONE with uf =
 * the representative.
 */
static uint32_t
gw_resolve(gw *w, uint32_t t)
{
    uint32_t top = 0, x = t, rep;

    for (;;) {
        uint8_t st = w->state[x];

        if (st == ST_DONE) {
            rep = w->uf[x];
            break;
        }
        if (st == ST_HELD) {
            rep = uf_find(w->uf, w->uf[x]);
            break;
        }
        if (st == ST_ROOT || st == ST_VISIT) {
            rep = x;
            break;
        }
        w->state[x] = ST_VISIT;
        w->scratch[top++] = x;
        x = w->uf[x];
    }
    w->state[x] = ST_DONE;
    w->uf[x] = rep;
    while (top > 0) {
        uint32_t y = w->scratch[--top];

        w->state[y] = ST_DONE;
        w->uf[y] = rep;
    }
    return rep;
}

/* Pass 4c: the groups, numbered in preorder of their first unit, their
 * totals over units, and the group of every object in a unit (in uf). */
static int
gw_groups(gw *w, an_growth *out)
{
    for (uint32_t k = 0; k < w->m; k++) {
        uint32_t t = w->order[k];

        if (gaining_head(w, t)) {
            out->units++;
            out->weak_units += w->state[t] == ST_WEAK;
            out->shared_units += w->state[t] == ST_SHARED;
            gw_resolve(w, t);
        }
    }
    for (uint32_t k = 0; k < w->m; k++) {
        uint32_t t = w->order[k], *slot;

        if (!gaining_head(w, t)) {
            continue;
        }
        slot = kmap_slot(&w->gidmap, w->uf[t]);
        if (slot == NULL) {
            return -1;
        }
        if (*slot == NONE) {
            *slot = w->n_groups++;
        }
        w->scratch[t] = *slot;
    }
    w->gr = calloc((size_t)w->n_groups + 1, sizeof(grp));
    if (w->gr == NULL) {
        return -1;
    }
    for (uint32_t i = 0; i < w->n_groups; i++) {
        w->gr[i].largest = w->gr[i].largest_own = NONE;
        w->gr[i].heavy = w->gr[i].primary = NONE;
    }
    for (uint32_t k = 0; k < w->m; k++) {
        uint32_t v = w->order[k], t = w->isl[v];
        grp *x;

        if (t == NONE) {
            continue;
        }
        if (w->cnt[t] == 0) {
            w->uf[v] = NONE;    /* a unit without gained objects */
            continue;
        }
        w->uf[v] = w->scratch[t];
        if (v != t) {
            continue;
        }
        x = &w->gr[w->uf[t]];
        x->gained += w->cnt[t];
        x->units++;
        x->gained_heads += is_gained(w, t);
        if (better(w->cnt[t], t, x->largest == NONE ? 0 : w->cnt[x->largest],
                   x->largest)) {
            x->largest = t;
        }
        /* weak and shared units go along; the share that decides the
         * descent is over the group's own units */
        if (!an_bit(w->linked, t)) {
            x->own += w->cnt[t];
            if (better(w->cnt[t], t, x->largest_own == NONE
                                     ? 0 : w->cnt[x->largest_own],
                       x->largest_own)) {
                x->largest_own = t;
            }
        }
    }
    for (uint32_t i = 0; i < w->n_groups; i++) {
        if (w->gr[i].own == 0) {    /* only linked units: a cycle */
            w->gr[i].own = w->gr[i].gained;
            w->gr[i].largest_own = w->gr[i].largest;
        }
    }
    return 0;
}

/* Pass 4d: one row per distinct holder (of a unit not weak), credited
 * once per unit it holds with the unit's gained objects; the primary
 * holder of each group.  The pairs of one holder are consecutive; scratch
 * maps a holder to its row, and marks on a head the row that last
 * credited it. */
static int
gw_holders(gw *w)
{
    memset(w->scratch, 0xff, w->nb);
    for (uint64_t i = 0; i < w->n_pairs; i++) {
        uint32_t t = w->pairs[i].head, u = w->pairs[i].holder;
        holder_row *h;

        if (an_bit(w->weakheads, t)) {
            continue;
        }
        if (w->scratch[u] == NONE) {
            if (an_grow(&w->hrows, &w->cap_hrows, w->n_hrows + 1,
                     sizeof(holder_row), 256) != 0) {
                return -1;
            }
            w->scratch[u] = (uint32_t)w->n_hrows;
            h = &w->hrows[w->n_hrows++];
            h->object = u;
            h->group = NONE;
            h->units = 0;
            h->count = 0;
        }
        if (w->scratch[t] == w->scratch[u]) {
            continue;   /* another edge from this holder to the head */
        }
        w->scratch[t] = w->scratch[u];
        h = &w->hrows[w->scratch[u]];
        h->group = w->uf[t];
        h->units++;
        h->count += w->cnt[t];
    }
    for (uint64_t r = 0; r < w->n_hrows; r++) {
        holder_row *h = &w->hrows[r];
        grp *x;

        if (h->group == NONE) {
            continue;
        }
        x = &w->gr[h->group];
        if (x->primary == NONE
            || better(h->count, h->object, w->hrows[x->primary].count,
                      w->hrows[x->primary].object)) {
            x->primary = (uint32_t)r;
        }
    }
    return 0;
}

static int
heavy_share(uint64_t part, uint64_t whole, uint32_t permille)
{
    return part * 1000 >= (uint64_t)permille * whole && part * 2 > whole;
}

/*
 * Pass 5: the point of each group.  When an own unit holds the share of
 * the group's own gained objects, the point goes inside it: from its head
 * down the dominator tree to the child holding the share (at most one:
 * the share is over half), stopping before a type met on the way down.
 * Else the primary holder; a group without holder (new roots) gets its
 * largest unit's head.
 */
static int
gw_points(gw *w)
{
    uint32_t permille = w->opts.descend_permille;

    w->pts = calloc((size_t)w->n_groups + 1, sizeof(an_growth_point));
    if (w->pts == NULL) {
        return -1;
    }
    for (uint32_t i = 0; i < w->n_groups; i++) {
        grp *x = &w->gr[i];
        an_growth_point *pt = &w->pts[i];

        if (x->largest_own != NONE
            && heavy_share(w->cnt[x->largest_own], x->own, permille)) {
            x->heavy = x->largest_own;
        }
        pt->holder = x->primary == NONE ? NONE : w->hrows[x->primary].object;
        pt->head = NONE;
        pt->example = NONE;
        pt->n_units = x->units;
        pt->newer = x->gained_heads == 0;
    }
    /* the child that holds the share, of each object of a heavy unit */
    memset(w->scratch, 0xff, w->nb);
    for (uint32_t k = 0; k < w->m; k++) {
        uint32_t v = w->order[k], gid = w->uf[v];

        if (w->isl[v] == NONE || w->isl[v] == v || gid == NONE
            || w->gr[gid].heavy != w->isl[v]
            || !heavy_share(w->cnt[v], w->gr[gid].own, permille)) {
            continue;
        }
        w->scratch[dom_parent(w, v)] = v;
    }
    for (uint32_t i = 0; i < w->n_groups; i++) {
        grp *x = &w->gr[i];
        an_growth_point *pt = &w->pts[i];

        if (x->heavy != NONE) {
            uint32_t seen[64], n_seen = 0, at = x->heavy;

            seen[n_seen++] = type_of(w->g, at);
            pt->kind = AN_POINT_NEW;
            pt->head = x->heavy;
            while (w->scratch[at] != NONE && n_seen < 64) {
                uint32_t c = w->scratch[at], tc = type_of(w->g, c), j;

                for (j = 0; j < n_seen && seen[j] != tc; j++) {
                }
                if (j < n_seen) {
                    break;  /* a recursive structure: stop at its top */
                }
                seen[n_seen++] = tc;
                at = c;
                pt->depth++;
            }
            pt->object = at;
        }
        else if (x->primary != NONE) {
            pt->kind = AN_POINT_HOLDER;
            pt->object = w->hrows[x->primary].object;
        }
        else {
            pt->kind = AN_POINT_NEW;
            pt->head = x->largest;
            pt->object = x->largest;
        }
    }
    return 0;
}

static int
hang_of_edge(const an_graph *g, uint64_t e)
{
    return g->edge_kind ? an_hang_of_kind(g->edge_kind[e]) : AN_HANG_OTHER;
}

/* Pass 6: examples and hangs.  A holder point: the units it holds
 * directly; a new point: its dominator children holding gained objects.
 * scratch marks what was counted. */
static void
gw_examples(gw *w)
{
    const an_graph *g = w->g;

    memset(w->scratch, 0xff, w->nb);
    for (uint64_t i = 0; i < w->n_pairs; i++) {
        uint32_t t = w->pairs[i].head, u = w->pairs[i].holder;
        uint32_t gid = w->uf[t];
        an_growth_point *pt;

        if (gid == NONE || an_bit(w->weakheads, t)) {
            continue;
        }
        pt = &w->pts[gid];
        if (pt->kind != AN_POINT_HOLDER || pt->object != u
            || w->scratch[t] != NONE) {
            continue;
        }
        w->scratch[t] = gid;
        pt->hang[hang_of_edge(g, w->pairs[i].edge)]++;
        if (better(w->cnt[t], t, pt->example == NONE
                                 ? 0 : w->cnt[pt->example], pt->example)) {
            pt->example = t;
        }
    }
    for (uint32_t k = 0; k < w->m; k++) {
        uint32_t v = w->order[k], gid = w->uf[v];
        an_growth_point *pt;

        if (w->isl[v] == NONE || w->isl[v] == v || gid == NONE
            || w->cnt[v] == 0) {
            continue;
        }
        pt = &w->pts[gid];
        if (pt->kind != AN_POINT_NEW || dom_parent(w, v) != pt->object) {
            continue;
        }
        w->gr[gid].children++;
        if (better(w->cnt[v], v, pt->example == NONE
                                 ? 0 : w->cnt[pt->example], pt->example)) {
            pt->example = v;
        }
    }
    for (uint32_t i = 0; i < w->n_groups; i++) {
        an_growth_point *pt = &w->pts[i];
        uint64_t direct = 0, all;

        if (pt->kind == AN_POINT_NEW) {
            uint32_t p = pt->object;

            for (uint64_t e = g->edge_start ? g->edge_start[p] : 0;
                 g->edge_start && e < g->edge_start[p + 1]; e++) {
                uint32_t c = g->edge_target[e];

                if (c >= w->n || c == p || !reachable(w, c)
                    || w->isl[c] == NONE || w->isl[c] == c
                    || w->uf[c] != i || w->cnt[c] == 0
                    || dom_parent(w, c) != p || w->scratch[c] != NONE) {
                    continue;
                }
                w->scratch[c] = i;
                pt->hang[hang_of_edge(g, e)]++;
            }
            if (pt->example == NONE) {
                pt->example = p;
            }
        }
        for (int h = 0; h < AN_HANG_INDIRECT; h++) {
            direct += pt->hang[h];
        }
        all = pt->kind == AN_POINT_NEW ? w->gr[i].children : pt->n_units;
        pt->hang[AN_HANG_INDIRECT] = all > direct ? all - direct : 0;
    }
}

static uint32_t
class_of(const an_growth_opts *o, const an_graph *g, uint32_t v)
{
    uint32_t t = type_of(g, v);

    if (o->class_of_type == NULL) {
        return t;
    }
    return t < o->n_types ? o->class_of_type[t] : o->unknown_class;
}

/* Pass 7: charge every object to the group of its nearest gained
 * dominator (scratch holds the charge); count, size and type the
 * gained. */
static int
gw_charge(gw *w, an_growth *out, kmap *typemap, uint64_t *cap_types)
{
    uint64_t n_types = 0;

    memset(w->scratch, 0xff, w->nb);
    for (uint32_t k = 0; k < w->m; k++) {
        uint32_t v = w->order[k], p = dom_parent(w, v), c;

        if (is_gained(w, v) && w->uf[v] != NONE) {
            uint32_t *slot;
            an_growth_type *ty;

            c = w->uf[v];
            w->pts[c].count++;
            w->pts[c].size += w->size[v];
            out->gained_count++;
            out->gained_size += w->size[v];
            slot = kmap_slot(typemap, ((uint64_t)c << 32)
                                      | class_of(&w->opts, w->g, v));
            if (slot == NULL) {
                return -1;
            }
            if (*slot == NONE) {
                if (an_grow(&out->types, cap_types, n_types + 1,
                         sizeof(an_growth_type), 256) != 0) {
                    return -1;
                }
                *slot = (uint32_t)n_types;
                ty = &out->types[n_types++];
                ty->type = class_of(&w->opts, w->g, v);
                ty->point = c;
                ty->count = 0;
                ty->size = 0;
            }
            ty = &out->types[*slot];
            ty->count++;
            ty->size += w->size[v];
        }
        else {
            c = p == NONE ? NONE : w->scratch[p];
        }
        w->scratch[v] = c;
        if (c != NONE) {
            w->pts[c].retained += w->size[v];
        }
    }
    for (uint32_t v = 0; v < w->n; v++) {
        if (!reachable(w, v)) {
            w->scratch[v] = NONE;
            if (is_gained(w, v)) {
                out->unreachable_count++;
                out->unreachable_size += w->size[v];
            }
        }
    }
    out->n_types = (uint32_t)n_types;
    return 0;
}

static int
point_cmp(const void *pa, const void *pb)
{
    const an_growth_point *x = pa, *y = pb;

    if (x->newer != y->newer) {
        return x->newer ? 1 : -1;
    }
    if (x->retained != y->retained) {
        return x->retained > y->retained ? -1 : 1;
    }
    if (x->count != y->count) {
        return x->count > y->count ? -1 : 1;
    }
    return x->object < y->object ? -1 : x->object > y->object;
}

static int
type_cmp(const void *pa, const void *pb)
{
    const an_growth_type *x = pa, *y = pb;

    if (x->point != y->point) {
        return x->point < y->point ? -1 : 1;
    }
    if (x->count != y->count) {
        return x->count > y->count ? -1 : 1;
    }
    if (x->size != y->size) {
        return x->size > y->size ? -1 : 1;
    }
    return x->type < y->type ? -1 : x->type > y->type;
}

static int
holder_cmp(const void *pa, const void *pb)
{
    const an_growth_holder *x = pa, *y = pb;

    if (x->count != y->count) {
        return x->count > y->count ? -1 : 1;
    }
    return x->object < y->object ? -1 : x->object > y->object;
}

/* Pass 8: rank the points and renumber types, holders and charges. */
static int
gw_finish(gw *w, an_growth *out)
{
    uint32_t n = w->n_groups, *rank, *pos;
    uint64_t n_h = 0;

    rank = malloc(((size_t)n + 1) * sizeof(uint32_t));
    pos = malloc(((size_t)n + 1) * sizeof(uint32_t));
    if (rank == NULL || pos == NULL) {
        free(rank);
        free(pos);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        w->pts[i].first_holder = i;     /* the group, until sorted */
    }
    qsort(w->pts, n, sizeof(an_growth_point), point_cmp);
    for (uint32_t r = 0; r < n; r++) {
        rank[w->pts[r].first_holder] = r;
        w->pts[r].first_holder = 0;
    }
    for (uint32_t i = 0; i < out->n_types; i++) {
        out->types[i].point = rank[out->types[i].point];
    }
    if (out->n_types > 0) {
        qsort(out->types, out->n_types, sizeof(an_growth_type), type_cmp);
    }
    for (uint32_t i = out->n_types; i > 0; i--) {
        an_growth_point *pt = &w->pts[out->types[i - 1].point];

        pt->first_type = i - 1;
        pt->n_types++;
    }
    /* holders by point (counting sort), then by count */
    for (uint64_t r = 0; r < w->n_hrows; r++) {
        if (w->hrows[r].group != NONE) {
            w->pts[rank[w->hrows[r].group]].n_holders++;
            n_h++;
        }
    }
    out->holders = malloc((size_t)(n_h ? n_h : 1) * sizeof(an_growth_holder));
    if (out->holders == NULL) {
        free(rank);
        free(pos);
        return -1;
    }
    n_h = 0;
    for (uint32_t r = 0; r < n; r++) {
        w->pts[r].first_holder = (uint32_t)n_h;
        pos[r] = (uint32_t)n_h;
        n_h += w->pts[r].n_holders;
    }
    for (uint64_t r = 0; r < w->n_hrows; r++) {
        if (w->hrows[r].group != NONE) {
            an_growth_holder *h =
                &out->holders[pos[rank[w->hrows[r].group]]++];

            h->object = w->hrows[r].object;
            h->units = w->hrows[r].units;
            h->count = w->hrows[r].count;
        }
    }
    for (uint32_t r = 0; r < n; r++) {
        if (w->pts[r].n_holders > 1) {
            qsort(out->holders + w->pts[r].first_holder, w->pts[r].n_holders,
                  sizeof(an_growth_holder), holder_cmp);
        }
    }
    out->n_holders = (uint32_t)n_h;
    if (w->opts.members) {
        for (uint32_t v = 0; v < w->n; v++) {
            if (w->scratch[v] != NONE) {
                w->scratch[v] = rank[w->scratch[v]];
            }
        }
        out->group_of = w->scratch;
        w->scratch = NULL;
    }
    out->points = w->pts;
    out->n_points = n;
    w->pts = NULL;
    free(rank);
    free(pos);
    return 0;
}

void
an_growth_free(an_growth *gr)
{
    free(gr->points);
    free(gr->types);
    free(gr->holders);
    free(gr->group_of);
    memset(gr, 0, sizeof(*gr));
}

static void
gw_free(gw *w)
{
    free(w->order);
    free(w->isl);
    free(w->cnt);
    free(w->uf);
    free(w->scratch);
    free(w->state);
    free(w->weakheads);
    free(w->linked);
    free(w->pairs);
    free(w->weak);
    kmap_free(&w->gidmap);
    free(w->gr);
    free(w->hrows);
    free(w->pts);
}

an_err
an_growth_find(const an_graph *g, const uint64_t *size,
               const an_domtree *dt, const an_bfs_result *bfs,
               const uint64_t *old, const uint64_t *gained,
               const an_growth_opts *opts, an_growth *out)
{
    gw w;
    kmap typemap = {0};
    uint64_t cap_types = 0;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    memset(&w, 0, sizeof(w));
    if (opts != NULL) {
        w.opts = *opts;
    }
    else {
        an_growth_opts_init(&w.opts);
    }
    if (w.opts.descend_permille < 500 || w.opts.descend_permille > 1000) {
        w.opts.descend_permille = AN_GROWTH_DESCEND_DEFAULT;
    }
    w.g = g;
    w.dt = dt;
    w.old = old;
    w.gained = gained;
    w.size = size;
    w.n = g->n;
    w.nb = (size_t)(g->n ? g->n : 1) * sizeof(uint32_t);
    w.order = an_big_malloc(w.nb);
    w.uf = an_big_malloc(w.nb);
    if (w.order == NULL || w.uf == NULL || gw_preorder(&w) != 0) {
        goto done;
    }
    w.isl = an_big_malloc(w.nb);
    w.cnt = an_big_malloc(w.nb);
    w.scratch = an_big_malloc(w.nb);
    w.state = an_big_malloc(g->n ? g->n : 1);
    w.weakheads = an_bitmap_new(g->n);
    w.linked = an_bitmap_new(g->n);
    if (w.isl == NULL || w.cnt == NULL || w.scratch == NULL
        || w.state == NULL || w.weakheads == NULL || w.linked == NULL) {
        goto done;
    }
    gw_units(&w);
    if (gw_scan(&w) != 0) {
        goto done;
    }
    gw_link(&w, bfs);
    if (gw_groups(&w, out) != 0 || gw_holders(&w) != 0
        || gw_points(&w) != 0) {
        goto done;
    }
    gw_examples(&w);
    if (gw_charge(&w, out, &typemap, &cap_types) != 0
        || gw_finish(&w, out) != 0) {
        goto done;
    }
    rc = 0;

done:
    gw_free(&w);
    kmap_free(&typemap);
    if (rc != 0) {
        an_growth_free(out);
        return AN_ERR_NOMEM;
    }
    return AN_OK;
}
