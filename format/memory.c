/*
 * memory.c - where the dumped process's memory was (muppy_format.h,
 * spec/format.md "Memory breakdown").
 *
 * Computed here, once, so that every reader prints the same numbers:
 * the analyzer only formats an mf_memory.
 */
#include "muppy_format.h"

#include <string.h>

/* an int metadata value, or -1 when absent (never negative when set) */
static int64_t
mf_mem_key(const mf_reader *r, const char *key, int *have)
{
    int64_t v;

    if (mf_reader_meta_int(r, key, &v) != 0 || v < 0) {
        *have = 0;
        return 0;
    }
    return v;
}

int
mf_memory_breakdown(const mf_reader *r, const mf_graph *g, mf_memory *m)
{
    const mf_type *types;
    uint32_t n_types, i;
    int64_t alloc_used;
    int have;

    memset(m, 0, sizeof(*m));
    if (g->size == NULL || g->flags == NULL || g->type == NULL) {
        return MF_E_ARG;
    }
    types = mf_reader_types(r, &n_types);
    for (i = 0; i < g->n_objects; i++) {
        int64_t s = (int64_t)g->size[i];
        uint32_t tf;

        if (!(g->flags[i] & MF_OBJ_EXTERNAL)) {
            m->objects += s;
            continue;
        }
        m->external_nodes++;
        tf = g->type[i] < n_types ? types[g->type[i]].flags : 0;
        if (tf & MF_TYPE_DEVICE) {
            m->external_device += s;
        }
        else if (tf & MF_TYPE_FILE) {
            m->external_file += s;
        }
        else {
            m->external += s;
        }
    }

    have = 1;
    m->rss = mf_mem_key(r, "rss.current", &have);
    if (!have || m->rss == 0) {
        m->missing |= MF_MEM_NO_RSS;
    }
    have = 1;
    m->file_backed = mf_mem_key(r, "rss.file", &have)
                     + mf_mem_key(r, "rss.shmem", &have);
    m->libraries = mf_mem_key(r, "rss.libraries", &have);
    if (!have) {
        m->missing |= MF_MEM_NO_MAPPINGS;
        m->file_backed = m->libraries = 0;
    }

    alloc_used = 0;
    have = 1;
    m->allocator_free = mf_mem_key(r, "pymalloc.free_bytes", &have);
    alloc_used = mf_mem_key(r, "pymalloc.used_bytes", &have);
    if (!have) {
        m->missing |= MF_MEM_NO_PYMALLOC;
        m->allocator_free = alloc_used = 0;
    }
    have = 1;
    {
        int64_t free_ = mf_mem_key(r, "malloc.free", &have);
        int64_t used = mf_mem_key(r, "malloc.in_use", &have)
                       + mf_mem_key(r, "malloc.mmapped", &have);
        int top_known = 1;
        /* the top chunk is mostly memory the heap reserved and never
         * touched: not resident, not counted (absent: 0) */
        int64_t top = mf_mem_key(r, "malloc.top", &top_known);

        if (have) {
            m->allocator_free += free_ > top ? free_ - top : 0;
            alloc_used += used;
        }
        else {
            m->missing |= MF_MEM_NO_MALLOC;
        }
    }
    /* objects and external nodes are (mostly) allocated through these
     * allocators; the rest of what they hold is native memory (without
     * pymalloc, PYTHONMALLOC=malloc, malloc holds everything) */
    if (!(m->missing & MF_MEM_NO_MALLOC)) {
        m->native = alloc_used - m->objects - m->external;
        if (m->native < 0) {
            m->native = 0;
        }
    }
    m->other = m->libraries + m->native;
    if (!(m->missing & MF_MEM_NO_RSS)) {
        m->unexplained = m->rss - m->objects - m->external
                         - m->allocator_free - m->file_backed - m->other;
    }
    return MF_OK;
}
