/*
 * groups.c - per-type and per-module totals.
 */
#include "lib/groups.h"

#include <stdlib.h>
#include <string.h>

#include "lib/graph.h"

uint32_t *
an_group_of_types(const an_snap *s, int by_module, uint32_t *n_groups)
{
    uint32_t *group_of = calloc((size_t)s->n_types + 1, sizeof(uint32_t));

    if (group_of == NULL) {
        return NULL;
    }
    for (uint32_t t = 0; t < s->n_types; t++) {
        uint32_t k = s->type_key[t];

        group_of[t] = by_module ? an_snap_module_of_key(s, k) : k;
    }
    *n_groups = an_group_unknown(s, by_module) + 1;
    return group_of;
}

void
an_aggregate(const uint32_t *type, const uint64_t *value,
             const uint64_t *select, uint32_t n, const uint32_t *group_of,
             uint32_t n_types, uint32_t unknown_group, uint64_t *count,
             uint64_t *bytes)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t t = type[i];
        uint32_t gr;

        if (select != NULL && !an_bit(select, i)) {
            continue;
        }
        gr = t < n_types ? group_of[t] : unknown_group;
        count[gr]++;
        bytes[gr] += value ? value[i] : 0;
    }
}

uint64_t *
an_group_outermost(const an_snap *s, const an_domtree *dt,
                   const uint32_t *group_of, uint32_t n_groups)
{
    uint64_t *bits = an_bitmap_new(dt->n);

    if (bits == NULL) {
        return NULL;
    }
    if (an_dom_outermost(dt, s->cols.type, group_of, s->n_types,
                         n_groups - 1, n_groups, bits) != 0) {
        free(bits);
        return NULL;
    }
    for (size_t w = 0; w < (size_t)dt->n / 64 + 1; w++) {
        bits[w] &= ~dt->unreachable[w];
    }
    return bits;
}

#define AN_OWNER_UNKNOWN UINT32_MAX
#define AN_OWNER_NONE (UINT32_MAX - 1)

an_err
an_group_charge(const an_snap *s, const an_domtree *dt,
                const unsigned char *owner_type, const uint32_t *group_of,
                uint32_t n_groups, uint64_t *charged)
{
    uint32_t n = dt->n;
    uint32_t *owner = malloc((size_t)(n ? n : 1) * sizeof(uint32_t));
    uint32_t *stack = malloc((size_t)(n ? n : 1) * sizeof(uint32_t));
    const uint32_t *type = s->cols.type;

    if (owner == NULL || stack == NULL) {
        free(owner);
        free(stack);
        return AN_ERR_NOMEM;
    }
    memset(owner, 0xff, (size_t)n * sizeof(uint32_t));
    for (uint32_t v = 0; v < n; v++) {
        uint32_t x = v, top = 0, base, o, gr;

        if (an_bit(dt->unreachable, v)) {
            continue;
        }
        /* up the dominator chain to a class instance or a known owner */
        while (owner[x] == AN_OWNER_UNKNOWN
               && !(type[x] < s->n_types && owner_type[type[x]])) {
            stack[top++] = x;
            x = dt->idom[x];
            if (x == AN_DOM_SUPER) {
                break;
            }
        }
        if (x == AN_DOM_SUPER) {
            base = AN_OWNER_NONE;
        }
        else if (owner[x] == AN_OWNER_UNKNOWN) {
            owner[x] = x;       /* a class instance owns itself */
            base = x;
        }
        else {
            base = owner[x];
        }
        while (top > 0) {
            owner[stack[--top]] = base;
        }
        o = owner[v] == AN_OWNER_NONE ? v : owner[v];
        gr = type[o] < s->n_types ? group_of[type[o]] : n_groups - 1;
        charged[gr] += s->cols.size[v];
    }
    free(owner);
    free(stack);
    return AN_OK;
}

an_err
an_type_select(const an_snap *s, const char *name, an_typesel *sel)
{
    memset(sel, 0, sizeof(*sel));
    sel->name = name;
    sel->key = calloc((size_t)s->n_keys + 1, 1);
    sel->objects = an_bitmap_new(s->cols.n_objects);
    if (sel->key == NULL || sel->objects == NULL) {
        return AN_ERR_NOMEM;
    }
    if (an_snap_match_type(s, name, sel->key) == 0) {
        return AN_ERR_NO_TYPE;
    }
    for (uint32_t i = 0; s->cols.type != NULL && i < s->cols.n_objects;
         i++) {
        if (sel->key[an_snap_key_of(s, i)]) {
            an_set_bit(sel->objects, i);
            sel->count++;
        }
    }
    return AN_OK;
}

void
an_typesel_free(an_typesel *sel)
{
    free(sel->key);
    free(sel->objects);
    memset(sel, 0, sizeof(*sel));
}
