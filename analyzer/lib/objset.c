/*
 * objset.c - object identities: address and type key.
 */
#include "lib/objset.h"

#include <stdlib.h>
#include <string.h>

#include "lib/graph.h"

an_err
an_objset_init(an_objset *set, uint64_t expected)
{
    memset(set, 0, sizeof(*set));
    set->names = an_strmap_new();
    if (set->names == NULL || an_u64map_init(&set->objects, expected) != 0) {
        an_objset_free(set);
        return AN_ERR_NOMEM;
    }
    return AN_OK;
}

void
an_objset_free(an_objset *set)
{
    an_u64map_free(&set->objects);
    an_strmap_free(set->names);
    memset(set, 0, sizeof(*set));
}

uint32_t *
an_objset_names(an_objset *set, const an_snap *s, int add)
{
    uint32_t *ids = malloc(((size_t)s->n_keys + 1) * sizeof(uint32_t));
    int added;

    if (ids == NULL) {
        return NULL;
    }
    for (uint32_t k = 0; k <= s->n_keys; k++) {
        const an_key *key = &s->keys[k];
        size_t ml = strlen(key->module), ql = strlen(key->qualname);

        if (add) {
            ids[k] = an_strmap_intern(set->names, key->module, ml,
                                      key->qualname, ql, &added);
            if (ids[k] == MF_NONE) {
                free(ids);
                return NULL;
            }
        }
        else {
            ids[k] = an_strmap_get(set->names, key->module, ml,
                                   key->qualname, ql);
        }
    }
    return ids;
}

an_err
an_objset_put(an_objset *set, uint64_t address, uint32_t name)
{
    return an_u64map_put(&set->objects, address, name);
}

int
an_objset_has(const an_objset *set, uint64_t address, uint32_t name)
{
    uint32_t have = an_u64map_get(&set->objects, address);

    return name != MF_NONE && have == name;
}

an_err
an_objset_add_snap(an_objset *set, const an_snap *s, const uint64_t *select)
{
    uint32_t *names = an_objset_names(set, s, 1);
    int rc = 0;

    if (names == NULL) {
        return AN_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < s->cols.n_objects && rc == 0; i++) {
        if (i + AN_OBJSET_AHEAD < s->cols.n_objects) {
            an_objset_prefetch(set, s->cols.address[i + AN_OBJSET_AHEAD]);
        }
        if (select == NULL || an_bit(select, i)) {
            rc = an_objset_put(set, s->cols.address[i],
                               names[an_snap_key_of(s, i)]);
        }
    }
    free(names);
    return rc;
}
