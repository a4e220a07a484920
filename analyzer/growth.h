/*
 * growth.h - where a heap grows: new objects grouped by their
 * accumulation point, the object through which they are held.
 *
 * Input: the later snapshot's graph (its dominator tree and shortest
 * paths) and two bitmaps over its objects: `old`, the objects that were
 * in the earlier snapshot, and `gained`, the new objects to account for.
 * Three front-ends feed it (an_growth_ids below builds the bitmaps):
 *
 *   leaks BASE TARGET FINAL   graph FINAL, old = in BASE, gained = new in
 *                             TARGET and still in FINAL; what FINAL
 *                             allocated after TARGET is neither
 *   diff A B --growth         graph B, old = in A, gained = the others
 *   trend S1 .. Sn            each step as diff, points followed across
 *                             the steps (an_growth_series below)
 *
 * "In" means an object with the same identity: address, type key, and
 * name for the objects that have one (growth_ids.c; objset.h without the
 * name).
 *
 * The model (spec/analyzer.md, "Accumulation points"):
 *
 * 1. Units.  The old region is the old objects none of whose dominators
 *    is new.  A new object whose immediate dominator is in it (or is the
 *    super-root) heads a *unit*: its whole dominator subtree, which goes
 *    away with it (an old object inside is one the new structure
 *    adopted, or a new one that took a freed object's address).  A unit
 *    matters when it holds gained objects.  A new object shared by several
 *    structures (an int that a cache entry, a handler and a task all refer
 *    to) is dominated by none of them: it heads a unit of its own.
 * 2. Holders.  The objects of the old region with a strong edge to a
 *    unit's head hold it.  A unit held by several joins them: holders
 *    that share units form one group (a blinker signal's receiver id is a
 *    key of `receivers`, an item of `_by_sender[ANY]` and a key of
 *    `_by_receiver`, so the three dicts are one leak; the str keys and the
 *    values of one dict are one leak).  A unit no holder holds is charged
 *    to the unit of the object before it on its shortest path from a root
 *    (a shared int goes with one of the structures that refer to it:
 *    charged once, never an entry of its own).  A unit whose head is a
 *    weak reference to a gained object (logging's handler list, a
 *    WeakSet's entries) goes with that object.  A unit with neither is a
 *    group of its own (a new root).
 * 3. The point.  When one of a group's own units (held, or a root: not
 *    charged along a weak reference or a path) holds at least
 *    `descend_permille` of the group's own gained objects, the whole
 *    structure is new: the point is inside it - its head, then down the
 *    dominator tree as long as one child holds that share, stopping
 *    before a type already met on the way down (so that a linked list or
 *    a tree stops at its top, not at its last node).  A new Logger
 *    holding 500 handlers gives the Logger's `handlers` list.  Otherwise
 *    the point is the group's primary holder: the one holding the most
 *    gained objects directly (`Session._new`, the cache dict).
 * 4. Charging.  Each object is charged to the group of its nearest
 *    gained dominator (itself included), if any: the group's `retained`
 *    size is what its gained objects keep alive, no byte counted in two
 *    groups.  `count` counts gained objects (front-ends' --min-count
 *    filters on it: one new object retaining much is one point).  Points
 *    are ranked by retained size, then count; those whose units' heads
 *    are all newer than the gained objects (`newer`) come last.
 *
 * Cost: O(objects + edges) time plus hashing per unit and per group;
 * about 22 bytes an object of temporary memory besides the inputs, 8
 * more while the dominator tree's children are listed.  Nothing here
 * prints.
 */
#ifndef AN_GROWTH_H
#define AN_GROWTH_H

#include <stddef.h>
#include <stdint.h>

#include "dominators.h"
#include "graph.h"
#include "maps.h"
#include "paths.h"
#include "snap.h"

/* How a point's units hang from it: the kind of the edge from the point
 * (a holder) to each unit, or from a new point to each of its dominator
 * children that holds gained objects. */
enum {
    AN_HANG_KEY,        /* dict keys (MF_EDGE_DICT_KEY) */
    AN_HANG_VALUE,      /* dict values (str, int or other keys) */
    AN_HANG_ITEM,       /* list/tuple items, set members */
    AN_HANG_ATTR,       /* attributes and fields */
    AN_HANG_OTHER,      /* unlabeled references */
    AN_HANG_INDIRECT,   /* through other objects, or other holders */
    AN_HANG_KINDS
};

/* The hang category of an edge kind byte. */
int an_hang_of_kind(uint8_t kind);
/* "keys", "values", "items", "attributes", "references", "indirect" */
const char *an_hang_name(int hang);

typedef struct an_growth_opts {
    uint32_t descend_permille;  /* share of a group's gained objects a
                                   unit (then a child) must hold for the
                                   point to go inside it: 500..1000,
                                   default 900 */
    const uint32_t *class_of_type;  /* may be NULL: count `types` by type
                                       id; else by class_of_type[type] */
    uint32_t n_types;               /* entries of class_of_type */
    uint32_t unknown_class;         /* class of an out-of-range type id */
    int members;                    /* fill group_of */
} an_growth_opts;

#define AN_GROWTH_DESCEND_DEFAULT 900

/* The point is the group's primary holder (old), or an object of a new
 * structure. */
#define AN_POINT_HOLDER 0
#define AN_POINT_NEW 1

typedef struct an_growth_point {
    uint32_t object;        /* the accumulation point */
    int kind;               /* AN_POINT_HOLDER or AN_POINT_NEW */
    uint32_t holder;        /* the primary holder: the one holding the
                               most gained objects directly (== object
                               for a holder point); MF_NONE when none
                               holds the group (a new root) */
    uint32_t head;          /* for a new point: the head of its unit (the
                               outermost new object); else MF_NONE */
    uint32_t depth;         /* for a new point: dominator steps from head */
    int newer;              /* no unit's head is gained: the gained
                               objects are held only through objects newer
                               than them (allocated after TARGET).  So
                               looks address reuse in a churning container
                               (a freed object's address taken by a new one
                               of the same type and name), and a container
                               rebuilt after TARGET.  Ranked last. */
    uint32_t example;       /* a unit (or the child of a new point) with
                               the most gained objects: the place to look */
    uint64_t count;         /* gained objects */
    uint64_t size;          /* their own sizes */
    uint64_t retained;      /* bytes charged to the group */
    uint32_t n_units;
    uint32_t n_holders;
    uint32_t first_holder;  /* holders[first_holder ..+ n_holders): all
                               its holders, most gained objects first */
    uint32_t first_type;    /* types[first_type ..+ n_types) */
    uint32_t n_types;
    uint64_t hang[AN_HANG_KINDS];   /* units (children) by how they hang */
} an_growth_point;

typedef struct an_growth_type {
    uint32_t type;          /* type id, or class (an_growth_opts) */
    uint32_t point;         /* index into points */
    uint64_t count, size;   /* gained objects of this type */
} an_growth_type;

typedef struct an_growth_holder {
    uint32_t object;        /* an object of the old region */
    uint32_t units;         /* units it holds directly */
    uint64_t count;         /* gained objects in them */
} an_growth_holder;

typedef struct an_growth {
    an_growth_point *points;    /* ranked: retained desc, count desc,
                                   object asc */
    uint32_t n_points;
    an_growth_type *types;      /* by point, then count desc */
    uint32_t n_types;
    an_growth_holder *holders;  /* by point, then count desc */
    uint32_t n_holders;
    uint32_t *group_of;         /* with opts.members: per object, the
                                   point it is charged to, or MF_NONE */
    uint64_t gained_count, gained_size;     /* reachable gained objects */
    uint64_t unreachable_count, unreachable_size;   /* gained, reached
                                                       from no root */
    uint64_t units;             /* units with gained objects */
    uint64_t shared_units;      /* charged along a shortest path */
    uint64_t weak_units;        /* weak references to gained objects */
} an_growth;

/* Fill opts with the defaults. */
void an_growth_opts_init(an_growth_opts *opts);

/*
 * an_growth_find() - the accumulation points of `gained` in g.
 * `size` gives the own size of each object; `dt` is g's dominator tree,
 * `bfs` g's shortest paths (an_bfs, tier 2 included); `old` and `gained`
 * bitmaps of g->n bits (old NULL: every object not gained; a gained
 * object also old counts as old).  Returns 0, or -1 when out of memory
 * (out is then empty).  Free with an_growth_free().
 */
int an_growth_find(const an_graph *g, const uint64_t *size,
                   const an_domtree *dt, const an_bfs_result *bfs,
                   const uint64_t *old, const uint64_t *gained,
                   const an_growth_opts *opts, an_growth *out);
void an_growth_free(an_growth *gr);

/*
 * an_growth_path() - one path from point p's object to gained object x
 * into objs (cap entries; the point first) and edges (the edge into
 * objs[k] at edges[k], edges[0] unused): the edge from the point when
 * there is one to x, else the shortest path's tail from the point (the
 * point dominates x, or holds the unit of x), else the whole shortest
 * path.  Returns the number of objects (0 when x is unreached; when it is
 * larger than cap nothing is written).  O(path length x log n + the
 * point's out-degree).
 */
uint32_t an_growth_path(const an_graph *g, const an_bfs_result *bfs,
                        uint32_t point, uint32_t x, uint32_t *objs,
                        uint64_t *edges, uint32_t cap);

/*
 * an_growth_label() - a short name of object obj of s for people, into
 * buf: the nearest object on its shortest path (bfs) that is no plain
 * container (dict, list, tuple, set, frozenset, deque, OrderedDict,
 * defaultdict, cell, mappingproxy), with the str key it is held under,
 * then the labels of the steps from it to obj, an instance's `.__dict__`
 * left out: "Session ._new", "Logger ['app'] .handlers",
 * "_lru_cache_wrapper ['quote'] -> dict".  A path of plain containers
 * only starts at its root ("sys.modules['m'] ['CACHE']").  Needs the
 * snapshot's address, type, edge, edge kind and label columns.  Returns
 * the length written (cut to cap - 1), or 0 when no root reaches obj.
 * O(path length x log n).
 */
size_t an_growth_label(const an_snap *s, const an_roots *roots,
                       const an_bfs_result *bfs, uint32_t obj, char *buf,
                       size_t cap);

/* ---- identities: the bitmaps from two or three snapshots ----------- */

/* Identities sorted by address (growth_ids.c). */
typedef struct an_idlist {
    uint64_t *addr;
    uint32_t *code;         /* the type key's (or the name's) id in names */
    uint64_t n;
} an_idlist;

typedef struct an_growth_ids {
    an_strmap *names;       /* (module, qualname[\x1fname]) -> code */
    an_idlist before;       /* BASE's (or A's) objects */
    an_idlist fresh;        /* TARGET's objects BASE did not have */
    int three;              /* an_growth_ids_target() was called */
    uint64_t fresh_count;   /* TARGET's new ones */
} an_growth_ids;

/*
 * The snapshots' address, type and (better) name columns must be loaded:
 * an identity is (address, type key) and, for an object with a name
 * (function, class, module, code object), the name too, so that a
 * function freed and another allocated at its address differ when their
 * names do.  Each snapshot's objects are sorted by address (radix sort,
 * 24 bytes an object while it sorts) and matched by merging; BASE's (A's)
 * identities are kept, 12 bytes an object, until an_growth_ids_mark().
 * O(objects) per snapshot.
 *
 * an_growth_ids_before() - remember the identities of BASE, A or S(i).
 * Returns 0, or -1 when out of memory.
 */
int an_growth_ids_before(an_growth_ids *ids, const an_snap *s);
/* leaks only: remember TARGET's objects that BASE did not have. */
int an_growth_ids_target(an_growth_ids *ids, const an_snap *s);
/*
 * an_growth_ids_mark() - the bitmaps over the later snapshot s (FINAL or
 * B): returns `gained` (with three snapshots, the objects in TARGET's new
 * ones; else those not in A) and with three snapshots sets *old to the
 * objects in BASE (else to NULL: the objects not gained).  Frees the
 * sets.  NULL when out of memory; free() the bitmaps.
 */
uint64_t *an_growth_ids_mark(an_growth_ids *ids, const an_snap *s,
                             uint64_t **old);
void an_growth_ids_free(an_growth_ids *ids);

/* ---- trend: points that grew in every step -------------------------- */

/*
 * A series follows points across the steps S1->S2, S2->S3, ...: a point
 * of a step continues a track of the previous step when its object or
 * its primary holder has the identity (address and type key) of the
 * track's object or holder.  A step grows a track when the point gained
 * objects and, from the second step on, the retained size of the object
 * whose identity matched (the whole dominator subtree, old objects
 * included) grew since the previous step by at least half the size
 * charged to the point (what it gained): a bounded container that churns
 * gains new objects at every step but does not grow.  A track "grew in
 * every step" when every step so far grew it.
 */
typedef struct an_growth_track {
    uint64_t object_address, holder_address;
    uint32_t object_name, holder_name;  /* type name ids (names below) */
    uint32_t steps;         /* consecutive steps that grew it, ending at
                               the last step added */
    uint32_t last_step;
    uint64_t count, retained;   /* gained, charged: in the last step */
    uint64_t total;         /* the point object's retained size then */
    uint64_t holder_total;  /* its primary holder's */
    uint64_t total_count;   /* gained over the steps */
} an_growth_track;

typedef struct an_growth_series {
    an_strmap *names;       /* (module, qualname) -> name id */
    an_growth_track *tracks;
    uint32_t n_tracks, cap_tracks;
    uint32_t n_steps;
} an_growth_series;

int an_growth_series_init(an_growth_series *sr);
/*
 * an_growth_series_add() - step number `step` (0, 1, ... in order):
 * the points of gr, found in snapshot s (address and type columns) whose
 * dominator tree is dt (for the points' retained sizes; NULL: gained
 * objects alone decide).  Returns 0, or -1 when out of memory.
 */
int an_growth_series_add(an_growth_series *sr, uint32_t step,
                         const an_snap *s, const an_domtree *dt,
                         const an_growth *gr);
/* Whether track t grew in every step added so far. */
int an_growth_series_grew(const an_growth_series *sr,
                          const an_growth_track *t);
void an_growth_series_free(an_growth_series *sr);

#endif /* AN_GROWTH_H */
