/*
 * test_memory.c - the memory breakdown (lib/memory.h) and external nodes
 * in the analyzer's models, on random heaps with external nodes and
 * random memory metadata (theap.h), against the formulas of spec/
 * format.md ("Memory breakdown") computed here from the heap's own
 * model: every part, the parts adding up to the RSS exactly, the parts a
 * file lacks counted 0, no breakdown without rss.current; which objects
 * are external nodes (an_snap_is_external()), summary's totals of them,
 * and their V8 node type (native).
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/heapsnapshot.h"
#include "lib/memory.h"
#include "lib/snap.h"
#include "lib/summary.h"
#include "theap.h"
#include "unit.h"

/* the external types a heap gets, after the default ones */
static const th_type ext_types[] = {
    {"<external>", "numpy data", MF_TYPE_EXTERNAL},
    {"<external>", "torch storage", MF_TYPE_EXTERNAL},
    {"<external>", "mmap.mmap (file)", MF_TYPE_EXTERNAL | MF_TYPE_FILE},
    {"<external>", "torch storage (cuda)",
     MF_TYPE_EXTERNAL | MF_TYPE_DEVICE},
};
#define N_EXT (sizeof(ext_types) / sizeof(ext_types[0]))

/* The memory keys, by group: a round drops whole groups. */
enum { G_RSS, G_MAPPINGS, G_PYMALLOC, G_MALLOC, G_TOP, G_GROUPS };
static const struct {
    const char *key;
    int group;
} mem_keys[] = {
    {"rss.current", G_RSS},
    {"rss.file", G_MAPPINGS}, {"rss.shmem", G_MAPPINGS},
    {"rss.libraries", G_MAPPINGS},
    {"pymalloc.used_bytes", G_PYMALLOC}, {"pymalloc.free_bytes", G_PYMALLOC},
    {"malloc.in_use", G_MALLOC}, {"malloc.free", G_MALLOC},
    {"malloc.mmapped", G_MALLOC},
    {"malloc.top", G_TOP},
};
#define N_KEYS (sizeof(mem_keys) / sizeof(mem_keys[0]))

/* A random heap with some external nodes, each held by 1-3 objects
 * (storage that views share), and the memory keys of the groups in
 * `have` (bits 1 << G_*) with random values around the heap's size. */
static void
random_heap(theap *h, unsigned have, int64_t *value)
{
    uint32_t n_obj, n_ext = 1 + th_randn(20);

    th_random(h, 50 + th_randn(300), 2, 7);
    n_obj = h->n;
    for (uint32_t t = 0; t < N_EXT; t++) {
        h->types[h->n_types] = ext_types[t];
        h->type_order[h->n_types] = h->n_types;
        h->n_types++;
    }
    for (uint32_t k = 0; k < n_ext; k++) {
        uint32_t type = h->n_types - N_EXT + th_randn(N_EXT);
        uint32_t x = th_add(h, 0x10000000ull + 0x1000ull * k, type,
                            1 + th_randn(1u << 20));

        for (uint32_t r = 0, holders = 1 + th_randn(3); r < holders; r++) {
            th_edge_add(h, th_randn(n_obj), x, MF_EDGE_FIELD, 0);
        }
    }
    h->n_meta = 0;
    for (uint32_t i = 0; i < N_KEYS; i++) {
        value[i] = (int64_t)th_randn(1u << 22);
        if (mem_keys[i].group == G_RSS) {
            value[i] += 1;      /* 0 would say "no RSS" */
        }
        if (have & (1u << mem_keys[i].group)) {
            h->meta[h->n_meta].key = mem_keys[i].key;
            h->meta[h->n_meta].value = value[i];
            h->n_meta++;
        }
        else {
            value[i] = -1;
        }
    }
}

/* the value of key i, or 0 when absent */
static int64_t
v(const int64_t *value, const char *key)
{
    for (uint32_t i = 0; i < N_KEYS; i++) {
        if (strcmp(mem_keys[i].key, key) == 0) {
            return value[i] < 0 ? 0 : value[i];
        }
    }
    return 0;
}

static void
test_breakdown(void)
{
    for (int round = 0; round < 200; round++) {
        unsigned have = round < 40 ? (1u << G_GROUPS) - 1
                                   : (unsigned)th_randn(1u << G_GROUPS);
        int64_t value[N_KEYS], objects = 0, external = 0, ext_file = 0;
        int64_t ext_device = 0, alloc_free = 0, file_backed = 0;
        int64_t libraries = 0, native = 0, alloc_used = 0, sum = 0;
        uint64_t n_ext = 0;
        theap h;
        an_snap s;
        an_memory mem;

        random_heap(&h, have, value);
        CU_ASSERT_EQUAL_FATAL(th_open(&h, &s, MF_COL_TYPE | MF_COL_SIZE
                                                  | MF_COL_FLAGS), 0);
        /* the model's figures, by the spec's formulas */
        for (uint32_t i = 0; i < h.n; i++) {
            uint32_t f = h.types[h.objs[i].type].flags;
            int64_t size = (int64_t)h.objs[i].size;

            CU_ASSERT_EQUAL(an_snap_is_external(&s, i),
                            (f & MF_TYPE_EXTERNAL) != 0);
            if (!(f & MF_TYPE_EXTERNAL)) {
                objects += size;
                continue;
            }
            n_ext++;
            if (f & MF_TYPE_DEVICE) {
                ext_device += size;
            }
            else if (f & MF_TYPE_FILE) {
                ext_file += size;
            }
            else {
                external += size;
            }
        }
        if (have & (1u << G_MAPPINGS)) {
            file_backed = v(value, "rss.file") + v(value, "rss.shmem");
            libraries = v(value, "rss.libraries");
        }
        if (have & (1u << G_PYMALLOC)) {
            alloc_free = v(value, "pymalloc.free_bytes");
            alloc_used = v(value, "pymalloc.used_bytes");
        }
        if (have & (1u << G_MALLOC)) {
            int64_t top = v(value, "malloc.top");
            int64_t fr = v(value, "malloc.free");

            alloc_free += fr > top ? fr - top : 0;
            alloc_used += v(value, "malloc.in_use")
                          + v(value, "malloc.mmapped");
            native = alloc_used - objects - external;
            native = native < 0 ? 0 : native;
        }

        CU_ASSERT_EQUAL(an_memory_recorded(&s), (have & 1u << G_RSS) != 0);
        CU_ASSERT_EQUAL(an_snap_memory(&s, &mem), AN_OK);
        if (!(have & (1u << G_RSS))) {
            /* nothing to break down: all zero */
            an_memory zero;

            memset(&zero, 0, sizeof(zero));
            CU_ASSERT_EQUAL(mem.recorded, 0);
            CU_ASSERT(memcmp(&mem, &zero, sizeof(mem)) == 0);
        }
        else {
            int64_t rss = v(value, "rss.current");
            int64_t expect[AN_MEM_PARTS] = {
                objects, external, alloc_free, file_backed,
                libraries + native, 0,
            };
            uint64_t positive = 0;

            expect[AN_MEM_UNEXPLAINED] = rss - objects - external
                                         - alloc_free - file_backed
                                         - libraries - native;
            CU_ASSERT_EQUAL(mem.recorded, 1);
            CU_ASSERT_EQUAL(mem.m.rss, rss);
            for (int p = 0; p < AN_MEM_PARTS; p++) {
                CU_ASSERT_EQUAL(mem.part[p], expect[p]);
                sum += mem.part[p];
                if (p != AN_MEM_UNEXPLAINED) {
                    CU_ASSERT(mem.part[p] >= 0);
                    positive += (uint64_t)mem.part[p];
                }
            }
            CU_ASSERT_EQUAL(sum, rss);
            CU_ASSERT_EQUAL(mem.m.libraries, libraries);
            CU_ASSERT_EQUAL(mem.m.native, native);
            CU_ASSERT_EQUAL(mem.m.external_file, ext_file);
            CU_ASSERT_EQUAL(mem.m.external_device, ext_device);
            CU_ASSERT_EQUAL(mem.m.external_nodes, n_ext);
            CU_ASSERT_EQUAL(mem.bar_total, positive > (uint64_t)rss
                                               ? positive : (uint64_t)rss);
            CU_ASSERT_EQUAL((mem.m.missing & MF_MEM_NO_MAPPINGS) != 0,
                            !(have & (1u << G_MAPPINGS)));
            CU_ASSERT_EQUAL((mem.m.missing & MF_MEM_NO_PYMALLOC) != 0,
                            !(have & (1u << G_PYMALLOC)));
            CU_ASSERT_EQUAL((mem.m.missing & MF_MEM_NO_MALLOC) != 0,
                            !(have & (1u << G_MALLOC)));
        }
        an_snap_close(&s);
        th_free(&h);
    }
}

/* Without the flags column a recorded breakdown cannot be computed: an
 * error, never a wrong figure. */
static void
test_needs_columns(void)
{
    int64_t value[N_KEYS];
    theap h;
    an_snap s;
    an_memory mem;

    random_heap(&h, (1u << G_GROUPS) - 1, value);
    CU_ASSERT_EQUAL_FATAL(th_open(&h, &s, MF_COL_TYPE | MF_COL_SIZE), 0);
    CU_ASSERT_EQUAL(an_snap_memory(&s, &mem), AN_ERR_INPUT);
    CU_ASSERT_EQUAL(mem.recorded, 0);
    an_snap_close(&s);
    th_free(&h);
}

/* A hostile file's sizes (near 2^64) saturate, never overflow (the
 * sanitizer build checks): the parts stay within int64_t. */
static void
test_hostile_sizes(void)
{
    int64_t value[N_KEYS];
    theap h;
    an_snap s;
    an_memory mem;

    random_heap(&h, (1u << G_GROUPS) - 1, value);
    for (uint32_t i = 0; i < h.n; i++) {
        h.objs[i].size = UINT64_MAX - i;
    }
    CU_ASSERT_EQUAL_FATAL(th_open(&h, &s, MF_COL_TYPE | MF_COL_SIZE
                                              | MF_COL_FLAGS), 0);
    CU_ASSERT_EQUAL(an_snap_memory(&s, &mem), AN_OK);
    CU_ASSERT_EQUAL(mem.recorded, 1);
    CU_ASSERT_EQUAL(mem.part[AN_MEM_OBJECTS], INT64_MAX);
    CU_ASSERT(mem.part[AN_MEM_UNEXPLAINED] < 0);
    an_snap_close(&s);
    th_free(&h);
}

/* summary's totals of external nodes and the heapsnapshot's node type */
static void
test_external_in_models(void)
{
    for (int round = 0; round < 30; round++) {
        int64_t value[N_KEYS];
        uint64_t count = 0, size = 0;
        theap h;
        an_snap s;
        an_summary by_type, by_module;

        random_heap(&h, 0, value);
        CU_ASSERT_EQUAL_FATAL(th_open(&h, &s, MF_COL_ALL), 0);
        for (uint32_t i = 0; i < h.n; i++) {
            int ext = (h.types[h.objs[i].type].flags & MF_TYPE_EXTERNAL) != 0;

            count += ext;
            size += ext ? h.objs[i].size : 0;
            CU_ASSERT_EQUAL(an_hs_key_node_type(&s, an_snap_key_of(&s, i))
                                == AN_HS_NODE_NATIVE, ext);
        }
        CU_ASSERT_EQUAL_FATAL(an_summary_compute(&s, 0, NULL, 0,
                                                 AN_SUMMARY_BY_SIZE,
                                                 &by_type), AN_OK);
        CU_ASSERT_EQUAL_FATAL(an_summary_compute(&s, 1, NULL, 0,
                                                 AN_SUMMARY_BY_SIZE,
                                                 &by_module), AN_OK);
        CU_ASSERT_EQUAL(by_type.external_count, count);
        CU_ASSERT_EQUAL(by_type.external_size, size);
        CU_ASSERT_EQUAL(by_module.external_count, count);
        CU_ASSERT_EQUAL(by_module.external_size, size);
        an_summary_free(&by_type);
        an_summary_free(&by_module);
        an_snap_close(&s);
        th_free(&h);
    }
}

int
main(void)
{
    static const unit_test tests[] = {
        {"memory breakdown against the spec's formulas", test_breakdown},
        {"memory breakdown needs the flags", test_needs_columns},
        {"memory breakdown of absurd sizes", test_hostile_sizes},
        {"external nodes in summary and heapsnapshot",
         test_external_in_models},
        {NULL, NULL},
    };

    return unit_run("memory", tests);
}
