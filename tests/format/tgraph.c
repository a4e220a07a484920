/*
 * tgraph.c - random graphs for the format tests.
 */
#include "tgraph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t
tg_rand(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static const uint8_t tg_kinds[] = {
    MF_EDGE_REF, MF_EDGE_INDEX, MF_EDGE_KEY_STR, MF_EDGE_KEY_INT,
    MF_EDGE_KEY_OTHER, MF_EDGE_DICT_KEY, MF_EDGE_ATTR, MF_EDGE_FIELD,
    MF_EDGE_SET_ITEM,
    0x1f, 0x3e, 0x5d, 0x7c,         /* unknown kinds of each class */
};

static void *
xcalloc(size_t n, size_t s)
{
    void *p = calloc(n ? n : 1, s);
    if (p == NULL) {
        abort();
    }
    return p;
}

void
tg_random(tgraph *g, uint32_t n, uint32_t max_edges, uint64_t seed)
{
    uint64_t s = seed, addr = 0x7f0000001000ull, cap, i, fresh;
    uint32_t k;

    memset(g, 0, sizeof(*g));
    g->n = n;
    g->n_strings = 1 + (uint32_t)(tg_rand(&s) % 50);
    g->strings = xcalloc(g->n_strings, sizeof(char *));
    g->string_len = xcalloc(g->n_strings, sizeof(size_t));
    for (k = 0; k < g->n_strings; k++) {
        char buf[64];
        size_t len;
        uint64_t r = tg_rand(&s);
        if (k == 0) {
            len = 0; /* the empty string */
            buf[0] = '\0';
        }
        else if (r % 4 == 0) {
            /* binary bytes, including NUL and quotes */
            size_t j;
            len = 1 + r % 20;
            for (j = 0; j < len; j++) {
                buf[j] = (char)(tg_rand(&s) & 0xff);
            }
            snprintf(buf + len, sizeof(buf) - len, "#%u", k);
            len = strlen(buf + len) + len;
        }
        else {
            len = (size_t)snprintf(buf, sizeof(buf), "name_%u_%llx", k,
                                   (unsigned long long)(r & 0xffff));
        }
        g->strings[k] = xcalloc(len + 1, 1);
        memcpy(g->strings[k], buf, len);
        g->string_len[k] = len;
    }
    g->n_types = 1 + (uint32_t)(tg_rand(&s) % 20);
    g->types = xcalloc(g->n_types, sizeof(mf_type));
    for (k = 0; k < g->n_types; k++) {
        g->types[k].address = tg_rand(&s);
        g->types[k].module = k % 3 ? (uint32_t)(tg_rand(&s) % g->n_strings)
                                   : MF_NONE;
        g->types[k].qualname = (uint32_t)(tg_rand(&s) % g->n_strings);
        g->types[k].flags = (uint32_t)(tg_rand(&s) % 4);
    }
    g->objs = xcalloc(n, sizeof(mf_object));
    g->estart = xcalloc((size_t)n + 1, sizeof(uint64_t));
    cap = 1024;
    g->edges = xcalloc(cap, sizeof(mf_edge));
    fresh = n / 8;
    g->frontier = (uint32_t)fresh;
    for (i = 0; i < n; i++) {
        mf_object *o = &g->objs[i];
        uint64_t r = tg_rand(&s), ne, j, idx = 0;
        /* addresses: mostly small steps up, some jumps either way */
        switch (r % 16) {
        case 0:
            addr = tg_rand(&s);
            break;
        case 1:
            addr -= 16 * (tg_rand(&s) % 100000);
            break;
        case 2:
            addr += tg_rand(&s) % (1u << 30);
            break;
        default:
            addr += 16 * (1 + tg_rand(&s) % 8);
            break;
        }
        o->address = addr;
        o->type = (uint32_t)(tg_rand(&s) % g->n_types);
        r = tg_rand(&s);
        o->size = r % 64 == 0 ? tg_rand(&s) : 16 + (r >> 8) % 200;
        o->flags = (uint32_t)(tg_rand(&s) & MF_OBJ_KNOWN_FLAGS);
        o->length = o->flags & MF_OBJ_HAS_LENGTH ? tg_rand(&s) >> (r % 64)
                                                 : 0;
        o->name = o->flags & MF_OBJ_HAS_NAME
                      ? (uint32_t)(tg_rand(&s) % g->n_strings) : MF_NONE;
        o->value = o->flags & MF_OBJ_HAS_VALUE
                       ? (uint32_t)(tg_rand(&s) % g->n_strings) : MF_NONE;
        ne = max_edges ? tg_rand(&s) % (max_edges + 1) : 0;
        if (max_edges && tg_rand(&s) % 500 == 0) {
            ne = 300 + tg_rand(&s) % 700;
        }
        if (g->ne + ne > cap) {
            while (g->ne + ne > cap) {
                cap *= 2;
            }
            g->edges = realloc(g->edges, cap * sizeof(mf_edge));
            if (g->edges == NULL) {
                abort();
            }
        }
        g->estart[i] = g->ne;
        for (j = 0; j < ne; j++) {
            mf_edge *e = &g->edges[g->ne++];
            uint64_t q = tg_rand(&s);
            if (q % 3 == 0 && fresh < n) {
                e->target = (uint32_t)fresh++;
            }
            else if (q % 3 == 1 && i + 1 < n) {
                e->target = (uint32_t)(i + 1 + (q >> 8) % 3 < n
                                       ? i + 1 + (q >> 8) % 3 : i);
            }
            else {
                e->target = (uint32_t)((q >> 8) % n);
            }
            e->kind = tg_kinds[tg_rand(&s) % sizeof(tg_kinds)];
            if (tg_rand(&s) % 8 == 0) {
                e->kind |= MF_EDGE_WEAK;
            }
            q = tg_rand(&s);
            if ((e->kind & MF_EDGE_KIND_MASK) == MF_EDGE_INDEX) {
                /* any index a list can have: 0 .. INT64_MAX */
                e->label = q % 50 == 0 ? tg_rand(&s) >> 1 : idx++;
            }
            else {
                switch (MF_EDGE_CLASS(e->kind)) {
                case MF_LABEL_UINT:
                    e->label = q % 2 ? UINT64_MAX - q % 5 : q;
                    break;
                case MF_LABEL_STRING:
                    e->label = q % g->n_strings;
                    break;
                case MF_LABEL_SINT:
                    e->label = q % 4 == 0 ? (uint64_t)INT64_MIN
                               : q % 4 == 1 ? (uint64_t)INT64_MAX
                               : q % 4 == 2 ? (uint64_t)-(int64_t)(q >> 40)
                                            : q >> 50;
                    break;
                default:
                    e->label = 0;
                }
            }
        }
    }
    g->estart[n] = g->ne;
    g->n_roots = n ? 1 + (uint32_t)(tg_rand(&s) % 10) : 0;
    g->roots = xcalloc(g->n_roots, sizeof(mf_root));
    for (k = 0; k < g->n_roots; k++) {
        g->roots[k].object = (uint32_t)(tg_rand(&s) % n);
        g->roots[k].kind = (uint32_t)(tg_rand(&s) % 7);
        g->roots[k].label = k % 2 ? (uint32_t)(tg_rand(&s) % g->n_strings)
                                  : MF_NONE;
    }
}

void
tg_free(tgraph *g)
{
    uint32_t k;

    for (k = 0; k < g->n_strings; k++) {
        free(g->strings[k]);
    }
    free(g->strings);
    free(g->string_len);
    free(g->types);
    free(g->objs);
    free(g->estart);
    free(g->edges);
    free(g->roots);
    memset(g, 0, sizeof(*g));
}

int
tg_write(const tgraph *g, const char *path, const mf_write_options *o,
         mf_write_stats *stats, mf_error *err)
{
    mf_writer *w;
    uint32_t k, id;
    uint64_t i;
    int rc;

    rc = mf_writer_open(&w, path, o, err);
    if (rc != MF_OK) {
        return rc;
    }
    for (k = 0; k < g->n_strings; k++) {
        rc = mf_writer_string(w, g->strings[k], g->string_len[k], &id, err);
        if (rc != MF_OK || id != k) {
            mf_writer_abort(w);
            return rc ? rc : -1;
        }
    }
    /* interning twice gives the same id */
    if (g->n_strings) {
        rc = mf_writer_string(w, g->strings[0], g->string_len[0], &id, err);
        if (rc != MF_OK || id != 0) {
            mf_writer_abort(w);
            return rc ? rc : -1;
        }
    }
    for (k = 0; k < g->n_types; k++) {
        rc = mf_writer_type(w, &g->types[k], &id, err);
        if (rc != MF_OK || id != k) {
            mf_writer_abort(w);
            return rc ? rc : -1;
        }
    }
    mf_writer_set_frontier(w, g->frontier);
    for (i = 0; i < g->n; i++) {
        const mf_edge *e = g->edges + g->estart[i];
        size_t ne = g->estart[i + 1] - g->estart[i];

        if (i % 3 != 0) {
            /* two objects in three: edges written in place */
            mf_edge *room = mf_writer_edges(w, ne, err);

            if (room == NULL) {
                mf_writer_abort(w);
                return -1;
            }
            if (ne > 0) {
                memcpy(room, e, ne * sizeof(*e));
            }
            e = room;
        }
        rc = mf_writer_object(w, &g->objs[i], e, ne, err);
        if (rc != MF_OK) {
            mf_writer_abort(w);
            return rc;
        }
    }
    for (k = 0; k < g->n_roots; k++) {
        if ((rc = mf_writer_root(w, &g->roots[k], err)) != MF_OK) {
            mf_writer_abort(w);
            return rc;
        }
    }
    if ((rc = mf_writer_meta_str(w, "python", "3.11.7", err))
        || (rc = mf_writer_meta_int(w, "pid", -12345, err))
        || (rc = mf_writer_meta_float(w, "time", 1.5, err))) {
        mf_writer_abort(w);
        return rc;
    }
    return mf_writer_close(w, stats, err);
}

int
tg_compare(const tgraph *g, const mf_graph *lg, uint32_t n, unsigned cols)
{
    uint64_t i, j, k = 0, dropped = 0;

    if (lg->n_objects != n) {
        return __LINE__;
    }
    for (i = 0; i < n; i++) {
        const mf_object *o = &g->objs[i];
        if ((cols & MF_COL_ADDRESS) && lg->address[i] != o->address) {
            return __LINE__;
        }
        if ((cols & MF_COL_TYPE) && lg->type[i] != o->type) {
            return __LINE__;
        }
        if ((cols & MF_COL_SIZE) && lg->size[i] != o->size) {
            return __LINE__;
        }
        if ((cols & MF_COL_FLAGS) && lg->flags[i] != (uint8_t)o->flags) {
            return __LINE__;
        }
        if ((cols & MF_COL_LENGTH) && lg->length[i] != o->length) {
            return __LINE__;
        }
        if ((cols & MF_COL_NAME) && lg->name[i] != o->name) {
            return __LINE__;
        }
        if ((cols & MF_COL_VALUE) && lg->value[i] != o->value) {
            return __LINE__;
        }
        if (!(cols & MF_COL_EDGES)) {
            continue;
        }
        if (lg->edge_start[i] != k) {
            return __LINE__;
        }
        for (j = g->estart[i]; j < g->estart[i + 1]; j++) {
            const mf_edge *e = &g->edges[j];
            if (e->target >= n) {
                dropped++;
                continue;
            }
            if (lg->edge_target[k] != e->target) {
                return __LINE__;
            }
            if ((cols & MF_COL_EDGE_KIND) && lg->edge_kind[k] != e->kind) {
                return __LINE__;
            }
            if ((cols & MF_COL_EDGE_LABEL) && lg->edge_label[k] != e->label) {
                return __LINE__;
            }
            k++;
        }
    }
    if (cols & MF_COL_EDGES) {
        if (lg->edge_start[n] != k || lg->n_edges != k) {
            return __LINE__;
        }
        if (lg->dropped_edges != dropped) {
            return __LINE__;
        }
    }
    /* columns not asked for stay NULL */
    if (!(cols & MF_COL_ADDRESS) && lg->address) {
        return __LINE__;
    }
    if (!(cols & MF_COL_EDGE_LABEL) && lg->edge_label) {
        return __LINE__;
    }
    return 0;
}

int
tg_compare_tables(const tgraph *g, const mf_reader *r, uint32_t n)
{
    const mf_type *t;
    const mf_root *ro;
    uint32_t cnt, k, m = 0;
    const char *s;
    int64_t iv;
    double fv;
    size_t len;

    /* the meta keys and values come after g's strings */
    if (mf_reader_string_count(r) < g->n_strings) {
        return __LINE__;
    }
    for (k = 0; k < g->n_strings; k++) {
        s = mf_reader_string(r, k, &len);
        if (s == NULL || len != g->string_len[k]
            || memcmp(s, g->strings[k], len) != 0 || s[len] != '\0') {
            return __LINE__;
        }
    }
    if (mf_reader_string(r, mf_reader_string_count(r), &len) != NULL) {
        return __LINE__;
    }
    t = mf_reader_types(r, &cnt);
    if (cnt != g->n_types) {
        return __LINE__;
    }
    for (k = 0; k < cnt; k++) {
        if (t[k].address != g->types[k].address
            || t[k].module != g->types[k].module
            || t[k].qualname != g->types[k].qualname
            || t[k].flags != g->types[k].flags) {
            return __LINE__;
        }
    }
    ro = mf_reader_roots(r, &cnt);
    for (k = 0; k < g->n_roots; k++) {
        if (g->roots[k].object >= n) {
            continue;
        }
        if (m >= cnt || ro[m].object != g->roots[k].object
            || ro[m].kind != g->roots[k].kind
            || ro[m].label != g->roots[k].label) {
            return __LINE__;
        }
        m++;
    }
    if (m != cnt) {
        return __LINE__;
    }
    if (mf_reader_meta_str(r, "python", &s) != 0 || strcmp(s, "3.11.7")) {
        return __LINE__;
    }
    if (mf_reader_meta_int(r, "pid", &iv) != 0 || iv != -12345) {
        return __LINE__;
    }
    if (mf_reader_meta_float(r, "time", &fv) != 0 || fv != 1.5) {
        return __LINE__;
    }
    if (mf_reader_meta_int(r, "python", &iv) != -1) {
        return __LINE__;
    }
    return 0;
}
