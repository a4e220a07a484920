/*
 * external.c - memory outside Python objects, as nodes (external.h).
 */
#include "external.h"
#include "labels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* nodes per dump at most: the entries live in one reservation, so that
 * their addresses (which the address array holds) never move; only the
 * pages used are ever touched.  A node beyond it is left out, counted
 * in dump.external_dropped. */
#define MD_EXT_MAX (1u << 22)

/* a synthetic type: a name and its flags */
struct md_ext_type {
    char *name;
    uint32_t flags;
    uint32_t id;
};

/* a mapping of /proc/self/maps */
struct md_map {
    uint64_t lo, hi;
    int kind;                   /* MD_MAP_* */
};
enum { MD_MAP_ANON = 0, MD_MAP_FILE, MD_MAP_SHARED };

void
md_ext_free(md_state *d)
{
    size_t i;

    if (d->ext_lo != NULL) {
        munmap(d->ext_lo, (size_t)MD_EXT_MAX * sizeof(md_ext));
    }
    d->ext_lo = d->ext_hi = NULL;
    free(d->ext_table);
    d->ext_table = NULL;
    for (i = 0; i < d->n_ext_types; i++) {
        free(d->ext_types[i].name);
    }
    free(d->ext_types);
    d->ext_types = NULL;
    d->n_ext_types = 0;
    free(d->maps);
    d->maps = NULL;
}

/* ---- where the memory is ------------------------------------------- */

/* read /proc/self/maps (in a background dump's child: the same address
 * space as the parent's at the fork).  Best effort: unreadable, every
 * node is anonymous memory. */
static void
md_maps_read(md_state *d)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4096 + 256];
    size_t cap = 0;

    d->maps_read = 1;
    if (f == NULL) {
        return;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        unsigned long long lo, hi;
        int path_at = 0;
        const char *path;
        struct md_map *m;

        if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %n", &lo, &hi,
                   &path_at) < 2 || path_at == 0) {
            continue;
        }
        if (d->n_maps == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            struct md_map *nm = realloc(d->maps, ncap * sizeof(*nm));

            if (nm == NULL) {
                break;
            }
            d->maps = nm;
            cap = ncap;
        }
        path = line + path_at;
        m = &d->maps[d->n_maps++];
        m->lo = lo;
        m->hi = hi;
        if (path[0] != '/') {
            m->kind = MD_MAP_ANON;      /* [heap], [stack], anonymous */
        }
        else if (strncmp(path, "/dev/zero", 9) == 0
                 || strncmp(path, "/dev/shm/", 9) == 0
                 || strncmp(path, "/SYSV", 5) == 0
                 || strncmp(path, "/memfd:", 7) == 0) {
            m->kind = MD_MAP_SHARED;
        }
        else {
            m->kind = MD_MAP_FILE;
        }
    }
    fclose(f);
}

/* MD_MAP_* of the mapping holding address a (maps are sorted) */
static int
md_map_kind(md_state *d, uint64_t a)
{
    size_t lo = 0, hi;

    if (!d->maps_read) {
        md_maps_read(d);
    }
    hi = d->n_maps;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (a < d->maps[mid].lo) {
            hi = mid;
        }
        else if (a >= d->maps[mid].hi) {
            lo = mid + 1;
        }
        else {
            return d->maps[mid].kind;
        }
    }
    return MD_MAP_ANON;
}

/* ---- synthetic types ------------------------------------------------ */

/* the id of the external type `name` (+ a suffix for mapped memory) */
static int
md_ext_type(md_state *d, const char *name, size_t len, int memory,
            uint64_t address, uint32_t *id)
{
    char buf[160];
    uint32_t flags = MF_TYPE_EXTERNAL;
    const char *suffix = "";
    struct md_ext_type *t;
    mf_type rec;
    size_t i;

    if (memory == MD_MEM_DEVICE) {
        flags |= MF_TYPE_DEVICE;
    }
    else {
        switch (md_map_kind(d, address)) {
        case MD_MAP_FILE:
            flags |= MF_TYPE_FILE;
            suffix = " (file)";
            break;
        case MD_MAP_SHARED:
            flags |= MF_TYPE_FILE;
            suffix = " (shared)";
            break;
        }
    }
    if (len > 120) {
        len = 120;
    }
    snprintf(buf, sizeof(buf), "%.*s%s", (int)len, name, suffix);
    for (i = 0; i < d->n_ext_types; i++) {
        t = &d->ext_types[i];
        if (t->flags == flags && strcmp(t->name, buf) == 0) {
            *id = t->id;
            return 0;
        }
    }
    if (d->n_ext_types == d->cap_ext_types) {
        size_t ncap = d->cap_ext_types ? d->cap_ext_types * 2 : 8;
        struct md_ext_type *nt = realloc(d->ext_types, ncap * sizeof(*nt));

        if (nt == NULL) {
            return md_nomem(d);
        }
        d->ext_types = nt;
        d->cap_ext_types = ncap;
    }
    if (d->ext_module == MF_NONE
        && md_string(d, "<external>", 10, &d->ext_module) < 0) {
        return -1;
    }
    memset(&rec, 0, sizeof(rec));
    rec.address = 0;            /* no type object */
    rec.module = d->ext_module;
    rec.flags = flags;
    if (md_string(d, buf, strlen(buf), &rec.qualname) < 0) {
        return -1;
    }
    if (mf_writer_type(d->w, &rec, id, &d->err) != MF_OK) {
        return md_lib_error(d);
    }
    t = &d->ext_types[d->n_ext_types];
    t->name = strdup(buf);
    if (t->name == NULL) {
        return md_nomem(d);
    }
    t->flags = flags;
    t->id = *id;
    d->n_ext_types++;
    return 0;
}

/* ---- the node table ------------------------------------------------- */

static inline uint64_t
md_ext_hash(uint64_t a)
{
    a ^= a >> 29;
    a *= 0xbf58476d1ce4e5b9ULL;
    a ^= a >> 32;
    return a;
}

static int
md_ext_reserve(md_state *d)
{
    void *p = mmap(NULL, (size_t)MD_EXT_MAX * sizeof(md_ext),
                   PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    if (p == MAP_FAILED) {
        return md_nomem(d);
    }
    d->ext_lo = p;
    d->ext_hi = (char *)p + (size_t)MD_EXT_MAX * sizeof(md_ext);
    return 0;
}

/* rebuild the open-addressing table (entry index + 1; 0 empty) */
static int
md_ext_grow(md_state *d)
{
    size_t ncap = d->ext_table_cap ? d->ext_table_cap * 2 : 1024, i;
    uint32_t *nt = calloc(ncap, sizeof(uint32_t));
    md_ext *ents = (md_ext *)d->ext_lo;

    if (nt == NULL) {
        return md_nomem(d);
    }
    for (i = 0; i < d->n_ext; i++) {
        size_t k = md_ext_hash(ents[i].address) & (ncap - 1);

        while (nt[k] != 0) {
            k = (k + 1) & (ncap - 1);
        }
        nt[k] = (uint32_t)i + 1;
    }
    free(d->ext_table);
    d->ext_table = nt;
    d->ext_table_cap = ncap;
    return 0;
}

md_ext *
md_ext_find(md_state *d, uint64_t address)
{
    md_ext *ents = (md_ext *)d->ext_lo;
    size_t k;

    if (d->ext_table == NULL) {
        return NULL;
    }
    k = md_ext_hash(address) & (d->ext_table_cap - 1);
    while (d->ext_table[k] != 0) {
        md_ext *e = &ents[d->ext_table[k] - 1];

        if (e->address == address) {
            return e;
        }
        k = (k + 1) & (d->ext_table_cap - 1);
    }
    return NULL;
}

int
md_ext_edge_to(md_state *d, md_ext *e)
{
    md_tedge *t;

    if (d->nte >= d->cap_te
        && md_scratch_reserve(d, (void **)&d->te, &d->cap_te, d->nte + 1,
                              sizeof(md_tedge)) < 0) {
        return -1;
    }
    t = &d->te[d->nte++];
    t->p = (PyObject *)e;       /* not an object: md_is_ext() */
    t->kind = MF_EDGE_FIELD;
    t->label = e->label;
    t->matched = 1;
    return 0;
}

int
md_ext_edge(md_state *d, const char *name, size_t len, uint64_t address,
            uint64_t size, const char *label, uint32_t label_sid,
            int memory)
{
    md_ext *e;
    size_t k;

    if (size == 0) {
        return 0;
    }
    e = md_ext_find(d, address);
    if (e != NULL) {
        if (!e->written && size > e->size) {
            e->size = size;
        }
        return md_ext_edge_to(d, e);
    }
    if (d->n_ext >= MD_EXT_MAX) {
        d->ext_dropped++;
        return 0;
    }
    if (d->ext_lo == NULL && md_ext_reserve(d) < 0) {
        return -1;
    }
    if ((d->n_ext + 1) * 2 > d->ext_table_cap && md_ext_grow(d) < 0) {
        return -1;
    }
    e = &((md_ext *)d->ext_lo)[d->n_ext];
    e->address = address;
    e->size = size;
    e->written = 0;
    if (md_ext_type(d, name, len, memory, address, &e->type) < 0) {
        return -1;
    }
    if (label != NULL) {
        if (md_sid(d, NULL, label, strlen(label), &e->label) < 0) {
            return -1;
        }
    }
    else {
        e->label = label_sid;
    }
    k = md_ext_hash(address) & (d->ext_table_cap - 1);
    while (d->ext_table[k] != 0) {
        k = (k + 1) & (d->ext_table_cap - 1);
    }
    d->ext_table[k] = (uint32_t)d->n_ext + 1;
    d->n_ext++;
    return md_ext_edge_to(d, e);
}

void
md_ext_record(md_ext *e, mf_object *rec)
{
    e->written = 1;
    rec->address = e->address;
    rec->type = e->type;
    rec->size = e->size;
    rec->flags = MF_OBJ_EXTERNAL;
    rec->length = 0;
    rec->name = rec->value = MF_NONE;
}

int
md_ext_mmap(md_state *d, PyObject *o)
{
    void *data;
    Py_ssize_t size;

    if (!mc_mmap_buffer(o, &data, &size)) {
        return 0;               /* closed */
    }
    return md_ext_edge(d, "mmap.mmap", 9, (uint64_t)(uintptr_t)data,
                       (uint64_t)size, "data", MF_NONE, MD_MEM_HOST);
}
