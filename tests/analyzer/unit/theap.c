/*
 * theap.c - small heaps written as snapshots, for the unit tests.
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include "theap.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const th_labels[TH_N_LABELS] = {
    "next", "items", "cache", "__dict__", "k", "parent",
};

static const th_type th_default_types[] = {
    {"builtins", "dict", 0}, {"builtins", "list", 0},
    {"builtins", "str", 0}, {"builtins", "tuple", 0},
    {"builtins", "method", 0}, {"app", "Session", 0},
    {"app", "Customer", 0}, {"a", "Node", 0}, {"b", "Node", 0},
    {"builtins", "weakref.ReferenceType", 0}, {"", "nameless", 0},
};
#define TH_DEFAULT_TYPES \
    (sizeof(th_default_types) / sizeof(th_default_types[0]))

static uint64_t th_state = 0x9E3779B97F4A7C15ull;

uint64_t
th_rand(void)
{
    th_state ^= th_state << 13;
    th_state ^= th_state >> 7;
    th_state ^= th_state << 17;
    return th_state;
}

uint32_t
th_randn(uint32_t n)
{
    return n ? (uint32_t)(th_rand() % n) : 0;
}

void
th_init(theap *h, int64_t pid)
{
    memset(h, 0, sizeof(*h));
    h->n_types = TH_DEFAULT_TYPES;
    for (uint32_t t = 0; t < h->n_types; t++) {
        h->types[t] = th_default_types[t];
        h->type_order[t] = t;
    }
    /* the file lists the types in another order than the model: ids
     * differ from one snapshot to the next, names do not */
    for (uint32_t t = h->n_types - 1; t > 0; t--) {
        uint32_t k = th_randn(t + 1), x = h->type_order[t];

        h->type_order[t] = h->type_order[k];
        h->type_order[k] = x;
    }
    h->pid = pid;
    h->next_address = 0x7f0000000000ull;
}

void
th_free(theap *h)
{
    for (uint32_t i = 0; i < h->n; i++) {
        free(h->objs[i].edges);
    }
    free(h->objs);
    free(h->roots);
    memset(h, 0, sizeof(*h));
}

uint32_t
th_add(theap *h, uint64_t address, uint32_t type, uint64_t size)
{
    th_object *o;

    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 64;
        h->objs = realloc(h->objs, (size_t)h->cap * sizeof(th_object));
        if (h->objs == NULL) {
            abort();
        }
    }
    o = &h->objs[h->n];
    memset(o, 0, sizeof(*o));
    o->address = address;
    o->type = type;
    o->size = size;
    if (address >= h->next_address) {
        h->next_address = address + 0x40;
    }
    return h->n++;
}

void
th_edge_add(theap *h, uint32_t from, uint32_t to, uint8_t kind,
            uint64_t label)
{
    th_object *o = &h->objs[from];

    o->edges = realloc(o->edges, ((size_t)o->n_edges + 1) * sizeof(th_edge));
    if (o->edges == NULL) {
        abort();
    }
    o->edges[o->n_edges].target = to;
    o->edges[o->n_edges].kind = kind;
    o->edges[o->n_edges].label = label;
    o->n_edges++;
}

static const uint8_t th_kinds[] = {
    MF_EDGE_REF, MF_EDGE_INDEX, MF_EDGE_KEY_STR, MF_EDGE_KEY_INT,
    MF_EDGE_ATTR, MF_EDGE_FIELD, MF_EDGE_REF | MF_EDGE_WEAK,
};

/* Random edges out of every object. */
static void
th_random_edges(theap *h, uint32_t deg)
{
    for (uint32_t v = 0; v < h->n; v++) {
        uint32_t d = th_randn(2 * deg + 1);

        for (uint32_t k = 0; k < d && h->n > 0; k++) {
            uint8_t kind = th_kinds[th_randn(sizeof(th_kinds))];
            uint64_t label = MF_EDGE_CLASS(kind) == MF_LABEL_STRING
                             ? th_randn(TH_N_LABELS) : th_randn(4);

            if (MF_EDGE_CLASS(kind) == MF_LABEL_NONE) {
                label = 0;
            }
            th_edge_add(h, v, th_randn(h->n), kind, label);
        }
    }
}

static void
th_random_roots(theap *h)
{
    h->n_roots = h->n ? 1 + th_randn(4) : 0;
    h->roots = realloc(h->roots, ((size_t)h->n_roots + 1) * sizeof(mf_root));
    for (uint32_t i = 0; i < h->n_roots; i++) {
        h->roots[i].object = th_randn(h->n);
        h->roots[i].kind = 1 + th_randn(5);
        h->roots[i].label = MF_NONE;
    }
}

void
th_random(theap *h, uint32_t n, uint32_t deg, int64_t pid)
{
    th_init(h, pid);
    for (uint32_t i = 0; i < n; i++) {
        th_add(h, h->next_address, th_randn(h->n_types),
               16 + th_randn(500));
    }
    th_random_edges(h, deg);
    th_random_roots(h);
}

void
th_evolve(theap *to, const theap *from, uint32_t free_pct, uint32_t grow)
{
    uint64_t *freed = malloc(((size_t)from->n + 1) * sizeof(uint64_t));
    uint32_t n_freed = 0, deg = 2;

    th_init(to, from->pid);
    memcpy(to->types, from->types, sizeof(to->types));
    to->n_types = from->n_types;
    to->next_address = from->next_address;
    for (uint32_t i = 0; i < from->n; i++) {
        const th_object *o = &from->objs[i];

        if (th_randn(100) < free_pct) {
            freed[n_freed++] = o->address;
            continue;
        }
        th_add(to, o->address, o->type, o->size);
    }
    for (uint32_t i = 0; i < grow; i++) {
        if (n_freed > 0 && th_randn(3) == 0) {
            /* a freed address, reused by an object of another type */
            uint32_t k = th_randn(n_freed);
            uint64_t a = freed[k];
            uint32_t t = th_randn(to->n_types);

            freed[k] = freed[--n_freed];
            th_add(to, a, t, 16 + th_randn(500));
        }
        else {
            th_add(to, to->next_address, th_randn(to->n_types),
                   16 + th_randn(500));
        }
    }
    free(freed);
    th_random_edges(to, deg);
    th_random_roots(to);
}

/* ---- writing ---------------------------------------------------------- */

static uint32_t
th_str(mf_writer *w, const char *s, mf_error *err)
{
    uint32_t id = MF_NONE;

    if (mf_writer_string(w, s, strlen(s), &id, err) != MF_OK) {
        fprintf(stderr, "theap: %s\n", err->message);
        abort();
    }
    return id;
}

int
th_write(const theap *h, const char *path)
{
    mf_writer *w = NULL;
    mf_error err;
    mf_write_options wo;
    uint32_t label_id[TH_N_LABELS], file_type[TH_MAX_TYPES], dup_type;
    memset(&err, 0, sizeof(err));
    memset(&wo, 0, sizeof(wo));
    wo.block_objects = 50;      /* several OBJS blocks */
    if (mf_writer_open(&w, path, &wo, &err) != MF_OK) {
        fprintf(stderr, "theap: %s\n", err.message);
        return -1;
    }
    for (uint32_t k = 0; k < TH_N_LABELS; k++) {
        label_id[k] = th_str(w, th_labels[k], &err);
    }
    for (uint32_t i = 0; i < h->n_types; i++) {
        uint32_t t = h->type_order[i];
        mf_type ty = {0x1000 + 0x10 * (uint64_t)t,
                      th_str(w, h->types[t].module, &err),
                      th_str(w, h->types[t].qualname, &err),
                      h->types[t].flags};

        if (mf_writer_type(w, &ty, &file_type[t], &err) != MF_OK) {
            goto fail;
        }
    }
    {
        /* type 0 a second time (another type object, the same names):
         * both ids must count as one type */
        mf_type ty = {0x9000, th_str(w, h->types[0].module, &err),
                      th_str(w, h->types[0].qualname, &err),
                      h->types[0].flags};

        if (mf_writer_type(w, &ty, &dup_type, &err) != MF_OK) {
            goto fail;
        }
    }
    for (uint32_t i = 0; i < h->n; i++) {
        const th_object *o = &h->objs[i];
        mf_object obj;
        mf_edge *edges = calloc((size_t)o->n_edges + 1, sizeof(mf_edge));

        memset(&obj, 0, sizeof(obj));
        obj.address = o->address;
        obj.type = o->type == 0 && (o->address >> 6) % 2 ? dup_type
                                                          : file_type[o->type];
        obj.size = o->size;
        obj.flags = h->types[o->type].flags & MF_TYPE_EXTERNAL
                    ? MF_OBJ_EXTERNAL : MF_OBJ_GC_TRACKED;
        obj.name = MF_NONE;
        obj.value = MF_NONE;
        if (o->name != NULL) {
            obj.flags |= MF_OBJ_HAS_NAME;
            obj.name = th_str(w, o->name, &err);
        }
        if (o->value != NULL) {
            obj.flags |= MF_OBJ_HAS_VALUE;
            obj.value = th_str(w, o->value, &err);
        }
        for (uint32_t k = 0; k < o->n_edges; k++) {
            edges[k].target = o->edges[k].target;
            edges[k].kind = o->edges[k].kind;
            edges[k].label = MF_EDGE_CLASS(o->edges[k].kind)
                             == MF_LABEL_STRING
                             ? label_id[o->edges[k].label]
                             : o->edges[k].label;
        }
        if (mf_writer_object(w, &obj, edges, o->n_edges, &err) != MF_OK) {
            free(edges);
            goto fail;
        }
        free(edges);
    }
    for (uint32_t i = 0; i < h->n_roots; i++) {
        if (mf_writer_root(w, &h->roots[i], &err) != MF_OK) {
            goto fail;
        }
    }
    if (mf_writer_meta_int(w, "pid", h->pid, &err) != MF_OK
        || mf_writer_meta_float(w, "process.start_time", 1700000000.5,
                                &err) != MF_OK
        || mf_writer_meta_str(w, "boot_id", "boot-1", &err) != MF_OK) {
        goto fail;
    }
    for (uint32_t i = 0; i < h->n_meta; i++) {
        if (mf_writer_meta_int(w, h->meta[i].key, h->meta[i].value, &err)
            != MF_OK) {
            goto fail;
        }
    }
    if (mf_writer_close(w, NULL, &err) != MF_OK) {
        fprintf(stderr, "theap: %s\n", err.message);
        return -1;
    }
    return 0;

fail:
    fprintf(stderr, "theap: %s\n", err.message);
    mf_writer_abort(w);
    return -1;
}

int
th_open(const theap *h, an_snap *s, unsigned columns)
{
    const char *path = th_path("heap");
    mf_error err;

    memset(s, 0, sizeof(*s));
    memset(&err, 0, sizeof(err));
    if (th_write(h, path) != 0) {
        return -1;
    }
    if (an_snap_open(s, path, 0, NULL, NULL, &err) != MF_OK
        || an_snap_load(s, columns, &err) != MF_OK) {
        fprintf(stderr, "theap: %s\n", err.message);
        return -1;
    }
    if (s->cols.n_objects != h->n) {
        fprintf(stderr, "theap: %u objects read, %u written\n",
                s->cols.n_objects, h->n);
        return -1;
    }
    return 0;
}

/* ---- temporary files ------------------------------------------------- */

static char th_dir[256];
static unsigned th_files;

void
th_setup(void)
{
    snprintf(th_dir, sizeof(th_dir), "%s/muppy-unit-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(th_dir) == NULL) {
        perror("mkdtemp");
        abort();
    }
}

const char *
th_path(const char *name)
{
    static char path[512];

    snprintf(path, sizeof(path), "%s/%s-%u.snap", th_dir, name, th_files++);
    return path;
}

void
th_cleanup(void)
{
    DIR *d = th_dir[0] ? opendir(th_dir) : NULL;
    struct dirent *e;
    char path[600];

    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", th_dir, e->d_name);
        unlink(path);
    }
    if (d != NULL) {
        closedir(d);
        rmdir(th_dir);
    }
}
