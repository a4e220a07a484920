/*
 * fuzz_reader.c - libFuzzer target: any bytes through the reader.
 *
 * Opens the input from memory with and without MF_READ_PARTIAL, loads
 * every column, verifies, and formats every edge label.  The reader must
 * never crash, hang or allocate beyond max_memory (64 MiB here).
 * Built as a libFuzzer target with MUPPY_FUZZ=ON; fuzz_replay.c runs the
 * same function over a corpus directory as an ordinary test.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "muppy_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_one(const uint8_t *data, size_t size, unsigned flags)
{
    mf_read_options ro;
    mf_reader *r;
    mf_graph g;
    mf_error err;
    char buf[64];
    uint32_t n, i;
    uint64_t e;

    memset(&ro, 0, sizeof(ro));
    ro.flags = flags;
    ro.max_memory = 64u << 20;
    ro.threads = 2;
    if (mf_reader_open_memory(&r, data, size, &ro, &err) != MF_OK) {
        return;
    }
    mf_reader_types(r, &n);
    mf_reader_roots(r, &n);
    mf_reader_meta(r, &n);
    for (i = 0; i < mf_reader_string_count(r) && i < 100; i++) {
        size_t len;
        const char *s = mf_reader_string(r, i, &len);
        if (s == NULL || s[len] != '\0') {
            __builtin_trap();
        }
    }
    if (mf_reader_load(r, MF_COL_ALL, &g, &err) == MF_OK) {
        if (g.edge_start[g.n_objects] != g.n_edges) {
            __builtin_trap();
        }
        for (e = 0; e < g.n_edges && e < 1000; e++) {
            if (g.edge_target[e] >= g.n_objects) {
                __builtin_trap();
            }
            mf_format_label(r, g.edge_kind[e], g.edge_label[e], buf,
                            (size_t)(e % sizeof(buf)));
            mf_format_label(r, g.edge_kind[e], g.edge_label[e], buf,
                            sizeof(buf));
        }
        mf_graph_free(&g);
    }
    /* a second load with fewer columns, then a verify */
    if (mf_reader_load(r, MF_COL_EDGE_LABEL | MF_COL_NAME, &g, &err)
        == MF_OK) {
        mf_graph_free(&g);
    }
    mf_reader_verify(r, &err);
    mf_reader_close(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_one(data, size, 0);
    fuzz_one(data, size, MF_READ_PARTIAL);
    return 0;
}
