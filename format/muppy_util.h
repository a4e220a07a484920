/*
 * muppy_util.h - small helpers of the format library that its users
 * share, so that each exists once: the atomic file (the writer's, and the
 * analyzer's exports and report), the huge-page hint for large arrays,
 * the UTF-8 check of every writer of text.
 *
 * Like the rest of the library they never print; failures are returned
 * with errno set.
 */
#ifndef MUPPY_UTIL_H
#define MUPPY_UTIL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the atomic file ------------------------------------------------- */

/*
 * A file written under a temporary name beside its final name and
 * renamed over it once complete, so that no reader ever sees a partial
 * file under the final name:
 *
 *   mf_atomic_open()    create "<path>.tmp.<pid>.<random>" (O_EXCL, mode
 *                       0666 less the umask), in the same directory so
 *                       that the rename cannot cross file systems;
 *   write to a.fd;
 *   mf_atomic_sync()    fsync and close it;
 *   mf_atomic_rename()  rename it to the final name, sync the directory;
 *   mf_atomic_abort()   on any failure: close and remove it.
 */
typedef struct mf_atomic {
    int fd;             /* the temporary file; -1 once closed */
    int created;        /* the temporary file exists (ours to remove) */
    char *path;         /* the final name (a copy) */
    char *tmp;          /* the temporary name */
} mf_atomic;

/* Returns 0, or -1 with errno set (ENOMEM when out of memory); a->tmp
 * then names the file that could not be created (when not NULL). */
int mf_atomic_open(mf_atomic *a, const char *path);

/* Returns 0; -1 when fsync failed; -2 when close failed (errno set).  A
 * file that cannot be synced (EINVAL, EROFS, ENOTSUP) is no failure. */
int mf_atomic_sync(mf_atomic *a);

/* Returns 0 (then a is cleared: the file is no longer temporary); -1
 * when the rename failed (errno set; the temporary file is still there);
 * 1 when the file is in place but its directory could not be synced. */
int mf_atomic_rename(mf_atomic *a);

/* Close and remove the temporary file (when it was created) and free the
 * names; a zeroed, failed or renamed mf_atomic is fine. */
void mf_atomic_abort(mf_atomic *a);

/* Write all n bytes to fd (retrying short writes and EINTR); 0 or -1. */
int mf_write_all(int fd, const void *buf, size_t n);

/* ---- memory ------------------------------------------------------------ */

/*
 * mf_advise_huge() - ask for transparent huge pages on the 2 MiB-aligned
 * part of [p, p + bytes) when it spans at least two of them: graph
 * passes read arrays of one entry per object in random order, and with
 * 4 KiB pages nearly every such access to an array of tens of MiB also
 * misses the TLB.  A hint: ignored where unsupported.
 */
void mf_advise_huge(void *p, size_t bytes);

/* ---- text --------------------------------------------------------------- */

/*
 * mf_utf8_len() - the length (1 to 4) of the valid UTF-8 sequence at s
 * (n > 0 bytes left), or 0 when it is not one: a stray continuation
 * byte, a cut sequence, an overlong form, a surrogate, a code point
 * beyond U+10FFFF.
 */
size_t mf_utf8_len(const unsigned char *s, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* MUPPY_UTIL_H */
