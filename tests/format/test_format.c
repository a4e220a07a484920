/*
 * test_format.c - CUnit tests of the snapshot library: integer coding,
 * round trips, damaged and hostile files, writer failures.
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L

#include <CUnit/Basic.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include "crc32c.h"
#include "layout.h"
#include "muppy_format.h"
#include "tfile.h"
#include "tgraph.h"
#include "varint.h"

static char tmpdir[256];

static void
tpath(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", tmpdir, name);
}

static uint8_t *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *p;
    long n;

    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc(n > 0 ? (size_t)n : 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* Files in tmpdir whose name starts with prefix. */
static int
count_files(const char *prefix)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    int n = 0;

    if (d == NULL) {
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
            n++;
        }
    }
    closedir(d);
    return n;
}

static int
documented_code(int rc)
{
    return rc == MF_E_TRUNCATED || rc == MF_E_CHECKSUM || rc == MF_E_CORRUPT
           || rc == MF_E_LIMIT || rc == MF_E_NOT_SNAPSHOT
           || rc == MF_E_VERSION || rc == MF_E_COMPRESS;
}

/* ---- memory breakdown ------------------------------------------------ */

/* a file with 5 objects: two Python objects (100, 50 bytes), external
 * nodes of 1000 (anonymous), 300 (file) and 7000 (device) bytes, and the
 * memory metadata given (NULL key ends; "-" skips the meta block) */
static void
write_memory_file(const char *path, const char *const *keys,
                  const int64_t *vals)
{
    static const uint32_t tflags[4] = {
        MF_TYPE_GC, MF_TYPE_EXTERNAL, MF_TYPE_EXTERNAL | MF_TYPE_FILE,
        MF_TYPE_EXTERNAL | MF_TYPE_DEVICE};
    static const uint64_t sizes[5] = {100, 50, 1000, 300, 7000};
    static const uint32_t otype[5] = {0, 0, 1, 2, 3};
    mf_writer *w;
    mf_error err;
    uint32_t i, id, sid;

    CU_ASSERT_EQUAL_FATAL(mf_writer_open(&w, path, NULL, &err), MF_OK);
    CU_ASSERT_EQUAL(mf_writer_string(w, "data", 4, &sid, &err), MF_OK);
    for (i = 0; i < 4; i++) {
        mf_type t = {0x1000 + i * 0x100, MF_NONE, MF_NONE, tflags[i]};
        CU_ASSERT_EQUAL(mf_writer_type(w, &t, &id, &err), MF_OK);
    }
    for (i = 0; i < 5; i++) {
        mf_object o;
        mf_edge e = {2 + i % 3, MF_EDGE_FIELD, sid};

        memset(&o, 0, sizeof(o));
        o.address = 0x10000 + i * 64;
        o.type = otype[i];
        o.size = sizes[i];
        o.flags = otype[i] ? MF_OBJ_EXTERNAL : MF_OBJ_GC_TRACKED;
        o.name = o.value = MF_NONE;
        CU_ASSERT_EQUAL(mf_writer_object(w, &o, &e, i < 2, &err), MF_OK);
    }
    for (i = 0; keys[i] != NULL; i++) {
        CU_ASSERT_EQUAL(mf_writer_meta_int(w, keys[i], vals[i], &err),
                        MF_OK);
    }
    CU_ASSERT_EQUAL_FATAL(mf_writer_close(w, NULL, &err), MF_OK);
}

static void
breakdown_of(const char *path, mf_memory *m, unsigned columns, int *rc)
{
    mf_reader *r;
    mf_graph g;
    mf_error err;

    CU_ASSERT_EQUAL_FATAL(mf_reader_open(&r, path, NULL, &err), MF_OK);
    CU_ASSERT_EQUAL_FATAL(mf_reader_load(r, columns, &g, &err), MF_OK);
    *rc = mf_memory_breakdown(r, &g, m);
    mf_graph_free(&g);
    mf_reader_close(r);
}

static void
test_memory_breakdown(void)
{
    static const char *const all[] = {
        "rss.current", "rss.anon", "rss.file", "rss.shmem",
        "rss.libraries", "pymalloc.used_bytes", "pymalloc.free_bytes",
        "malloc.in_use", "malloc.free", "malloc.mmapped", "malloc.top",
        NULL};
    static const int64_t vals[] = {
        100000, 60000, 30000, 10000, 2000, 4000, 500, 3000, 700, 5000, 200};
    static const char *const no_alloc[] = {
        "rss.current", "rss.file", "rss.shmem", "rss.libraries", NULL};
    static const int64_t no_alloc_vals[] = {9000, 1000, 0, 100};
    static const char *const none[] = {NULL};
    char path[300];
    mf_memory m;
    int rc;

    tpath(path, sizeof(path), "memory.snap");
    write_memory_file(path, all, vals);
    breakdown_of(path, &m, MF_COL_ALL, &rc);
    CU_ASSERT_EQUAL(rc, MF_OK);
    CU_ASSERT_EQUAL(m.missing, 0);
    CU_ASSERT_EQUAL(m.rss, 100000);
    CU_ASSERT_EQUAL(m.objects, 150);
    CU_ASSERT_EQUAL(m.external, 1000);
    CU_ASSERT_EQUAL(m.external_file, 300);
    CU_ASSERT_EQUAL(m.external_device, 7000);
    CU_ASSERT_EQUAL(m.external_nodes, 3);
    CU_ASSERT_EQUAL(m.file_backed, 40000);
    CU_ASSERT_EQUAL(m.libraries, 2000);
    /* malloc's free space less its top chunk (reserved, untouched) */
    CU_ASSERT_EQUAL(m.allocator_free, 500 + 700 - 200);
    /* allocated: 4000 + 3000 + 5000, less objects and anonymous nodes */
    CU_ASSERT_EQUAL(m.native, 12000 - 150 - 1000);
    CU_ASSERT_EQUAL(m.other, 2000 + 10850);
    CU_ASSERT_EQUAL(m.unexplained,
                    100000 - 150 - 1000 - 1000 - 40000 - 12850);
    CU_ASSERT_EQUAL(m.rss, m.objects + m.external + m.allocator_free
                           + m.file_backed + m.other + m.unexplained);

    /* PYTHONMALLOC=malloc or an old dumper: what is there still adds up */
    write_memory_file(path, no_alloc, no_alloc_vals);
    breakdown_of(path, &m, MF_COL_ALL, &rc);
    CU_ASSERT_EQUAL(rc, MF_OK);
    CU_ASSERT_EQUAL(m.missing, MF_MEM_NO_PYMALLOC | MF_MEM_NO_MALLOC);
    CU_ASSERT_EQUAL(m.native, 0);
    CU_ASSERT_EQUAL(m.allocator_free, 0);
    CU_ASSERT_EQUAL(m.unexplained, 9000 - 150 - 1000 - 1000 - 100);
    CU_ASSERT_EQUAL(m.rss, m.objects + m.external + m.allocator_free
                           + m.file_backed + m.other + m.unexplained);

    /* a 1.0 file: no RSS to break down, the nodes are still counted */
    write_memory_file(path, none, NULL);
    breakdown_of(path, &m, MF_COL_ALL, &rc);
    CU_ASSERT_EQUAL(rc, MF_OK);
    CU_ASSERT_EQUAL(m.missing, MF_MEM_NO_RSS | MF_MEM_NO_MAPPINGS
                               | MF_MEM_NO_PYMALLOC | MF_MEM_NO_MALLOC);
    CU_ASSERT_EQUAL(m.objects, 150);
    CU_ASSERT_EQUAL(m.unexplained, 0);

    /* the columns it needs */
    breakdown_of(path, &m, MF_COL_SIZE | MF_COL_FLAGS, &rc);
    CU_ASSERT_EQUAL(rc, MF_E_ARG);
    unlink(path);
}

/* ---- varint, zigzag, crc ------------------------------------------- */

static void
test_varint(void)
{
    static const uint64_t vals[] = {
        0, 1, 127, 128, 255, 16383, 16384, (1ull << 32) - 1, 1ull << 32,
        (1ull << 63) - 1, 1ull << 63, UINT64_MAX,
    };
    static const size_t lens[] = {1, 1, 1, 2, 2, 2, 3, 5, 5, 9, 10, 10};
    uint8_t buf[16];
    size_t i;

    for (i = 0; i < sizeof(vals) / sizeof(*vals); i++) {
        const uint8_t *p = buf;
        uint64_t v;
        size_t n = mf_varint_put(buf, vals[i]);
        CU_ASSERT_EQUAL(n, lens[i]);
        CU_ASSERT_EQUAL(mf_varint_len(vals[i]), n);
        CU_ASSERT_EQUAL(mf_varint_get(&p, buf + n, &v), 0);
        CU_ASSERT_EQUAL(v, vals[i]);
        CU_ASSERT_PTR_EQUAL(p, buf + n);
        /* truncated: every shorter prefix fails and does not advance */
        if (n > 1) {
            p = buf;
            CU_ASSERT_EQUAL(mf_varint_get(&p, buf + n - 1, &v), -1);
            CU_ASSERT_PTR_EQUAL(p, buf);
        }
    }
    {
        const uint8_t *p;
        uint64_t v;
        /* 0 and 127 in one byte; 128 = 80 01 */
        uint8_t b128[] = {0x80, 0x01};
        /* max u64: nine 0xff and a 10th byte of 1 */
        uint8_t bmax[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                          0xff, 0x01};
        /* overflowing 10th byte */
        uint8_t bover[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                           0xff, 0x02};
        /* 11 bytes: over-long */
        uint8_t blong[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                           0x80, 0x81, 0x00};
        /* non-minimal but valid: 0 as 80 00 */
        uint8_t bnonmin[] = {0x80, 0x00};
        p = b128;
        CU_ASSERT(mf_varint_get(&p, b128 + 2, &v) == 0 && v == 128);
        p = bmax;
        CU_ASSERT(mf_varint_get(&p, bmax + 10, &v) == 0 && v == UINT64_MAX);
        p = bover;
        CU_ASSERT_EQUAL(mf_varint_get(&p, bover + 10, &v), -1);
        p = blong;
        CU_ASSERT_EQUAL(mf_varint_get(&p, blong + 11, &v), -1);
        p = bnonmin;
        CU_ASSERT(mf_varint_get(&p, bnonmin + 2, &v) == 0 && v == 0);
        p = b128;
        CU_ASSERT_EQUAL(mf_varint_get(&p, b128, &v), -1); /* empty */
    }
}

static void
test_zigzag(void)
{
    CU_ASSERT_EQUAL(mf_zigzag(0), 0);
    CU_ASSERT_EQUAL(mf_zigzag((uint64_t)-1), 1);
    CU_ASSERT_EQUAL(mf_zigzag(1), 2);
    CU_ASSERT_EQUAL(mf_zigzag((uint64_t)-2), 3);
    CU_ASSERT_EQUAL(mf_zigzag((uint64_t)INT64_MAX), UINT64_MAX - 1);
    CU_ASSERT_EQUAL(mf_zigzag((uint64_t)INT64_MIN), UINT64_MAX);
    CU_ASSERT_EQUAL(mf_unzigzag(UINT64_MAX), (uint64_t)INT64_MIN);
    CU_ASSERT_EQUAL(mf_unzigzag(UINT64_MAX - 1), (uint64_t)INT64_MAX);
    /* negative deltas of addresses wrap correctly */
    {
        uint64_t a = 0x1000, b = 0x7fff0000ull, d = mf_zigzag(a - b);
        CU_ASSERT_EQUAL(b + mf_unzigzag(d), a);
        CU_ASSERT_EQUAL(mf_zigzag((uint64_t)-16), 31);
        d = mf_zigzag(0 - UINT64_MAX);
        CU_ASSERT_EQUAL(UINT64_MAX + mf_unzigzag(d), 0);
    }
}

static void
test_crc32c(void)
{
    static uint8_t big[100003];
    size_t i;

    CU_ASSERT_EQUAL(mf_crc32c(0, "123456789", 9), 0xE3069283u);
    CU_ASSERT_EQUAL(mf_crc32c_sw(0, "123456789", 9), 0xE3069283u);
    CU_ASSERT_EQUAL(mf_crc32c(0, "", 0), 0);
    for (i = 0; i < sizeof(big); i++) {
        big[i] = (uint8_t)(i * 7 + (i >> 8));
    }
    for (i = 0; i < 64; i++) {
        CU_ASSERT_EQUAL(mf_crc32c(0, big + i, sizeof(big) - 2 * i),
                        mf_crc32c_sw(0, big + i, sizeof(big) - 2 * i));
    }
    /* incremental equals one shot */
    CU_ASSERT_EQUAL(mf_crc32c(mf_crc32c(0, big, 1000), big + 1000, 5000),
                    mf_crc32c(0, big, 6000));
}

static void
test_names(void)
{
    CU_ASSERT_STRING_EQUAL(mf_code_name(MF_OK), "ok");
    CU_ASSERT_STRING_EQUAL(mf_code_name(MF_E_IO), "io");
    CU_ASSERT_STRING_EQUAL(mf_code_name(MF_E_TRUNCATED), "truncated");
    CU_ASSERT_STRING_EQUAL(mf_code_name(MF_E_COMPRESS), "compress");
    CU_ASSERT_STRING_EQUAL(mf_code_name(99), "unknown");
    CU_ASSERT_STRING_EQUAL(mf_code_name(-1), "unknown");
    CU_ASSERT_STRING_EQUAL(mf_root_kind_name(MF_ROOT_SYS_MODULES),
                           "sys.modules");
    CU_ASSERT_STRING_EQUAL(mf_root_kind_name(MF_ROOT_THREAD), "thread");
    CU_ASSERT_STRING_EQUAL(mf_root_kind_name(MF_ROOT_UNREFERENCED),
                           "unreferenced");
    CU_ASSERT_STRING_EQUAL(mf_root_kind_name(1000), "unknown");
}

/* ---- round trips ---------------------------------------------------- */

static int
read_back(const char *path, const tgraph *g, unsigned flags, int threads,
          unsigned cols)
{
    mf_read_options ro = {0};
    mf_reader *r;
    mf_graph lg;
    mf_error err;
    int rc, bad;

    ro.flags = flags;
    ro.threads = threads;
    rc = mf_reader_open(&r, path, &ro, &err);
    if (rc != MF_OK) {
        fprintf(stderr, "open: %s\n", err.message);
        return __LINE__;
    }
    if (mf_reader_info(r)->partial || mf_reader_info(r)->objects != g->n
        || mf_reader_info(r)->edges != g->ne) {
        mf_reader_close(r);
        return __LINE__;
    }
    rc = mf_reader_load(r, cols, &lg, &err);
    if (rc != MF_OK) {
        fprintf(stderr, "load: %s\n", err.message);
        mf_reader_close(r);
        return __LINE__;
    }
    bad = tg_compare(g, &lg, g->n, cols);
    if (!bad) {
        bad = tg_compare_tables(g, r, g->n);
    }
    if (!bad && mf_reader_verify(r, &err) != MF_OK) {
        fprintf(stderr, "verify: %s\n", err.message);
        bad = __LINE__;
    }
    mf_graph_free(&lg);
    mf_reader_close(r);
    return bad;
}

static void
roundtrip(uint32_t n, uint32_t max_edges, uint32_t block_objects, int wthr,
          uint64_t seed)
{
    mf_write_options wo = {0};
    mf_write_stats st;
    char path[300];
    mf_error err;
    tgraph g;
    int rc, bad;

    tpath(path, sizeof(path), "rt.snap");
    tg_random(&g, n, max_edges, seed);
    wo.block_objects = block_objects;
    wo.threads = wthr;
    rc = tg_write(&g, path, &wo, &st, &err);
    CU_ASSERT_EQUAL_FATAL(rc, MF_OK);
    CU_ASSERT_EQUAL(st.objects, n);
    CU_ASSERT_EQUAL(st.edges, g.ne);
    CU_ASSERT_EQUAL(st.types, g.n_types);
    CU_ASSERT_EQUAL(st.roots, g.n_roots);
    CU_ASSERT_EQUAL(st.meta, 3);
    CU_ASSERT_EQUAL(count_files("rt.snap.tmp"), 0);
    bad = read_back(path, &g, 0, 0, MF_COL_ALL);
    CU_ASSERT_EQUAL(bad, 0);
    bad = read_back(path, &g, 0, 1, MF_COL_ALL);
    CU_ASSERT_EQUAL(bad, 0);
    bad = read_back(path, &g, 0, 2, MF_COL_ALL);
    CU_ASSERT_EQUAL(bad, 0);
    bad = read_back(path, &g, MF_READ_PARTIAL, 3, MF_COL_ALL);
    CU_ASSERT_EQUAL(bad, 0);
    bad = read_back(path, &g, 0, 2, MF_COL_EDGES | MF_COL_TYPE);
    CU_ASSERT_EQUAL(bad, 0);
    bad = read_back(path, &g, 0, 2, MF_COL_SIZE | MF_COL_NAME);
    CU_ASSERT_EQUAL(bad, 0);
    bad = read_back(path, &g, 0, 2, MF_COL_EDGE_KIND);
    CU_ASSERT_EQUAL(bad, 0);
    bad = read_back(path, &g, MF_READ_PARTIAL, 2, MF_COL_EDGE_LABEL);
    CU_ASSERT_EQUAL(bad, 0);
    tg_free(&g);
    unlink(path);
}

static void
test_roundtrip_small(void)
{
    roundtrip(1, 3, 0, 0, 1);
    roundtrip(10, 3, 0, -1, 2);
    roundtrip(1000, 6, 0, 0, 3);
}

static void
test_roundtrip_blocks(void)
{
    roundtrip(5000, 5, 7, 0, 4);
    roundtrip(5000, 5, 100, -1, 5);
    roundtrip(3000, 0, 64, 0, 6);     /* no edges at all */
    roundtrip(20000, 8, 1000, 0, 7);
}

static void
test_roundtrip_seeds(void)
{
    uint64_t seed;

    for (seed = 100; seed < 120; seed++) {
        roundtrip(50 + (uint32_t)(seed * 37 % 700), (uint32_t)(seed % 9),
                  (uint32_t)(1 + seed % 97), seed % 2 ? -1 : 0, seed);
    }
}

static void
test_empty(void)
{
    mf_writer *w;
    mf_reader *r;
    mf_graph lg;
    mf_error err;
    char path[300];
    uint32_t n;

    tpath(path, sizeof(path), "empty.snap");
    CU_ASSERT_EQUAL_FATAL(mf_writer_open(&w, path, NULL, &err), MF_OK);
    CU_ASSERT_EQUAL(mf_writer_object_count(w), 0);
    CU_ASSERT_EQUAL_FATAL(mf_writer_close(w, NULL, &err), MF_OK);
    CU_ASSERT_EQUAL_FATAL(mf_reader_open(&r, path, NULL, &err), MF_OK);
    CU_ASSERT_EQUAL(mf_reader_info(r)->objects, 0);
    CU_ASSERT_EQUAL(mf_reader_info(r)->blocks, 0);
    CU_ASSERT_EQUAL(mf_reader_info(r)->major, 1);
    CU_ASSERT_EQUAL(mf_reader_string_count(r), 0);
    CU_ASSERT_PTR_NULL(mf_reader_string(r, 0, NULL));
    mf_reader_types(r, &n);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL_FATAL(mf_reader_load(r, MF_COL_ALL, &lg, &err), MF_OK);
    CU_ASSERT_EQUAL(lg.n_objects, 0);
    CU_ASSERT_EQUAL(lg.n_edges, 0);
    CU_ASSERT_PTR_NOT_NULL(lg.edge_start);
    if (lg.edge_start) {
        CU_ASSERT_EQUAL(lg.edge_start[0], 0);
    }
    CU_ASSERT_EQUAL(mf_reader_verify(r, &err), MF_OK);
    mf_graph_free(&lg);
    mf_graph_free(&lg); /* twice is fine */
    mf_reader_close(r);
    mf_reader_close(NULL);
    mf_writer_abort(NULL);
    unlink(path);
}

/* The frontier hint makes fresh edges one byte; a wrong hint still
   round-trips. */
static void
test_frontier(void)
{
    mf_write_options wo = {0};
    mf_write_stats good, bad;
    char path[300];
    mf_error err;
    tgraph g;
    uint64_t i;

    tpath(path, sizeof(path), "front.snap");
    tg_random(&g, 4000, 4, 42);
    /* BFS-like: every edge goes to the next fresh object */
    g.frontier = 1;
    for (i = 0; i < g.ne; i++) {
        g.edges[i].target = (uint32_t)(1 + i) < g.n ? (uint32_t)(1 + i) : 0;
    }
    CU_ASSERT_EQUAL_FATAL(tg_write(&g, path, &wo, &good, &err), MF_OK);
    CU_ASSERT_EQUAL(read_back(path, &g, 0, 0, MF_COL_ALL), 0);
    g.frontier = 77777;
    CU_ASSERT_EQUAL_FATAL(tg_write(&g, path, &wo, &bad, &err), MF_OK);
    CU_ASSERT_EQUAL(read_back(path, &g, 0, 0, MF_COL_ALL), 0);
    CU_ASSERT(good.raw_bytes < bad.raw_bytes);
    /* a hint that is too low resynchronises at the first fresh edge */
    g.frontier = 0;
    CU_ASSERT_EQUAL_FATAL(tg_write(&g, path, &wo, &bad, &err), MF_OK);
    CU_ASSERT_EQUAL(read_back(path, &g, 0, 0, MF_COL_ALL), 0);
    CU_ASSERT(bad.raw_bytes <= good.raw_bytes + 8);
    tg_free(&g);
    unlink(path);
}

static void
test_labels(void)
{
    mf_writer *w;
    mf_reader *r;
    mf_error err;
    char path[300], buf[64];
    uint32_t k, q, longid, ctl, nonutf;
    mf_object o = {0};
    static const char longs[] = "a very long key that will not fit in "
                                "the small buffer at all, really";

    tpath(path, sizeof(path), "label.snap");
    CU_ASSERT_EQUAL_FATAL(mf_writer_open(&w, path, NULL, &err), MF_OK);
    mf_writer_string(w, "cache", 5, &k, &err);
    mf_writer_string(w, "it's", 4, &q, &err);
    mf_writer_string(w, longs, sizeof(longs) - 1, &longid, &err);
    mf_writer_string(w, "a\nb\\\x01\xc3\xa9", 7, &ctl, &err);
    mf_writer_string(w, "\xff\xfe", 2, &nonutf, &err);
    CU_ASSERT_EQUAL(mf_writer_type(w, &(mf_type){0, MF_NONE, k, 0}, NULL,
                                   &err), MF_OK);
    CU_ASSERT_EQUAL(mf_writer_object(w, &o, NULL, 0, &err), MF_OK);
    CU_ASSERT_EQUAL_FATAL(mf_writer_close(w, NULL, &err), MF_OK);
    CU_ASSERT_EQUAL_FATAL(mf_reader_open(&r, path, NULL, &err), MF_OK);

    mf_format_label(r, MF_EDGE_INDEX, 3, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "[3]");
    mf_format_label(r, MF_EDGE_KEY_STR, k, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "['cache']");
    mf_format_label(r, MF_EDGE_KEY_STR, q, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "[\"it's\"]");
    mf_format_label(r, MF_EDGE_KEY_STR, ctl, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "['a\\nb\\\\\\x01\xc3\xa9']");
    mf_format_label(r, MF_EDGE_KEY_STR, nonutf, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "['\\xff\\xfe']");
    mf_format_label(r, MF_EDGE_KEY_INT, (uint64_t)-42, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "[-42]");
    mf_format_label(r, MF_EDGE_KEY_INT, 42, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "[42]");
    mf_format_label(r, MF_EDGE_ATTR, k, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, ".cache");
    mf_format_label(r, MF_EDGE_FIELD | MF_EDGE_WEAK, k, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, ".cache");
    mf_format_label(r, MF_EDGE_DICT_KEY, 0, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "(key)");
    mf_format_label(r, MF_EDGE_SET_ITEM, 0, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "{item}");
    mf_format_label(r, MF_EDGE_KEY_OTHER, 0, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "[?]");
    CU_ASSERT_EQUAL(mf_format_label(r, MF_EDGE_REF, 0, buf, sizeof(buf)),
                    0);
    CU_ASSERT_STRING_EQUAL(buf, "");
    mf_format_label(r, MF_EDGE_KEY_STR, 999, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "[<string 999>]");
    /* cut to fit, still closed and NUL-terminated */
    CU_ASSERT(mf_format_label(r, MF_EDGE_KEY_STR, longid, buf, 24) < 24);
    CU_ASSERT_STRING_EQUAL(buf, "['a very long key ...']");
    CU_ASSERT(mf_format_label(r, MF_EDGE_KEY_STR, longid, buf, 3) < 3);
    CU_ASSERT(strlen(buf) < 3);
    CU_ASSERT(mf_format_label(r, MF_EDGE_ATTR, longid, buf, 10) == 9);
    CU_ASSERT_EQUAL(mf_format_label(r, MF_EDGE_INDEX, 3, buf, 0), 0);
    mf_format_label(r, MF_EDGE_INDEX, 123456, buf, 4);
    CU_ASSERT_STRING_EQUAL(buf, "[12");
    mf_reader_close(r);
    unlink(path);
}

/* One object with more edges than the early-flush bound (1M). */
static void
test_big_object(void)
{
    const uint32_t ne = 1500000;
    mf_edge *e = malloc(ne * sizeof(*e));
    mf_object o = {0x1000, 0, MF_OBJ_HAS_LENGTH, 8 * 1500000 + 56, ne,
                   MF_NONE, MF_NONE};
    mf_object leaf = {0x2000, 0, 0, 28, 0, MF_NONE, MF_NONE};
    mf_type t = {0, MF_NONE, MF_NONE, 0};
    mf_read_options ro = {0};
    char path[300];
    mf_writer *w;
    mf_reader *r;
    mf_graph lg;
    mf_error err;
    uint32_t i;

    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    for (i = 0; i < ne; i++) {
        e[i].target = 1 + i % 1000;
        e[i].kind = MF_EDGE_INDEX;
        e[i].label = i;
    }
    tpath(path, sizeof(path), "big.snap");
    CU_ASSERT_EQUAL_FATAL(mf_writer_open(&w, path, NULL, &err), MF_OK);
    CU_ASSERT_EQUAL(mf_writer_type(w, &t, NULL, &err), MF_OK);
    /* a few small objects first, so the big one forces a flush */
    CU_ASSERT_EQUAL(mf_writer_object(w, &leaf, e, 3, &err), MF_OK);
    CU_ASSERT_EQUAL(mf_writer_object(w, &o, e, ne, &err), MF_OK);
    for (i = 2; i <= 1000; i++) {
        CU_ASSERT_EQUAL(mf_writer_object(w, &leaf, NULL, 0, &err), MF_OK);
    }
    CU_ASSERT_EQUAL_FATAL(mf_writer_close(w, NULL, &err), MF_OK);
    /* 1.5 M edges cycling through 1000 targets compress 9000 times: by
     * default the reader takes that for a decompression bomb (a real
     * dump always carries the interpreter's own few hundred KB) */
    CU_ASSERT_EQUAL(mf_reader_open(&r, path, NULL, &err), MF_E_LIMIT);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "decompression bomb"));
    ro.max_expansion = UINT64_MAX;
    CU_ASSERT_EQUAL_FATAL(mf_reader_open(&r, path, &ro, &err), MF_OK);
    CU_ASSERT_EQUAL_FATAL(mf_reader_load(r, MF_COL_ALL, &lg, &err), MF_OK);
    CU_ASSERT_EQUAL(lg.n_objects, 1001);
    CU_ASSERT_EQUAL(lg.n_edges, ne + 3);
    CU_ASSERT_EQUAL(lg.edge_start[1], 3);
    CU_ASSERT_EQUAL(lg.edge_start[2], ne + 3);
    CU_ASSERT_EQUAL(lg.length[1], ne);
    for (i = 0; i < ne; i += 997) {
        CU_ASSERT_EQUAL(lg.edge_target[3 + i], 1 + i % 1000);
        CU_ASSERT_EQUAL(lg.edge_label[3 + i], i);
    }
    CU_ASSERT_EQUAL(mf_reader_verify(r, &err), MF_OK);
    mf_graph_free(&lg);
    mf_reader_close(r);
    free(e);
    unlink(path);
}

/* ---- damaged files ---------------------------------------------------- */

/* Offsets of the block headers of a well-formed file, and the objects in
   the complete OBJS blocks ending at or before each offset. */
typedef struct layout_t {
    uint64_t off[4096];
    uint64_t objs_before[4096];
    size_t n;               /* blocks, the TOC included */
} layout_t;

static void
scan_layout(const uint8_t *d, size_t len, layout_t *l)
{
    uint64_t off = MF_HEADER_SIZE, objs = 0;

    l->n = 0;
    while (off + MF_BLOCK_HEADER_SIZE <= len && l->n < 4096) {
        uint32_t kind = mf_le32(d + off);
        l->off[l->n] = off;
        l->objs_before[l->n] = objs;
        l->n++;
        if (kind == MF_KIND_OBJS) {
            objs += mf_le32(d + off + 24);
        }
        if (kind == MF_KIND_TOC) {
            break;
        }
        off += MF_BLOCK_HEADER_SIZE + mf_le32(d + off + 8);
    }
}

/* Objects a partial reader must keep when the file is cut at `cut`. */
static uint64_t
objs_at_cut(const uint8_t *d, const layout_t *l, uint64_t cut)
{
    uint64_t objs = 0;
    size_t i;

    for (i = 0; i < l->n; i++) {
        uint64_t end = l->off[i] + MF_BLOCK_HEADER_SIZE
                       + mf_le32(d + l->off[i] + 8);
        if (end > cut) {
            break;
        }
        if (mf_le32(d + l->off[i]) == MF_KIND_OBJS) {
            objs += mf_le32(d + l->off[i] + 24);
        }
    }
    return objs;
}

static void
check_cut(const tgraph *g, const uint8_t *d, size_t len, const layout_t *l,
          size_t cut)
{
    mf_read_options ro = {0};
    mf_reader *r;
    mf_graph lg;
    mf_error err;
    uint64_t want;
    int rc;

    (void)len;
    rc = mf_reader_open_memory(&r, d, cut, NULL, &err);
    if (rc == MF_OK) {
        /* only possible when nothing meaningful was cut: never here */
        CU_FAIL("truncated file opened without MF_READ_PARTIAL");
        mf_reader_close(r);
    }
    else {
        CU_ASSERT(rc == MF_E_TRUNCATED || rc == MF_E_NOT_SNAPSHOT);
    }
    ro.flags = MF_READ_PARTIAL;
    ro.threads = 2;
    rc = mf_reader_open_memory(&r, d, cut, &ro, &err);
    if (cut < MF_HEADER_SIZE) {
        CU_ASSERT(rc == MF_E_TRUNCATED);
        return;
    }
    CU_ASSERT_EQUAL_FATAL(rc, MF_OK);
    CU_ASSERT_EQUAL(mf_reader_info(r)->partial, 1);
    CU_ASSERT(mf_reader_info(r)->damage.code == MF_E_TRUNCATED
              || mf_reader_info(r)->damage.code == MF_E_CHECKSUM);
    CU_ASSERT(mf_reader_info(r)->valid_bytes <= cut);
    rc = mf_reader_load(r, MF_COL_ALL, &lg, &err);
    CU_ASSERT_EQUAL_FATAL(rc, MF_OK);
    want = objs_at_cut(d, l, cut);
    CU_ASSERT_EQUAL(lg.n_objects, want);
    CU_ASSERT_EQUAL(tg_compare(g, &lg, (uint32_t)want, MF_COL_ALL), 0);
    {
        uint32_t nr, i;
        const mf_root *roots = mf_reader_roots(r, &nr);
        for (i = 0; i < nr; i++) {
            CU_ASSERT(roots[i].object < want);
        }
    }
    mf_graph_free(&lg);
    mf_reader_close(r);
}

static void
test_truncation(void)
{
    mf_write_options wo = {0};
    char path[300];
    mf_error err;
    layout_t *l = malloc(sizeof(*l));
    uint8_t *d;
    size_t len, i;
    uint64_t s = 99;
    tgraph g;

    tpath(path, sizeof(path), "trunc.snap");
    tg_random(&g, 3000, 5, 11);
    wo.block_objects = 200;
    CU_ASSERT_EQUAL_FATAL(tg_write(&g, path, &wo, NULL, &err), MF_OK);
    d = slurp(path, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    scan_layout(d, len, l);
    CU_ASSERT(l->n > 15);
    /* at every block boundary, and one byte either side */
    for (i = 0; i < l->n; i++) {
        check_cut(&g, d, len, l, l->off[i]);
        check_cut(&g, d, len, l, l->off[i] + 1);
        check_cut(&g, d, len, l, l->off[i] - 1);
    }
    /* inside the footer */
    check_cut(&g, d, len, l, len - 1);
    check_cut(&g, d, len, l, len - MF_FOOTER_SIZE);
    /* random offsets */
    for (i = 0; i < 200; i++) {
        check_cut(&g, d, len, l, (size_t)(tg_rand(&s) % len));
    }
    check_cut(&g, d, len, l, 0);
    check_cut(&g, d, len, l, 8);
    free(d);
    free(l);
    tg_free(&g);
    unlink(path);
}

static void
flip_one(const tgraph *g, const uint8_t *d, size_t len, size_t at,
         uint8_t x)
{
    uint8_t *c = malloc(len);
    mf_read_options ro = {0};
    mf_reader *r;
    mf_graph lg;
    mf_error err;
    int rc, pass;

    memcpy(c, d, len);
    c[at] ^= x;
    for (pass = 0; pass < 2; pass++) {
        ro.flags = pass ? MF_READ_PARTIAL : 0;
        ro.threads = 2;
        rc = mf_reader_open_memory(&r, c, len, &ro, &err);
        if (rc != MF_OK) {
            CU_ASSERT(documented_code(rc));
            CU_ASSERT(err.message[0] != '\0');
            continue;
        }
        rc = mf_reader_load(r, MF_COL_ALL, &lg, &err);
        if (rc != MF_OK) {
            CU_ASSERT(documented_code(rc));
        }
        else if (!mf_reader_info(r)->partial) {
            /* the flip hit nothing meaningful: same data */
            CU_ASSERT_EQUAL(tg_compare(g, &lg, g->n, MF_COL_ALL), 0);
            CU_ASSERT_EQUAL(mf_reader_verify(r, &err), MF_OK);
        }
        else {
            CU_ASSERT(lg.n_objects <= g->n);
            CU_ASSERT_EQUAL(tg_compare(g, &lg, lg.n_objects, MF_COL_ALL), 0);
        }
        if (rc == MF_OK) {
            mf_graph_free(&lg);
        }
        mf_reader_close(r);
    }
    free(c);
}

static void
test_flips(void)
{
    mf_write_options wo = {0};
    char path[300];
    mf_error err;
    uint8_t *d;
    size_t len, i;
    uint64_t s = 7;
    tgraph g;

    tpath(path, sizeof(path), "flip.snap");
    tg_random(&g, 2000, 4, 12);
    wo.block_objects = 300;
    CU_ASSERT_EQUAL_FATAL(tg_write(&g, path, &wo, NULL, &err), MF_OK);
    d = slurp(path, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (i = 0; i < 64 && i < len; i++) {
        flip_one(&g, d, len, i, 0x01);      /* header, first block */
        flip_one(&g, d, len, len - 1 - i, 0x80); /* footer, TOC */
    }
    for (i = 0; i < 400; i++) {
        uint64_t r = tg_rand(&s);
        flip_one(&g, d, len, (size_t)(r % len),
                 (uint8_t)(1u << ((r >> 32) % 8)));
    }
    free(d);
    tg_free(&g);
    unlink(path);
}

static int
open_bytes(const uint8_t *d, size_t len, unsigned flags, mf_error *err)
{
    mf_read_options ro = {0};
    mf_reader *r;
    mf_graph lg;
    int rc;

    ro.flags = flags;
    ro.max_memory = 1u << 30;
    rc = mf_reader_open_memory(&r, d, len, &ro, err);
    if (rc != MF_OK) {
        return rc;
    }
    rc = mf_reader_load(r, MF_COL_ALL, &lg, err);
    if (rc == MF_OK) {
        mf_graph_free(&lg);
    }
    mf_reader_close(r);
    return rc;
}

static void
test_magic_version(void)
{
    mf_error err;
    tfile f;
    uint64_t totals[7] = {0};
    static const uint8_t junk[] = "PK\x03\x04 this is a zip file, not ours";

    CU_ASSERT_EQUAL(open_bytes(junk, sizeof(junk), 0, &err),
                    MF_E_NOT_SNAPSHOT);
    CU_ASSERT_STRING_EQUAL(err.message, "not a muppy snapshot (bad magic)");
    CU_ASSERT_EQUAL(open_bytes(junk, sizeof(junk), MF_READ_PARTIAL, &err),
                    MF_E_NOT_SNAPSHOT);
    CU_ASSERT_EQUAL(open_bytes(junk, 0, 0, &err), MF_E_TRUNCATED);

    tf_init(&f, 2, 0);
    tf_finish(&f, totals);
    CU_ASSERT_EQUAL(open_bytes(f.data.data, f.data.len, 0, &err),
                    MF_E_VERSION);
    CU_ASSERT_STRING_EQUAL(err.message, "unsupported format version 2.0 "
                           "(this reader knows 1.x)");
    CU_ASSERT_EQUAL(open_bytes(f.data.data, f.data.len, MF_READ_PARTIAL,
                               &err), MF_E_VERSION);
    tf_free(&f);

    /* version 1.0, empty: fine */
    tf_init(&f, 1, 0);
    tf_finish(&f, totals);
    CU_ASSERT_EQUAL(open_bytes(f.data.data, f.data.len, 0, &err), MF_OK);
    tf_free(&f);
}

/* A 1.7 file: unknown block kind, 13 OBJS columns: must read fine. */
static void
test_future_minor(void)
{
    mf_buf p = {0};
    mf_error err;
    mf_reader *r;
    mf_graph lg;
    tfile f;
    uint64_t totals[7] = {2, 1, 1, 1, 0, 0, 48};
    uint8_t cols[13][8];
    size_t clen[13] = {0}, i;

    mf_buf_reserve(&p, 4096);
    tf_init(&f, 1, 7);
    /* STRS: "x" */
    mf_buf_put_varint(&p, 1);
    mf_buf_put(&p, "x", 1);
    tf_block(&f, MF_KIND_STRS, 0, 1, 0, p.data, p.len, 0);
    p.len = 0;
    /* unknown block kind */
    tf_block(&f, MF_KIND('X', 'T', 'R', 'A'), 5, 3, 9, "whatever", 8, 1);
    /* TYPE: address 4096, module none, qualname "x", flags 1 */
    mf_buf_put_varint(&p, 4096);
    mf_buf_put_varint(&p, 0);
    mf_buf_put_varint(&p, 1);
    mf_buf_put_varint(&p, 1);
    tf_block(&f, MF_KIND_TYPE, 0, 1, 0, p.data, p.len, 1);
    p.len = 0;
    /* OBJS: 2 objects, 1 edge 0 -> 1 INDEX label 0; 2 extra columns */
#define C(i, ...) do { \
        uint8_t v_[] = {__VA_ARGS__}; \
        memcpy(cols[i], v_, sizeof(v_)); clen[i] = sizeof(v_); \
    } while (0)
    C(0, 0x80, 0x20, 0x20);  /* addresses 4096, 4112 */
    C(1, 0, 0);              /* types */
    C(2, 16, 32);            /* sizes */
    C(3, 0, 0);              /* flags */
    C(7, 1, 0);              /* edge counts */
    C(8, 0);                 /* target: the frontier (1) */
    C(9, MF_EDGE_INDEX);
    C(10, 0);                /* label 0 */
    C(11, 1, 2, 3, 4);       /* unknown column */
    C(12, 9);                /* unknown column */
#undef C
    mf_buf_put_varint(&p, 1);  /* frontier */
    mf_buf_put_varint(&p, 13);
    for (i = 0; i < 13; i++) {
        mf_buf_put_varint(&p, clen[i]);
    }
    for (i = 0; i < 13; i++) {
        mf_buf_put(&p, cols[i], clen[i]);
    }
    tf_block(&f, MF_KIND_OBJS, 0, 2, 1, p.data, p.len, 1);
    tf_finish(&f, totals);
    CU_ASSERT_EQUAL_FATAL(mf_reader_open_memory(&r, f.data.data, f.data.len,
                                                NULL, &err), MF_OK);
    CU_ASSERT_EQUAL(mf_reader_info(r)->minor, 7);
    CU_ASSERT_EQUAL(mf_reader_info(r)->blocks, 4);
    CU_ASSERT_EQUAL_FATAL(mf_reader_load(r, MF_COL_ALL, &lg, &err), MF_OK);
    CU_ASSERT_EQUAL(lg.n_objects, 2);
    CU_ASSERT_EQUAL(lg.address[0], 4096);
    CU_ASSERT_EQUAL(lg.address[1], 4112);
    CU_ASSERT_EQUAL(lg.size[1], 32);
    CU_ASSERT_EQUAL(lg.n_edges, 1);
    CU_ASSERT_EQUAL(lg.edge_target[0], 1);
    CU_ASSERT_EQUAL(lg.edge_kind[0], MF_EDGE_INDEX);
    CU_ASSERT_EQUAL(lg.edge_label[0], 0);
    CU_ASSERT_EQUAL(mf_reader_verify(r, &err), MF_OK);
    mf_graph_free(&lg);
    mf_reader_close(r);
    tf_free(&f);
    mf_buf_free(&p);
}

/* Hostile counts and sizes: an error, never a huge allocation. */
static void
test_hostile(void)
{
    uint64_t totals[7] = {0};
    uint8_t payload[64] = {0};
    mf_error err;
    tfile f;
    int rc;

    /* an OBJS block claiming 2^31 objects in 64 bytes */
    tf_init(&f, 1, 0);
    tf_block(&f, MF_KIND_OBJS, 0, 1u << 31, 0, payload, sizeof(payload), 0);
    totals[0] = 1u << 31;
    tf_finish(&f, totals);
    rc = open_bytes(f.data.data, f.data.len, 0, &err);
    CU_ASSERT(rc == MF_E_CORRUPT || rc == MF_E_LIMIT);
    rc = open_bytes(f.data.data, f.data.len, MF_READ_PARTIAL, &err);
    CU_ASSERT(rc == MF_OK || rc == MF_E_CORRUPT || rc == MF_E_LIMIT);
    tf_free(&f);

    /* raw_size above 64 MiB */
    tf_init(&f, 1, 0);
    tf_put_block(&f, MF_KIND_STRS, MF_BLOCK_ZSTD, MF_MAX_RAW + 1, 0, 1, 0,
                 payload, sizeof(payload), 1);
    totals[0] = 0;
    totals[2] = 1;
    tf_finish(&f, totals);
    CU_ASSERT_EQUAL(open_bytes(f.data.data, f.data.len, 0, &err),
                    MF_E_LIMIT);
    CU_ASSERT(strstr(err.message, "block 0 (STRS) at offset 16: ") != NULL);
    tf_free(&f);

    /* zstd bomb: 64 MiB of zeros in a frame, header claims 100 bytes */
    {
        size_t big = (size_t)MF_MAX_RAW, bound = ZSTD_compressBound(big), z;
        uint8_t *zeros = calloc(1, big), *out = malloc(bound);
        z = ZSTD_compress(out, bound, zeros, big, 1);
        CU_ASSERT_FATAL(!ZSTD_isError(z));
        tf_init(&f, 1, 0);
        tf_put_block(&f, MF_KIND_STRS, MF_BLOCK_ZSTD, 100, 0, 1, 0, out, z,
                     1);
        tf_finish(&f, totals);
        rc = open_bytes(f.data.data, f.data.len, 0, &err);
        CU_ASSERT_EQUAL(rc, MF_E_CORRUPT);
        tf_free(&f);
        /* a ratio bomb: a well-formed OBJS block of 64 MiB in a few KB
         * is refused from its header, before it is decompressed */
        tf_init(&f, 1, 0);
        tf_put_block(&f, MF_KIND_OBJS, MF_BLOCK_ZSTD, (uint32_t)big, 0, 1,
                     0, out, z, 1);
        totals[2] = 0;
        totals[0] = 1;
        tf_finish(&f, totals);
        CU_ASSERT_EQUAL(open_bytes(f.data.data, f.data.len, 0, &err),
                        MF_E_LIMIT);
        CU_ASSERT(strstr(err.message, "decompression bomb") != NULL);
        CU_ASSERT(strstr(err.message, "block 0 (OBJS) at offset 16: ")
                  != NULL);
        tf_free(&f);
        totals[0] = 0;
        totals[2] = 1;
        /* and claiming 64 MiB + 1 */
        tf_init(&f, 1, 0);
        tf_put_block(&f, MF_KIND_STRS, MF_BLOCK_ZSTD, MF_MAX_RAW + 1, 0, 1,
                     0, out, z, 1);
        tf_finish(&f, totals);
        CU_ASSERT_EQUAL(open_bytes(f.data.data, f.data.len, 0, &err),
                        MF_E_LIMIT);
        tf_free(&f);
        /* a frame without a content size */
        {
            ZSTD_CCtx *cc = ZSTD_createCCtx();
            ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 0);
            z = ZSTD_compress2(cc, out, bound, zeros, 1000);
            ZSTD_freeCCtx(cc);
            tf_init(&f, 1, 0);
            tf_put_block(&f, MF_KIND_STRS, MF_BLOCK_ZSTD, 1000, 0, 1, 0,
                         out, z, 1);
            tf_finish(&f, totals);
            CU_ASSERT_EQUAL(open_bytes(f.data.data, f.data.len, 0, &err),
                            MF_E_CORRUPT);
            tf_free(&f);
        }
        free(zeros);
        free(out);
    }

    /* many OBJS blocks that together claim > 2^32 objects */
    {
        uint8_t *zeros = calloc(1, MF_MAX_RAW);
        size_t bound = ZSTD_compressBound(MF_MAX_RAW), z, i;
        uint8_t *out = malloc(bound);
        uint32_t per = MF_MAX_RAW / 5;
        z = ZSTD_compress(out, bound, zeros, MF_MAX_RAW, 1);
        tf_init(&f, 1, 0);
        for (i = 0; i < 400; i++) {
            tf_put_block(&f, MF_KIND_OBJS, MF_BLOCK_ZSTD, MF_MAX_RAW,
                         (uint64_t)per * i, per, 0, out, z, 1);
        }
        memset(totals, 0, sizeof(totals));
        totals[0] = (uint64_t)per * 400;
        tf_finish(&f, totals);
        CU_ASSERT_EQUAL(open_bytes(f.data.data, f.data.len, 0, &err),
                        MF_E_LIMIT);
        tf_free(&f);
        /* fewer blocks, within 2^32 objects: the memory limit catches it
           (1 GiB in open_bytes) before any allocation */
        tf_init(&f, 1, 0);
        for (i = 0; i < 100; i++) {
            tf_put_block(&f, MF_KIND_OBJS, MF_BLOCK_ZSTD, MF_MAX_RAW,
                         (uint64_t)per * i, per, 0, out, z, 1);
        }
        totals[0] = (uint64_t)per * 100;
        tf_finish(&f, totals);
        CU_ASSERT_EQUAL(open_bytes(f.data.data, f.data.len, 0, &err),
                        MF_E_LIMIT);
        tf_free(&f);
        free(zeros);
        free(out);
    }
}

static void
test_max_memory(void)
{
    mf_read_options ro = {0};
    char path[300];
    mf_reader *r;
    mf_graph lg;
    mf_error err;
    tgraph g;
    int rc;

    tpath(path, sizeof(path), "mem.snap");
    tg_random(&g, 10000, 4, 13);
    CU_ASSERT_EQUAL_FATAL(tg_write(&g, path, NULL, NULL, &err), MF_OK);
    ro.max_memory = 50000;
    rc = mf_reader_open(&r, path, &ro, &err);
    CU_ASSERT_EQUAL_FATAL(rc, MF_OK);
    CU_ASSERT_EQUAL(mf_reader_load(r, MF_COL_ALL, &lg, &err), MF_E_LIMIT);
    CU_ASSERT(strstr(err.message, "more than the limit of 50000") != NULL);
    /* fewer columns fit */
    CU_ASSERT_EQUAL(mf_reader_load(r, MF_COL_FLAGS, &lg, &err), MF_OK);
    mf_graph_free(&lg);
    mf_reader_close(r);
    ro.max_memory = 100;
    CU_ASSERT_EQUAL(mf_reader_open(&r, path, &ro, &err), MF_E_LIMIT);
    tg_free(&g);
    unlink(path);
}

/* ---- writer errors -------------------------------------------------- */

static void
test_writer_errors(void)
{
    mf_writer *w;
    mf_error err;
    char path[300];
    uint32_t id;
    mf_object o = {0};
    mf_edge e = {5, MF_EDGE_REF, 0};
    mf_type t = {0, MF_NONE, MF_NONE, 0};

    /* unwritable place */
    snprintf(path, sizeof(path), "%s/no/such/dir/x.snap", tmpdir);
    CU_ASSERT_EQUAL(mf_writer_open(&w, path, NULL, &err), MF_E_IO);
    CU_ASSERT_EQUAL(err.sys_errno, ENOENT);
    CU_ASSERT_PTR_NULL(w);
    CU_ASSERT(strstr(err.message, "cannot create '") == err.message);
    CU_ASSERT_EQUAL(mf_writer_open(&w, "", NULL, &err), MF_E_ARG);
    /* a parent that is a regular file */
    tpath(path, sizeof(path), "plain");
    {
        FILE *f = fopen(path, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fclose(f);
    }
    tpath(path, sizeof(path), "plain/x.snap");
    CU_ASSERT_EQUAL(mf_writer_open(&w, path, NULL, &err), MF_E_IO);
    CU_ASSERT_EQUAL(err.sys_errno, ENOTDIR);
    tpath(path, sizeof(path), "plain");
    unlink(path);

    /* abort removes the temporary file */
    tpath(path, sizeof(path), "ab.snap");
    CU_ASSERT_EQUAL_FATAL(mf_writer_open(&w, path, NULL, &err), MF_OK);
    CU_ASSERT_EQUAL(count_files("ab.snap.tmp."), 1);
    mf_writer_abort(w);
    CU_ASSERT_EQUAL(count_files("ab.snap"), 0);

    /* an edge to an object never written: close fails, nothing left */
    tpath(path, sizeof(path), "dangling.snap");
    CU_ASSERT_EQUAL_FATAL(mf_writer_open(&w, path, NULL, &err), MF_OK);
    CU_ASSERT_EQUAL(mf_writer_type(w, &t, &id, &err), MF_OK);
    CU_ASSERT_EQUAL(mf_writer_object(w, &o, &e, 1, &err), MF_OK);
    CU_ASSERT_EQUAL(mf_writer_close(w, NULL, &err), MF_E_CORRUPT);
    CU_ASSERT_STRING_EQUAL(err.message, "an edge or root refers to object 5 "
                           "but only 1 objects were written");
    CU_ASSERT_EQUAL(count_files("dangling.snap"), 0);

    /* a root to an object never written */
    CU_ASSERT_EQUAL_FATAL(mf_writer_open(&w, path, NULL, &err), MF_OK);
    CU_ASSERT_EQUAL(mf_writer_root(w, &(mf_root){3, 0, MF_NONE}, &err),
                    MF_OK);
    CU_ASSERT_EQUAL(mf_writer_close(w, NULL, &err), MF_E_CORRUPT);
    CU_ASSERT_EQUAL(count_files("dangling.snap"), 0);

    /* argument errors do not poison the writer */
    CU_ASSERT_EQUAL_FATAL(mf_writer_open(&w, path, NULL, &err), MF_OK);
    CU_ASSERT_EQUAL(mf_writer_object(w, &o, NULL, 0, &err), MF_E_ARG);
    CU_ASSERT_STRING_EQUAL(err.message, "object 0: type id 0 out of range "
                           "(0 types)");
    CU_ASSERT_EQUAL(mf_writer_type(w, &t, &id, &err), MF_OK);
    o.flags = MF_OBJ_HAS_NAME;
    o.name = 7;
    CU_ASSERT_EQUAL(mf_writer_object(w, &o, NULL, 0, &err), MF_E_ARG);
    o.flags = 0;
    e.target = 0;
    e.kind = MF_EDGE_ATTR;
    e.label = 3;
    CU_ASSERT_EQUAL(mf_writer_object(w, &o, &e, 1, &err), MF_E_ARG);
    {
        char *big = calloc(1, MF_MAX_STRING + 1);
        CU_ASSERT_EQUAL(mf_writer_string(w, big, MF_MAX_STRING + 1, &id,
                                         &err), MF_E_LIMIT);
        CU_ASSERT_EQUAL(mf_writer_string(w, big, MF_MAX_STRING, &id, &err),
                        MF_OK);
        free(big);
    }
    CU_ASSERT_EQUAL(mf_writer_object(w, &o, NULL, 0, &err), MF_OK);
    CU_ASSERT_EQUAL(mf_writer_object_count(w), 1);
    {
        /* edges written in place: no more than the room asked for */
        mf_edge *room = mf_writer_edges(w, 1, &err);

        CU_ASSERT_PTR_NOT_NULL_FATAL(room);
        room[0].target = 0;
        room[0].kind = MF_EDGE_REF;
        room[0].label = 0;
        CU_ASSERT_EQUAL(mf_writer_object(w, &o, room, 2, &err), MF_E_ARG);
        CU_ASSERT_EQUAL(mf_writer_object(w, &o, room, 1, &err), MF_OK);
    }
    CU_ASSERT_EQUAL(mf_writer_object_count(w), 2);
    CU_ASSERT_EQUAL(mf_writer_close(w, NULL, &err), MF_OK);
    CU_ASSERT_EQUAL(count_files("dangling.snap"), 1);
    CU_ASSERT_EQUAL(count_files("dangling.snap.tmp"), 0);
    unlink(path);
}

/* A full disk, simulated with RLIMIT_FSIZE in a child process. */
static void
test_disk_full(void)
{
    pid_t pid;
    int status = -1, t;

    for (t = -1; t <= 0; t++) {
        pid = fork();
        CU_ASSERT_FATAL(pid >= 0);
        if (pid == 0) {
            struct rlimit rl = {200000, 200000};
            mf_write_options wo = {0};
            mf_writer *w;
            mf_error err;
            char path[300];
            tgraph g;
            uint64_t i;
            int rc = MF_OK, rc2;

            signal(SIGXFSZ, SIG_IGN);
            setrlimit(RLIMIT_FSIZE, &rl);
            tpath(path, sizeof(path), "full.snap");
            tg_random(&g, 200000, 4, 14);
            wo.threads = t;
            wo.level = 1;
            if (mf_writer_open(&w, path, &wo, &err) != MF_OK) {
                _exit(10);
            }
            for (i = 0; i < g.n_strings; i++) {
                mf_writer_string(w, g.strings[i], g.string_len[i], NULL,
                                 &err);
            }
            for (i = 0; i < g.n_types; i++) {
                mf_writer_type(w, &g.types[i], NULL, &err);
            }
            for (i = 0; i < g.n && rc == MF_OK; i++) {
                rc = mf_writer_object(w, &g.objs[i], g.edges + g.estart[i],
                                      g.estart[i + 1] - g.estart[i], &err);
            }
            if (rc != MF_OK) {
                /* sticky: the next call gives the same error */
                rc2 = mf_writer_object(w, &g.objs[0], NULL, 0, &err);
                if (rc2 != rc) {
                    _exit(11);
                }
            }
            rc2 = mf_writer_close(w, NULL, &err);
            if (rc2 != MF_E_IO || (rc != MF_OK && rc != MF_E_IO)) {
                _exit(12);
            }
            if (err.sys_errno != EFBIG || !strstr(err.message, "cannot "
                                                  "write '")) {
                _exit(13);
            }
            if (count_files("full.snap") != 0) {
                _exit(14);
            }
            _exit(0);
        }
        waitpid(pid, &status, 0);
        CU_ASSERT(WIFEXITED(status));
        CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
    }
}

/* mf_reader_open on missing and unreadable paths. */
static void
test_open_errors(void)
{
    mf_reader *r = (mf_reader *)1;
    mf_error err;
    char path[300];

    tpath(path, sizeof(path), "missing.snap");
    CU_ASSERT_EQUAL(mf_reader_open(&r, path, NULL, &err), MF_E_IO);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(err.sys_errno, ENOENT);
    CU_ASSERT(strstr(err.message, "cannot open '") == err.message);
    CU_ASSERT_EQUAL(mf_reader_open(&r, tmpdir, NULL, &err), MF_E_IO);
}

/* Progress callback runs and ends at the total. */
static uint64_t progress_calls, progress_last;

static void
on_progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx;
    (void)total;
    progress_calls++;
    progress_last = done;
}

static void
test_progress(void)
{
    mf_write_options wo = {0};
    mf_read_options ro = {0};
    char path[300];
    mf_reader *r;
    mf_graph lg;
    mf_error err;
    tgraph g;

    tpath(path, sizeof(path), "prog.snap");
    tg_random(&g, 5000, 3, 15);
    wo.block_objects = 500;
    CU_ASSERT_EQUAL_FATAL(tg_write(&g, path, &wo, NULL, &err), MF_OK);
    ro.threads = 1;
    ro.progress = on_progress;
    CU_ASSERT_EQUAL_FATAL(mf_reader_open(&r, path, &ro, &err), MF_OK);
    CU_ASSERT_EQUAL_FATAL(mf_reader_load(r, MF_COL_ALL, &lg, &err), MF_OK);
    CU_ASSERT(progress_calls >= 10);
    CU_ASSERT(progress_last > 0);
    mf_graph_free(&lg);
    mf_reader_close(r);
    tg_free(&g);
    unlink(path);
}

int
main(void)
{
    CU_pSuite s;
    const char *base = getenv("TMPDIR");
    unsigned failures;

    snprintf(tmpdir, sizeof(tmpdir), "%s/muppy-format-XXXXXX",
             base && *base ? base : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite("coding", NULL, NULL);
    CU_add_test(s, "varint", test_varint);
    CU_add_test(s, "zigzag", test_zigzag);
    CU_add_test(s, "crc32c", test_crc32c);
    CU_add_test(s, "names", test_names);
    s = CU_add_suite("roundtrip", NULL, NULL);
    CU_add_test(s, "small", test_roundtrip_small);
    CU_add_test(s, "blocks", test_roundtrip_blocks);
    CU_add_test(s, "seeds", test_roundtrip_seeds);
    CU_add_test(s, "empty", test_empty);
    CU_add_test(s, "frontier", test_frontier);
    CU_add_test(s, "labels", test_labels);
    CU_add_test(s, "progress", test_progress);
    CU_add_test(s, "big_object", test_big_object);
    CU_add_test(s, "memory_breakdown", test_memory_breakdown);
    s = CU_add_suite("damage", NULL, NULL);
    CU_add_test(s, "truncation", test_truncation);
    CU_add_test(s, "flips", test_flips);
    CU_add_test(s, "magic_version", test_magic_version);
    CU_add_test(s, "future_minor", test_future_minor);
    CU_add_test(s, "hostile", test_hostile);
    CU_add_test(s, "max_memory", test_max_memory);
    CU_add_test(s, "open_errors", test_open_errors);
    s = CU_add_suite("writer_errors", NULL, NULL);
    CU_add_test(s, "errors", test_writer_errors);
    CU_add_test(s, "disk_full", test_disk_full);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    rmdir(tmpdir);
    return failures ? 1 : 0;
}
