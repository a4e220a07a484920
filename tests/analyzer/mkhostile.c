/*
 * mkhostile.c - crafted snapshots that attack the analyzer's commands
 * (tests/analyzer/test_hostile.py runs every command on them).
 *
 *   mkhostile ratio OUT            a STRS block of 64 MiB of empty strings
 *                                  in a file of a few KB (info used 657 MB)
 *   mkhostile count OUT N          N objects in a chain, compressed at zstd
 *                                  level 19 into a few KB (retained, export)
 *   mkhostile collide OUT N K      N objects whose addresses all fall in one
 *                                  slot of a table hashed with the fixed
 *                                  murmur3 finalizer (the analyzer's
 *                                  address hash before it was keyed), plus
 *                                  K more, so that diff --objects of two
 *                                  such files probes one long run
 *   mkhostile escapes OUT          terminal escape sequences, C1 controls,
 *                                  bad UTF-8 and spreadsheet formulas in
 *                                  every string a command may print: type
 *                                  and module names, dict keys, attribute
 *                                  names, root labels, object names and
 *                                  values, metadata
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "layout.h"
#include "muppy_format.h"
#include "tfile.h"

#define CHECK(x)                                                        \
    do {                                                                \
        if ((x) != MF_OK) {                                             \
            fprintf(stderr, "mkhostile: %s: %s\n", #x, err.message);    \
            exit(1);                                                    \
        }                                                               \
    } while (0)

static mf_error err;

static int
write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}

static int
make_ratio(const char *out)
{
    size_t raw = (size_t)64 << 20, bound = ZSTD_compressBound(raw);
    uint8_t *zeros = calloc(1, raw), *z = malloc(bound);
    uint64_t totals[7] = {0};
    size_t zn;
    tfile f;
    int rc;

    if (zeros == NULL || z == NULL) {
        return 1;
    }
    /* 2^26 strings of length 0: one varint 0 each */
    zn = ZSTD_compress(z, bound, zeros, raw, 19);
    if (ZSTD_isError(zn)) {
        return 1;
    }
    tf_init(&f, MF_FORMAT_MAJOR, MF_FORMAT_MINOR);
    tf_put_block(&f, MF_KIND_STRS, MF_BLOCK_ZSTD, (uint32_t)raw, 0,
                 (uint32_t)raw, 0, z, zn, 1);
    totals[2] = raw;
    tf_finish(&f, totals);
    rc = write_file(out, f.data.data, f.data.len);
    tf_free(&f);
    free(zeros);
    free(z);
    return rc;
}

static int
make_count(const char *out, uint32_t n)
{
    mf_write_options o = {19, 1u << 22, -1};
    mf_writer *w;
    uint32_t module, qualname, type;
    mf_type t;
    mf_root root = {0, MF_ROOT_OTHER, MF_NONE};

    CHECK(mf_writer_open(&w, out, &o, &err));
    CHECK(mf_writer_string(w, "x", 1, &module, &err));
    CHECK(mf_writer_string(w, "Obj", 3, &qualname, &err));
    t = (mf_type){0x1000, module, qualname, MF_TYPE_HEAP};
    CHECK(mf_writer_type(w, &t, &type, &err));
    for (uint32_t i = 0; i < n; i++) {
        mf_object ob = {0x100000 + 16ull * i, type, 0, 32, 0, MF_NONE,
                        MF_NONE};
        mf_edge e = {i + 1 < n ? i + 1 : 0, MF_EDGE_REF, 0};

        CHECK(mf_writer_object(w, &ob, &e, 1, &err));
    }
    CHECK(mf_writer_root(w, &root, &err));
    CHECK(mf_writer_meta_int(w, "pid", 1, &err));
    CHECK(mf_writer_meta_int(w, "process.start_time", 1, &err));
    CHECK(mf_writer_meta_str(w, "boot_id", "hostile", &err));
    CHECK(mf_writer_close(w, NULL, &err));
    return 0;
}

/* The inverse of murmur3's 64-bit finalizer. */
static uint64_t
unmix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0x9cb4b2f8129337dbULL;     /* 1 / 0xc4ceb9fe1a85ec53 mod 2^64 */
    h ^= h >> 33;
    h *= 0x4f74430c22a54005ULL;     /* 1 / 0xff51afd7ed558ccd mod 2^64 */
    h ^= h >> 33;
    return h;
}

static int
make_collide(const char *out, uint32_t n, uint32_t extra)
{
    mf_writer *w;
    uint32_t module, qualname, type, holder;
    mf_type t;
    mf_root root = {0, MF_ROOT_OTHER, MF_NONE};
    mf_edge *edges;
    uint32_t total = n + extra;

    edges = calloc(total, sizeof(*edges));
    if (edges == NULL) {
        return 1;
    }
    CHECK(mf_writer_open(&w, out, NULL, &err));
    CHECK(mf_writer_string(w, "x", 1, &module, &err));
    CHECK(mf_writer_string(w, "Holder", 6, &holder, &err));
    CHECK(mf_writer_string(w, "Obj", 3, &qualname, &err));
    t = (mf_type){0x1000, module, holder, MF_TYPE_HEAP};
    CHECK(mf_writer_type(w, &t, &type, &err));
    t = (mf_type){0x2000, module, qualname, MF_TYPE_HEAP};
    CHECK(mf_writer_type(w, &t, NULL, &err));
    /* object 0 holds the others (a list of them) */
    for (uint32_t i = 0; i < total; i++) {
        edges[i] = (mf_edge){i + 1, MF_EDGE_INDEX, i};
    }
    {
        mf_object ob = {0x10, 0, MF_OBJ_HAS_LENGTH, 56 + 8ull * total,
                        total, MF_NONE, MF_NONE};

        CHECK(mf_writer_object(w, &ob, edges, total, &err));
    }
    for (uint32_t i = 0; i < total; i++) {
        /* equal low 24 bits after the finalizer: one slot of any table
         * of up to 2^24 slots */
        uint64_t a = unmix(((uint64_t)(i + 1) << 24) | 0x5a5a5a);
        mf_object ob = {a, 1, 0, 32, 0, MF_NONE, MF_NONE};

        CHECK(mf_writer_object(w, &ob, NULL, 0, &err));
    }
    CHECK(mf_writer_root(w, &root, &err));
    CHECK(mf_writer_meta_int(w, "pid", 1, &err));
    CHECK(mf_writer_meta_int(w, "process.start_time", 1, &err));
    CHECK(mf_writer_meta_str(w, "boot_id", "hostile", &err));
    CHECK(mf_writer_close(w, NULL, &err));
    free(edges);
    return 0;
}

static mf_writer *ew;

static uint32_t
s(const char *text)
{
    uint32_t id;

    CHECK(mf_writer_string(ew, text, strlen(text), &id, &err));
    return id;
}

static int
make_escapes(const char *out)
{
    /* what a hostile file may hold in any string */
    static const char *bad[] = {
        "\x1b[31mRED\x1b[0m",           /* ANSI colour */
        "\x1b]0;pwned\x07",             /* set the window title */
        "back\rover\x08\x08",           /* carriage return, backspace */
        "c1\xc2\x9b" "31m",             /* 8-bit CSI as UTF-8 */
        "raw\x9b" "2J",                 /* 8-bit CSI, not UTF-8 */
        "del\x7f" "nul",
        "=HYPERLINK(\"http://x\")",     /* spreadsheet formulas */
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1)",
    };
    enum { NB = sizeof(bad) / sizeof(bad[0]) };
    mf_edge edges[NB + 4];
    mf_root root;
    uint32_t types[NB];

    CHECK(mf_writer_open(&ew, out, NULL, &err));
    for (int i = 0; i < NB; i++) {
        mf_type t = {0x1000 + 0x100 * (uint64_t)i, s(bad[(i + 1) % NB]),
                     s(bad[i]), MF_TYPE_HEAP};

        CHECK(mf_writer_type(ew, &t, &types[i], &err));
    }
    /* object 0: a dict keyed by the bad strings; then one object of each
     * type, holding the next by a bad attribute name */
    for (int i = 0; i < NB; i++) {
        edges[i] = (mf_edge){1 + (uint32_t)i, MF_EDGE_KEY_STR, s(bad[i])};
    }
    {
        mf_object ob = {0x10, types[0], MF_OBJ_HAS_LENGTH | MF_OBJ_GC_TRACKED,
                        1000, NB, MF_NONE, MF_NONE};

        CHECK(mf_writer_object(ew, &ob, edges, NB, &err));
    }
    for (int i = 0; i < NB; i++) {
        mf_object ob = {0x100000 + 64 * (uint64_t)i, types[i],
                        MF_OBJ_HAS_NAME | MF_OBJ_HAS_VALUE, 100 + i,
                        0, s(bad[(i + 2) % NB]), s(bad[(i + 3) % NB])};
        mf_edge e = {i + 2 <= NB ? (uint32_t)i + 2 : 1, MF_EDGE_ATTR,
                     s(bad[(i + 4) % NB])};

        CHECK(mf_writer_object(ew, &ob, &e, 1, &err));
    }
    root = (mf_root){0, MF_ROOT_MODULE, s(bad[0])};
    CHECK(mf_writer_root(ew, &root, &err));
    root = (mf_root){1, MF_ROOT_THREAD, s(bad[1])};
    CHECK(mf_writer_root(ew, &root, &err));
    CHECK(mf_writer_meta_str(ew, "python.version", bad[0], &err));
    CHECK(mf_writer_meta_str(ew, bad[1], bad[2], &err));
    CHECK(mf_writer_meta_int(ew, "pid", 1, &err));
    CHECK(mf_writer_meta_int(ew, "process.start_time", 1, &err));
    CHECK(mf_writer_meta_str(ew, "boot_id", bad[3], &err));
    CHECK(mf_writer_close(ew, NULL, &err));
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "ratio") == 0) {
        return make_ratio(argv[2]);
    }
    if (argc >= 4 && strcmp(argv[1], "count") == 0) {
        return make_count(argv[2], (uint32_t)strtoul(argv[3], NULL, 10));
    }
    if (argc >= 5 && strcmp(argv[1], "collide") == 0) {
        return make_collide(argv[2], (uint32_t)strtoul(argv[3], NULL, 10),
                            (uint32_t)strtoul(argv[4], NULL, 10));
    }
    if (argc >= 3 && strcmp(argv[1], "escapes") == 0) {
        return make_escapes(argv[2]);
    }
    fprintf(stderr, "usage: mkhostile ratio|count|collide|escapes OUT ...\n");
    return 2;
}
