/*
 * scrub.c - copy a snapshot through the writer, replacing the program's
 * own strings by placeholders.
 *
 * A placeholder is a kind letter and a number given in order of first
 * appearance: k1, k2 ... for dict keys, a1 ... for attribute names, v1
 * ... for names of local variables, f1 ... for function names in thread
 * root labels, m1 ... for module names and C1 ... for class names.  The
 * same text always gets the same placeholder (within its kind and file),
 * so the shapes of paths survive.  Int dict keys become their rank among
 * the file's, addresses a keyed permutation of themselves.
 */
#include "lib/scrub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/maps.h"
#include "lib/snap.h"
#include "hash.h"

int
an_scrub_parse(const char *list, unsigned *drop)
{
    static const struct {
        const char *word;
        unsigned bit;
    } words[] = {
        {"labels", AN_SCRUB_LABELS}, {"names", AN_SCRUB_NAMES},
        {"strings", AN_SCRUB_STRINGS}, {"metadata", AN_SCRUB_METADATA},
        {"addresses", AN_SCRUB_ADDRESSES}, {"all", AN_SCRUB_ALL},
    };
    const char *p = list;

    *drop = 0;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        unsigned bit = 0;

        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
            if (strlen(words[i].word) == len
                && strncmp(words[i].word, p, len) == 0) {
                bit = words[i].bit;
            }
        }
        if (bit == 0) {
            return -1;
        }
        *drop |= bit;
        p += len + (comma != NULL);
    }
    return *drop != 0 ? 0 : -1;
}

const char *
an_scrub_words(unsigned drop, char *buf, size_t cap)
{
    static const char *const words[] = {"labels", "names", "strings",
                                         "metadata", "addresses"};
    size_t used = 0;

    buf[0] = '\0';
    for (unsigned i = 0; i < 5; i++) {
        if ((drop & (1u << i)) && used < cap) {
            used += (size_t)snprintf(buf + used, cap - used, "%s%s",
                                     used ? "," : "", words[i]);
        }
    }
    return buf;
}

/* The names of the C-level fields the dumper labels FIELD edges with (see
 * dumper/README.md); any other FIELD label is a local variable's name. */
static int
scrub_builtin_field(const char *s, size_t len)
{
    static const char *const fields[] = {
        "cell_contents", "ht_module",
        "f_back", "f_code", "f_globals", "f_builtins", "f_locals", "f_trace",
        "f_func", "co_consts", "co_names", "co_filename", "co_name",
        "co_code", "co_varnames", "co_freevars", "co_cellvars", "co_lnotab",
        "co_linetable", "co_qualname", "co_exceptiontable",
        "co_localsplusnames", "co_localspluskinds",
    };

    /* __dict__, __class__, __referent__ ...: dunder names are Python's */
    if (len > 4 && strncmp(s, "__", 2) == 0
        && strncmp(s + len - 2, "__", 2) == 0) {
        return 1;
    }
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (strlen(fields[i]) == len && memcmp(fields[i], s, len) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Kinds of placeholder, each numbered on its own. */
enum {
    SCRUB_KEY, SCRUB_ATTR, SCRUB_LOCAL, SCRUB_FUNC, SCRUB_MODULE,
    SCRUB_CLASS, SCRUB_KINDS
};
static const char *const scrub_prefix[SCRUB_KINDS] = {"k", "a", "v", "f",
                                                      "m", "C"};

typedef struct scrub {
    const mf_reader *in;
    mf_writer *w;
    mf_error *err;
    unsigned drop;
    uint32_t n_strings;
    uint32_t *kept;                 /* old string id -> new, or MF_NONE */
    uint32_t *ph[SCRUB_KINDS];      /* old id -> placeholder's new id */
    an_strmap *texts[SCRUB_KINDS];  /* text -> placeholder number - 1 */
    int64_t *int_keys;              /* distinct int dict keys, sorted */
    uint64_t n_int_keys;
    uint64_t key[2];                /* of the address permutation */
    int have_identity;              /* key from the process's identity */
    an_scrub_stats stats;
} scrub;

/* ---- keys, addresses, int keys -------------------------------------- */

/*
 * The key of the address permutation and of scrub.process.  From the
 * process's identity (boot id, pid, start time) when the file has it:
 * every snapshot of one process then gets the same permutation, so
 * `diff --objects` and `leaks` still match them; the boot id (random,
 * 128 bits, and dropped from the copy) is what the reader of the copy
 * cannot guess.  Otherwise a key of this run, random.
 */
static void
scrub_derive_key(scrub *x)
{
    char boot[128], pid[128], start[128], ident[512];
    int n;

    /* as text, compared the way an_snap_same_process() compares them */
    x->have_identity =
        an_meta_text(x->in, "boot_id", boot, sizeof(boot)) == 0
        && boot[0] != '\0'
        && an_meta_text(x->in, "pid", pid, sizeof(pid)) == 0
        && an_meta_text(x->in, "process.start_time", start,
                        sizeof(start)) == 0;
    if (x->have_identity) {
        n = snprintf(ident, sizeof(ident), "muppy scrub 1\n%s\n%s\n%s",
                     boot, pid, start);
        x->key[0] = mf_siphash13(0x6d75707079736372ULL, 1, ident, (size_t)n);
        x->key[1] = mf_siphash13(0x6d75707079736372ULL, 2, ident, (size_t)n);
    }
    else {
        x->key[0] = mf_hash_bytes("muppy scrub key 0", 17, 0);
        x->key[1] = mf_hash_bytes("muppy scrub key 1", 17, 0);
    }
}

/*
 * An address in the copy: a 4-round Feistel network over the two 32-bit
 * halves, with SipHash as its round function (a keyed permutation of the
 * 64-bit values: distinct addresses stay distinct, and nothing of the
 * process's memory layout remains).
 */
static uint64_t
scrub_address(const scrub *x, uint64_t a)
{
    uint32_t l = (uint32_t)(a >> 32), r = (uint32_t)a;

    if (!(x->drop & AN_SCRUB_ADDRESSES)) {
        return a;
    }
    for (uint64_t round = 0; round < 4; round++) {
        uint32_t f = (uint32_t)mf_siphash13(x->key[0] ^ round, x->key[1],
                                            &r, sizeof(r));
        uint32_t t = r;

        r = l ^ f;
        l = t;
    }
    return ((uint64_t)l << 32) | r;
}

static int
scrub_int_cmp(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

    return a < b ? -1 : a > b;
}

/* The sorted distinct int dict keys of the graph; MF_OK or NOMEM. */
static int
scrub_collect_int_keys(scrub *x, const mf_graph *g)
{
    uint64_t n = 0, k = 0;

    for (uint64_t e = 0; e < g->n_edges; e++) {
        n += (g->edge_kind[e] & MF_EDGE_KIND_MASK) == MF_EDGE_KEY_INT;
    }
    x->int_keys = malloc((size_t)(n ? n : 1) * sizeof(int64_t));
    if (x->int_keys == NULL) {
        return MF_E_NOMEM;
    }
    for (uint64_t e = 0; e < g->n_edges; e++) {
        if ((g->edge_kind[e] & MF_EDGE_KIND_MASK) == MF_EDGE_KEY_INT) {
            x->int_keys[k++] = (int64_t)g->edge_label[e];
        }
    }
    if (n > 1) {
        qsort(x->int_keys, (size_t)n, sizeof(int64_t), scrub_int_cmp);
    }
    k = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (k == 0 || x->int_keys[k - 1] != x->int_keys[i]) {
            x->int_keys[k++] = x->int_keys[i];
        }
    }
    x->n_int_keys = k;
    return MF_OK;
}

/* The rank of an int key among the file's: order and equality stay, the
 * values (user ids, card numbers...) go. */
static uint64_t
scrub_int_rank(const scrub *x, int64_t v)
{
    uint64_t lo = 0, hi = x->n_int_keys;

    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;

        if (x->int_keys[mid] < v) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    return lo;
}

/* The new id of old string `sid`, copied as it is. */
static int
scrub_keep(scrub *x, uint32_t sid, uint32_t *out)
{
    const char *s;
    size_t len;
    int rc;

    if (sid == MF_NONE || sid >= x->n_strings) {
        *out = MF_NONE;
        return MF_OK;
    }
    if (x->kept[sid] == MF_NONE) {
        s = mf_reader_string(x->in, sid, &len);
        rc = mf_writer_string(x->w, s, len, &x->kept[sid], x->err);
        if (rc != MF_OK) {
            return rc;
        }
    }
    *out = x->kept[sid];
    return MF_OK;
}

/* The placeholder of `kind` for the text s into buf (>= 16 bytes);
 * its length, or -1 when out of memory. */
static int
scrub_name(scrub *x, int kind, const char *s, size_t len, char *buf,
           size_t cap)
{
    int added;
    uint32_t num = an_strmap_intern(x->texts[kind], "", 0, s, len, &added);

    if (num == MF_NONE) {
        return -1;
    }
    return snprintf(buf, cap, "%s%u", scrub_prefix[kind], num + 1);
}

/* The new id of the placeholder of `kind` for the text s. */
static int
scrub_text(scrub *x, int kind, const char *s, size_t len, uint32_t *out)
{
    char buf[32];
    int n = scrub_name(x, kind, s, len, buf, sizeof(buf));

    if (n < 0) {
        return an_err_nomem(x->err);
    }
    return mf_writer_string(x->w, buf, (size_t)n, out, x->err);
}

/* The new id of the placeholder of `kind` for old string `sid`. */
static int
scrub_placeholder(scrub *x, int kind, uint32_t sid, uint32_t *out)
{
    const char *s;
    size_t len;
    int rc;

    if (sid == MF_NONE || sid >= x->n_strings) {
        *out = MF_NONE;
        return MF_OK;
    }
    if (x->ph[kind][sid] == MF_NONE) {
        s = mf_reader_string(x->in, sid, &len);
        rc = scrub_text(x, kind, s, len, &x->ph[kind][sid]);
        if (rc != MF_OK) {
            return rc;
        }
    }
    *out = x->ph[kind][sid];
    return MF_OK;
}

/* The label of a string-labeled edge of kind k in the copy. */
static int
scrub_edge_label(scrub *x, uint8_t k, uint32_t sid, uint32_t *out)
{
    size_t len = 0;
    const char *s;

    if (!(x->drop & AN_SCRUB_LABELS)) {
        return scrub_keep(x, sid, out);
    }
    switch (k & MF_EDGE_KIND_MASK) {
    case MF_EDGE_KEY_STR:
        return scrub_placeholder(x, SCRUB_KEY, sid, out);
    case MF_EDGE_ATTR:
        return scrub_placeholder(x, SCRUB_ATTR, sid, out);
    case MF_EDGE_FIELD:
        s = sid < x->n_strings ? mf_reader_string(x->in, sid, &len) : NULL;
        if (s != NULL && scrub_builtin_field(s, len)) {
            return scrub_keep(x, sid, out);
        }
        return scrub_placeholder(x, SCRUB_LOCAL, sid, out);
    default:
        /* a string label of a kind this version does not know */
        return scrub_placeholder(x, SCRUB_KEY, sid, out);
    }
}

/*
 * The label of a root in the copy.  A thread root's label, "thread <id>
 * <func>() <what>" or "thread <id> <func>() local '<name>'" (spec/
 * format.md, root kinds), gets a renumbered thread id (addresses) and
 * placeholders for <func> and <name> (labels); one of another shape is
 * replaced whole.  A module root's label, its name in sys.modules, gets
 * the module's placeholder (names).  Other roots keep their labels.
 */
static int
scrub_root_label(scrub *x, const mf_root *r, uint32_t *out)
{
    const char *s, *tid, *func, *what;
    size_t len, quote;
    char buf[512], t[32], f[32], v[32];
    unsigned long long id;
    int n;

    if (r->label == MF_NONE || r->label >= x->n_strings) {
        *out = MF_NONE;
        return MF_OK;
    }
    if (r->kind == MF_ROOT_MODULE && (x->drop & AN_SCRUB_NAMES)) {
        return scrub_placeholder(x, SCRUB_MODULE, r->label, out);
    }
    if (r->kind != MF_ROOT_THREAD
        || !(x->drop & (AN_SCRUB_LABELS | AN_SCRUB_ADDRESSES))) {
        return scrub_keep(x, r->label, out);
    }
    s = mf_reader_string(x->in, r->label, &len);
    tid = s + 7;
    func = strncmp(s, "thread ", 7) == 0 ? strchr(tid, ' ') : NULL;
    what = func != NULL ? strstr(func, "() ") : NULL;
    if (what == NULL) {
        return scrub_placeholder(x, SCRUB_LOCAL, r->label, out);
    }
    /* the thread id: pthread_self(), an address */
    id = strtoull(tid, NULL, 10);
    if (x->drop & AN_SCRUB_ADDRESSES) {
        id = scrub_address(x, id);
    }
    snprintf(t, sizeof(t), "%llu", id);
    func++;
    if (!(x->drop & AN_SCRUB_LABELS)) {
        n = snprintf(buf, sizeof(buf), "thread %s %.*s", t,
                     (int)(s + len - func), func);
        return mf_writer_string(x->w, buf, (size_t)n < sizeof(buf)
                                               ? (size_t)n : sizeof(buf) - 1,
                                out, x->err);
    }
    if (scrub_name(x, SCRUB_FUNC, func, (size_t)(what - func), f,
                   sizeof(f)) < 0) {
        return an_err_nomem(x->err);
    }
    what += 3;
    quote = strncmp(what, "local '", 7) == 0 && s[len - 1] == '\'' ? 7 : 0;
    if (quote) {
        if (scrub_name(x, SCRUB_LOCAL, what + quote,
                       (size_t)(s + len - 1 - (what + quote)), v,
                       sizeof(v)) < 0) {
            return an_err_nomem(x->err);
        }
        n = snprintf(buf, sizeof(buf), "thread %s %s() local '%s'", t, f, v);
    }
    else {
        /* frame, code, function, globals, locals: the dumper's words */
        n = snprintf(buf, sizeof(buf), "thread %s %s() %.40s", t, f, what);
    }
    return mf_writer_string(x->w, buf, (size_t)n, out, x->err);
}

/* Metadata that tells which process and host a snapshot comes from. */
static int
scrub_identity_key(const char *k)
{
    return strcmp(k, "pid") == 0 || strcmp(k, "process.start_time") == 0
           || strcmp(k, "boot_id") == 0 || strcmp(k, "dump.child_pid") == 0;
}

static int
scrub_meta(scrub *x)
{
    uint32_t n = 0;
    const mf_meta *m = mf_reader_meta(x->in, &n);
    char drop[96];
    int rc = MF_OK;

    for (uint32_t i = 0; m != NULL && i < n && rc == MF_OK; i++) {
        size_t klen, vlen;
        const char *k = mf_reader_string(x->in, m[i].key, &klen);
        const char *v;

        if (k == NULL || strcmp(k, "scrub.dropped") == 0
            || ((x->drop & AN_SCRUB_METADATA)
                && (scrub_identity_key(k)
                    || strcmp(k, "scrub.process") == 0))) {
            continue;
        }
        switch (m[i].kind) {
        case MF_META_STR:
            v = mf_reader_string(x->in, m[i].v.str, &vlen);
            rc = mf_writer_meta_str(x->w, k, v != NULL ? v : "", x->err);
            break;
        case MF_META_INT:
            rc = mf_writer_meta_int(x->w, k, m[i].v.i, x->err);
            break;
        case MF_META_FLOAT:
            rc = mf_writer_meta_float(x->w, k, m[i].v.f, x->err);
            break;
        default:
            break;      /* a kind this version does not know */
        }
    }
    if (rc == MF_OK && (x->drop & AN_SCRUB_METADATA) && x->have_identity) {
        /* one keyed hash in place of the identity: snapshots of one
         * process still match, nothing of it can be read back */
        char id[48];

        snprintf(id, sizeof(id), "scrubbed-%016llx",
                 (unsigned long long)mf_siphash13(x->key[0], x->key[1],
                                                  "process", 7));
        rc = mf_writer_meta_str(x->w, "scrub.process", id, x->err);
    }
    if (rc != MF_OK) {
        return rc;
    }
    an_scrub_words(x->drop, drop, sizeof(drop));
    return mf_writer_meta_str(x->w, "scrub.dropped", drop, x->err);
}

static int
scrub_types(scrub *x)
{
    uint32_t n = 0, id;
    const mf_type *t = mf_reader_types(x->in, &n);
    int rc = MF_OK;

    for (uint32_t i = 0; t != NULL && i < n && rc == MF_OK; i++) {
        mf_type copy = t[i];

        copy.address = scrub_address(x, t[i].address);
        if ((x->drop & AN_SCRUB_NAMES) && (t[i].flags & MF_TYPE_HEAP)) {
            /* a class the program defined: its names are the program's;
             * static types (built-in and extension types) keep theirs */
            if ((rc = scrub_placeholder(x, SCRUB_MODULE, t[i].module,
                                        &copy.module)) == MF_OK) {
                rc = scrub_placeholder(x, SCRUB_CLASS, t[i].qualname,
                                       &copy.qualname);
            }
        }
        else if ((rc = scrub_keep(x, t[i].module, &copy.module)) == MF_OK) {
            rc = scrub_keep(x, t[i].qualname, &copy.qualname);
        }
        if (rc == MF_OK) {
            rc = mf_writer_type(x->w, &copy, &id, x->err);
        }
    }
    return rc;
}

static int
scrub_objects(scrub *x, const mf_graph *g)
{
    int rc = MF_OK;

    for (uint32_t i = 0; i < g->n_objects && rc == MF_OK; i++) {
        uint64_t e0 = g->edge_start[i], n = g->edge_start[i + 1] - e0;
        mf_object o;
        mf_edge *edges = mf_writer_edges(x->w, (size_t)n, x->err);

        if (edges == NULL) {
            return x->err->code ? x->err->code : MF_E_NOMEM;
        }
        memset(&o, 0, sizeof(o));
        o.address = scrub_address(x, g->address[i]);
        o.type = g->type[i];
        o.flags = g->flags[i];
        o.size = g->size[i];
        o.length = g->length[i];
        o.name = MF_NONE;
        o.value = MF_NONE;
        if ((o.flags & MF_OBJ_HAS_NAME) && !(x->drop & AN_SCRUB_NAMES)) {
            rc = scrub_keep(x, g->name[i], &o.name);
        }
        else if (o.flags & MF_OBJ_HAS_NAME) {
            x->stats.names++;
        }
        if (!(o.flags & MF_OBJ_HAS_NAME) || o.name == MF_NONE) {
            o.flags &= ~MF_OBJ_HAS_NAME;
        }
        if ((o.flags & MF_OBJ_HAS_VALUE) && !(x->drop & AN_SCRUB_STRINGS)
            && rc == MF_OK) {
            rc = scrub_keep(x, g->value[i], &o.value);
        }
        else if (o.flags & MF_OBJ_HAS_VALUE) {
            x->stats.strings++;
        }
        if (!(o.flags & MF_OBJ_HAS_VALUE) || o.value == MF_NONE) {
            o.flags &= ~MF_OBJ_HAS_VALUE;
        }
        for (uint64_t k = 0; k < n && rc == MF_OK; k++) {
            uint8_t kind = g->edge_kind[e0 + k];
            uint32_t label;

            edges[k].target = g->edge_target[e0 + k];
            edges[k].kind = kind;
            edges[k].label = g->edge_label[e0 + k];
            if (MF_EDGE_CLASS(kind) == MF_LABEL_STRING) {
                rc = scrub_edge_label(x, kind, (uint32_t)edges[k].label,
                                      &label);
                edges[k].label = label == MF_NONE ? 0 : label;
            }
            else if ((kind & MF_EDGE_KIND_MASK) == MF_EDGE_KEY_INT
                     && (x->drop & AN_SCRUB_LABELS)) {
                edges[k].label = scrub_int_rank(x, (int64_t)edges[k].label);
            }
        }
        if (rc == MF_OK) {
            rc = mf_writer_object(x->w, &o, edges, (size_t)n, x->err);
        }
    }
    return rc;
}

static int
scrub_roots(scrub *x)
{
    uint32_t n = 0;
    const mf_root *r = mf_reader_roots(x->in, &n);
    int rc = MF_OK;

    for (uint32_t i = 0; r != NULL && i < n && rc == MF_OK; i++) {
        mf_root copy = r[i];

        rc = scrub_root_label(x, &r[i], &copy.label);
        if (rc == MF_OK) {
            rc = mf_writer_root(x->w, &copy, x->err);
        }
    }
    return rc;
}

int
an_scrub(const mf_reader *in, const mf_graph *g, unsigned drop,
         const char *out_path, an_scrub_stats *stats, mf_error *err)
{
    scrub x;
    mf_write_stats ws;
    int rc;

    memset(&x, 0, sizeof(x));
    x.in = in;
    x.err = err;
    x.drop = drop;
    x.n_strings = mf_reader_string_count(in);
    x.kept = malloc(((size_t)x.n_strings + 1) * sizeof(uint32_t));
    rc = x.kept == NULL ? MF_E_NOMEM : MF_OK;
    for (int k = 0; k < SCRUB_KINDS && rc == MF_OK; k++) {
        x.ph[k] = malloc(((size_t)x.n_strings + 1) * sizeof(uint32_t));
        x.texts[k] = an_strmap_new();
        if (x.ph[k] == NULL || x.texts[k] == NULL) {
            rc = MF_E_NOMEM;
        }
        else {
            memset(x.ph[k], 0xff, (size_t)x.n_strings * sizeof(uint32_t));
        }
    }
    if (rc != MF_OK) {
        rc = an_err_nomem(err);
        goto done;
    }
    memset(x.kept, 0xff, (size_t)x.n_strings * sizeof(uint32_t));
    scrub_derive_key(&x);
    if ((drop & AN_SCRUB_LABELS) && scrub_collect_int_keys(&x, g) != MF_OK) {
        rc = an_err_nomem(err);
        goto done;
    }
    rc = mf_writer_open(&x.w, out_path, NULL, err);
    if (rc != MF_OK) {
        x.w = NULL;
        goto done;
    }
    if ((rc = scrub_types(&x)) != MF_OK
        || (rc = scrub_objects(&x, g)) != MF_OK
        || (rc = scrub_roots(&x)) != MF_OK
        || (rc = scrub_meta(&x)) != MF_OK) {
        mf_writer_abort(x.w);
        goto done;
    }
    rc = mf_writer_close(x.w, &ws, err);
    if (rc == MF_OK && stats != NULL) {
        *stats = x.stats;
        stats->keys = an_strmap_count(x.texts[SCRUB_KEY]);
        stats->attrs = an_strmap_count(x.texts[SCRUB_ATTR]);
        stats->locals = an_strmap_count(x.texts[SCRUB_LOCAL]);
        stats->funcs = an_strmap_count(x.texts[SCRUB_FUNC]);
        stats->modules = an_strmap_count(x.texts[SCRUB_MODULE]);
        stats->classes = an_strmap_count(x.texts[SCRUB_CLASS]);
        stats->int_keys = x.n_int_keys;
        stats->addresses = drop & AN_SCRUB_ADDRESSES ? ws.objects : 0;
        stats->objects = ws.objects;
        stats->file_bytes = ws.file_bytes;
    }

done:
    free(x.kept);
    free(x.int_keys);
    for (int k = 0; k < SCRUB_KINDS; k++) {
        free(x.ph[k]);
        an_strmap_free(x.texts[k]);
    }
    return rc;
}
