/*
 * shapes.c - paths grouped by shape: a trie of steps, hash-consed.
 */
#include "lib/shapes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/number.h"
#include "base/sbuf.h"
#include "hash.h"

#define SHAPE_FOLDED UINT64_MAX
#define SHAPE_ROOT_STEP 0x100u     /* or-ed into the kind of a root step */

typedef struct shape_trie {
    an_shape_node *nodes;
    uint32_t n_nodes, cap_nodes;
    uint32_t *slots;    /* hash table of node ids, MF_NONE = empty */
    uint32_t mask;
} shape_trie;

/* Keyed (hash.h): labels come from the file, which must not be able to
 * make them collide. */
static uint64_t
node_hash(const an_shape_node *x)
{
    uint64_t h = mf_hash_u64(((uint64_t)x->up << 32) | x->type);

    h = mf_hash_u64(h ^ x->kind ^ ((uint64_t)x->kind << 40));
    return mf_hash_u64(h ^ x->label);
}

static int
trie_grow(shape_trie *t)
{
    uint32_t cap = t->mask ? (t->mask + 1) * 2 : 1024;
    uint32_t *slots;

    if (cap == 0) {
        return -1;              /* 2^32 slots: cannot index them */
    }
    slots = malloc((size_t)cap * sizeof(uint32_t));
    if (slots == NULL) {
        return -1;
    }
    memset(slots, 0xff, (size_t)cap * sizeof(uint32_t));
    for (uint32_t i = 0; i < t->n_nodes; i++) {
        uint64_t h = node_hash(&t->nodes[i]) & (cap - 1);

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

static int
same_step(const an_shape_node *x, const an_shape_node *y)
{
    return x->type == y->type && x->kind == y->kind && x->label == y->label;
}

/* Intern a node (up, type, kind, label); MF_NONE when out of memory. */
static uint32_t
trie_intern(shape_trie *t, const an_shape_node *x)
{
    uint64_t h;

    if ((uint64_t)(t->n_nodes + 1) * 2 > (uint64_t)t->mask + 1) {
        if (trie_grow(t) != 0) {
            return MF_NONE;
        }
    }
    h = node_hash(x) & t->mask;
    while (t->slots[h] != MF_NONE) {
        const an_shape_node *y = &t->nodes[t->slots[h]];

        if (y->up == x->up && same_step(x, y)) {
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
    t->nodes[t->n_nodes].repeats = 0;
    t->slots[h] = t->n_nodes;
    return t->n_nodes++;
}

/* The step into non-root object obj (up left unset). */
static void
step_of(const an_graph *g, const an_bfs_result *bfs, unsigned fold,
        uint32_t obj, an_shape_node *x)
{
    uint64_t e = bfs->via[obj];
    uint8_t kind = 0;

    x->type = g->type ? g->type[obj] : 0;
    x->label = 0;
    x->repeats = 0;
    if (g->edge_kind) {
        kind = g->edge_kind[e];
        x->label = g->edge_label ? g->edge_label[e] : 0;
        if (an_edge_folded(kind, fold)) {
            x->label = SHAPE_FOLDED;
        }
    }
    x->kind = kind;
}

/* The root step of root object obj. */
static void
root_step(const an_graph *g, const an_roots *roots, uint32_t obj,
          an_shape_node *x)
{
    const an_root_ref *rr = an_roots_find(roots, obj);

    x->up = MF_NONE;
    x->type = g->type ? g->type[obj] : 0;
    x->kind = SHAPE_ROOT_STEP | (rr ? rr->kind : MF_ROOT_UNREFERENCED);
    x->label = rr ? rr->label : MF_NONE;
    x->repeats = 0;
}

/* The shape of `up` followed by `step`: a step equal to up's last one
 * (not a root step) extends its run instead of adding a node. */
static uint32_t
shape_append(shape_trie *t, uint32_t up, an_shape_node *step)
{
    an_shape_node *p = &t->nodes[up];

    if (!(p->kind & SHAPE_ROOT_STEP) && same_step(p, step)) {
        p->repeats = 1;
        return up;
    }
    step->up = up;
    return trie_intern(t, step);
}

static int
group_cmp(const void *a, const void *b)
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

/* Per trie node: instances ending there, lowest example, its length. */
typedef struct shape_tally {
    uint64_t count;
    uint32_t example;
    uint32_t length;
} shape_tally;

an_err
an_group_paths(const an_graph *g, const an_bfs_result *bfs, unsigned fold,
               const an_roots *roots, const uint32_t *targets,
               uint64_t n_targets, an_groups *out)
{
    shape_trie trie = {0};
    uint32_t *shape_of = NULL;      /* per object, MF_NONE = not yet */
    uint32_t *depth_of = NULL;      /* per object with a shape: objects
                                       on its path */
    uint32_t *stack = NULL;
    size_t stack_cap = 0;
    shape_tally *tally = NULL;
    uint32_t tally_cap = 0;
    uint32_t *group_index = NULL;   /* per trie node */
    an_err rc = AN_ERR_NOMEM;

    memset(out, 0, sizeof(*out));
    out->unreachable_example = MF_NONE;
    out->n_targets = n_targets;
    shape_of = an_big_malloc((size_t)g->n * sizeof(uint32_t));
    depth_of = an_big_malloc((size_t)g->n * sizeof(uint32_t));
    out->group_of = malloc((size_t)(n_targets ? n_targets : 1)
                           * sizeof(uint32_t));
    if (shape_of == NULL || depth_of == NULL || out->group_of == NULL) {
        goto done;
    }
    memset(shape_of, 0xff, (size_t)g->n * sizeof(uint32_t));

    for (uint64_t i = 0; i < n_targets; i++) {
        uint32_t obj = targets[i];
        uint32_t v = obj, node;
        size_t top = 0;

        out->group_of[i] = MF_NONE;
        if (obj >= g->n) {
            continue;
        }
        if (bfs->via[obj] == AN_UNREACHED) {
            if (out->unreachable == 0 || obj < out->unreachable_example) {
                out->unreachable_example = obj;
            }
            out->unreachable++;
            continue;
        }
        /* climb to the nearest object whose shape is known, or the root;
         * each object is climbed over once in the whole loop */
        while (shape_of[v] == MF_NONE && bfs->via[v] != AN_VIA_ROOT) {
            if (top == stack_cap) {
                size_t cap = stack_cap ? stack_cap * 2 : 256;
                uint32_t *s = realloc(stack, cap * sizeof(uint32_t));

                if (s == NULL) {
                    goto done;
                }
                stack = s;
                stack_cap = cap;
            }
            stack[top++] = v;
            v = an_edge_source(g, bfs->via[v]);
        }
        if (shape_of[v] == MF_NONE) {
            an_shape_node x;

            root_step(g, roots, v, &x);
            shape_of[v] = trie_intern(&trie, &x);
            depth_of[v] = 1;
            if (shape_of[v] == MF_NONE) {
                goto done;
            }
        }
        /* then down again, one step per object */
        while (top > 0) {
            uint32_t u = stack[--top];
            an_shape_node x;

            step_of(g, bfs, fold, u, &x);
            shape_of[u] = shape_append(&trie, shape_of[v], &x);
            if (shape_of[u] == MF_NONE) {
                goto done;
            }
            depth_of[u] = depth_of[v] + 1;
            v = u;
        }
        node = shape_of[obj];
        out->group_of[i] = node;    /* a trie node until the end */
        if (trie.n_nodes > tally_cap) {
            uint32_t cap = trie.cap_nodes;
            shape_tally *t = realloc(tally, (size_t)cap * sizeof(*t));

            if (t == NULL) {
                goto done;
            }
            memset(t + tally_cap, 0, (size_t)(cap - tally_cap) * sizeof(*t));
            tally = t;
            tally_cap = cap;
        }
        if (tally[node].count == 0 || obj < tally[node].example) {
            tally[node].example = obj;
            tally[node].length = depth_of[obj];
        }
        tally[node].count++;
    }
    free(shape_of);
    shape_of = NULL;
    free(depth_of);
    depth_of = NULL;

    /* the groups: the trie nodes where some target ends */
    for (uint32_t v = 0; v < trie.n_nodes && v < tally_cap; v++) {
        out->n_groups += tally[v].count > 0;
    }
    out->groups = malloc((size_t)(out->n_groups ? out->n_groups : 1)
                         * sizeof(an_group));
    group_index = malloc((size_t)(trie.n_nodes ? trie.n_nodes : 1)
                         * sizeof(uint32_t));
    if (out->groups == NULL || group_index == NULL) {
        goto done;
    }
    out->n_groups = 0;
    for (uint32_t v = 0; v < trie.n_nodes && v < tally_cap; v++) {
        if (tally[v].count > 0) {
            an_group *gr = &out->groups[out->n_groups++];

            gr->shape = v;
            gr->count = tally[v].count;
            gr->example = tally[v].example;
            gr->length = tally[v].length;
        }
    }
    qsort(out->groups, out->n_groups, sizeof(an_group), group_cmp);
    for (uint32_t k = 0; k < out->n_groups; k++) {
        group_index[out->groups[k].shape] = k;
    }
    for (uint64_t i = 0; i < n_targets; i++) {
        if (out->group_of[i] != MF_NONE) {
            out->group_of[i] = group_index[out->group_of[i]];
        }
    }
    rc = AN_OK;

done:
    free(shape_of);
    free(depth_of);
    free(stack);
    free(tally);
    free(trie.slots);
    free(group_index);
    out->nodes = trie.nodes;
    out->n_nodes = trie.n_nodes;
    if (rc != 0) {
        an_groups_free(out);
    }
    return rc;
}

void
an_groups_free(an_groups *gr)
{
    free(gr->groups);
    free(gr->group_of);
    free(gr->nodes);
    memset(gr, 0, sizeof(*gr));
    gr->unreachable_example = MF_NONE;
}

uint32_t
an_path_runs(const an_graph *g, const an_bfs_result *bfs, unsigned fold,
             const uint32_t *path, uint32_t len, const an_groups *groups,
             uint32_t shape, an_run *runs)
{
    uint32_t n_runs = 0;
    an_shape_node prev = {0}, cur;

    if (len == 0) {
        return 0;
    }
    runs[0].last = 0;
    runs[0].count = 1;
    runs[0].repeats = 0;
    n_runs = 1;
    for (uint32_t k = 1; k < len; k++) {
        step_of(g, bfs, fold, path[k], &cur);
        if (k > 1 && same_step(&prev, &cur)) {
            runs[n_runs - 1].last = k;
            runs[n_runs - 1].count++;
        }
        else {
            runs[n_runs].last = k;
            runs[n_runs].count = 1;
            runs[n_runs].repeats = 0;
            n_runs++;
        }
        prev = cur;
    }
    /* the shape has one node per run, leaf last */
    if (groups != NULL && shape < groups->n_nodes) {
        uint32_t node = shape, j = n_runs;

        while (node != MF_NONE && j > 0) {
            runs[--j].repeats = (int)groups->nodes[node].repeats;
            node = groups->nodes[node].up;
        }
    }
    return n_runs;
}

uint32_t
an_path_find(an_pathbuf *pb, const an_snap *s, const an_bfs_result *bfs,
             unsigned fold, const an_groups *groups, uint32_t shape,
             uint32_t obj)
{
    uint32_t len = an_path(&s->g, bfs, obj, pb->objs, pb->cap);

    if (len > pb->cap) {
        uint32_t *objs = realloc(pb->objs, (size_t)len * sizeof(uint32_t));
        uint32_t *via;
        an_run *runs;

        if (objs == NULL) {
            return UINT32_MAX;
        }
        pb->objs = objs;
        via = realloc(pb->via, (size_t)len * sizeof(uint32_t));
        if (via == NULL) {
            return UINT32_MAX;
        }
        pb->via = via;
        runs = realloc(pb->runs, (size_t)len * sizeof(an_run));
        if (runs == NULL) {
            return UINT32_MAX;
        }
        pb->runs = runs;
        pb->cap = len;
        len = an_path(&s->g, bfs, obj, pb->objs, pb->cap);
    }
    for (uint32_t k = 0; k < len; k++) {
        pb->via[k] = bfs->via[pb->objs[k]];
    }
    pb->len = len;
    pb->fold = fold;
    pb->n_runs = an_path_runs(&s->g, bfs, fold, pb->objs, len, groups,
                              shape, pb->runs);
    return len;
}

void
an_pathbuf_free(an_pathbuf *pb)
{
    free(pb->objs);
    free(pb->via);
    free(pb->runs);
    memset(pb, 0, sizeof(*pb));
}

void
an_path_run_label(const an_snap *s, const an_pathbuf *pb, uint32_t j,
                  char *buf, size_t cap)
{
    const an_run *run = &pb->runs[j];
    uint64_t e = pb->via[run->last];

    /* a run of several folded steps: their labels differ, "[*]" */
    if (run->count > 1 && s->g.edge_kind != NULL
        && an_edge_folded(s->g.edge_kind[e], pb->fold)) {
        snprintf(buf, cap, "[*]");
        return;
    }
    an_snap_edge_label(s, e, buf, cap);
}

/* ---- paths as text -------------------------------------------------- */

#define PATH_LABEL_MAX 160

/* "+" and "(N times)" of a run into buf. */
static void
run_suffix(const an_run *run, char *buf, size_t cap)
{
    char c[32];

    buf[0] = '\0';
    if (run->count > 1) {
        snprintf(buf, cap, "+ (%s times)",
                 an_format_count(run->count, c, sizeof(c)));
    }
    else if (run->repeats) {
        snprintf(buf, cap, "+");
    }
}

/* Runs printed at each end of a path before the middle is elided. */
#define PATH_ENDS 100

/* Append the text of run j of the path. */
static void
format_run(an_sbuf *out, const an_snap *s, const an_pathbuf *pb, uint32_t j)
{
    const an_run *run = &pb->runs[j];
    char buf[PATH_LABEL_MAX], suffix[48];

    an_path_run_label(s, pb, j, buf, sizeof(buf));
    run_suffix(run, suffix, sizeof(suffix));
    if (buf[0]) {
        an_sbuf_printf(out, " %s%s", buf, suffix);
    }
    else if (run->last + 1 < pb->len) {
        /* an unlabeled reference: name what it leads to */
        an_sbuf_printf(out, " -> <%s>%s",
                       s->keys[an_snap_key_of(s, pb->objs[run->last])]
                           .display, suffix);
    }
}

void
an_path_text(an_sbuf *out, const an_snap *s, const an_roots *roots,
             const an_pathbuf *pb)
{
    char buf[PATH_LABEL_MAX], c[32];
    uint32_t last;

    if (pb->len == 0) {
        return;
    }
    last = pb->objs[pb->len - 1];
    an_root_text(s, an_roots_find(roots, pb->objs[0]), pb->objs[0], buf,
                 sizeof(buf));
    an_sbuf_printf(out, "%s", buf);
    for (uint32_t j = 1; j < pb->n_runs; j++) {
        if (pb->n_runs > 2 * PATH_ENDS + 1 && j == PATH_ENDS + 1) {
            uint32_t skip = pb->n_runs - 2 * PATH_ENDS - 1;
            uint64_t steps = (uint64_t)pb->runs[j + skip - 1].last
                             - pb->runs[j - 1].last;

            an_sbuf_printf(out, " ... (%s more steps) ...",
                           an_format_count(steps, c, sizeof(c)));
            j += skip - 1;
            continue;
        }
        format_run(out, s, pb, j);
    }
    an_sbuf_printf(out, " -> %s @0x%llx",
                   s->keys[an_snap_key_of(s, last)].display,
                   (unsigned long long)s->cols.address[last]);
}
