/*
 * shapes.c - paths grouped by their folded shape (fold.h's trie), and
 * paths folded and written for people.
 */
#include "lib/shapes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/number.h"
#include "base/sbuf.h"

#define SHAPE_FOLDED UINT64_MAX
#define SHAPE_ROOT_STEP 0x100u     /* or-ed into the kind of a root step */
#define SHAPE_START_STEP 0x200u    /* the start of a path from an object */

/* The step through edge e into obj. */
static void
edge_step(const an_graph *g, uint64_t e, uint32_t obj, unsigned fold,
          an_fold_step *st)
{
    uint8_t kind = 0;

    st->b = 0;
    if (g->edge_kind) {
        kind = g->edge_kind[e];
        st->b = g->edge_label ? g->edge_label[e] : 0;
        if (an_edge_folded(kind, fold)) {
            st->b = SHAPE_FOLDED;
        }
    }
    st->a = ((uint64_t)kind << 32) | (g->type ? g->type[obj] : 0);
}

/* The root step of root object obj. */
static void
root_step(const an_graph *g, const an_roots *roots, uint32_t obj,
          an_fold_step *st)
{
    const an_root_ref *rr = an_roots_find(roots, obj);

    st->a = ((uint64_t)(SHAPE_ROOT_STEP
                        | (rr ? rr->kind : MF_ROOT_UNREFERENCED)) << 32)
            | (g->type ? g->type[obj] : 0);
    st->b = rr ? rr->label : MF_NONE;
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

/* The raw shape of each target's path into out->group_of (MF_NONE when
 * unreached) and the objects on it into depth_of. */
static an_err
shape_targets(const an_graph *g, const an_bfs_result *bfs, unsigned fold,
              const an_roots *roots, const uint32_t *targets,
              uint64_t n_targets, an_groups *out, uint32_t *depth_of)
{
    uint32_t *shape_of = an_big_malloc((size_t)(g->n ? g->n : 1)
                                       * sizeof(uint32_t));
    uint32_t *stack = NULL;
    size_t stack_cap = 0;
    an_err rc = AN_ERR_NOMEM;

    if (shape_of == NULL) {
        return AN_ERR_NOMEM;
    }
    memset(shape_of, 0xff, (size_t)g->n * sizeof(uint32_t));
    for (uint64_t i = 0; i < n_targets; i++) {
        uint32_t obj = targets[i];
        uint32_t v = obj;
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
                uint32_t *st = realloc(stack, cap * sizeof(uint32_t));

                if (st == NULL) {
                    goto done;
                }
                stack = st;
                stack_cap = cap;
            }
            stack[top++] = v;
            v = an_edge_source(g, bfs->via[v]);
        }
        if (shape_of[v] == MF_NONE) {
            an_fold_step st;

            root_step(g, roots, v, &st);
            shape_of[v] = an_fold_trie_append(out->trie, AN_FOLD_EMPTY, &st);
            depth_of[v] = 1;
            if (shape_of[v] == MF_NONE) {
                goto done;
            }
        }
        /* then down again, one step per object */
        while (top > 0) {
            uint32_t u = stack[--top];
            an_fold_step st;

            edge_step(g, bfs->via[u], u, fold, &st);
            shape_of[u] = an_fold_trie_append(out->trie, shape_of[v], &st);
            if (shape_of[u] == MF_NONE) {
                goto done;
            }
            depth_of[u] = depth_of[v] + 1;
            v = u;
        }
        out->group_of[i] = shape_of[obj];
    }
    rc = AN_OK;

done:
    free(shape_of);
    free(stack);
    return rc;
}

an_err
an_group_paths(const an_graph *g, const an_bfs_result *bfs, unsigned fold,
               const an_roots *roots, const uint32_t *targets,
               uint64_t n_targets, an_groups *out)
{
    uint32_t *depth_of = NULL;      /* per object with a shape: objects
                                       on its path */
    uint32_t *canon = NULL, *index = NULL, n_shapes;
    an_err rc = AN_ERR_NOMEM;

    memset(out, 0, sizeof(*out));
    out->unreachable_example = MF_NONE;
    out->n_targets = n_targets;
    out->fold = fold;
    out->roots = roots;
    out->trie = an_fold_trie_new(AN_FOLD_PERIOD);
    depth_of = an_big_malloc((size_t)(g->n ? g->n : 1) * sizeof(uint32_t));
    out->group_of = malloc((size_t)(n_targets ? n_targets : 1)
                           * sizeof(uint32_t));
    if (out->trie == NULL || depth_of == NULL || out->group_of == NULL) {
        goto done;
    }
    rc = shape_targets(g, bfs, fold, roots, targets, n_targets, out,
                       depth_of);
    if (rc == AN_OK) {
        rc = an_fold_trie_canonical(out->trie, &canon);
    }
    if (rc != AN_OK) {
        goto done;
    }
    /* the groups: one per canonical shape where some target ends */
    rc = AN_ERR_NOMEM;
    n_shapes = an_fold_trie_count(out->trie);
    index = malloc((size_t)n_shapes * sizeof(uint32_t));
    out->groups = malloc((size_t)(n_targets ? n_targets : 1)
                         * sizeof(an_group));
    if (index == NULL || out->groups == NULL) {
        goto done;
    }
    memset(index, 0xff, (size_t)n_shapes * sizeof(uint32_t));
    for (uint64_t i = 0; i < n_targets; i++) {
        uint32_t sh = out->group_of[i], obj = targets[i];
        an_group *gr;

        if (sh == MF_NONE) {
            continue;
        }
        sh = canon[sh];
        if (index[sh] == MF_NONE) {
            index[sh] = out->n_groups;
            gr = &out->groups[out->n_groups++];
            gr->shape = sh;
            gr->count = 0;
            gr->example = obj;
            gr->length = depth_of[obj];
        }
        gr = &out->groups[index[sh]];
        gr->count++;
        if (obj < gr->example) {
            gr->example = obj;
            gr->length = depth_of[obj];
        }
        out->group_of[i] = sh;      /* the shape, until sorted */
    }
    qsort(out->groups, out->n_groups, sizeof(an_group), group_cmp);
    for (uint32_t k = 0; k < out->n_groups; k++) {
        index[out->groups[k].shape] = k;
    }
    for (uint64_t i = 0; i < n_targets; i++) {
        if (out->group_of[i] != MF_NONE) {
            out->group_of[i] = index[out->group_of[i]];
        }
    }
    rc = AN_OK;

done:
    free(depth_of);
    free(canon);
    free(index);
    if (rc != AN_OK) {
        an_groups_free(out);
    }
    return rc;
}

void
an_groups_free(an_groups *gr)
{
    free(gr->groups);
    free(gr->group_of);
    an_fold_trie_free(gr->trie);
    memset(gr, 0, sizeof(*gr));
    gr->unreachable_example = MF_NONE;
}

/* ---- one path ------------------------------------------------------- */

/* Room for len objects. */
static int
pathbuf_room(an_pathbuf *pb, uint32_t len)
{
    uint32_t *objs, *via;

    if (len <= pb->cap) {
        return 0;
    }
    objs = realloc(pb->objs, (size_t)len * sizeof(uint32_t));
    if (objs == NULL) {
        return -1;
    }
    pb->objs = objs;
    via = realloc(pb->via, (size_t)len * sizeof(uint32_t));
    if (via == NULL) {
        return -1;
    }
    pb->via = via;
    pb->cap = len;
    return 0;
}

/* Fold pb's steps: under `shape` of `groups` when given. */
static an_err
pathbuf_fold(an_pathbuf *pb, const an_snap *s, const an_roots *roots,
             const an_groups *groups, uint32_t shape)
{
    an_fold_step *steps = malloc(((size_t)pb->len + 1) * sizeof(*steps));
    uint32_t n;

    free(pb->items);
    pb->items = NULL;
    pb->n_items = 0;
    if (steps == NULL) {
        return AN_ERR_NOMEM;
    }
    if (pb->len > 0) {
        if (pb->from_root) {
            root_step(&s->g, roots, pb->objs[0], &steps[0]);
        }
        else {
            steps[0].a = ((uint64_t)SHAPE_START_STEP << 32)
                         | (s->g.type ? s->g.type[pb->objs[0]] : 0);
            steps[0].b = 0;
        }
    }
    for (uint32_t k = 1; k < pb->len; k++) {
        edge_step(&s->g, pb->via[k], pb->objs[k], pb->fold, &steps[k]);
    }
    if (groups != NULL && groups->trie != NULL) {
        n = an_fold_trie_items(groups->trie, shape, steps, pb->len,
                               &pb->items);
    }
    else {
        n = an_fold_path(steps, pb->len, AN_FOLD_PERIOD, &pb->items);
    }
    free(steps);
    if (n == UINT32_MAX) {
        return AN_ERR_NOMEM;
    }
    pb->n_items = n;
    return AN_OK;
}

uint32_t
an_path_find(an_pathbuf *pb, const an_snap *s, const an_bfs_result *bfs,
             unsigned fold, const an_groups *groups, uint32_t shape,
             uint32_t obj)
{
    uint32_t len = an_path(&s->g, bfs, obj, pb->objs, pb->cap);
    an_roots none = {0};
    const an_roots *roots = &none;

    if (len > pb->cap) {
        if (pathbuf_room(pb, len) != 0) {
            return UINT32_MAX;
        }
        len = an_path(&s->g, bfs, obj, pb->objs, pb->cap);
    }
    for (uint32_t k = 0; k < len; k++) {
        pb->via[k] = k ? bfs->via[pb->objs[k]] : 0;
    }
    pb->len = len;
    pb->fold = fold;
    pb->from_root = 1;
    pb->grouped = groups != NULL;
    /* the root step of a grouped path must be the one its shape has */
    if (groups != NULL && groups->roots != NULL) {
        roots = groups->roots;
    }
    if (pathbuf_fold(pb, s, roots, groups, shape) != AN_OK) {
        return UINT32_MAX;
    }
    return len;
}

an_err
an_path_set(an_pathbuf *pb, const an_snap *s, const uint32_t *objs,
            const uint64_t *edges, uint32_t len, int from_root)
{
    an_roots none = {0};

    if (pathbuf_room(pb, len ? len : 1) != 0) {
        return AN_ERR_NOMEM;
    }
    for (uint32_t k = 0; k < len; k++) {
        pb->objs[k] = objs[k];
        pb->via[k] = k ? (uint32_t)edges[k] : 0;
    }
    pb->len = len;
    pb->fold = 0;
    pb->from_root = from_root;
    pb->grouped = 0;
    return pathbuf_fold(pb, s, &none, NULL, 0);
}

void
an_pathbuf_free(an_pathbuf *pb)
{
    free(pb->objs);
    free(pb->via);
    free(pb->items);
    memset(pb, 0, sizeof(*pb));
}

uint32_t
an_path_item_end(const an_pathbuf *pb, uint32_t i)
{
    int depth = 0;

    do {
        if (pb->items[i].kind == AN_FOLD_OPEN) {
            depth++;
        }
        else if (pb->items[i].kind == AN_FOLD_CLOSE) {
            depth--;
        }
        i++;
    } while (depth > 0 && i < pb->n_items);
    return i;
}

void
an_path_item_label(const an_snap *s, const an_pathbuf *pb,
                   const an_fold_item *it, int alone, char *buf, size_t cap)
{
    uint64_t e = pb->via[it->step];

    if (it->in_repeat && s->g.edge_kind != NULL
        && an_edge_folded(s->g.edge_kind[e], pb->fold)) {
        if (!alone) {
            snprintf(buf, cap, "[i]");
            return;
        }
        if (alone > 1) {    /* repeated on this path: the labels differ */
            snprintf(buf, cap, "[*]");
            return;
        }
    }
    an_snap_edge_label(s, e, buf, cap);
}

/* ---- paths as text -------------------------------------------------- */

#define PATH_LABEL_MAX 160

/* Runs of top-level items printed at each end of a path before the
 * middle is elided. */
#define PATH_ENDS 100

void
an_path_items_text(an_sbuf *out, const an_snap *s, const an_pathbuf *pb,
                   uint32_t i, uint32_t end)
{
    char buf[PATH_LABEL_MAX], c[32];

    while (i < end) {
        const an_fold_item *it = &pb->items[i];

        if (it->kind == AN_FOLD_STEP) {
            if (it->step > 0) {
                an_path_item_label(s, pb, it, 0, buf, sizeof(buf));
                if (buf[0]) {
                    an_sbuf_printf(out, " %s", buf);
                }
                else if (it->in_repeat || it->step + 1 < pb->len) {
                    /* an unlabeled reference: name what it leads to */
                    an_sbuf_printf(out, " -> <%s>",
                                   s->keys[an_snap_key_of(
                                       s, pb->objs[it->step])].display);
                }
            }
            i++;
            continue;
        }
        /* a repeat: OPEN, its body, CLOSE */
        {
            uint32_t close = an_path_item_end(pb, i) - 1;

            if (close == i + 2 && pb->items[i + 1].kind == AN_FOLD_STEP) {
                const an_fold_item *one = &pb->items[i + 1];

                an_path_item_label(s, pb, one, it->times > 1 ? 2 : 1, buf,
                                   sizeof(buf));
                if (buf[0]) {
                    an_sbuf_printf(out, " %s+", buf);
                }
                else {
                    an_sbuf_printf(out, " -> <%s>+",
                                   s->keys[an_snap_key_of(
                                       s, pb->objs[one->step])].display);
                }
            }
            else {
                an_sbuf body = {0};
                const char *b;

                an_path_items_text(&body, s, pb, i + 1, close);
                b = an_sbuf_str(&body);
                an_sbuf_printf(out, " (%s)+", b[0] == ' ' ? b + 1 : b);
                if (body.failed) {
                    out->failed = 1;
                }
                an_sbuf_free(&body);
            }
            if (it->times > 1) {
                an_sbuf_printf(out, " (%s times)",
                               an_format_count(it->times, c, sizeof(c)));
            }
            i = close + 1;
        }
    }
}

/* The start of a path: its root, or the type of its first object. */
static void
start_text(an_sbuf *out, const an_snap *s, const an_roots *roots,
           const an_pathbuf *pb)
{
    char buf[PATH_LABEL_MAX];

    if (pb->from_root) {
        an_root_text(s, an_roots_find(roots, pb->objs[0]), pb->objs[0], buf,
                     sizeof(buf));
        an_sbuf_printf(out, "%s", buf);
    }
    else {
        an_sbuf_printf(out, "%s",
                       s->keys[an_snap_key_of(s, pb->objs[0])].display);
    }
}

void
an_path_steps_text(an_sbuf *out, const an_snap *s, const an_roots *roots,
                   const an_pathbuf *pb)
{
    uint32_t n_top = 0, *tops, i;
    char c[32];

    if (pb->len == 0) {
        return;
    }
    start_text(out, s, roots, pb);
    tops = malloc(((size_t)pb->n_items + 1) * sizeof(uint32_t));
    if (tops == NULL) {
        out->failed = 1;
        return;
    }
    /* the top-level items, the start (step 0) left out */
    for (i = 0; i < pb->n_items; i = an_path_item_end(pb, i)) {
        if (!(pb->items[i].kind == AN_FOLD_STEP && pb->items[i].step == 0)) {
            tops[n_top++] = i;
        }
    }
    tops[n_top] = pb->n_items;
    if (n_top > 2 * PATH_ENDS + 1) {
        uint32_t skip_from = tops[PATH_ENDS];
        uint32_t skip_to = tops[n_top - PATH_ENDS];     /* exclusive */
        uint64_t steps = (uint64_t)pb->items[skip_to - 1].last + 1
                         - pb->items[skip_from].first;

        an_path_items_text(out, s, pb, tops[0], skip_from);
        an_sbuf_printf(out, " ... (%s more steps) ...",
                       an_format_count(steps, c, sizeof(c)));
        an_path_items_text(out, s, pb, skip_to, pb->n_items);
    }
    else if (n_top > 0) {
        an_path_items_text(out, s, pb, tops[0], pb->n_items);
    }
    free(tops);
}

void
an_path_text(an_sbuf *out, const an_snap *s, const an_roots *roots,
             const an_pathbuf *pb)
{
    uint32_t last;

    if (pb->len == 0) {
        return;
    }
    last = pb->objs[pb->len - 1];
    an_path_steps_text(out, s, roots, pb);
    an_sbuf_printf(out, " -> %s @0x%llx",
                   s->keys[an_snap_key_of(s, last)].display,
                   (unsigned long long)s->cols.address[last]);
}
