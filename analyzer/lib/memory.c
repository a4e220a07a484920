/*
 * memory.c - the memory breakdown of a snapshot (memory.h).
 */
#include "lib/memory.h"

#include <string.h>

const char *const an_mem_part_key[AN_MEM_PARTS] = {
    "objects", "external", "allocator_free", "file_backed", "other",
    "unexplained",
};

const char *const an_mem_part_label[AN_MEM_PARTS] = {
    "objects", "external nodes", "allocator free", "file-backed", "other",
    "unexplained",
};

int
an_memory_recorded(const an_snap *s)
{
    int64_t rss;

    return s->reader != NULL
           && mf_reader_meta_int(s->reader, "rss.current", &rss) == 0
           && rss > 0;
}

an_err
an_snap_memory(const an_snap *s, an_memory *mem)
{
    const mf_memory *m = &mem->m;
    uint64_t shown = 0;

    memset(mem, 0, sizeof(*mem));
    if (!an_memory_recorded(s)) {
        return AN_OK;
    }
    if (mf_memory_breakdown(s->reader, &s->cols, &mem->m) != MF_OK) {
        memset(mem, 0, sizeof(*mem));
        return AN_ERR_INPUT;
    }
    mem->recorded = !(m->missing & MF_MEM_NO_RSS);
    if (!mem->recorded) {
        memset(mem, 0, sizeof(*mem));
        return AN_OK;
    }
    mem->part[AN_MEM_OBJECTS] = m->objects;
    mem->part[AN_MEM_EXTERNAL] = m->external;
    mem->part[AN_MEM_ALLOCATOR_FREE] = m->allocator_free;
    mem->part[AN_MEM_FILE_BACKED] = m->file_backed;
    mem->part[AN_MEM_OTHER] = m->other;
    mem->part[AN_MEM_UNEXPLAINED] = m->unexplained;
    for (int p = 0; p < AN_MEM_UNEXPLAINED; p++) {
        shown += (uint64_t)mem->part[p];
    }
    /* a negative unexplained has no place in the bar: the parts then
     * overrun the RSS, and the bar's width is their sum */
    mem->bar_total = shown > (uint64_t)m->rss ? shown : (uint64_t)m->rss;
    return AN_OK;
}
