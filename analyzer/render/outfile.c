/*
 * outfile.c - atomic, buffered output files.
 */
#define _POSIX_C_SOURCE 200809L
#include "render/outfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "muppy_util.h"

/* Remember what went wrong (errno e, "cannot WHAT 'PATH'"), unless a
 * failure is already told. */
static void
out_failed(an_outfile *o, int e, const char *what, const char *path)
{
    if (o->error[0] != '\0') {
        return;
    }
    if (e == ENOMEM && path == NULL) {
        snprintf(o->error, sizeof(o->error), "out of memory");
    }
    else if (path == NULL) {
        /* stdout: a reader that went away (`| head`) is no news */
        if (e != EPIPE) {
            snprintf(o->error, sizeof(o->error),
                     "cannot write the output: %s", strerror(e));
        }
    }
    else {
        snprintf(o->error, sizeof(o->error), "cannot %s '%.300s': %s", what,
                 path, strerror(e));
    }
}

int
an_outfile_open(an_outfile *o, const char *path)
{
    int fd;

    memset(o, 0, sizeof(*o));
    o->file.fd = -1;
    o->buf = malloc(AN_OUT_BUF);
    if (o->buf == NULL) {
        out_failed(o, ENOMEM, NULL, NULL);
        return -1;
    }
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        o->to_stdout = 1;
        return 0;
    }
    if (mf_atomic_open(&o->file, path) < 0) {
        out_failed(o, errno, "create", o->file.tmp ? path : NULL);
        an_outfile_abort(o);
        return -1;
    }
    /* the stream owns a duplicate: closing it leaves the file's own
     * descriptor to mf_atomic_sync() */
    fd = dup(o->file.fd);
    o->f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (o->f == NULL) {
        out_failed(o, errno, "create", path);
        if (fd >= 0) {
            close(fd);
        }
        an_outfile_abort(o);
        return -1;
    }
    return 0;
}

void
an_out_flush(an_outfile *o)
{
    if (o->len > 0 && o->err == 0
        && fwrite(o->buf, 1, o->len, o->f) != o->len) {
        o->err = errno ? errno : EIO;
    }
    o->written += o->len;
    o->len = 0;
}

void
an_out_write_direct(an_outfile *o, const void *p, size_t n)
{
    an_out_flush(o);
    if (o->err == 0 && fwrite(p, 1, n, o->f) != n) {
        o->err = errno ? errno : EIO;
    }
    o->written += n;
}

int
an_outfile_finish(an_outfile *o)
{
    if (o->f == NULL) {
        return o->finished ? 0 : -1;
    }
    an_out_flush(o);
    if (o->err == 0 && fflush(o->f) != 0) {
        o->err = errno ? errno : EIO;
    }
    if (o->to_stdout) {
        return 0;
    }
    if (fclose(o->f) != 0 && o->err == 0) {
        o->err = errno ? errno : EIO;
    }
    o->f = NULL;
    if (o->err == 0) {
        int rc = mf_atomic_sync(&o->file);

        if (rc != 0) {
            o->err = errno ? errno : EIO;
        }
    }
    if (o->err != 0) {
        out_failed(o, o->err, "write", o->file.path);
        an_outfile_abort(o);
        return -1;
    }
    o->finished = 1;
    return 0;
}

int
an_outfile_commit(an_outfile *o)
{
    if (o->to_stdout) {
        an_out_flush(o);
        if (o->err == 0 && fflush(o->f) != 0) {
            o->err = errno ? errno : EIO;
        }
        if (o->err != 0) {
            out_failed(o, o->err, "write", NULL);
            an_outfile_abort(o);
            return -1;
        }
        an_outfile_abort(o);        /* nothing to remove: frees */
        return 0;
    }
    if (an_outfile_finish(o) != 0) {
        return -1;
    }
    /* a directory that could not be synced (1) is no failure: the file
     * is complete and in place */
    if (mf_atomic_rename(&o->file) < 0) {
        out_failed(o, errno, "write", o->file.path);
        an_outfile_abort(o);
        return -1;
    }
    an_outfile_abort(o);
    return 0;
}

void
an_outfile_abort(an_outfile *o)
{
    char error[sizeof(o->error)];

    if (o->f != NULL && !o->to_stdout) {
        fclose(o->f);
    }
    mf_atomic_abort(&o->file);
    free(o->buf);
    /* what went wrong stays, for the caller to tell */
    memcpy(error, o->error, sizeof(error));
    memset(o, 0, sizeof(*o));
    o->file.fd = -1;
    memcpy(o->error, error, sizeof(error));
}

void
an_out_printf(an_outfile *o, const char *fmt, ...)
{
    char tmp[4096];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    an_out_bytes(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n
                                                 : sizeof(tmp) - 1);
}

/* Does a CSV field need quotes? */
static int
csv_needs_quotes(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r') {
            return 1;
        }
    }
    return 0;
}

void
an_out_text(an_outfile *o, const char *str, size_t len, an_escape esc)
{
    const unsigned char *s = (const unsigned char *)str;
    /* a spreadsheet would run a cell that starts like a formula: OWASP's
     * "CSV injection" advice is a leading quote, inside double quotes */
    int formula = esc == AN_ESC_CSV && len > 0 && s[0] != '\0'
                  && strchr("=+-@\t\r", s[0]) != NULL;
    int quote = esc == AN_ESC_JSON || formula
                || (esc == AN_ESC_CSV && csv_needs_quotes(str, len));
    size_t i = 0;

    if (quote) {
        an_out_char(o, '"');
    }
    if (formula) {
        an_out_char(o, '\'');
    }
    while (i < len) {
        unsigned c = s[i];
        size_t n;

        if (c < 0x80 && c >= 0x20 && c != 0x7f) {
            switch (esc) {
            case AN_ESC_JSON:
                if (c == '"' || c == '\\') {
                    an_out_char(o, '\\');
                }
                break;
            case AN_ESC_DOT:
                if (c == '"' || c == '\\') {
                    an_out_char(o, '\\');
                }
                break;
            case AN_ESC_CSV:
                if (c == '"') {
                    an_out_char(o, '"');
                }
                break;
            case AN_ESC_HTML:
                if (c == '&' || c == '<' || c == '>' || c == '"'
                    || c == '\'') {
                    an_out_str(o, c == '&' ? "&amp;" : c == '<' ? "&lt;"
                               : c == '>' ? "&gt;" : c == '"' ? "&quot;"
                               : "&#39;");
                    i++;
                    continue;
                }
                break;
            }
            an_out_char(o, (char)c);
            i++;
            continue;
        }
        if (c < 0x20 || c == 0x7f) {
            if (esc == AN_ESC_JSON) {
                an_out_printf(o, "\\u%04x", c);
            }
            else if (esc == AN_ESC_DOT && c == '\n') {
                an_out_str(o, "\\n");
            }
            else if (esc == AN_ESC_CSV
                     && (c == '\n' || c == '\r' || c == '\t')) {
                an_out_char(o, (char)c);
            }
            else {
                an_out_str(o, "\xef\xbf\xbd");
            }
            i++;
            continue;
        }
        n = mf_utf8_len(s + i, len - i);
        if (n == 0) {
            an_out_str(o, esc == AN_ESC_JSON ? "\\ufffd" : "\xef\xbf\xbd");
            i++;
            continue;
        }
        an_out_bytes(o, s + i, n);
        i += n;
    }
    if (quote) {
        an_out_char(o, '"');
    }
}
