/*
 * memstats.c - where the process's memory is (memstats.h).
 *
 * Every reader is best effort: a file that cannot be read leaves its
 * figures at -1 (unknown), never fails the dump.
 */
#include "compat.h"       /* Python.h first: _GNU_SOURCE for dladdr */
#include "dump.h"
#include "memstats.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__GLIBC__)
#  include <malloc.h>
#endif

/* RssAnon, RssFile, RssShmem of /proc/PID/status (kB) */
static void
md_status_rss(md_memstats *m, const char *proc_dir)
{
    char path[96], line[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/status", proc_dir);
    f = fopen(path, "r");
    if (f == NULL) {
        return;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        long long *v = strncmp(line, "RssAnon:", 8) == 0 ? &m->rss_anon
                       : strncmp(line, "RssFile:", 8) == 0 ? &m->rss_file
                       : strncmp(line, "RssShmem:", 9) == 0 ? &m->rss_shmem
                       : NULL;

        if (v != NULL) {
            *v = strtoll(strchr(line, ':') + 1, NULL, 10) * 1024;
        }
    }
    fclose(f);
}

/*
 * The written pages of file mappings (the "Anonymous:" of mappings with
 * a path in /proc/PID/smaps): libraries' data, relocations and bss that
 * the loader or the program wrote, counted in RssAnon.  smaps walks the
 * page tables: about 1 ms per 100 MB resident (smaps_rollup costs the
 * same and has no per-mapping figure).
 */
static void
md_smaps_libraries(md_memstats *m, const char *proc_dir)
{
    char path[96], line[512];
    long long total = 0;
    int file = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/smaps", proc_dir);
    f = fopen(path, "r");
    if (f == NULL) {
        return;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        char *p;

        if (strncmp(line, "Anonymous:", 10) == 0) {
            if (file) {
                total += strtoll(line + 10, NULL, 10) * 1024;
            }
            continue;
        }
        /* a mapping's first line: "lo-hi perms offset dev inode  path" */
        if (line[0] < '0' || (line[0] > '9' && line[0] < 'a')
            || line[0] > 'f' || strchr(line, '-') == NULL) {
            continue;
        }
        p = strchr(line, '/');
        file = p != NULL && strncmp(p, "/dev/zero", 9) != 0
               && strncmp(p, "/SYSV", 5) != 0
               && strncmp(p, "/memfd:", 7) != 0;
    }
    fclose(f);
    m->rss_libraries = total;
}

/*
 * 1 if malloc is the C library's: not jemalloc, tcmalloc, mimalloc or a
 * sanitizer's, preloaded (then glibc's figures are not the process's).
 * Told by their symbols: dladdr() of malloc's address names the
 * executable where it has a canonical PLT entry (Debian's python3.14).
 */
static int
md_malloc_is_libc(void)
{
    static const char *const others[] = {
        "__asan_init", "__hwasan_init", "__msan_init", "__tsan_init",
        "__lsan_ignore_object", "mallctl", "je_mallctl", "tc_malloc",
        "mi_malloc", "rpmalloc"};
    size_t i;

    for (i = 0; i < sizeof(others) / sizeof(*others); i++) {
        if (dlsym(RTLD_DEFAULT, others[i]) != NULL) {
            return 0;
        }
    }
    return 1;
}

static void
md_malloc_stats(md_memstats *m)
{
    if (!md_malloc_is_libc()) {
        return;
    }
    {
#if defined(__GLIBC__) && (__GLIBC__ > 2 \
                           || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 mi = mallinfo2();

    m->ml_heap = (long long)mi.arena;
    m->ml_in_use = (long long)mi.uordblks;
    m->ml_free = (long long)mi.fordblks;
    m->ml_mmapped = (long long)mi.hblkhd;
    m->ml_top = (long long)mi.keepcost;
#elif defined(__GLIBC__)
    /* int fields: they wrap above 2 GiB, as unsigned they hold 4 GiB */
    struct mallinfo mi = mallinfo();

    m->ml_heap = (long long)(unsigned)mi.arena;
    m->ml_in_use = (long long)(unsigned)mi.uordblks;
    m->ml_free = (long long)(unsigned)mi.fordblks;
    m->ml_mmapped = (long long)(unsigned)mi.hblkhd;
    m->ml_top = (long long)(unsigned)mi.keepcost;
#else
    (void)m;
#endif
    }
}

void
md_memstats_read(md_memstats *m, const char *proc_dir)
{
    double t0 = md_now();
    mc_pymalloc pm;

    m->rss_anon = m->rss_file = m->rss_shmem = m->rss_libraries = -1;
    m->pm_arenas = m->pm_arena_bytes = m->pm_used_bytes = -1;
    m->pm_unused_bytes = -1;
    m->ml_heap = m->ml_in_use = m->ml_free = m->ml_mmapped = -1;
    m->ml_top = -1;
    /* the allocators first: reading /proc allocates (stdio buffers) */
    if (mc_pymalloc_stats(&pm) == 0) {
        m->pm_arenas = pm.arenas;
        m->pm_arena_bytes = pm.arena_bytes;
        m->pm_used_bytes = pm.used_bytes;
        m->pm_unused_bytes = pm.unused_bytes;
    }
    md_malloc_stats(m);
    md_status_rss(m, proc_dir);
    md_smaps_libraries(m, proc_dir);
    m->seconds = md_now() - t0;
}
