/*
 * theap.h - small heaps for the analyzer's unit tests: a model the test
 * can reason about (objects with addresses, named types, sizes, labeled
 * edges, roots, the process identity), written as a real snapshot by the
 * format library and opened as an an_snap.
 *
 * Random heaps come in series that look like snapshots of one process:
 * th_evolve() keeps most objects at their addresses, frees some, adds
 * new ones (at addresses no earlier object had, or reusing a freed one
 * with another type), like an allocator would.
 */
#ifndef THEAP_H
#define THEAP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/snap.h"
#include "muppy_format.h"

#define TH_MAX_TYPES 16

typedef struct th_edge {
    uint32_t target;
    uint8_t kind;
    uint64_t label;         /* string labels: an index into th_labels[] */
} th_edge;

typedef struct th_object {
    uint64_t address;
    uint32_t type;          /* index into the heap's types */
    uint64_t size;
    uint32_t n_edges;
    th_edge *edges;
    const char *name;       /* NULL, or written with MF_OBJ_HAS_NAME */
    const char *value;      /* NULL, or written with MF_OBJ_HAS_VALUE */
} th_object;

typedef struct th_type {
    const char *module, *qualname;
    uint32_t flags;         /* MF_TYPE_*: 0 by default */
} th_type;

#define TH_MAX_META 24

/* An integer metadata key the heap is written with (the memory keys). */
typedef struct th_meta {
    const char *key;
    int64_t value;
} th_meta;

typedef struct theap {
    th_object *objs;
    uint32_t n, cap;
    th_type types[TH_MAX_TYPES];
    uint32_t n_types;
    uint32_t type_order[TH_MAX_TYPES];  /* the order the file lists them */
    mf_root *roots;
    uint32_t n_roots;
    int64_t pid;
    uint64_t next_address;  /* the next fresh address */
    th_meta meta[TH_MAX_META];  /* written besides pid, start time, boot */
    uint32_t n_meta;
} theap;

/* The labels string-labeled edges use (index = label). */
extern const char *const th_labels[];
#define TH_N_LABELS 6

/* The random generator of the tests (xorshift). */
uint64_t th_rand(void);
uint32_t th_randn(uint32_t n);

/* An empty heap of pid `pid` with the default types. */
void th_init(theap *h, int64_t pid);
void th_free(theap *h);

/* Add an object; returns its index. */
uint32_t th_add(theap *h, uint64_t address, uint32_t type, uint64_t size);
/* Add an edge from object `from`. */
void th_edge_add(theap *h, uint32_t from, uint32_t to, uint8_t kind,
                 uint64_t label);

/* A random heap of n objects, about deg edges each, a few roots. */
void th_random(theap *h, uint32_t n, uint32_t deg, int64_t pid);

/*
 * th_evolve() - the next snapshot of the same process: a copy of `from`
 * where about `free_pct` percent of the objects are gone, `grow` new
 * objects exist (a third of them at the address of a freed object, with
 * another type), and the edges are redrawn among the survivors.
 */
void th_evolve(theap *to, const theap *from, uint32_t free_pct,
               uint32_t grow);

/* Write h to path; returns 0 or -1 (with a message on stderr).  Objects
 * of a type with MF_TYPE_EXTERNAL are written as external nodes (flag
 * MF_OBJ_EXTERNAL instead of GC_TRACKED). */
int th_write(const theap *h, const char *path);

/* Write h to a fresh path and open it as s with `columns` loaded (one
 * object each of h's); returns 0 or -1 (with a message on stderr).
 * Close s with an_snap_close() either way. */
int th_open(const theap *h, an_snap *s, unsigned columns);

/* A fresh path in the test's temporary folder ("name" + a counter). */
const char *th_path(const char *name);
/* The temporary folder; removed by th_cleanup(). */
void th_setup(void);
void th_cleanup(void);

#endif /* THEAP_H */
