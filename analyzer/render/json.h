/*
 * json.h - a small streaming JSON writer for muppy-analyze --json.
 *
 * The writer tracks nesting and commas; strings are escaped so that any
 * byte string becomes valid JSON: quotes, backslashes and control
 * characters are escaped and invalid UTF-8 bytes become U+FFFD.
 * Output is one compact line per document, then a newline.
 */
#ifndef AN_RENDER_JSON_H
#define AN_RENDER_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define AN_JSON_DEPTH 32

typedef struct an_json {
    FILE *f;
    int depth;
    int first[AN_JSON_DEPTH];   /* no member written yet at this level */
    int after_key;              /* a key was written, its value is next */
} an_json;

void an_json_init(an_json *j, FILE *f);
void an_json_object(an_json *j);        /* { */
void an_json_end_object(an_json *j);    /* } */
void an_json_array(an_json *j);         /* [ */
void an_json_end_array(an_json *j);     /* ] */
void an_json_key(an_json *j, const char *key);
void an_json_keyn(an_json *j, const char *key, size_t len);
void an_json_str(an_json *j, const char *s);
void an_json_strn(an_json *j, const char *s, size_t len);
void an_json_u64(an_json *j, uint64_t v);
void an_json_i64(an_json *j, int64_t v);
void an_json_double(an_json *j, double v);
void an_json_bool(an_json *j, int v);
void an_json_null(an_json *j);
/* Ends the document with a newline. */
void an_json_finish(an_json *j);

/* Write `len` bytes of `s` as a JSON string (with quotes) to f. */
void an_json_write_string(FILE *f, const char *s, size_t len);

#endif /* AN_RENDER_JSON_H */
