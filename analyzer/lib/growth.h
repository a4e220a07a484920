/*
 * growth.h - where a heap grows: new objects grouped by their
 * accumulation point, the object through which they are held.
 *
 * Input: the later snapshot's graph (its dominator tree and shortest
 * paths) and two bitmaps over its objects: `old`, the objects that were
 * in the earlier snapshot, and `gained`, the new objects to account for.
 * Three front-ends feed it (objset.h makes the bitmaps):
 *
 *   leaks BASE TARGET FINAL   graph FINAL, old = in BASE, gained = new in
 *                             TARGET and still in FINAL; what FINAL
 *                             allocated after TARGET is neither (leaks.h)
 *   diff A B --growth         graph B, old = in A, gained = the others
 *   trend S1 .. Sn --growth   each step as diff, points followed across
 *                             the steps (trend.h)
 *
 * "In" means an object with the same identity: address, type key, and
 * name for the objects that have one (objset.h).
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
#ifndef AN_LIB_GROWTH_H
#define AN_LIB_GROWTH_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/sbuf.h"
#include "lib/bfs.h"
#include "lib/dominators.h"
#include "lib/graph.h"
#include "lib/roots.h"
#include "lib/shapes.h"
#include "lib/snap.h"

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
 * object also old counts as old).  Returns AN_OK, or AN_ERR_NOMEM (out is
 * then empty).  Free with an_growth_free().
 */
an_err an_growth_find(const an_graph *g, const uint64_t *size,
                      const an_domtree *dt, const an_bfs_result *bfs,
                      const uint64_t *old, const uint64_t *gained,
                      const an_growth_opts *opts, an_growth *out);
void an_growth_free(an_growth *gr);

/*
 * an_growth_path() - one path from object `from` to gained object x into
 * objs (cap entries) and edges (the edge into objs[k] at edges[k],
 * edges[0] unused): the edge from `from` to x when there is one (a
 * strong one first), else the shortest path's tail from `from` (it
 * dominates x, or holds the unit of x); when `from` is not on x's
 * shortest path, the whole shortest path from a root, and *from_root is
 * set.  Returns the number of objects (0 when x is unreached; when it is
 * larger than cap nothing is written).  O(path length x log n + from's
 * out-degree).
 */
uint32_t an_growth_path(const an_graph *g, const an_bfs_result *bfs,
                        uint32_t from, uint32_t x, uint32_t *objs,
                        uint64_t *edges, uint32_t cap, int *from_root);

/*
 * an_growth_label() - a short name of object obj of s for people, into
 * buf: the nearest object on its shortest path (bfs) that is no plain
 * container (dict, list, tuple, set, frozenset, deque, OrderedDict,
 * defaultdict, cell, mappingproxy) - by its name when it has one (a
 * class, a function, a module), else by its type and the str key it is
 * held under - then the labels of the steps from it to obj, an
 * instance's `.__dict__` left out: "Session ._new",
 * "Logger 'app' .handlers", "AuditRecord .registry"; an lru_cache's
 * dict is "PriceCalculator.quote's lru_cache".  A path of plain
 * containers only starts at its root ("sys.modules['m'] ['CACHE']").
 * Needs the snapshot's address, type, name, edge, edge kind and label
 * columns.  Returns the length written (cut to cap - 1), or 0 when no
 * root reaches obj.  O(path length x log n).
 */
size_t an_growth_label(const an_snap *s, const an_roots *roots,
                       const an_bfs_result *bfs, uint32_t obj, char *buf,
                       size_t cap);

/* ---- the points of a snapshot, as shown --------------------------------- */

/*
 * The front-ends' common part: a snapshot's roots, dominator tree,
 * shortest paths and points (an_growth_run), and the points they show
 * (an_points): each with everything render/ prints, computed while the
 * shortest paths exist.  An entry is named by its container: the point
 * for a holder; for a new structure, the outermost new object (the head:
 * the new Logger) with the steps down to where it fans out (its
 * `.handlers` list).
 */
typedef struct an_growth_run {
    an_roots roots;
    an_domtree dt;
    an_bfs_result bfs;
    an_growth gr;
} an_growth_run;

/*
 * an_growth_run_compute() - roots, dominator tree and shortest paths of s
 * (address, type, size, edge, edge kind and label columns loaded), then
 * the points of `gained` (an_growth_find(); `members`: fill
 * gr.group_of).  Returns AN_OK, AN_ERR_NOMEM or AN_ERR_TOO_LARGE.  Free
 * with an_growth_run_free() in every case.
 */
an_err an_growth_run_compute(an_growth_run *run, const an_snap *s,
                             const uint64_t *old, const uint64_t *gained,
                             int members);
void an_growth_run_free(an_growth_run *run);

/* A type of what a point gained. */
typedef struct an_point_type {
    uint32_t key;           /* type key in the snapshot */
    uint64_t count, size;
} an_point_type;

/* Another holder of a point's gained objects. */
typedef struct an_point_holder {
    uint32_t object;
    char *label;
    uint32_t units;
    uint64_t count;
} an_point_holder;

/* One point as shown. */
typedef struct an_point_view {
    uint32_t rank;          /* its index in the model (0: the first) */
    an_growth_point pt;     /* the model's figures */
    uint32_t object;        /* the entry's object: the holder, or the
                               head of a new structure */
    char *label;            /* its name (an_growth_label()), with the
                               steps down to where a new structure fans
                               out */
    an_pathbuf path;        /* from a root to `object` */
    an_pathbuf fans_out;    /* a new structure: from the head to the
                               point (len 0 when the head is the point) */
    an_pathbuf example;     /* from `object` to a gained object */
    an_point_type *types;   /* gained objects by type, most first */
    uint32_t n_types;
    an_point_holder *holders;   /* the other holders, most first */
    uint32_t n_holders;
    uint64_t *members;      /* with `members`: the addresses of the
                               objects charged to it */
    uint64_t n_members;
    uint64_t *per_step;     /* trend: gained objects per step, or NULL */
    uint32_t n_steps;
} an_point_view;

typedef struct an_points {
    an_roots roots;         /* the snapshot's tier-1 roots (the paths') */
    uint64_t gained_count, gained_size;     /* reachable gained objects */
    uint64_t unreachable_count, unreachable_size;
    uint32_t n_points;      /* points in the model */
    uint64_t min_count;     /* shown: points of at least this many */
    uint64_t n_shown;       /* how many there are */
    uint64_t newer_points;  /* points left out as `newer` (likely address
                               reuse), and their gained objects */
    uint64_t newer_count;
    uint64_t retained;      /* their retained sizes (--fail-above) */
    an_point_view *listed;  /* the first of them, in rank order */
    uint32_t n_listed;
} an_points;

/* How many holders, types a view keeps at most. */
#define AN_POINT_HOLDERS 8
#define AN_POINT_TYPES 16

/*
 * an_points_select() - the points of run of at least min_count gained
 * objects: how many and their retained sizes into p, and the first `top`
 * of them shown (an_points_show()).  Without `with_newer`, the points
 * whose gained objects are held only through objects newer than them
 * (`newer`: in leaks, transient objects whose addresses FINAL's new
 * objects reused) are left out and only counted.  Returns AN_OK or
 * AN_ERR_NOMEM.
 * Free with an_points_free() in every case.
 */
an_err an_points_select(an_points *p, const an_snap *s,
                        const an_growth_run *run, uint64_t min_count,
                        uint64_t top, int members, int with_newer);

/*
 * an_points_show() - add to p's list the views of points `ranks[0..n)`
 * of run (indices into run->gr.points).  With `members`, each lists the
 * addresses of the objects charged to it (run computed with members).
 * Returns AN_OK or AN_ERR_NOMEM.
 */
an_err an_points_show(an_points *p, const an_snap *s,
                      const an_growth_run *run, const uint32_t *ranks,
                      uint32_t n, int members);
void an_points_free(an_points *p);

/*
 * an_point_types_text() - "602 list, 600 ReferenceType, 301 str and 4
 * more types": the first `max` types of what a point gained, appended
 * to out.
 */
void an_point_types_text(an_sbuf *out, const an_snap *s,
                         const an_point_view *v, uint32_t max);
/* "300 keys, 300 values, 12 indirect": how its units hang, appended. */
void an_point_hang_text(an_sbuf *out, const an_point_view *v);

#endif /* AN_LIB_GROWTH_H */
