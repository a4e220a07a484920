/*
 * labels.c - strings of the snapshot (labels.h).
 */
#include "labels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MD_SCACHE 8192          /* label cache entries (direct-mapped) */

struct md_sentry {
    const void *key;            /* str object or C string; NULL: empty */
    uint32_t sid;
};

int
md_labels_init(md_state *d)
{
    d->strs = calloc(MD_SCACHE, sizeof(md_sentry));
    return d->strs == NULL ? md_nomem(d) : 0;
}

void
md_labels_free(md_state *d)
{
    free(d->strs);
    d->strs = NULL;
    md_scratch_free(d->sbuf, d->cap_sbuf, 1);
    d->sbuf = NULL;
    d->cap_sbuf = 0;
}

Py_ssize_t
md_utf8(md_state *d, PyObject *s, Py_ssize_t max_chars, size_t max_bytes)
{
    Py_ssize_t i, n;
    int kind;
    const void *data;
    size_t len = 0;
    char *b;

    if (!mc_str_ready(s)) {
        return 0;
    }
    if (md_scratch_reserve(d, (void **)&d->sbuf, &d->cap_sbuf,
                           max_bytes + 8, 1) < 0) {
        return -1;
    }
    b = d->sbuf;
    n = PyUnicode_GET_LENGTH(s);
    if (n > max_chars) {
        n = max_chars;
    }
    kind = PyUnicode_KIND(s);
    data = PyUnicode_DATA(s);
    for (i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        size_t need = c < 0x80 ? 1 : c < 0x800 ? 2
                      : (c >= 0xD800 && c <= 0xDFFF) ? 6
                      : c < 0x10000 ? 3 : 4;

        if (len + need > max_bytes) {
            break;
        }
        if (c < 0x80) {
            b[len++] = (char)c;
        }
        else if (c < 0x800) {
            b[len++] = (char)(0xC0 | (c >> 6));
            b[len++] = (char)(0x80 | (c & 0x3F));
        }
        else if (c >= 0xD800 && c <= 0xDFFF) {
            len += (size_t)snprintf(b + len, 7, "\\u%04x", (unsigned)c);
        }
        else if (c < 0x10000) {
            b[len++] = (char)(0xE0 | (c >> 12));
            b[len++] = (char)(0x80 | ((c >> 6) & 0x3F));
            b[len++] = (char)(0x80 | (c & 0x3F));
        }
        else {
            b[len++] = (char)(0xF0 | (c >> 18));
            b[len++] = (char)(0x80 | ((c >> 12) & 0x3F));
            b[len++] = (char)(0x80 | ((c >> 6) & 0x3F));
            b[len++] = (char)(0x80 | (c & 0x3F));
        }
    }
    b[len] = '\0';
    return (Py_ssize_t)len;
}

const char *
md_str_bytes(md_state *d, PyObject *s, Py_ssize_t max_chars,
             size_t max_bytes, size_t *len)
{
    Py_ssize_t n;

    if (mc_str_ready(s) && PyUnicode_IS_COMPACT_ASCII(s)) {
        n = PyUnicode_GET_LENGTH(s);
        if (n > max_chars) {
            n = max_chars;
        }
        if ((size_t)n > max_bytes) {
            n = (Py_ssize_t)max_bytes;
        }
        *len = (size_t)n;
        return (const char *)PyUnicode_DATA(s);
    }
    n = md_utf8(d, s, max_chars, max_bytes);
    if (n < 0) {
        return NULL;
    }
    *len = (size_t)n;
    return d->sbuf;
}

int
md_string(md_state *d, const char *s, size_t len, uint32_t *sid)
{
    if (mf_writer_string(d->w, s, len, sid, &d->err) != MF_OK) {
        return md_lib_error(d);
    }
    return 0;
}

/* direct-mapped: a colliding label only costs a lookup in the writer */
int
md_sid(md_state *d, PyObject *obj, const char *cs, size_t clen,
       uint32_t *sid)
{
    const void *key = obj ? (const void *)obj : (const void *)cs;
    md_sentry *e = &d->strs[md_hash(key) & (MD_SCACHE - 1)];

    if (e->key == key) {
        *sid = e->sid;
        return 0;
    }
    if (obj != NULL) {
        size_t len;
        const char *b = md_str_bytes(d, obj, MD_LABEL_MAX, MD_LABEL_MAX,
                                     &len);

        if (b == NULL || md_string(d, b, len, sid) < 0) {
            return -1;
        }
    }
    else if (md_string(d, cs, clen, sid) < 0) {
        return -1;
    }
    e->key = key;
    e->sid = *sid;
    return 0;
}
