/*
 * message.h - what muppy-analyze says on stderr, and its exit statuses.
 *
 * Messages go to stderr as "muppy-analyze: <message>", lower case, no final
 * period, the problem first and the offending thing quoted; names from a
 * snapshot are escaped (safetext.h).  Real output goes to stdout.
 */
#ifndef AN_CLI_MESSAGE_H
#define AN_CLI_MESSAGE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "base/attributes.h"
#include "base/error.h"
#include "muppy_format.h"

/* Exit statuses of muppy-analyze (documented in spec/analyzer.md). */
typedef enum an_exit {
    AN_EXIT_OK = 0,        /* success */
    AN_EXIT_INPUT = 1,     /* bad, damaged or unusable input */
    AN_EXIT_USAGE = 2,     /* bad command line */
    AN_EXIT_THRESHOLD = 3  /* a --fail-above threshold was exceeded */
} an_exit;

#define AN_PROG "muppy-analyze"

/* "muppy-analyze: <prefix><message>" on stderr, after flushing stdout. */
void an_vmessage(const char *prefix, const char *fmt, va_list ap);
/* "muppy-analyze: <message>" on stderr. */
void an_error(const char *fmt, ...) AN_PRINTF(1, 2);
/* "muppy-analyze: warning: <message>" on stderr. */
void an_warn(const char *fmt, ...) AN_PRINTF(1, 2);

/*
 * an_error_file() - report a library error about file `path` and return
 * the exit status it maps to (AN_EXIT_INPUT for bad input, or for an
 * exhausted memory limit).  Produces e.g.
 *   cannot open 'x.snap': No such file or directory
 *   'x.snap': block 3 (OBJS) at offset 1234: checksum mismatch
 */
int an_error_file(const char *path, const mf_error *err);

/*
 * an_error_lib() - say what a library error (base/error.h) means for the
 * snapshot `path`, and return the exit status it maps to (AN_EXIT_INPUT):
 *   'x.snap': out of memory
 *   'x.snap': too large to analyze (2^32 edges or more)
 *   'x.snap': no type named 'NAME'            (what: NAME)
 *   'x.snap': no object at address 0x10       (what: "0x10")
 *   'x.snap': WHAT                            (AN_ERR_INPUT)
 */
int an_error_lib(const char *path, an_err e, const char *what);

/*
 * an_fail_above() - for --fail-above: when value > limit, prints
 * "<what> <value>, more than --fail-above <limit>" and returns
 * AN_EXIT_THRESHOLD; else AN_EXIT_OK.  limit UINT64_MAX: not given.
 */
int an_fail_above(const char *what, uint64_t value, uint64_t limit);

#endif /* AN_CLI_MESSAGE_H */
