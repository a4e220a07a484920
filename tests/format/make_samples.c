/*
 * make_samples.c - writes the test vectors of samples/ (deterministic).
 *
 *     make_samples DIR
 *
 * Valid files go through mf_writer; invalid ones are derived from them or
 * crafted byte by byte (tfile.h).  The library writes format 1.1; the
 * v1-* files use nothing of 1.1 and are set to 1.0 after writing (the
 * header's version is outside every checksum), so that the set keeps
 * 1.0 vectors; v1.1-external.snap has the 1.1 additions.  samples/expect.txt says what a reader
 * must report for each; test_samples checks it.  Not run in CI: the
 * committed files are the vectors (zstd output may differ between zstd
 * versions, so regenerated files need not be byte-identical).
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "layout.h"
#include "muppy_format.h"
#include "tfile.h"
#include "varint.h"

static const char *dir;

static void
die(const char *what, const mf_error *err)
{
    fprintf(stderr, "make_samples: %s: %s\n", what, err ? err->message : "");
    exit(1);
}

static void
path_of(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static void
put_file(const char *name, const void *data, size_t len)
{
    char path[4096];
    FILE *f;

    path_of(path, sizeof(path), name);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        die(name, NULL);
    }
}

static uint8_t *
get_file(const char *name, size_t *len)
{
    char path[4096];
    uint8_t *p;
    FILE *f;
    long n;

    path_of(path, sizeof(path), name);
    f = fopen(path, "rb");
    if (f == NULL) {
        die(name, NULL);
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc((size_t)n + 1);
    if (p == NULL || fread(p, 1, (size_t)n, f) != (size_t)n) {
        die(name, NULL);
    }
    fclose(f);
    *len = (size_t)n;
    return p;
}

#define CHECK(call) \
    do { \
        if ((call) != MF_OK) { \
            die(#call, &err); \
        } \
    } while (0)

/* A few objects of every edge kind, types, roots and meta. */
static void
make_minimal(const char *name, uint32_t block_objects, int copies)
{
    enum { S_BUILTINS, S_DICT, S_LIST, S_STR, S_MAIN, S_NODE, S_CACHE,
           S_PARENT, S_X, S_INT, S_TUPLE, S_SET, S_WEAKREF, S_THREAD,
           S_N };
    static const char *const strs[S_N] = {
        "builtins", "dict", "list", "str", "__main__", "Node", "cache",
        "parent", "x", "int", "tuple", "set", "weakref",
        "thread 1 main() node",
    };
    mf_write_options wo = {0, 0, -1};
    uint32_t sid[S_N], i, base;
    char path[4096];
    mf_writer *w;
    mf_error err;
    int c;

    wo.block_objects = block_objects;
    path_of(path, sizeof(path), name);
    CHECK(mf_writer_open(&w, path, &wo, &err));
    for (i = 0; i < S_N; i++) {
        CHECK(mf_writer_string(w, strs[i], strlen(strs[i]), &sid[i], &err));
    }
    {
        /* types 0..6: dict list str Node int tuple set weakref */
        mf_type t[] = {
            {0x7f0000010000, sid[S_BUILTINS], sid[S_DICT], MF_TYPE_GC},
            {0x7f0000010400, sid[S_BUILTINS], sid[S_LIST], MF_TYPE_GC},
            {0x7f0000010800, sid[S_BUILTINS], sid[S_STR], 0},
            {0x55550000a000, sid[S_MAIN], sid[S_NODE],
             MF_TYPE_HEAP | MF_TYPE_GC},
            {0x7f0000010c00, sid[S_BUILTINS], sid[S_INT], 0},
            {0x7f0000011000, sid[S_BUILTINS], sid[S_TUPLE], MF_TYPE_GC},
            {0x7f0000011400, sid[S_BUILTINS], sid[S_SET], MF_TYPE_GC},
            {0x7f0000011800, MF_NONE, sid[S_WEAKREF], 0},
        };
        for (i = 0; i < sizeof(t) / sizeof(*t); i++) {
            CHECK(mf_writer_type(w, &t[i], NULL, &err));
        }
    }
    mf_writer_set_frontier(w, 1);
    for (c = 0; c < copies; c++) {
        uint64_t a = 0x7f1000000000ull + (uint64_t)c * 0x1000;
        base = (uint32_t)c * 8;
        mf_writer_set_frontier(w, base + 1);
        {
            const mf_object o0 = {a, 0, MF_OBJ_GC_TRACKED | MF_OBJ_HAS_LENGTH,
                                  1200, 4, MF_NONE, MF_NONE};
            const mf_edge e0[] = {
                {base + 1, MF_EDGE_KEY_STR, sid[S_CACHE]},
                {base + 3, MF_EDGE_KEY_INT, (uint64_t)(int64_t)-42},
                {base + 4, MF_EDGE_KEY_OTHER, 0},
                {base + 5, MF_EDGE_DICT_KEY, 0},
            };
            const mf_object o1 = {a + 0x40, 1,
                                  MF_OBJ_GC_TRACKED | MF_OBJ_HAS_LENGTH, 72,
                                  2, MF_NONE, MF_NONE};
            const mf_edge e1[] = {
                {base + 2, MF_EDGE_INDEX, 0},
                {base + 3, MF_EDGE_INDEX, 1},
            };
            const mf_object o2 = {a + 0x80, 3, MF_OBJ_GC_TRACKED, 48, 0,
                                  MF_NONE, MF_NONE};
            const mf_edge e2[] = {
                {base + 0, MF_EDGE_ATTR, sid[S_PARENT]},
                {base + 3, MF_EDGE_FIELD, sid[S_X]},
                {base + 6, MF_EDGE_REF, 0},
            };
            const mf_object o3 = {a + 0x10, 4, MF_OBJ_IMMORTAL, 28, 0,
                                  MF_NONE, MF_NONE};
            const mf_object o4 = {a + 0xc0, 5,
                                  MF_OBJ_GC_TRACKED | MF_OBJ_HAS_LENGTH, 56,
                                  2, MF_NONE, MF_NONE};
            const mf_edge e4[] = {
                {base + 3, MF_EDGE_INDEX, 0},
                {base + 3, MF_EDGE_INDEX, 1},
            };
            const mf_object o5 = {a - 0x2000, 2,
                                  MF_OBJ_HAS_LENGTH | MF_OBJ_HAS_VALUE
                                  | MF_OBJ_HAS_NAME, 50, 1, sid[S_X],
                                  sid[S_X]};
            const mf_object o6 = {a + 0x100, 6, MF_OBJ_GC_TRACKED
                                  | MF_OBJ_HAS_LENGTH, 216, 1, MF_NONE,
                                  MF_NONE};
            const mf_edge e6[] = {{base + 3, MF_EDGE_SET_ITEM, 0}};
            const mf_object o7 = {a + 0x1e0, 7, MF_OBJ_SIZE_FALLBACK, 80, 0,
                                  MF_NONE, MF_NONE};
            const mf_edge e7[] = {{base + 2, MF_EDGE_REF | MF_EDGE_WEAK, 0}};
            CHECK(mf_writer_object(w, &o0, e0, 4, &err));
            CHECK(mf_writer_object(w, &o1, e1, 2, &err));
            CHECK(mf_writer_object(w, &o2, e2, 3, &err));
            CHECK(mf_writer_object(w, &o3, NULL, 0, &err));
            CHECK(mf_writer_object(w, &o4, e4, 2, &err));
            CHECK(mf_writer_object(w, &o5, NULL, 0, &err));
            CHECK(mf_writer_object(w, &o6, e6, 1, &err));
            CHECK(mf_writer_object(w, &o7, e7, 1, &err));
        }
    }
    {
        mf_root r0 = {0, MF_ROOT_SYS_MODULES, MF_NONE};
        mf_root r1 = {0, MF_ROOT_MODULE, sid[S_MAIN]};
        mf_root r2 = {2, MF_ROOT_THREAD, sid[S_THREAD]};
        CHECK(mf_writer_root(w, &r0, &err));
        CHECK(mf_writer_root(w, &r1, &err));
        CHECK(mf_writer_root(w, &r2, &err));
    }
    CHECK(mf_writer_meta_str(w, "python", "3.11.7", &err));
    CHECK(mf_writer_meta_int(w, "pid", 4242, &err));
    CHECK(mf_writer_meta_float(w, "time", 1700000000.5, &err));
    CHECK(mf_writer_close(w, NULL, &err));
}

static void
make_empty(void)
{
    char path[4096];
    mf_writer *w;
    mf_error err;

    path_of(path, sizeof(path), "v1-empty.snap");
    CHECK(mf_writer_open(&w, path, NULL, &err));
    CHECK(mf_writer_close(w, NULL, &err));
}

/* make a file written by the library a version 1.0 file */
static void
set_minor_0(const char *name)
{
    size_t len;
    uint8_t *d = get_file(name, &len);

    mf_put_le16(d + 10, 0);
    put_file(name, d, len);
    free(d);
}

/*
 * Format 1.1: external nodes (object flag EXTERNAL, types with the
 * EXTERNAL, FILE and DEVICE flags) and the memory metadata.  The graph:
 * a module dict holding an ndarray that owns 4096 bytes of data, a
 * tensor and its view sharing one 1000-byte storage, a memmap whose
 * 8192 bytes are a file mapping, a GPU tensor's 100000 bytes.
 */
static void
make_external(void)
{
    enum { S_BUILTINS, S_EXT, S_DICT, S_NDARRAY, S_NUMPY, S_TENSOR,
           S_TORCH, S_NPDATA, S_STORAGE, S_MMAP, S_CUDA, S_DATA, S_STOR,
           S_A, S_T, S_V, S_M, S_G, S_N };
    static const char *const strs[S_N] = {
        "builtins", "<external>", "dict", "ndarray", "numpy", "Tensor",
        "torch", "numpy data", "torch storage", "mmap.mmap",
        "torch storage (cuda)", "data", "storage", "a", "t", "v", "m", "g"};
    mf_write_options wo = {0, 0, -1};
    uint32_t sid[S_N], i;
    char path[4096];
    mf_writer *w;
    mf_error err;

    path_of(path, sizeof(path), "v1.1-external.snap");
    CHECK(mf_writer_open(&w, path, &wo, &err));
    for (i = 0; i < S_N; i++) {
        CHECK(mf_writer_string(w, strs[i], strlen(strs[i]), &sid[i], &err));
    }
    {
        /* 0 dict, 1 ndarray, 2 Tensor, 3..6 the external types */
        const mf_type t[] = {
            {0x7f0000010000, sid[S_BUILTINS], sid[S_DICT], MF_TYPE_GC},
            {0x7f0000020000, sid[S_NUMPY], sid[S_NDARRAY], 0},
            {0x55550000b000, sid[S_TORCH], sid[S_TENSOR],
             MF_TYPE_HEAP | MF_TYPE_GC},
            {0, sid[S_EXT], sid[S_NPDATA], MF_TYPE_EXTERNAL},
            {0, sid[S_EXT], sid[S_STORAGE], MF_TYPE_EXTERNAL},
            {0, sid[S_EXT], sid[S_MMAP], MF_TYPE_EXTERNAL | MF_TYPE_FILE},
            {0, sid[S_EXT], sid[S_CUDA], MF_TYPE_EXTERNAL | MF_TYPE_DEVICE},
        };
        for (i = 0; i < sizeof(t) / sizeof(*t); i++) {
            CHECK(mf_writer_type(w, &t[i], NULL, &err));
        }
    }
    mf_writer_set_frontier(w, 1);
    {
        const uint64_t a = 0x7f2000000000ull;
        /* objects 0..9: the dict; ndarray a, tensors t and v, memmap m,
         * tensor g; nodes: numpy data, torch storage, file, device */
        const mf_object objs[10] = {
            {a, 0, MF_OBJ_GC_TRACKED | MF_OBJ_HAS_LENGTH, 360, 5, MF_NONE,
             MF_NONE},
            {a + 0x1000, 1, 0, 112, 0, MF_NONE, MF_NONE},
            {a + 0x2000, 2, MF_OBJ_GC_TRACKED, 96, 0, MF_NONE, MF_NONE},
            {a + 0x3000, 2, MF_OBJ_GC_TRACKED, 96, 0, MF_NONE, MF_NONE},
            {a + 0x4000, 1, 0, 112, 0, MF_NONE, MF_NONE},
            {a + 0x5000, 2, MF_OBJ_GC_TRACKED, 96, 0, MF_NONE, MF_NONE},
            {0x7f3000000000ull, 3, MF_OBJ_EXTERNAL, 4096, 0, MF_NONE,
             MF_NONE},
            {0x7f3000100000ull, 4, MF_OBJ_EXTERNAL, 1000, 0, MF_NONE,
             MF_NONE},
            {0x7f4000000000ull, 5, MF_OBJ_EXTERNAL, 8192, 0, MF_NONE,
             MF_NONE},
            {0x200000000ull, 6, MF_OBJ_EXTERNAL, 100000, 0, MF_NONE,
             MF_NONE},
        };
        const mf_edge e0[] = {
            {1, MF_EDGE_KEY_STR, sid[S_A]}, {2, MF_EDGE_KEY_STR, sid[S_T]},
            {3, MF_EDGE_KEY_STR, sid[S_V]}, {4, MF_EDGE_KEY_STR, sid[S_M]},
            {5, MF_EDGE_KEY_STR, sid[S_G]},
        };
        const mf_edge e1[] = {{6, MF_EDGE_FIELD, sid[S_DATA]}};
        const mf_edge e2[] = {{7, MF_EDGE_FIELD, sid[S_STOR]}};
        const mf_edge e3[] = {{7, MF_EDGE_FIELD, sid[S_STOR]}};
        const mf_edge e4[] = {{8, MF_EDGE_FIELD, sid[S_DATA]}};
        const mf_edge e5[] = {{9, MF_EDGE_FIELD, sid[S_STOR]}};
        const mf_edge *es[6] = {e0, e1, e2, e3, e4, e5};
        const size_t ne[6] = {5, 1, 1, 1, 1, 1};

        for (i = 0; i < 10; i++) {
            CHECK(mf_writer_object(w, &objs[i], i < 6 ? es[i] : NULL,
                                   i < 6 ? ne[i] : 0, &err));
        }
    }
    {
        mf_root r0 = {0, MF_ROOT_MODULE, sid[S_BUILTINS]};
        CHECK(mf_writer_root(w, &r0, &err));
    }
    {
        /* what a dump records (spec: the metadata key registry) */
        static const char *const keys[] = {
            "rss.current", "rss.anon", "rss.file", "rss.shmem",
            "rss.libraries", "pymalloc.arenas", "pymalloc.arena_bytes",
            "pymalloc.used_bytes", "pymalloc.free_bytes",
            "pymalloc.unused_bytes", "malloc.heap", "malloc.in_use",
            "malloc.free", "malloc.mmapped", "malloc.top",
            "dump.external_nodes", "dump.shallow_objects",
            "dump.sizer_calls", "dump.sizer_errors"};
        static const int64_t vals[] = {
            2097152, 1572864, 524288, 0, 65536, 1, 1048576, 200000, 48576,
            800000, 300000, 250000, 50000, 0, 20000, 4, 0, 3, 0};
        for (i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
            CHECK(mf_writer_meta_int(w, keys[i], vals[i], &err));
        }
        CHECK(mf_writer_meta_str(w, "dump.shallow_types", "", &err));
    }
    CHECK(mf_writer_close(w, NULL, &err));
}

/* Offset of the n-th block header (0-based) of a well-formed file. */
static uint64_t
block_offset(const uint8_t *d, size_t len, int n)
{
    uint64_t off = MF_HEADER_SIZE;

    while (n-- > 0 && off + MF_BLOCK_HEADER_SIZE <= len) {
        off += MF_BLOCK_HEADER_SIZE + mf_le32(d + off + 8);
    }
    return off;
}

/* Index of the first block of `kind` (or -1). */
static int
find_block(const uint8_t *d, size_t len, uint32_t kind, int nth)
{
    uint64_t off = MF_HEADER_SIZE;
    int i = 0;

    while (off + MF_BLOCK_HEADER_SIZE <= len) {
        if (mf_le32(d + off) == kind && nth-- == 0) {
            return i;
        }
        off += MF_BLOCK_HEADER_SIZE + mf_le32(d + off + 8);
        i++;
    }
    return -1;
}

static void
make_derived(void)
{
    size_t len, mlen;
    uint8_t *d = get_file("v1-minimal.snap", &len);
    uint8_t *m = get_file("v1-multiblock.snap", &mlen);
    uint8_t *c = malloc(len > mlen ? len : mlen);
    uint64_t off;

    /* bad magic */
    memcpy(c, d, len);
    c[0] = 'X';
    put_file("bad-magic.snap", c, len);
    /* major version 2 */
    memcpy(c, d, len);
    mf_put_le16(c + 8, 2);
    put_file("bad-version-2.snap", c, len);
    /* a flipped byte inside the OBJS payload */
    memcpy(c, d, len);
    off = block_offset(d, len, find_block(d, len, MF_KIND_OBJS, 0));
    c[off + MF_BLOCK_HEADER_SIZE + 3] ^= 0x10;
    put_file("bad-checksum.snap", c, len);
    /* no trailer: the last 24 bytes missing */
    put_file("bad-no-trailer.snap", d, len - MF_FOOTER_SIZE);
    /* cut in the middle of the third OBJS block of the multiblock file */
    off = block_offset(m, mlen, find_block(m, mlen, MF_KIND_OBJS, 2));
    put_file("bad-truncated.snap", m, off + MF_BLOCK_HEADER_SIZE + 5);
    /* a footer pointing past the TOC */
    memcpy(c, d, len);
    mf_put_le64(c + len - MF_FOOTER_SIZE,
                mf_le64(c + len - MF_FOOTER_SIZE) + 1);
    put_file("bad-trailer-crc.snap", c, len);
    free(c);
    free(d);
    free(m);
}

static void
put_tfile(const char *name, tfile *f)
{
    put_file(name, f->data.data, f->data.len);
    tf_free(f);
}

/* Byte-by-byte files: hostile counts, bad frames, future versions. */
static void
make_crafted(void)
{
    uint64_t totals[7] = {0};
    uint8_t zero[64] = {0};
    mf_buf p = {0};
    tfile f;

    mf_buf_reserve(&p, 1 << 16);
    /* an OBJS block claiming 2^31 objects in 64 bytes */
    tf_init(&f, 1, 0);
    tf_block(&f, MF_KIND_OBJS, 0, 1u << 31, 0, zero, sizeof(zero), 0);
    totals[0] = 1u << 31;
    tf_finish(&f, totals);
    put_tfile("bad-huge-count.snap", &f);

    /* raw_size above 64 MiB */
    memset(totals, 0, sizeof(totals));
    totals[2] = 1;
    tf_init(&f, 1, 0);
    tf_put_block(&f, MF_KIND_STRS, MF_BLOCK_ZSTD, MF_MAX_RAW + 1, 0, 1, 0,
                 zero, sizeof(zero), 1);
    tf_finish(&f, totals);
    put_tfile("bad-raw-size.snap", &f);

    /* a zstd frame of 1 MiB of zeros in a block claiming 100 bytes */
    {
        size_t big = 1u << 20, bound = ZSTD_compressBound(big), z;
        uint8_t *zeros = calloc(1, big), *out = malloc(bound);
        z = ZSTD_compress(out, bound, zeros, big, 19);
        tf_init(&f, 1, 0);
        tf_put_block(&f, MF_KIND_STRS, MF_BLOCK_ZSTD, 100, 0, 1, 0, out, z,
                     1);
        tf_finish(&f, totals);
        put_tfile("bad-zstd-bomb.snap", &f);
        free(zeros);
        free(out);
    }

    /* an edge to object 5 in a file of 2 objects */
    memset(totals, 0, sizeof(totals));
    tf_init(&f, 1, 0);
    p.len = 0;
    mf_buf_put_varint(&p, 0);
    mf_buf_put_varint(&p, 0);
    mf_buf_put_varint(&p, 0);
    mf_buf_put_varint(&p, 0);
    tf_block(&f, MF_KIND_TYPE, 0, 1, 0, p.data, p.len, 0);
    {
        static const uint8_t objs[] = {
            0, 11,                     /* frontier 0, 11 columns */
            2, 2, 2, 2, 0, 0, 0, 2, 1, 1, 0, /* column sizes */
            0x10, 0x20,                /* address 16, then +16 */
            0, 0,                      /* type */
            16, 16,                    /* size */
            0, 0,                      /* flags */
            1, 0,                      /* edge counts */
            11,                        /* target 0 + unzigzag(10) = 5 */
            0,                         /* kind REF */
        };
        tf_block(&f, MF_KIND_OBJS, 0, 2, 1, objs, sizeof(objs), 0);
    }
    totals[0] = 2;
    totals[1] = 1;
    totals[3] = 1;
    totals[6] = 32;
    tf_finish(&f, totals);
    put_tfile("bad-edge-target.snap", &f);

    /* version 1.7: an unknown block kind and two extra OBJS columns */
    memset(totals, 0, sizeof(totals));
    tf_init(&f, 1, 7);
    p.len = 0;
    mf_buf_put_varint(&p, 1);
    mf_buf_put(&p, "x", 1);
    tf_block(&f, MF_KIND_STRS, 0, 1, 0, p.data, p.len, 0);
    tf_block(&f, MF_KIND('X', 'T', 'R', 'A'), 5, 3, 9, "future data", 11,
             0);
    p.len = 0;
    mf_buf_put_varint(&p, 4096);
    mf_buf_put_varint(&p, 0);
    mf_buf_put_varint(&p, 1);
    mf_buf_put_varint(&p, 1);
    tf_block(&f, MF_KIND_TYPE, 0, 1, 0, p.data, p.len, 0);
    {
        static const uint8_t objs[] = {
            1, 13,                     /* frontier 1, 13 columns */
            3, 2, 2, 2, 0, 0, 0, 2, 1, 1, 1, 4, 1, /* column sizes */
            0x80, 0x20, 0x20,          /* address 4096, 4112 */
            0, 0,                      /* type */
            16, 32,                    /* size */
            0, 0,                      /* flags */
            1, 0,                      /* edge counts */
            0,                         /* target: the frontier, 1 */
            MF_EDGE_INDEX,             /* kind */
            0,                         /* label: index 0 */
            1, 2, 3, 4,                /* column 12: unknown */
            9,                         /* column 13: unknown */
        };
        tf_block(&f, MF_KIND_OBJS, 0, 2, 1, objs, sizeof(objs), 0);
    }
    totals[0] = 2;
    totals[1] = 1;
    totals[2] = 1;
    totals[3] = 1;
    totals[6] = 48;
    tf_finish(&f, totals);
    put_tfile("v1-future-minor.snap", &f);
    mf_buf_free(&p);
}

/*
 * Fuzzing seed: `name` rewritten with every block stored raw (no zstd),
 * so that mutations reach the payload decoders.  Written to `out`.
 */
static void
rewrite_raw(const char *name, const char *out)
{
    size_t len;
    uint8_t *d = get_file(name, &len);
    uint64_t off = MF_HEADER_SIZE, totals[7] = {0};
    tfile f;
    FILE *fp;

    tf_init(&f, 1, 0);
    while (off + MF_BLOCK_HEADER_SIZE <= len) {
        const uint8_t *h = d + off, *src = h + MF_BLOCK_HEADER_SIZE;
        uint32_t kind = mf_le32(h), stored = mf_le32(h + 8),
                 raw = mf_le32(h + 12);
        uint8_t *buf = malloc(raw + 1);
        if (mf_le32(h + 4) & MF_BLOCK_ZSTD) {
            ZSTD_decompress(buf, raw, src, stored);
        }
        else {
            memcpy(buf, src, raw);
        }
        if (kind == MF_KIND_TOC) {
            const uint8_t *p = buf, *end = buf + raw;
            uint64_t n = 0, v = 0, i;
            mf_varint_get(&p, end, &n);
            for (i = 0; i < 5 * n; i++) {
                mf_varint_get(&p, end, &v);
            }
            for (i = 0; i < 7; i++) {
                mf_varint_get(&p, end, &totals[i]);
            }
            free(buf);
            break;
        }
        tf_block(&f, kind, mf_le64(h + 16), mf_le32(h + 24),
                 mf_le32(h + 28), buf, raw, 0);
        free(buf);
        off += MF_BLOCK_HEADER_SIZE + stored;
    }
    tf_finish(&f, totals);
    fp = fopen(out, "wb");
    if (fp == NULL || fwrite(f.data.data, 1, f.data.len, fp) != f.data.len
        || fclose(fp) != 0) {
        die(out, NULL);
    }
    tf_free(&f);
    free(d);
}

int
main(int argc, char **argv)
{
    char out[4096];

    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: make_samples DIR [CORPUS_DIR]\n");
        return 2;
    }
    dir = argv[1];
    make_minimal("v1-minimal.snap", 0, 1);
    make_minimal("v1-multiblock.snap", 5, 4);
    make_empty();
    set_minor_0("v1-minimal.snap");
    set_minor_0("v1-multiblock.snap");
    set_minor_0("v1-empty.snap");
    make_external();
    make_derived();
    make_crafted();
    if (argc == 3) {
        snprintf(out, sizeof(out), "%s/raw-minimal.snap", argv[2]);
        rewrite_raw("v1-minimal.snap", out);
        snprintf(out, sizeof(out), "%s/raw-multiblock.snap", argv[2]);
        rewrite_raw("v1-multiblock.snap", out);
    }
    return 0;
}
