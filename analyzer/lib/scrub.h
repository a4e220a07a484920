/*
 * scrub.h - a copy of a snapshot without what the program's own strings
 * say, safe to attach to a public bug report.
 *
 * The copy keeps every object (type, size, flags, length), every edge and
 * root, and the types, so that counts, sizes, diffs, paths, dominators
 * and leaks come out the same; what each part of `drop` replaces is in
 * spec/format.md ("Scrubbing").  Replacements are consistent: the same
 * text, int key or address always gets the same replacement within a
 * file, and addresses and the process identity also across the
 * snapshots of one process (their key derives from its boot id, pid and
 * start time, which the copy no longer holds), so that diff --objects
 * and leaks still match scrubbed snapshots.
 */
#ifndef AN_LIB_SCRUB_H
#define AN_LIB_SCRUB_H

#include <stddef.h>
#include <stdint.h>

#include "muppy_format.h"

/* What to drop (an_scrub's `drop`). */
#define AN_SCRUB_LABELS    0x01u /* dict keys, attribute names, names of
                                    locals: placeholders k1, a1, v1 ...;
                                    int dict keys: their rank */
#define AN_SCRUB_NAMES     0x02u /* names of modules, classes, functions,
                                    code objects (HAS_NAME), and the module
                                    and class names of heap types and
                                    module roots: placeholders m1, C1 */
#define AN_SCRUB_STRINGS   0x04u /* str contents (HAS_VALUE) */
#define AN_SCRUB_METADATA  0x08u /* the process's identity (pid, start
                                    time, boot id): one keyed hash */
#define AN_SCRUB_ADDRESSES 0x10u /* object, type and thread addresses:
                                    a keyed permutation */
#define AN_SCRUB_ALL       0x1fu

/*
 * an_scrub_parse() - "labels,names,strings,metadata,addresses" (any
 * subset, or "all") into *drop.  Returns 0, or -1 for an unknown word.
 */
int an_scrub_parse(const char *list, unsigned *drop);

/* The words of the bits set in drop, comma-separated, into buf. */
const char *an_scrub_words(unsigned drop, char *buf, size_t cap);

/* What a scrub replaced. */
typedef struct an_scrub_stats {
    uint32_t keys, attrs, locals, funcs;    /* distinct placeholders */
    uint32_t modules, classes;              /* names placeholders */
    uint64_t int_keys;                      /* distinct int keys ranked */
    uint64_t names, strings;                /* names, str values dropped */
    uint64_t addresses;                     /* addresses renumbered */
    uint64_t objects;
    uint64_t file_bytes;
} an_scrub_stats;

/*
 * an_scrub() - write the scrubbed copy of the snapshot `in` (its columns
 * all loaded into `g`) to `out_path`, atomically (nothing appears under
 * out_path on failure); `stats` may be NULL.  Returns MF_OK or an error
 * code with *err filled.
 */
int an_scrub(const mf_reader *in, const mf_graph *g, unsigned drop,
             const char *out_path, an_scrub_stats *stats, mf_error *err);

#endif /* AN_LIB_SCRUB_H */
