/*
 * test_spec_example.c - the worked example of spec/format.md, byte for
 * byte: the library must write exactly the bytes the spec shows, and
 * read them back into the records the spec describes.
 *
 *   test_spec_example SPEC.md
 *
 * Everything is taken from the spec's own text, so that the test follows
 * the document: the objects and edges tables and the OBJS payload of "An
 * OBJS payload", the block table, the OBJS block header and the file of
 * "The whole file", the hex dump of "The empty file".  What the spec says
 * in prose (the types, the root, the metadata, the totals) is written out
 * below.  The block table is checked for its own consistency as well:
 * offsets that follow each other, sizes that match the payloads, CRC-32Cs
 * that match the bytes.
 */
#define _POSIX_C_SOURCE 200809L

#include <CUnit/Basic.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crc32c.h"
#include "muppy_format.h"

/* ---- the spec's text --------------------------------------------------- */

static char *spec;              /* the whole of spec/format.md */
static char tmpdir[256];

/* What the spec's text got wrong while it was parsed (before any test
 * runs): reported by the test spec_consistent. */
static int spec_problems;

#define SPEC_CHECK(cond)                                                \
    do {                                                                \
        if (!(cond)) {                                                  \
            fprintf(stderr, "spec/format.md: %s:%d: not true: %s\n",    \
                    __FILE__, __LINE__, #cond);                         \
            spec_problems++;                                            \
        }                                                               \
    } while (0)
#define SPEC_CHECK_EQ(a, b) SPEC_CHECK((a) == (b))

typedef struct bytes {
    uint8_t *p;
    size_t len, cap;
} bytes;

static void
bytes_put(bytes *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void
bytes_u32(bytes *b, uint32_t v)
{
    uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                     (uint8_t)(v >> 24)};

    bytes_put(b, le, 4);
}

static void
bytes_u64(bytes *b, uint64_t v)
{
    bytes_u32(b, (uint32_t)v);
    bytes_u32(b, (uint32_t)(v >> 32));
}

/* The text of section `title` ("### An OBJS payload"): from its heading
 * to the next heading of any level, as a new string. */
static char *
section(const char *title)
{
    const char *s = strstr(spec, title), *end;
    char *out;

    if (s == NULL || (s != spec && s[-1] != '\n')) {
        return NULL;
    }
    end = strstr(s + strlen(title), "\n#");
    if (end == NULL) {
        end = s + strlen(s);
    }
    out = strndup(s, (size_t)(end - s));
    return out;
}

static int
is_hex_pair(const char *t, size_t n)
{
    return n == 2 && isxdigit((unsigned char)t[0])
           && isxdigit((unsigned char)t[1]);
}

/*
 * Append the hex bytes of text[0..n) ("4D 55 50 ...") to b.  With
 * `dump`, each line is "OFFSET  HEX HEX ... comment": the first token is
 * skipped and a line's bytes end at its first token that is no hex pair.
 * Returns the number of bytes, or -1 on a token that is not a byte.
 */
static long
parse_hex(const char *text, size_t n, int dump, bytes *b)
{
    long count = 0;
    const char *p = text, *end = text + n;

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        int first = 1;

        if (eol == NULL) {
            eol = end;
        }
        while (p < eol) {
            const char *t;
            size_t len;

            while (p < eol && (*p == ' ' || *p == '\t' || *p == '`')) {
                p++;
            }
            t = p;
            while (p < eol && *p != ' ' && *p != '\t' && *p != '`') {
                p++;
            }
            len = (size_t)(p - t);
            if (len == 0) {
                continue;
            }
            if (dump && first) {
                first = 0;
                continue;       /* the offset column */
            }
            if (!is_hex_pair(t, len)) {
                if (dump) {
                    break;      /* the comment */
                }
                return -1;
            }
            {
                uint8_t v = (uint8_t)strtoul((char[3]){t[0], t[1], 0},
                                             NULL, 16);

                bytes_put(b, &v, 1);
                count++;
            }
        }
        p = eol + 1;
    }
    return count;
}

/* The contents of the k-th ``` block of text (0-based), as a new string. */
static char *
fenced(const char *text, int k)
{
    const char *p = text;

    for (;;) {
        const char *open = strstr(p, "```"), *body, *close;

        if (open == NULL) {
            return NULL;
        }
        body = strchr(open, '\n');
        if (body == NULL) {
            return NULL;
        }
        body++;
        close = strstr(body, "```");
        if (close == NULL) {
            return NULL;
        }
        if (k-- == 0) {
            return strndup(body, (size_t)(close - body));
        }
        p = close + 3;
    }
}

/* The cells of a table row "| a | b | c |" into cells (trimmed, in a
 * copy of the row); returns how many, or 0 for a line that is no row. */
static int
row_cells(const char *line, char *copy, size_t cap, char **cells, int max)
{
    int n = 0;
    char *p;

    if (line[0] != '|') {
        return 0;
    }
    snprintf(copy, cap, "%s", line + 1);
    p = copy;
    while (n < max) {
        char *bar = strchr(p, '|'), *e;

        if (bar == NULL) {
            break;
        }
        *bar = '\0';
        while (*p == ' ') {
            p++;
        }
        e = p + strlen(p);
        while (e > p && e[-1] == ' ') {
            *--e = '\0';
        }
        cells[n++] = p;
        p = bar + 1;
    }
    return n;
}

/* The next line of *text into line (cap bytes); 0 at the end. */
static int
next_line(const char **text, char *line, size_t cap)
{
    const char *eol;
    size_t n;

    if (**text == '\0') {
        return 0;
    }
    eol = strchr(*text, '\n');
    n = eol ? (size_t)(eol - *text) : strlen(*text);
    snprintf(line, cap, "%.*s", (int)n, *text);
    *text += n + (eol != NULL);
    return 1;
}

/* The number in a cell: decimal, or `0x..` hex (backquotes allowed). */
static uint64_t
cell_number(const char *c)
{
    while (*c == '`') {
        c++;
    }
    return strtoull(c, NULL, 0);
}

/* ---- the example's records ------------------------------------------------ */

#define EX_OBJECTS 3
#define EX_EDGES 4
#define EX_STRINGS 5

typedef struct ex_edge {
    uint32_t source;
    mf_edge e;
    char display[32];
} ex_edge;

typedef struct example {
    const char *strings[EX_STRINGS];
    mf_object obj[EX_OBJECTS];
    ex_edge edge[EX_EDGES];
    bytes objs_payload;         /* "An OBJS payload" */
    bytes file;                 /* "The whole file", assembled */
    bytes objs_header;          /* the 40 bytes shown */
    size_t objs_offset;         /* of the OBJS block */
    size_t file_size;           /* "produces a N-byte file" */
    bytes empty;                /* "The empty file" */
} example;

static example ex;

/* The spec's prose, as records: string table, types, root, metadata. */
static const char *const ex_strings[EX_STRINGS] = {
    "builtins", "dict", "str", "list", "cache",
};
static const mf_type ex_types[3] = {
    {0x7F3A2C000100ull, 0, 1, MF_TYPE_GC},
    {0x7F3A2C000200ull, 0, 2, 0},
    {0x7F3A2C000300ull, 0, 3, MF_TYPE_GC},
};
static const mf_root ex_root = {0, MF_ROOT_OTHER, 4};
#define EX_PID 4242
#define EX_TIME 1.5e9
#define EX_TOTAL_SIZE 310

/* The objects and edges tables of "An OBJS payload". */
static int
parse_records(const char *sec)
{
    const char *p = sec;
    char line[512], copy[512], *c[8];
    int n_obj = 0, n_edge = 0, n_str = 0;

    while (next_line(&p, line, sizeof(line))) {
        int n = row_cells(line, copy, sizeof(copy), c, 8);

        if (n == 0 || !isdigit((unsigned char)c[0][0])) {
            continue;
        }
        if (n == 2 && n_str < EX_STRINGS) {
            /* | id | `string` | */
            char *s = c[1] + (c[1][0] == '`');

            s[strcspn(s, "`")] = '\0';
            SPEC_CHECK(strcmp(s, ex_strings[n_str]) == 0);
            n_str++;
        }
        else if (n == 7 && n_obj < EX_OBJECTS) {
            /* | index | object | address | type | size | flags | length | */
            mf_object *o = &ex.obj[n_obj++];

            memset(o, 0, sizeof(*o));
            o->address = cell_number(c[2]);
            o->type = (uint32_t)cell_number(c[3]);
            o->size = cell_number(c[4]);
            o->flags = (uint32_t)cell_number(c[5]);
            o->length = cell_number(c[6]);
            o->name = MF_NONE;
            o->value = MF_NONE;
        }
        else if (n == 5 && n_edge < EX_EDGES) {
            /* | source | target | kind | label | display | */
            ex_edge *e = &ex.edge[n_edge++];
            const char *k = strchr(c[2], '`'), *d = c[4];

            e->source = (uint32_t)cell_number(c[0]);
            e->e.target = (uint32_t)cell_number(c[1]);
            e->e.kind = k ? (uint8_t)cell_number(k) : 0;
            e->e.label = strncmp(c[3], "string ", 7) == 0
                         ? cell_number(c[3] + 7) : cell_number(c[3]);
            if (*d == '`') {
                d++;
            }
            snprintf(e->display, sizeof(e->display), "%.*s",
                     (int)strcspn(d, "`"), d);
        }
    }
    SPEC_CHECK_EQ(n_str, EX_STRINGS);
    SPEC_CHECK_EQ(n_obj, EX_OBJECTS);
    SPEC_CHECK_EQ(n_edge, EX_EDGES);
    return n_obj == EX_OBJECTS && n_edge == EX_EDGES ? 0 : -1;
}

/* The fourcc of a kind cell ("`STRS`", "`TOC `"), or 0. */
static uint32_t
kind_of(const char *cell, char name[5])
{
    const char *q = strchr(cell, '`');

    if (q == NULL || strlen(q) < 6 || q[5] != '`') {
        return 0;
    }
    memcpy(name, q + 1, 4);
    name[4] = '\0';
    return (uint32_t)(uint8_t)q[1] | (uint32_t)(uint8_t)q[2] << 8
           | (uint32_t)(uint8_t)q[3] << 16 | (uint32_t)(uint8_t)q[4] << 24;
}

/*
 * The file of "The whole file": the header and footer rows' bytes, and
 * for each block row a 40-byte header made from its fields followed by
 * its payload ("as above": the OBJS payload).  Checks the offsets and
 * the CRCs the table gives.
 */
static int
parse_file(const char *sec)
{
    const char *p = sec, *n475;
    char line[2048], copy[2048], *c[8];
    int rows = 0;

    n475 = strstr(sec, "-byte file");
    while (n475 != NULL && n475 > sec && isdigit((unsigned char)n475[-1])) {
        n475--;
    }
    ex.file_size = n475 ? (size_t)strtoul(n475, NULL, 10) : 0;
    while (next_line(&p, line, sizeof(line))) {
        int n = row_cells(line, copy, sizeof(copy), c, 8);
        char name[5];
        uint32_t kind;
        size_t offset;

        if (n != 8 || !isdigit((unsigned char)c[0][0])) {
            continue;
        }
        rows++;
        offset = (size_t)cell_number(c[0]);
        SPEC_CHECK_EQ(offset, ex.file.len);   /* blocks follow each other */
        if (strcmp(c[1], "header") == 0 || strcmp(c[1], "footer") == 0) {
            SPEC_CHECK(parse_hex(c[7], strlen(c[7]), 0, &ex.file) > 0);
            continue;
        }
        kind = kind_of(c[1], name);
        SPEC_CHECK(kind != 0);
        {
            bytes payload = {0};
            size_t hdr = ex.file.len;
            uint32_t crc;

            if (strcmp(c[7], "as above") == 0) {
                bytes_put(&payload, ex.objs_payload.p, ex.objs_payload.len);
            }
            else {
                SPEC_CHECK(parse_hex(c[7], strlen(c[7]), 0, &payload) > 0);
            }
            SPEC_CHECK_EQ(payload.len, cell_number(c[5]));
            bytes_u32(&ex.file, kind);
            bytes_u32(&ex.file, 0);                         /* flags */
            bytes_u32(&ex.file, (uint32_t)payload.len);     /* stored */
            bytes_u32(&ex.file, (uint32_t)cell_number(c[5]));   /* raw */
            bytes_u64(&ex.file, cell_number(c[2]));         /* first */
            bytes_u32(&ex.file, (uint32_t)cell_number(c[3]));   /* count */
            bytes_u32(&ex.file, (uint32_t)cell_number(c[4]));   /* aux */
            bytes_u32(&ex.file, 0);                         /* reserved */
            crc = mf_crc32c(0, ex.file.p + hdr, 36);
            crc = mf_crc32c(crc, payload.p, payload.len);
            SPEC_CHECK_EQ(crc, (uint32_t)cell_number(c[6]));
            bytes_u32(&ex.file, (uint32_t)cell_number(c[6]));
            if (strcmp(name, "OBJS") == 0) {
                ex.objs_offset = hdr;
            }
            bytes_put(&ex.file, payload.p, payload.len);
            free(payload.p);
        }
    }
    SPEC_CHECK_EQ(rows, 8);       /* header, six blocks, footer */
    SPEC_CHECK_EQ(ex.file.len, ex.file_size);
    if (ex.file.len >= 24) {
        /* the footer's CRC covers its first 12 bytes */
        const uint8_t *f = ex.file.p + ex.file.len - 24;
        uint32_t crc = (uint32_t)f[12] | (uint32_t)f[13] << 8
                       | (uint32_t)f[14] << 16 | (uint32_t)f[15] << 24;

        SPEC_CHECK_EQ(mf_crc32c(0, f, 12), crc);
    }
    {
        char *h = fenced(sec, 0);

        SPEC_CHECK(h != NULL);
        if (h != NULL) {
            SPEC_CHECK_EQ(parse_hex(h, strlen(h), 0, &ex.objs_header), 40);
            free(h);
        }
    }
    return rows == 8 && ex.file.len == ex.file_size ? 0 : -1;
}

static int
init_suite(void)
{
    char *sec, *hex;
    int rc = 0;

    sec = section("### An OBJS payload");
    if (sec == NULL) {
        return 1;
    }
    hex = fenced(sec, 0);
    if (hex == NULL || parse_hex(hex, strlen(hex), 0, &ex.objs_payload) <= 0
        || parse_records(sec) != 0) {
        rc = 1;
    }
    free(hex);
    free(sec);
    sec = section("### The whole file");
    if (sec == NULL || parse_file(sec) != 0) {
        rc = 1;
    }
    free(sec);
    sec = section("### The empty file");
    hex = sec ? fenced(sec, 0) : NULL;
    if (hex == NULL || parse_hex(hex, strlen(hex), 1, &ex.empty) <= 0) {
        rc = 1;
    }
    free(hex);
    free(sec);
    return rc;
}

/* ---- writing ---------------------------------------------------------------- */

static uint8_t *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *p;
    long n;

    *len = 0;
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc(n > 0 ? (size_t)n : 1);
    if (p != NULL && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *len = p ? (size_t)n : 0;
    return p;
}

/* Write the example (all of it, or nothing: the empty file) with the
 * reference writer; returns the file's bytes. */
static uint8_t *
write_example(int empty, size_t *len)
{
    char path[300];
    mf_writer *w = NULL;
    mf_error err;
    uint32_t id;

    snprintf(path, sizeof(path), "%s/%s.snap", tmpdir,
             empty ? "empty" : "example");
    memset(&err, 0, sizeof(err));
    CU_ASSERT_EQUAL_FATAL(mf_writer_open(&w, path, NULL, &err), MF_OK);
    if (!empty) {
        for (uint32_t i = 0; i < EX_STRINGS; i++) {
            CU_ASSERT_EQUAL(mf_writer_string(w, ex_strings[i],
                                             strlen(ex_strings[i]), &id,
                                             &err), MF_OK);
            CU_ASSERT_EQUAL(id, i);
        }
        for (uint32_t t = 0; t < 3; t++) {
            CU_ASSERT_EQUAL(mf_writer_type(w, &ex_types[t], &id, &err),
                            MF_OK);
            CU_ASSERT_EQUAL(id, t);
        }
        mf_writer_set_frontier(w, 1);
        for (uint32_t i = 0; i < EX_OBJECTS; i++) {
            mf_edge edges[EX_EDGES];
            size_t n = 0;

            for (uint32_t k = 0; k < EX_EDGES; k++) {
                if (ex.edge[k].source == i) {
                    edges[n++] = ex.edge[k].e;
                }
            }
            CU_ASSERT_EQUAL(mf_writer_object(w, &ex.obj[i], edges, n, &err),
                            MF_OK);
        }
        CU_ASSERT_EQUAL(mf_writer_root(w, &ex_root, &err), MF_OK);
        CU_ASSERT_EQUAL(mf_writer_meta_int(w, "pid", EX_PID, &err), MF_OK);
        CU_ASSERT_EQUAL(mf_writer_meta_float(w, "time", EX_TIME, &err),
                        MF_OK);
    }
    CU_ASSERT_EQUAL_FATAL(mf_writer_close(w, NULL, &err), MF_OK);
    return slurp(path, len);
}

/* The writer produces the file of the block table, byte for byte. */
static void
test_encode_file(void)
{
    size_t len;
    uint8_t *got = write_example(0, &len);

    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_EQUAL(len, ex.file.len);
    if (len == ex.file.len) {
        for (size_t i = 0; i < len; i++) {
            if (got[i] != ex.file.p[i]) {
                fprintf(stderr, "\n  first difference at byte %zu: the "
                        "writer wrote %02X, the spec shows %02X\n", i,
                        got[i], ex.file.p[i]);
                CU_FAIL("the written file differs from the spec's");
                break;
            }
        }
    }
    free(got);
}

/* The OBJS block, as written: the header and the payload the spec shows
 * on their own. */
static void
test_encode_objs(void)
{
    size_t len;
    uint8_t *got = write_example(0, &len);
    size_t at = ex.objs_offset;

    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_EQUAL(ex.objs_payload.len, 53);
    CU_ASSERT_FATAL(at + 40 + ex.objs_payload.len <= len);
    CU_ASSERT(memcmp(got + at, ex.objs_header.p, 40) == 0);
    CU_ASSERT(memcmp(got + at + 40, ex.objs_payload.p,
                     ex.objs_payload.len) == 0);
    free(got);
}

static void
test_encode_empty(void)
{
    size_t len;
    uint8_t *got = write_example(1, &len);

    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_EQUAL(ex.empty.len, 88);
    CU_ASSERT_EQUAL(len, ex.empty.len);
    CU_ASSERT(len == ex.empty.len && memcmp(got, ex.empty.p, len) == 0);
    free(got);
}

/* ---- reading ---------------------------------------------------------------- */

/* The spec's bytes read back: every record of the example. */
static void
test_decode_file(void)
{
    mf_reader *r = NULL;
    mf_error err;
    mf_graph g;
    const mf_file_info *fi;
    const mf_type *types;
    const mf_root *roots;
    uint32_t n;
    int64_t pid;
    double when;

    memset(&err, 0, sizeof(err));
    memset(&g, 0, sizeof(g));
    CU_ASSERT_EQUAL_FATAL(mf_reader_open_memory(&r, ex.file.p, ex.file.len,
                                                NULL, &err), MF_OK);
    fi = mf_reader_info(r);
    CU_ASSERT_EQUAL(fi->objects, 3);
    CU_ASSERT_EQUAL(fi->edges, 4);
    CU_ASSERT_EQUAL(fi->strings, 7);
    CU_ASSERT_EQUAL(fi->types, 3);
    CU_ASSERT_EQUAL(fi->roots, 1);
    CU_ASSERT_EQUAL(fi->meta, 2);
    CU_ASSERT_EQUAL(fi->total_size, EX_TOTAL_SIZE);
    CU_ASSERT_EQUAL(fi->blocks, 5);
    CU_ASSERT_FALSE(fi->partial);
    for (uint32_t i = 0; i < EX_STRINGS; i++) {
        size_t len;
        const char *s = mf_reader_string(r, i, &len);

        CU_ASSERT(s != NULL && len == strlen(ex_strings[i])
                  && memcmp(s, ex_strings[i], len) == 0);
    }
    CU_ASSERT_STRING_EQUAL(mf_reader_string(r, 5, NULL), "pid");
    CU_ASSERT_STRING_EQUAL(mf_reader_string(r, 6, NULL), "time");
    types = mf_reader_types(r, &n);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    for (uint32_t t = 0; t < 3; t++) {
        /* field by field: the struct has padding */
        CU_ASSERT(types[t].address == ex_types[t].address
                  && types[t].module == ex_types[t].module
                  && types[t].qualname == ex_types[t].qualname
                  && types[t].flags == ex_types[t].flags);
    }
    roots = mf_reader_roots(r, &n);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT(roots[0].object == ex_root.object
              && roots[0].kind == ex_root.kind
              && roots[0].label == ex_root.label);
    CU_ASSERT(mf_reader_meta_int(r, "pid", &pid) == 0 && pid == EX_PID);
    CU_ASSERT(mf_reader_meta_float(r, "time", &when) == 0
              && when == EX_TIME);

    CU_ASSERT_EQUAL_FATAL(mf_reader_load(r, MF_COL_ALL, &g, &err), MF_OK);
    CU_ASSERT_EQUAL_FATAL(g.n_objects, EX_OBJECTS);
    CU_ASSERT_EQUAL_FATAL(g.n_edges, EX_EDGES);
    for (uint32_t i = 0; i < EX_OBJECTS; i++) {
        const mf_object *o = &ex.obj[i];

        CU_ASSERT_EQUAL(g.address[i], o->address);
        CU_ASSERT_EQUAL(g.type[i], o->type);
        CU_ASSERT_EQUAL(g.size[i], o->size);
        CU_ASSERT_EQUAL(g.flags[i], o->flags);
        CU_ASSERT_EQUAL(g.length[i], o->length);
        CU_ASSERT_EQUAL(g.name[i], MF_NONE);
        CU_ASSERT_EQUAL(g.value[i], MF_NONE);
    }
    /* the edges in source order, as the table lists them */
    for (uint32_t k = 0; k < EX_EDGES; k++) {
        const ex_edge *e = &ex.edge[k];
        char display[64];

        CU_ASSERT(g.edge_start[e->source] <= k
                  && k < g.edge_start[e->source + 1]);
        CU_ASSERT_EQUAL(g.edge_target[k], e->e.target);
        CU_ASSERT_EQUAL(g.edge_kind[k], e->e.kind);
        CU_ASSERT_EQUAL(g.edge_label[k], e->e.label);
        mf_format_label(r, g.edge_kind[k], g.edge_label[k], display,
                        sizeof(display));
        CU_ASSERT_STRING_EQUAL(display, e->display);
    }
    CU_ASSERT_EQUAL(mf_reader_verify(r, &err), MF_OK);
    mf_graph_free(&g);
    mf_reader_close(r);
}

/* The spec's tables agree with each other (offsets, sizes, CRCs). */
static void
test_spec_consistent(void)
{
    CU_ASSERT_EQUAL(spec_problems, 0);
}

static void
test_decode_empty(void)
{
    mf_reader *r = NULL;
    mf_error err;
    const mf_file_info *fi;

    memset(&err, 0, sizeof(err));
    CU_ASSERT_EQUAL_FATAL(mf_reader_open_memory(&r, ex.empty.p, ex.empty.len,
                                                NULL, &err), MF_OK);
    fi = mf_reader_info(r);
    CU_ASSERT(fi->objects == 0 && fi->edges == 0 && fi->strings == 0
              && fi->types == 0 && fi->roots == 0 && fi->meta == 0
              && fi->blocks == 0 && !fi->partial);
    mf_reader_close(r);
}

int
main(int argc, char **argv)
{
    CU_pSuite s;
    size_t len;
    unsigned failed;

    if (argc != 2) {
        fprintf(stderr, "usage: test_spec_example spec/format.md\n");
        return 2;
    }
    spec = (char *)slurp(argv[1], &len);
    if (spec == NULL) {
        fprintf(stderr, "test_spec_example: cannot read '%s'\n", argv[1]);
        return 1;
    }
    spec = realloc(spec, len + 1);
    spec[len] = '\0';
    snprintf(tmpdir, sizeof(tmpdir), "%s/muppy-spec-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite("spec_worked_example", init_suite, NULL);
    CU_add_test(s, "spec_consistent", test_spec_consistent);
    CU_add_test(s, "encode_file", test_encode_file);
    CU_add_test(s, "encode_objs_block", test_encode_objs);
    CU_add_test(s, "encode_empty_file", test_encode_empty);
    CU_add_test(s, "decode_file", test_decode_file);
    CU_add_test(s, "decode_empty_file", test_decode_empty);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    {
        char path[300];

        snprintf(path, sizeof(path), "%s/example.snap", tmpdir);
        unlink(path);
        snprintf(path, sizeof(path), "%s/empty.snap", tmpdir);
        unlink(path);
        rmdir(tmpdir);
    }
    free(spec);
    return failed ? 1 : 0;
}
