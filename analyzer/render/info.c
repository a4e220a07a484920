/*
 * info.c - a snapshot's metadata, counts and integrity as text or JSON.
 */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include "render/info.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/number.h"
#include "render/json.h"
#include "render/memory.h"
#include "render/table.h"

/* Append " (2026-11-25 15:07:44 UTC)" to the "time" value in buf. */
static void
info_meta_time(const mf_reader *r, const mf_meta *m, char *buf,
               size_t cap)
{
    const char *key = mf_reader_string(r, m->key, NULL);
    struct tm tm;
    time_t t;
    size_t used = strlen(buf);

    if (key == NULL || strcmp(key, "time") != 0 || !(m->v.f >= 0)
        || m->v.f > 1e12) {
        return;
    }
    t = (time_t)m->v.f;
    if (gmtime_r(&t, &tm) != NULL && used < cap) {
        strftime(buf + used, cap - used, " (%Y-%m-%d %H:%M:%S UTC)", &tm);
    }
}

/* Print one metadata value as text into buf. */
static void
info_meta_value(const mf_reader *r, const mf_meta *m, char *buf,
                size_t cap)
{
    size_t len;
    const char *s;

    switch (m->kind) {
    case MF_META_STR:
        s = mf_reader_string(r, m->v.str, &len);
        snprintf(buf, cap, "%.*s", s ? (int)(len > 200 ? 200 : len) : 0,
                 s ? s : "");
        break;
    case MF_META_INT:
        snprintf(buf, cap, "%lld", (long long)m->v.i);
        break;
    case MF_META_FLOAT:
        snprintf(buf, cap, "%.6f", m->v.f);
        info_meta_time(r, m, buf, cap);
        break;
    default:
        snprintf(buf, cap, "?");
        break;
    }
}

static void
info_json(const an_snap *s, const mf_error *verr, int verified,
          const an_memory *mem)
{
    const mf_file_info *fi = s->info;
    an_json j;
    uint32_t n_meta;
    const mf_meta *meta = mf_reader_meta(s->reader, &n_meta);
    char ver[32];

    an_json_init(&j, stdout);
    an_json_object(&j);
    an_json_key(&j, "path");
    an_json_str(&j, s->path);
    snprintf(ver, sizeof(ver), "%u.%u", fi->major, fi->minor);
    an_json_key(&j, "version");
    an_json_str(&j, ver);
    an_json_key(&j, "file_size");
    an_json_u64(&j, fi->file_size);
    an_json_key(&j, "blocks");
    an_json_u64(&j, fi->blocks);
    an_json_key(&j, "objects");
    an_json_u64(&j, fi->objects);
    an_json_key(&j, "edges");
    an_json_u64(&j, fi->edges);
    an_json_key(&j, "size");
    an_json_u64(&j, fi->total_size);
    an_json_key(&j, "types");
    an_json_u64(&j, fi->types);
    an_json_key(&j, "strings");
    an_json_u64(&j, fi->strings);
    an_json_key(&j, "roots");
    an_json_u64(&j, fi->roots);
    an_json_key(&j, "partial");
    an_json_bool(&j, fi->partial);
    if (fi->partial) {
        an_json_key(&j, "valid_bytes");
        an_json_u64(&j, fi->valid_bytes);
    }
    an_json_key(&j, "integrity");
    an_json_str(&j, verified ? (fi->partial ? "partial" : "ok")
                             : "damaged");
    an_json_key(&j, "damage");
    if (!verified || fi->partial) {
        const mf_error *d = !verified ? verr : &fi->damage;

        an_json_object(&j);
        an_json_key(&j, "code");
        an_json_str(&j, mf_code_name(d->code));
        an_json_key(&j, "message");
        an_json_str(&j, d->message);
        an_json_key(&j, "block");
        if (d->block >= 0) {
            an_json_i64(&j, d->block);
        }
        else {
            an_json_null(&j);
        }
        an_json_key(&j, "offset");
        if (d->offset != UINT64_MAX) {
            an_json_u64(&j, d->offset);
        }
        else {
            an_json_null(&j);
        }
        an_json_end_object(&j);
    }
    else {
        an_json_null(&j);
    }
    an_json_key(&j, "memory");
    an_memory_json(&j, mem);
    an_json_key(&j, "meta");
    an_json_object(&j);
    for (uint32_t i = 0; meta && i < n_meta; i++) {
        size_t len;
        const char *k = mf_reader_string(s->reader, meta[i].key, &len);

        if (k == NULL) {
            continue;
        }
        an_json_keyn(&j, k, len);
        switch (meta[i].kind) {
        case MF_META_STR: {
            size_t vl;
            const char *v = mf_reader_string(s->reader, meta[i].v.str, &vl);

            an_json_strn(&j, v, vl);
            break;
        }
        case MF_META_INT:
            an_json_i64(&j, meta[i].v.i);
            break;
        case MF_META_FLOAT:
            an_json_double(&j, meta[i].v.f);
            break;
        default:
            an_json_null(&j);
            break;
        }
    }
    an_json_end_object(&j);
    an_json_end_object(&j);
    an_json_finish(&j);
}

static void
info_text(const an_snap *s, const mf_error *verr, int verified,
          const an_memory *mem)
{
    const mf_file_info *fi = s->info;
    uint32_t n_meta;
    const mf_meta *meta = mf_reader_meta(s->reader, &n_meta);
    an_table *t = an_table_new(2, "ll");
    char a[64], b[64], line[512];

    snprintf(line, sizeof(line), "%s (%s, %llu blocks)", s->path,
             an_format_size(fi->file_size, a, sizeof(a)),
             (unsigned long long)fi->blocks);
    an_table_rowf(t, "file:\t%s", line);
    an_table_rowf(t, "format:\t%u.%u", fi->major, fi->minor);
    an_table_rowf(t, "objects:\t%s", an_format_count(fi->objects, a,
                                                      sizeof(a)));
    an_table_rowf(t, "edges:\t%s", an_format_count(fi->edges, a, sizeof(a)));
    an_table_rowf(t, "types:\t%s", an_format_count(fi->types, a, sizeof(a)));
    an_table_rowf(t, "strings:\t%s", an_format_count(fi->strings, a,
                                                      sizeof(a)));
    an_table_rowf(t, "roots:\t%s", an_format_count(fi->roots, a, sizeof(a)));
    an_table_rowf(t, "total size:\t%s (%s bytes)",
                  an_format_size(fi->total_size, a, sizeof(a)),
                  an_format_count(fi->total_size, b, sizeof(b)));
    if (!verified) {
        snprintf(line, sizeof(line), "DAMAGED: %s", verr->message);
    }
    else if (fi->partial) {
        snprintf(line, sizeof(line),
                 "INCOMPLETE: %s; %s bytes of valid blocks used",
                 fi->damage.message[0] ? fi->damage.message : "truncated",
                 an_format_count(fi->valid_bytes, a, sizeof(a)));
    }
    else {
        snprintf(line, sizeof(line),
                 "ok (all %llu blocks and checksums verified)",
                 (unsigned long long)fi->blocks);
    }
    an_table_rowf(t, "integrity:\t%s", line);
    if (!verified && an_memory_recorded(s)) {
        snprintf(line, sizeof(line), "not computed (the file is damaged)");
    }
    else {
        an_memory_headline(mem, fi->major, fi->minor, line, sizeof(line));
    }
    an_table_rowf(t, "memory:\t%s", line);
    an_table_print(t, stdout, NULL);
    an_table_free(t);
    an_memory_print_text(mem, stdout, "  ");

    if (meta != NULL && n_meta > 0) {
        t = an_table_new(2, "ll");
        printf("metadata:\n");
        for (uint32_t i = 0; i < n_meta; i++) {
            size_t len;
            const char *k = mf_reader_string(s->reader, meta[i].key, &len);
            const char *cells[2];

            info_meta_value(s->reader, &meta[i], line, sizeof(line));
            snprintf(a, sizeof(a), "%.*s", k ? (int)(len > 60 ? 60 : len) : 1,
                     k ? k : "?");
            cells[0] = a;
            cells[1] = line;
            an_table_row(t, cells);
        }
        an_table_print(t, stdout, "  ");
        an_table_free(t);
    }
}

void
an_print_info(const an_snap *s, const mf_error *verr, int verified,
              const an_memory *mem, an_format fmt)
{
    if (fmt == AN_FORMAT_JSON) {
        info_json(s, verr, verified, mem);
    }
    else {
        info_text(s, verr, verified, mem);
    }
}
