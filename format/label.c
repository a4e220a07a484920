/*
 * label.c - readable edge labels and root kind names.
 */
#include "muppy_format.h"

#include <stdio.h>
#include <string.h>

#include "muppy_util.h"
#include "reader_impl.h"

/*
 * Append the repr-like quoted form of s to buf[*pos..cap), keeping room
 * for `tail` more bytes and the NUL; cut with "..." when it does not fit.
 */
static void
put_repr(char *buf, size_t cap, size_t *pos, const char *s, size_t n,
         size_t tail)
{
    const unsigned char *p = (const unsigned char *)s;
    char quote = '\'';
    size_t i, k;

    if (memchr(s, '\'', n) && !memchr(s, '"', n)) {
        quote = '"';
    }
    if (*pos + 1 + tail + 1 < cap) {
        buf[(*pos)++] = quote;
    }
    for (i = 0; i < n; i += k) {
        char piece[8];
        size_t plen;
        k = mf_utf8_len(p + i, n - i);
        if (k == 0) {
            k = 1;
            plen = (size_t)snprintf(piece, sizeof(piece), "\\x%02x", p[i]);
        }
        else if (k > 1) {
            memcpy(piece, p + i, k);
            plen = k;
        }
        else if (p[i] == '\\' || p[i] == (unsigned char)quote) {
            piece[0] = '\\';
            piece[1] = (char)p[i];
            plen = 2;
        }
        else if (p[i] == '\n') {
            memcpy(piece, "\\n", 2);
            plen = 2;
        }
        else if (p[i] == '\r') {
            memcpy(piece, "\\r", 2);
            plen = 2;
        }
        else if (p[i] == '\t') {
            memcpy(piece, "\\t", 2);
            plen = 2;
        }
        else if (p[i] < 0x20 || p[i] == 0x7f) {
            plen = (size_t)snprintf(piece, sizeof(piece), "\\x%02x", p[i]);
        }
        else {
            piece[0] = (char)p[i];
            plen = 1;
        }
        /* room for this piece, and for "..." + quote + tail if more */
        if (*pos + plen + 3 + 1 + tail + 1 > cap) {
            size_t j;
            for (j = 0; j < 3 && *pos + 1 + tail + 1 < cap; j++) {
                buf[(*pos)++] = '.';
            }
            break;
        }
        memcpy(buf + *pos, piece, plen);
        *pos += plen;
    }
    if (*pos + tail + 1 < cap) {
        buf[(*pos)++] = quote;
    }
}

static size_t
put_text(char *buf, size_t cap, size_t pos, const char *s)
{
    size_t n = strlen(s);

    if (cap == 0) {
        return 0;
    }
    if (pos + n + 1 > cap) {
        n = cap - 1 - pos;
    }
    memcpy(buf + pos, s, n);
    buf[pos + n] = '\0';
    return pos + n;
}

size_t
mf_format_label(const mf_reader *r, uint8_t kind, uint64_t label,
                char *buf, size_t cap)
{
    unsigned k = kind & MF_EDGE_KIND_MASK;
    char tmp[48];
    const char *s;
    size_t len, pos = 0;

    if (buf == NULL || cap == 0) {
        return 0;
    }
    buf[0] = '\0';
    switch (k) {
    case MF_EDGE_KEY_OTHER:
        return put_text(buf, cap, 0, "[?]");
    case MF_EDGE_DICT_KEY:
        return put_text(buf, cap, 0, "(key)");
    case MF_EDGE_SET_ITEM:
        return put_text(buf, cap, 0, "{item}");
    default:
        break;
    }
    switch (MF_EDGE_CLASS(kind)) {
    case MF_LABEL_UINT:
        snprintf(tmp, sizeof(tmp), "[%llu]", (unsigned long long)label);
        return put_text(buf, cap, 0, tmp);
    case MF_LABEL_SINT:
        if (k == MF_EDGE_INDEX) {
            snprintf(tmp, sizeof(tmp), "[%llu]", (unsigned long long)label);
        }
        else {
            snprintf(tmp, sizeof(tmp), "[%lld]", (long long)label);
        }
        return put_text(buf, cap, 0, tmp);
    case MF_LABEL_STRING:
        s = label <= UINT32_MAX ? mf_reader_string(r, (uint32_t)label, &len)
                                : NULL;
        if (k == MF_EDGE_ATTR || k == MF_EDGE_FIELD) {
            if (s == NULL) {
                snprintf(tmp, sizeof(tmp), ".<string %llu>",
                         (unsigned long long)label);
                return put_text(buf, cap, 0, tmp);
            }
            pos = put_text(buf, cap, 0, ".");
            /* names are identifiers: show them plainly, cut if long */
            if (len > cap - 1 - pos) {
                len = cap - 1 - pos;
            }
            memcpy(buf + pos, s, len);
            pos += len;
            /* never show control bytes raw */
            {
                size_t i;
                for (i = 1; i < pos; i++) {
                    if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f) {
                        buf[i] = '?';
                    }
                }
            }
            buf[pos] = '\0';
            return pos;
        }
        if (s == NULL) {
            snprintf(tmp, sizeof(tmp), "[<string %llu>]",
                     (unsigned long long)label);
            return put_text(buf, cap, 0, tmp);
        }
        pos = put_text(buf, cap, 0, "[");
        put_repr(buf, cap, &pos, s, len, 1);
        return put_text(buf, cap, pos, "]");
    default:
        return 0;
    }
}

const char *
mf_root_kind_name(uint32_t kind)
{
    static const char *const names[] = {
        "other", "sys.modules", "module", "thread", "builtins",
        "gc.garbage", "unreferenced",
    };

    if (kind < sizeof(names) / sizeof(*names)) {
        return names[kind];
    }
    return "unknown";
}
