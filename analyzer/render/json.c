/*
 * json.c - streaming JSON writer with proper string escaping.
 */
#include "render/json.h"

#include <math.h>
#include <string.h>

#include "muppy_util.h"

void
an_json_init(an_json *j, FILE *f)
{
    memset(j, 0, sizeof(*j));
    j->f = f;
    j->first[0] = 1;
}

/* Separator before a value or key at the current level. */
static void
json_sep(an_json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (!j->first[j->depth]) {
        fputc(',', j->f);
    }
    j->first[j->depth] = 0;
}

static void
json_open(an_json *j, int c)
{
    json_sep(j);
    fputc(c, j->f);
    if (j->depth + 1 < AN_JSON_DEPTH) {
        j->depth++;
    }
    j->first[j->depth] = 1;
}

static void
json_close(an_json *j, int c)
{
    fputc(c, j->f);
    if (j->depth > 0) {
        j->depth--;
    }
}

void an_json_object(an_json *j) { json_open(j, '{'); }
void an_json_end_object(an_json *j) { json_close(j, '}'); }
void an_json_array(an_json *j) { json_open(j, '['); }
void an_json_end_array(an_json *j) { json_close(j, ']'); }

void
an_json_keyn(an_json *j, const char *key, size_t len)
{
    json_sep(j);
    an_json_write_string(j->f, key, len);
    fputc(':', j->f);
    j->after_key = 1;
}

void
an_json_key(an_json *j, const char *key)
{
    an_json_keyn(j, key, strlen(key));
}

void
an_json_write_string(FILE *f, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    fputc('"', f);
    while (i < len) {
        unsigned c = s[i];
        size_t n;

        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc((int)c, f);
            i++;
            continue;
        }
        if (c < 0x20 || c == 0x7f) {
            switch (c) {
            case '\n': fputs("\\n", f); break;
            case '\r': fputs("\\r", f); break;
            case '\t': fputs("\\t", f); break;
            case '\b': fputs("\\b", f); break;
            case '\f': fputs("\\f", f); break;
            default: fprintf(f, "\\u%04x", c); break;
            }
            i++;
            continue;
        }
        n = mf_utf8_len(s + i, len - i);
        if (n == 0) {
            fputs("\\ufffd", f);
            i++;
            continue;
        }
        fwrite(s + i, 1, n, f);
        i += n;
    }
    fputc('"', f);
}

void
an_json_strn(an_json *j, const char *s, size_t len)
{
    json_sep(j);
    if (s == NULL) {
        fputs("null", j->f);
        return;
    }
    an_json_write_string(j->f, s, len);
}

void
an_json_str(an_json *j, const char *s)
{
    an_json_strn(j, s, s ? strlen(s) : 0);
}

void
an_json_u64(an_json *j, uint64_t v)
{
    json_sep(j);
    fprintf(j->f, "%llu", (unsigned long long)v);
}

void
an_json_i64(an_json *j, int64_t v)
{
    json_sep(j);
    fprintf(j->f, "%lld", (long long)v);
}

void
an_json_double(an_json *j, double v)
{
    json_sep(j);
    if (isfinite(v)) {
        fprintf(j->f, "%.17g", v);
    }
    else {
        fputs("null", j->f);   /* JSON has no NaN or infinity */
    }
}

void
an_json_bool(an_json *j, int v)
{
    json_sep(j);
    fputs(v ? "true" : "false", j->f);
}

void
an_json_null(an_json *j)
{
    json_sep(j);
    fputs("null", j->f);
}

void
an_json_finish(an_json *j)
{
    fputc('\n', j->f);
    fflush(j->f);
}
