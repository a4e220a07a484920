/*
 * objset.c - object identities: address, type key and name; snapshots
 * sorted by address and matched by merging (objset.h).
 */
#include "lib/objset.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "lib/graph.h"

/* ---- codes ------------------------------------------------------------ */

/*
 * The code of an object is the id in `codes` of (module, qualname) of its
 * type key or, for an object with a name, of (module, "qualname\x1fname"):
 * \x1f (unit separator) is in no qualname a type key gets from a valid
 * file, and a file that puts one there only makes its own names collide.
 */
typedef struct coder {
    an_strmap *codes;
    const an_snap *s;
    int add, failed;
    uint32_t *keys;         /* code of each type key */
    an_u64map named;        /* (key, name string id) -> code */
    char *buf;
    size_t cap;
} coder;

static an_err
coder_init(coder *c, an_strmap *codes, const an_snap *s, int add)
{
    uint64_t n_named = 0;

    memset(c, 0, sizeof(*c));
    c->codes = codes;
    c->s = s;
    c->add = add;
    c->keys = malloc(((size_t)s->n_keys + 1) * sizeof(uint32_t));
    if (c->keys == NULL) {
        return AN_ERR_NOMEM;
    }
    for (uint32_t k = 0; k <= s->n_keys; k++) {
        const an_key *key = &s->keys[k];
        size_t ml = strlen(key->module), ql = strlen(key->qualname);
        int added;

        c->keys[k] = add ? an_strmap_intern(codes, key->module, ml,
                                            key->qualname, ql, &added)
                         : an_strmap_get(codes, key->module, ml,
                                         key->qualname, ql);
        if (add && c->keys[k] == MF_NONE) {
            return AN_ERR_NOMEM;
        }
    }
    for (uint32_t i = 0; s->cols.name != NULL && i < s->cols.n_objects;
         i++) {
        n_named += s->cols.name[i] != MF_NONE;
    }
    if (n_named > 0 && an_u64map_init(&c->named, n_named) != AN_OK) {
        return AN_ERR_NOMEM;
    }
    return AN_OK;
}

static void
coder_free(coder *c)
{
    an_u64map_free(&c->named);
    free(c->keys);
    free(c->buf);
    memset(c, 0, sizeof(*c));
}

/* The code of a named object: once per distinct (key, name). */
static uint32_t
coder_named(coder *c, uint32_t k, uint32_t sid)
{
    const an_key *key = &c->s->keys[k];
    uint64_t ck = ((uint64_t)k << 32) | sid;
    uint32_t id = an_u64map_get(&c->named, ck);
    size_t nl = 0, ql, ml;
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
    ml = strlen(key->module);
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
        id = an_strmap_intern(c->codes, key->module, ml, c->buf, ql + 1 + nl,
                              &added);
        if (id == MF_NONE) {
            c->failed = 1;
            return MF_NONE;
        }
    }
    else {
        id = an_strmap_get(c->codes, key->module, ml, c->buf, ql + 1 + nl);
    }
    /* the map was sized for every named object: it cannot be full */
    if (id != MF_NONE && an_u64map_put(&c->named, ck, id) != AN_OK) {
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

/* ---- address order ---------------------------------------------------- */

#define RADIX_BITS 11
#define RADIX (1u << RADIX_BITS)

/*
 * The objects of s in address order: LSD radix sort, 11 bits a pass over
 * the bits where the addresses differ (a heap spans a few GiB: three or
 * four passes).  *order gets the indices, *sorted the addresses.
 */
static an_err
by_address(const an_snap *s, uint32_t **order, uint64_t **sorted)
{
    uint32_t n = (uint32_t)s->cols.n_objects;
    const uint64_t *addr = s->cols.address;
    size_t cells = n ? n : 1;
    uint64_t lo = UINT64_MAX, hi = 0, span;
    uint64_t *ka = an_big_malloc(cells * sizeof(uint64_t));
    uint64_t *kb = an_big_malloc(cells * sizeof(uint64_t));
    uint32_t *ia = an_big_malloc(cells * sizeof(uint32_t));
    uint32_t *ib = an_big_malloc(cells * sizeof(uint32_t));
    uint32_t *count = malloc(RADIX * sizeof(uint32_t));
    unsigned shift = 0, bits = 0;

    *order = NULL;
    *sorted = NULL;
    if (ka == NULL || kb == NULL || ia == NULL || ib == NULL
        || count == NULL) {
        free(ka);
        free(kb);
        free(ia);
        free(ib);
        free(count);
        return AN_ERR_NOMEM;
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
    while (bits < 64 && (span >> bits) != 0) {
        bits++;
    }
    for (shift = 0; shift < bits; shift += RADIX_BITS) {
        uint32_t sum = 0;
        uint64_t *tk;
        uint32_t *ti;

        memset(count, 0, RADIX * sizeof(uint32_t));
        for (uint32_t i = 0; i < n; i++) {
            count[(ka[i] >> shift) & (RADIX - 1)]++;
        }
        for (uint32_t d = 0; d < RADIX; d++) {
            uint32_t c = count[d];

            count[d] = sum;
            sum += c;
        }
        for (uint32_t i = 0; i < n; i++) {
            uint32_t at = count[(ka[i] >> shift) & (RADIX - 1)]++;

            kb[at] = ka[i];
            ib[at] = ia[i];
        }
        tk = ka;
        ka = kb;
        kb = tk;
        ti = ia;
        ia = ib;
        ib = ti;
    }
    for (uint32_t i = 0; i < n; i++) {
        ka[i] += lo;
    }
    free(kb);
    free(ib);
    free(count);
    *order = ia;
    *sorted = ka;
    return AN_OK;
}

typedef struct tie {
    uint32_t code, index;
} tie;

static int
tie_cmp(const void *pa, const void *pb)
{
    const tie *x = pa, *y = pb;

    if (x->code != y->code) {
        return x->code < y->code ? -1 : 1;
    }
    return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Objects at one address (a hostile file, a damaged one read with
 * --partial) ordered by code, so that sets and orders are sorted by
 * (address, code) and match by one merge, never a scan per pair.
 */
static an_err
order_ties(an_idorder *o)
{
    tie *run = NULL;
    uint64_t cap = 0;

    for (uint64_t k = 0; k < o->n;) {
        uint64_t end = k + 1;

        while (end < o->n && o->addr[end] == o->addr[k]) {
            end++;
        }
        if (end - k > 1) {
            if (end - k > cap) {
                tie *r = realloc(run, (size_t)(end - k) * sizeof(tie));

                if (r == NULL) {
                    free(run);
                    return AN_ERR_NOMEM;
                }
                run = r;
                cap = end - k;
            }
            for (uint64_t j = k; j < end; j++) {
                run[j - k].code = o->code[j];
                run[j - k].index = o->index[j];
            }
            qsort(run, (size_t)(end - k), sizeof(tie), tie_cmp);
            for (uint64_t j = k; j < end; j++) {
                o->code[j] = run[j - k].code;
                o->index[j] = run[j - k].index;
            }
        }
        k = end;
    }
    free(run);
    return AN_OK;
}

an_err
an_idorder_of(an_idorder *o, an_strmap *codes, const an_snap *s, int add)
{
    coder c;
    an_err rc;

    memset(o, 0, sizeof(*o));
    rc = by_address(s, &o->index, &o->addr);
    if (rc == AN_OK) {
        rc = coder_init(&c, codes, s, add);
        o->code = an_big_malloc(((size_t)s->cols.n_objects + 1)
                                * sizeof(uint32_t));
        if (rc == AN_OK && o->code == NULL) {
            rc = AN_ERR_NOMEM;
        }
        for (uint64_t k = 0; rc == AN_OK && k < s->cols.n_objects; k++) {
            o->code[k] = coder_code(&c, o->index[k]);
        }
        if (rc == AN_OK && c.failed) {
            rc = AN_ERR_NOMEM;
        }
        coder_free(&c);
    }
    o->n = s->cols.n_objects;
    if (rc == AN_OK) {
        rc = order_ties(o);
    }
    if (rc != AN_OK) {
        an_idorder_free(o);
    }
    return rc;
}

void
an_idorder_free(an_idorder *o)
{
    free(o->index);
    free(o->addr);
    free(o->code);
    memset(o, 0, sizeof(*o));
}

an_err
an_objset_of(an_objset *set, an_idorder *o, const uint64_t *select)
{
    uint64_t n = 0;

    memset(set, 0, sizeof(*set));
    if (select == NULL) {
        set->addr = o->addr;
        set->code = o->code;
        set->n = o->n;
        o->addr = NULL;
        o->code = NULL;
        return AN_OK;
    }
    for (uint64_t k = 0; k < o->n; k++) {
        n += an_bit(select, o->index[k]);
    }
    set->addr = an_big_malloc((size_t)(n ? n : 1) * sizeof(uint64_t));
    set->code = an_big_malloc((size_t)(n ? n : 1) * sizeof(uint32_t));
    if (set->addr == NULL || set->code == NULL) {
        an_objset_free(set);
        return AN_ERR_NOMEM;
    }
    /* in o's order: still by address */
    for (uint64_t k = 0; k < o->n; k++) {
        if (an_bit(select, o->index[k])) {
            set->addr[set->n] = o->addr[k];
            set->code[set->n] = o->code[k];
            set->n++;
        }
    }
    return AN_OK;
}

void
an_objset_free(an_objset *set)
{
    free(set->addr);
    free(set->code);
    memset(set, 0, sizeof(*set));
}

/* Both sides are sorted by (address, code): one merge. */
uint64_t
an_objset_mark(const an_objset *set, const an_idorder *o, uint64_t *in)
{
    uint64_t at = 0, marked = 0;

    for (uint64_t k = 0; k < o->n; k++) {
        uint64_t a = o->addr[k];
        uint32_t code = o->code[k];

        while (at < set->n && (set->addr[at] < a
                               || (set->addr[at] == a
                                   && set->code[at] < code))) {
            at++;
        }
        if (code != MF_NONE && at < set->n && set->addr[at] == a
            && set->code[at] == code) {
            an_set_bit(in, o->index[k]);
            marked++;
        }
    }
    return marked;
}
