/*
 * growth_ids.c - what the front-ends of growth.h share: the old and
 * gained bitmaps from two or three snapshots, a point's example path, and
 * points followed across the steps of a trend.
 */
#include "growth.h"

#include <stdlib.h>
#include <string.h>

#include "maps.h"
#include "mem.h"
#include "roots.h"

/* ---- identities ------------------------------------------------------- */

/*
 * An identity is an address and a code: the id of the object's type key
 * (module, qualname) in ids->names or, for an object with a name
 * (function, class, module or code object; MF_COL_NAME loaded), the id of
 * (module, "qualname\x1fname").  So a function freed and another one
 * allocated at its address look different when their names differ
 * (attach payloads and per-request closures reuse each other's
 * addresses).  The identities of a snapshot are kept sorted by address,
 * and the later snapshots' objects are matched by merging, sorted the
 * same way: sequential passes where a hash would miss the cache at every
 * object, and 12 bytes an object where objset.h's hash takes 24 to 48.
 */
typedef struct coder {
    an_strmap *names;
    const an_snap *s;
    int add, failed;
    uint32_t *keys;         /* code of each type key */
    an_u64map named;        /* (key, name string id) -> code */
    char *buf;
    size_t cap;
} coder;

/* Codes for the objects of s; with `add`, unknown names are added, else
 * their code is MF_NONE (matching nothing). */
static int
coder_init(coder *c, an_strmap *names, const an_snap *s, int add)
{
    uint64_t n_named = 0;

    memset(c, 0, sizeof(*c));
    c->names = names;
    c->s = s;
    c->add = add;
    c->keys = malloc(((size_t)s->n_keys + 1) * sizeof(uint32_t));
    if (c->keys == NULL) {
        return -1;
    }
    for (uint32_t k = 0; k <= s->n_keys; k++) {
        const an_key *key = &s->keys[k];
        size_t ml = strlen(key->module), ql = strlen(key->qualname);
        int added;

        c->keys[k] = add ? an_strmap_intern(names, key->module, ml,
                                            key->qualname, ql, &added)
                         : an_strmap_get(names, key->module, ml,
                                         key->qualname, ql);
        if (add && c->keys[k] == MF_NONE) {
            free(c->keys);
            c->keys = NULL;
            return -1;
        }
    }
    for (uint32_t i = 0; s->cols.name != NULL && i < s->cols.n_objects;
         i++) {
        n_named += s->cols.name[i] != MF_NONE;
    }
    if (n_named > 0 && an_u64map_init(&c->named, n_named) != 0) {
        free(c->keys);
        c->keys = NULL;
        return -1;
    }
    return 0;
}

static void
coder_free(coder *c)
{
    an_u64map_free(&c->named);
    free(c->keys);
    free(c->buf);
    memset(c, 0, sizeof(*c));
}

/* The code of a named object (slow path: once per distinct name). */
static uint32_t
coder_named(coder *c, uint32_t k, uint32_t sid)
{
    const an_key *key = &c->s->keys[k];
    uint64_t ck = ((uint64_t)k << 32) | sid;
    uint32_t id = an_u64map_get(&c->named, ck);
    size_t nl, ql;
    const char *name;
    int added;

    if (id != MF_NONE) {
        return id;
    }
    name = mf_reader_string(c->s->reader, sid, &nl);
    if (name == NULL) {
        return c->keys[k];
    }
    ql = strlen(key->qualname);
    if (ql + nl + 2 > c->cap) {
        char *b = realloc(c->buf, ql + nl + 2);

        if (b == NULL) {
            c->failed = 1;
            return MF_NONE;
        }
        c->buf = b;
        c->cap = ql + nl + 2;
    }
    memcpy(c->buf, key->qualname, ql);
    c->buf[ql] = '\x1f';
    memcpy(c->buf + ql + 1, name, nl);
    if (c->add) {
        id = an_strmap_intern(c->names, key->module, strlen(key->module),
                              c->buf, ql + 1 + nl, &added);
        if (id == MF_NONE) {
            c->failed = 1;
            return MF_NONE;
        }
    }
    else {
        id = an_strmap_get(c->names, key->module, strlen(key->module),
                           c->buf, ql + 1 + nl);
    }
    if (id != MF_NONE && an_u64map_put(&c->named, ck, id) != 0) {
        c->failed = 1;
    }
    return id;
}

static inline uint32_t
coder_code(coder *c, uint32_t i)
{
    uint32_t k = an_snap_key_of(c->s, i);

    if (c->s->cols.name == NULL || c->s->cols.name[i] == MF_NONE
        || c->named.keys == NULL) {
        return c->keys[k];
    }
    return coder_named(c, k, c->s->cols.name[i]);
}

/*
 * The objects of s in address order (LSD radix sort, 11 bits a pass over
 * the bits where the addresses differ): *order gets their indices,
 * *sorted their addresses.  24 bytes an object while it sorts, 12 after.
 * Returns 0, or -1 when out of memory.
 */
static int
by_address(const an_snap *s, uint32_t **order, uint64_t **sorted)
{
    uint32_t n = (uint32_t)s->cols.n_objects;
    const uint64_t *addr = s->cols.address;
    uint64_t lo = UINT64_MAX, hi = 0, span;
    uint64_t *ka = an_big_malloc((size_t)(n ? n : 1) * sizeof(uint64_t));
    uint64_t *kb = an_big_malloc((size_t)(n ? n : 1) * sizeof(uint64_t));
    uint32_t *ia = an_big_malloc((size_t)(n ? n : 1) * sizeof(uint32_t));
    uint32_t *ib = an_big_malloc((size_t)(n ? n : 1) * sizeof(uint32_t));
    uint32_t *count = malloc(2048 * sizeof(uint32_t));
    unsigned shift = 0, bits;

    *order = NULL;
    *sorted = NULL;
    if (ka == NULL || kb == NULL || ia == NULL || ib == NULL
        || count == NULL) {
        free(ka);
        free(kb);
        free(ia);
        free(ib);
        free(count);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        lo = addr[i] < lo ? addr[i] : lo;
        hi = addr[i] > hi ? addr[i] : hi;
    }
    for (uint32_t i = 0; i < n; i++) {
        ka[i] = addr[i] - lo;
        ia[i] = i;
    }
    span = n ? hi - lo : 0;
    bits = 0;
    while (bits < 64 && (span >> bits) != 0) {
        bits++;
    }
    while (shift < bits) {
        uint32_t sum = 0;

        memset(count, 0, 2048 * sizeof(uint32_t));
        for (uint32_t i = 0; i < n; i++) {
            count[(ka[i] >> shift) & 2047]++;
        }
        for (uint32_t d = 0; d < 2048; d++) {
            uint32_t c = count[d];

            count[d] = sum;
            sum += c;
        }
        for (uint32_t i = 0; i < n; i++) {
            uint32_t at = count[(ka[i] >> shift) & 2047]++;

            kb[at] = ka[i];
            ib[at] = ia[i];
        }
        {
            uint64_t *tk = ka;
            uint32_t *ti = ia;

            ka = kb;
            kb = tk;
            ia = ib;
            ib = ti;
        }
        shift += 11;
    }
    for (uint32_t i = 0; i < n; i++) {
        ka[i] += lo;
    }
    free(kb);
    free(ib);
    free(count);
    *order = ia;
    *sorted = ka;
    return 0;
}

/* Keep ids->before as the identities of s (sorted by address). */
int
an_growth_ids_before(an_growth_ids *ids, const an_snap *s)
{
    uint32_t *order = NULL;
    coder c;
    int rc = -1;

    memset(ids, 0, sizeof(*ids));
    ids->names = an_strmap_new();
    if (ids->names == NULL || by_address(s, &order, &ids->before.addr) != 0
        || coder_init(&c, ids->names, s, 1) != 0) {
        free(order);
        return -1;
    }
    ids->before.code = an_big_malloc(((size_t)s->cols.n_objects + 1)
                                     * sizeof(uint32_t));
    if (ids->before.code != NULL) {
        for (uint32_t k = 0; k < s->cols.n_objects; k++) {
            ids->before.code[k] = coder_code(&c, order[k]);
        }
        ids->before.n = s->cols.n_objects;
        rc = c.failed ? -1 : 0;
    }
    coder_free(&c);
    free(order);
    return rc;
}

/* Walk the objects of s in address order beside list l: *at is advanced
 * to the first entry at or after address a; returns 1 when that entry
 * has address a and code. */
static inline int
idlist_match(const an_idlist *l, uint64_t *at, uint64_t a, uint32_t code)
{
    while (*at < l->n && l->addr[*at] < a) {
        (*at)++;
    }
    return *at < l->n && l->addr[*at] == a && l->code[*at] == code
           && code != MF_NONE;
}

int
an_growth_ids_target(an_growth_ids *ids, const an_snap *s)
{
    uint32_t n = (uint32_t)s->cols.n_objects, *order = NULL;
    uint64_t *sorted = NULL, at = 0;
    coder c;
    int rc = -1;

    ids->three = 1;
    ids->fresh_count = 0;
    if (by_address(s, &order, &sorted) != 0) {
        return -1;
    }
    if (coder_init(&c, ids->names, s, 1) != 0) {
        goto done;
    }
    /* the new ones in address order: the list's order already */
    ids->fresh.addr = malloc(((size_t)n + 1) * sizeof(uint64_t));
    ids->fresh.code = malloc(((size_t)n + 1) * sizeof(uint32_t));
    if (ids->fresh.addr == NULL || ids->fresh.code == NULL) {
        coder_free(&c);
        goto done;
    }
    for (uint32_t k = 0; k < n; k++) {
        uint32_t code = coder_code(&c, order[k]);

        if (!idlist_match(&ids->before, &at, sorted[k], code)) {
            ids->fresh.addr[ids->fresh.n] = sorted[k];
            ids->fresh.code[ids->fresh.n] = code;
            ids->fresh.n++;
        }
    }
    ids->fresh_count = ids->fresh.n;
    rc = c.failed ? -1 : 0;
    coder_free(&c);

done:
    free(order);
    free(sorted);
    return rc;
}

uint64_t *
an_growth_ids_mark(an_growth_ids *ids, const an_snap *s, uint64_t **old)
{
    uint32_t n = (uint32_t)s->cols.n_objects, *order = NULL;
    uint64_t *gained = an_bitmap_new(n), *sorted = NULL;
    uint64_t at_before = 0, at_fresh = 0;
    coder c;
    int ok = 0;

    *old = ids->three ? an_bitmap_new(n) : NULL;
    if (gained == NULL || (ids->three && *old == NULL)
        || by_address(s, &order, &sorted) != 0) {
        goto done;
    }
    if (coder_init(&c, ids->names, s, 0) != 0) {
        goto done;
    }
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = order[k], code = coder_code(&c, i);

        /* a gained object is none of BASE's: TARGET's new ones first */
        if (ids->three && idlist_match(&ids->fresh, &at_fresh, sorted[k],
                                       code)) {
            an_set_bit(gained, i);
        }
        else if (idlist_match(&ids->before, &at_before, sorted[k], code)) {
            if (ids->three) {
                an_set_bit(*old, i);
            }
        }
        else if (!ids->three) {
            an_set_bit(gained, i);
        }
    }
    ok = !c.failed;
    coder_free(&c);

done:
    free(order);
    free(sorted);
    an_growth_ids_free(ids);
    if (!ok) {
        free(gained);
        free(*old);
        *old = NULL;
        return NULL;
    }
    return gained;
}

void
an_growth_ids_free(an_growth_ids *ids)
{
    free(ids->before.addr);
    free(ids->before.code);
    free(ids->fresh.addr);
    free(ids->fresh.code);
    an_strmap_free(ids->names);
    memset(ids, 0, sizeof(*ids));
}

/* ---- a point's example path ------------------------------------------- */

uint32_t
an_growth_path(const an_graph *g, const an_bfs_result *bfs, uint32_t point,
               uint32_t x, uint32_t *objs, uint64_t *edges, uint32_t cap)
{
    uint32_t len, from;

    if (point >= g->n || x >= g->n || bfs->via[x] == AN_UNREACHED) {
        return 0;
    }
    if (point == x) {
        if (cap >= 1) {
            objs[0] = x;
            edges[0] = UINT64_MAX;
        }
        return 1;
    }
    /* a direct edge, a strong one first */
    if (g->edge_start != NULL) {
        uint64_t weak = UINT64_MAX;

        for (uint64_t e = g->edge_start[point]; e < g->edge_start[point + 1];
             e++) {
            if (g->edge_target[e] != x) {
                continue;
            }
            if (an_edge_followed(g, e, 0)) {
                weak = e;
                break;
            }
            if (weak == UINT64_MAX) {
                weak = e;
            }
        }
        if (weak != UINT64_MAX) {
            if (cap >= 2) {
                objs[0] = point;
                objs[1] = x;
                edges[0] = UINT64_MAX;
                edges[1] = weak;
            }
            return 2;
        }
    }
    len = an_path(g, bfs, x, objs, cap);
    if (len == 0 || len > cap) {
        return len;
    }
    for (from = 0; from < len && objs[from] != point; from++) {
    }
    if (from == len) {
        from = 0;   /* the point is not on it: the whole path */
    }
    memmove(objs, objs + from, (size_t)(len - from) * sizeof(uint32_t));
    len -= from;
    for (uint32_t k = 0; k < len; k++) {
        edges[k] = k == 0 ? UINT64_MAX : bfs->via[objs[k]];
    }
    return len;
}

/* ---- a point's label ---------------------------------------------------- */

/* Containers a label names by their owner. */
static int
plain_container(const an_key *k)
{
    static const char *const builtins[] = {
        "dict", "list", "tuple", "set", "frozenset", "cell", "mappingproxy",
        NULL,
    };
    static const char *const collections[] = {
        "deque", "OrderedDict", "defaultdict", NULL,
    };
    const char *const *names = strcmp(k->module, "builtins") == 0
                               ? builtins
                               : strcmp(k->module, "collections") == 0
                               ? collections : NULL;

    for (int i = 0; names != NULL && names[i] != NULL; i++) {
        if (strcmp(k->qualname, names[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

typedef struct lbuf {
    char *buf;
    size_t cap, len;
} lbuf;

static void
lb_add(lbuf *b, const char *a, const char *c)
{
    size_t al = strlen(a), cl = strlen(c);

    if (b->cap == 0) {
        return;
    }
    if (b->len + al + cl >= b->cap) {
        size_t room = b->cap - 1 - b->len;

        al = al < room ? al : room;
        cl = cl < room - al ? cl : room - al;
    }
    memcpy(b->buf + b->len, a, al);
    memcpy(b->buf + b->len + al, c, cl);
    b->len += al + cl;
    b->buf[b->len] = '\0';
}

/* A ['identifier'] label. */
static int
attribute_key(const char *t)
{
    size_t n = strlen(t);

    if (n < 5 || t[0] != '[' || t[1] != '\'' || t[n - 2] != '\''
        || t[n - 1] != ']' || (t[2] >= '0' && t[2] <= '9')) {
        return 0;
    }
    for (size_t i = 2; i < n - 2; i++) {
        char c = t[i];

        if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9'))) {
            return 0;
        }
    }
    return 1;
}

size_t
an_growth_label(const an_snap *s, const an_roots *roots,
                const an_bfs_result *bfs, uint32_t obj, char *buf,
                size_t cap)
{
    lbuf b = {buf, cap, 0};
    uint32_t len, from, *path;
    char text[256];
    int in_dict = 0;

    if (cap > 0) {
        buf[0] = '\0';
    }
    len = an_path(&s->g, bfs, obj, NULL, 0);
    path = len ? malloc((size_t)len * sizeof(uint32_t)) : NULL;
    if (path == NULL || an_path(&s->g, bfs, obj, path, len) != len) {
        free(path);
        return 0;
    }
    for (from = len - 1; from > 0; from--) {
        if (!plain_container(&s->keys[an_snap_key_of(s, path[from])])) {
            break;
        }
    }
    if (from == 0 && plain_container(&s->keys[an_snap_key_of(s, path[0])])) {
        an_root_text(s, an_roots_find(roots, path[0]), path[0], text,
                     sizeof(text));
        lb_add(&b, text, "");
    }
    else {
        lb_add(&b, s->keys[an_snap_key_of(s, path[from])].display, "");
        if (from > 0 && s->cols.edge_kind != NULL
            && (s->cols.edge_kind[bfs->via[path[from]]] & MF_EDGE_KIND_MASK)
               == MF_EDGE_KEY_STR) {
            an_snap_edge_label(s, bfs->via[path[from]], text, sizeof(text));
            lb_add(&b, " ", text);
        }
    }
    for (uint32_t k = from + 1; k < len; k++) {
        an_snap_edge_label(s, bfs->via[path[k]], text, sizeof(text));
        if (strcmp(text, ".__dict__") == 0) {
            in_dict = 1;
            continue;
        }
        if (in_dict && attribute_key(text)) {
            /* ['name'] of an instance's or a class's __dict__: .name */
            text[strlen(text) - 2] = '\0';
            lb_add(&b, " .", text + 2);
        }
        else if (text[0] == '\0') {
            lb_add(&b, " -> ", s->keys[an_snap_key_of(s, path[k])].display);
        }
        else {
            lb_add(&b, " ", text);
        }
        in_dict = 0;
    }
    free(path);
    return b.len;
}

/* ---- points across the steps of a trend ------------------------------- */

int
an_growth_series_init(an_growth_series *sr)
{
    memset(sr, 0, sizeof(*sr));
    sr->names = an_strmap_new();
    return sr->names != NULL ? 0 : -1;
}

void
an_growth_series_free(an_growth_series *sr)
{
    an_strmap_free(sr->names);
    free(sr->tracks);
    memset(sr, 0, sizeof(*sr));
}

/* The type name id of object i of s; MF_NONE for no object. */
static uint32_t
series_name(an_growth_series *sr, const an_snap *s, uint32_t i)
{
    const an_key *k;
    int added;

    if (i == MF_NONE || i >= s->cols.n_objects) {
        return MF_NONE;
    }
    k = &s->keys[an_snap_key_of(s, i)];
    return an_strmap_intern(sr->names, k->module, strlen(k->module),
                            k->qualname, strlen(k->qualname), &added);
}

/* Index of the track of the previous step with identity (a, name), or
 * MF_NONE: a map from address to track, built once per step.  *total
 * gets the retained size the track had under that identity. */
static uint32_t
series_match(const an_growth_series *sr, const an_u64map *by_address,
             uint64_t a, uint32_t name, uint32_t step, uint64_t *total)
{
    uint32_t t = an_u64map_get(by_address, a);
    const an_growth_track *tr;

    if (t == MF_NONE) {
        return MF_NONE;
    }
    tr = &sr->tracks[t];
    if (tr->last_step + 1 != step) {
        return MF_NONE;
    }
    if (tr->object_address == a && tr->object_name == name) {
        *total = tr->total;
        return t;
    }
    if (tr->holder_address == a && tr->holder_name == name) {
        *total = tr->holder_total;
        return t;
    }
    return MF_NONE;
}

int
an_growth_series_add(an_growth_series *sr, uint32_t step, const an_snap *s,
                     const an_domtree *dt, const an_growth *gr)
{
    an_u64map by_address;
    uint32_t n_prev = sr->n_tracks;
    uint32_t *continued = NULL;
    int rc = -1;

    if (an_u64map_init(&by_address, 2 * (uint64_t)n_prev + 16) != 0) {
        return -1;
    }
    continued = calloc((size_t)n_prev + 1, sizeof(uint32_t));
    if (continued == NULL) {
        goto done;
    }
    for (uint32_t t = 0; t < n_prev; t++) {
        const an_growth_track *tr = &sr->tracks[t];

        if (tr->last_step + 1 != step) {
            continue;
        }
        if (an_u64map_put(&by_address, tr->object_address, t) != 0
            || (tr->holder_name != MF_NONE
                && an_u64map_put(&by_address, tr->holder_address, t) != 0)) {
            goto done;
        }
    }
    for (uint32_t i = 0; i < gr->n_points; i++) {
        const an_growth_point *p = &gr->points[i];
        uint64_t oa = s->cols.address[p->object];
        uint64_t ha = p->holder != MF_NONE ? s->cols.address[p->holder] : 0;
        uint32_t on = series_name(sr, s, p->object);
        uint32_t hn = series_name(sr, s, p->holder);
        uint64_t total = dt != NULL ? dt->retained[p->object] : 0;
        uint64_t htotal = dt != NULL && p->holder != MF_NONE
                          ? dt->retained[p->holder] : 0;
        uint64_t now = total, before = 0;
        uint32_t t = MF_NONE;
        int grew, is_cont;
        an_growth_track *tr;

        if (on == MF_NONE && p->object != MF_NONE) {
            goto done;
        }
        if (step > 0) {
            t = series_match(sr, &by_address, oa, on, step, &before);
            if (t == MF_NONE && hn != MF_NONE) {
                t = series_match(sr, &by_address, ha, hn, step, &before);
                now = htotal;
            }
            if (t != MF_NONE && continued[t]) {
                t = MF_NONE;    /* one point continues a track */
            }
        }
        is_cont = t != MF_NONE;
        if (t == MF_NONE) {
            if (sr->n_tracks == sr->cap_tracks) {
                uint32_t cap = sr->cap_tracks ? sr->cap_tracks * 2 : 64;
                an_growth_track *x = realloc(sr->tracks,
                                             (size_t)cap * sizeof(*x));

                if (x == NULL) {
                    goto done;
                }
                sr->tracks = x;
                sr->cap_tracks = cap;
            }
            t = sr->n_tracks++;
            memset(&sr->tracks[t], 0, sizeof(an_growth_track));
        }
        else {
            continued[t] = 1;
        }
        tr = &sr->tracks[t];
        /* a new track grows by gaining; a continued one must also be
         * larger than it was, compared under the identity that matched */
        grew = p->count > 0
               && (!is_cont || dt == NULL
                   || (now > before && now - before >= p->retained / 2));
        tr->steps = !grew ? 0 : is_cont ? tr->steps + 1 : 1;
        tr->object_address = oa;
        tr->object_name = on;
        tr->holder_address = ha;
        tr->holder_name = hn;
        tr->total = total;
        tr->holder_total = htotal;
        tr->last_step = step;
        tr->count = p->count;
        tr->retained = p->retained;
        tr->total_count += p->count;
    }
    if (step + 1 > sr->n_steps) {
        sr->n_steps = step + 1;
    }
    rc = 0;

done:
    free(continued);
    an_u64map_free(&by_address);
    return rc;
}

int
an_growth_series_grew(const an_growth_series *sr, const an_growth_track *t)
{
    return sr->n_steps > 0 && t->steps == sr->n_steps
           && t->last_step + 1 == sr->n_steps;
}
