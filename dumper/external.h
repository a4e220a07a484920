/*
 * external.h - memory outside Python objects, as nodes of the snapshot.
 *
 * Like V8's native nodes: a numpy array's data, a tensor's storage, an
 * image's pixels are objects of the snapshot with the flag
 * MF_OBJ_EXTERNAL, the buffer's address, a synthetic type (module
 * "<external>", qualname the kind of memory, e.g. "numpy data") and the
 * buffer's size, with a FIELD edge from each object that holds them.
 * Nodes are deduplicated by address: storage that views share is one
 * node, whose retained size lands on whatever dominates it.
 *
 * A node is numbered like an object (it has an index in the address
 * array), but what the array holds for it is a pointer to its entry in
 * a mapping of the dumper's own (md_is_ext()), never a Python object:
 * the walk writes its record without touching it.
 *
 * Whether a node's memory is anonymous, a file mapping or shared memory
 * (type flag MF_TYPE_FILE, and " (file)" / " (shared)" after its name)
 * is looked up in /proc/self/maps, read once per dump when the first
 * node appears; a sizer may say its memory is a device's
 * (MF_TYPE_DEVICE).
 */
#ifndef MUPPY_EXTERNAL_H
#define MUPPY_EXTERNAL_H

#include "state.h"

/* where a node's memory is, as a sizer says it */
enum { MD_MEM_HOST = 0, MD_MEM_DEVICE = 1 };

/* an external node (in the dumper's mapping; md_is_ext() tells) */
typedef struct md_ext {
    uint64_t address;           /* the buffer's address */
    uint64_t size;              /* bytes */
    uint32_t type;              /* its synthetic type's id */
    uint32_t label;             /* string id of the first owner's edge */
    int written;                /* its record is written: size fixed */
} md_ext;

/* 1 if p, an entry of the address array, is an external node */
static inline int
md_is_ext(const md_state *d, const void *p)
{
    return (const char *)p >= d->ext_lo && (const char *)p < d->ext_hi;
}

/* free the node table, the types and the maps */
void md_ext_free(md_state *d);

/*
 * md_ext_find() - the node at `address`, or NULL.
 */
md_ext *md_ext_find(md_state *d, uint64_t address);

/*
 * md_ext_edge() - an edge from the object being collected (appended to
 * d->te) to the node of `size` bytes at `address`, named `name` (`len`
 * bytes), labeled `label` (a C string of the dump's lifetime) or
 * `label_sid` (when label is NULL), with memory MD_MEM_*.  The first
 * owner creates the node; later ones find it by address (a larger size
 * reported before the node is written replaces the smaller).  A size
 * of 0 adds nothing.  Returns 0, or -1 with the exception set.
 */
int md_ext_edge(md_state *d, const char *name, size_t len,
                uint64_t address, uint64_t size, const char *label,
                uint32_t label_sid, int memory);

/*
 * md_ext_edge_to() - an edge to node e (already created), labeled as
 * its first owner's.  Returns 0, or -1 with the exception set.
 */
int md_ext_edge_to(md_state *d, md_ext *e);

/* the edge from an mmap.mmap to its mapping's node "mmap.mmap"
 * (0, or -1 with the exception set) */
int md_ext_mmap(md_state *d, PyObject *o);

/* the record of node e (address, type, size, flag EXTERNAL); marks it
 * written */
void md_ext_record(md_ext *e, mf_object *rec);

#endif /* MUPPY_EXTERNAL_H */
