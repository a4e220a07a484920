/*
 * table.h - aligned text tables, and the same as Markdown.
 *
 * A table collects rows of cells (copied), then prints them with every
 * column padded to its widest cell: numeric columns (align 'r') to the
 * right, text columns ('l') to the left.  The last column is not padded.
 * Widths count UTF-8 code points.
 */
#ifndef AN_RENDER_TABLE_H
#define AN_RENDER_TABLE_H

#include <stdio.h>

#include "base/attributes.h"

typedef struct an_table an_table;
/* A table of n_cols columns (at most 16); NULL when out of memory (the
 * other functions accept NULL and do nothing). */
an_table *an_table_new(int n_cols, const char *align);
/* Append a row of n_cols strings. */
void an_table_row(an_table *t, const char *const *cells);
/* Append a row with printf-style cells separated by '\t' in fmt output. */
void an_table_rowf(an_table *t, const char *fmt, ...) AN_PRINTF(2, 3);
void an_table_print(an_table *t, FILE *f, const char *indent);
/* The same as a GitHub-flavoured markdown table: the first row is the
 * header, numeric columns are right-aligned ("---:"), "|" in cells is
 * escaped. */
void an_table_print_markdown(an_table *t, FILE *f);
void an_table_free(an_table *t);

#endif /* AN_RENDER_TABLE_H */
