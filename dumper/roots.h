/*
 * roots.h - the snapshot's roots: where the analyzer's paths start.
 *
 * SYS_MODULES (the dict), MODULE for each of its entries (label: the
 * name), BUILTINS, GC_GARBAGE, and THREAD roots from every thread's
 * running frames (compat.h's mc_thread_frames(): no frame object is
 * created), labeled "thread <id> <func>() <what> ['<name>']".
 */
#ifndef MUPPY_ROOTS_H
#define MUPPY_ROOTS_H

#include "state.h"

/* create the interned strings the roots need (0, or -1 with an
 * exception); called once, before the first dump */
int md_roots_init(void);

/* write the roots, numbering the objects only they reach (0, or -1 with
 * the exception set) */
int md_roots(md_state *d);

#endif /* MUPPY_ROOTS_H */
