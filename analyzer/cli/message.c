/*
 * message.c - messages on stderr, and allocation that reports failure.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli/message.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/number.h"
#include "cli/safetext.h"

void
an_vmessage(const char *prefix, const char *fmt, va_list ap)
{
    char raw[1024], safe[4096];
    int n;

    fflush(stdout); /* keep real output before the message */
    /* messages quote names from the file: escaped like stdout */
    n = vsnprintf(raw, sizeof(raw), fmt, ap);
    an_safe_text(raw, n < 0 ? 0 : (size_t)n < sizeof(raw) ? (size_t)n
                                                         : sizeof(raw) - 1,
                 safe, sizeof(safe));
    fprintf(stderr, AN_PROG ": %s%s\n", prefix, safe);
}

void
an_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    an_vmessage("", fmt, ap);
    va_end(ap);
}

void
an_warn(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    an_vmessage("warning: ", fmt, ap);
    va_end(ap);
}

int
an_error_file(const char *path, const mf_error *err)
{
    if (err->code == MF_E_IO && err->sys_errno != 0) {
        an_error("cannot open '%s': %s", path, strerror(err->sys_errno));
    }
    else if (err->code == MF_E_NOMEM) {
        an_error("'%s': out of memory", path);
    }
    else if (err->message[0] != '\0') {
        if (err->code == MF_E_TRUNCATED) {
            an_error("'%s': %s (--partial analyzes what it holds)", path,
                     err->message);
        }
        else if (err->code == MF_E_LIMIT
                 && strstr(err->message, "bytes") != NULL) {
            /* the memory budget or the expansion bound: the one knob */
            an_error("'%s': %s (--max-memory SIZE sets the limit)", path,
                     err->message);
        }
        else {
            an_error("'%s': %s", path, err->message);
        }
    }
    else {
        an_error("'%s': %s error", path, mf_code_name(err->code));
    }
    return AN_EXIT_INPUT;
}

int
an_error_lib(const char *path, an_err e, const char *what)
{
    switch (e) {
    case AN_ERR_NO_TYPE:
        an_error("'%s': no type named '%s'", path, what ? what : "");
        break;
    case AN_ERR_NO_OBJECT:
        an_error("'%s': no object at address %s", path, what ? what : "");
        break;
    case AN_ERR_INPUT:
        an_error("'%s': %s", path, what ? what : an_err_text(e));
        break;
    default:
        an_error("'%s': %s", path, an_err_text(e));
        break;
    }
    return AN_EXIT_INPUT;
}

int
an_fail_above(const char *what, uint64_t value, uint64_t limit)
{
    char v[32], l[32];

    if (limit == UINT64_MAX || value <= limit) {
        return AN_EXIT_OK;
    }
    an_error("%s %s, more than --fail-above %s", what,
             an_format_size(value, v, sizeof(v)),
             an_format_size(limit, l, sizeof(l)));
    return AN_EXIT_THRESHOLD;
}
