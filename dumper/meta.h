/*
 * meta.h - the snapshot's metadata: about the interpreter, the process
 * (from /proc) and the dump's options.  Keys: spec/format.md.
 */
#ifndef MUPPY_META_H
#define MUPPY_META_H

#include "state.h"

/* write the metadata keys, all but dump.seconds (0, or -1 with the
 * exception set) */
int md_meta(md_state *d);

/* the keys known at the end of the walk (dump.shallow_*, dump.external_*,
 * dump.sizer_*); 0, or -1 */
int md_meta_end(md_state *d);

#endif /* MUPPY_META_H */
