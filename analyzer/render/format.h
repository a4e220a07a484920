/*
 * format.h - the output formats of the commands (--format, --json), and
 * the tables printed in the chosen one.
 */
#ifndef AN_RENDER_FORMAT_H
#define AN_RENDER_FORMAT_H

#include "render/table.h"

typedef enum an_format {
    AN_FORMAT_TEXT = 0,     /* tables for people (the default) */
    AN_FORMAT_JSON,         /* spec/json.md */
    AN_FORMAT_MARKDOWN,     /* GitHub-flavoured tables, for bug reports */
    AN_FORMAT_DOT,          /* Graphviz */
    AN_FORMAT_HEAPSNAPSHOT, /* export: V8 heap snapshot (DevTools, memlab) */
    AN_FORMAT_CSV           /* export: tables for data tools */
} an_format;
#define AN_FORMAT_BIT(f) (1u << (f))

/*
 * an_choose_format() - the output format of a command from its --format
 * NAME (NULL when not given: text) and --json flag; `allowed` is a mask
 * of AN_FORMAT_BIT()s (text and json are always allowed).  Returns NULL,
 * or the message of a usage error ("bad value 'x' for option '--format'").
 */
const char *an_choose_format(const char *name, int json, unsigned allowed,
                             an_format *out);

/* Print a table on stdout as text (with `indent`) or, for
 * AN_FORMAT_MARKDOWN, as a markdown table. */
void an_table_emit(an_table *t, an_format fmt, const char *indent);

#endif /* AN_RENDER_FORMAT_H */
