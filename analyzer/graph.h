/*
 * graph.h - the heap graph as muppy-analyze sees it.
 *
 * an_graph is a read-only view of object and edge columns (CSR out-edges)
 * plus, built on demand, the reverse edges (CSR in-edges).  Tests build
 * one over their own arrays; commands get one from an_snap_load(), which
 * reads a snapshot through the format library, loading only the columns a
 * command asks for.
 *
 * an_snap also resolves type names: types are identified across snapshots
 * by (module, qualname) - a "type key".  Several type ids with the same
 * module and qualname share one key.  A key's display name is its
 * qualname, or module.qualname when another key of the snapshot has the
 * same qualname.  One extra key, numbered n_keys, stands for objects whose
 * type id is out of range (never produced by a correct writer).
 */
#ifndef AN_GRAPH_H
#define AN_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "muppy_format.h"
#include "util.h"

typedef struct an_graph {
    uint32_t n;                 /* objects */
    uint64_t n_edges;
    const uint64_t *edge_start; /* n + 1 entries, or NULL without edges */
    const uint32_t *edge_target;
    const uint8_t *edge_kind;   /* NULL: every edge is strong, unlabeled */
    const uint64_t *edge_label; /* NULL: labels not loaded */
    const uint32_t *type;       /* may be NULL */
    /* reverse CSR, owned, built by an_graph_reverse() */
    uint32_t *rev_start;        /* n + 1 entries (32-bit: the reverse
                                   index needs n_edges < 2^32) */
    uint32_t *rev_source;       /* n_edges entries: the source objects of
                                   the edges into each object, ascending */
} an_graph;

/*
 * an_graph_reverse() - build rev_start/rev_source (once; later calls do
 * nothing).  Edges whose target is out of range are ignored.  O(n + e)
 * time, 4n + 4e bytes.  Returns 0, or -1 when out of memory or when the
 * graph has 2^32 edges or more.
 */
int an_graph_reverse(an_graph *g);
/* Free what an_graph_reverse() allocated. */
void an_graph_free_reverse(an_graph *g);

/* ---- snapshots ------------------------------------------------------ */

typedef struct an_key {
    const char *module;     /* "" when the type has no __module__ */
    const char *qualname;
    const char *display;    /* qualname or module.qualname */
    uint32_t module_group;  /* index into an_snap.modules */
} an_key;

typedef struct an_snap {
    const char *path;
    mf_reader *reader;
    const mf_file_info *info;
    unsigned columns;           /* what was loaded */
    mf_graph cols;
    an_graph g;                 /* view over cols */
    uint32_t n_types;
    const mf_type *types;
    uint32_t *type_key;         /* n_types entries */
    uint32_t n_keys;            /* plus one "unknown" key at n_keys */
    an_key *keys;
    uint32_t n_modules;
    const char **modules;       /* distinct module names */
    char *arena;                /* owns the key strings */
    an_progress progress;       /* the reader calls it: an_snap must
                                   not move after an_snap_open() */
} an_snap;

/*
 * an_snap_open() - open `path` (MF_READ_PARTIAL when `partial`) and
 * resolve the type keys.  On failure prints the error and returns the
 * exit status (AN_EXIT_INPUT); returns 0 on success.
 */
int an_snap_open(an_snap *s, const char *path, int partial);
/*
 * an_snap_load() - load `columns` (MF_COL_*) with a progress reporter.
 * Prints the error and returns AN_EXIT_INPUT on failure, else 0.
 */
int an_snap_load(an_snap *s, unsigned columns);
/* Warn on stderr when the snapshot is partial (commands call it once). */
void an_snap_warn_partial(const an_snap *s);
void an_snap_close(an_snap *s);

/* Type key of object i (n_keys for an out-of-range type id). */
static inline uint32_t
an_snap_key_of(const an_snap *s, uint32_t i)
{
    uint32_t t = s->cols.type[i];

    return t < s->n_types ? s->type_key[t] : s->n_keys;
}

/* Readable label of edge e of the loaded graph into buf. */
size_t an_snap_edge_label(const an_snap *s, uint64_t e, char *buf,
                          size_t cap);

/* Index of the object at `address`, or MF_NONE (linear scan). */
uint32_t an_snap_find_address(const an_snap *s, uint64_t address);

/*
 * an_snap_match_type() - the keys matching NAME (a qualname, or
 * module.qualname): sets match[k] = 1 for each key that matches and
 * returns how many did.  `match` has n_keys + 1 entries.
 */
uint32_t an_snap_match_type(const an_snap *s, const char *name,
                            unsigned char *match);

/* Root kind names as printed at the start of a path. */
const char *an_root_kind_name(uint32_t kind);

#endif /* AN_GRAPH_H */
