/*
 * csv.c - objects.csv, edges.csv and roots.csv.
 */
#include "render/csv.h"

#include <stdio.h>
#include <string.h>

const char *
an_csv_edge_kind(uint8_t kind, char *buf, size_t cap)
{
    switch (kind & MF_EDGE_KIND_MASK) {
    case MF_EDGE_REF: return "ref";
    case MF_EDGE_INDEX: return "index";
    case MF_EDGE_KEY_STR: return "key_str";
    case MF_EDGE_KEY_INT: return "key_int";
    case MF_EDGE_KEY_OTHER: return "key_other";
    case MF_EDGE_DICT_KEY: return "dict_key";
    case MF_EDGE_ATTR: return "attr";
    case MF_EDGE_FIELD: return "field";
    case MF_EDGE_SET_ITEM: return "set_item";
    default:
        snprintf(buf, cap, "kind_0x%02x", kind & MF_EDGE_KIND_MASK);
        return buf;
    }
}

/* A string of the snapshot as a CSV field ("" when out of range). */
static void
csv_snap_string(an_outfile *o, const an_snap *s, uint64_t id)
{
    size_t len = 0;
    const char *t = id < MF_NONE ? mf_reader_string(s->reader,
                                                    (uint32_t)id, &len)
                                 : NULL;

    if (t != NULL) {
        an_out_text(o, t, len, AN_ESC_CSV);
    }
}

void
an_export_csv_objects(an_outfile *o, const an_snap *s,
                      const uint64_t *retained)
{
    const mf_graph *c = &s->cols;

    an_out_str(o, "index,address,module,type,size,retained,flags,length,"
                  "external\n");
    for (uint32_t i = 0; i < c->n_objects; i++) {
        const an_key *k = &s->keys[an_snap_key_of(s, i)];

        an_out_u64(o, i);
        an_out_char(o, ',');
        an_out_hex(o, c->address[i]);
        an_out_char(o, ',');
        an_out_text(o, k->module, strlen(k->module), AN_ESC_CSV);
        an_out_char(o, ',');
        an_out_text(o, k->qualname, strlen(k->qualname), AN_ESC_CSV);
        an_out_char(o, ',');
        an_out_u64(o, c->size[i]);
        an_out_char(o, ',');
        if (retained != NULL) {
            an_out_u64(o, retained[i]);
        }
        an_out_char(o, ',');
        an_out_u64(o, c->flags[i]);
        an_out_char(o, ',');
        if (c->flags[i] & MF_OBJ_HAS_LENGTH) {
            an_out_u64(o, c->length[i]);
        }
        an_out_str(o, k->external ? ",1\n" : ",0\n");
    }
}

void
an_export_csv_edges(an_outfile *o, const an_snap *s)
{
    const an_graph *g = &s->g;
    char buf[32];

    an_out_str(o, "from,to,kind,label,weak\n");
    for (uint32_t i = 0; i < g->n; i++) {
        for (uint64_t e = g->edge_start[i]; e < g->edge_start[i + 1]; e++) {
            uint8_t kind = g->edge_kind[e];
            uint64_t label = g->edge_label[e];

            if (g->edge_target[e] >= g->n) {
                continue;
            }
            an_out_u64(o, i);
            an_out_char(o, ',');
            an_out_u64(o, g->edge_target[e]);
            an_out_char(o, ',');
            an_out_str(o, an_csv_edge_kind(kind, buf, sizeof(buf)));
            an_out_char(o, ',');
            switch (MF_EDGE_CLASS(kind)) {
            case MF_LABEL_STRING:
                csv_snap_string(o, s, label);
                break;
            case MF_LABEL_UINT:
                an_out_u64(o, label);
                break;
            case MF_LABEL_SINT:
                if ((int64_t)label < 0) {
                    an_out_printf(o, "%lld", (long long)(int64_t)label);
                }
                else {
                    an_out_u64(o, label);
                }
                break;
            default:
                break;
            }
            an_out_str(o, kind & MF_EDGE_WEAK ? ",1\n" : ",0\n");
        }
    }
}

void
an_export_csv_roots(an_outfile *o, const an_snap *s)
{
    uint32_t n = 0;
    const mf_root *r = mf_reader_roots(s->reader, &n);

    an_out_str(o, "object,kind,label\n");
    for (uint32_t i = 0; r != NULL && i < n; i++) {
        if (r[i].object >= s->cols.n_objects) {
            continue;
        }
        an_out_u64(o, r[i].object);
        an_out_char(o, ',');
        an_out_str(o, mf_root_kind_name(r[i].kind));
        an_out_char(o, ',');
        if (r[i].label != MF_NONE) {
            csv_snap_string(o, s, r[i].label);
        }
        an_out_char(o, '\n');
    }
}

const char *const an_csv_tables[AN_CSV_TABLES] = {
    "objects.csv", "edges.csv", "roots.csv",
};

void
an_export_csv(an_outfile *out, const an_snap *s, const uint64_t *retained)
{
    an_export_csv_objects(&out[0], s, retained);
    an_export_csv_edges(&out[1], s);
    an_export_csv_roots(&out[2], s);
}
