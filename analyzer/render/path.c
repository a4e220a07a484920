/*
 * path.c - objects, groups and paths as text and JSON.
 */
#include "render/path.h"

#include <stdio.h>
#include <string.h>

#include "base/number.h"

const char *
an_address_text(const an_snap *s, uint32_t obj, char *buf, size_t cap)
{
    snprintf(buf, cap, "0x%llx", (unsigned long long)s->cols.address[obj]);
    return buf;
}

void
an_json_objref(an_json *j, const an_snap *s, uint32_t obj)
{
    const an_key *k = &s->keys[an_snap_key_of(s, obj)];
    char addr[32];

    an_json_key(j, "address");
    an_json_str(j, an_address_text(s, obj, addr, sizeof(addr)));
    an_json_key(j, "type");
    an_json_str(j, k->qualname);
    an_json_key(j, "module");
    an_json_str(j, k->module);
    if (k->external) {
        an_json_key(j, "external");
        an_json_bool(j, 1);
    }
}

void
an_json_group(an_json *j, const char *module, const char *qualname,
              int by_module)
{
    an_json_key(j, "module");
    an_json_str(j, module);
    if (!by_module) {
        an_json_key(j, "type");
        an_json_str(j, qualname);
    }
    if (an_module_is_external(module)) {
        an_json_key(j, "external");
        an_json_bool(j, 1);
    }
}

const char *
an_group_name(const an_strmap *names, const unsigned char *ambiguous,
              int by_module, uint32_t id, char *buf, size_t cap)
{
    const char *m, *q;

    an_strmap_key(names, id, &m, &q);
    if (by_module) {
        return m[0] ? m : "(no module)";
    }
    if (ambiguous != NULL && ambiguous[id] && m[0]) {
        snprintf(buf, cap, "%s.%s", m, q);
        return buf;
    }
    return q;
}

void
an_root_note(const an_snap *s, const an_roots *roots, uint32_t obj,
             char *buf, size_t cap)
{
    const an_root_ref *rr = an_roots_find(roots, obj);
    size_t len = 0;
    const char *label = NULL, *kind;

    buf[0] = '\0';
    if (rr == NULL) {
        return;
    }
    if (rr->label != MF_NONE) {
        label = mf_reader_string(s->reader, rr->label, &len);
    }
    kind = an_root_kind_name(rr->kind);
    if (label && strncmp(label, kind, strlen(kind)) == 0) {
        kind = ""; /* thread roots are labeled "thread <id> ..." already */
    }
    snprintf(buf, cap, " [root: %s%s%.*s]", kind, label && *kind ? " " : "",
             label ? (int)(len > 80 ? 80 : len) : 0, label ? label : "");
}

#define LABEL_MAX 160

void
an_print_path(FILE *f, const an_snap *s, const an_roots *roots,
              const an_pathbuf *pb)
{
    an_sbuf out = {0};

    an_path_text(&out, s, roots, pb);
    fprintf(f, "  %s\n", an_sbuf_str(&out));
    an_sbuf_free(&out);
}

/* Items [i, end) of a path as JSON steps. */
static void
json_items(an_json *j, const an_snap *s, const an_roots *roots,
           const an_pathbuf *pb, uint32_t i, uint32_t end)
{
    char buf[LABEL_MAX];

    while (i < end) {
        const an_fold_item *it = &pb->items[i];

        an_json_object(j);
        if (it->kind == AN_FOLD_STEP) {
            uint32_t obj = pb->objs[it->step];

            if (it->step == 0 && pb->from_root) {
                const an_root_ref *rr = an_roots_find(roots, obj);

                an_root_text(s, rr, obj, buf, sizeof(buf));
                an_json_key(j, "root");
                an_json_str(j, an_root_kind_name(rr ? rr->kind
                                                    : MF_ROOT_UNREFERENCED));
            }
            else if (it->step == 0) {
                buf[0] = '\0';     /* a path from an object: no edge */
            }
            else {
                an_path_item_label(s, pb, it, 0, buf, sizeof(buf));
            }
            an_json_key(j, "label");
            an_json_str(j, buf);
            an_json_objref(j, s, obj);
            i++;
        }
        else {
            uint32_t close = an_path_item_end(pb, i) - 1;

            if (close == i + 2 && pb->items[i + 1].kind == AN_FOLD_STEP) {
                an_path_item_label(s, pb, &pb->items[i + 1],
                                   it->times > 1 ? 2 : 1, buf, sizeof(buf));
                an_json_key(j, "label");
                an_json_str(j, buf);
            }
            else {
                an_sbuf body = {0};
                const char *b;

                an_path_items_text(&body, s, pb, i + 1, close);
                b = an_sbuf_str(&body);
                an_json_key(j, "label");
                an_json_str(j, b[0] == ' ' ? b + 1 : b);
                an_sbuf_free(&body);
            }
            an_json_objref(j, s, pb->objs[it->last]);
            if (it->times > 1) {
                an_json_key(j, "repeat");
                an_json_u64(j, it->times);
            }
            if (pb->grouped) {
                an_json_key(j, "repeated");
                an_json_bool(j, 1);
            }
            if (close > i + 2 || pb->items[i + 1].kind != AN_FOLD_STEP) {
                an_json_key(j, "cycle");
                an_json_array(j);
                json_items(j, s, roots, pb, i + 1, close);
                an_json_end_array(j);
            }
            i = close + 1;
        }
        an_json_end_object(j);
    }
}

void
an_json_path_steps(an_json *j, const an_snap *s, const an_roots *roots,
                   const an_pathbuf *pb)
{
    an_json_array(j);
    json_items(j, s, roots, pb, 0, pb->n_items);
    an_json_end_array(j);
}
