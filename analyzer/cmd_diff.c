/*
 * cmd_diff.c - muppy-analyze diff: per-type growth between two snapshots.
 *
 * Memory: the snapshots are loaded one after the other; A's columns are
 * freed (after its aggregation and, with --objects, its address map is
 * built) before B is loaded.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "commands.h"
#include "graph.h"
#include "json.h"
#include "options.h"
#include "util.h"

static const an_usage diff_usage = {
    "diff",
    "[--by type|module] [--top N] [--fail-above BYTES]\n"
    " [--objects] [--partial] [--json] A.snap B.snap",
    "what grew between two snapshots",
    "Matches types across the snapshots by module and qualified name and\n"
    "prints the change of their count and size, largest growth first.\n"
    "With --objects (two snapshots of one process only) it also lists the\n"
    "objects of B that are new: no object of A had the same address and\n"
    "type.  --fail-above exits with status 3 when the total size grew by\n"
    "more than BYTES (suffixes K, M, G).",
    "  muppy-analyze diff before.snap after.snap\n"
    "  muppy-analyze diff --fail-above 10M --json before.snap after.snap",
};

typedef struct diff_row {
    uint32_t id;                /* union group id */
    uint64_t count_a, count_b, size_a, size_b;
    uint64_t new_count, new_size;
} diff_row;

typedef struct diff_new {
    uint32_t index;             /* object index in B */
    uint32_t group;
    uint64_t size;
    uint64_t address;
} diff_new;

static int64_t
diff_delta(uint64_t a, uint64_t b)
{
    return (int64_t)(b - a);
}

static int
diff_cmp(const void *pa, const void *pb)
{
    const diff_row *x = pa, *y = pb;
    int64_t xs = diff_delta(x->size_a, x->size_b);
    int64_t ys = diff_delta(y->size_a, y->size_b);
    int64_t xc = diff_delta(x->count_a, x->count_b);
    int64_t yc = diff_delta(y->count_a, y->count_b);

    if (xs != ys) {
        return xs > ys ? -1 : 1;
    }
    if (xc != yc) {
        return xc > yc ? -1 : 1;
    }
    return x->id < y->id ? -1 : x->id > y->id;
}

static int
diff_new_cmp(const void *pa, const void *pb)
{
    const diff_row *x = pa, *y = pb;

    if (x->new_size != y->new_size) {
        return x->new_size > y->new_size ? -1 : 1;
    }
    if (x->new_count != y->new_count) {
        return x->new_count > y->new_count ? -1 : 1;
    }
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Format one metadata value for comparison and messages. */
static int
diff_meta(const mf_reader *r, const char *key, char *buf, size_t cap)
{
    uint32_t n;
    const mf_meta *m = mf_reader_meta(r, &n);

    for (uint32_t i = 0; m && i < n; i++) {
        size_t len;
        const char *k = mf_reader_string(r, m[i].key, &len);

        if (k == NULL || len != strlen(key) || memcmp(k, key, len) != 0) {
            continue;
        }
        switch (m[i].kind) {
        case MF_META_STR: {
            const char *v = mf_reader_string(r, m[i].v.str, &len);

            snprintf(buf, cap, "%.*s", v ? (int)(len > 100 ? 100 : len) : 0,
                     v ? v : "");
            return 0;
        }
        case MF_META_INT:
            snprintf(buf, cap, "%lld", (long long)m[i].v.i);
            return 0;
        case MF_META_FLOAT:
            snprintf(buf, cap, "%.17g", m[i].v.f);
            return 0;
        default:
            return -1;
        }
    }
    return -1;
}

/* 0 when both snapshots carry the same process identity. */
static int
diff_same_process(const an_snap *a, const an_snap *b)
{
    static const char *const keys[] = {"pid", "process.start_time",
                                       "boot_id"};
    char va[128], vb[128], pa[128], pb[128];

    for (size_t i = 0; i < 3; i++) {
        if (diff_meta(a->reader, keys[i], va, sizeof(va)) != 0) {
            an_error("'%s' does not say which process it comes from (no "
                     "'%s' metadata): --objects needs two snapshots of one "
                     "process", a->path, keys[i]);
            return -1;
        }
        if (diff_meta(b->reader, keys[i], vb, sizeof(vb)) != 0) {
            an_error("'%s' does not say which process it comes from (no "
                     "'%s' metadata): --objects needs two snapshots of one "
                     "process", b->path, keys[i]);
            return -1;
        }
        if (strcmp(va, vb) != 0) {
            if (diff_meta(a->reader, "pid", pa, sizeof(pa)) != 0
                || diff_meta(b->reader, "pid", pb, sizeof(pb)) != 0) {
                strcpy(pa, "?");
                strcpy(pb, "?");
            }
            if (strcmp(keys[i], "pid") == 0 || strcmp(pa, pb) != 0) {
                an_error("snapshots come from different processes (pid %s "
                         "vs %s): --objects needs two snapshots of one "
                         "process", pa, pb);
            }
            else {
                an_error("snapshots come from different processes (pid %s "
                         "in both, but %s %s vs %s): --objects needs two "
                         "snapshots of one process", pa, keys[i], va, vb);
            }
            return -1;
        }
    }
    return 0;
}

/*
 * Map the keys (or modules) of snapshot s into the union map; out[g] is
 * the union id of s's group g (groups: keys or modules, then "unknown").
 */
static int
diff_union(an_strmap *u, const an_snap *s, int by_module, uint32_t *out)
{
    uint32_t n = by_module ? s->n_modules : s->n_keys;
    int added;

    for (uint32_t gi = 0; gi <= n; gi++) {
        const char *m, *q;

        if (by_module) {
            m = s->modules[gi];
            q = "";
        }
        else {
            m = s->keys[gi].module;
            q = s->keys[gi].qualname;
        }
        out[gi] = an_strmap_intern(u, m, strlen(m), q, strlen(q), &added);
        if (out[gi] == MF_NONE) {
            return -1;
        }
    }
    return 0;
}

/*
 * Aggregate snapshot s into rows (by union id): fills count/size A or B.
 * rows grows as union ids appear.
 */
static int
diff_aggregate(an_snap *s, int by_module, an_strmap *u, diff_row **rows,
               uint32_t *n_rows, int which, uint32_t **group_union)
{
    uint32_t n_groups = (by_module ? s->n_modules : s->n_keys) + 1;
    uint32_t *group_of = an_calloc((size_t)s->n_types + 1, sizeof(uint32_t));
    uint32_t *to_union = an_calloc(n_groups, sizeof(uint32_t));
    uint64_t *count = an_calloc(n_groups, sizeof(uint64_t));
    uint64_t *bytes = an_calloc(n_groups, sizeof(uint64_t));
    uint32_t nu;
    int rc = -1;

    if (!group_of || !to_union || !count || !bytes) {
        goto done;
    }
    for (uint32_t t = 0; t < s->n_types; t++) {
        uint32_t k = s->type_key[t];

        group_of[t] = by_module ? s->keys[k].module_group : k;
    }
    an_aggregate(s->cols.type, s->cols.size, s->cols.n_objects, group_of,
                 s->n_types, n_groups - 1, count, bytes);
    if (diff_union(u, s, by_module, to_union) != 0) {
        goto done;
    }
    nu = an_strmap_count(u);
    if (nu > *n_rows) {
        diff_row *r = realloc(*rows, (size_t)nu * sizeof(diff_row));

        if (r == NULL) {
            goto done;
        }
        memset(r + *n_rows, 0, (size_t)(nu - *n_rows) * sizeof(diff_row));
        for (uint32_t i = *n_rows; i < nu; i++) {
            r[i].id = i;
        }
        *rows = r;
        *n_rows = nu;
    }
    for (uint32_t gi = 0; gi < n_groups; gi++) {
        diff_row *r = &(*rows)[to_union[gi]];

        if (which == 0) {
            r->count_a += count[gi];
            r->size_a += bytes[gi];
        }
        else {
            r->count_b += count[gi];
            r->size_b += bytes[gi];
        }
    }
    rc = 0;

done:
    free(group_of);
    free(count);
    free(bytes);
    if (rc == 0 && group_union != NULL) {
        *group_union = to_union;
    }
    else {
        free(to_union);
    }
    return rc;
}

/* Union id of object i of s given its group -> union mapping. */
static uint32_t
diff_obj_union(const an_snap *s, int by_module, const uint32_t *to_union,
               uint32_t i)
{
    uint32_t k = an_snap_key_of(s, i);

    if (by_module) {
        return to_union[k < s->n_keys ? s->keys[k].module_group
                                      : s->n_modules];
    }
    return to_union[k];
}

/* Display name of union id: qualname, or module.qualname if ambiguous. */
static const char *
diff_name(const an_strmap *u, int by_module, const unsigned char *ambiguous,
          uint32_t id, char *buf, size_t cap)
{
    const char *m, *q;

    an_strmap_key(u, id, &m, &q);
    if (by_module) {
        return m[0] ? m : "(no module)";
    }
    if (ambiguous && ambiguous[id] && m[0]) {
        snprintf(buf, cap, "%s.%s", m, q);
        return buf;
    }
    return q;
}

/* ambiguous[id] = 1 when another union entry has the same qualname. */
static unsigned char *
diff_ambiguous(const an_strmap *u)
{
    uint32_t n = an_strmap_count(u);
    unsigned char *amb = an_calloc((size_t)n + 1, 1);
    an_strmap *q = an_strmap_new();
    uint32_t *first = an_calloc((size_t)n + 1, sizeof(uint32_t));
    int added;

    if (amb == NULL || q == NULL || first == NULL) {
        free(amb);
        an_strmap_free(q);
        free(first);
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        const char *m, *qn;
        uint32_t id;

        an_strmap_key(u, i, &m, &qn);
        id = an_strmap_intern(q, "", 0, qn, strlen(qn), &added);
        if (id == MF_NONE) {
            continue;
        }
        if (added) {
            first[id] = i;
        }
        else {
            amb[i] = 1;
            amb[first[id]] = 1;
        }
    }
    an_strmap_free(q);
    free(first);
    return amb;
}

static void
diff_json(const an_strmap *u, int by_module, const diff_row *rows,
          uint32_t n_rows, uint64_t top, char **argv, int objects,
          uint64_t new_count, uint64_t new_size, const diff_new *largest,
          uint32_t n_largest, const an_snap *b)
{
    an_json j;
    uint64_t ta_c = 0, tb_c = 0, ta_s = 0, tb_s = 0;

    for (uint32_t i = 0; i < n_rows; i++) {
        ta_s += rows[i].size_a;
        tb_s += rows[i].size_b;
    }
    an_json_init(&j, stdout);
    an_json_object(&j);
    an_json_key(&j, "a");
    an_json_str(&j, argv[0]);
    an_json_key(&j, "b");
    an_json_str(&j, argv[1]);
    an_json_key(&j, "by");
    an_json_str(&j, by_module ? "module" : "type");
    an_json_key(&j, "count_a");
    an_json_u64(&j, ta_c);
    an_json_key(&j, "count_b");
    an_json_u64(&j, tb_c);
    an_json_key(&j, "count_delta");
    an_json_i64(&j, diff_delta(ta_c, tb_c));
    an_json_key(&j, "size_a");
    an_json_u64(&j, ta_s);
    an_json_key(&j, "size_b");
    an_json_u64(&j, tb_s);
    an_json_key(&j, "size_delta");
    an_json_i64(&j, diff_delta(ta_s, tb_s));
    an_json_key(&j, by_module ? "modules" : "types");
    an_json_array(&j);
    for (uint32_t i = 0; i < n_rows && i < top; i++) {
        const diff_row *r = &rows[i];
        const char *m, *q;

        an_strmap_key(u, r->id, &m, &q);
        an_json_object(&j);
        an_json_key(&j, "module");
        an_json_str(&j, m);
        if (!by_module) {
            an_json_key(&j, "type");
            an_json_str(&j, q);
        }
        an_json_key(&j, "count_a");
        an_json_u64(&j, r->count_a);
        an_json_key(&j, "count_b");
        an_json_u64(&j, r->count_b);
        an_json_key(&j, "count_delta");
        an_json_i64(&j, diff_delta(r->count_a, r->count_b));
        an_json_key(&j, "size_a");
        an_json_u64(&j, r->size_a);
        an_json_key(&j, "size_b");
        an_json_u64(&j, r->size_b);
        an_json_key(&j, "size_delta");
        an_json_i64(&j, diff_delta(r->size_a, r->size_b));
        if (objects) {
            an_json_key(&j, "new_count");
            an_json_u64(&j, r->new_count);
            an_json_key(&j, "new_size");
            an_json_u64(&j, r->new_size);
        }
        an_json_end_object(&j);
    }
    an_json_end_array(&j);
    if (objects) {
        an_json_key(&j, "new_objects");
        an_json_object(&j);
        an_json_key(&j, "count");
        an_json_u64(&j, new_count);
        an_json_key(&j, "size");
        an_json_u64(&j, new_size);
        an_json_key(&j, "largest");
        an_json_array(&j);
        for (uint32_t i = 0; i < n_largest; i++) {
            const an_key *k = &b->keys[largest[i].group];
            char addr[32];

            snprintf(addr, sizeof(addr), "0x%llx",
                     (unsigned long long)largest[i].address);
            an_json_object(&j);
            an_json_key(&j, "address");
            an_json_str(&j, addr);
            an_json_key(&j, "module");
            an_json_str(&j, k->module);
            an_json_key(&j, "type");
            an_json_str(&j, k->qualname);
            an_json_key(&j, "size");
            an_json_u64(&j, largest[i].size);
            an_json_end_object(&j);
        }
        an_json_end_array(&j);
        an_json_end_object(&j);
    }
    an_json_end_object(&j);
    an_json_finish(&j);
}

static void
diff_text(const an_strmap *u, int by_module, diff_row *rows,
          uint32_t n_rows, uint64_t top, int objects, uint64_t new_count,
          uint64_t new_size, const diff_new *largest, uint32_t n_largest,
          const an_snap *b)
{
    unsigned char *amb = by_module ? NULL : diff_ambiguous(u);
    an_table *t = an_table_new(5, "rrrrl");
    char c1[32], c2[40], s1[32], s2[32], nb[512];
    uint64_t ta_c = 0, tb_c = 0, ta_s = 0, tb_s = 0, shown = 0, changed = 0;

    an_table_rowf(t, "count\tdelta\tsize\tdelta\t%s",
                  by_module ? "module" : "type");
    for (uint32_t i = 0; i < n_rows; i++) {
        const diff_row *r = &rows[i];

        ta_c += r->count_a;
        tb_c += r->count_b;
        ta_s += r->size_a;
        tb_s += r->size_b;
        if (r->count_a == r->count_b && r->size_a == r->size_b) {
            continue;
        }
        changed++;
        if (shown >= top) {
            continue;
        }
        shown++;
        an_format_count_delta(diff_delta(r->count_a, r->count_b), c2,
                              sizeof(c2));
        an_table_rowf(t, "%s\t%s\t%s\t%s\t%s",
                      an_format_count(r->count_b, c1, sizeof(c1)), c2,
                      an_format_size(r->size_b, s1, sizeof(s1)),
                      an_format_delta(diff_delta(r->size_a, r->size_b), s2,
                                      sizeof(s2)),
                      diff_name(u, by_module, amb, r->id, nb, sizeof(nb)));
    }
    if (changed == 0) {
        printf("no %s changed\n", by_module ? "module" : "type");
    }
    else {
        an_table_print(t, stdout, NULL);
    }
    an_table_free(t);
    printf("total: %s -> %s objects (%s), %s -> ",
           an_format_count(ta_c, c1, sizeof(c1)),
           an_format_count(tb_c, c2, sizeof(c2)),
           an_format_count_delta(diff_delta(ta_c, tb_c), nb, sizeof(nb)),
           an_format_size(ta_s, s1, sizeof(s1)));
    printf("%s (%s)", an_format_size(tb_s, s1, sizeof(s1)),
           an_format_delta(diff_delta(ta_s, tb_s), s2, sizeof(s2)));
    if (changed > shown) {
        printf("; %llu of %llu changed %s shown", (unsigned long long)shown,
               (unsigned long long)changed, by_module ? "modules" : "types");
    }
    printf("\n");

    if (objects) {
        printf("\nnew objects in B (address and type not in A): %s, %s\n",
               an_format_count(new_count, c1, sizeof(c1)),
               an_format_size(new_size, s1, sizeof(s1)));
        qsort(rows, n_rows, sizeof(diff_row), diff_new_cmp);
        t = an_table_new(3, "rrl");
        an_table_rowf(t, "count\tsize\t%s", by_module ? "module" : "type");
        for (uint32_t i = 0; i < n_rows && i < top; i++) {
            if (rows[i].new_count == 0) {
                break;
            }
            an_table_rowf(t, "%s\t%s\t%s",
                          an_format_count(rows[i].new_count, c1, sizeof(c1)),
                          an_format_size(rows[i].new_size, s1, sizeof(s1)),
                          diff_name(u, by_module, amb, rows[i].id, nb,
                                    sizeof(nb)));
        }
        if (new_count > 0) {
            an_table_print(t, stdout, "  ");
        }
        an_table_free(t);
        if (n_largest > 0) {
            printf("largest new objects:\n");
            t = an_table_new(3, "lrl");
            for (uint32_t i = 0; i < n_largest; i++) {
                an_table_rowf(t, "0x%llx\t%s\t%s",
                              (unsigned long long)largest[i].address,
                              an_format_size(largest[i].size, s1, sizeof(s1)),
                              b->keys[largest[i].group].display);
            }
            an_table_print(t, stdout, "  ");
            an_table_free(t);
        }
    }
    free(amb);
}

#define DIFF_LARGEST 10

int
cmd_diff(int argc, char **argv)
{
    int partial = 0, json = 0, objects = 0;
    const char *by = "type";
    uint64_t top = UINT64_MAX, fail_above = UINT64_MAX;
    const an_option opts[] = {
        {AN_OPT_STRING, 0, "by", &by, "WHAT",
         "group by 'type' (default) or 'module'"},
        {AN_OPT_UINT, 'n', "top", &top, "N",
         "show N groups (default 20, JSON: all)"},
        {AN_OPT_SIZE, 0, "fail-above", &fail_above, "BYTES",
         "exit 3 when the total size grew by more than BYTES"},
        {AN_OPT_FLAG, 0, "objects", &objects, NULL,
         "list the new objects of B (same process only)"},
        {AN_OPT_FLAG, 0, "partial", &partial, NULL,
         "use the valid blocks of truncated or damaged files"},
        {AN_OPT_FLAG, 0, "json", &json, NULL, "print JSON (spec/json.md)"},
        AN_OPT_END_ROW,
    };
    int npos, status, by_module;
    an_snap a, b;
    an_strmap *u = NULL;
    diff_row *rows = NULL;
    uint32_t n_rows = 0, *a_union = NULL, *b_union = NULL;
    an_u64map amap;
    diff_new largest[DIFF_LARGEST];
    uint32_t n_largest = 0;
    uint64_t new_count = 0, new_size = 0;
    uint64_t ta_s = 0, tb_s = 0;
    unsigned cols = MF_COL_TYPE | MF_COL_SIZE;

    memset(&amap, 0, sizeof(amap));
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    if (!an_parse_options(argc, argv, &diff_usage, opts, &npos, &status)) {
        return status;
    }
    if (npos != 2) {
        return an_usage_error(&diff_usage, opts,
                              npos > 2 ? "too many arguments"
                                       : "diff needs two snapshots");
    }
    if (strcmp(by, "type") != 0 && strcmp(by, "module") != 0) {
        return an_usage_error(&diff_usage, opts,
                              "bad value '%s' for option '--by'", by);
    }
    by_module = strcmp(by, "module") == 0;
    if (top == UINT64_MAX && !json) {
        top = 20;
    }
    if (objects) {
        cols |= MF_COL_ADDRESS;
    }

    status = an_snap_open(&a, argv[0], partial);
    if (status != 0) {
        return status;
    }
    status = an_snap_open(&b, argv[1], partial);
    if (status != 0) {
        an_snap_close(&a);
        return status;
    }
    if (objects && diff_same_process(&a, &b) != 0) {
        status = AN_EXIT_INPUT;
        goto done;
    }
    u = an_strmap_new();
    if (u == NULL) {
        goto nomem;
    }

    /* A: aggregate, remember addresses, free the columns */
    status = an_snap_load(&a, cols);
    if (status != 0) {
        goto done;
    }
    an_snap_warn_partial(&a);
    if (diff_aggregate(&a, by_module, u, &rows, &n_rows, 0, &a_union) != 0) {
        goto nomem;
    }
    if (objects) {
        /* key -> type id by (module, qualname) even with --by module;
         * resolved once per key, not per object */
        an_strmap *ku = an_strmap_new();
        uint32_t *kid = an_calloc((size_t)a.n_keys + 1, sizeof(uint32_t));
        int added;

        if (ku == NULL || kid == NULL
            || an_u64map_init(&amap, a.cols.n_objects) != 0) {
            an_strmap_free(ku);
            free(kid);
            goto nomem;
        }
        for (uint32_t k = 0; k <= a.n_keys; k++) {
            const an_key *key = &a.keys[k];

            kid[k] = an_strmap_intern(ku, key->module, strlen(key->module),
                                      key->qualname, strlen(key->qualname),
                                      &added);
            if (kid[k] == MF_NONE) {
                an_strmap_free(ku);
                free(kid);
                goto nomem;
            }
        }
        for (uint32_t i = 0; i < a.cols.n_objects; i++) {
            if (an_u64map_put(&amap, a.cols.address[i],
                              kid[an_snap_key_of(&a, i)]) != 0) {
                an_strmap_free(ku);
                free(kid);
                goto nomem;
            }
        }
        free(kid);
        /* reuse: B's objects are matched through the same name map */
        an_snap_close(&a);
        status = an_snap_load(&b, cols);
        if (status != 0) {
            an_strmap_free(ku);
            goto done;
        }
        an_snap_warn_partial(&b);
        if (diff_aggregate(&b, by_module, u, &rows, &n_rows, 1, &b_union)
            != 0) {
            an_strmap_free(ku);
            goto nomem;
        }
        kid = an_calloc((size_t)b.n_keys + 1, sizeof(uint32_t));
        if (kid == NULL) {
            an_strmap_free(ku);
            goto nomem;
        }
        for (uint32_t k = 0; k <= b.n_keys; k++) {
            const an_key *key = &b.keys[k];

            /* MF_NONE for a type A did not have: never "old" */
            kid[k] = an_strmap_get(ku, key->module, strlen(key->module),
                                   key->qualname, strlen(key->qualname));
        }
        for (uint32_t i = 0; i < b.cols.n_objects; i++) {
            uint32_t old = an_u64map_get(&amap, b.cols.address[i]);
            diff_row *r;
            uint64_t sz = b.cols.size[i];

            if (old != MF_NONE && old == kid[an_snap_key_of(&b, i)]) {
                continue;           /* same address, same type: old */
            }
            r = &rows[diff_obj_union(&b, by_module, b_union, i)];
            r->new_count++;
            r->new_size += sz;
            new_count++;
            new_size += sz;
            /* keep the DIFF_LARGEST largest, sorted by size desc */
            if (n_largest < DIFF_LARGEST || sz > largest[n_largest - 1].size) {
                uint32_t p = n_largest < DIFF_LARGEST ? n_largest++
                                                      : DIFF_LARGEST - 1;

                while (p > 0 && largest[p - 1].size < sz) {
                    largest[p] = largest[p - 1];
                    p--;
                }
                largest[p].index = i;
                largest[p].size = sz;
                largest[p].address = b.cols.address[i];
                largest[p].group = an_snap_key_of(&b, i);
            }
        }
        free(kid);
        an_strmap_free(ku);
    }
    else {
        mf_graph_free(&a.cols);
        a.columns = 0;
        status = an_snap_load(&b, cols);
        if (status != 0) {
            goto done;
        }
        an_snap_warn_partial(&b);
        if (diff_aggregate(&b, by_module, u, &rows, &n_rows, 1, &b_union)
            != 0) {
            goto nomem;
        }
    }
    for (uint32_t i = 0; i < n_rows; i++) {
        ta_s += rows[i].size_a;
        tb_s += rows[i].size_b;
    }
    qsort(rows, n_rows, sizeof(diff_row), diff_cmp);

    if (json) {
        diff_json(u, by_module, rows, n_rows, top, argv, objects, new_count,
                  new_size, largest, n_largest, &b);
    }
    else {
        diff_text(u, by_module, rows, n_rows, top, objects, new_count,
                  new_size, largest, n_largest, &b);
    }
    status = AN_EXIT_OK;
    if (fail_above != UINT64_MAX && tb_s > ta_s
        && tb_s - ta_s > fail_above) {
        char g[32], l[32];

        an_error("size grew by %s, more than --fail-above %s",
                 an_format_size(tb_s - ta_s, g, sizeof(g)),
                 an_format_size(fail_above, l, sizeof(l)));
        status = AN_EXIT_THRESHOLD;
    }
    goto done;

nomem:
    an_error("out of memory");
    status = AN_EXIT_INPUT;
done:
    an_u64map_free(&amap);
    an_strmap_free(u);
    free(rows);
    free(a_union);
    free(b_union);
    an_snap_close(&a);
    an_snap_close(&b);
    return status;
}
