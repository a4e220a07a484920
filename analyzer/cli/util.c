/*
 * util.c - messages, size formatting, tables and progress for
 * muppy-analyze.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/safetext.h"

void
an_vmessage(const char *prefix, const char *fmt, va_list ap)
{
    char raw[1024], safe[4096];
    int n;

    fflush(stdout); /* keep real output before the message */
    /* messages quote names from the file: escaped like stdout */
    n = vsnprintf(raw, sizeof(raw), fmt, ap);
    an_safe_text(raw, n < 0 ? 0 : (size_t)n < sizeof(raw) ? (size_t)n
                                                         : sizeof(raw) - 1,
                 safe, sizeof(safe));
    fprintf(stderr, AN_PROG ": %s%s\n", prefix, safe);
}

void
an_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    an_vmessage("", fmt, ap);
    va_end(ap);
}

void
an_warn(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    an_vmessage("warning: ", fmt, ap);
    va_end(ap);
}

int
an_error_file(const char *path, const mf_error *err)
{
    if (err->code == MF_E_IO && err->sys_errno != 0) {
        an_error("cannot open '%s': %s", path, strerror(err->sys_errno));
    }
    else if (err->code == MF_E_NOMEM) {
        an_error("'%s': out of memory", path);
    }
    else if (err->message[0] != '\0') {
        if (err->code == MF_E_TRUNCATED) {
            an_error("'%s': %s (--partial analyzes what it holds)", path,
                     err->message);
        }
        else if (err->code == MF_E_LIMIT
                 && strstr(err->message, "bytes") != NULL) {
            /* the memory budget or the expansion bound: the one knob */
            an_error("'%s': %s (--max-memory SIZE sets the limit)", path,
                     err->message);
        }
        else {
            an_error("'%s': %s", path, err->message);
        }
    }
    else {
        an_error("'%s': %s error", path, mf_code_name(err->code));
    }
    return AN_EXIT_INPUT;
}

void *
an_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL) {
        an_error("out of memory (%zu bytes)", n);
    }
    return p;
}

void *
an_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);

    if (p == NULL) {
        an_error("out of memory (%zu x %zu bytes)", count, size);
    }
    return p;
}

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

/* ---- tables --------------------------------------------------------- */

struct an_table {
    int n_cols;
    char align[16];
    size_t n_rows, cap_rows;
    char **cells;           /* n_rows * n_cols, owned */
};

an_table *
an_table_new(int n_cols, const char *align)
{
    an_table *t = an_calloc(1, sizeof(*t));

    if (t == NULL) {
        return NULL;
    }
    if (n_cols > 16) {
        n_cols = 16;
    }
    t->n_cols = n_cols;
    for (int i = 0; i < n_cols; i++) {
        t->align[i] = (align && align[i] == 'r') ? 'r' : 'l';
    }
    return t;
}

void
an_table_row(an_table *t, const char *const *cells)
{
    if (t == NULL) {
        return;
    }
    if (t->n_rows == t->cap_rows) {
        size_t cap = t->cap_rows ? t->cap_rows * 2 : 32;
        char **c = realloc(t->cells, cap * t->n_cols * sizeof(*c));

        if (c == NULL) {
            return;             /* drop the row rather than crash */
        }
        t->cells = c;
        t->cap_rows = cap;
    }
    for (int i = 0; i < t->n_cols; i++) {
        const char *s = cells[i] ? cells[i] : "";

        t->cells[t->n_rows * t->n_cols + i] = strdup(s);
    }
    t->n_rows++;
}

void
an_table_rowf(an_table *t, const char *fmt, ...)
{
    char buf[4096];
    const char *cells[16];
    char *p = buf;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    for (int i = 0; i < t->n_cols; i++) {
        cells[i] = p;
        if (p != NULL) {
            char *tab = strchr(p, '\t');

            if (tab != NULL) {
                *tab = '\0';
                p = tab + 1;
            }
            else {
                p = NULL;
            }
        }
        else {
            cells[i] = "";
        }
    }
    an_table_row(t, cells);
}

/* Display width of a UTF-8 string: its number of code points. */
static size_t
an_width(const char *s)
{
    size_t w = 0;

    for (; *s; s++) {
        if (((unsigned char)*s & 0xc0) != 0x80) {
            w++;
        }
    }
    return w;
}

void
an_table_print(an_table *t, FILE *f, const char *indent)
{
    size_t width[16] = {0};

    if (t == NULL) {
        return;
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        for (int c = 0; c < t->n_cols; c++) {
            const char *s = t->cells[r * t->n_cols + c];
            size_t w = s ? an_width(s) : 0;

            if (w > width[c]) {
                width[c] = w;
            }
        }
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        if (indent) {
            fputs(indent, f);
        }
        for (int c = 0; c < t->n_cols; c++) {
            const char *s = t->cells[r * t->n_cols + c];
            size_t w;

            if (s == NULL) {
                s = "";
            }
            w = an_width(s);
            if (c > 0) {
                fputs("  ", f);
            }
            if (t->align[c] == 'r') {
                fprintf(f, "%*s%s", (int)(width[c] - w), "", s);
            }
            else if (c + 1 < t->n_cols) {
                fprintf(f, "%s%*s", s, (int)(width[c] - w), "");
            }
            else {
                fputs(s, f);
            }
        }
        fputc('\n', f);
    }
}

/* A cell with "|" escaped for a markdown table. */
static void
an_markdown_cell(FILE *f, const char *s)
{
    for (; s != NULL && *s; s++) {
        if (*s == '|') {
            fputc('\\', f);
        }
        fputc(*s == '\n' ? ' ' : *s, f);
    }
}

void
an_table_print_markdown(an_table *t, FILE *f)
{
    if (t == NULL || t->n_rows == 0) {
        return;
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        fputc('|', f);
        for (int c = 0; c < t->n_cols; c++) {
            fputc(' ', f);
            an_markdown_cell(f, t->cells[r * t->n_cols + c]);
            fputs(" |", f);
        }
        fputc('\n', f);
        if (r == 0) {
            fputc('|', f);
            for (int c = 0; c < t->n_cols; c++) {
                fputs(t->align[c] == 'r' ? " ---: |" : " --- |", f);
            }
            fputc('\n', f);
        }
    }
}

void
an_table_free(an_table *t)
{
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < t->n_rows * t->n_cols; i++) {
        free(t->cells[i]);
    }
    free(t->cells);
    free(t);
}

/* ---- growable strings ------------------------------------------------ */

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

/* ---- progress ------------------------------------------------------- */

double
an_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void
an_progress_init(an_progress *p, const char *what)
{
    p->what = what;
    p->start = an_now();
    p->enabled = isatty(STDERR_FILENO);
    p->shown = 0;
    p->last_pct = -1;
}

void
an_progress_cb(void *ctx, uint64_t done, uint64_t total)
{
    an_progress *p = ctx;
    int pct;

    if (p == NULL || !p->enabled) {
        return;
    }
    if (!p->shown && an_now() - p->start < 1.0) {
        return;
    }
    pct = total ? (int)(done * 100 / total) : 0;
    if (pct > 100) {
        pct = 100;
    }
    if (pct == p->last_pct) {
        return;
    }
    p->last_pct = pct;
    p->shown = 1;
    fprintf(stderr, "\rloading '%s': %3d%%", p->what, pct);
    fflush(stderr);
}

void
an_progress_done(an_progress *p)
{
    if (p != NULL && p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->shown = 0;
    }
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
