/*
 * graph.c - loading snapshots into columns, type keys, reverse edges.
 */
#include "graph.h"

#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "util.h"

int
an_graph_reverse(an_graph *g)
{
    uint32_t *start;
    uint32_t *src;

    if (g->rev_start != NULL) {
        return 0;
    }
    if (g->n_edges >= UINT32_MAX) {
        return -1;
    }
    start = calloc((size_t)g->n + 1, sizeof(uint32_t));
    src = malloc((size_t)(g->n_edges ? g->n_edges : 1) * sizeof(uint32_t));
    if (start == NULL || src == NULL) {
        free(start);
        free(src);
        return -1;
    }
    if (g->edge_start != NULL) {
        /* counting sort by target; sources come out ascending */
        for (uint64_t e = 0; e < g->n_edges; e++) {
            uint32_t t = g->edge_target[e];

            if (t < g->n) {
                start[t + 1]++;
            }
        }
        for (uint32_t v = 0; v < g->n; v++) {
            start[v + 1] += start[v];
        }
        for (uint32_t v = 0; v < g->n; v++) {
            for (uint64_t e = g->edge_start[v]; e < g->edge_start[v + 1];
                 e++) {
                uint32_t t = g->edge_target[e];

                if (t < g->n) {
                    src[start[t]++] = v;
                }
            }
        }
        /* start[t] now holds the end of t's run: shift back */
        for (uint32_t v = g->n; v > 0; v--) {
            start[v] = start[v - 1];
        }
        start[0] = 0;
    }
    g->rev_start = start;
    g->rev_source = src;
    return 0;
}

void
an_graph_free_reverse(an_graph *g)
{
    free(g->rev_start);
    free(g->rev_source);
    g->rev_start = NULL;
    g->rev_source = NULL;
}

/* ---- snapshots ------------------------------------------------------ */

const char *
an_root_kind_name(uint32_t kind)
{
    if (kind == MF_ROOT_UNREFERENCED) {
        return "unreferenced";
    }
    return mf_root_kind_name(kind);
}

/* String by id, "" (len 0) when absent. */
static const char *
an_str(const mf_reader *r, uint32_t id, size_t *len)
{
    const char *s = id == MF_NONE ? NULL : mf_reader_string(r, id, len);

    if (s == NULL) {
        *len = 0;
        return "";
    }
    return s;
}

/* Resolve type keys, display names and module groups. */
static int
an_snap_keys(an_snap *s)
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
        const char *m = an_str(s->reader, s->types[t].module, &ml);
        const char *q = an_str(s->reader, s->types[t].qualname, &ql);
        int added;
        uint32_t k = an_strmap_intern(keys, m, ml, q, ql, &added);

        if (k == MF_NONE) {
            goto done;
        }
        s->type_key[t] = k;
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
            m = an_str(s->reader, s->types[t].module, &ml);
            q = an_str(s->reader, s->types[t].qualname, &ql);
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
    if (rc != 0) {
        an_error("'%s': out of memory", s->path);
    }
    return rc == 0 ? 0 : AN_EXIT_INPUT;
}

int
an_snap_open(an_snap *s, const char *path, int partial)
{
    mf_read_options opts;
    mf_error err;
    int rc;

    memset(s, 0, sizeof(*s));
    memset(&opts, 0, sizeof(opts));
    s->path = path;
    opts.flags = partial ? MF_READ_PARTIAL : 0;
    an_progress_init(&s->progress, path);
    opts.progress = an_progress_cb;
    opts.progress_ctx = &s->progress;
    rc = mf_reader_open(&s->reader, path, &opts, &err);
    an_progress_done(&s->progress);
    if (rc != MF_OK) {
        s->reader = NULL;
        return an_error_file(path, &err);
    }
    s->info = mf_reader_info(s->reader);
    return an_snap_keys(s);
}

int
an_snap_load(an_snap *s, unsigned columns)
{
    mf_error err;
    int rc;

    an_progress_init(&s->progress, s->path);
    rc = mf_reader_load(s->reader, columns, &s->cols, &err);
    an_progress_done(&s->progress);
    if (rc != MF_OK) {
        memset(&s->cols, 0, sizeof(s->cols));
        return an_error_file(s->path, &err);
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
    return 0;
}

void
an_snap_warn_partial(const an_snap *s)
{
    if (s->info != NULL && s->info->partial) {
        an_warn("'%s' is incomplete (%s): analyzing the %llu objects of "
                "its valid blocks", s->path,
                s->info->damage.message[0] ? s->info->damage.message
                                           : "truncated",
                (unsigned long long)s->cols.n_objects);
    }
}

void
an_snap_close(an_snap *s)
{
    an_graph_free_reverse(&s->g);
    if (s->columns) {
        mf_graph_free(&s->cols);
    }
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
