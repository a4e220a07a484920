/*
 * table.c - aligned text and Markdown tables.
 */
#define _POSIX_C_SOURCE 200809L     /* strdup */
#include "render/table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct an_table {
    int n_cols;
    char align[16];
    size_t n_rows, cap_rows;
    char **cells;           /* n_rows * n_cols, owned */
};

an_table *
an_table_new(int n_cols, const char *align)
{
    an_table *t = calloc(1, sizeof(*t));

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

    if (t == NULL) {
        return;
    }
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
table_width(const char *s)
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
            size_t w = s ? table_width(s) : 0;

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
            w = table_width(s);
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
table_markdown_cell(FILE *f, const char *s)
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
            table_markdown_cell(f, t->cells[r * t->n_cols + c]);
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
