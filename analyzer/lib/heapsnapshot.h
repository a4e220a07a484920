/*
 * heapsnapshot.h - a muppy snapshot seen as a V8 heap snapshot (the
 * .heapsnapshot files of Chrome DevTools and memlab): node types, node
 * ids, edge types and names, the synthetic roots.  spec/exports.md is the
 * mapping; render/heapsnapshot.h writes the file from what is computed
 * here.  Nothing here prints.
 *
 * Node positions: 0 is the synthetic root, 1 "(GC roots)", 2 .. 8 its
 * sub-roots (AN_HS_SUB_*), then object i at AN_HS_FIRST_OBJECT + i.
 *
 * Strings (the file's "strings" array) are laid out as: the fixed strings
 * (AN_HS_STR_*), then one type name per type key (n_keys + 1, the
 * unknown key last), then the snapshot's string table (so that a label's
 * string id s is the string AN_HS_STR_FIXED + n_keys + 1 + s), then the
 * extra strings the writer makes (int dict keys that are no element
 * index, numeric labels of weak references).
 */
#ifndef AN_LIB_HEAPSNAPSHOT_H
#define AN_LIB_HEAPSNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "lib/roots.h"
#include "lib/snap.h"

/* V8 node types: positions in meta.node_types[0] */
enum {
    AN_HS_NODE_HIDDEN = 0, AN_HS_NODE_ARRAY, AN_HS_NODE_STRING,
    AN_HS_NODE_OBJECT, AN_HS_NODE_CODE, AN_HS_NODE_CLOSURE,
    AN_HS_NODE_REGEXP, AN_HS_NODE_NUMBER, AN_HS_NODE_NATIVE,
    AN_HS_NODE_SYNTHETIC, AN_HS_NODE_TYPES_COUNT = 15
};

/* V8 edge types: positions in meta.edge_types[0] */
enum {
    AN_HS_EDGE_CONTEXT = 0, AN_HS_EDGE_ELEMENT, AN_HS_EDGE_PROPERTY,
    AN_HS_EDGE_INTERNAL, AN_HS_EDGE_HIDDEN, AN_HS_EDGE_SHORTCUT,
    AN_HS_EDGE_WEAK
};

/* The sub-roots under "(GC roots)", one per kind of root. */
enum {
    AN_HS_SUB_SYS_MODULES = 0,  /* MF_ROOT_SYS_MODULES */
    AN_HS_SUB_MODULES,          /* MF_ROOT_MODULE */
    AN_HS_SUB_BUILTINS,         /* MF_ROOT_BUILTINS */
    AN_HS_SUB_THREADS,          /* MF_ROOT_THREAD */
    AN_HS_SUB_GC_GARBAGE,       /* MF_ROOT_GC_GARBAGE */
    AN_HS_SUB_OTHER,            /* MF_ROOT_OTHER and unknown kinds */
    AN_HS_SUB_UNREFERENCED,     /* the analyzer's tier 2 (roots.h) */
    AN_HS_N_SUB
};

#define AN_HS_ROOT 0u
#define AN_HS_GC_ROOTS 1u
#define AN_HS_FIRST_SUB 2u
#define AN_HS_FIRST_OBJECT (AN_HS_FIRST_SUB + AN_HS_N_SUB)

/* Fields per node and per edge (meta.node_fields, meta.edge_fields). */
#define AN_HS_NODE_FIELDS 7u
#define AN_HS_EDGE_FIELDS 3u

/* Ids of the synthetic nodes: root 1, "(GC roots)" 3, sub-roots 5..17.
 * Objects get odd ids from AN_HS_MIN_OBJECT_ID up. */
#define AN_HS_MIN_OBJECT_ID 1025u

/* The fixed strings: positions in the strings array. */
enum {
    AN_HS_STR_EMPTY = 0,
    AN_HS_STR_GC_ROOTS,
    AN_HS_STR_SUB,                              /* AN_HS_N_SUB names */
    AN_HS_STR_DICT_KEY = AN_HS_STR_SUB + AN_HS_N_SUB,  /* "(key)" */
    AN_HS_STR_SET_ITEM,                         /* "{item}" */
    AN_HS_STR_KEY_OTHER,                        /* "[?]" */
    AN_HS_STR_FIXED                             /* count */
};

/* Columns the writer (render/heapsnapshot.h) reads (MF_COL_VALUE is
 * optional: str nodes are then named "str" rather than by their text). */
#define AN_HS_COLUMNS (MF_COL_ADDRESS | MF_COL_TYPE | MF_COL_SIZE       \
                       | MF_COL_NAME | MF_COL_VALUE | MF_COL_EDGES      \
                       | MF_COL_EDGE_KIND | MF_COL_EDGE_LABEL)

/* The most objects a heapsnapshot can hold: to_node (a node's position
 * times 7) must stay below 2^32 in DevTools' 32-bit arrays. */
#define AN_HS_MAX_OBJECTS ((UINT32_MAX / 7u) - 16u)

/* The columns the export needs of s: AN_HS_COLUMNS, without the str
 * contents when the dump recorded none (dump.include_strings 0). */
unsigned an_hs_columns(const an_snap *s);

/* The text of fixed string k. */
const char *an_hs_fixed_string(uint32_t k);

/* The sub-root of a root record's kind. */
uint32_t an_hs_sub_of_kind(uint32_t kind);

/*
 * an_hs_key_node_type() - the V8 node type of the instances of type key
 * k: "array" for list and tuple, "string" for str, "number" for int,
 * float, complex and bool, "code" for code objects, "closure" for
 * functions and methods, "hidden" for the interpreter's internals (cell,
 * frame, descriptors) and for the unknown key, "native" for the types
 * of external nodes (format 1.1: memory outside Python objects), "object"
 * for everything else.  Only built-in types (module "builtins") and
 * external nodes map to anything but "object".
 */
uint32_t an_hs_key_node_type(const an_snap *s, uint32_t k);

/*
 * an_hs_type_name() - the name of the instances of key k into buf:
 * the qualname for built-in types, external nodes ("torch storage") and
 * types without a module,
 * "module.qualname" otherwise ("<unknown type>" for the unknown key).
 * Stable across snapshots: it depends on the key's strings only.
 */
void an_hs_type_name(const an_snap *s, uint32_t k, char *buf, size_t cap);

/*
 * an_hs_node_ids() - the node id of every object (address and type
 * columns loaded) into ids (n entries): odd, at least
 * AN_HS_MIN_OBJECT_ID, below 2^32, unique.  An object's id is a hash of
 * its address and its type key's strings, so the same object (same
 * address, same type) has the same id in every snapshot of one process;
 * ids that collide are moved to the next free odd id, in increasing
 * order of (hash, address, key hash), so that the result does not depend
 * on the order of the objects in the file.  O(n) time (radix sort), 16
 * bytes an object of temporary memory.  Returns AN_OK, or AN_ERR_NOMEM
 * when out of memory.
 */
an_err an_hs_node_ids(const an_snap *s, uint32_t *ids);

/*
 * an_hs_unreferenced() - the tier-2 roots (roots.h) in index order:
 * among the objects no dumper root reaches by strong references, those
 * no strong edge points to.  *out is allocated (free()), *count set.
 * Needs the edges and edge kinds.  O(n + e), 8 bytes an object of
 * temporary memory.  Returns AN_OK, AN_ERR_NOMEM or AN_ERR_TOO_LARGE.
 */
an_err an_hs_unreferenced(const an_snap *s, const an_roots *roots,
                          uint32_t **out, uint32_t *count);

/* How an edge's name_or_index is given. */
enum {
    AN_HS_NAME_NUMBER = 0,  /* value: the number itself */
    AN_HS_NAME_FIXED,       /* value: a fixed string (AN_HS_STR_*) */
    AN_HS_NAME_SNAP,        /* value: a string id of the snapshot */
    AN_HS_NAME_INT,         /* value: (int64_t) an integer whose decimal
                               text is the name (an extra string) */
    AN_HS_NAME_UINT         /* the same for an unsigned integer */
};

typedef struct an_hs_edge {
    uint32_t type;          /* AN_HS_EDGE_* */
    uint32_t name_kind;     /* AN_HS_NAME_* */
    uint64_t value;
} an_hs_edge;

/*
 * an_hs_map_edge() - the V8 type and name of a muppy edge (kind and
 * label as in mf_edge; n_strings: the size of the snapshot's string
 * table): attributes, fields and str keys are "property" edges named by
 * the label; list indices and int keys from 0 to 2^32 - 1 are "element"
 * edges; other int keys "property" edges named by their decimal text;
 * the unlabeled kinds "internal" edges ("(key)", "{item}", "[?]", or ""
 * for a plain reference); weak references "weak" edges named by their
 * label.  Labels out of range name nothing ("").
 */
an_hs_edge an_hs_map_edge(uint8_t kind, uint64_t label, uint32_t n_strings);

#endif /* AN_LIB_HEAPSNAPSHOT_H */
