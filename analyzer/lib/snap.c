/*
 * snap.c - opening snapshots, loading columns, type keys, process
 * identity.
 */
#include "lib/snap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/maps.h"

int
an_err_nomem(mf_error *err)
{
    if (err != NULL) {
        memset(err, 0, sizeof(*err));
        err->code = MF_E_NOMEM;
        err->block = -1;
        err->offset = UINT64_MAX;
        snprintf(err->message, sizeof(err->message), "out of memory");
    }
    return MF_E_NOMEM;
}

/* String by id, "" (len 0) when absent. */
static const char *
string_at(const mf_reader *r, uint32_t id, size_t *len)
{
    const char *s = id == MF_NONE ? NULL : mf_reader_string(r, id, len);

    if (s == NULL) {
        *len = 0;
        return "";
    }
    return s;
}

int
an_module_is_external(const char *module)
{
    return module != NULL && strcmp(module, AN_EXTERNAL_MODULE) == 0;
}

/* Resolve type keys, display names and module groups: MF_OK or
 * MF_E_NOMEM. */
static int
snap_keys(an_snap *s)
{
    an_strmap *keys = an_strmap_new();
    an_strmap *mods = an_strmap_new();
    an_strmap *quals = an_strmap_new();
    uint32_t *qual_users = NULL;      /* keys per qualname */
    uint32_t *key_qual = NULL;
    size_t arena_size = 0, used = 0;
    int rc = -1;

    s->types = mf_reader_types(s->reader, &s->n_types);
    s->type_key = calloc((size_t)s->n_types + 1, sizeof(uint32_t));
    s->keys = calloc((size_t)s->n_types + 1, sizeof(an_key));
    key_qual = calloc((size_t)s->n_types + 1, sizeof(uint32_t));
    qual_users = calloc((size_t)s->n_types + 1, sizeof(uint32_t));
    s->modules = calloc((size_t)s->n_types + 1, sizeof(char *));
    if (!keys || !mods || !quals || !s->type_key || !s->keys || !key_qual
        || !qual_users || !s->modules) {
        goto done;
    }
    for (uint32_t t = 0; t < s->n_types; t++) {
        size_t ml, ql;
        const char *m = string_at(s->reader, s->types[t].module, &ml);
        const char *q = string_at(s->reader, s->types[t].qualname, &ql);
        int added;
        uint32_t k = an_strmap_intern(keys, m, ml, q, ql, &added);

        if (k == MF_NONE) {
            goto done;
        }
        s->type_key[t] = k;
        if (s->types[t].flags & MF_TYPE_EXTERNAL) {
            s->keys[k].external = 1;
        }
        if (added) {
            uint32_t qid = an_strmap_intern(quals, "", 0, q, ql, &added);
            uint32_t mid = an_strmap_intern(mods, m, ml, "", 0, &added);

            if (qid == MF_NONE || mid == MF_NONE) {
                goto done;
            }
            key_qual[k] = qid;
            qual_users[qid]++;
            s->keys[k].module_group = mid;
            /* module.qualname, module, qualname, and "<type @0x...>" */
            arena_size += 2 * (ml + ql) + 4 + 32;
        }
    }
    s->n_keys = an_strmap_count(keys);
    s->n_modules = an_strmap_count(mods);
    arena_size += 64;
    s->arena = malloc(arena_size);
    if (s->arena == NULL) {
        goto done;
    }
    /* fill key strings from the first type of each key */
    {
        unsigned char *seen = calloc((size_t)s->n_keys + 1, 1);

        if (seen == NULL) {
            goto done;
        }
        for (uint32_t t = 0; t < s->n_types; t++) {
            uint32_t k = s->type_key[t];
            size_t ml, ql;
            const char *m, *q;
            an_key *key = &s->keys[k];

            if (seen[k]) {
                continue;
            }
            seen[k] = 1;
            m = string_at(s->reader, s->types[t].module, &ml);
            q = string_at(s->reader, s->types[t].qualname, &ql);
            key->module = s->arena + used;
            memcpy(s->arena + used, m, ml);
            s->arena[used + ml] = '\0';
            used += ml + 1;
            key->qualname = s->arena + used;
            if (ql == 0) {
                used += (size_t)snprintf(s->arena + used, 32,
                                         "<type @0x%llx>",
                                         (unsigned long long)
                                         s->types[t].address) + 1;
                q = key->qualname;
                ql = strlen(q);
            }
            else {
                memcpy(s->arena + used, q, ql);
                s->arena[used + ql] = '\0';
                used += ql + 1;
            }
            if (qual_users[key_qual[k]] > 1 && ml > 0) {
                key->display = s->arena + used;
                memcpy(s->arena + used, m, ml);
                s->arena[used + ml] = '.';
                memcpy(s->arena + used + ml + 1, q, ql);
                s->arena[used + ml + 1 + ql] = '\0';
                used += ml + ql + 2;
            }
            else {
                key->display = key->qualname;
            }
            s->modules[key->module_group] = key->module;
        }
        free(seen);
    }
    /* the "unknown type" key */
    s->keys[s->n_keys].module = "";
    s->keys[s->n_keys].qualname = "<unknown type>";
    s->keys[s->n_keys].display = "<unknown type>";
    s->keys[s->n_keys].module_group = s->n_modules;
    s->modules[s->n_modules] = "";
    rc = 0;

done:
    an_strmap_free(keys);
    an_strmap_free(mods);
    an_strmap_free(quals);
    free(key_qual);
    free(qual_users);
    return rc == 0 ? MF_OK : MF_E_NOMEM;
}

static uint64_t snap_max_memory;     /* --max-memory, 0 for none */

void
an_snap_set_max_memory(uint64_t bytes)
{
    snap_max_memory = bytes;
}

int
an_snap_open(an_snap *s, const char *path, unsigned flags,
             an_progress_fn progress, void *progress_ctx, mf_error *err)
{
    mf_read_options opts;
    int rc;

    memset(s, 0, sizeof(*s));
    memset(&opts, 0, sizeof(opts));
    s->path = path;
    s->progress = progress;
    s->progress_ctx = progress_ctx;
    opts.flags = flags;
    opts.progress = progress;
    opts.progress_ctx = progress_ctx;
    if (snap_max_memory != 0) {
        opts.max_memory = snap_max_memory;
        opts.max_expansion = UINT64_MAX;
    }
    rc = mf_reader_open(&s->reader, path, &opts, err);
    if (rc != MF_OK) {
        s->reader = NULL;
        return rc;
    }
    s->info = mf_reader_info(s->reader);
    rc = snap_keys(s);
    return rc == MF_OK ? MF_OK : an_err_nomem(err);
}

int
an_snap_load(an_snap *s, unsigned columns, mf_error *err)
{
    int rc;

    an_snap_unload(s);
    rc = mf_reader_load(s->reader, columns, &s->cols, err);
    if (rc != MF_OK) {
        memset(&s->cols, 0, sizeof(s->cols));
        return rc;
    }
    s->columns = columns;
    memset(&s->g, 0, sizeof(s->g));
    s->g.n = s->cols.n_objects;
    s->g.n_edges = s->cols.n_edges;
    s->g.edge_start = s->cols.edge_start;
    s->g.edge_target = s->cols.edge_target;
    s->g.edge_kind = s->cols.edge_kind;
    s->g.edge_label = s->cols.edge_label;
    s->g.type = s->cols.type;
    return MF_OK;
}

void
an_snap_unload(an_snap *s)
{
    an_graph_free_reverse(&s->g);
    if (s->columns) {
        mf_graph_free(&s->cols);
    }
    s->columns = 0;
    memset(&s->cols, 0, sizeof(s->cols));
    memset(&s->g, 0, sizeof(s->g));
}

void
an_snap_close(an_snap *s)
{
    an_snap_unload(s);
    mf_reader_close(s->reader);
    free(s->type_key);
    free(s->keys);
    free(s->modules);
    free(s->arena);
    memset(s, 0, sizeof(*s));
}

size_t
an_snap_edge_label(const an_snap *s, uint64_t e, char *buf, size_t cap)
{
    if (s->cols.edge_kind == NULL) {
        if (cap > 0) {
            buf[0] = '\0';
        }
        return 0;
    }
    return mf_format_label(s->reader, s->cols.edge_kind[e],
                           s->cols.edge_label ? s->cols.edge_label[e] : 0,
                           buf, cap);
}

uint32_t
an_snap_find_address(const an_snap *s, uint64_t address)
{
    for (uint32_t i = 0; i < s->cols.n_objects; i++) {
        if (s->cols.address[i] == address) {
            return i;
        }
    }
    return MF_NONE;
}

uint32_t
an_snap_match_type(const an_snap *s, const char *name, unsigned char *match)
{
    uint32_t found = 0;
    size_t nl = strlen(name);

    for (uint32_t k = 0; k <= s->n_keys; k++) {
        const an_key *key = &s->keys[k];
        size_t ml = strlen(key->module);
        int hit = strcmp(key->qualname, name) == 0;

        if (!hit && nl > ml + 1 && ml > 0
            && strncmp(name, key->module, ml) == 0 && name[ml] == '.'
            && strcmp(name + ml + 1, key->qualname) == 0) {
            hit = 1;
        }
        match[k] = (unsigned char)hit;
        found += (uint32_t)hit;
    }
    return found;
}

int
an_snap_meta_text(const an_snap *s, const char *key, char *buf, size_t cap)
{
    return an_meta_text(s->reader, key, buf, cap);
}

int
an_meta_text(const mf_reader *r, const char *key, char *buf, size_t cap)
{
    uint32_t n;
    const mf_meta *m = mf_reader_meta(r, &n);

    for (uint32_t i = 0; m != NULL && i < n; i++) {
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

int
an_snap_same_process(const an_snap *a, const an_snap *b, char *why,
                     size_t cap)
{
    static const char *const keys[] = {"pid", "process.start_time",
                                       "boot_id"};
    char va[128], vb[128], pa[128], pb[128];
    int sa = an_snap_meta_text(a, "scrub.process", va, sizeof(va)) == 0;
    int sb = an_snap_meta_text(b, "scrub.process", vb, sizeof(vb)) == 0;

    /* scrubbed copies carry one keyed hash of the identity instead */
    if (sa || sb) {
        if (sa && sb && strcmp(va, vb) == 0) {
            return 0;
        }
        if (sa && sb) {
            snprintf(why, cap, "snapshots come from different processes "
                     "(scrubbed: %s vs %s)", va, vb);
        }
        else {
            snprintf(why, cap, "'%s' was scrubbed and '%s' was not: they "
                     "cannot be matched", (sa ? a : b)->path,
                     (sa ? b : a)->path);
        }
        return -1;
    }

    for (size_t i = 0; i < 3; i++) {
        const an_snap *missing = NULL;

        if (an_snap_meta_text(a, keys[i], va, sizeof(va)) != 0) {
            missing = a;
        }
        else if (an_snap_meta_text(b, keys[i], vb, sizeof(vb)) != 0) {
            missing = b;
        }
        if (missing != NULL) {
            snprintf(why, cap, "'%s' does not say which process it comes "
                     "from (no '%s' metadata)", missing->path, keys[i]);
            return -1;
        }
        if (strcmp(va, vb) == 0) {
            continue;
        }
        if (an_snap_meta_text(a, "pid", pa, sizeof(pa)) != 0
            || an_snap_meta_text(b, "pid", pb, sizeof(pb)) != 0) {
            strcpy(pa, "?");
            strcpy(pb, "?");
        }
        if (strcmp(keys[i], "pid") == 0 || strcmp(pa, pb) != 0) {
            snprintf(why, cap, "snapshots come from different processes "
                     "(pid %s vs %s)", pa, pb);
        }
        else {
            snprintf(why, cap, "snapshots come from different processes "
                     "(pid %s in both, but %s %s vs %s)", pa, keys[i], va,
                     vb);
        }
        return -1;
    }
    return 0;
}
