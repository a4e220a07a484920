/*
 * safetext.c - the escaping filter of standard output (safetext.h).
 */
#define _GNU_SOURCE
#include "cli/safetext.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "muppy_util.h"

/* The length a UTF-8 sequence starting with lead byte c would have
 * (0: no lead byte), to tell a sequence cut by the end of a write from a
 * bad byte; whether it is valid is mf_utf8_len()'s to say. */
static int
lead_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xc2 ? 0 : c < 0xe0 ? 2 : c < 0xf0 ? 3
           : c < 0xf5 ? 4 : 0;
}

/*
 * Escapes in[0..n) into out (room for 6 bytes per input byte).  At the
 * end of in, an incomplete but so far valid UTF-8 sequence is left for
 * the next call (*kept bytes, not consumed) unless `final`.  Returns the
 * bytes written.
 */
static size_t
escape(const unsigned char *in, size_t n, char *out, int final, size_t *kept)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0, o = 0;

    *kept = 0;
    while (i < n) {
        unsigned char c = in[i];
        int len;

        if (c >= 0x20 && c < 0x7f) {
            out[o++] = (char)c;
            i++;
            continue;
        }
        if (c == '\n' || c == '\t') {
            out[o++] = (char)c;
            i++;
            continue;
        }
        len = lead_len(c);
        if (len > 1 && i + (size_t)len > n && !final) {
            /* maybe the rest comes with the next write */
            size_t have = n - i;
            int ok = 1;

            for (size_t k = 1; k < have; k++) {
                ok &= (in[i + k] & 0xc0) == 0x80;
            }
            if (ok) {
                *kept = have;
                return o;
            }
        }
        if (len > 1 && mf_utf8_len(in + i, n - i) == (size_t)len) {
            if (len == 2 && c == 0xc2 && in[i + 1] < 0xa0) {
                /* C1 control: U+0080..U+009F */
                memcpy(out + o, "\\u00", 4);
                out[o + 4] = hex[in[i + 1] >> 4];
                out[o + 5] = hex[in[i + 1] & 15];
                o += 6;
            }
            else {
                memcpy(out + o, in + i, (size_t)len);
                o += (size_t)len;
            }
            i += (size_t)len;
            continue;
        }
        out[o++] = '\\';
        out[o++] = 'x';
        out[o++] = hex[c >> 4];
        out[o++] = hex[c & 15];
        i++;
    }
    return o;
}

size_t
an_safe_text(const char *s, size_t len, char *buf, size_t cap)
{
    const unsigned char *in = (const unsigned char *)s;
    size_t i = 0, used = 0, kept;

    if (cap == 0) {
        return 0;
    }
    while (i < len) {
        /* one character (or one bad byte) at a time, so that a cut
         * never splits an escape or a sequence */
        char tmp[24];
        size_t step = 1, n;
        size_t l = mf_utf8_len(in + i, len - i);

        if (l > 1) {
            step = l;
        }
        n = escape(in + i, step, tmp, 1, &kept);
        if (used + n >= cap) {
            break;
        }
        memcpy(buf + used, tmp, n);
        used += n;
        i += step;
    }
    buf[used] = '\0';
    return used;
}

/* ---- the stdout filter ------------------------------------------------ */

typedef struct safe_stream {
    int fd;
    unsigned char pending[4];   /* an incomplete UTF-8 sequence */
    size_t n_pending;
    char out[6 * 4096 + 8];
} safe_stream;

static safe_stream stream_state;

static int
write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static ssize_t
safe_write(void *cookie, const char *buf, size_t size)
{
    safe_stream *st = cookie;
    const unsigned char *in = (const unsigned char *)buf;
    size_t done = 0;

    while (done < size) {
        unsigned char tmp[4096 + 4];
        size_t take = size - done > 4096 ? 4096 : size - done;
        size_t n, kept;
        size_t total = st->n_pending + take;

        memcpy(tmp, st->pending, st->n_pending);
        memcpy(tmp + st->n_pending, in + done, take);
        n = escape(tmp, total, st->out, 0, &kept);
        if (write_all(st->fd, st->out, n) != 0) {
            return -1;
        }
        memcpy(st->pending, tmp + total - kept, kept);
        st->n_pending = kept;
        done += take;
    }
    return (ssize_t)size;
}

static int
safe_close(void *cookie)
{
    safe_stream *st = cookie;
    size_t kept, n;

    if (st->n_pending > 0) {
        n = escape(st->pending, st->n_pending, st->out, 1, &kept);
        st->n_pending = 0;
        if (write_all(st->fd, st->out, n) != 0) {
            return -1;
        }
    }
    return 0;
}

int
an_safe_stdout(void)
{
    cookie_io_functions_t io = {NULL, safe_write, NULL, safe_close};
    FILE *f;

    stream_state.fd = fileno(stdout);
    f = fopencookie(&stream_state, "w", io);
    if (f == NULL) {
        return -1;
    }
    setvbuf(f, NULL, _IOFBF, 1 << 16);
    stdout = f;
    return 0;
}
