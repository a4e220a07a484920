/*
 * format_bench.c - write and read speed and size of the snapshot format.
 *
 *     format_bench [-n OBJECTS] [-l LEVEL] [-t WRITE_THREADS]
 *                  [-r READ_THREADS] [-b BLOCK_OBJECTS] [-o FILE]
 *                  [--trace TRACE]
 *
 * Without --trace it builds a synthetic graph shaped like a Python heap,
 * numbered breadth-first the way a dumper would: instances with a
 * __dict__, dicts keyed by shared interned strings, lists and tuples,
 * str/int/float leaves, popular shared objects (types, small ints, None),
 * parent back-references; about 1.7 edges per object; addresses mostly
 * 16-byte steps up with some jumps.  With --trace it replays a recorded
 * heap (bench/format_trace.py writes one from a real interpreter).
 * Prints write and read throughput, bytes per object and per edge.
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "muppy_format.h"

typedef struct bgraph {
    uint32_t n;
    mf_object *objs;
    uint64_t *estart;
    mf_edge *edges;
    uint64_t ne, cap;
    char **strings;
    size_t *string_len;
    uint32_t n_strings;
    mf_type *types;
    uint32_t n_types;
} bgraph;

static uint64_t rng_state = 0x1234567;

static uint64_t
rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU time of the calling thread: what a dump holding the GIL pays */
static double
thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *
xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "format_bench: out of memory\n");
        exit(1);
    }
    return p;
}

static mf_edge *
add_edge(bgraph *g)
{
    if (g->ne == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 1 << 20;
        g->edges = realloc(g->edges, g->cap * sizeof(mf_edge));
        if (g->edges == NULL) {
            fprintf(stderr, "format_bench: out of memory\n");
            exit(1);
        }
    }
    return &g->edges[g->ne++];
}

/* Types of the synthetic heap. */
enum { T_DICT, T_LIST, T_TUPLE, T_STR, T_INT, T_FLOAT, T_INST, T_FUNC,
       T_SET, T_NONE, T_OTHER };

static void
synth(bgraph *g, uint32_t n)
{
    static const char *const tnames[] = {
        "dict", "list", "tuple", "str", "int", "float", "Customer",
        "function", "frozenset", "NoneType",
    };
    uint64_t fresh = 1, addr = 0x7f3a10000000ull, i;
    uint32_t k, popular = 4096, attr_keys = 64;

    memset(g, 0, sizeof(*g));
    g->n = n;
    g->n_strings = 256;
    g->strings = xmalloc(g->n_strings * sizeof(char *));
    g->string_len = xmalloc(g->n_strings * sizeof(size_t));
    for (k = 0; k < g->n_strings; k++) {
        char buf[32];
        g->string_len[k] = (size_t)snprintf(buf, sizeof(buf), "%s%u",
                                            k < 16 ? "attr" : "key", k);
        g->strings[k] = strdup(buf);
    }
    g->n_types = 300;
    g->types = xmalloc(g->n_types * sizeof(mf_type));
    for (k = 0; k < g->n_types; k++) {
        g->types[k].address = 0x7f3a00000000ull + k * 0x400;
        g->types[k].module = 0;
        g->types[k].qualname = k < 10 ? k : 10 + k % 200;
        g->types[k].flags = k > 5 ? 3 : 2;
    }
    (void)tnames;
    g->objs = xmalloc((size_t)n * sizeof(mf_object));
    g->estart = xmalloc(((size_t)n + 1) * sizeof(uint64_t));
    for (i = 0; i < n; i++) {
        mf_object *o = &g->objs[i];
        uint64_t r = rnd(), ne = 0, j;
        uint32_t t;
        /* the kind of object, by share of a Python heap */
        unsigned c = (unsigned)(r % 100);
        if (c < 14) {
            t = T_DICT;
        }
        else if (c < 22) {
            t = T_LIST;
        }
        else if (c < 34) {
            t = T_TUPLE;
        }
        else if (c < 60) {
            t = T_STR;
        }
        else if (c < 72) {
            t = T_INT;
        }
        else if (c < 78) {
            t = T_FLOAT;
        }
        else if (c < 90) {
            t = T_INST;
        }
        else if (c < 93) {
            t = T_FUNC;
        }
        else if (c < 95) {
            t = T_SET;
        }
        else {
            t = T_OTHER + (uint32_t)(rnd() % 280);
        }
        /* addresses: allocation order is close to discovery order */
        r = rnd();
        if (r % 100 < 75) {
            addr += 16 * (1 + (r >> 8) % 6);
        }
        else if (r % 100 < 93) {
            addr -= 16 * (1 + (r >> 8) % 4096);
        }
        else {
            addr = 0x7f3a10000000ull + ((r >> 8) % (1ull << 34)) * 16;
        }
        o->address = addr;
        o->type = t;
        o->flags = 0;
        o->length = 0;
        o->name = o->value = MF_NONE;
        g->estart[i] = g->ne;
        switch (t) {
        case T_DICT:
            ne = 1 + rnd() % 5;
            o->size = ne <= 4 ? 232 : 360;
            o->flags = MF_OBJ_GC_TRACKED | MF_OBJ_HAS_LENGTH;
            o->length = ne;
            break;
        case T_LIST:
            ne = rnd() % 100 < 90 ? rnd() % 6 : rnd() % 64;
            o->size = 56 + 8 * ne;
            o->flags = MF_OBJ_GC_TRACKED | MF_OBJ_HAS_LENGTH;
            o->length = ne;
            break;
        case T_TUPLE:
            ne = 1 + rnd() % 4;
            o->size = 40 + 8 * ne;
            o->flags = MF_OBJ_GC_TRACKED | MF_OBJ_HAS_LENGTH;
            o->length = ne;
            break;
        case T_STR:
            o->length = 3 + rnd() % 20;
            o->size = 49 + o->length;
            o->flags = MF_OBJ_HAS_LENGTH;
            break;
        case T_INT:
            o->size = 28;
            break;
        case T_FLOAT:
            o->size = 24;
            break;
        case T_INST:
            ne = 2;  /* __dict__ and the type */
            o->size = 48;
            o->flags = MF_OBJ_GC_TRACKED;
            break;
        case T_FUNC:
            ne = 4;
            o->size = 152;
            o->flags = MF_OBJ_GC_TRACKED | MF_OBJ_HAS_NAME;
            o->name = 16 + (uint32_t)(rnd() % 200);
            break;
        case T_SET:
            ne = 4;
            o->size = 216;
            o->flags = MF_OBJ_GC_TRACKED | MF_OBJ_HAS_LENGTH;
            o->length = 4;
            break;
        default:
            ne = rnd() % 3;
            o->size = 32 + 8 * (rnd() % 16);
            o->flags = MF_OBJ_GC_TRACKED;
            break;
        }
        for (j = 0; j < ne; j++) {
            mf_edge *e = add_edge(g);
            uint64_t q = rnd();
            int shared = q % 100 < (t == T_INST && j == 1 ? 100 : 22);
            if (!shared && fresh < n) {
                e->target = (uint32_t)fresh++;
            }
            else if (q % 7 == 0 && i > 0) {
                e->target = (uint32_t)(i - 1 - (q >> 8) % (i < 64 ? i : 64));
            }
            else {
                e->target = (uint32_t)((q >> 8) % (popular < n ? popular
                                                                : n));
            }
            e->label = 0;
            switch (t) {
            case T_DICT:
                if (j == 0 && q % 2) {
                    e->kind = MF_EDGE_DICT_KEY;
                }
                else {
                    e->kind = MF_EDGE_KEY_STR;
                    e->label = (j + (q >> 40) % 3) % attr_keys;
                }
                break;
            case T_LIST:
            case T_TUPLE:
                e->kind = MF_EDGE_INDEX;
                e->label = j;
                break;
            case T_INST:
                e->kind = j == 0 ? MF_EDGE_FIELD : MF_EDGE_REF;
                e->label = j == 0 ? 1 : 0;
                break;
            case T_SET:
                e->kind = MF_EDGE_SET_ITEM;
                break;
            case T_FUNC:
                e->kind = MF_EDGE_FIELD;
                e->label = 2 + j;
                break;
            default:
                e->kind = MF_EDGE_REF;
                break;
            }
        }
    }
    g->estart[n] = g->ne;
}

/* ---- trace files (bench/format_trace.py) ------------------------------ */

static FILE *tf;

static void
rd(void *p, size_t n)
{
    if (fread(p, 1, n, tf) != n) {
        fprintf(stderr, "format_bench: short trace file\n");
        exit(1);
    }
}

static uint32_t
rd32(void)
{
    uint8_t b[4];
    rd(b, 4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16
           | (uint32_t)b[3] << 24;
}

static uint64_t
rd64(void)
{
    uint64_t lo = rd32();
    return lo | (uint64_t)rd32() << 32;
}

static void
load_trace(bgraph *g, const char *path)
{
    char magic[8];
    uint32_t k;
    uint64_t i;

    memset(g, 0, sizeof(*g));
    tf = fopen(path, "rb");
    if (tf == NULL) {
        perror(path);
        exit(1);
    }
    rd(magic, 8);
    if (memcmp(magic, "MTRACE1\n", 8) != 0) {
        fprintf(stderr, "format_bench: '%s' is not a trace\n", path);
        exit(1);
    }
    g->n_strings = rd32();
    g->strings = xmalloc(g->n_strings * sizeof(char *));
    g->string_len = xmalloc(g->n_strings * sizeof(size_t));
    for (k = 0; k < g->n_strings; k++) {
        g->string_len[k] = rd32();
        g->strings[k] = xmalloc(g->string_len[k] + 1);
        rd(g->strings[k], g->string_len[k]);
    }
    g->n_types = rd32();
    g->types = xmalloc(g->n_types * sizeof(mf_type));
    for (k = 0; k < g->n_types; k++) {
        g->types[k].address = rd64();
        g->types[k].module = rd32();
        g->types[k].qualname = rd32();
        g->types[k].flags = rd32();
    }
    g->n = rd32();
    g->objs = xmalloc((size_t)g->n * sizeof(mf_object));
    g->estart = xmalloc(((size_t)g->n + 1) * sizeof(uint64_t));
    for (i = 0; i < g->n; i++) {
        mf_object *o = &g->objs[i];
        uint32_t ne, j;
        o->address = rd64();
        o->type = rd32();
        o->size = rd64();
        o->flags = rd32();
        o->length = rd64();
        o->name = rd32();
        o->value = MF_NONE;
        ne = rd32();
        g->estart[i] = g->ne;
        for (j = 0; j < ne; j++) {
            mf_edge *e = add_edge(g);
            uint8_t kind;
            e->target = rd32();
            rd(&kind, 1);
            e->kind = kind;
            e->label = rd64();
        }
    }
    g->estart[g->n] = g->ne;
    fclose(tf);
}

static void
die(const char *what, const mf_error *err)
{
    fprintf(stderr, "format_bench: %s: %s\n", what, err->message);
    exit(1);
}

int
main(int argc, char **argv)
{
    mf_write_options wo = {0};
    mf_read_options ro = {0};
    mf_write_stats st;
    const char *path = "format_bench.snap", *trace = NULL;
    uint32_t n = 5000000, k;
    double t0, tw, tr, to, c0, cw;
    mf_writer *w;
    mf_reader *r;
    mf_graph lg;
    mf_error err;
    bgraph g;
    uint64_t i;
    int a;

    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "-n") == 0 && a + 1 < argc) {
            n = (uint32_t)strtoul(argv[++a], NULL, 10);
        }
        else if (strcmp(argv[a], "-l") == 0 && a + 1 < argc) {
            wo.level = atoi(argv[++a]);
        }
        else if (strcmp(argv[a], "-t") == 0 && a + 1 < argc) {
            wo.threads = atoi(argv[++a]);
        }
        else if (strcmp(argv[a], "-r") == 0 && a + 1 < argc) {
            ro.threads = atoi(argv[++a]);
        }
        else if (strcmp(argv[a], "-b") == 0 && a + 1 < argc) {
            wo.block_objects = (uint32_t)strtoul(argv[++a], NULL, 10);
        }
        else if (strcmp(argv[a], "-o") == 0 && a + 1 < argc) {
            path = argv[++a];
        }
        else if (strcmp(argv[a], "--trace") == 0 && a + 1 < argc) {
            trace = argv[++a];
        }
        else {
            fprintf(stderr, "usage: format_bench [-n OBJECTS] [-l LEVEL] "
                    "[-t WRITE_THREADS] [-r READ_THREADS] "
                    "[-b BLOCK_OBJECTS] [-o FILE] [--trace TRACE]\n");
            return 2;
        }
    }
    t0 = now();
    if (trace) {
        load_trace(&g, trace);
    }
    else {
        synth(&g, n);
    }
    printf("graph: %u objects, %llu edges (%.2f edges/object), built in "
           "%.2f s\n", g.n, (unsigned long long)g.ne,
           g.n ? (double)g.ne / g.n : 0.0, now() - t0);

    t0 = now();
    c0 = thread_cpu();
    if (mf_writer_open(&w, path, &wo, &err) != MF_OK) {
        die("open", &err);
    }
    for (k = 0; k < g.n_strings; k++) {
        if (mf_writer_string(w, g.strings[k], g.string_len[k], NULL, &err)) {
            die("string", &err);
        }
    }
    for (k = 0; k < g.n_types; k++) {
        if (mf_writer_type(w, &g.types[k], NULL, &err) != MF_OK) {
            die("type", &err);
        }
    }
    mf_writer_set_frontier(w, 1);
    for (i = 0; i < g.n; i++) {
        if (mf_writer_object(w, &g.objs[i], g.edges + g.estart[i],
                             g.estart[i + 1] - g.estart[i], &err) != MF_OK) {
            die("object", &err);
        }
    }
    if (g.n > 0) {
        mf_root root = {0, MF_ROOT_SYS_MODULES, MF_NONE};
        mf_writer_root(w, &root, &err);
    }
    mf_writer_meta_str(w, "python", "bench", &err);
    if (mf_writer_close(w, &st, &err) != MF_OK) {
        die("close", &err);
    }
    tw = now() - t0;
    cw = thread_cpu() - c0;

    t0 = now();
    if (mf_reader_open(&r, path, &ro, &err) != MF_OK) {
        die("read open", &err);
    }
    to = now() - t0;
    if (mf_reader_load(r, MF_COL_ALL, &lg, &err) != MF_OK) {
        die("load", &err);
    }
    tr = now() - t0;
    /* spot check */
    for (i = 0; i < g.n; i += 9973) {
        if (lg.address[i] != g.objs[i].address
            || lg.edge_start[i] != g.estart[i]) {
            fprintf(stderr, "format_bench: read back differs at %llu\n",
                    (unsigned long long)i);
            return 1;
        }
    }
    mf_graph_free(&lg);
    mf_reader_close(r);

    printf("file: %llu bytes (raw %llu, ratio %.2f), level %d, write "
           "threads %d\n", (unsigned long long)st.file_bytes,
           (unsigned long long)st.raw_bytes,
           (double)st.raw_bytes / (double)st.file_bytes,
           wo.level ? wo.level : 1, wo.threads);
    printf("bytes/object %.2f   bytes/edge %.2f   raw bytes/object %.2f\n",
           (double)st.file_bytes / g.n, (double)st.file_bytes / g.ne,
           (double)st.raw_bytes / g.n);
    printf("write: %.3f s  %.1f MB/s raw  %.1f MB/s file  %.2f M objects/s"
           "  (calling thread: %.3f s of CPU)\n",
           tw, st.raw_bytes / tw / 1e6, st.file_bytes / tw / 1e6,
           g.n / tw / 1e6, cw);
    printf("read:  %.3f s (open %.3f)  %.1f MB/s raw  %.1f MB/s file  "
           "%.2f M objects/s\n", tr, to, st.raw_bytes / tr / 1e6,
           st.file_bytes / tr / 1e6, g.n / tr / 1e6);
    unlink(path);
    return 0;
}
