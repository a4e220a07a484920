/*
 * err.c - error values: filling mf_error and naming codes.
 */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const code_names[] = {
    "ok", "io", "nomem", "not-snapshot", "version", "truncated",
    "checksum", "corrupt", "limit", "arg", "compress",
};

const char *
mf_code_name(int code)
{
    if (code < 0 || (size_t)code >= sizeof(code_names) / sizeof(*code_names))
    {
        return "unknown";
    }
    return code_names[code];
}

void
mf_err_clear(mf_error *err)
{
    if (err) {
        err->code = MF_OK;
        err->sys_errno = 0;
        err->block = -1;
        err->offset = UINT64_MAX;
        err->message[0] = '\0';
    }
}

static void
err_fill(mf_error *err, int code, const char *fmt, va_list ap)
{
    err->code = code;
    err->sys_errno = 0;
    err->block = -1;
    err->offset = UINT64_MAX;
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

int
mf_err(mf_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err) {
        va_start(ap, fmt);
        err_fill(err, code, fmt, ap);
        va_end(ap);
    }
    return code;
}

void
mf_kind_text(uint32_t kind, char out[5])
{
    int i;

    for (i = 0; i < 4; i++) {
        unsigned c = (kind >> (8 * i)) & 0xff;
        out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    out[4] = '\0';
}

int
mf_err_block(mf_error *err, int code, long long block, uint32_t kind,
             uint64_t offset, const char *fmt, ...)
{
    va_list ap;
    char kt[5];
    int n;

    if (err == NULL) {
        return code;
    }
    mf_kind_text(kind, kt);
    mf_err_clear(err);
    err->code = code;
    err->block = block;
    err->offset = offset;
    n = snprintf(err->message, sizeof(err->message),
                 "block %lld (%s) at offset %llu: ", block, kt,
                 (unsigned long long)offset);
    if (n < 0 || (size_t)n >= sizeof(err->message)) {
        return code;
    }
    va_start(ap, fmt);
    vsnprintf(err->message + n, sizeof(err->message) - (size_t)n, fmt, ap);
    va_end(ap);
    return code;
}

int
mf_err_io(mf_error *err, int errnum, const char *fmt, ...)
{
    va_list ap;
    size_t n;

    if (err == NULL) {
        return MF_E_IO;
    }
    va_start(ap, fmt);
    err_fill(err, MF_E_IO, fmt, ap);
    va_end(ap);
    err->sys_errno = errnum;
    n = strlen(err->message);
    snprintf(err->message + n, sizeof(err->message) - n, ": %s",
             strerror(errnum));
    return MF_E_IO;
}

void
mf_err_copy(mf_error *dst, const mf_error *src)
{
    if (dst && src && dst != src) {
        memcpy(dst, src, sizeof(*dst));
    }
}
