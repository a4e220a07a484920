/*
 * groups.c - per-type and per-module totals.
 */
#include "groups.h"

#include <stdlib.h>

#include "graph.h"

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
