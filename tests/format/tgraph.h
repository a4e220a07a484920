/*
 * tgraph.h - random heap-like graphs for the format tests: generate,
 * write through mf_writer, and compare with what mf_reader_load returns.
 */
#ifndef TGRAPH_H
#define TGRAPH_H

#include <stdint.h>

#include "muppy_format.h"

typedef struct tgraph {
    uint32_t n;             /* objects */
    mf_object *objs;
    uint64_t *estart;       /* n + 1 */
    mf_edge *edges;
    uint64_t ne;
    uint32_t n_types, n_strings;
    char **strings;         /* distinct, NUL-terminated */
    size_t *string_len;
    mf_type *types;
    uint32_t n_roots;
    mf_root *roots;
    uint32_t frontier;      /* hint given to the writer */
} tgraph;

/* A random graph of n objects with at most max_edges edges per object
   (plus, now and then, one object with many more). */
void tg_random(tgraph *g, uint32_t n, uint32_t max_edges, uint64_t seed);
void tg_free(tgraph *g);

/* Write g to path (strings, types, objects, roots, 3 meta entries). */
int tg_write(const tgraph *g, const char *path, const mf_write_options *o,
             mf_write_stats *stats, mf_error *err);

/*
 * Compare a loaded graph with the first `n` objects of g (edges to
 * objects >= n dropped).  Returns 0 when equal, else a line number of the
 * check that failed (for messages).
 */
int tg_compare(const tgraph *g, const mf_graph *lg, uint32_t n,
               unsigned columns);
/* Compare strings, types, meta, and roots (those < n). */
int tg_compare_tables(const tgraph *g, const mf_reader *r, uint32_t n);

uint64_t tg_rand(uint64_t *state);

#endif /* TGRAPH_H */
