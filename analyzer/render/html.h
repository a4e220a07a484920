/*
 * html.h - the one-file HTML report of `muppy-analyze report`: the page
 * that shows its model (lib/report.h).
 *
 * The page is self-contained: inline style, inline script (table
 * sorting), inline SVG (the treemap), and a Content-Security-Policy that
 * forbids the browser to fetch anything, so it opens the same offline,
 * as a bug report's attachment, anywhere.  Every text from a snapshot is
 * HTML-escaped (outfile.h).
 */
#ifndef AN_RENDER_HTML_H
#define AN_RENDER_HTML_H

#include <stdint.h>

#include "lib/report.h"
#include "render/outfile.h"

/* Write the page.  Write errors stay in o (an_outfile_commit()). */
void an_report_write_html(an_outfile *o, const an_report *r);


#endif /* AN_RENDER_HTML_H */
