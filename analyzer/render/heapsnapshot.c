/*
 * heapsnapshot.c - the V8 heap snapshot writer.
 *
 * The top-level keys come in the order DevTools' streaming loader reads
 * them (HeapSnapshotLoader: "snapshot", "nodes", "edges", the trace
 * arrays, "samples", "locations", then "strings", which must be last);
 * the number arrays hold non-negative integers below 2^32 only (the
 * loader parses digits into 32-bit arrays).
 */
#include "render/heapsnapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/heapsnapshot.h"
#include "lib/maps.h"

static const char meta_json[] =
    "{\"snapshot\":{\"meta\":{"
    "\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\","
    "\"trace_node_id\",\"detachedness\"],"
    "\"node_types\":[[\"hidden\",\"array\",\"string\",\"object\",\"code\","
    "\"closure\",\"regexp\",\"number\",\"native\",\"synthetic\","
    "\"concatenated string\",\"sliced string\",\"symbol\",\"bigint\","
    "\"object shape\"],\"string\",\"number\",\"number\",\"number\","
    "\"number\",\"number\"],"
    "\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],"
    "\"edge_types\":[[\"context\",\"element\",\"property\",\"internal\","
    "\"hidden\",\"shortcut\",\"weak\"],\"string_or_number\",\"node\"],"
    "\"trace_function_info_fields\":[\"function_id\",\"name\","
    "\"script_name\",\"script_id\",\"line\",\"column\"],"
    "\"trace_node_fields\":[\"id\",\"function_info_index\",\"count\","
    "\"size\",\"children\"],"
    "\"sample_fields\":[\"timestamp_us\",\"last_assigned_id\"],"
    "\"location_fields\":[\"object_index\",\"script_id\",\"line\","
    "\"column\"]},";

typedef struct hs_writer {
    an_outfile *o;
    const an_snap *s;
    uint32_t n_strings;     /* the snapshot's string table */
    uint64_t type0;         /* strings index of the first type name */
    uint64_t str0;          /* of the snapshot's string 0 */
    uint64_t extra0;        /* of the first extra string */
    an_strmap *extra;       /* decimal texts of big int keys */
    int nomem;
} hs_writer;

/* One node: type, name, id, self_size, edge_count, 0, 0. */
static void
hs_node(an_outfile *o, int first, uint32_t type, uint64_t name, uint32_t id,
        uint64_t size, uint64_t edges)
{
    if (!first) {
        an_out_bytes(o, "\n,", 2);
    }
    an_out_u64(o, type);
    an_out_char(o, ',');
    an_out_u64(o, name);
    an_out_char(o, ',');
    an_out_u64(o, id);
    an_out_char(o, ',');
    an_out_u64(o, size > UINT32_MAX ? UINT32_MAX : size);
    an_out_char(o, ',');
    an_out_u64(o, edges);
    an_out_bytes(o, ",0,0", 4);
}

/* One edge: type, name_or_index, to_node (node position x 7). */
static void
hs_edge(an_outfile *o, int first, uint32_t type, uint64_t name,
        uint64_t to_position)
{
    if (!first) {
        an_out_bytes(o, "\n,", 2);
    }
    an_out_u64(o, type);
    an_out_char(o, ',');
    an_out_u64(o, name);
    an_out_char(o, ',');
    an_out_u64(o, to_position * AN_HS_NODE_FIELDS);
}

/* The strings index of an extra string: the decimal text of v. */
static uint64_t
hs_extra(hs_writer *w, uint64_t v, int is_signed)
{
    char text[32];
    int added;
    uint32_t id;

    if (is_signed) {
        snprintf(text, sizeof(text), "%lld", (long long)(int64_t)v);
    }
    else {
        snprintf(text, sizeof(text), "%llu", (unsigned long long)v);
    }
    id = an_strmap_intern(w->extra, "", 0, text, strlen(text), &added);
    if (id == MF_NONE) {
        w->nomem = 1;
        return AN_HS_STR_EMPTY;
    }
    return w->extra0 + id;
}

/* The name_or_index of a mapped edge. */
static uint64_t
hs_edge_name(hs_writer *w, const an_hs_edge *m)
{
    switch (m->name_kind) {
    case AN_HS_NAME_NUMBER:
        return m->value;
    case AN_HS_NAME_SNAP:
        return w->str0 + m->value;
    case AN_HS_NAME_INT:
        return hs_extra(w, m->value, 1);
    case AN_HS_NAME_UINT:
        return hs_extra(w, m->value, 0);
    default:
        return m->value;
    }
}

/* Edges of object i that point inside the snapshot. */
static uint64_t
hs_valid_edges(const an_snap *s, uint32_t i)
{
    uint64_t c = 0;

    for (uint64_t e = s->g.edge_start[i]; e < s->g.edge_start[i + 1]; e++) {
        c += s->g.edge_target[e] < s->g.n;
    }
    return c;
}

/* The strings index of object i's name. */
static uint64_t
hs_object_name(const hs_writer *w, uint32_t i, uint32_t key,
               uint32_t node_type)
{
    const mf_graph *c = &w->s->cols;

    if (node_type == AN_HS_NODE_STRING && c->value != NULL
        && c->value[i] < w->n_strings) {
        return w->str0 + c->value[i];
    }
    if ((node_type == AN_HS_NODE_CLOSURE || node_type == AN_HS_NODE_CODE)
        && c->name != NULL && c->name[i] < w->n_strings) {
        return w->str0 + c->name[i];
    }
    return w->type0 + key;
}

static void
hs_strings(hs_writer *w)
{
    an_outfile *o = w->o;
    const an_snap *s = w->s;
    char name[512];

    an_out_str(o, "\"strings\":[");
    for (uint32_t k = 0; k < AN_HS_STR_FIXED; k++) {
        const char *t = an_hs_fixed_string(k);

        if (k > 0) {
            an_out_bytes(o, "\n,", 2);
        }
        an_out_text(o, t, strlen(t), AN_ESC_JSON);
    }
    for (uint32_t k = 0; k <= s->n_keys; k++) {
        an_hs_type_name(s, k, name, sizeof(name));
        an_out_bytes(o, "\n,", 2);
        an_out_text(o, name, strlen(name), AN_ESC_JSON);
    }
    for (uint32_t id = 0; id < w->n_strings; id++) {
        size_t len = 0;
        const char *t = mf_reader_string(s->reader, id, &len);

        an_out_bytes(o, "\n,", 2);
        an_out_text(o, t ? t : "", t ? len : 0, AN_ESC_JSON);
    }
    for (uint32_t id = 0; id < an_strmap_count(w->extra); id++) {
        const char *a, *b;

        an_strmap_key(w->extra, id, &a, &b);
        an_out_bytes(o, "\n,", 2);
        an_out_text(o, b, strlen(b), AN_ESC_JSON);
    }
    an_out_str(o, "]}\n");
}

an_err
an_export_heapsnapshot(an_outfile *o, const an_snap *s, const uint32_t *ids,
                       const uint32_t *unreferenced, uint32_t n_unreferenced,
                       an_hs_counts *counts)
{
    uint32_t n = s->g.n, n_records = 0;
    const mf_root *records = mf_reader_roots(s->reader, &n_records);
    uint64_t sub_edges[AN_HS_N_SUB] = {0};
    uint64_t n_edges = 1 + AN_HS_N_SUB, n_nodes;
    uint8_t *key_type;
    hs_writer w;

    if (records == NULL) {
        n_records = 0;
    }
    memset(&w, 0, sizeof(w));
    w.o = o;
    w.s = s;
    w.n_strings = mf_reader_string_count(s->reader);
    w.type0 = AN_HS_STR_FIXED;
    w.str0 = w.type0 + s->n_keys + 1;
    w.extra0 = w.str0 + w.n_strings;
    w.extra = an_strmap_new();
    key_type = malloc((size_t)s->n_keys + 1);
    if (w.extra == NULL || key_type == NULL) {
        an_strmap_free(w.extra);
        free(key_type);
        return AN_ERR_NOMEM;
    }
    for (uint32_t k = 0; k <= s->n_keys; k++) {
        key_type[k] = (uint8_t)an_hs_key_node_type(s, k);
    }

    /* counts first: the header gives them */
    for (uint32_t r = 0; r < n_records; r++) {
        if (records[r].object < n) {
            sub_edges[an_hs_sub_of_kind(records[r].kind)]++;
        }
    }
    sub_edges[AN_HS_SUB_UNREFERENCED] += n_unreferenced;
    for (uint32_t k = 0; k < AN_HS_N_SUB; k++) {
        n_edges += sub_edges[k];
    }
    for (uint32_t i = 0; i < n; i++) {
        n_edges += hs_valid_edges(s, i);
    }
    n_nodes = (uint64_t)AN_HS_FIRST_OBJECT + n;

    an_out_str(o, meta_json);
    an_out_printf(o, "\"node_count\":%llu,\"edge_count\":%llu,"
                  "\"trace_function_count\":0},\n",
                  (unsigned long long)n_nodes, (unsigned long long)n_edges);

    /* nodes */
    an_out_str(o, "\"nodes\":[");
    hs_node(o, 1, AN_HS_NODE_SYNTHETIC, AN_HS_STR_EMPTY, 1, 0, 1);
    hs_node(o, 0, AN_HS_NODE_SYNTHETIC, AN_HS_STR_GC_ROOTS, 3, 0,
            AN_HS_N_SUB);
    for (uint32_t k = 0; k < AN_HS_N_SUB; k++) {
        hs_node(o, 0, AN_HS_NODE_SYNTHETIC, AN_HS_STR_SUB + k, 5 + 2 * k, 0,
                sub_edges[k]);
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t key = an_snap_key_of(s, i);
        uint32_t t = key_type[key];

        hs_node(o, 0, t, hs_object_name(&w, i, key, t), ids[i],
                s->cols.size[i], hs_valid_edges(s, i));
    }
    an_out_str(o, "],\n\"edges\":[");

    /* edges: root -> (GC roots) -> sub-roots -> roots -> objects */
    hs_edge(o, 1, AN_HS_EDGE_ELEMENT, 1, AN_HS_GC_ROOTS);
    for (uint32_t k = 0; k < AN_HS_N_SUB; k++) {
        hs_edge(o, 0, AN_HS_EDGE_ELEMENT, k + 1, AN_HS_FIRST_SUB + k);
    }
    for (uint32_t k = 0; k < AN_HS_N_SUB; k++) {
        uint64_t pos = 0;

        for (uint32_t r = 0; r < n_records; r++) {
            const mf_root *rr = &records[r];

            if (rr->object >= n || an_hs_sub_of_kind(rr->kind) != k) {
                continue;
            }
            if (rr->label < w.n_strings) {
                hs_edge(o, 0, AN_HS_EDGE_PROPERTY, w.str0 + rr->label,
                        AN_HS_FIRST_OBJECT + (uint64_t)rr->object);
            }
            else {
                hs_edge(o, 0, AN_HS_EDGE_ELEMENT, ++pos,
                        AN_HS_FIRST_OBJECT + (uint64_t)rr->object);
            }
        }
        if (k == AN_HS_SUB_UNREFERENCED) {
            for (uint32_t j = 0; j < n_unreferenced; j++) {
                hs_edge(o, 0, AN_HS_EDGE_ELEMENT, ++pos,
                        AN_HS_FIRST_OBJECT + (uint64_t)unreferenced[j]);
            }
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        for (uint64_t e = s->g.edge_start[i]; e < s->g.edge_start[i + 1];
             e++) {
            uint32_t t = s->g.edge_target[e];
            an_hs_edge m;

            if (t >= n) {
                continue;
            }
            m = an_hs_map_edge(s->g.edge_kind[e], s->g.edge_label[e],
                               w.n_strings);
            hs_edge(o, 0, m.type, hs_edge_name(&w, &m),
                    AN_HS_FIRST_OBJECT + (uint64_t)t);
        }
    }
    an_out_str(o, "],\n\"trace_function_infos\":[],\n\"trace_tree\":[],\n"
               "\"samples\":[],\n\"locations\":[],\n");
    hs_strings(&w);
    if (counts != NULL) {
        counts->nodes = n_nodes;
        counts->edges = n_edges;
        counts->extra_strings = an_strmap_count(w.extra);
    }
    an_strmap_free(w.extra);
    free(key_type);
    return w.nomem ? AN_ERR_NOMEM : AN_OK;
}
