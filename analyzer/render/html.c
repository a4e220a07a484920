/*
 * html.c - the HTML report writer.
 */
#include "render/html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/number.h"
#include "muppy_format.h"
#include "render/memory.h"

static const char *const report_palette[] = {
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#86bcb6", "#d37295", "#a0cbe8",
};
#define REPORT_COLORS (sizeof(report_palette) / sizeof(report_palette[0]))

static const char report_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    /* nothing may be fetched: the page must open the same offline */
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
    "'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, "
    "initial-scale=1\">\n";

static const char report_style[] =
    "<style>\n"
    "body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',Helvetica,"
    "Arial,sans-serif;margin:0;color:#1d2433;background:#f6f7f9}\n"
    "header{background:#1d2433;color:#fff;padding:14px 24px}\n"
    "header h1{margin:0;font-size:20px;font-weight:600}\n"
    "header p{margin:4px 0 0;color:#b8c0d0;font-size:12px}\n"
    "main{padding:8px 24px 40px;max-width:1180px}\n"
    "section{background:#fff;border:1px solid #dde1e8;border-radius:6px;"
    "padding:12px 16px;margin:14px 0}\n"
    "h2{font-size:16px;margin:2px 0 8px}\n"
    "p.note{color:#5a6478;font-size:12px;margin:4px 0 8px}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:10px}\n"
    ".card{border:1px solid #dde1e8;border-radius:6px;padding:8px 12px;"
    "min-width:150px}\n"
    ".card .v{font-size:20px;font-weight:600}\n"
    ".card .k{color:#5a6478;font-size:12px}\n"
    "table{border-collapse:collapse;width:100%;font-size:13px}\n"
    "th,td{padding:3px 8px;border-bottom:1px solid #eceff3;"
    "text-align:left;vertical-align:top}\n"
    "th{background:#f0f2f5;position:sticky;top:0}\n"
    "table.sortable th{cursor:pointer;user-select:none}\n"
    "table.sortable th:after{content:' \\2195';color:#9aa3b2}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}\n"
    "td.pos{color:#b3261e}td.neg{color:#2e7d32}\n"
    ".scroll{max-height:520px;overflow:auto}\n"
    "code,pre{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace}\n"
    "pre.path{white-space:pre-wrap;word-break:break-all;margin:2px 0;"
    "color:#33415c}\n"
    "svg text{font:11px system-ui,Helvetica,Arial,sans-serif;"
    "pointer-events:none}\n"
    "svg .m{font-weight:600;font-size:12px}\n"
    "</style>\n";

static const char report_script[] =
    "<script>\n"
    "document.querySelectorAll('table.sortable').forEach(function(t){\n"
    " t.querySelectorAll('th').forEach(function(th,i){\n"
    "  th.addEventListener('click',function(){\n"
    "   var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows);\n"
    "   var num=th.classList.contains('num');\n"
    "   var asc=th.getAttribute('data-dir')!=='asc';\n"
    "   rows.sort(function(x,y){\n"
    "    var u=num?Number(x.cells[i].getAttribute('data-v')):"
    "x.cells[i].textContent;\n"
    "    var v=num?Number(y.cells[i].getAttribute('data-v')):"
    "y.cells[i].textContent;\n"
    "    var c=u<v?-1:u>v?1:0;return asc?c:-c;});\n"
    "   t.querySelectorAll('th').forEach(function(h){"
    "h.removeAttribute('data-dir');});\n"
    "   th.setAttribute('data-dir',asc?'asc':'desc');\n"
    "   rows.forEach(function(r){b.appendChild(r);});\n"
    "  });\n"
    " });\n"
    "});\n"
    "</script>\n";

/* Escaped text. */
static void
rp_text(an_outfile *o, const char *s)
{
    if (s != NULL) {
        an_out_text(o, s, strlen(s), AN_ESC_HTML);
    }
}

/* A numeric cell: the raw value for sorting, the display text shown. */
static void
rp_td_num(an_outfile *o, int64_t v, const char *display, const char *cls)
{
    an_out_printf(o, "<td class=\"num%s%s\" data-v=\"%lld\">", cls ? " " : "",
                  cls ? cls : "", (long long)v);
    rp_text(o, display);
    an_out_str(o, "</td>");
}

static void
rp_td_count(an_outfile *o, uint64_t v)
{
    char b[32];

    rp_td_num(o, (int64_t)v, an_format_count(v, b, sizeof(b)), NULL);
}

static void
rp_td_size(an_outfile *o, uint64_t v)
{
    char b[32];

    rp_td_num(o, (int64_t)v, an_format_size(v, b, sizeof(b)), NULL);
}

static void
rp_td_text(an_outfile *o, const char *s)
{
    an_out_str(o, "<td>");
    rp_text(o, s);
    an_out_str(o, "</td>");
}

/* A figure card with an id the tests read (data-v: the raw value). */
static void
rp_card(an_outfile *o, const char *id, uint64_t v, const char *display,
        const char *what)
{
    an_out_printf(o, "<div class=\"card\"><div class=\"v\" id=\"%s\" "
                  "data-v=\"%llu\">", id, (unsigned long long)v);
    rp_text(o, display);
    an_out_str(o, "</div><div class=\"k\">");
    rp_text(o, what);
    an_out_str(o, "</div></div>\n");
}

static void
rp_overview(an_outfile *o, const an_report *r)
{
    char b[32];

    an_out_str(o, "<section id=\"overview\"><h2>Overview</h2>"
                  "<div class=\"cards\">\n");
    rp_card(o, "total-objects", r->objects,
            an_format_count(r->objects, b, sizeof(b)), "objects");
    rp_card(o, "total-size", r->size, an_format_size(r->size, b, sizeof(b)),
            "total size (sys.getsizeof)");
    rp_card(o, "total-edges", r->edges,
            an_format_count(r->edges, b, sizeof(b)), "references");
    rp_card(o, "reachable-size", r->reachable_size,
            an_format_size(r->reachable_size, b, sizeof(b)),
            "reachable from the roots");
    rp_card(o, "unreachable-size", r->unreachable_size,
            an_format_size(r->unreachable_size, b, sizeof(b)),
            "unreachable (garbage cycles, weakly referenced)");
    rp_card(o, "total-types", r->n_types,
            an_format_count(r->n_types, b, sizeof(b)), "types");
    rp_card(o, "total-modules", r->n_modules,
            an_format_count(r->n_modules, b, sizeof(b)), "modules");
    an_out_str(o, "</div></section>\n");
}

static void
rp_meta(an_outfile *o, const an_report *r)
{
    an_out_str(o, "<section id=\"metadata\"><h2>Snapshot</h2>"
                  "<table><tbody>\n<tr><th>file</th>");
    rp_td_text(o, r->snap);
    an_out_str(o, "</tr>\n");
    for (uint32_t i = 0; i < r->n_meta; i++) {
        an_out_str(o, "<tr><th>");
        rp_text(o, r->meta[i].key);
        an_out_str(o, "</th>");
        rp_td_text(o, r->meta[i].value);
        an_out_str(o, "</tr>\n");
    }
    an_out_str(o, "</tbody></table></section>\n");
}

/* What a box of the treemap stands for, in its tooltip. */
static void
rp_box_title(an_outfile *o, const an_report *r, const an_report_box *b)
{
    char title[600], r1[32], r2[32], r3[32], n1[32];

    switch (b->kind) {
    case AN_REPORT_BOX_TYPE:
        snprintf(title, sizeof(title), "%s%s%s: %s charged; %s instances "
                 "of %s own; their outermost instances retain %s",
                 b->module, b->module[0] ? "." : "", b->qualname,
                 an_format_size(b->value, r1, sizeof(r1)),
                 an_format_count(b->count, n1, sizeof(n1)),
                 an_format_size(b->size, r2, sizeof(r2)),
                 an_format_size(b->retained, r3, sizeof(r3)));
        break;
    case AN_REPORT_BOX_MODULE:
        snprintf(title, sizeof(title), "module %s: %s charged (%.1f%% of "
                 "the reachable size)", b->label,
                 an_format_size(b->value, r1, sizeof(r1)),
                 r->charged ? 100.0 * (double)b->value / (double)r->charged
                            : 0.0);
        break;
    default:
        snprintf(title, sizeof(title), "%s: %s charged", b->label,
                 an_format_size(b->value, r1, sizeof(r1)));
        break;
    }
    rp_text(o, title);
}

static void
rp_treemap(an_outfile *o, const an_report *r)
{
    an_out_str(o, "<section id=\"treemap\"><h2>Where the memory is: "
                  "retained size by module and type</h2>\n"
                  "<p class=\"note\">Each reachable object's size is "
                  "charged to the nearest instance of a Python class that "
                  "keeps it alive (its dominator), or to itself when no "
                  "class instance does, so the areas add up to the "
                  "reachable size: a class's box is what its instances "
                  "retain, less what nested class instances retain. "
                  "Hover for figures.</p>\n");
    an_out_printf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                  "viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" role=\"img\" "
                  "aria-label=\"treemap of retained size\">\n",
                  AN_REPORT_TM_W, AN_REPORT_TM_H);
    for (uint32_t i = 0; i < r->n_boxes; i++) {
        const an_report_box *b = &r->boxes[i];
        const char *fill = report_palette[b->color % REPORT_COLORS];

        if (b->r.w <= 0.0 || b->r.h <= 0.0) {
            continue;
        }
        an_out_printf(o, "<g class=\"%s\"><rect x=\"%.1f\" y=\"%.1f\" "
                      "width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                      "fill-opacity=\"%s\" stroke=\"#fff\" "
                      "stroke-width=\"%s\"><title>",
                      b->level ? "t" : "m", b->r.x, b->r.y, b->r.w, b->r.h,
                      fill, b->level ? "0.75" : "0.35",
                      b->level ? "1" : "2");
        rp_box_title(o, r, b);
        an_out_str(o, "</title></rect>");
        /* a label where it fits (about 6.5 px a character) */
        if (b->r.h >= 14.0 && b->r.w >= 40.0 && b->label != NULL) {
            size_t fit = (size_t)((b->r.w - 6.0) / 6.5);
            size_t len = strlen(b->label);

            an_out_printf(o, "<text x=\"%.1f\" y=\"%.1f\"%s>",
                          b->r.x + 3.0, b->r.y + 12.0,
                          b->level ? "" : " class=\"m\"");
            if (len > fit) {
                /* cut on a character boundary */
                while (fit > 0
                       && ((unsigned char)b->label[fit] & 0xc0) == 0x80) {
                    fit--;
                }
                an_out_text(o, b->label, fit, AN_ESC_HTML);
                an_out_str(o, "\xe2\x80\xa6");
            }
            else {
                rp_text(o, b->label);
            }
            an_out_str(o, "</text>");
        }
        an_out_str(o, "</g>\n");
    }
    an_out_str(o, "</svg></section>\n");
}

static void
rp_rows(an_outfile *o, const an_report *r, int modules)
{
    const an_report_row *rows = modules ? r->modules : r->types;
    uint32_t n = modules ? r->n_modules_shown : r->n_types_shown;
    uint64_t total = modules ? r->n_modules : r->n_types;
    char b[32], c[32];

    an_out_printf(o, "<section id=\"%s\"><h2>Summary by %s</h2>\n",
                  modules ? "by-module" : "by-type",
                  modules ? "module" : "type");
    an_out_str(o, "<p class=\"note\">Click a column to sort. Retained: "
                  "what would be freed with the group's outermost "
                  "instances (no byte counts twice within a group).");
    if (n < total) {
        an_out_printf(o, " The %u largest of %s are shown.", n,
                      an_format_count(total, b, sizeof(b)));
    }
    an_out_str(o, "</p>\n<div class=\"scroll\"><table class=\"sortable\">"
                  "<thead><tr>");
    if (!modules) {
        an_out_str(o, "<th>type</th>");
    }
    an_out_str(o, "<th>module</th><th class=\"num\">count</th>"
                  "<th class=\"num\">size</th><th class=\"num\">share</th>"
                  "<th class=\"num\">retained</th></tr></thead><tbody>\n");
    for (uint32_t i = 0; i < n; i++) {
        const an_report_row *w = &rows[i];
        double share = r->size ? 100.0 * (double)w->size / (double)r->size
                               : 0.0;

        an_out_str(o, "<tr>");
        if (!modules) {
            rp_td_text(o, w->name);
        }
        rp_td_text(o, w->module[0] ? w->module : "(no module)");
        rp_td_count(o, w->count);
        rp_td_size(o, w->size);
        snprintf(c, sizeof(c), "%.1f%%", share);
        rp_td_num(o, (int64_t)(share * 1000.0), c, NULL);
        rp_td_size(o, w->retained);
        an_out_str(o, "</tr>\n");
    }
    an_out_str(o, "</tbody></table></div></section>\n");
}

static void
rp_objects(an_outfile *o, const an_report_object *obj, uint32_t n)
{
    an_out_str(o, "<table><thead><tr>");
    an_out_str(o, "<th class=\"num\">retained</th><th class=\"num\">size"
                  "</th><th>object and a shortest path from a root</th>"
                  "</tr></thead><tbody>\n");
    for (uint32_t i = 0; i < n; i++) {
        an_out_str(o, "<tr>");
        rp_td_size(o, obj[i].retained);
        rp_td_size(o, obj[i].size);
        an_out_str(o, "<td><code>");
        rp_text(o, obj[i].type);
        an_out_str(o, " @");
        rp_text(o, obj[i].address);
        an_out_str(o, "</code>");
        an_out_str(o, "<pre class=\"path\">");
        rp_text(o, obj[i].path);
        an_out_str(o, "</pre></td></tr>\n");
    }
    an_out_str(o, "</tbody></table>\n");
}

static void
rp_growth(an_outfile *o, const an_report *r)
{
    char b1[32], b2[32], b3[32];

    an_out_str(o, "<section id=\"growth\"><h2>Growth since ");
    rp_text(o, r->base);
    an_out_printf(o, "</h2>\n<p class=\"note\">%s &rarr; %s objects, ",
                  an_format_count(r->base_objects, b1, sizeof(b1)),
                  an_format_count(r->objects, b2, sizeof(b2)));
    an_out_printf(o, "<span id=\"growth-size\" data-v=\"%lld\">%s</span> "
                  "(%s changed types",
                  (long long)(r->size - r->base_size),
                  an_format_delta((int64_t)(r->size - r->base_size), b3,
                                  sizeof(b3)),
                  an_format_count(r->n_changed, b1, sizeof(b1)));
    if (r->n_changes < r->n_changed) {
        an_out_printf(o, ", the %u that grew most shown", r->n_changes);
    }
    an_out_str(o, ").</p>\n<div class=\"scroll\"><table class=\"sortable\">"
                  "<thead><tr><th>type</th><th>module</th>"
                  "<th class=\"num\">count</th><th class=\"num\">delta</th>"
                  "<th class=\"num\">size</th><th class=\"num\">delta</th>"
                  "</tr></thead><tbody>\n");
    for (uint32_t i = 0; i < r->n_changes; i++) {
        const an_report_change *c = &r->changes[i];
        int64_t dc = (int64_t)(c->count_b - c->count_a);
        int64_t ds = (int64_t)(c->size_b - c->size_a);

        an_out_str(o, "<tr>");
        rp_td_text(o, c->name);
        rp_td_text(o, c->module[0] ? c->module : "(no module)");
        rp_td_count(o, c->count_b);
        rp_td_num(o, dc, an_format_count_delta(dc, b1, sizeof(b1)),
                  dc > 0 ? "pos" : dc < 0 ? "neg" : NULL);
        rp_td_size(o, c->size_b);
        rp_td_num(o, ds, an_format_delta(ds, b2, sizeof(b2)),
                  ds > 0 ? "pos" : ds < 0 ? "neg" : NULL);
        an_out_str(o, "</tr>\n");
    }
    an_out_str(o, "</tbody></table></div></section>\n");
}

static void
rp_leaks(an_outfile *o, const an_report *r)
{
    char b1[32];

    an_out_str(o, "<section id=\"leaks\"><h2>Leaks: new since ");
    rp_text(o, r->base);
    an_out_str(o, ", still alive in ");
    rp_text(o, r->final);
    an_out_printf(o, "</h2>\n<p class=\"note\"><span id=\"leak-candidates\" "
                  "data-v=\"%llu\">%s</span> objects of this snapshot are "
                  "new since the base and still present in the final "
                  "snapshot.  One entry per accumulation point: the object "
                  "through which they are held (for a new structure, its "
                  "outermost object and where it fans out), with what it "
                  "gained (points of at least 2 objects), largest retained "
                  "size first; figures are of the final snapshot.</p>\n",
                  (unsigned long long)r->candidates,
                  an_format_count(r->candidates, b1, sizeof(b1)));
    if (r->n_leaks == 0) {
        an_out_str(o, "<p id=\"no-leaks\">No accumulation point.</p>\n");
        an_out_str(o, "</section>\n");
        return;
    }
    an_out_str(o, "<table><thead><tr><th class=\"num\">gained</th>"
                  "<th class=\"num\">retained</th><th>accumulation point"
                  "</th></tr></thead><tbody>\n");
    for (uint32_t i = 0; i < r->n_leaks; i++) {
        const an_report_leak *t = &r->leaks[i];

        an_out_str(o, "<tr>");
        rp_td_count(o, t->count);
        rp_td_size(o, t->retained);
        an_out_str(o, "<td><code>");
        rp_text(o, t->label);
        an_out_str(o, "</code>");
        if (t->is_new) {
            an_out_str(o, " (new ");
            rp_text(o, t->type);
            an_out_str(o, ")");
        }
        an_out_str(o, "<pre class=\"path\">gained   ");
        rp_text(o, t->types);
        an_out_str(o, "\nhanging  ");
        rp_text(o, t->hang);
        an_out_str(o, "\nat       ");
        rp_text(o, t->path);
        an_out_str(o, "\ne.g.     ");
        rp_text(o, t->example);
        an_out_str(o, "</pre></td></tr>\n");
    }
    an_out_str(o, "</tbody></table>\n");
    if (r->n_leaks < r->n_points) {
        an_out_printf(o, "<p class=\"note\">%u more accumulation points."
                      "</p>\n", r->n_points - r->n_leaks);
    }
    an_out_str(o, "</section>\n");
}

void
an_report_write_html(an_outfile *o, const an_report *r)
{
    an_out_str(o, report_head);
    an_out_str(o, "<title>muppy heap report: ");
    rp_text(o, r->snap);
    an_out_str(o, "</title>\n");
    an_out_str(o, report_style);
    an_out_str(o, "</head>\n<body>\n<header><h1>Heap report: ");
    rp_text(o, r->snap);
    an_out_str(o, "</h1><p>muppy-analyze " MF_LIBRARY_VERSION
                  " &middot; a CPython heap snapshot, analyzed offline"
                  "</p></header>\n<main>\n");
    rp_overview(o, r);
    an_memory_write_html(o, &r->memory);
    if (r->final != NULL) {
        rp_leaks(o, r);
    }
    if (r->base != NULL) {
        rp_growth(o, r);
    }
    rp_treemap(o, r);
    rp_rows(o, r, 0);
    rp_rows(o, r, 1);
    an_out_str(o, "<section id=\"retained\"><h2>Objects that retain the "
                  "most</h2>\n");
    rp_objects(o, r->top, r->n_top);
    an_out_str(o, "</section>\n");
    rp_meta(o, r);
    an_out_str(o, "</main>\n");
    an_out_str(o, report_script);
    an_out_str(o, "</body>\n</html>\n");
}
