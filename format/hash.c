/*
 * hash.c - the process's hash keys and SipHash-1-3.
 */
#define _GNU_SOURCE
#include "hash.h"

#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

uint64_t mf_hash_keys[4];
int mf_hash_ready;

void
mf_hash_init(void)
{
    uint64_t k[4] = {0, 0, 0, 0};
    size_t got = 0;

    while (got < sizeof(k)) {
        ssize_t n = getrandom((char *)k + got, sizeof(k) - got, 0);

        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    if (got < sizeof(k)) {
        /* no getrandom (old kernel, seccomp): still unpredictable enough
         * that a file written beforehand cannot aim at our slots */
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        k[0] ^= (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL;
        k[1] ^= (uint64_t)getpid() << 32 ^ (uint64_t)ts.tv_sec;
        k[2] ^= (uint64_t)(uintptr_t)&k;
        k[3] ^= (uint64_t)(uintptr_t)&mf_hash_init;
    }
    mf_hash_keys[0] = k[0];
    mf_hash_keys[1] = k[1] | 1u;    /* odd: the multiply is a bijection */
    mf_hash_keys[2] = k[2];
    mf_hash_keys[3] = k[3];
    mf_hash_ready = 1;
}

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND \
    do { \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
    } while (0)

uint64_t
mf_siphash13(uint64_t k0, uint64_t k1, const void *p, size_t n)
{
    const unsigned char *in = p;
    uint64_t v0, v1, v2, v3, m, b = (uint64_t)n << 56;
    size_t i, left = n & 7;

    v0 = k0 ^ 0x736f6d6570736575ULL;
    v1 = k1 ^ 0x646f72616e646f6dULL;
    v2 = k0 ^ 0x6c7967656e657261ULL;
    v3 = k1 ^ 0x7465646279746573ULL;
    for (i = 0; i + 8 <= n; i += 8) {
        memcpy(&m, in + i, 8);      /* host order: fine for tables; the
                                       scrub's keyed ids are as portable as
                                       the hosts that compare them */
        v3 ^= m;
        SIPROUND;
        v0 ^= m;
    }
    for (size_t j = 0; j < left; j++) {
        b |= (uint64_t)in[i + j] << (8 * j);
    }
    v3 ^= b;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t
mf_hash_bytes(const void *p, size_t n, uint64_t seed)
{
    if (!mf_hash_ready) {
        mf_hash_init();
    }
    return mf_siphash13(mf_hash_keys[2] ^ seed, mf_hash_keys[3], p, n);
}
