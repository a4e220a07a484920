/*
 * memstats.h - where the process's memory is at the dump: the resident
 * set (anonymous, file-backed, shared, libraries' written pages), the
 * pymalloc arenas and malloc's heaps.
 *
 * Read first thing in md_dump(), before the dump allocates anything, so
 * that it describes the heap the snapshot holds; in a background dump's
 * child, the allocators' state is the parent's at the fork (the child's
 * memory is a copy of it) and the /proc figures are the parent's.
 * Written as metadata (spec: rss.*, pymalloc.*, malloc.*), from which
 * format/'s mf_memory_breakdown() explains the RSS.  malloc's figures
 * are glibc's mallinfo2(), left out when malloc is not glibc's (another
 * allocator or a sanitizer's, preloaded).
 */
#ifndef MUPPY_MEMSTATS_H
#define MUPPY_MEMSTATS_H

#include <stdint.h>

/* -1: unknown (the key is not written) */
typedef struct md_memstats {
    long long rss_anon, rss_file, rss_shmem;    /* /proc/PID/status */
    long long rss_libraries;    /* Anonymous: of file mappings (smaps) */
    long long pm_arenas, pm_arena_bytes, pm_used_bytes; /* pymalloc */
    long long pm_unused_bytes;
    long long ml_heap, ml_in_use, ml_free, ml_mmapped;  /* malloc */
    long long ml_top;           /* the top chunk, releasable */
    double seconds;             /* how long reading them took */
} md_memstats;

/* read them, for the process whose /proc directory is proc_dir
 * ("/proc/self" or "/proc/<parent>") */
void md_memstats_read(md_memstats *m, const char *proc_dir);

#endif /* MUPPY_MEMSTATS_H */
