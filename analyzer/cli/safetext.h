/*
 * safetext.h - no control character from a snapshot reaches a terminal.
 *
 * Type names, labels, root labels and metadata come from the file, which
 * may come from anyone: an escape sequence among them would drive the
 * terminal of whoever reads the output (move the cursor, rewrite earlier
 * lines, set the window title...).  Rather than trusting every printf of
 * every renderer to escape, the analyzer's standard output is one filter:
 * each byte that is not printable text leaves as a visible escape.
 *
 *   - tab and newline pass;
 *   - other C0 controls (0x00-0x1f) and DEL become \xNN;
 *   - valid UTF-8 passes, except the C1 controls U+0080-U+009F (8-bit
 *     CSI and friends), which become \u00NN;
 *   - bytes that are not valid UTF-8 become \xNN.
 *
 * JSON output already escapes all of these (json.h), so the filter never
 * changes it; text, markdown and dot output can only gain escapes.
 */
#ifndef AN_CLI_SAFETEXT_H
#define AN_CLI_SAFETEXT_H

#include <stddef.h>

/*
 * an_safe_stdout() - route stdout through the filter (once, before any
 * output).  Returns 0, or -1 when the stream could not be made (stdout
 * is then left as it was).
 */
int an_safe_stdout(void);

/*
 * an_safe_text() - the same escaping of s[0..len) into buf (always
 * NUL-terminated when cap > 0, cut at a whole escape); returns the
 * length written.  For messages on stderr.
 */
size_t an_safe_text(const char *s, size_t len, char *buf, size_t cap);

#endif /* AN_CLI_SAFETEXT_H */
