/*
 * options.h - the shared command-line parser of muppy-analyze.
 *
 * A command declares its options as a table ending with AN_OPT_END and its
 * help text as an an_usage; an_parse_options() then handles "--name value",
 * "--name=value", "-x value", "--" and flags, gives -h/--help for free
 * (help on stdout, exit 0) and prints the usage on stderr for unknown
 * options or bad values (exit 2).  Positional arguments are moved to the
 * front of argv.
 */
#ifndef AN_CLI_OPTIONS_H
#define AN_CLI_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

#include "base/attributes.h"
#include "render/format.h"

typedef enum an_opt_type {
    AN_OPT_END = 0,
    AN_OPT_FLAG,        /* int *: set to 1 */
    AN_OPT_UINT,        /* uint64_t *: decimal */
    AN_OPT_SIZE,        /* uint64_t *: bytes, suffixes K, M, G */
    AN_OPT_STRING       /* const char **: the argument itself */
} an_opt_type;

typedef struct an_option {
    an_opt_type type;
    char short_name;        /* 0 for none */
    const char *long_name;  /* without the leading "--" */
    void *value;
    const char *argname;    /* shown in the help, e.g. "N" */
    const char *help;
} an_option;

#define AN_OPT_END_ROW {AN_OPT_END, 0, NULL, NULL, NULL, NULL}

typedef struct an_usage {
    const char *name;         /* command name, e.g. "summary" */
    const char *synopsis;     /* "SNAP [options]"; lines split by '\n' */
    const char *summary;      /* one line */
    const char *description;  /* paragraphs; may be NULL */
    const char *example;      /* may be NULL */
} an_usage;

/*
 * an_parse_options() - parse argv[1..argc-1] of a command.
 * Returns 1 to go on, with the positional arguments in argv[0..*n_pos-1]
 * (argv[0], the command name, is overwritten).  Returns 0 when the
 * command must stop at once with exit status *status (0 after --help,
 * AN_EXIT_USAGE after a message and the usage on stderr).
 */
int an_parse_options(int argc, char **argv, const an_usage *u,
                     const an_option *opts, int *n_pos, int *status);

/* Print the full help (stdout) or the short usage (stderr). */
void an_print_help(FILE *f, const an_usage *u, const an_option *opts);
void an_print_usage(FILE *f, const an_usage *u, const an_option *opts);

/*
 * an_usage_error() - print "muppy-analyze: <fmt>" then the usage on
 * stderr; returns AN_EXIT_USAGE.
 */
int an_usage_error(const an_usage *u, const an_option *opts,
                   const char *fmt, ...) AN_PRINTF(3, 4);

/*
 * an_format_option() - the output format that --format NAME (may be
 * NULL) and --json ask for, among text, JSON and `allowed`
 * (an_choose_format()): 0 with *format set, or the usage error's status.
 */
int an_format_option(const an_usage *u, const an_option *opts,
                     const char *name, int json, unsigned allowed,
                     an_format *format);

/* an_address_arg() - the ADDRESS operand `arg` ("0x7f..." or decimal): 0
 * with *address set, or the usage error's status ("bad address"). */
int an_address_arg(const an_usage *u, const an_option *opts,
                   const char *arg, uint64_t *address);

#endif /* AN_CLI_OPTIONS_H */
