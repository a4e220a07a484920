/*
 * sbuf.c - growable strings.
 */
#include "base/sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
an_sbuf_printf(an_sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b->failed) {
        return;
    }
    for (;;) {
        size_t room = b->cap - b->len;

        va_start(ap, fmt);
        n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = 1;
            return;
        }
        if (b->s != NULL && (size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        {
            size_t cap = b->cap ? b->cap : 256;
            char *p;

            while (cap < b->len + (size_t)n + 1) {
                cap *= 2;
            }
            p = realloc(b->s, cap);
            if (p == NULL) {
                b->failed = 1;
                return;
            }
            if (b->s == NULL) {
                p[0] = '\0';
            }
            b->s = p;
            b->cap = cap;
        }
    }
}

const char *
an_sbuf_str(const an_sbuf *b)
{
    return b->s ? b->s : "";
}

void
an_sbuf_free(an_sbuf *b)
{
    free(b->s);
    memset(b, 0, sizeof(*b));
}
