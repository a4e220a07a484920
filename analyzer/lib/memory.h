/*
 * memory.h - where the dumped process's resident memory was: the
 * breakdown that `info` prints and the report draws as one bar.
 *
 *   rss = objects + external + allocator_free + file_backed + other
 *         + unexplained
 *
 * The figures are the format library's (mf_memory_breakdown(), spec/
 * format.md "Memory breakdown"), so that every reader shows the same
 * numbers; this model adds the parts in the order they are shown and
 * what a bar's full width stands for.  Snapshots of format 1.0, and 1.1
 * snapshots of a process whose RSS the dumper could not read, have no
 * breakdown ("not recorded").
 */
#ifndef AN_LIB_MEMORY_H
#define AN_LIB_MEMORY_H

#include <stdint.h>

#include "base/error.h"
#include "lib/snap.h"
#include "muppy_format.h"

/* The parts, in the order they are shown (and stacked in the bar). */
typedef enum an_mem_part {
    AN_MEM_OBJECTS = 0,     /* the Python objects' sizes */
    AN_MEM_EXTERNAL,        /* external nodes in anonymous memory */
    AN_MEM_ALLOCATOR_FREE,  /* pymalloc's and malloc's resident free space */
    AN_MEM_FILE_BACKED,     /* code, libraries, mapped files, shm */
    AN_MEM_OTHER,           /* libraries' data + native allocations */
    AN_MEM_UNEXPLAINED,     /* the rest; negative when the parts add up
                               to more than the RSS */
    AN_MEM_PARTS
} an_mem_part;

/* JSON keys of the parts ("objects", "external", "allocator_free",
 * "file_backed", "other", "unexplained") and their labels for people
 * ("objects", "external nodes", "allocator free", "file-backed", ...). */
extern const char *const an_mem_part_key[AN_MEM_PARTS];
extern const char *const an_mem_part_label[AN_MEM_PARTS];

typedef struct an_memory {
    int recorded;               /* the snapshot says what its RSS was;
                                   all else is 0 when not */
    mf_memory m;                /* every figure of the breakdown */
    int64_t part[AN_MEM_PARTS]; /* bytes; they add up to m.rss exactly */
    uint64_t bar_total;         /* the bar's full width in bytes: the
                                   RSS, or the sum of the parts but
                                   unexplained when that is larger (a
                                   negative unexplained) */
} an_memory;

/*
 * an_memory_recorded() - whether s's metadata has the RSS at the dump
 * (rss.current, format 1.1): whether an_snap_memory() has anything to
 * break down.  Needs no column.
 */
int an_memory_recorded(const an_snap *s);

/*
 * an_snap_memory() - the breakdown of s into *mem (zeroed, recorded = 0,
 * when the snapshot does not have it).  Needs the type, size and flags
 * columns when recorded (AN_ERR_INPUT without them).  Linear in the
 * objects.  Returns AN_OK.
 */
an_err an_snap_memory(const an_snap *s, an_memory *mem);

#endif /* AN_LIB_MEMORY_H */
