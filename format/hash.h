/*
 * hash.h - keyed hashing for hash tables filled from untrusted data.
 *
 * Snapshots are untrusted input, and so are the dict keys of a process
 * that serves the network.  With a fixed hash function, keys chosen to
 * land in one slot turn every probe of an open-addressing table into a
 * linear scan, and a command into a quadratic one.  The writer's string
 * table and the analyzer's tables therefore hash with keys drawn at
 * random once per process (getrandom(2)): no input can know where its
 * keys land.
 *
 * Hashes that must be equal from run to run (heapsnapshot node ids,
 * scrubbed identities) use a fixed mix instead, and no table probes by
 * them.
 */
#ifndef MF_HASH_H
#define MF_HASH_H

#include <stddef.h>
#include <stdint.h>

/* The process's keys; filled on first use (mf_hash_init() does it at
 * once; calling it is optional). */
extern uint64_t mf_hash_keys[4];
extern int mf_hash_ready;
void mf_hash_init(void);

/*
 * mf_hash_u64() - a keyed 64-bit hash of a 64-bit value (addresses,
 * packed ids): the murmur3 finalizer over the value whitened by the
 * keys.  Cheap enough for the address maps' hot loops.
 */
static inline uint64_t
mf_hash_u64(uint64_t x)
{
    if (!mf_hash_ready) {
        mf_hash_init();
    }
    x = (x ^ mf_hash_keys[0]) * mf_hash_keys[1];
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/*
 * mf_hash_bytes() - SipHash-1-3 of `n` bytes under the process's keys,
 * continuing from `seed` (0 to start; pass a previous result to hash
 * several strings as one).
 */
uint64_t mf_hash_bytes(const void *p, size_t n, uint64_t seed);

/* mf_siphash13() - SipHash-1-3 of `n` bytes under the key (k0, k1): a
 * keyed function whose outputs say nothing about the key or the input. */
uint64_t mf_siphash13(uint64_t k0, uint64_t k1, const void *p, size_t n);

#endif /* MF_HASH_H */
