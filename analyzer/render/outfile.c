/*
 * outfile.c - atomic, buffered output files.
 */
#define _POSIX_C_SOURCE 200809L
#include "render/outfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render/json.h"
#include "cli/message.h"

int
an_outfile_open(an_outfile *o, const char *path)
{
    size_t n = strlen(path);
    mode_t mask;
    int fd;

    memset(o, 0, sizeof(*o));
    o->buf = malloc(AN_OUT_BUF);
    if (o->buf == NULL) {
        an_error("out of memory");
        return AN_EXIT_INPUT;
    }
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    o->path = malloc(n + 1);
    o->tmp = malloc(n + 16);
    if (o->path == NULL || o->tmp == NULL) {
        an_outfile_abort(o);
        an_error("out of memory");
        return AN_EXIT_INPUT;
    }
    memcpy(o->path, path, n + 1);
    snprintf(o->tmp, n + 16, "%s.tmpXXXXXX", path);
    fd = mkstemp(o->tmp);
    if (fd < 0) {
        int e = errno;

        free(o->tmp);
        o->tmp = NULL;
        an_outfile_abort(o);
        an_error("cannot create '%s': %s", path, strerror(e));
        return AN_EXIT_INPUT;
    }
    /* mkstemp makes the file 0600: give it the usual 0666 & ~umask */
    mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        /* not fatal: the file is then only readable by its owner */
    }
    o->f = fdopen(fd, "wb");
    if (o->f == NULL) {
        int e = errno;

        close(fd);
        an_outfile_abort(o);
        an_error("cannot create '%s': %s", path, strerror(e));
        return AN_EXIT_INPUT;
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
    int e;

    if (o->f == NULL) {
        return o->tmp != NULL ? 0 : AN_EXIT_INPUT;  /* finished already */
    }
    an_out_flush(o);
    if (o->err == 0 && fflush(o->f) != 0) {
        o->err = errno ? errno : EIO;
    }
    if (o->path == NULL) {
        return 0;
    }
    if (o->err == 0 && fsync(fileno(o->f)) != 0) {
        o->err = errno;
    }
    if (fclose(o->f) != 0 && o->err == 0) {
        o->err = errno ? errno : EIO;
    }
    o->f = NULL;
    e = o->err;
    if (e != 0) {
        an_error("cannot write '%s': %s", o->path, strerror(e));
        an_outfile_abort(o);
        return AN_EXIT_INPUT;
    }
    return 0;
}

int
an_outfile_commit(an_outfile *o)
{
    int e;

    if (o->f != NULL && o->path == NULL) {
        /* stdout */
        an_out_flush(o);
        if (o->err == 0 && fflush(o->f) != 0) {
            o->err = errno ? errno : EIO;
        }
        e = o->err;
        free(o->buf);
        memset(o, 0, sizeof(*o));
        if (e != 0 && e != EPIPE) {
            an_error("cannot write the output: %s", strerror(e));
        }
        return e ? AN_EXIT_INPUT : 0;
    }
    if (an_outfile_finish(o) != 0) {
        return AN_EXIT_INPUT;
    }
    if (rename(o->tmp, o->path) != 0) {
        e = errno;
        an_error("cannot write '%s': %s", o->path, strerror(e));
        an_outfile_abort(o);
        return AN_EXIT_INPUT;
    }
    free(o->buf);
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof(*o));
    return 0;
}

void
an_outfile_abort(an_outfile *o)
{
    if (o->f != NULL && o->f != stdout) {
        fclose(o->f);
    }
    if (o->tmp != NULL) {
        unlink(o->tmp);
    }
    free(o->buf);
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof(*o));
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
an_csv_needs_quotes(const char *s, size_t len)
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
                || (esc == AN_ESC_CSV && an_csv_needs_quotes(str, len));
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
        n = an_utf8_len(s + i, len - i);
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
