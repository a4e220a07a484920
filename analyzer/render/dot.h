/*
 * dot.h - Graphviz output (--format dot) of paths, referrers and
 * dominators: one `digraph` that `dot -Tsvg` renders, in the manner of
 * objgraph's back-reference chains.  An object is a box with its type,
 * address and size (and a line of the caller's); roots are filled
 * orange, the objects asked about blue; edges carry the reference's
 * label, weak references dashed.
 *
 * Node names are made by the caller ("o12", "g3_2"); every string that
 * comes from a snapshot is escaped (outfile.h, AN_ESC_DOT).
 */
#ifndef AN_RENDER_DOT_H
#define AN_RENDER_DOT_H

#include <stdint.h>

#include "lib/snap.h"
#include "render/outfile.h"

/* Node styles */
#define AN_DOT_PLAIN 0u
#define AN_DOT_ROOT 1u      /* a root: filled orange */
#define AN_DOT_TARGET 2u    /* what was asked about: filled blue */
#define AN_DOT_NOTE 4u      /* a note ("... and 12 more"): no box */

/* Edge styles */
#define AN_DOT_WEAK 1u      /* dashed */
#define AN_DOT_LOOP 2u      /* a repeated step: bold, gray */

/* "digraph NAME {" with the graph, node and edge defaults; `title`
 * (may be NULL) is shown at the top. */
void an_dot_begin(an_outfile *o, const char *title);
/* "}" */
void an_dot_end(an_outfile *o);

/* "subgraph cluster_NAME {" with a label; an_dot_end_cluster() closes. */
void an_dot_begin_cluster(an_outfile *o, const char *name,
                          const char *label);
void an_dot_end_cluster(an_outfile *o);

/*
 * an_dot_object() - a node named `id` for object obj: its type,
 * "@ADDRESS" and its size (when the size column is loaded), then `extra`
 * (may be NULL or "": a root's name, a retained size, a count).
 */
void an_dot_object(an_outfile *o, const an_snap *s, const char *id,
                   uint32_t obj, const char *extra, unsigned style);

/* A node with free text (lines split by '\n'). */
void an_dot_node(an_outfile *o, const char *id, const char *text,
                 unsigned style);

/* An edge from -> to with a label (may be NULL). */
void an_dot_edge(an_outfile *o, const char *from, const char *to,
                 const char *label, unsigned style);

#endif /* AN_RENDER_DOT_H */
