/*
 * err.h - filling mf_error (internal).
 *
 * Every function returns the code it stored, so callers can write
 * `return mf_err(err, MF_E_CORRUPT, ...)`.  `err` may be NULL.
 * mf_err_block() prefixes "block N (KIND) at offset O: " to the message.
 */
#ifndef MF_ERR_H
#define MF_ERR_H

#include <stdint.h>

#include "muppy_errors.h"

#if defined(__GNUC__) || defined(__clang__)
#define MF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MF_PRINTF(a, b)
#endif

void mf_err_clear(mf_error *err);
int mf_err(mf_error *err, int code, const char *fmt, ...) MF_PRINTF(3, 4);
int mf_err_block(mf_error *err, int code, long long block, uint32_t kind,
                 uint64_t offset, const char *fmt, ...) MF_PRINTF(6, 7);
/* MF_E_IO with errno: message is "<what>: <strerror(errnum)>". */
int mf_err_io(mf_error *err, int errnum, const char *fmt, ...)
    MF_PRINTF(3, 4);
void mf_err_copy(mf_error *dst, const mf_error *src);

/* The 4 kind bytes as text, non-printable bytes as '?'; out has 5 bytes */
void mf_kind_text(uint32_t kind, char out[5]);

#endif /* MF_ERR_H */
