/*
 * background.h - a dump written by a forked child, so that the process
 * being dumped pauses only for the fork (background.c says how).
 *
 * Part of the module glue: it runs the core's md_dump() in the child,
 * with an md_child saying which process the snapshot describes.
 */
#ifndef MUPPY_BACKGROUND_H
#define MUPPY_BACKGROUND_H

#include "dump.h"

/*
 * md_dump_background() - fork; the child runs md_dump(path, opt) on its
 * copy-on-write image of the heap and reports on a pipe (background.c
 * says what it writes), while this process returns at once.  Sets *pid,
 * *result_fd (the pipe's read end, close-on-exec) and *pause (seconds
 * the caller was held).  `watchdog` (seconds, > 0) ends a child that
 * runs longer.  Returns 0, or -1 with an exception set.
 */
int md_dump_background(const char *path, const md_options *opt,
                       unsigned watchdog, long *pid, int *result_fd,
                       double *pause);

#endif /* MUPPY_BACKGROUND_H */
