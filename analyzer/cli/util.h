/*
 * util.h - shared helpers of muppy-analyze: messages and exit codes, size
 * formatting, aligned text tables, the loading progress reporter.
 *
 * Messages go to stderr as "muppy-analyze: <message>", lower case, no final
 * period, the problem first and the offending thing quoted.  Real output
 * goes to stdout.
 */
#ifndef AN_UTIL_H
#define AN_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>

#include "muppy_format.h"

/* Exit statuses of muppy-analyze (documented in spec/analyzer.md). */
typedef enum an_exit {
    AN_EXIT_OK = 0,        /* success */
    AN_EXIT_INPUT = 1,     /* bad, damaged or unusable input */
    AN_EXIT_USAGE = 2,     /* bad command line */
    AN_EXIT_THRESHOLD = 3  /* a --fail-above threshold was exceeded */
} an_exit;

#define AN_PROG "muppy-analyze"

#if defined(__GNUC__)
#define AN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define AN_PRINTF(f, a)
#endif

/* Print "muppy-analyze: <fmt>" and a newline on stderr. */
/* "muppy-analyze: <prefix><message>" on stderr, after flushing stdout */
void an_vmessage(const char *prefix, const char *fmt, va_list ap);
void an_error(const char *fmt, ...) AN_PRINTF(1, 2);
/* Print "muppy-analyze: warning: <fmt>" on stderr. */
void an_warn(const char *fmt, ...) AN_PRINTF(1, 2);

/*
 * an_error_file() - report a library error about file `path` and return
 * the exit status it maps to (AN_EXIT_INPUT for bad input, or for an
 * exhausted memory limit).  Produces e.g.
 *   cannot open 'x.snap': No such file or directory
 *   'x.snap': block 3 (OBJS) at offset 1234: checksum mismatch
 */
int an_error_file(const char *path, const mf_error *err);

/* Allocation helpers: on failure they print "out of memory" and return
 * NULL; callers turn that into AN_EXIT_INPUT. */
void *an_malloc(size_t n);
void *an_calloc(size_t count, size_t size);

/* "512 B", "1.5 KiB", "12.0 MiB", "3.25 GiB" into buf (>= 32 bytes). */
const char *an_format_size(uint64_t bytes, char *buf, size_t cap);
/* "1,234,567" into buf (>= 32 bytes). */
const char *an_format_count(uint64_t n, char *buf, size_t cap);
/* Signed count with sign and thousands separators: "+2,000", "-3". */
const char *an_format_count_delta(int64_t n, char *buf, size_t cap);

/* Signed variant: "+1.5 MiB", "-12 B", "0 B". */
const char *an_format_delta(int64_t bytes, char *buf, size_t cap);

/*
 * an_parse_size() - "1000", "64K", "1.5M", "2G" (binary multiples, an
 * optional trailing "B" or "iB") into *out.  Returns 0 or -1.
 */
int an_parse_size(const char *s, uint64_t *out);
/* Decimal unsigned integer; returns 0 or -1. */
int an_parse_u64(const char *s, uint64_t *out);
/* Address "0x7f..." (or decimal); returns 0 or -1. */
int an_parse_address(const char *s, uint64_t *out);

/* ---- aligned tables ------------------------------------------------- */

/*
 * A table collects rows of cells (copied), then prints them with every
 * column padded to its widest cell: numeric columns (align 'r') to the
 * right, text columns ('l') to the left.  The last column is not padded.
 */
typedef struct an_table an_table;
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

/* ---- growable strings ------------------------------------------------ */

/*
 * A string that grows as it is appended to; after an allocation failure
 * it stops growing and `failed` is set (the text so far stays valid).
 * Start from a zeroed an_sbuf; free with an_sbuf_free().
 */
typedef struct an_sbuf {
    char *s;        /* NUL-terminated once anything was appended */
    size_t len, cap;
    int failed;
} an_sbuf;
void an_sbuf_printf(an_sbuf *b, const char *fmt, ...) AN_PRINTF(2, 3);
/* The text ("" when empty). */
const char *an_sbuf_str(const an_sbuf *b);
void an_sbuf_free(an_sbuf *b);

/* ---- progress ------------------------------------------------------- */

/*
 * A progress reporter for mf_read_options.progress: shows "loading
 * 'x.snap': 42%" on stderr, only when stderr is a terminal and only once
 * loading has taken more than a second.  an_progress_done() erases it.
 */
typedef struct an_progress {
    const char *what;
    double start;
    int enabled, shown;
    int last_pct;
} an_progress;
void an_progress_init(an_progress *p, const char *what);
void an_progress_cb(void *ctx, uint64_t done, uint64_t total);
void an_progress_done(an_progress *p);

/* Monotonic seconds. */
double an_now(void);

#endif /* AN_UTIL_H */
