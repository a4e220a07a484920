/*
 * edges.h - the labeled referents of one object.
 *
 * The edges are tp_traverse's referents (exactly gc.get_referents), then
 * labeled by matching the object's known references by address: list
 * and tuple items (INDEX), dict values by key (KEY_STR, KEY_INT,
 * KEY_OTHER), set items (SET_ITEM), and compat.h's mc_fields() (FIELD,
 * ATTR).  Extras that tp_traverse does not report are appended: DICT_KEY
 * edges to the keys of str-keyed dicts, FIELD edges of static types and
 * of non-gc objects that hold references, and weak FIELD edges to weak
 * references' referents.  Other edges stay REF.
 */
#ifndef MUPPY_EDGES_H
#define MUPPY_EDGES_H

#include "types.h"

/*
 * md_edges() - collect the edges of o into d->te[0..d->nte): is_gc says
 * whether tp_traverse may run (mc_is_gc()), ti is o's type entry.
 * Returns 0, or -1 with the exception set.
 */
int md_edges(md_state *d, PyObject *o, int is_gc, const md_tinfo *ti);

/* free the edge buffers: after each object, those a huge object grew
 * (md_edges_trim()); at the end of the dump, all (md_edges_free()) */
void md_edges_trim(md_state *d);
void md_edges_free(md_state *d);

#endif /* MUPPY_EDGES_H */
