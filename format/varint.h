/*
 * varint.h - LEB128 varints and zigzag, the integer coding of format v1.
 *
 * mf_varint_put() writes v into out (room for MF_VARINT_MAX bytes) and
 * returns the bytes written; it always writes the minimal encoding.
 * mf_varint_get() reads one varint from [*p, end): on success it stores
 * the value, advances *p and returns 0; on a truncated varint, one longer
 * than 10 bytes, or a 10th byte above 1 (value >= 2^64) it returns -1 and
 * leaves *p alone.  Non-minimal encodings are accepted.
 * Zigzag maps the two's complement bits of a signed value to an unsigned
 * one with small magnitudes near 0: 0,-1,1,-2 -> 0,1,2,3.
 */
#ifndef MF_VARINT_H
#define MF_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define MF_VARINT_MAX 10

static inline size_t
mf_varint_put(uint8_t *out, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

static inline size_t
mf_varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static inline int
mf_varint_get(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    const uint8_t *q = *p;
    uint64_t r = 0;
    int i;

    if (q < end && *q < 0x80) {
        *v = *q;
        *p = q + 1;
        return 0;
    }
    for (i = 0; i < 10; i++) {
        uint8_t b;
        if (q >= end) {
            return -1;
        }
        b = *q++;
        if (i == 9) {
            if (b > 1) {
                return -1;
            }
            r |= (uint64_t)b << 63;
            break;
        }
        r |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            break;
        }
    }
    *v = r;
    *p = q;
    return 0;
}

/* Zigzag of a two's complement value held in a uint64_t. */
static inline uint64_t
mf_zigzag(uint64_t x)
{
    return (x << 1) ^ (0 - (x >> 63));
}

static inline uint64_t
mf_unzigzag(uint64_t v)
{
    return (v >> 1) ^ (0 - (v & 1));
}

#endif /* MF_VARINT_H */
