/*
 * labels.h - strings of the snapshot: labels, names, str values.
 *
 * Every string written (a dict key, an attribute or field name, a
 * module, class or function name, a root label, a str's value) goes to
 * the writer's string table, which gives it an id.  md_sid() caches the
 * ids of str objects and C strings by address, so that a hot key is
 * hashed by the writer once.  Str contents are encoded here, never with
 * PyUnicode_AsUTF8 (which caches the UTF-8 in the str and changes the
 * size sys.getsizeof reports).
 */
#ifndef MUPPY_LABELS_H
#define MUPPY_LABELS_H

#include "state.h"

#define MD_LABEL_MAX 120        /* bytes of a dict key / attribute label */

/* allocate / free the label cache and the UTF-8 buffer (0, or -1 with
 * MemoryError) */
int md_labels_init(md_state *d);
void md_labels_free(md_state *d);

/*
 * md_utf8() - the first max_chars characters of str `s` as UTF-8, at most
 * max_bytes bytes, surrogates escaped as \udXXX, in d->sbuf
 * (NUL-terminated; valid until the next call).  Returns the length, or
 * -1 (MemoryError set).
 */
Py_ssize_t md_utf8(md_state *d, PyObject *s, Py_ssize_t max_chars,
                   size_t max_bytes);

/*
 * md_str_bytes() - md_utf8() without the copy for a compact ASCII str
 * (most keys and names), whose characters are their UTF-8 already.
 * Returns the bytes, not NUL-terminated, and their count in *len; or
 * NULL (MemoryError set).
 */
const char *md_str_bytes(md_state *d, PyObject *s, Py_ssize_t max_chars,
                         size_t max_bytes, size_t *len);

/* the id of a string of len bytes (0, or -1 with the exception set) */
int md_string(md_state *d, const char *s, size_t len, uint32_t *sid);

/*
 * md_sid() - the id of a label or name: `obj` a str (cut to
 * MD_LABEL_MAX bytes), or NULL with `cs`/`clen` a C string that lives as
 * long as the dump (a type's tp_name, a field name).  Cached by address.
 * Returns 0, or -1 with the exception set.
 */
int md_sid(md_state *d, PyObject *obj, const char *cs, size_t clen,
           uint32_t *sid);

#endif /* MUPPY_LABELS_H */
