/*
 * intern.h - the writer's string table: deduplicates byte strings by
 * content and numbers them 0, 1, 2... in first-seen order.
 *
 * Keeps every distinct string (the dedup needs them), in one arena.
 */
#ifndef MF_INTERN_H
#define MF_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

typedef struct mf_intern {
    mf_buf arena;           /* the bytes of all strings, back to back */
    uint64_t *offsets;      /* string id -> arena offset; n + 1 entries */
    uint32_t n, cap;        /* strings, capacity of offsets */
    uint32_t *slots;        /* open addressing: id + 1, 0 = empty */
    uint32_t *hashes;       /* low 32 bits of each string's hash, by id */
    size_t n_slots;         /* power of two */
} mf_intern;

/*
 * mf_intern_add() - the id of s[0..len), adding it if new; *added tells
 * which.  Returns 0, or -1 when out of memory or out of ids.
 */
int mf_intern_add(mf_intern *t, const char *s, size_t len, uint32_t *id,
                  int *added);
void mf_intern_free(mf_intern *t);

#endif /* MF_INTERN_H */
