/*
 * scrub.h - a copy of a snapshot without what the program's own strings
 * say, safe to attach to a public bug report.
 *
 * The copy keeps every object (address, type, size, flags, length), every
 * edge and root, and the types (module and qualname), so that counts,
 * sizes, diffs, paths, dominators and leaks come out the same; what each
 * part of `drop` removes is in spec/format.md ("Scrubbing").
 */
#ifndef AN_SCRUB_H
#define AN_SCRUB_H

#include <stdint.h>

#include "muppy_format.h"

/* What to drop (an_scrub's `drop`). */
#define AN_SCRUB_LABELS   0x01u /* dict keys, attribute names, names of
                                   locals: placeholders k1, a1, v1 ... */
#define AN_SCRUB_NAMES    0x02u /* names of modules, classes, functions,
                                   code objects (HAS_NAME) */
#define AN_SCRUB_STRINGS  0x04u /* str contents (HAS_VALUE) */
#define AN_SCRUB_METADATA 0x08u /* host-specific metadata: boot_id hashed */
#define AN_SCRUB_ALL      0x0fu

/*
 * an_scrub_parse() - "labels,names,strings,metadata" (any subset, or
 * "all") into *drop.  Returns 0, or -1 for an unknown word.
 */
int an_scrub_parse(const char *list, unsigned *drop);

/* What a scrub replaced. */
typedef struct an_scrub_stats {
    uint32_t keys, attrs, locals, funcs;    /* distinct placeholders */
    uint64_t names, strings;                /* names, str values dropped */
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

#endif /* AN_SCRUB_H */
