/*
 * snap.h - a snapshot opened for analysis: its reader, the columns a
 * command loaded, the graph over them, and its type keys.
 *
 * Types are identified across snapshots by (module, qualname) - a "type
 * key".  Several type ids with the same module and qualname share one key.
 * A key's display name is its qualname, or module.qualname when another key
 * of the snapshot has the same qualname.  One extra key, numbered n_keys,
 * stands for objects whose type id is out of range (never produced by a
 * correct writer).  Keys are also grouped by module (modules[]).
 *
 * Functions return format-library codes (MF_OK = 0) and fill an mf_error;
 * nothing here prints.
 */
#ifndef AN_LIB_SNAP_H
#define AN_LIB_SNAP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/graph.h"
#include "muppy_format.h"

typedef struct an_key {
    const char *module;     /* "" when the type has no __module__ */
    const char *qualname;
    const char *display;    /* qualname or module.qualname */
    uint32_t module_group;  /* index into an_snap.modules */
    int external;           /* the synthetic type of external nodes
                               (format 1.1: type flag EXTERNAL) */
} an_key;

/* The module of the synthetic types of external nodes (spec/format.md,
 * "External nodes"): how groups known by name only (diff, trend, leaks)
 * tell them. */
#define AN_EXTERNAL_MODULE "<external>"

/* Fill err (when not NULL) for an allocation failure; returns
 * MF_E_NOMEM. */
int an_err_nomem(mf_error *err);

/* Progress callback of mf_read_options (may be NULL). */
typedef void (*an_progress_fn)(void *ctx, uint64_t done, uint64_t total);

typedef struct an_snap {
    const char *path;
    mf_reader *reader;
    const mf_file_info *info;
    unsigned columns;           /* what was loaded (MF_COL_*) */
    mf_graph cols;
    an_graph g;                 /* view over cols */
    uint32_t n_types;
    const mf_type *types;
    uint32_t *type_key;         /* n_types entries */
    uint32_t n_keys;            /* plus one "unknown" key at n_keys */
    an_key *keys;
    uint32_t n_modules;         /* plus "" at n_modules for the unknown */
    const char **modules;       /* distinct module names */
    char *arena;                /* owns the key strings */
    an_progress_fn progress;    /* set by an_snap_open() */
    void *progress_ctx;
} an_snap;

/*
 * an_snap_set_max_memory() - the budget of every snapshot opened after
 * this call (--max-memory): the loaded columns may take at most `bytes`,
 * and files may expand more than MF_DEFAULT_MAX_EXPANSION times (the
 * user who sets a budget relies on it instead).  0: the defaults (the
 * machine's memory, and the expansion bound).
 */
void an_snap_set_max_memory(uint64_t bytes);

/*
 * an_snap_open() - open `path` (flags: MF_READ_PARTIAL or 0) and resolve
 * the type keys.  `progress` (may be NULL) is called with progress_ctx
 * while the file is read, now and by an_snap_load().  Returns MF_OK or an
 * error code with *err filled; the snapshot must be closed either way.
 */
int an_snap_open(an_snap *s, const char *path, unsigned flags,
                 an_progress_fn progress, void *progress_ctx, mf_error *err);
/*
 * an_snap_load() - load `columns` (MF_COL_*) and set up s->g over them.
 * A second call replaces the columns of the first.  Returns MF_OK or an
 * error code with *err filled.
 */
int an_snap_load(an_snap *s, unsigned columns, mf_error *err);
/* Free the loaded columns (and the graph's reverse edges) only. */
void an_snap_unload(an_snap *s);
/* Close the reader and free everything; a zeroed an_snap is fine. */
void an_snap_close(an_snap *s);

/* Type key of object i (n_keys for an out-of-range type id). */
static inline uint32_t
an_snap_key_of(const an_snap *s, uint32_t i)
{
    uint32_t t = s->cols.type[i];

    return t < s->n_types ? s->type_key[t] : s->n_keys;
}

/* Whether object i is an external node (memory outside Python objects,
 * format 1.1), by its type. */
static inline int
an_snap_is_external(const an_snap *s, uint32_t i)
{
    return s->keys[an_snap_key_of(s, i)].external;
}

/* Whether a group named by `module` is (made of) external nodes. */
int an_module_is_external(const char *module);

/* Module group of a key (n_modules for the unknown key). */
static inline uint32_t
an_snap_module_of_key(const an_snap *s, uint32_t k)
{
    return k < s->n_keys ? s->keys[k].module_group : s->n_modules;
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

/*
 * an_snap_meta_text() - the metadata value of `key` as text into buf
 * (strings cut to 100 bytes, integers in decimal, floats with 17
 * digits).  Returns 0, or -1 when the snapshot has no such key.
 */
int an_snap_meta_text(const an_snap *s, const char *key, char *buf,
                      size_t cap);
/* The same, from a reader. */
int an_meta_text(const mf_reader *r, const char *key, char *buf,
                 size_t cap);

/*
 * an_snap_same_process() - 0 when a and b carry the same process identity
 * (metadata pid, process.start_time and boot_id, all present and equal as
 * text); else -1 with the reason in why ("snapshots come from different
 * processes (pid 12 vs 34)", "'x.snap' does not say which process it
 * comes from (no 'boot_id' metadata)").
 */
int an_snap_same_process(const an_snap *a, const an_snap *b, char *why,
                         size_t cap);

#endif /* AN_LIB_SNAP_H */
