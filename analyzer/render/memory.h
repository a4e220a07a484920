/*
 * memory.h - the memory breakdown (lib/memory.h) as a table, as the
 * JSON value of `info`'s "memory" (spec/json.md), and as the report's
 * stacked bar (spec/exports.md).
 */
#ifndef AN_RENDER_MEMORY_H
#define AN_RENDER_MEMORY_H

#include <stdio.h>

#include "lib/memory.h"
#include "render/json.h"
#include "render/outfile.h"

/* One line "RSS 2.00 MiB (2,097,152 bytes) at the dump", or "not
 * recorded (...)" with the reason, into buf. */
const char *an_memory_headline(const an_memory *mem, unsigned major,
                               unsigned minor, char *buf, size_t cap);

/* The parts, one per line, then "= RSS", indented by `indent`; nothing
 * when not recorded. */
void an_memory_print_text(const an_memory *mem, FILE *f, const char *indent);

/* The "memory" value: an object, or null when not recorded. */
void an_memory_json(an_json *j, const an_memory *mem);

/* The report's section: one stacked bar with its legend, or a note
 * saying the snapshot does not record its memory. */
void an_memory_write_html(an_outfile *o, const an_memory *mem);

#endif /* AN_RENDER_MEMORY_H */
