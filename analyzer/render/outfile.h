/*
 * outfile.h - output files written atomically, with a fast buffer: what
 * the exports, the report and the Graphviz output write through.
 *
 * an_outfile_open() creates a temporary file beside the final name (the
 * format library's atomic file, muppy_util.h); an_outfile_commit()
 * flushes it, syncs it to disk and renames it to the final name.  Until
 * then nothing exists under the final name, and on any error (full disk,
 * file size limit, unwritable directory) the temporary file is removed:
 * a reader never sees a partial file.  The path "-" writes to stdout
 * instead (not atomic, no sync).
 *
 * Writes are buffered here (256 KiB) rather than by stdio, so that the
 * writers of large files (millions of numbers) cost little per call.  A
 * write error is remembered and reported once, by an_outfile_commit().
 *
 * Nothing here prints: a function that fails returns -1 and leaves what
 * to say in o->error ("cannot create 'x.html': No such file or
 * directory"; empty for a closed pipe on stdout), which outlives the
 * outfile's other fields; cli/open.h says it.
 */
#ifndef AN_RENDER_OUTFILE_H
#define AN_RENDER_OUTFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "muppy_util.h"

#define AN_OUT_BUF (256u * 1024u)

typedef struct an_outfile {
    FILE *f;            /* stdout, or a stream over the temporary file */
    mf_atomic file;     /* the temporary file (not with stdout) */
    int to_stdout;
    int finished;       /* synced and closed, not renamed yet */
    char *buf;          /* AN_OUT_BUF bytes */
    size_t len;
    int err;            /* errno of the first failed write, or 0 */
    uint64_t written;   /* bytes written so far */
    char error[400];    /* after a failure: what to say, or "" */
} an_outfile;

/* Start writing `path` ("-": stdout).  Returns 0, or -1 with o->error
 * (the outfile is then closed). */
int an_outfile_open(an_outfile *o, const char *path);

/*
 * an_outfile_finish() - flush, fsync and close the temporary file,
 * without renaming it yet (so that several files can be renamed together
 * once all are written).  Returns 0, or -1 with o->error (the temporary
 * file is then removed).
 */
int an_outfile_finish(an_outfile *o);

/*
 * an_outfile_commit() - finish (when not done yet) and rename the file to
 * its final name (stdout: flush only).  Returns 0, or -1 with o->error
 * (the temporary file is then removed).  The outfile is closed either
 * way.
 */
int an_outfile_commit(an_outfile *o);

/* Close and remove the temporary file (o->error stays); a zeroed or
 * committed outfile is fine. */
void an_outfile_abort(an_outfile *o);

/* Write the buffer out (an_out_* call it when it is full). */
void an_out_flush(an_outfile *o);
/* Write n bytes past the buffer (for n > AN_OUT_BUF). */
void an_out_write_direct(an_outfile *o, const void *p, size_t n);

static inline void
an_out_bytes(an_outfile *o, const void *p, size_t n)
{
    if (o->len + n > AN_OUT_BUF) {
        an_out_flush(o);
        if (n > AN_OUT_BUF) {
            an_out_write_direct(o, p, n);
            return;
        }
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

static inline void
an_out_char(an_outfile *o, char c)
{
    if (o->len == AN_OUT_BUF) {
        an_out_flush(o);
    }
    o->buf[o->len++] = c;
}

static inline void
an_out_str(an_outfile *o, const char *s)
{
    an_out_bytes(o, s, strlen(s));
}

/* An unsigned decimal number. */
static inline void
an_out_u64(an_outfile *o, uint64_t v)
{
    char tmp[24];
    int n = 0;

    if (o->len + sizeof(tmp) > AN_OUT_BUF) {
        an_out_flush(o);
    }
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0) {
        o->buf[o->len++] = tmp[--n];
    }
}

/* "0x" and a number in lower-case hex, no padding. */
static inline void
an_out_hex(an_outfile *o, uint64_t v)
{
    char tmp[16];
    int n = 0;

    if (o->len + sizeof(tmp) + 2 > AN_OUT_BUF) {
        an_out_flush(o);
    }
    do {
        tmp[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v != 0);
    o->buf[o->len++] = '0';
    o->buf[o->len++] = 'x';
    while (n > 0) {
        o->buf[o->len++] = tmp[--n];
    }
}

/* printf into the file (short texts: at most 4096 bytes). */
void an_out_printf(an_outfile *o, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* How text is escaped by an_out_text(). */
typedef enum an_escape {
    AN_ESC_JSON,    /* a JSON string, quotes included */
    AN_ESC_HTML,    /* text or attribute value: & < > " ' escaped */
    AN_ESC_DOT,     /* inside a Graphviz "..." string: " \ escaped,
                       newlines as \n */
    AN_ESC_CSV      /* a CSV field (RFC 4180): quoted when it holds , " CR
                       or LF, quotes doubled; a field starting with
                       = + - @ TAB or CR (a formula to a spreadsheet)
                       gets a leading ' and quotes */
} an_escape;

/*
 * an_out_text() - `len` bytes of s, escaped for `esc`.  Bytes that are
 * not valid UTF-8 become U+FFFD and control characters are escaped (JSON)
 * or replaced by U+FFFD (HTML, DOT; CSV keeps tab, CR and LF), so that
 * any byte string makes valid output.
 */
void an_out_text(an_outfile *o, const char *s, size_t len, an_escape esc);

#endif /* AN_RENDER_OUTFILE_H */
