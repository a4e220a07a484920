/*
 * layout.h - on-disk constants of format v1 (spec/format.md), in one place.
 *
 * Changing any value here changes the format: bump MF_FORMAT_MAJOR for an
 * incompatible change, MF_FORMAT_MINOR for an addition old readers skip
 * (a new block kind, a new OBJS column).  Kind codes are never reused.
 */
#ifndef MF_LAYOUT_H
#define MF_LAYOUT_H

#include <stdint.h>
#include <string.h>

#define MF_MAGIC            "MUPPYSNP"
#define MF_END_MAGIC        "MUPPYEND"
#define MF_HEADER_SIZE      16u
#define MF_BLOCK_HEADER_SIZE 40u
#define MF_FOOTER_SIZE      24u

/* Fuzzing builds (MUPPY_FUZZ) ignore checksum mismatches so that the
   fuzzer reaches the decoders behind them; never in a normal build. */
#ifdef MF_FUZZING_NO_CRC
#define MF_IGNORE_CRC 1
#else
#define MF_IGNORE_CRC 0
#endif

/* Largest raw (decompressed) payload of one block. */
#define MF_MAX_RAW          (64u << 20)

#define MF_KIND(a, b, c, d) \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 \
     | (uint32_t)(d) << 24)
#define MF_KIND_STRS MF_KIND('S', 'T', 'R', 'S')
#define MF_KIND_TYPE MF_KIND('T', 'Y', 'P', 'E')
#define MF_KIND_OBJS MF_KIND('O', 'B', 'J', 'S')
#define MF_KIND_ROOT MF_KIND('R', 'O', 'O', 'T')
#define MF_KIND_META MF_KIND('M', 'E', 'T', 'A')
#define MF_KIND_TOC  MF_KIND('T', 'O', 'C', ' ')

/* block header flags */
#define MF_BLOCK_ZSTD 0x1u

/* OBJS columns, in payload order */
enum {
    MF_C_ADDRESS, MF_C_TYPE, MF_C_SIZE, MF_C_FLAGS, MF_C_LENGTH, MF_C_NAME,
    MF_C_VALUE, MF_C_EDGE_COUNT, MF_C_EDGE_TARGET, MF_C_EDGE_KIND,
    MF_C_EDGE_LABEL, MF_OBJS_COLUMNS
};
/* Readers reject an OBJS block declaring more columns than this. */
#define MF_MAX_COLUMNS 64u

/* Little-endian fixed-width fields. */
static inline uint32_t
mf_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16
           | (uint32_t)p[3] << 24;
}

static inline uint64_t
mf_le64(const uint8_t *p)
{
    return (uint64_t)mf_le32(p) | (uint64_t)mf_le32(p + 4) << 32;
}

static inline uint16_t
mf_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline void
mf_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void
mf_put_le32(uint8_t *p, uint32_t v)
{
    int i;
    for (i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static inline void
mf_put_le64(uint8_t *p, uint64_t v)
{
    mf_put_le32(p, (uint32_t)v);
    mf_put_le32(p + 4, (uint32_t)(v >> 32));
}

#endif /* MF_LAYOUT_H */
