/*
 * muppy_format.h - write and read muppy heap snapshots (format v1).
 *
 * The byte layout is specified in spec/format.md; this header is the C
 * contract.  The library never exits, aborts or prints: every function that
 * can fail returns an mf_code (0 = MF_OK) and fills the caller's mf_error
 * (which may be NULL when the caller does not want the message).
 *
 * Data model
 *   object  - one Python object: address, type id, size (as sys.getsizeof
 *             reports it), flags, optional length, name and value prefix.
 *             Objects are numbered 0..n-1 in the order they are written;
 *             that number (the "index") is how edges and roots refer to them.
 *   edge    - a referent of an object: target index, kind, optional label.
 *   type    - module and qualified name of a type, numbered 0..t-1.
 *   string  - a byte string (normally UTF-8) in the shared string table,
 *             numbered 0..s-1; names and labels refer to strings by id.
 *   root    - an object that is alive for a reason outside the heap
 *             (sys.modules, a thread's frame...), with a kind and a label.
 *   meta    - key/value pairs describing the process and the dump.
 */
#ifndef MUPPY_FORMAT_H
#define MUPPY_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "muppy_errors.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MF_FORMAT_MAJOR 1
#define MF_FORMAT_MINOR 1
#define MF_LIBRARY_VERSION "0.2.0"

/* "no string", "no object", "no type": the absent value of an id field */
#define MF_NONE UINT32_MAX

/* ---- object flags (spec: "Object flags") ---------------------------- */
#define MF_OBJ_GC_TRACKED   0x01u /* tracked by the cyclic gc */
#define MF_OBJ_IMMORTAL     0x02u /* immortal (3.12+) or static object */
#define MF_OBJ_SIZE_FALLBACK 0x04u /* __sizeof__ raised or returned nonsense:
                                      size is the type's basic size */
#define MF_OBJ_HAS_LENGTH   0x08u /* `length` holds len() of a sized builtin */
#define MF_OBJ_HAS_NAME     0x10u /* `name` holds __qualname__/__name__ */
#define MF_OBJ_HAS_VALUE    0x20u /* `value` holds a prefix of a str's text
                                     (only with include_strings) */
#define MF_OBJ_FROZEN       0x40u /* in the permanent generation (gc.freeze) */
#define MF_OBJ_EXTERNAL     0x80u /* 1.1: not a Python object but memory
                                     outside objects that the objects
                                     with edges to it hold (a buffer, an
                                     image, a tensor's storage); its type
                                     has MF_TYPE_EXTERNAL */
#define MF_OBJ_KNOWN_FLAGS  0xffu

/* ---- edge kinds (spec: "Edge kinds") ---------------------------------
 * A kind byte is  [bit 7: weak][bits 6-5: label class][bits 4-0: kind].
 * Label class: 0 = no label, 1 = unsigned integer, 2 = string id,
 * 3 = signed integer.  Readers skip labels of unknown kinds by class.
 */
#define MF_EDGE_WEAK        0x80u
#define MF_EDGE_KIND_MASK   0x7fu  /* kind without the weak bit */
#define MF_EDGE_CLASS(k)    (((k) >> 5) & 3u)
#define MF_LABEL_NONE       0u
#define MF_LABEL_UINT       1u
#define MF_LABEL_STRING     2u
#define MF_LABEL_SINT       3u

#define MF_EDGE_REF         0x00u /* unlabeled referent */
#define MF_EDGE_INDEX       0x61u /* list/tuple item; label = index     "[3]" */
#define MF_EDGE_KEY_STR     0x42u /* dict value, str key; label = sid   "['k']" */
#define MF_EDGE_KEY_INT     0x63u /* dict value, int key; label = int   "[42]" */
#define MF_EDGE_KEY_OTHER   0x04u /* dict value, other key; no label    "[?]" */
#define MF_EDGE_DICT_KEY    0x05u /* a dict's key object; no label   "(key)" */
#define MF_EDGE_ATTR        0x46u /* instance attribute; label = sid   ".name" */
#define MF_EDGE_FIELD       0x47u /* named C-level field; label = sid ".name" */
#define MF_EDGE_SET_ITEM    0x08u /* set/frozenset member; no label    "{item}" */

/* ---- root kinds (spec: "Root kinds") --------------------------------- */
#define MF_ROOT_OTHER        0u
#define MF_ROOT_SYS_MODULES  1u /* the sys.modules dict */
#define MF_ROOT_MODULE       2u /* a module in sys.modules; label = name */
#define MF_ROOT_THREAD       3u /* what a running frame holds: label =
                                   "thread <id> <func>() local '<name>'",
                                   or "... frame", "code", "function",
                                   "globals", "locals" */
#define MF_ROOT_BUILTINS     4u /* the builtins module */
#define MF_ROOT_GC_GARBAGE   5u /* the gc.garbage list */
#define MF_ROOT_UNREFERENCED 6u /* written by no dumper: the analyzer's kind
                                   for objects nothing refers to */

/* ---- type flags ------------------------------------------------------ */
#define MF_TYPE_HEAP        0x01u /* Py_TPFLAGS_HEAPTYPE */
#define MF_TYPE_GC          0x02u /* instances have a GC header */
#define MF_TYPE_EXTERNAL    0x04u /* 1.1: the synthetic type of external
                                     nodes (module "<external>", qualname
                                     the kind of memory, "numpy data") */
#define MF_TYPE_FILE        0x08u /* 1.1, with EXTERNAL: the memory is a
                                     file or shared mapping (part of
                                     rss.file / rss.shmem when resident) */
#define MF_TYPE_DEVICE      0x10u /* 1.1, with EXTERNAL: memory of a
                                     device (a GPU), not in the RSS */

typedef struct mf_object {
    uint64_t address;
    uint32_t type;      /* type id */
    uint32_t flags;     /* MF_OBJ_* */
    uint64_t size;      /* bytes, as sys.getsizeof */
    uint64_t length;    /* valid with MF_OBJ_HAS_LENGTH, else 0 */
    uint32_t name;      /* string id with MF_OBJ_HAS_NAME, else MF_NONE */
    uint32_t value;     /* string id with MF_OBJ_HAS_VALUE, else MF_NONE */
} mf_object;

typedef struct mf_edge {
    uint32_t target;    /* object index */
    uint8_t kind;       /* MF_EDGE_* | optional MF_EDGE_WEAK */
    uint64_t label;     /* class UINT: the value;
                           INDEX: the item index (>= 0, delta-coded on
                           disk as class SINT);
                           class SINT: (uint64_t)(int64_t) value;
                           class STRING: string id; class NONE: 0 */
} mf_edge;

typedef struct mf_type {
    uint64_t address;   /* address of the type object */
    uint32_t module;    /* string id of __module__, or MF_NONE */
    uint32_t qualname;  /* string id of __qualname__, or MF_NONE */
    uint32_t flags;     /* MF_TYPE_* */
} mf_type;

typedef struct mf_root {
    uint32_t object;    /* object index */
    uint32_t kind;      /* MF_ROOT_* */
    uint32_t label;     /* string id or MF_NONE */
} mf_root;

#define MF_META_STR   0u
#define MF_META_INT   1u
#define MF_META_FLOAT 2u
typedef struct mf_meta {
    uint32_t key;       /* string id */
    uint32_t kind;      /* MF_META_* */
    union {
        uint32_t str;   /* string id */
        int64_t i;
        double f;
    } v;
} mf_meta;

/* =====================================================================
 * Writer
 * ===================================================================== */

typedef struct mf_writer mf_writer;

typedef struct mf_write_options {
    int level;              /* zstd level; 0 = default (1) */
    uint32_t block_objects; /* objects per OBJS block; 0 = default (65536) */
    int threads;            /* 0 = default: two background threads code,
                               compress and write the objects; -1 = all
                               on the calling thread */
} mf_write_options;

typedef struct mf_write_stats {
    uint64_t objects, edges, strings, types, roots, meta;
    uint64_t total_size;    /* sum of object sizes */
    uint64_t file_bytes;    /* bytes of the finished file */
    uint64_t raw_bytes;     /* bytes before compression */
} mf_write_stats;

/*
 * mf_writer_open() - start a snapshot that will be named `path`.
 * Creates a temporary file beside `path` (same directory, name starting
 * with `path` and ending with ".tmp"+random), writes the header.
 * Nothing appears under `path` until mf_writer_close() succeeds.
 * `opts` may be NULL for defaults.  On failure *out is NULL.
 */
int mf_writer_open(mf_writer **out, const char *path,
                   const mf_write_options *opts, mf_error *err);

/*
 * mf_writer_open_fd() - the same, streamed into the open file descriptor
 * `fd` (a pipe, stdout, a socket or a file), which the writer duplicates
 * and so never closes.  `name` names the stream in error messages.  The
 * bytes are written in order, never sought back to; there is no
 * temporary file and no rename, so a failed or aborted snapshot leaves a
 * truncated stream that every reader rejects (it has no trailer).
 */
int mf_writer_open_fd(mf_writer **out, int fd, const char *name,
                      const mf_write_options *opts, mf_error *err);

/* The temporary file being written (NULL for a descriptor), e.g. for a
 * signal handler that must remove it; valid until close or abort. */
const char *mf_writer_temp_path(const mf_writer *w);

/*
 * mf_writer_string() - intern a byte string, returning its id in *id.
 * Equal contents get equal ids (the writer deduplicates).  Strings longer
 * than MF_MAX_STRING bytes are rejected with MF_E_LIMIT; callers truncate.
 */
#define MF_MAX_STRING (1u << 20)
int mf_writer_string(mf_writer *w, const char *s, size_t len, uint32_t *id,
                     mf_error *err);

/* mf_writer_type() - add a type; ids are 0,1,2... in call order. */
int mf_writer_type(mf_writer *w, const mf_type *t, uint32_t *id,
                   mf_error *err);

/*
 * mf_writer_set_frontier() - hint for edge compression: the index the
 * caller will give to the next object it discovers through an edge.
 * Edges whose target equals the frontier are coded in one byte and advance
 * it by one.  Any value (or none) is correct; a good one makes files small.
 * A breadth-first dumper that numbered T objects before the walk sets T.
 */
void mf_writer_set_frontier(mf_writer *w, uint32_t next_fresh);

/*
 * mf_writer_object() - append the object with the next index (0, 1, ...)
 * and its edges.  Edge targets may refer to objects not yet written; they
 * must all be written before close.  Labels of MF_EDGE_INDEX are absolute
 * indices (the writer delta-codes them).
 */
int mf_writer_object(mf_writer *w, const mf_object *o, const mf_edge *edges,
                     size_t n_edges, mf_error *err);

/*
 * mf_writer_edges() - room inside the writer for the edges of the next
 * object: fill at most n_edges of them and pass the pointer to
 * mf_writer_object(), which then takes them without a copy.  Valid until
 * the next call on the writer.  NULL on failure (err set).
 */
mf_edge *mf_writer_edges(mf_writer *w, size_t n_edges, mf_error *err);

int mf_writer_root(mf_writer *w, const mf_root *root, mf_error *err);
int mf_writer_meta_str(mf_writer *w, const char *key, const char *value,
                       mf_error *err);
int mf_writer_meta_int(mf_writer *w, const char *key, int64_t value,
                       mf_error *err);
int mf_writer_meta_float(mf_writer *w, const char *key, double value,
                         mf_error *err);

/* Objects written so far (the index the next mf_writer_object gets). */
uint32_t mf_writer_object_count(const mf_writer *w);

/*
 * mf_writer_close() - flush the last blocks, write the table of contents
 * and trailer, fsync, and rename the temporary file to `path` (into a
 * descriptor: write the trailer and fsync where the descriptor can be).
 * Always frees `w`.  On failure the temporary file is removed and nothing
 * is left under `path`.  Fails with MF_E_CORRUPT if an edge or root refers
 * to an index >= the number of objects written.  `stats` may be NULL.
 */
int mf_writer_close(mf_writer *w, mf_write_stats *stats, mf_error *err);

/* mf_writer_abort() - remove the temporary file and free; NULL is fine. */
void mf_writer_abort(mf_writer *w);

/* =====================================================================
 * Reader
 * ===================================================================== */

typedef struct mf_reader mf_reader;

#define MF_READ_PARTIAL 0x01u /* accept a truncated or damaged file: use the
                                 complete, valid blocks before the damage */

typedef struct mf_read_options {
    unsigned flags;         /* MF_READ_* */
    uint64_t max_memory;    /* bytes the loaded columns may take; 0 = the
                               machine's physical memory */
    int threads;            /* decoding threads; 0 = online CPUs (max 8) */
    /* Called from the calling thread now and then while loading. */
    void (*progress)(void *ctx, uint64_t done_bytes, uint64_t total_bytes);
    void *progress_ctx;
    /* Decompression bound: the payloads of all blocks may add up to at
     * most max_expansion times the file's size (and always to
     * MF_EXPANSION_FLOOR bytes); 0 = MF_DEFAULT_MAX_EXPANSION,
     * UINT64_MAX = no bound.  Checked from the block headers before
     * anything is decompressed (MF_E_LIMIT). */
    uint64_t max_expansion;
} mf_read_options;

/* Dumps expand 5 to a few hundred times (uniform heaps compress best:
 * ten lists of 5 million zeros, 317 times), so a file expanding more
 * than this is a decompression bomb, not a dump.  Every command's memory
 * grows with what the file expands to, so this also bounds what a small
 * crafted file can make a command allocate (about 17 KiB a byte). */
#define MF_DEFAULT_MAX_EXPANSION 1024u
#define MF_EXPANSION_FLOOR (1u << 20)

typedef struct mf_file_info {
    unsigned major, minor;
    uint64_t file_size;
    uint64_t blocks;
    uint64_t objects, edges, strings, types, roots, meta;
    uint64_t total_size;    /* sum of object sizes (from the trailer, or
                               summed from loaded blocks when partial) */
    int partial;            /* 1: truncated/damaged, only complete blocks */
    uint64_t valid_bytes;   /* with partial: bytes of usable data */
    mf_error damage;        /* with partial: what was wrong and where */
} mf_file_info;

/*
 * mf_reader_open() - open and validate a snapshot: header, trailer, table
 * of contents, and every STRS/TYPE/ROOT/META block (loaded now; they are
 * small).  Object blocks are checked when loaded or verified.
 * Without MF_READ_PARTIAL any damage is an error; with it, a file whose
 * trailer is missing or bad is scanned block by block from the start and
 * the valid prefix is used (info->partial = 1).
 */
int mf_reader_open(mf_reader **out, const char *path,
                   const mf_read_options *opts, mf_error *err);
/* Same, over a caller's buffer (kept, not copied, until close). */
int mf_reader_open_memory(mf_reader **out, const void *data, size_t size,
                          const mf_read_options *opts, mf_error *err);
void mf_reader_close(mf_reader *r);

const mf_file_info *mf_reader_info(const mf_reader *r);

/* String by id; NULL when out of range.  Not NUL-terminated inside: *len
 * gives the length (a terminating NUL does follow, for convenience). */
const char *mf_reader_string(const mf_reader *r, uint32_t id, size_t *len);
uint32_t mf_reader_string_count(const mf_reader *r);

const mf_type *mf_reader_types(const mf_reader *r, uint32_t *count);
const mf_root *mf_reader_roots(const mf_reader *r, uint32_t *count);
const mf_meta *mf_reader_meta(const mf_reader *r, uint32_t *count);
/* Meta lookup by key; return 0 if found with that kind, -1 otherwise. */
int mf_reader_meta_str(const mf_reader *r, const char *key, const char **v);
int mf_reader_meta_int(const mf_reader *r, const char *key, int64_t *v);
int mf_reader_meta_float(const mf_reader *r, const char *key, double *v);

/* Columns to load (mf_reader_load's `columns`). */
#define MF_COL_ADDRESS    0x001u
#define MF_COL_TYPE       0x002u
#define MF_COL_SIZE       0x004u
#define MF_COL_FLAGS      0x008u
#define MF_COL_LENGTH     0x010u
#define MF_COL_NAME       0x020u
#define MF_COL_VALUE      0x040u
#define MF_COL_EDGES      0x080u /* edge_start + edge_target */
#define MF_COL_EDGE_KIND  0x100u
#define MF_COL_EDGE_LABEL 0x200u
#define MF_COL_ALL        0x3ffu

/*
 * The loaded graph, as columns.  Arrays not requested are NULL.
 * Edges are in CSR form: the edges of object i are
 * [edge_start[i], edge_start[i+1]).  Owned by the graph: mf_graph_free().
 */
typedef struct mf_graph {
    uint32_t n_objects;
    uint64_t n_edges;
    uint64_t *address;
    uint32_t *type;
    uint64_t *size;
    uint8_t *flags;         /* low 8 bits of the object flags */
    uint64_t *length;       /* 0 where absent */
    uint32_t *name;         /* MF_NONE where absent */
    uint32_t *value;        /* MF_NONE where absent */
    uint64_t *edge_start;   /* n_objects + 1 entries */
    uint32_t *edge_target;
    uint8_t *edge_kind;
    uint64_t *edge_label;   /* decoded as in mf_edge */
    uint64_t dropped_edges; /* partial files: edges to objects not loaded */
} mf_graph;

/*
 * mf_reader_load() - decode all object blocks (in parallel) into `g`.
 * Verifies each block's checksum and structure; fails (or, with
 * MF_READ_PARTIAL, stops at the first bad block) with block and offset in
 * `err`.  Fails with MF_E_LIMIT before allocating if the columns would
 * exceed max_memory.
 */
int mf_reader_load(mf_reader *r, unsigned columns, mf_graph *g,
                   mf_error *err);
void mf_graph_free(mf_graph *g);

/*
 * mf_reader_verify() - decode and check every block without keeping the
 * data; the integrity check behind `muppy-analyze info`.
 */
int mf_reader_verify(mf_reader *r, mf_error *err);

/*
 * mf_format_label() - the readable form of an edge label into buf:
 * "[3]", "['cache']", "[42]", ".parent", "(key)", "{item}", "[?]", or ""
 * for unlabeled edges.  String contents are escaped like Python's repr
 * and cut to fit.  Returns the length written (always NUL-terminated when
 * cap > 0).
 */
size_t mf_format_label(const mf_reader *r, uint8_t kind, uint64_t label,
                       char *buf, size_t cap);

/* Readable names of root kinds ("sys.modules", "thread", ...) */
const char *mf_root_kind_name(uint32_t kind);

/* =====================================================================
 * Memory breakdown (spec: "Memory breakdown")
 * ===================================================================== */

/*
 * Where the dumped process's resident memory was at the dump, from the
 * metadata (rss.*, pymalloc.*, malloc.*) and the objects' sizes:
 *
 *   rss = objects + external + allocator_free + file_backed
 *         + libraries + native + unexplained
 *
 * All in bytes.  `unexplained` is what is left (negative when the parts
 * add up to more than the RSS: memory allocated but not resident, e.g.
 * untouched or trimmed pages).  external_file and external_device are
 * external nodes that are not anonymous memory (within file_backed, and
 * outside the RSS): shown, not added.  A part whose inputs the file
 * lacks (an older dumper, PYTHONMALLOC=malloc, no /proc) is 0 and its
 * bit is set in `missing`.
 */
#define MF_MEM_NO_RSS       0x1u /* rss.current: nothing to break down */
#define MF_MEM_NO_MAPPINGS  0x2u /* rss.anon/file/shmem/libraries */
#define MF_MEM_NO_PYMALLOC  0x4u /* pymalloc.* */
#define MF_MEM_NO_MALLOC    0x8u /* malloc.* */
typedef struct mf_memory {
    int64_t rss;            /* resident set size (rss.current) */
    int64_t objects;        /* sizes of the Python objects */
    int64_t external;       /* external nodes in anonymous memory */
    int64_t allocator_free; /* resident free space in pymalloc's arenas
                               and in malloc's heaps (free blocks, pool
                               headers, rounding; not malloc's top chunk
                               nor pymalloc's unused pools) */
    int64_t file_backed;    /* rss.file + rss.shmem: code, libraries,
                               mapped files, shared memory */
    int64_t libraries;      /* rss.libraries: written (anonymous) pages
                               of file mappings: libraries' data */
    int64_t native;         /* memory allocated through pymalloc or
                               malloc that no object or external node
                               accounts for (C libraries' and the
                               interpreter's own structures) */
    int64_t other;          /* libraries + native */
    int64_t unexplained;    /* rss - all of the above */
    int64_t external_file;  /* external nodes in file mappings */
    int64_t external_device;/* external nodes in device memory */
    uint64_t external_nodes;/* number of external nodes */
    unsigned missing;       /* MF_MEM_NO_* */
} mf_memory;

/*
 * mf_memory_breakdown() - compute *m from the reader's metadata and
 * types and the loaded graph (which needs the size, flags and type
 * columns: MF_E_ARG otherwise).  Linear in the objects.  Returns MF_OK.
 */
int mf_memory_breakdown(const mf_reader *r, const mf_graph *g,
                        mf_memory *m);

#ifdef __cplusplus
}
#endif
#endif /* MUPPY_FORMAT_H */
