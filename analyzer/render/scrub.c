/*
 * scrub.c - what a scrub wrote, as a line of text or as JSON.
 */
#include "render/scrub.h"

#include <stdio.h>

#include "base/number.h"
#include "render/json.h"

static void
scrub_json(const char *out, unsigned drop, const an_scrub_stats *st)
{
    static const char *const words[] = {"labels", "names", "strings",
                                         "metadata", "addresses"};
    an_json j;

    an_json_init(&j, stdout);
    an_json_object(&j);
    an_json_key(&j, "path");
    an_json_str(&j, out);
    an_json_key(&j, "dropped");
    an_json_array(&j);
    for (unsigned i = 0; i < 5; i++) {
        if (drop & (1u << i)) {
            an_json_str(&j, words[i]);
        }
    }
    an_json_end_array(&j);
    an_json_key(&j, "objects");
    an_json_u64(&j, st->objects);
    an_json_key(&j, "file_size");
    an_json_u64(&j, st->file_bytes);
    an_json_key(&j, "placeholders");
    an_json_object(&j);
    an_json_key(&j, "k");
    an_json_u64(&j, st->keys);
    an_json_key(&j, "a");
    an_json_u64(&j, st->attrs);
    an_json_key(&j, "v");
    an_json_u64(&j, st->locals);
    an_json_key(&j, "f");
    an_json_u64(&j, st->funcs);
    an_json_key(&j, "m");
    an_json_u64(&j, st->modules);
    an_json_key(&j, "C");
    an_json_u64(&j, st->classes);
    an_json_end_object(&j);
    an_json_key(&j, "int_keys_ranked");
    an_json_u64(&j, st->int_keys);
    an_json_key(&j, "names_dropped");
    an_json_u64(&j, st->names);
    an_json_key(&j, "strings_dropped");
    an_json_u64(&j, st->strings);
    an_json_key(&j, "addresses_renumbered");
    an_json_u64(&j, st->addresses);
    an_json_end_object(&j);
    an_json_finish(&j);
}

static void
scrub_text(const char *out, unsigned drop, const an_scrub_stats *st)
{
    char o[32], s[32], k[32], a[32], v[32], n[32], t[32], m[32], c[32],
         ik[32], w[96];

    printf("wrote '%s' (%s objects, %s), dropped %s: %s dict keys, %s "
           "attribute names and %s local names replaced, %s int keys "
           "ranked; %s module and %s class names replaced, %s names and "
           "%s str values dropped\n", out,
           an_format_count(st->objects, o, sizeof(o)),
           an_format_size(st->file_bytes, s, sizeof(s)),
           an_scrub_words(drop, w, sizeof(w)),
           an_format_count(st->keys, k, sizeof(k)),
           an_format_count(st->attrs, a, sizeof(a)),
           an_format_count(st->locals, v, sizeof(v)),
           an_format_count(st->int_keys, ik, sizeof(ik)),
           an_format_count(st->modules, m, sizeof(m)),
           an_format_count(st->classes, c, sizeof(c)),
           an_format_count(st->names, n, sizeof(n)),
           an_format_count(st->strings, t, sizeof(t)));
}

void
an_print_scrub(const char *out, unsigned drop, const an_scrub_stats *st,
               an_format fmt)
{
    if (fmt == AN_FORMAT_JSON) {
        scrub_json(out, drop, st);
    }
    else {
        scrub_text(out, drop, st);
    }
}
