/*
 * number.h - numbers as people read and write them: sizes ("1.5 MiB"),
 * counts with thousands separators, signed changes, and the parsing of
 * sizes, counts and addresses given on the command line.
 */
#ifndef AN_BASE_NUMBER_H
#define AN_BASE_NUMBER_H

#include <stddef.h>
#include <stdint.h>

/* "512 B", "1.5 KiB", "12.0 MiB", "3.25 GiB" into buf (>= 32 bytes). */
const char *an_format_size(uint64_t bytes, char *buf, size_t cap);
/* "1,234,567" into buf (>= 32 bytes). */
const char *an_format_count(uint64_t n, char *buf, size_t cap);
/* Signed count with sign and thousands separators: "+2,000", "-3". */
const char *an_format_count_delta(int64_t n, char *buf, size_t cap);
/* Signed size: "+1.5 MiB", "-12 B", "0 B". */
const char *an_format_delta(int64_t bytes, char *buf, size_t cap);

/* "12.5%": part of whole, one decimal ("0.0%" of nothing), into buf. */
const char *an_format_share(uint64_t part, uint64_t whole, char *buf,
                            size_t cap);

/* b - a as a signed change (modulo 2^64: sizes never come near 2^63). */
static inline int64_t
an_delta(uint64_t a, uint64_t b)
{
    return (int64_t)(b - a);
}

/*
 * an_parse_size() - "1000", "64K", "1.5M", "2G" (binary multiples, an
 * optional trailing "B" or "iB") into *out.  Returns 0 or -1.
 */
int an_parse_size(const char *s, uint64_t *out);
/* Decimal unsigned integer; returns 0 or -1. */
int an_parse_u64(const char *s, uint64_t *out);
/* Address "0x7f..." (or decimal); returns 0 or -1. */
int an_parse_address(const char *s, uint64_t *out);

#endif /* AN_BASE_NUMBER_H */
