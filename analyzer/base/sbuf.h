/*
 * sbuf.h - a string that grows as it is appended to.
 *
 * After an allocation failure it stops growing and `failed` is set (the
 * text so far stays valid).  Start from a zeroed an_sbuf; free with
 * an_sbuf_free().
 */
#ifndef AN_BASE_SBUF_H
#define AN_BASE_SBUF_H

#include <stddef.h>

#include "base/attributes.h"

typedef struct an_sbuf {
    char *s;        /* NUL-terminated once anything was appended */
    size_t len, cap;
    int failed;
} an_sbuf;

void an_sbuf_printf(an_sbuf *b, const char *fmt, ...) AN_PRINTF(2, 3);
/* The text ("" when empty). */
const char *an_sbuf_str(const an_sbuf *b);
void an_sbuf_free(an_sbuf *b);

#endif /* AN_BASE_SBUF_H */
