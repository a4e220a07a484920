/*
 * error.h - what can go wrong in the analyzer's library, as values.
 *
 * The library never prints: a function that can fail returns an an_err
 * (AN_OK = 0), and the command that called it says what went wrong, in
 * its words (cli/message.h: an_error_lib()).  Errors of the snapshot
 * file itself come from the format library as an mf_error, with the
 * block and offset of the damage.
 */
#ifndef AN_BASE_ERROR_H
#define AN_BASE_ERROR_H

typedef enum an_err {
    AN_OK = 0,
    AN_ERR_NOMEM,       /* out of memory */
    AN_ERR_TOO_LARGE,   /* beyond a limit of the algorithm: 2^32 edges or
                           more, or a table sized too small */
    AN_ERR_NO_TYPE,     /* --type NAME names no type of the snapshot */
    AN_ERR_NO_OBJECT,   /* no object of the snapshot at that address */
    AN_ERR_INPUT        /* the input does not allow the analysis (the
                           caller has the details) */
} an_err;

/* A short text for e, lower case: "out of memory", "too large to
 * analyze (2^32 edges or more)", ... */
static inline const char *
an_err_text(an_err e)
{
    switch (e) {
    case AN_OK: return "no error";
    case AN_ERR_NOMEM: return "out of memory";
    case AN_ERR_TOO_LARGE: return "too large to analyze (2^32 edges or more)";
    case AN_ERR_NO_TYPE: return "no such type";
    case AN_ERR_NO_OBJECT: return "no such object";
    default: return "the input does not allow it";
    }
}

#endif /* AN_BASE_ERROR_H */
