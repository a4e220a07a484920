/*
 * maps.h - the two hash maps of the analyzer.
 *
 *   an_strmap  (a, b) byte-string pairs -> dense ids 0, 1, 2 ... in order
 *              of first insertion; type keys (module, qualname) across
 *              snapshots
 *   an_u64map  64-bit key (an address) -> 32-bit value
 *
 * Both hash with the process's random keys (hash.h), so that no file can
 * make their probes long.  an_mix() is the fixed 64-bit finalizer, for
 * hashes that must not change from run to run (never a table's slots).
 */
#ifndef AN_LIB_MAPS_H
#define AN_LIB_MAPS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "hash.h"

/* A fixed 64-bit mixing function (murmur3's finalizer): not for the
 * slots of tables that a file fills (use mf_hash_u64). */
static inline uint64_t
an_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

typedef struct an_strmap an_strmap;
/* A new empty map, or NULL when out of memory. */
an_strmap *an_strmap_new(void);
/* The id of (a, b), adding it (id = previous count) when new; *added set
 * to 1 when it was new.  Strings are copied.  Returns MF_NONE on ENOMEM. */
uint32_t an_strmap_intern(an_strmap *m, const char *a, size_t alen,
                          const char *b, size_t blen, int *added);
/* The id of (a, b) or MF_NONE. */
uint32_t an_strmap_get(const an_strmap *m, const char *a, size_t alen,
                       const char *b, size_t blen);
uint32_t an_strmap_count(const an_strmap *m);
/* The strings of id (NUL-terminated copies owned by the map); "" for an
 * id out of range. */
void an_strmap_key(const an_strmap *m, uint32_t id, const char **a,
                   const char **b);
/* Free the map; NULL is fine. */
void an_strmap_free(an_strmap *m);
/*
 * an_strmap_ambiguous() - per id, 1 when another entry has the same second
 * string (a qualname shared by two modules: names must then show the
 * module).  NULL when out of memory; free().
 */
unsigned char *an_strmap_ambiguous(const an_strmap *m);

/* address -> uint32 value (not MF_NONE), open addressing, sized for
 * `expected` keys (12 bytes a slot, 2 to 4 slots a key) */
typedef struct an_u64map {
    uint64_t *keys;
    uint32_t *vals;
    uint64_t mask;
    uint64_t count;
} an_u64map;
/* Returns AN_OK, or AN_ERR_NOMEM when out of memory. */
an_err an_u64map_init(an_u64map *m, uint64_t expected);
/* Insert or keep the existing value; returns AN_OK, or AN_ERR_TOO_LARGE
 * when the map holds as many keys as it was sized for. */
an_err an_u64map_put(an_u64map *m, uint64_t key, uint32_t val);
/* The value, or MF_NONE. */
uint32_t an_u64map_get(const an_u64map *m, uint64_t key);

/* Bring the slot of `key` into the cache: a loop over many keys calls it
 * a few keys ahead of its get or put, so that the cache misses of the
 * table (tens of MiB, read at random) overlap instead of adding up. */
static inline void
an_u64map_prefetch(const an_u64map *m, uint64_t key)
{
#if defined(__GNUC__) || defined(__clang__)
    uint64_t i = mf_hash_u64(key) & m->mask;

    __builtin_prefetch(&m->keys[i]);
    __builtin_prefetch(&m->vals[i]);
#else
    (void)m;
    (void)key;
#endif
}
/* Free the tables (a zeroed map is fine). */
void an_u64map_free(an_u64map *m);

#endif /* AN_LIB_MAPS_H */
