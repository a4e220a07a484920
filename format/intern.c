/*
 * intern.c - content-addressed string table (open addressing, linear
 * probing, keyed SipHash).
 */
#include "intern.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"

/* Keyed (hash.h): the strings come from the process's dict keys or
 * from an untrusted snapshot (scrub), which must not be able to make
 * them collide. */
static uint32_t
intern_hash(const char *s, size_t len)
{
    uint64_t h = mf_hash_bytes(s, len, 0);

    return (uint32_t)(h ^ (h >> 32));
}

static int
intern_rehash(mf_intern *t, size_t n_slots)
{
    uint32_t *slots = calloc(n_slots, sizeof(*slots));
    uint32_t id;

    if (slots == NULL) {
        return -1;
    }
    for (id = 0; id < t->n; id++) {
        size_t i = t->hashes[id] & (n_slots - 1);
        while (slots[i]) {
            i = (i + 1) & (n_slots - 1);
        }
        slots[i] = id + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->n_slots = n_slots;
    return 0;
}

int
mf_intern_add(mf_intern *t, const char *s, size_t len, uint32_t *id,
              int *added)
{
    uint32_t h = intern_hash(s, len);
    size_t i;

    *added = 0;
    if (t->n_slots == 0 && intern_rehash(t, 1024) < 0) {
        return -1;
    }
    for (i = h & (t->n_slots - 1); t->slots[i];
         i = (i + 1) & (t->n_slots - 1)) {
        uint32_t k = t->slots[i] - 1;
        if (t->hashes[k] == h && t->offsets[k + 1] - t->offsets[k] == len
            && (len == 0
                || memcmp(t->arena.data + t->offsets[k], s, len) == 0)) {
            *id = k;
            return 0;
        }
    }
    if (t->n >= UINT32_MAX - 2) {
        return -1;
    }
    if (t->n + 1 >= t->cap) {
        uint32_t cap = t->cap ? 2 * t->cap : 1024;
        uint64_t *o = realloc(t->offsets, (size_t)(cap + 1) * sizeof(*o));
        uint32_t *hs;
        if (o == NULL) {
            return -1;
        }
        t->offsets = o;
        hs = realloc(t->hashes, (size_t)cap * sizeof(*hs));
        if (hs == NULL) {
            return -1;
        }
        t->hashes = hs;
        if (t->cap == 0) {
            t->offsets[0] = 0;
        }
        t->cap = cap;
    }
    if (mf_buf_reserve(&t->arena, len) < 0) {
        return -1;
    }
    mf_buf_put(&t->arena, s, len);
    t->hashes[t->n] = h;
    t->offsets[t->n + 1] = t->arena.len;
    t->slots[i] = t->n + 1;
    *id = t->n++;
    *added = 1;
    if ((size_t)t->n * 2 > t->n_slots) {
        if (intern_rehash(t, t->n_slots * 2) < 0) {
            return -1;
        }
    }
    return 0;
}

void
mf_intern_free(mf_intern *t)
{
    mf_buf_free(&t->arena);
    free(t->offsets);
    free(t->slots);
    free(t->hashes);
    memset(t, 0, sizeof(*t));
}
