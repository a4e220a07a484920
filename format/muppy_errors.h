/*
 * muppy_errors.h - error codes of the muppy snapshot library.
 *
 * The numeric values are part of the library's ABI: never renumber or reuse
 * a code; add new ones at the end.
 */
#ifndef MUPPY_ERRORS_H
#define MUPPY_ERRORS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mf_code {
    MF_OK = 0,
    MF_E_IO = 1,           /* read/write/open/rename/fsync failed (errno kept) */
    MF_E_NOMEM = 2,        /* an allocation failed */
    MF_E_NOT_SNAPSHOT = 3, /* wrong magic: not a muppy snapshot */
    MF_E_VERSION = 4,      /* major version this reader does not know */
    MF_E_TRUNCATED = 5,    /* file ends early or has no valid trailer */
    MF_E_CHECKSUM = 6,     /* a block's CRC-32C does not match */
    MF_E_CORRUPT = 7,      /* a structure is malformed (bad varint, bad
                              index, sizes that do not add up...) */
    MF_E_LIMIT = 8,        /* a count or size exceeds a documented bound
                              or the caller's memory limit */
    MF_E_ARG = 9,          /* API misuse: bad argument or call order */
    MF_E_COMPRESS = 10     /* zstd failed to compress or decompress */
} mf_code;

#define MF_ERROR_MESSAGE_MAX 256

/*
 * Filled by every library function that can fail.  `message` is one line,
 * lower case, no final period, naming the problem and where it is, e.g.
 * "block 7 (OBJS) at offset 81234: checksum mismatch".
 * `block` is -1 and `offset` is UINT64_MAX when they do not apply.
 */
typedef struct mf_error {
    int code;            /* an mf_code */
    int sys_errno;       /* errno for MF_E_IO, else 0 */
    long long block;     /* index of the block involved, or -1 */
    unsigned long long offset; /* byte offset in the file, or UINT64_MAX */
    char message[MF_ERROR_MESSAGE_MAX];
} mf_error;

/* Stable short name of a code: "ok", "io", "truncated", ... */
const char *mf_code_name(int code);

#ifdef __cplusplus
}
#endif
#endif /* MUPPY_ERRORS_H */
