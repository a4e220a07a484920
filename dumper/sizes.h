/*
 * sizes.h - the size of an object, exactly as sys.getsizeof reports it.
 */
#ifndef MUPPY_SIZES_H
#define MUPPY_SIZES_H

#include "types.h"

/*
 * md_size() - sys.getsizeof(o) without its allocations: __sizeof__ as
 * compat.h's mc_sizeof_kind() says (computed, a C method called directly,
 * or Python code called as sys.getsizeof does), plus the pre-header.
 * For a type with a shallow size (sizers.h), object.__sizeof__'s
 * formula (numpy.h's for an ndarray) plus the pre-header instead.
 * A __sizeof__ that raises an Exception or returns a non-int or a
 * negative number gives the basic size plus pre-header, and
 * MF_OBJ_SIZE_FALLBACK in *flags.  Before running Python code it makes
 * every queued object owned (md_own_all()) and checks for signals.
 * Returns -1 only when the dump must stop (a KeyboardInterrupt or other
 * non-Exception raised, e.g. by a signal handler): d->failed is set.
 */
int md_size(md_state *d, PyObject *o, md_tinfo *ti, uint64_t *size,
            uint32_t *flags);

#endif /* MUPPY_SIZES_H */
