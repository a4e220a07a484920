/*
 * memory.c - the memory breakdown as text, JSON and a stacked bar.
 */
#include "render/memory.h"

#include <string.h>

#include "base/number.h"
#include "render/table.h"

/* the bar's colors, one per part (unexplained grey) */
static const char *const mem_color[AN_MEM_PARTS] = {
    "#4e79a7", "#f28e2b", "#76b7b2", "#59a14f", "#b07aa1", "#bab0ac",
};

/* What each part is, for the report's legend. */
static const char *const mem_what[AN_MEM_PARTS] = {
    "the Python objects (sys.getsizeof)",
    "memory the objects hold outside themselves (buffers, images)",
    "free space and overhead in pymalloc's arenas and malloc's heaps",
    "code, libraries, mapped files, shared memory",
    "libraries' data and native allocations no object accounts for",
    "what muppy cannot attribute (thread stacks, other mappings)",
};

/* A signed size: "956 KiB", "-12.0 KiB". */
static const char *
mem_size(int64_t v, char *buf, size_t cap)
{
    char b[32];

    if (v >= 0) {
        return an_format_size((uint64_t)v, buf, cap);
    }
    snprintf(buf, cap, "-%s", an_format_size(0 - (uint64_t)v, b, sizeof(b)));
    return buf;
}

/* part of the RSS: "45.7%", "-1.2%" */
static const char *
mem_share(int64_t v, int64_t rss, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.1f%%", rss > 0 ? 100.0 * (double)v / (double)rss
                                         : 0.0);
    return buf;
}

/* "pymalloc, malloc" for the parts the file lacks, into buf ("" when
 * none). */
static const char *
mem_missing(unsigned missing, char *buf, size_t cap)
{
    static const struct {
        unsigned bit;
        const char *what;
    } parts[] = {
        {MF_MEM_NO_MAPPINGS, "mappings (smaps_rollup)"},
        {MF_MEM_NO_PYMALLOC, "pymalloc"},
        {MF_MEM_NO_MALLOC, "malloc"},
    };
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (missing & parts[i].bit) {
            used += (size_t)snprintf(buf + used, used < cap ? cap - used : 0,
                                     "%s%s", used ? ", " : "",
                                     parts[i].what);
            if (used >= cap) {
                break;
            }
        }
    }
    return buf;
}

const char *
an_memory_headline(const an_memory *mem, unsigned major, unsigned minor,
                   char *buf, size_t cap)
{
    char a[32], b[32];

    if (!mem->recorded) {
        snprintf(buf, cap, "not recorded (%s)",
                 major == 1 && minor == 0
                     ? "format 1.0: the dumper did not record it"
                     : "no rss.current in the metadata");
    }
    else {
        snprintf(buf, cap, "RSS %s (%s bytes) at the dump",
                 an_format_size((uint64_t)mem->m.rss, a, sizeof(a)),
                 an_format_count((uint64_t)mem->m.rss, b, sizeof(b)));
    }
    return buf;
}

void
an_memory_print_text(const an_memory *mem, FILE *f, const char *indent)
{
    const mf_memory *m = &mem->m;
    an_table *t;
    char size[32], share[32], note[256], miss[64], a[32], b[32];

    if (!mem->recorded) {
        return;
    }
    /* the share and the note in one cell: no trailing blanks where
     * there is no note */
    t = an_table_new(3, "lrl");
    for (int p = 0; p < AN_MEM_PARTS; p++) {
        const char *cells[3];
        char last[320];

        note[0] = '\0';
        switch (p) {
        case AN_MEM_EXTERNAL:
            snprintf(note, sizeof(note), "%llu nodes",
                     (unsigned long long)m->external_nodes);
            if (m->external_file > 0) {
                snprintf(note + strlen(note), sizeof(note) - strlen(note),
                         "; %s in file mappings (within file-backed)",
                         an_format_size((uint64_t)m->external_file, a,
                                        sizeof(a)));
            }
            if (m->external_device > 0) {
                snprintf(note + strlen(note), sizeof(note) - strlen(note),
                         "; %s on devices (not in the RSS)",
                         an_format_size((uint64_t)m->external_device, a,
                                        sizeof(a)));
            }
            break;
        case AN_MEM_OTHER:
            snprintf(note, sizeof(note), "libraries' data %s, native %s",
                     mem_size(m->libraries, a, sizeof(a)),
                     mem_size(m->native, b, sizeof(b)));
            break;
        case AN_MEM_UNEXPLAINED:
            if (m->missing & ~MF_MEM_NO_RSS) {
                snprintf(note, sizeof(note), "not recorded, counted 0: %s",
                         mem_missing(m->missing, miss, sizeof(miss)));
            }
            break;
        default:
            break;
        }
        cells[0] = an_mem_part_label[p];
        cells[1] = mem_size(mem->part[p], size, sizeof(size));
        snprintf(last, sizeof(last), "%6s%s%s",
                 mem_share(mem->part[p], m->rss, share, sizeof(share)),
                 note[0] ? "  " : "", note);
        cells[2] = last;
        an_table_row(t, cells);
    }
    an_table_rowf(t, "= RSS\t%s\t100.0%%",
                  an_format_size((uint64_t)m->rss, size, sizeof(size)));
    an_table_print(t, f, indent);
    an_table_free(t);
}

void
an_memory_json(an_json *j, const an_memory *mem)
{
    const mf_memory *m = &mem->m;
    if (!mem->recorded) {
        an_json_null(j);
        return;
    }
    an_json_object(j);
    an_json_key(j, "rss");
    an_json_i64(j, m->rss);
    for (int p = 0; p < AN_MEM_PARTS; p++) {
        an_json_key(j, an_mem_part_key[p]);
        an_json_i64(j, mem->part[p]);
    }
    an_json_key(j, "libraries");
    an_json_i64(j, m->libraries);
    an_json_key(j, "native");
    an_json_i64(j, m->native);
    an_json_key(j, "external_file");
    an_json_i64(j, m->external_file);
    an_json_key(j, "external_device");
    an_json_i64(j, m->external_device);
    an_json_key(j, "external_nodes");
    an_json_u64(j, m->external_nodes);
    an_json_key(j, "not_recorded");
    an_json_array(j);
    if (m->missing & MF_MEM_NO_MAPPINGS) {
        an_json_str(j, "mappings");
    }
    if (m->missing & MF_MEM_NO_PYMALLOC) {
        an_json_str(j, "pymalloc");
    }
    if (m->missing & MF_MEM_NO_MALLOC) {
        an_json_str(j, "malloc");
    }
    an_json_end_array(j);
    an_json_end_object(j);
}

void
an_memory_write_html(an_outfile *o, const an_memory *mem)
{
    const mf_memory *m = &mem->m;
    char a[32], b[32], c[64], note[160];

    an_out_str(o, "<section id=\"memory\"><h2>Memory of the process</h2>");
    if (!mem->recorded) {
        an_out_str(o, "<p class=\"note\" id=\"memory-not-recorded\">Not "
                      "recorded: the snapshot does not say what the "
                      "process's resident memory was (a dumper before "
                      "format 1.1, or no /proc).</p></section>\n");
        return;
    }
    an_out_printf(o, "<p class=\"note\">Resident set size at the dump: "
                  "<b id=\"memory-rss\" data-v=\"%lld\">%s</b> (%s bytes), "
                  "broken down as objects + external nodes + allocator "
                  "free space + file-backed + other + unexplained.</p>\n",
                  (long long)m->rss,
                  an_format_size((uint64_t)m->rss, a, sizeof(a)),
                  an_format_count((uint64_t)m->rss, b, sizeof(b)));
    /* the bar: each part's width its share of bar_total; a negative
     * unexplained is not drawn (the legend says it) */
    an_out_str(o, "<div id=\"memory-bar\" style=\"display:flex;height:28px;"
                  "border:1px solid #dde1e8;border-radius:4px;"
                  "overflow:hidden;margin:6px 0\">");
    for (int p = 0; p < AN_MEM_PARTS; p++) {
        double w;

        if (mem->part[p] <= 0 || mem->bar_total == 0) {
            continue;
        }
        w = 100.0 * (double)mem->part[p] / (double)mem->bar_total;
        an_out_printf(o, "<div class=\"mem-seg\" data-part=\"%s\" "
                      "data-v=\"%lld\" style=\"width:%.4f%%;"
                      "background:%s\" title=\"%s: %s (%s of the RSS)\">"
                      "</div>",
                      an_mem_part_key[p], (long long)mem->part[p], w,
                      mem_color[p], an_mem_part_label[p],
                      mem_size(mem->part[p], a, sizeof(a)),
                      mem_share(mem->part[p], m->rss, b, sizeof(b)));
    }
    an_out_str(o, "</div>\n<table id=\"memory-legend\"><thead><tr><th></th>"
                  "<th>part</th><th class=\"num\">size</th>"
                  "<th class=\"num\">of the RSS</th><th>what</th></tr>"
                  "</thead><tbody>\n");
    for (int p = 0; p < AN_MEM_PARTS; p++) {
        an_out_printf(o, "<tr><td><span style=\"display:inline-block;"
                      "width:12px;height:12px;background:%s\"></span></td>"
                      "<td>%s</td><td class=\"num\" id=\"memory-%s\" "
                      "data-v=\"%lld\">%s</td><td class=\"num\">%s</td><td>",
                      mem_color[p], an_mem_part_label[p], an_mem_part_key[p],
                      (long long)mem->part[p],
                      mem_size(mem->part[p], a, sizeof(a)),
                      mem_share(mem->part[p], m->rss, b, sizeof(b)));
        an_out_text(o, mem_what[p], strlen(mem_what[p]), AN_ESC_HTML);
        if (p == AN_MEM_UNEXPLAINED && mem->part[p] < 0) {
            an_out_str(o, "; negative: counted but not resident "
                          "(pages never touched or given back), not "
                          "drawn");
        }
        if (p == AN_MEM_EXTERNAL && m->external_device > 0) {
            snprintf(note, sizeof(note), "; besides, %s on devices, not "
                     "in the RSS",
                     an_format_size((uint64_t)m->external_device, c,
                                    sizeof(c)));
            an_out_text(o, note, strlen(note), AN_ESC_HTML);
        }
        if (p == AN_MEM_UNEXPLAINED && (m->missing & ~MF_MEM_NO_RSS)) {
            snprintf(note, sizeof(note), " (not recorded, counted 0: %s)",
                     mem_missing(m->missing, c, sizeof(c)));
            an_out_text(o, note, strlen(note), AN_ESC_HTML);
        }
        an_out_str(o, "</td></tr>\n");
    }
    an_out_str(o, "</tbody></table></section>\n");
}
