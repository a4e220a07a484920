/*
 * sizers.h - what a type's instances hold outside Python objects, and
 * the types whose __sizeof__ is deep.
 *
 * Decided once per type (md_sizers_type()), from what muppy.dump()
 * passes (dumper/muppy/__init__.py: register_sizer(),
 * register_deep_sizeof()):
 *   - a sizer registered for a class of the type's mro (a type object,
 *     or "module.qualname" matched against each class's names): called
 *     for each instance, it reports external nodes (external.h); with a
 *     key function, called only for a key (an address) not seen yet;
 *   - shallow sizes: an instance of a type with a sizer or of numpy's
 *     ndarray gets its own size, object.__sizeof__'s formula plus the
 *     pre-header (numpy.h's for an ndarray); one whose __sizeof__
 *     resolves to a class registered as deep (pandas' PandasObject...)
 *     gets what that class's super().__sizeof__() would give (the next
 *     C __sizeof__ of the mro: list.__sizeof__ for pandas' FrozenList,
 *     a list; else object.__sizeof__'s formula).  The deep __sizeof__ is
 *     never called.
 *
 * Calling a sizer runs Python code: the pipeline is drained and every
 * queued object owned first (as for a Python-level __sizeof__), and the
 * sizer is called before the object's edges are collected.  Its
 * temporaries die with the call; a sizer must not keep anything.  A
 * sizer that raises an Exception or returns nonsense is skipped and
 * counted (dump.sizer_errors, dump.sizer_error); KeyboardInterrupt and
 * other BaseExceptions stop the dump.
 *
 * What a sizer returns: None, a node tuple, or a list/tuple of node
 * tuples (at most MD_SIZER_NODES), a node tuple being
 *     (name, address, size[, label[, memory]])
 * name a str (the kind of memory: "torch storage"), address an int >= 0
 * or None (a node of this object alone: the object's address + 1, 3...),
 * size an int >= 0 (0: no node), label a str (the edge's FIELD name,
 * default "data"), memory "host" (default) or "device".
 */
#ifndef MUPPY_SIZERS_H
#define MUPPY_SIZERS_H

#include "types.h"

#define MD_SIZER_NODES MD_SZPEND

/* fill ti's sizer, keyfn and shallow fields for type tp, and its skind
 * when shallow (no Python code runs); 0, or -1 with the exception set */
int md_sizers_type(md_state *d, PyTypeObject *tp, md_tinfo *ti);

/*
 * md_sizer_call() - run o's sizer (ti->sizer) and keep its nodes for
 * md_sizer_edges().  The caller has drained the pipeline.  Returns 0, or
 * -1 when the dump must stop (d->failed set).
 */
int md_sizer_call(md_state *d, PyObject *o, const md_tinfo *ti);

/* append the edges to the nodes md_sizer_call() kept (0, or -1) */
int md_sizer_edges(md_state *d, PyObject *o);

/* free the sizers' buffers */
void md_sizers_free(md_state *d);

#endif /* MUPPY_SIZERS_H */
