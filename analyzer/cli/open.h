/*
 * open.h - snapshots opened and loaded for a command: a progress display
 * on a terminal, the error said on stderr, the exit status returned.
 */
#ifndef AN_CLI_OPEN_H
#define AN_CLI_OPEN_H

#include <stdint.h>

#include "lib/snap.h"
#include "render/outfile.h"

/*
 * an_open() - open a snapshot (MF_READ_PARTIAL when `partial`) with a
 * progress display on a terminal.  Prints the error and returns the exit
 * status on failure (the snapshot is then closed), 0 on success.
 */
int an_open(an_snap *s, const char *path, int partial);
/*
 * an_load() - load columns, warn once on stderr when the file is
 * partial.  Prints the error and returns the exit status on failure
 * (the snapshot stays open: close it), 0 on success.
 */
int an_load(an_snap *s, unsigned columns);

/*
 * an_object_at() - the index of the object at `address` (an ADDRESS
 * argument; the address column loaded), or MF_NONE after printing
 * "'x.snap': no object at address 0x..." (exit 1).
 */
uint32_t an_object_at(const an_snap *s, uint64_t address);

/*
 * Output files (render/outfile.h) with their failures said on stderr:
 * each returns 0, or prints what went wrong ("cannot write 'x.html':
 * No space left on device") and returns AN_EXIT_INPUT, the outfile
 * closed and its temporary file removed.
 */
int an_output_open(an_outfile *o, const char *path);
/* The folder `dir`, made when missing: 0, or the message and
 * AN_EXIT_INPUT ("cannot create 'DIR': Not a directory"). */
int an_output_dir(const char *dir);
int an_output_finish(an_outfile *o);
int an_output_commit(an_outfile *o);

#endif /* AN_CLI_OPEN_H */
