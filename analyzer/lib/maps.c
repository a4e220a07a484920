/*
 * maps.c - the string-pair map and the address map.
 */
#include "lib/maps.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "hash.h"
#include "muppy_format.h"

typedef struct strmap_entry {
    char *a, *b;
    size_t alen, blen;
    uint64_t hash;
} strmap_entry;

struct an_strmap {
    strmap_entry *ents;
    uint32_t n, cap;
    uint32_t *slots;
    uint32_t mask;
};

/* Keyed (hash.h): a file cannot choose type names that collide. */
static uint64_t
pair_hash(const char *a, size_t alen, const char *b, size_t blen)
{
    uint64_t h = mf_hash_bytes(a, alen, 0);

    return mf_hash_bytes(b, blen, h);
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
strmap_find(const an_strmap *m, uint64_t h, const char *a, size_t alen,
            const char *b, size_t blen, uint32_t *slot)
{
    uint32_t i;

    if (m->slots == NULL) {
        *slot = MF_NONE;
        return MF_NONE;
    }
    i = (uint32_t)(h & m->mask);
    while (m->slots[i] != MF_NONE) {
        const strmap_entry *e = &m->ents[m->slots[i]];

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

    return strmap_find(m, pair_hash(a, alen, b, blen), a, alen, b,
                       blen, &slot);
}

uint32_t
an_strmap_intern(an_strmap *m, const char *a, size_t alen, const char *b,
                 size_t blen, int *added)
{
    uint64_t h = pair_hash(a, alen, b, blen);
    uint32_t slot, id;
    strmap_entry *e;

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
    id = strmap_find(m, h, a, alen, b, blen, &slot);
    if (id != MF_NONE) {
        return id;
    }
    if (m->n == m->cap) {
        uint32_t cap = m->cap ? m->cap * 2 : 64;
        strmap_entry *ents = realloc(m->ents, (size_t)cap * sizeof(*ents));

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

an_err
an_u64map_init(an_u64map *m, uint64_t expected)
{
    uint64_t cap = 1024;

    memset(m, 0, sizeof(*m));
    while (cap < expected * 2) {
        cap *= 2;
    }
    m->keys = an_big_malloc(cap * sizeof(uint64_t));
    m->vals = an_big_malloc(cap * sizeof(uint32_t));
    if (m->keys == NULL || m->vals == NULL) {
        an_u64map_free(m);
        return AN_ERR_NOMEM;
    }
    memset(m->vals, 0xff, cap * sizeof(uint32_t));
    m->mask = cap - 1;
    return AN_OK;
}

an_err
an_u64map_put(an_u64map *m, uint64_t key, uint32_t val)
{
    uint64_t i = mf_hash_u64(key) & m->mask;

    if (m->count + 1 > m->mask) {
        return AN_ERR_TOO_LARGE;    /* sized for fewer keys */
    }
    while (m->vals[i] != MF_NONE) {
        if (m->keys[i] == key) {
            return AN_OK;
        }
        i = (i + 1) & m->mask;
    }
    m->keys[i] = key;
    m->vals[i] = val;
    m->count++;
    return AN_OK;
}

uint32_t
an_u64map_get(const an_u64map *m, uint64_t key)
{
    uint64_t i = mf_hash_u64(key) & m->mask;

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

unsigned char *
an_strmap_ambiguous(const an_strmap *m)
{
    uint32_t n = an_strmap_count(m);
    unsigned char *amb = calloc((size_t)n + 1, 1);
    an_strmap *q = an_strmap_new();
    uint32_t *first = calloc((size_t)n + 1, sizeof(uint32_t));
    int added;

    if (amb == NULL || q == NULL || first == NULL) {
        free(amb);
        an_strmap_free(q);
        free(first);
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        const char *mod, *qn;
        uint32_t id;

        an_strmap_key(m, i, &mod, &qn);
        id = an_strmap_intern(q, "", 0, qn, strlen(qn), &added);
        if (id == MF_NONE) {
            continue;
        }
        if (added) {
            first[id] = i;
        }
        else {
            amb[i] = 1;
            amb[first[id]] = 1;
        }
    }
    an_strmap_free(q);
    free(first);
    return amb;
}
