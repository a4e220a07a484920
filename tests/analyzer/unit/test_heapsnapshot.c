/*
 * test_heapsnapshot.c - the V8 heap snapshot mapping (lib/heapsnapshot.h):
 * node ids odd, unique and independent of the objects' order in the file
 * even when thousands share an address; every edge kind's V8 edge type
 * and name; the columns an export loads.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/heapsnapshot.h"
#include "lib/snap.h"
#include "theap.h"
#include "unit.h"

/* A snapshot of n objects: objects [0, dup) all at one address and type,
 * the others distinct; written in reverse when `reverse`. */
static void
write_id_snap(const char *path, uint32_t n, uint32_t dup, int reverse)
{
    mf_writer *w;
    mf_error err;
    uint32_t sm, sq, sq2, id;
    mf_type t;
    mf_object o;

    CU_ASSERT_EQUAL_FATAL(mf_writer_open(&w, path, NULL, &err), MF_OK);
    mf_writer_string(w, "app", 3, &sm, &err);
    mf_writer_string(w, "Thing", 5, &sq, &err);
    mf_writer_string(w, "Other", 5, &sq2, &err);
    t = (mf_type){0x10, sm, sq, 1};
    mf_writer_type(w, &t, &id, &err);
    t = (mf_type){0x20, sm, sq2, 1};
    mf_writer_type(w, &t, &id, &err);
    memset(&o, 0, sizeof(o));
    o.name = o.value = MF_NONE;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = reverse ? n - 1 - k : k;

        o.address = i < dup ? 0x5000 : 0x7f0000000000ULL + 64 * (uint64_t)i;
        o.type = i % 3 == 0 && i >= dup;     /* some of type Other */
        o.size = 16;
        CU_ASSERT_EQUAL(mf_writer_object(w, &o, NULL, 0, &err), MF_OK);
    }
    CU_ASSERT_EQUAL_FATAL(mf_writer_close(w, NULL, &err), MF_OK);
}

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

static void
test_hs_ids(void)
{
    char p1[300], p2[300];
    uint32_t n = 20000, dup = 3000;
    uint32_t *id1 = malloc(n * sizeof(uint32_t));
    uint32_t *id2 = malloc(n * sizeof(uint32_t));
    uint32_t *sorted = malloc(n * sizeof(uint32_t));
    an_snap s1, s2;
    mf_error err;

    snprintf(p1, sizeof(p1), "%s", th_path("ids"));
    snprintf(p2, sizeof(p2), "%s", th_path("ids"));
    write_id_snap(p1, n, dup, 0);
    write_id_snap(p2, n, dup, 1);
    CU_ASSERT_EQUAL_FATAL(an_snap_open(&s1, p1, 0, NULL, NULL, &err), MF_OK);
    CU_ASSERT_EQUAL_FATAL(an_snap_open(&s2, p2, 0, NULL, NULL, &err), MF_OK);
    CU_ASSERT_EQUAL_FATAL(an_snap_load(&s1, MF_COL_ADDRESS | MF_COL_TYPE,
                                       &err), MF_OK);
    CU_ASSERT_EQUAL_FATAL(an_snap_load(&s2, MF_COL_ADDRESS | MF_COL_TYPE,
                                       &err), MF_OK);
    CU_ASSERT_EQUAL_FATAL(an_hs_node_ids(&s1, id1), 0);
    CU_ASSERT_EQUAL_FATAL(an_hs_node_ids(&s2, id2), 0);
    /* odd, above the synthetic ids, unique (3000 forced collisions) */
    memcpy(sorted, id1, n * sizeof(uint32_t));
    qsort(sorted, n, sizeof(uint32_t), cmp_u32);
    for (uint32_t i = 0; i < n; i++) {
        CU_ASSERT(sorted[i] % 2 == 1 && sorted[i] >= AN_HS_MIN_OBJECT_ID);
        CU_ASSERT(i == 0 || sorted[i] != sorted[i - 1]);
    }
    /* the order of objects in the file changes no distinct object's id */
    for (uint32_t i = dup; i < n; i++) {
        CU_ASSERT_EQUAL(id1[i], id2[n - 1 - i]);
    }
    an_snap_close(&s1);
    an_snap_close(&s2);
    free(id1);
    free(id2);
    free(sorted);
}

static void
test_hs_edges(void)
{
    an_hs_edge e;

    e = an_hs_map_edge(MF_EDGE_ATTR, 7, 100);
    CU_ASSERT(e.type == AN_HS_EDGE_PROPERTY && e.name_kind == AN_HS_NAME_SNAP
              && e.value == 7);
    e = an_hs_map_edge(MF_EDGE_KEY_STR, 100, 100);   /* out of range */
    CU_ASSERT(e.type == AN_HS_EDGE_PROPERTY && e.name_kind == AN_HS_NAME_FIXED
              && e.value == AN_HS_STR_EMPTY);
    e = an_hs_map_edge(MF_EDGE_INDEX, 42, 100);
    CU_ASSERT(e.type == AN_HS_EDGE_ELEMENT && e.value == 42);
    e = an_hs_map_edge(MF_EDGE_KEY_INT, (uint64_t)(int64_t)-5, 100);
    CU_ASSERT(e.type == AN_HS_EDGE_PROPERTY && e.name_kind == AN_HS_NAME_INT);
    e = an_hs_map_edge(MF_EDGE_KEY_INT, (uint64_t)1 << 40, 100);
    CU_ASSERT(e.type == AN_HS_EDGE_PROPERTY && e.name_kind == AN_HS_NAME_INT);
    e = an_hs_map_edge(MF_EDGE_KEY_INT, UINT32_MAX, 100);
    CU_ASSERT(e.type == AN_HS_EDGE_ELEMENT && e.value == UINT32_MAX);
    e = an_hs_map_edge(MF_EDGE_REF, 0, 100);
    CU_ASSERT(e.type == AN_HS_EDGE_INTERNAL && e.value == AN_HS_STR_EMPTY);
    e = an_hs_map_edge(MF_EDGE_SET_ITEM, 0, 100);
    CU_ASSERT(e.type == AN_HS_EDGE_INTERNAL && e.value == AN_HS_STR_SET_ITEM);
    e = an_hs_map_edge(MF_EDGE_REF | MF_EDGE_WEAK, 0, 100);
    CU_ASSERT(e.type == AN_HS_EDGE_WEAK && e.name_kind == AN_HS_NAME_FIXED);
    e = an_hs_map_edge(MF_EDGE_ATTR | MF_EDGE_WEAK, 3, 100);
    CU_ASSERT(e.type == AN_HS_EDGE_WEAK && e.name_kind == AN_HS_NAME_SNAP);
    e = an_hs_map_edge(0x1f, 9, 100);   /* an unknown kind, no label */
    CU_ASSERT(e.type == AN_HS_EDGE_INTERNAL);
}

/* str contents are exported only when the dump recorded them. */
static void
test_hs_columns(void)
{
    theap h;
    an_snap s;
    mf_error err;
    const char *path = th_path("cols");

    th_random(&h, 10, 1, 3);
    CU_ASSERT_EQUAL_FATAL(th_write(&h, path), 0);
    CU_ASSERT_EQUAL_FATAL(an_snap_open(&s, path, 0, NULL, NULL, &err),
                          MF_OK);
    /* theap's files say nothing about include_strings: asked for */
    CU_ASSERT_EQUAL(an_hs_columns(&s), AN_HS_COLUMNS);
    CU_ASSERT(AN_HS_COLUMNS & MF_COL_VALUE);
    an_snap_close(&s);
    th_free(&h);
    CU_ASSERT_EQUAL(an_hs_sub_of_kind(MF_ROOT_MODULE), AN_HS_SUB_MODULES);
    CU_ASSERT_EQUAL(an_hs_sub_of_kind(MF_ROOT_THREAD), AN_HS_SUB_THREADS);
    CU_ASSERT_EQUAL(an_hs_sub_of_kind(99), AN_HS_SUB_OTHER);
    CU_ASSERT_STRING_EQUAL(an_hs_fixed_string(AN_HS_STR_SUB
                                              + AN_HS_SUB_MODULES),
                           "(modules)");
}

int
main(void)
{
    static const unit_test tests[] = {
        {"heapsnapshot node ids", test_hs_ids},
        {"heapsnapshot edge mapping", test_hs_edges},
        {"heapsnapshot columns and sub-roots", test_hs_columns},
        {NULL, NULL},
    };

    return unit_run("heapsnapshot", tests);
}
