/*
 * dot.c - the Graphviz writer.
 */
#include "render/dot.h"

#include <stdio.h>
#include <string.h>

#include "base/number.h"

static void
dot_quoted(an_outfile *o, const char *s)
{
    an_out_char(o, '"');
    an_out_text(o, s, strlen(s), AN_ESC_DOT);
    an_out_char(o, '"');
}

void
an_dot_begin(an_outfile *o, const char *title)
{
    an_out_str(o, "digraph muppy {\n"
                  "  graph [fontname=\"Helvetica\", "
                  "fontsize=12, labelloc=t];\n"
                  "  node [shape=box, style=\"rounded,filled\", "
                  "fillcolor=white, fontname=\"Helvetica\", fontsize=10];\n"
                  "  edge [fontname=\"Helvetica\", fontsize=9];\n");
    if (title != NULL && title[0] != '\0') {
        an_out_str(o, "  label=");
        dot_quoted(o, title);
        an_out_str(o, ";\n");
    }
}

void
an_dot_end(an_outfile *o)
{
    an_out_str(o, "}\n");
}

void
an_dot_begin_cluster(an_outfile *o, const char *name, const char *label)
{
    an_out_str(o, "  subgraph ");
    dot_quoted(o, name);
    an_out_str(o, " {\n    style=rounded; color=gray60; label=");
    dot_quoted(o, label ? label : "");
    an_out_str(o, ";\n");
}

void
an_dot_end_cluster(an_outfile *o)
{
    an_out_str(o, "  }\n");
}

void
an_dot_node(an_outfile *o, const char *id, const char *text, unsigned style)
{
    an_out_str(o, "  ");
    dot_quoted(o, id);
    an_out_str(o, " [label=");
    dot_quoted(o, text);
    if (style & AN_DOT_ROOT) {
        an_out_str(o, ", fillcolor=\"#f4a261\"");
    }
    else if (style & AN_DOT_TARGET) {
        an_out_str(o, ", fillcolor=\"#8ecae6\"");
    }
    if (style & AN_DOT_NOTE) {
        an_out_str(o, ", shape=plaintext, style=\"\"");
    }
    an_out_str(o, "];\n");
}

void
an_dot_object(an_outfile *o, const an_snap *s, const char *id, uint32_t obj,
              const char *extra, unsigned style)
{
    char size[32], text[1024];
    int n;

    n = snprintf(text, sizeof(text), "%s\n@0x%llx",
                 s->keys[an_snap_key_of(s, obj)].display,
                 (unsigned long long)s->cols.address[obj]);
    if (s->cols.size != NULL && n > 0 && (size_t)n < sizeof(text)) {
        n += snprintf(text + n, sizeof(text) - (size_t)n, "\n%s",
                      an_format_size(s->cols.size[obj], size, sizeof(size)));
    }
    if (extra != NULL && extra[0] != '\0' && n > 0
        && (size_t)n < sizeof(text)) {
        snprintf(text + n, sizeof(text) - (size_t)n, "\n%s", extra);
    }
    an_dot_node(o, id, text, style);
}

void
an_dot_edge(an_outfile *o, const char *from, const char *to,
            const char *label, unsigned style)
{
    an_out_str(o, "  ");
    dot_quoted(o, from);
    an_out_str(o, " -> ");
    dot_quoted(o, to);
    an_out_str(o, " [");
    if (label != NULL && label[0] != '\0') {
        an_out_str(o, "label=");
        dot_quoted(o, label);
        an_out_str(o, ", ");
    }
    if (style & AN_DOT_WEAK) {
        an_out_str(o, "style=dashed, ");
    }
    if (style & AN_DOT_LOOP) {
        an_out_str(o, "style=bold, color=gray40, ");
    }
    an_out_str(o, "arrowsize=0.7];\n");
}
