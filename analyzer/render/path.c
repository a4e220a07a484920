/*
 * output.c - opening snapshots for a command, printing objects and paths.
 */
#include "render/path.h"

#include <stdlib.h>
#include <string.h>

#include "base/number.h"
#include "base/sbuf.h"
#include "render/table.h"
#include "cli/message.h"
#include "cli/progress.h"

const char *
an_choose_format(const char *name, int json, unsigned allowed,
                 an_format *out)
{
    static const char *const names[] = {"text", "json", "markdown", "dot",
                                        "heapsnapshot", "csv"};
    static char msg[128];

    allowed |= AN_FORMAT_BIT(AN_FORMAT_TEXT) | AN_FORMAT_BIT(AN_FORMAT_JSON);
    *out = json ? AN_FORMAT_JSON : AN_FORMAT_TEXT;
    if (name == NULL) {
        return NULL;
    }
    for (int f = 0; f < (int)(sizeof(names) / sizeof(names[0])); f++) {
        if (strcmp(name, names[f]) != 0 || !(allowed & AN_FORMAT_BIT(f))) {
            continue;
        }
        if (json && f != AN_FORMAT_JSON) {
            return "--json and --format disagree";
        }
        *out = (an_format)f;
        return NULL;
    }
    snprintf(msg, sizeof(msg), "bad value '%.60s' for option '--format'",
             name);
    return msg;
}

void
an_table_emit(an_table *t, an_format fmt, const char *indent)
{
    if (fmt == AN_FORMAT_MARKDOWN) {
        an_table_print_markdown(t, stdout);
    }
    else {
        an_table_print(t, stdout, indent);
    }
}

/* One process, one terminal: the progress display is shared. */
static an_progress an_output_progress;

int
an_open(an_snap *s, const char *path, int partial)
{
    mf_error err;
    int rc;

    memset(&err, 0, sizeof(err));
    an_progress_init(&an_output_progress, path);
    rc = an_snap_open(s, path, partial ? MF_READ_PARTIAL : 0,
                      an_progress_cb, &an_output_progress, &err);
    an_progress_done(&an_output_progress);
    if (rc != MF_OK) {
        an_snap_close(s);
        return an_error_file(path, &err);
    }
    return AN_EXIT_OK;
}

int
an_load(an_snap *s, unsigned columns)
{
    mf_error err;
    int rc;

    memset(&err, 0, sizeof(err));
    an_progress_init(&an_output_progress, s->path);
    rc = an_snap_load(s, columns, &err);
    an_progress_done(&an_output_progress);
    if (rc != MF_OK) {
        return an_error_file(s->path, &err);
    }
    if (s->info != NULL && s->info->partial) {
        an_warn("'%s' is incomplete (%s): analyzing the %llu objects of "
                "its valid blocks", s->path,
                s->info->damage.message[0] ? s->info->damage.message
                                           : "truncated",
                (unsigned long long)s->cols.n_objects);
    }
    return AN_EXIT_OK;
}

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

uint32_t
an_object_at(const an_snap *s, uint64_t address)
{
    uint32_t obj = an_snap_find_address(s, address);

    if (obj == MF_NONE) {
        an_error("'%s': no object at address 0x%llx", s->path,
                 (unsigned long long)address);
    }
    return obj;
}

int
an_fail_above(const char *what, uint64_t value, uint64_t limit)
{
    char v[32], l[32];

    if (limit == UINT64_MAX || value <= limit) {
        return AN_EXIT_OK;
    }
    an_error("%s %s, more than --fail-above %s", what,
             an_format_size(value, v, sizeof(v)),
             an_format_size(limit, l, sizeof(l)));
    return AN_EXIT_THRESHOLD;
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

#define AN_LABEL_MAX 160

/* "+" and "(N times)" of a run into buf. */
static void
an_run_suffix(const an_run *run, char *buf, size_t cap)
{
    char c[32];

    buf[0] = '\0';
    if (run->count > 1) {
        snprintf(buf, cap, "+ (%s times)",
                 an_format_count(run->count, c, sizeof(c)));
    }
    else if (run->repeats) {
        snprintf(buf, cap, "+");
    }
}

/* Runs printed at each end of a path before the middle is elided. */
#define AN_PATH_ENDS 100

/* Append the text of run j of the path. */
static void
an_format_run(an_sbuf *out, const an_snap *s, const an_bfs_result *bfs,
              const an_pathbuf *pb, uint32_t j)
{
    const an_run *run = &pb->runs[j];
    char buf[AN_LABEL_MAX], suffix[48];

    an_path_run_label(s, bfs, pb, (uint32_t)(run - pb->runs), buf, sizeof(buf));
    an_run_suffix(run, suffix, sizeof(suffix));
    if (buf[0]) {
        an_sbuf_printf(out, " %s%s", buf, suffix);
    }
    else if (run->last + 1 < pb->len) {
        /* an unlabeled reference: name what it leads to */
        an_sbuf_printf(out, " -> <%s>%s",
                       s->keys[an_snap_key_of(s, pb->objs[run->last])]
                           .display, suffix);
    }
}

void
an_format_path(an_sbuf *out, const an_snap *s, const an_roots *roots,
               const an_bfs_result *bfs, const an_pathbuf *pb)
{
    char buf[AN_LABEL_MAX], c[32];
    uint32_t last;

    if (pb->len == 0) {
        return;
    }
    last = pb->objs[pb->len - 1];
    an_root_text(s, an_roots_find(roots, pb->objs[0]), pb->objs[0], buf,
                 sizeof(buf));
    an_sbuf_printf(out, "%s", buf);
    for (uint32_t j = 1; j < pb->n_runs; j++) {
        if (pb->n_runs > 2 * AN_PATH_ENDS + 1 && j == AN_PATH_ENDS + 1) {
            uint32_t skip = pb->n_runs - 2 * AN_PATH_ENDS - 1;
            uint64_t steps = (uint64_t)pb->runs[j + skip - 1].last
                             - pb->runs[j - 1].last;

            an_sbuf_printf(out, " ... (%s more steps) ...",
                           an_format_count(steps, c, sizeof(c)));
            j += skip - 1;
            continue;
        }
        an_format_run(out, s, bfs, pb, j);
    }
    an_sbuf_printf(out, " -> %s @0x%llx",
                   s->keys[an_snap_key_of(s, last)].display,
                   (unsigned long long)s->cols.address[last]);
}

void
an_print_path(FILE *f, const an_snap *s, const an_roots *roots,
              const an_bfs_result *bfs, const an_pathbuf *pb)
{
    an_sbuf out = {0};

    an_format_path(&out, s, roots, bfs, pb);
    fprintf(f, "  %s\n", an_sbuf_str(&out));
    an_sbuf_free(&out);
}

void
an_json_path_steps(an_json *j, const an_snap *s, const an_roots *roots,
                   const an_bfs_result *bfs, const an_pathbuf *pb)
{
    char buf[AN_LABEL_MAX];

    an_json_array(j);
    for (uint32_t r = 0; r < pb->n_runs; r++) {
        const an_run *run = &pb->runs[r];
        uint32_t obj = pb->objs[run->last];

        an_json_object(j);
        if (r == 0) {
            const an_root_ref *rr = an_roots_find(roots, obj);

            an_root_text(s, rr, obj, buf, sizeof(buf));
            an_json_key(j, "root");
            an_json_str(j, an_root_kind_name(rr ? rr->kind
                                                : MF_ROOT_UNREFERENCED));
        }
        else {
            an_path_run_label(s, bfs, pb, (uint32_t)(run - pb->runs), buf, sizeof(buf));
        }
        an_json_key(j, "label");
        an_json_str(j, buf);
        an_json_objref(j, s, obj);
        if (run->count > 1) {
            an_json_key(j, "repeat");
            an_json_u64(j, run->count);
        }
        if (run->repeats) {
            an_json_key(j, "repeated");
            an_json_bool(j, 1);
        }
        an_json_end_object(j);
    }
    an_json_end_array(j);
}
