/*
 * output.h - what the cmd_*.c files share to talk to the user: opening
 * snapshots with a progress display and error messages, and printing
 * objects and paths as text or JSON.
 *
 * This is the printing layer (with util.h, json.h, options.h); the
 * modules it prints for (snap.h, paths.h, dominators.h, ...) never print.
 */
#ifndef AN_OUTPUT_H
#define AN_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "base/sbuf.h"
#include "lib/maps.h"
#include "lib/roots.h"
#include "lib/shapes.h"
#include "lib/snap.h"
#include "render/json.h"
#include "render/table.h"
#include "cli/message.h"

/* Output formats of --format (and --json). */
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

/* Print a table as text (with `indent`) or, for AN_FORMAT_MARKDOWN, as a
 * markdown table. */
void an_table_emit(an_table *t, an_format fmt, const char *indent);

/*
 * an_open() - open a snapshot (MF_READ_PARTIAL when `partial`) with a
 * progress display on a terminal.  Prints the error and returns the exit
 * status on failure (the snapshot is then closed), 0 on success.
 */
int an_open(an_snap *s, const char *path, int partial);
/*
 * an_load() - load columns, warn once on stderr when the file is
 * partial.  Prints the error and returns the exit status on failure
 * (the snapshot stays open: close it), 0 on success.
 */
int an_load(an_snap *s, unsigned columns);

/* "0x7f3a2c1b9e80" of object obj into buf (>= 24 bytes). */
const char *an_address_text(const an_snap *s, uint32_t obj, char *buf,
                            size_t cap);

/* The JSON members "address", "type", "module" of object obj. */
void an_json_objref(an_json *j, const an_snap *s, uint32_t obj);

/*
 * an_group_name() - how a group of `names` (module, qualname) prints:
 * the module for groups of modules ("(no module)" when empty), else the
 * qualname, or module.qualname when `ambiguous` (an_strmap_ambiguous(),
 * may be NULL) says another group has the same qualname.  buf: for the
 * composed name.
 */
const char *an_group_name(const an_strmap *names,
                          const unsigned char *ambiguous, int by_module,
                          uint32_t id, char *buf, size_t cap);

/* The JSON members naming a group: "module", and "type" (the qualname)
 * unless the groups are modules. */
void an_json_group(an_json *j, const char *module, const char *qualname,
                   int by_module);

/*
 * an_object_at() - the index of the object at `address`, or MF_NONE
 * after printing "'x.snap': no object at address 0x..." (exit 1).
 */
uint32_t an_object_at(const an_snap *s, uint64_t address);

/*
 * an_fail_above() - for --fail-above: when value > limit, prints
 * "<what> <value>, more than --fail-above <limit>" and returns
 * AN_EXIT_THRESHOLD; else AN_EXIT_OK.  limit UINT64_MAX: not given.
 */
int an_fail_above(const char *what, uint64_t value, uint64_t limit);

/* " [root: KIND LABEL]" when obj is a dumper root, else "". */
void an_root_note(const an_snap *s, const an_roots *roots, uint32_t obj,
                  char *buf, size_t cap);

/*
 * an_format_path() - the root, the labels of the steps, "-> TYPE
 * @ADDRESS" of the last object, appended to out.  A run of identical
 * steps prints once, with "+" when the shape repeats it and "(N times)"
 * when the path does; past 201 runs the middle is elided ("... (N more
 * steps) ...").  an_print_path() prints it on a line of its own, after
 * two spaces.
 */
void an_format_path(an_sbuf *out, const an_snap *s, const an_roots *roots,
                    const an_bfs_result *bfs, const an_pathbuf *pb);
void an_print_path(FILE *f, const an_snap *s, const an_roots *roots,
                   const an_bfs_result *bfs, const an_pathbuf *pb);

/*
 * an_json_path_steps() - the array of steps of spec/json.md ("paths"):
 * the caller writes its key.
 * per run, "label", "type", "module", "address" (of its last object),
 * "root" on the first, "repeat" (steps in the run) when more than one,
 * "repeated": true when the group's shape repeats the step.
 */
void an_json_path_steps(an_json *j, const an_snap *s, const an_roots *roots,
                        const an_bfs_result *bfs, const an_pathbuf *pb);

#endif /* AN_OUTPUT_H */
