/*
 * dominators.c - semi-NCA dominators over the heap graph.
 *
 * Every array of the computation is indexed by DFS preorder number:
 * 0 is the super-root, 1..n the objects in the order the search met them
 * (first the reachable ones, 1..n_reach, then the islands).  Working in
 * preorder keeps the inner loops on small dense arrays and makes the
 * results easy to accumulate: a dominator always has a smaller number than
 * what it dominates.
 */
#include "lib/dominators.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

/* ---- depth-first numbering ------------------------------------------ */

/* A frame of the search: the object and the edges left to look at. */
typedef struct dom_frame {
    uint64_t next, end;
    uint32_t obj;
} dom_frame;

typedef struct dom_dfs {
    const an_graph *g;
    uint32_t *pre_of;       /* object -> preorder number, 0 = not yet */
    uint32_t *vertex;       /* preorder number -> object (n + 1) */
    uint32_t *parent;       /* preorder number -> parent's (n + 1) */
    uint32_t next;          /* next preorder number */
    dom_frame *stack;       /* the search path */
    size_t stack_cap;
} dom_dfs;

static int
dom_push(dom_dfs *d, size_t *top, uint32_t obj)
{
    dom_frame *f;

    if (*top == d->stack_cap) {
        size_t cap = d->stack_cap ? d->stack_cap * 2 : 1024;
        dom_frame *st = realloc(d->stack, cap * sizeof(dom_frame));

        if (st == NULL) {
            return -1;
        }
        d->stack = st;
        d->stack_cap = cap;
    }
    f = &d->stack[(*top)++];
    f->obj = obj;
    f->next = d->g->edge_start ? d->g->edge_start[obj] : 0;
    f->end = d->g->edge_start ? d->g->edge_start[obj + 1] : 0;
    return 0;
}

/* Number `start` and everything new it reaches, as a child of the
 * super-root. */
static int
dom_search(dom_dfs *d, uint32_t start)
{
    const an_graph *g = d->g;
    size_t top = 0;

    if (d->pre_of[start] != 0) {
        return 0;
    }
    d->pre_of[start] = d->next;
    d->vertex[d->next] = start;
    d->parent[d->next] = 0;
    d->next++;
    if (dom_push(d, &top, start) != 0) {
        return -1;
    }
    while (top > 0) {
        dom_frame *f = &d->stack[top - 1];
        uint32_t v = f->obj;
        uint64_t e = f->next;
        uint32_t t = MF_NONE;

        for (; e < f->end; e++) {
            uint32_t c = g->edge_target[e];

            if (c < g->n && d->pre_of[c] == 0
                && an_edge_followed(g, e, 0)) {
                t = c;
                e++;
                break;
            }
        }
        f->next = e;
        if (t == MF_NONE) {
            top--;
            continue;
        }
        d->pre_of[t] = d->next;
        d->vertex[d->next] = t;
        d->parent[d->next] = d->pre_of[v];
        d->next++;
        if (dom_push(d, &top, t) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Number every object: tier 1, tier 2, then the islands.  Sets
 * *n_reach to the count of the first two. */
static int
dom_number(dom_dfs *d, const an_root_ref *roots, uint32_t n_roots,
           uint32_t *n_reach)
{
    const an_graph *g = d->g;
    uint64_t *referenced;

    for (uint32_t i = 0; i < n_roots; i++) {
        if (roots[i].object < g->n
            && dom_search(d, roots[i].object) != 0) {
            return -1;
        }
    }
    referenced = an_referenced(g, 0);
    if (referenced == NULL) {
        return -1;
    }
    for (uint32_t v = 0; v < g->n; v++) {
        if (d->pre_of[v] == 0 && !an_bit(referenced, v)
            && dom_search(d, v) != 0) {
            free(referenced);
            return -1;
        }
    }
    free(referenced);
    *n_reach = d->next - 1;
    for (uint32_t v = 0; v < g->n; v++) {
        if (d->pre_of[v] == 0 && dom_search(d, v) != 0) {
            return -1;
        }
    }
    return 0;
}

/* ---- predecessors in preorder space ---------------------------------- */

/* Is edge e, from the object numbered v, one the dominators follow?  Not
 * when it is weak, dangling, or goes from an island (v > n_reach) into
 * the reachable part. */
static int
dom_edge_counts(const an_graph *g, const uint32_t *pre_of,
                uint32_t n_reach, uint32_t v, uint64_t e)
{
    uint32_t t = g->edge_target[e];

    return t < g->n && an_edge_followed(g, e, 0)
           && (v <= n_reach || pre_of[t] > n_reach);
}

/*
 * The predecessors of each preorder number w: pred[pred_start[w] ..
 * pred_start[w + 1]), as preorder numbers (n + 2 starts).  The super-root
 * (0) is a predecessor of every tier-1 root: a root the search first met
 * through another root is no DFS child of the super-root, but the edge is
 * there.  (Tier-2 roots and island starts always are DFS children.)  The
 * edges are counted and placed by target object, so that each edge costs
 * one random access per pass.
 */
static int
dom_preds(const an_graph *g, const uint32_t *pre_of, const uint32_t *vertex,
          uint32_t n_reach, const an_root_ref *roots, uint32_t n_roots,
          uint32_t **pred_start_out, uint32_t **pred_out)
{
    uint32_t n = g->n;
    uint32_t *pos = an_big_calloc((size_t)n + 1, sizeof(uint32_t));
    uint32_t *start = an_big_malloc(((size_t)n + 2) * sizeof(uint32_t));
    uint32_t *pred = NULL;

    if (pos == NULL || start == NULL) {
        goto fail;
    }
    /* pos[t]: the predecessors of object t */
    for (uint32_t i = 0; i < n_roots; i++) {
        if (roots[i].object < n) {
            pos[roots[i].object]++;
        }
    }
    for (uint32_t u = 0; u < n && g->edge_start != NULL; u++) {
        uint32_t v = pre_of[u];

        for (uint64_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++) {
            if (dom_edge_counts(g, pre_of, n_reach, v, e)) {
                pos[g->edge_target[e]]++;
            }
        }
    }
    start[0] = 0;
    start[1] = 0;       /* the super-root has no predecessors */
    for (uint32_t w = 1; w <= n; w++) {
        start[w + 1] = start[w] + pos[vertex[w]];
    }
    /* pos[t]: where the next predecessor of object t goes */
    for (uint32_t w = 1; w <= n; w++) {
        pos[vertex[w]] = start[w];
    }
    pred = an_big_malloc((size_t)start[n + 1] * sizeof(uint32_t));
    if (pred == NULL) {
        goto fail;
    }
    for (uint32_t i = 0; i < n_roots; i++) {
        if (roots[i].object < n) {
            pred[pos[roots[i].object]++] = 0;
        }
    }
    for (uint32_t u = 0; u < n && g->edge_start != NULL; u++) {
        uint32_t v = pre_of[u];

        for (uint64_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++) {
            if (dom_edge_counts(g, pre_of, n_reach, v, e)) {
                pred[pos[g->edge_target[e]]++] = v;
            }
        }
    }
    free(pos);
    *pred_start_out = start;
    *pred_out = pred;
    return 0;

fail:
    free(pos);
    free(start);
    free(pred);
    return -1;
}

/* ---- semi-NCA ---------------------------------------------------------- */

typedef struct dom_snca {
    uint32_t *ancestor;     /* link forest, compressed */
    uint32_t *label;        /* number with the least semi on the path */
    uint32_t *semi;
    uint32_t *stack;        /* eval's path, grown on demand */
    size_t stack_cap;
} dom_snca;

/*
 * The number with the least semidominator on the path from v up to (not
 * including) the root of its tree in the link forest, compressing the
 * path.  Numbers above `last` are linked (already processed).
 */
static int
dom_eval(dom_snca *s, uint32_t v, uint32_t last, uint32_t *result)
{
    size_t top = 0;
    uint32_t p, plabel;

    if (s->ancestor[v] <= last) {
        *result = s->label[v];
        return 0;
    }
    /* collect the path below the tree's root */
    do {
        if (top == s->stack_cap) {
            size_t cap = s->stack_cap ? s->stack_cap * 2 : 1024;
            uint32_t *st = realloc(s->stack, cap * sizeof(uint32_t));

            if (st == NULL) {
                return -1;
            }
            s->stack = st;
            s->stack_cap = cap;
        }
        s->stack[top++] = v;
        v = s->ancestor[v];
    } while (s->ancestor[v] > last);
    /* compress from the top down: each vertex points past its ancestor
     * and keeps the better label */
    p = v;
    plabel = s->label[p];
    while (top > 0) {
        v = s->stack[--top];
        s->ancestor[v] = s->ancestor[p];
        if (s->semi[plabel] < s->semi[s->label[v]]) {
            s->label[v] = plabel;
        }
        else {
            plabel = s->label[v];
        }
        p = v;
    }
    *result = s->label[v];
    return 0;
}

/*
 * Immediate dominators in preorder space: idom[w] for w = 1..n (idom[0]
 * is unused), given the DFS parents (consumed: parent becomes idom).
 */
static int
dom_snca_run(uint32_t n, uint32_t *parent, const uint32_t *pred_start,
             const uint32_t *pred)
{
    dom_snca s;
    int rc = -1;

    memset(&s, 0, sizeof(s));
    s.ancestor = an_big_malloc(((size_t)n + 1) * sizeof(uint32_t));
    s.label = an_big_malloc(((size_t)n + 1) * sizeof(uint32_t));
    s.semi = an_big_malloc(((size_t)n + 1) * sizeof(uint32_t));
    if (s.ancestor == NULL || s.label == NULL || s.semi == NULL) {
        goto done;
    }
    memcpy(s.ancestor, parent, ((size_t)n + 1) * sizeof(uint32_t));
    for (uint32_t w = 0; w <= n; w++) {
        s.label[w] = w;
        s.semi[w] = w;
    }
    /* semidominators, from the last number down: a predecessor below w
     * is a candidate itself (eval returns it: not linked), one above w
     * offers the least semidominator on its linked path */
    for (uint32_t w = n; w >= 1; w--) {
        uint32_t best = parent[w];

        for (uint32_t k = pred_start[w]; k < pred_start[w + 1]; k++) {
            uint32_t v = pred[k], u;

            if (v < w) {
                /* not linked yet: its own number is the candidate */
                if (v < best) {
                    best = v;
                }
                continue;
            }
            if (dom_eval(&s, v, w, &u) != 0) {
                goto done;
            }
            if (s.semi[u] < best) {
                best = s.semi[u];
            }
        }
        s.semi[w] = best;
        /* w is linked to its parent from now on: ancestor[w] is
         * parent[w] and w <= last no longer holds for later calls */
    }
    /* idom = nearest common ancestor of parent and semidominator, in
     * increasing order so that idom[idom[w]] is final */
    for (uint32_t w = 1; w <= n; w++) {
        uint32_t d = parent[w];

        while (d > s.semi[w]) {
            d = parent[d];
        }
        parent[w] = d;
    }
    rc = 0;

done:
    free(s.ancestor);
    free(s.label);
    free(s.semi);
    free(s.stack);
    return rc;
}

/* ---- the tree ---------------------------------------------------------- */

an_err
an_dominators(const an_graph *g, const uint64_t *size,
              const an_root_ref *roots, uint32_t n_roots, an_domtree *dt)
{
    uint32_t n = g->n, n_reach = 0;
    dom_dfs d;
    uint32_t *pred_start = NULL, *pred = NULL;
    uint64_t *ret = NULL;       /* retained, preorder space */
    an_err rc = AN_ERR_NOMEM;

    memset(dt, 0, sizeof(*dt));
    memset(&d, 0, sizeof(d));
    if (g->n_edges >= UINT32_MAX || n == UINT32_MAX) {
        return AN_ERR_TOO_LARGE;
    }
    d.g = g;
    d.next = 1;
    d.pre_of = an_big_calloc((size_t)n + 1, sizeof(uint32_t));
    d.vertex = an_big_malloc(((size_t)n + 1) * sizeof(uint32_t));
    d.parent = an_big_malloc(((size_t)n + 1) * sizeof(uint32_t));
    if (d.pre_of == NULL || d.vertex == NULL || d.parent == NULL) {
        goto done;
    }
    d.vertex[0] = MF_NONE;
    d.parent[0] = 0;
    if (dom_number(&d, roots, n_roots, &n_reach) != 0) {
        goto done;
    }
    free(d.stack);
    d.stack = NULL;

    if (dom_preds(g, d.pre_of, d.vertex, n_reach, roots, n_roots,
                  &pred_start, &pred) != 0) {
        goto done;
    }
    free(d.pre_of);
    d.pre_of = NULL;
    if (dom_snca_run(n, d.parent, pred_start, pred) != 0) {
        goto done;
    }
    free(pred_start);
    free(pred);
    pred_start = NULL;
    pred = NULL;

    /* retained sizes: every number after its dominator, so one pass
     * from the last number adds each subtree into its root */
    ret = an_big_malloc(((size_t)n + 1) * sizeof(uint64_t));
    if (ret == NULL) {
        goto done;
    }
    ret[0] = 0;
    for (uint32_t w = 1; w <= n; w++) {
        ret[w] = size != NULL ? size[d.vertex[w]] : 0;
    }
    for (uint32_t w = n; w >= 1; w--) {
        ret[d.parent[w]] += ret[w];
    }

    /* back to object indices */
    dt->n = n;
    dt->idom = an_big_malloc((size_t)n * sizeof(uint32_t));
    dt->unreachable = an_bitmap_new(n);
    if (dt->idom == NULL || dt->unreachable == NULL) {
        goto done;
    }
    for (uint32_t w = 1; w <= n; w++) {
        uint32_t v = d.vertex[w];
        uint64_t own = size != NULL ? size[v] : 0;

        dt->idom[v] = d.parent[w] ? d.vertex[d.parent[w]] : AN_DOM_SUPER;
        if (w > n_reach) {
            an_set_bit(dt->unreachable, v);
            dt->unreachable_count++;
            dt->unreachable_size += own;
        }
        else {
            dt->reachable_count++;
            dt->reachable_size += own;
        }
    }
    free(d.parent);
    d.parent = NULL;
    dt->retained = an_big_malloc((size_t)n * sizeof(uint64_t));
    if (dt->retained == NULL) {
        goto done;
    }
    for (uint32_t w = 1; w <= n; w++) {
        dt->retained[d.vertex[w]] = ret[w];
    }
    rc = AN_OK;

done:
    free(d.pre_of);
    free(d.vertex);
    free(d.parent);
    free(d.stack);
    free(pred_start);
    free(pred);
    free(ret);
    if (rc != 0) {
        an_domtree_free(dt);
    }
    return rc;
}

void
an_domtree_free(an_domtree *dt)
{
    free(dt->idom);
    free(dt->retained);
    free(dt->unreachable);
    memset(dt, 0, sizeof(*dt));
}

an_err
an_snap_dominators(const an_snap *s, const an_roots *roots, an_domtree *dt)
{
    an_roots own;
    an_err rc;

    memset(dt, 0, sizeof(*dt));
    if (roots == NULL) {
        rc = an_roots_of_snap(&own, s);
        if (rc != AN_OK) {
            return rc;
        }
    }
    rc = an_dominators(&s->g, s->cols.size, roots ? roots->ordered
                                                  : own.ordered,
                       roots ? roots->n : own.n, dt);
    if (roots == NULL) {
        an_roots_free(&own);
    }
    return rc;
}

an_err
an_snap_retained(const an_snap *s, uint64_t **retained)
{
    an_domtree dt;
    an_err rc = an_snap_dominators(s, NULL, &dt);

    *retained = NULL;
    if (rc == AN_OK) {
        *retained = dt.retained;
        dt.retained = NULL;
    }
    an_domtree_free(&dt);
    return rc;
}

uint32_t
an_dom_chain(const an_domtree *dt, uint32_t obj, uint32_t *out,
             uint32_t cap)
{
    uint32_t len = 0, v;

    if (obj >= dt->n) {
        return 0;
    }
    for (v = obj; v != AN_DOM_SUPER; v = dt->idom[v]) {
        len++;
    }
    if (len > cap) {
        return len;
    }
    v = obj;
    for (uint32_t i = len; i > 0; i--) {
        out[i - 1] = v;
        v = dt->idom[v];
    }
    return len;
}

/* The class of object v in a walk of the dominator tree, or a value >=
 * n_classes for none. */
typedef uint32_t (*dom_class_fn)(const void *ctx, uint32_t v);

/* Walk the dominator tree depth first, counting per class the objects on
 * the current path: v is outermost when no ancestor has its class. */
static int
dom_walk_outermost(const an_domtree *dt, dom_class_fn class_of,
                   const void *ctx, uint32_t n_classes, uint64_t *out)
{
    uint32_t n = dt->n;
    uint32_t *child_start = NULL, *child = NULL, *active = NULL;
    uint32_t *stack = NULL;     /* the tree path */
    uint32_t *cursor = NULL;    /* per level: the next child to visit */
    size_t top;
    int rc = -1;

    /* children lists; node n stands for the super-root */
    child_start = an_big_calloc((size_t)n + 2, sizeof(uint32_t));
    child = an_big_malloc((size_t)n * sizeof(uint32_t));
    active = calloc((size_t)n_classes + 1, sizeof(uint32_t));
    stack = an_big_malloc(((size_t)n + 1) * sizeof(uint32_t));
    cursor = an_big_malloc(((size_t)n + 1) * sizeof(uint32_t));
    if (!child_start || !child || !active || !stack || !cursor) {
        goto done;
    }
    for (uint32_t v = 0; v < n; v++) {
        uint32_t p = dt->idom[v] == AN_DOM_SUPER ? n : dt->idom[v];

        child_start[p + 1]++;
    }
    for (uint32_t p = 0; p <= n; p++) {
        child_start[p + 1] += child_start[p];
    }
    for (uint32_t v = 0; v < n; v++) {
        uint32_t p = dt->idom[v] == AN_DOM_SUPER ? n : dt->idom[v];

        child[child_start[p]++] = v;
    }
    for (uint32_t p = n + 1; p > 0; p--) {
        child_start[p] = child_start[p - 1];
    }
    child_start[0] = 0;

    stack[0] = n;
    cursor[0] = child_start[n];
    top = 1;
    while (top > 0) {
        uint32_t p = stack[top - 1];

        if (cursor[top - 1] < child_start[p + 1]) {
            uint32_t v = child[cursor[top - 1]++];
            uint32_t c = class_of(ctx, v);

            if (c < n_classes) {
                if (active[c] == 0) {
                    an_set_bit(out, v);
                }
                active[c]++;
            }
            stack[top] = v;
            cursor[top] = child_start[v];
            top++;
        }
        else {
            if (p != n) {
                uint32_t c = class_of(ctx, p);

                if (c < n_classes) {
                    active[c]--;
                }
            }
            top--;
        }
    }
    rc = 0;

done:
    free(child_start);
    free(child);
    free(active);
    free(stack);
    free(cursor);
    return rc;
}

typedef struct dom_type_classes {
    const uint32_t *type, *class_of_type;
    uint32_t n_types, unknown_class;
} dom_type_classes;

static uint32_t
dom_class_of_type(const void *ctx, uint32_t v)
{
    const dom_type_classes *c = ctx;
    uint32_t t = c->type[v];

    return t < c->n_types ? c->class_of_type[t] : c->unknown_class;
}

an_err
an_dom_outermost(const an_domtree *dt, const uint32_t *type,
                 const uint32_t *class_of_type, uint32_t n_types,
                 uint32_t unknown_class, uint32_t n_classes, uint64_t *out)
{
    dom_type_classes c = {type, class_of_type, n_types, unknown_class};

    return dom_walk_outermost(dt, dom_class_of_type, &c, n_classes, out);
}

static uint32_t
dom_class_of_member(const void *ctx, uint32_t v)
{
    return an_bit(ctx, v) ? 0 : 1;
}

an_err
an_dom_outermost_of(const an_domtree *dt, const uint64_t *members,
                    uint64_t *out)
{
    return dom_walk_outermost(dt, dom_class_of_member, members, 1, out);
}

/* Does a rank before b: larger retained, then lower index? */
static int
dom_before(const an_domtree *dt, uint32_t a, uint32_t b)
{
    if (dt->retained[a] != dt->retained[b]) {
        return dt->retained[a] > dt->retained[b];
    }
    return a < b;
}

/* Restore the heap property downwards from k: heap[0] is the entry that
 * ranks last, the one to evict first. */
static void
dom_sift_down(const an_domtree *dt, uint32_t *heap, uint32_t n, uint32_t k)
{
    for (;;) {
        uint32_t l = 2 * k + 1, r = l + 1, m = k;

        if (l < n && dom_before(dt, heap[m], heap[l])) {
            m = l;
        }
        if (r < n && dom_before(dt, heap[m], heap[r])) {
            m = r;
        }
        if (m == k) {
            return;
        }
        uint32_t t = heap[k];
        heap[k] = heap[m];
        heap[m] = t;
        k = m;
    }
}

uint32_t
an_dom_top(const an_domtree *dt, const uint64_t *select, uint32_t *out,
           uint32_t cap)
{
    uint32_t n = 0;

    if (cap == 0) {
        return 0;
    }
    for (uint32_t v = 0; v < dt->n; v++) {
        if (an_bit(dt->unreachable, v)
            || (select != NULL && !an_bit(select, v))) {
            continue;
        }
        if (n < cap) {
            /* sift up */
            uint32_t k = n++;

            out[k] = v;
            while (k > 0 && dom_before(dt, out[(k - 1) / 2], out[k])) {
                uint32_t p = (k - 1) / 2, t = out[p];

                out[p] = out[k];
                out[k] = t;
                k = p;
            }
        }
        else if (dom_before(dt, v, out[0])) {
            out[0] = v;
            dom_sift_down(dt, out, n, 0);
        }
    }
    /* heap sort: repeatedly move the entry that ranks last to the end */
    for (uint32_t end = n; end > 1; end--) {
        uint32_t t = out[0];

        out[0] = out[end - 1];
        out[end - 1] = t;
        dom_sift_down(dt, out, end - 1, 0);
    }
    return n;
}
