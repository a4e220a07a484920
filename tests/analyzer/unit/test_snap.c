/*
 * test_snap.c - a snapshot opened for the analyzer (lib/snap.h): type
 * keys that merge type objects of one name, --type's matching, an
 * address's object against a naive search, edge labels as printed,
 * metadata as text and the process identity of two snapshots.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/groups.h"
#include "lib/snap.h"
#include "theap.h"
#include "unit.h"

static void
test_snap_keys(void)
{
    char path[300];
    mf_writer *w;
    mf_error err;
    uint32_t sa, sb, sn, sd, sbi, id;
    mf_type t;
    mf_object o;
    an_snap s;
    unsigned char match[8];

    snprintf(path, sizeof(path), "%s", th_path("keys"));
    CU_ASSERT_EQUAL_FATAL(mf_writer_open(&w, path, NULL, &err), MF_OK);
    mf_writer_string(w, "a", 1, &sa, &err);
    mf_writer_string(w, "b", 1, &sb, &err);
    mf_writer_string(w, "Node", 4, &sn, &err);
    mf_writer_string(w, "dict", 4, &sd, &err);
    mf_writer_string(w, "builtins", 8, &sbi, &err);
    t = (mf_type){0x10, sa, sn, 1};
    mf_writer_type(w, &t, &id, &err);
    t = (mf_type){0x20, sb, sn, 1};
    mf_writer_type(w, &t, &id, &err);
    t = (mf_type){0x30, sbi, sd, 0};
    mf_writer_type(w, &t, &id, &err);
    t = (mf_type){0x40, sa, sn, 1};       /* same key as type 0 */
    mf_writer_type(w, &t, &id, &err);
    memset(&o, 0, sizeof(o));
    o.name = o.value = MF_NONE;
    for (uint32_t i = 0; i < 10; i++) {
        o.address = 0x1000 + 16 * i;
        o.type = i % 4;
        o.size = 10 + i;
        CU_ASSERT_EQUAL(mf_writer_object(w, &o, NULL, 0, &err), MF_OK);
    }
    CU_ASSERT_EQUAL_FATAL(mf_writer_close(w, NULL, &err), MF_OK);

    CU_ASSERT_EQUAL_FATAL(an_snap_open(&s, path, 0, NULL, NULL, &err),
                          MF_OK);
    CU_ASSERT_EQUAL(s.n_keys, 3);
    CU_ASSERT_EQUAL(s.type_key[0], s.type_key[3]);
    CU_ASSERT_STRING_EQUAL(s.keys[s.type_key[0]].display, "a.Node");
    CU_ASSERT_STRING_EQUAL(s.keys[s.type_key[1]].display, "b.Node");
    CU_ASSERT_STRING_EQUAL(s.keys[s.type_key[2]].display, "dict");
    CU_ASSERT_EQUAL(an_snap_match_type(&s, "Node", match), 2);
    CU_ASSERT_EQUAL(an_snap_match_type(&s, "b.Node", match), 1);
    CU_ASSERT_EQUAL(match[s.type_key[1]], 1);
    CU_ASSERT_EQUAL(an_snap_match_type(&s, "builtins.dict", match), 1);
    CU_ASSERT_EQUAL(an_snap_load(&s, MF_COL_TYPE | MF_COL_SIZE
                                         | MF_COL_ADDRESS, &err), MF_OK);
    CU_ASSERT_EQUAL(s.cols.n_objects, 10);
    CU_ASSERT_EQUAL(an_snap_find_address(&s, 0x1000 + 16 * 7), 7);
    CU_ASSERT_EQUAL(an_snap_find_address(&s, 0x999), MF_NONE);
    {
        uint64_t c[4] = {0}, b[4] = {0};

        an_aggregate(s.cols.type, s.cols.size, NULL, s.cols.n_objects,
                     s.type_key, s.n_types, s.n_keys, c, b);
        /* types 0 and 3 (same key): objects 0,3,4,7,8 */
        CU_ASSERT_EQUAL(c[s.type_key[0]], 5);
        CU_ASSERT_EQUAL(b[s.type_key[0]], 10 + 13 + 14 + 17 + 18);
    }
    an_snap_close(&s);
}

static void
test_find_address(void)
{
    theap h;
    an_snap s;

    th_random(&h, 400, 1, 3);
    CU_ASSERT_EQUAL_FATAL(th_open(&h, &s, MF_COL_ALL), 0);
    CU_ASSERT_EQUAL_FATAL(s.cols.n_objects, h.n);
    for (uint32_t i = 0; i < h.n; i++) {
        CU_ASSERT_EQUAL(an_snap_find_address(&s, h.objs[i].address), i);
        CU_ASSERT_EQUAL(an_snap_find_address(&s, h.objs[i].address + 1),
                        MF_NONE);
        /* the key of each object names its type */
        CU_ASSERT_STRING_EQUAL(s.keys[an_snap_key_of(&s, i)].qualname,
                               h.types[h.objs[i].type].qualname);
        CU_ASSERT_STRING_EQUAL(s.keys[an_snap_key_of(&s, i)].module,
                               h.types[h.objs[i].type].module);
    }
    an_snap_close(&s);
    th_free(&h);
}

/* Each edge's label as the paths print it, from its kind and label. */
static void
test_edge_labels(void)
{
    static const struct {
        uint8_t kind;
        uint64_t label;
        const char *text;
    } cases[] = {
        {MF_EDGE_ATTR, 0, ".next"},
        {MF_EDGE_FIELD, 2, ".cache"},
        {MF_EDGE_KEY_STR, 1, "['items']"},
        {MF_EDGE_INDEX, 3, "[3]"},
        {MF_EDGE_KEY_INT, (uint64_t)(int64_t)-7, "[-7]"},
        {MF_EDGE_SET_ITEM, 0, "{item}"},
        {MF_EDGE_DICT_KEY, 0, "(key)"},
        {MF_EDGE_KEY_OTHER, 0, "[?]"},
    };
    size_t n = sizeof(cases) / sizeof(cases[0]);
    theap h;
    an_snap s;
    char buf[64];

    th_init(&h, 3);
    th_add(&h, 0x1000, 0, 64);
    for (size_t c = 0; c < n; c++) {
        th_add(&h, 0x2000 + 0x40 * c, 3, 32);
        th_edge_add(&h, 0, (uint32_t)c + 1, cases[c].kind, cases[c].label);
    }
    CU_ASSERT_EQUAL_FATAL(th_open(&h, &s, MF_COL_ALL), 0);
    for (size_t c = 0; c < n; c++) {
        an_snap_edge_label(&s, c, buf, sizeof(buf));
        CU_ASSERT_STRING_EQUAL(buf, cases[c].text);
        if (strcmp(buf, cases[c].text) != 0) {
            printf("\n    kind 0x%02x: '%s', not '%s'", cases[c].kind, buf,
                   cases[c].text);
        }
    }
    an_snap_close(&s);
    th_free(&h);
}

static void
test_process(void)
{
    theap h1, h2, h3;
    an_snap s1, s2, s3;
    char why[200], text[64];

    th_random(&h1, 20, 1, 41);
    th_random(&h2, 20, 1, 41);
    th_random(&h3, 20, 1, 42);
    CU_ASSERT_EQUAL_FATAL(th_open(&h1, &s1, MF_COL_ALL), 0);
    CU_ASSERT_EQUAL_FATAL(th_open(&h2, &s2, MF_COL_ALL), 0);
    CU_ASSERT_EQUAL_FATAL(th_open(&h3, &s3, MF_COL_ALL), 0);
    CU_ASSERT_EQUAL(an_snap_meta_text(&s1, "pid", text, sizeof(text)), 0);
    CU_ASSERT_STRING_EQUAL(text, "41");
    CU_ASSERT_EQUAL(an_snap_meta_text(&s1, "boot_id", text, sizeof(text)),
                    0);
    CU_ASSERT_STRING_EQUAL(text, "boot-1");
    CU_ASSERT_EQUAL(an_snap_meta_text(&s1, "nope", text, sizeof(text)), -1);
    CU_ASSERT_EQUAL(an_snap_same_process(&s1, &s2, why, sizeof(why)), 0);
    CU_ASSERT_EQUAL(an_snap_same_process(&s1, &s3, why, sizeof(why)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "pid 41 vs 42"));
    an_snap_close(&s1);
    an_snap_close(&s2);
    an_snap_close(&s3);
    th_free(&h1);
    th_free(&h2);
    th_free(&h3);
}

int
main(void)
{
    static const unit_test tests[] = {
        {"snapshot type keys", test_snap_keys},
        {"objects by address, keys by object", test_find_address},
        {"edge labels", test_edge_labels},
        {"metadata and the process identity", test_process},
        {NULL, NULL},
    };

    return unit_run("snap", tests);
}
