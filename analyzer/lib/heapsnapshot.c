/*
 * heapsnapshot.c - node types, node ids and edge names of the V8 heap
 * snapshot export (spec/exports.md).
 */
#include "lib/heapsnapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "lib/bfs.h"
#include "lib/maps.h"

static const char *const fixed_strings[AN_HS_STR_FIXED] = {
    "", "(GC roots)",
    "(sys.modules)", "(modules)", "(builtins)", "(thread frames)",
    "(gc.garbage)", "(other roots)", "(unreferenced)",
    "(key)", "{item}", "[?]",
};

const char *
an_hs_fixed_string(uint32_t k)
{
    return k < AN_HS_STR_FIXED ? fixed_strings[k] : "";
}

unsigned
an_hs_columns(const an_snap *s)
{
    char text[32];

    /* str contents exist only in files dumped with include_strings */
    if (an_snap_meta_text(s, "dump.include_strings", text, sizeof(text)) == 0
        && strcmp(text, "0") == 0) {
        return AN_HS_COLUMNS & ~MF_COL_VALUE;
    }
    return AN_HS_COLUMNS;
}

uint32_t
an_hs_sub_of_kind(uint32_t kind)
{
    switch (kind) {
    case MF_ROOT_SYS_MODULES: return AN_HS_SUB_SYS_MODULES;
    case MF_ROOT_MODULE: return AN_HS_SUB_MODULES;
    case MF_ROOT_BUILTINS: return AN_HS_SUB_BUILTINS;
    case MF_ROOT_THREAD: return AN_HS_SUB_THREADS;
    case MF_ROOT_GC_GARBAGE: return AN_HS_SUB_GC_GARBAGE;
    default: return AN_HS_SUB_OTHER;
    }
}

typedef struct builtin_type {
    const char *qualname;
    uint32_t type;
} builtin_type;

static const builtin_type builtin_types[] = {
    {"list", AN_HS_NODE_ARRAY},
    {"tuple", AN_HS_NODE_ARRAY},
    {"str", AN_HS_NODE_STRING},
    {"int", AN_HS_NODE_NUMBER},
    {"float", AN_HS_NODE_NUMBER},
    {"complex", AN_HS_NODE_NUMBER},
    {"bool", AN_HS_NODE_NUMBER},
    {"code", AN_HS_NODE_CODE},
    {"function", AN_HS_NODE_CLOSURE},
    {"builtin_function_or_method", AN_HS_NODE_CLOSURE},
    {"method", AN_HS_NODE_CLOSURE},
    {"method-wrapper", AN_HS_NODE_CLOSURE},
    {"cell", AN_HS_NODE_HIDDEN},
    {"frame", AN_HS_NODE_HIDDEN},
    {"getset_descriptor", AN_HS_NODE_HIDDEN},
    {"member_descriptor", AN_HS_NODE_HIDDEN},
    {"wrapper_descriptor", AN_HS_NODE_HIDDEN},
    {"method_descriptor", AN_HS_NODE_HIDDEN},
    {"classmethod_descriptor", AN_HS_NODE_HIDDEN},
};

uint32_t
an_hs_key_node_type(const an_snap *s, uint32_t k)
{
    const an_key *key;

    if (k >= s->n_keys) {
        return AN_HS_NODE_HIDDEN;
    }
    key = &s->keys[k];
    if (key->external) {
        return AN_HS_NODE_NATIVE;   /* memory outside objects, as V8's */
    }
    if (strcmp(key->module, "builtins") != 0) {
        return AN_HS_NODE_OBJECT;
    }
    for (size_t i = 0; i < sizeof(builtin_types) / sizeof(builtin_types[0]);
         i++) {
        if (strcmp(key->qualname, builtin_types[i].qualname) == 0) {
            return builtin_types[i].type;
        }
    }
    return AN_HS_NODE_OBJECT;
}

void
an_hs_type_name(const an_snap *s, uint32_t k, char *buf, size_t cap)
{
    const an_key *key = &s->keys[k < s->n_keys ? k : s->n_keys];

    if (k >= s->n_keys || key->module[0] == '\0' || key->external
        || strcmp(key->module, "builtins") == 0) {
        snprintf(buf, cap, "%s", key->qualname);
    }
    else {
        snprintf(buf, cap, "%s.%s", key->module, key->qualname);
    }
}

/* ---- node ids ---------------------------------------------------------- */

/* FNV-1a of a type key's strings, mixed. */
static uint64_t
hash_of_key(const an_snap *s, uint32_t k)
{
    const an_key *key = &s->keys[k < s->n_keys ? k : s->n_keys];
    uint64_t h = 0xcbf29ce484222325ULL;
    const unsigned char *p;

    for (p = (const unsigned char *)key->module; *p; p++) {
        h = (h ^ *p) * 0x100000001b3ULL;
    }
    h = (h ^ 0xffu) * 0x100000001b3ULL;     /* a byte no string holds */
    for (p = (const unsigned char *)key->qualname; *p; p++) {
        h = (h ^ *p) * 0x100000001b3ULL;
    }
    return an_mix(h);
}

/* The id an object would get without collisions. */
static uint32_t
base_id(uint64_t address, uint64_t key_hash)
{
    uint32_t id = (uint32_t)(an_mix(address ^ key_hash) >> 32) | 1u;

    return id < AN_HS_MIN_OBJECT_ID ? id + (AN_HS_MIN_OBJECT_ID - 1) : id;
}

/* Stable LSD radix sort of v[0..n) by their upper 32 bits. */
static void
radix_sort(uint64_t *v, uint64_t *tmp, uint32_t n)
{
    size_t count[256];

    for (int shift = 32; shift < 64; shift += 8) {
        size_t sum = 0;

        memset(count, 0, sizeof(count));
        for (uint32_t i = 0; i < n; i++) {
            count[(v[i] >> shift) & 0xff]++;
        }
        for (int b = 0; b < 256; b++) {
            size_t c = count[b];

            count[b] = sum;
            sum += c;
        }
        for (uint32_t i = 0; i < n; i++) {
            tmp[count[(v[i] >> shift) & 0xff]++] = v[i];
        }
        memcpy(v, tmp, (size_t)n * sizeof(uint64_t));
    }
}

/* The order of objects with the same base id: by address, then key
 * hash, then index (qsort has no context argument: one sort at a time). */
static const an_snap *tie_snap;
static const uint64_t *tie_hash;

static int
tie_cmp(const void *pa, const void *pb)
{
    const an_snap *s = tie_snap;
    uint32_t a = (uint32_t)*(const uint64_t *)pa;
    uint32_t b = (uint32_t)*(const uint64_t *)pb;
    uint64_t aa = s->cols.address[a], ab = s->cols.address[b];
    uint64_t ha = tie_hash[an_snap_key_of(s, a)];
    uint64_t hb = tie_hash[an_snap_key_of(s, b)];

    if (aa != ab) {
        return aa < ab ? -1 : 1;
    }
    if (ha != hb) {
        return ha < hb ? -1 : 1;
    }
    return a < b ? -1 : a > b;
}

an_err
an_hs_node_ids(const an_snap *s, uint32_t *ids)
{
    uint32_t n = s->cols.n_objects;
    uint64_t *key_hash = malloc(((size_t)s->n_keys + 1) * sizeof(uint64_t));
    uint64_t *order = an_big_malloc((size_t)n * sizeof(uint64_t));
    uint64_t *tmp = an_big_malloc((size_t)n * sizeof(uint64_t));
    uint32_t *assigned = (uint32_t *)tmp;   /* reused after the sort */
    uint32_t n_assigned = 0, n_over = 0;
    uint64_t last = 0;

    if (key_hash == NULL || order == NULL || tmp == NULL) {
        free(key_hash);
        free(order);
        free(tmp);
        return AN_ERR_NOMEM;
    }
    for (uint32_t k = 0; k <= s->n_keys; k++) {
        key_hash[k] = hash_of_key(s, k);
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t id = base_id(s->cols.address[i],
                              key_hash[an_snap_key_of(s, i)]);

        order[i] = (uint64_t)id << 32 | i;
    }
    radix_sort(order, tmp, n);
    /* ties (same base id): by address, then key hash; the runs are
     * short unless the file is made to collide */
    tie_snap = s;
    tie_hash = key_hash;
    for (uint32_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && (order[j] >> 32) == (order[i] >> 32); j++) {
        }
        if (j - i > 1) {
            qsort(order + i, j - i, sizeof(uint64_t), tie_cmp);
        }
    }
    /* each takes its base id, or the next odd id after the previous one;
     * those pushed past 2^32 - 1 are put aside (into order[0..n_over)) */
    for (uint32_t i = 0; i < n; i++) {
        uint64_t base = order[i] >> 32;
        uint32_t obj = (uint32_t)order[i];
        uint64_t id = base > last ? base : last + 2;

        if (id > UINT32_MAX) {
            order[n_over++] = obj;
            continue;
        }
        ids[obj] = (uint32_t)id;
        assigned[n_assigned++] = (uint32_t)id;
        last = id;
    }
    /* the few left: the free odd ids from the bottom up */
    if (n_over > 0) {
        uint64_t cand = AN_HS_MIN_OBJECT_ID;
        uint32_t k = 0;

        for (uint32_t i = 0; i < n_over; i++) {
            while (k < n_assigned && assigned[k] < cand) {
                k++;
            }
            while (k < n_assigned && assigned[k] == cand) {
                cand += 2;
                k++;
            }
            ids[(uint32_t)order[i]] = (uint32_t)cand;
            cand += 2;
        }
    }
    free(key_hash);
    free(order);
    free(tmp);
    return AN_OK;
}

/* ---- roots ------------------------------------------------------------- */

an_err
an_hs_unreferenced(const an_snap *s, const an_roots *roots, uint32_t **out,
                   uint32_t *count)
{
    an_bfs_result bfs;
    uint32_t n = s->g.n, c = 0;

    *out = NULL;
    *count = 0;
    if (an_bfs(&s->g, roots->ordered, roots->n, 0, &bfs) != 0) {
        return AN_ERR_NOMEM;
    }
    *out = malloc((size_t)(bfs.n_unreferenced ? bfs.n_unreferenced : 1)
                  * sizeof(uint32_t));
    if (*out == NULL) {
        an_bfs_free(&bfs);
        return AN_ERR_NOMEM;
    }
    for (uint32_t v = 0; v < n && c < bfs.n_unreferenced; v++) {
        if (bfs.via[v] == AN_VIA_ROOT && an_roots_find(roots, v) == NULL) {
            (*out)[c++] = v;
        }
    }
    *count = c;
    an_bfs_free(&bfs);
    return AN_OK;
}

/* ---- edges ------------------------------------------------------------- */

an_hs_edge
an_hs_map_edge(uint8_t kind, uint64_t label, uint32_t n_strings)
{
    an_hs_edge e = {AN_HS_EDGE_INTERNAL, AN_HS_NAME_FIXED, AN_HS_STR_EMPTY};
    uint8_t k = kind & MF_EDGE_KIND_MASK;
    unsigned cls = MF_EDGE_CLASS(kind);

    if (kind & MF_EDGE_WEAK) {
        e.type = AN_HS_EDGE_WEAK;
        if (cls == MF_LABEL_STRING && label < n_strings) {
            e.name_kind = AN_HS_NAME_SNAP;
            e.value = label;
        }
        else if (cls == MF_LABEL_UINT || cls == MF_LABEL_SINT) {
            e.name_kind = cls == MF_LABEL_UINT ? AN_HS_NAME_UINT
                                               : AN_HS_NAME_INT;
            e.value = label;
        }
        return e;
    }
    switch (k) {
    case MF_EDGE_DICT_KEY:
        e.value = AN_HS_STR_DICT_KEY;
        return e;
    case MF_EDGE_SET_ITEM:
        e.value = AN_HS_STR_SET_ITEM;
        return e;
    case MF_EDGE_KEY_OTHER:
        e.value = AN_HS_STR_KEY_OTHER;
        return e;
    default:
        break;
    }
    switch (cls) {
    case MF_LABEL_STRING:
        e.type = AN_HS_EDGE_PROPERTY;
        if (label < n_strings) {
            e.name_kind = AN_HS_NAME_SNAP;
            e.value = label;
        }
        return e;
    case MF_LABEL_UINT:
    case MF_LABEL_SINT:
        /* INDEX labels are >= 0; int keys and unknown numeric kinds
         * are signed (the SINT class) or unsigned (UINT) */
        if (label <= UINT32_MAX
            && (cls == MF_LABEL_UINT || k == MF_EDGE_INDEX
                || (int64_t)label >= 0)) {
            e.type = AN_HS_EDGE_ELEMENT;
            e.name_kind = AN_HS_NAME_NUMBER;
            e.value = label;
        }
        else {
            e.type = AN_HS_EDGE_PROPERTY;
            e.name_kind = cls == MF_LABEL_UINT ? AN_HS_NAME_UINT
                                               : AN_HS_NAME_INT;
            e.value = label;
        }
        return e;
    default:
        return e;   /* unlabeled: internal "" */
    }
}
