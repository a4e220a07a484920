/*
 * path.h - how the commands show objects, groups and paths, as text and
 * as JSON (spec/json.md): the pieces every view of a model shares.
 */
#ifndef AN_RENDER_PATH_H
#define AN_RENDER_PATH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/sbuf.h"
#include "lib/maps.h"
#include "lib/roots.h"
#include "lib/shapes.h"
#include "lib/snap.h"
#include "render/json.h"

/* "0x7f3a2c1b9e80" of object obj into buf (>= 24 bytes). */
const char *an_address_text(const an_snap *s, uint32_t obj, char *buf,
                            size_t cap);

/* The JSON members "address", "type", "module" of object obj, and
 * "external": true when it is an external node. */
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
 * unless the groups are modules; "external": true for the module of
 * external nodes (AN_EXTERNAL_MODULE) and its types. */
void an_json_group(an_json *j, const char *module, const char *qualname,
                   int by_module);

/* " [root: KIND LABEL]" when obj is a dumper root, else "". */
void an_root_note(const an_snap *s, const an_roots *roots, uint32_t obj,
                  char *buf, size_t cap);

/* an_print_path() - the path's text (an_path_text()) on a line of its
 * own, after two spaces. */
void an_print_path(FILE *f, const an_snap *s, const an_roots *roots,
                   const an_pathbuf *pb);

/*
 * an_json_path_steps() - the array of steps of spec/json.md ("paths"):
 * the caller writes its key.  One entry per step, "label", "type",
 * "module", "address" (of its object), "root" on the first of a path
 * from a root; a repeat is one entry with the label of what repeats, the
 * type and address of its last object, "repeat" (times on this path)
 * when more than one, "repeated": true when the path was grouped, and
 * for a cycle of several steps "cycle", its steps (as here, nested).
 */
void an_json_path_steps(an_json *j, const an_snap *s, const an_roots *roots,
                        const an_pathbuf *pb);

#endif /* AN_RENDER_PATH_H */
