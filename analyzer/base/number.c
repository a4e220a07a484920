/*
 * number.c - formatting and parsing of sizes, counts and addresses.
 */
#include "base/number.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

const char *
an_format_size(uint64_t bytes, char *buf, size_t cap)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = (double)bytes;
    int u = -1;

    if (bytes < 1024) {
        snprintf(buf, cap, "%llu B", (unsigned long long)bytes);
        return buf;
    }
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        u++;
    }
    if (v < 10.0) {
        snprintf(buf, cap, "%.2f %s", v, units[u]);
    }
    else if (v < 100.0) {
        snprintf(buf, cap, "%.1f %s", v, units[u]);
    }
    else {
        snprintf(buf, cap, "%.0f %s", v, units[u]);
    }
    return buf;
}

const char *
an_format_count(uint64_t n, char *buf, size_t cap)
{
    char tmp[32];
    int len = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)n);
    size_t o = 0;

    for (int i = 0; i < len && o + 1 < cap; i++) {
        if (i > 0 && (len - i) % 3 == 0 && o + 2 < cap) {
            buf[o++] = ',';
        }
        buf[o++] = tmp[i];
    }
    if (cap > 0) {
        buf[o] = '\0';
    }
    return buf;
}

const char *
an_format_delta(int64_t bytes, char *buf, size_t cap)
{
    uint64_t mag;

    if (bytes == 0) {
        snprintf(buf, cap, "0 B");
        return buf;
    }
    mag = bytes < 0 ? (uint64_t)0 - (uint64_t)bytes : (uint64_t)bytes;
    if (cap < 2) {
        return buf;
    }
    buf[0] = bytes < 0 ? '-' : '+';
    an_format_size(mag, buf + 1, cap - 1);
    return buf;
}

int
an_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (s == NULL || *s < '0' || *s > '9') {
        return -1;
    }
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0') {
        return -1;
    }
    *out = v;
    return 0;
}

int
an_parse_size(const char *s, uint64_t *out)
{
    char *end;
    double v;
    double mult = 1.0;

    if (s == NULL || ((*s < '0' || *s > '9') && *s != '.')) {
        return -1;
    }
    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s) {
        return -1;
    }
    switch (*end) {
    case 'k': case 'K': mult = 1024.0; end++; break;
    case 'm': case 'M': mult = 1024.0 * 1024; end++; break;
    case 'g': case 'G': mult = 1024.0 * 1024 * 1024; end++; break;
    case 't': case 'T': mult = 1024.0 * 1024 * 1024 * 1024; end++; break;
    default: break;
    }
    if (mult > 1.0 && *end == 'i') {
        end++;
    }
    if (*end == 'B' || *end == 'b') {
        end++;
    }
    if (*end != '\0') {
        return -1;
    }
    v *= mult;
    if (!(v >= 0.0) || v >= 18446744073709551615.0) {
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

int
an_parse_address(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (s == NULL || *s == '\0' || *s == '-' || *s == '+') {
        return -1;
    }
    errno = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        if (s[2] == '\0' || s[2] == '-' || s[2] == '+') {
            return -1;
        }
        v = strtoull(s + 2, &end, 16);
    }
    else {
        v = strtoull(s, &end, 10);
    }
    if (errno != 0 || *end != '\0') {
        return -1;
    }
    *out = v;
    return 0;
}

const char *
an_format_count_delta(int64_t n, char *buf, size_t cap)
{
    char mag[32];
    uint64_t abs_n = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;

    an_format_count(abs_n, mag, sizeof(mag));
    snprintf(buf, cap, "%c%s", n < 0 ? '-' : '+', mag);
    return buf;
}

const char *
an_format_share(uint64_t part, uint64_t whole, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.1f%%",
             whole ? 100.0 * (double)part / (double)whole : 0.0);
    return buf;
}
