/*
 * format.c - output formats by name, tables in a format.
 */
#include "render/format.h"

#include <stdio.h>
#include <string.h>

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
