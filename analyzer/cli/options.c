/*
 * options.c - table-driven option parsing shared by all commands.
 */
#include "cli/options.h"

#include <stdarg.h>
#include <string.h>

#include "base/number.h"
#include "lib/snap.h"
#include "cli/message.h"

/* Synopsis lines: a line starting with a space continues the previous
 * one (aligned under its first option), any other is an alternative. */
static void
print_synopsis(FILE *f, const an_usage *u)
{
    const char *s = u->synopsis;
    const char *prefix = "usage: ";
    int indent = (int)(strlen("usage: " AN_PROG " ") + strlen(u->name) + 1);

    while (s != NULL && *s) {
        const char *nl = strchr(s, '\n');
        int len = nl ? (int)(nl - s) : (int)strlen(s);

        if (*s == ' ') {
            while (len > 0 && *s == ' ') {
                s++;
                len--;
            }
            fprintf(f, "%*s%.*s\n", indent, "", len, s);
        }
        else {
            fprintf(f, "%s" AN_PROG " %s %.*s\n", prefix, u->name, len, s);
            prefix = "   or: ";
        }
        s = nl ? nl + 1 : NULL;
    }
}

static void
print_options(FILE *f, const an_option *opts)
{
    char left[128];
    int width = 0;

    for (const an_option *o = opts; o && o->type != AN_OPT_END; o++) {
        int n;

        if (o->short_name) {
            n = snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name,
                         o->long_name, o->argname ? " " : "",
                         o->argname ? o->argname : "");
        }
        else {
            n = snprintf(left, sizeof(left), "    --%s%s%s", o->long_name,
                         o->argname ? " " : "",
                         o->argname ? o->argname : "");
        }
        if (n > width) {
            width = n;
        }
    }
    if (width < 21) {
        width = 21;         /* "--max-memory SIZE" column */
    }
    fputs("\noptions:\n", f);
    for (const an_option *o = opts; o && o->type != AN_OPT_END; o++) {
        if (o->short_name) {
            snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name,
                     o->long_name, o->argname ? " " : "",
                     o->argname ? o->argname : "");
        }
        else {
            snprintf(left, sizeof(left), "    --%s%s%s", o->long_name,
                     o->argname ? " " : "", o->argname ? o->argname : "");
        }
        fprintf(f, "  %-*s  %s\n", width, left, o->help ? o->help : "");
    }
    fprintf(f, "  %-*s  %s\n", width, "    --max-memory SIZE",
            "budget for the snapshot's data (default: the machine's");
    fprintf(f, "  %-*s  %s\n", width, "",
            "memory); lifts the bound on how far a file expands");
    fprintf(f, "  %-*s  %s\n", width, "-h, --help", "show this help");
}

void
an_print_usage(FILE *f, const an_usage *u, const an_option *opts)
{
    print_synopsis(f, u);
    print_options(f, opts);
}

void
an_print_help(FILE *f, const an_usage *u, const an_option *opts)
{
    fprintf(f, AN_PROG " %s - %s\n\n", u->name, u->summary);
    print_synopsis(f, u);
    if (u->description) {
        fprintf(f, "\n%s\n", u->description);
    }
    if (u->example) {
        fprintf(f, "\nexample:\n%s\n", u->example);
    }
    print_options(f, opts);
}

int
an_usage_error(const an_usage *u, const an_option *opts, const char *fmt,
               ...)
{
    va_list ap;

    va_start(ap, fmt);
    an_vmessage("", fmt, ap);
    va_end(ap);
    an_print_usage(stderr, u, opts);
    return AN_EXIT_USAGE;
}

int
an_format_option(const an_usage *u, const an_option *opts,
                 const char *name, int json, unsigned allowed,
                 an_format *format)
{
    const char *why = an_choose_format(name, json, allowed, format);

    return why != NULL ? an_usage_error(u, opts, "%s", why) : 0;
}

int
an_address_arg(const an_usage *u, const an_option *opts, const char *arg,
               uint64_t *address)
{
    if (an_parse_address(arg, address) != 0) {
        return an_usage_error(u, opts, "bad address '%s'", arg);
    }
    return 0;
}

/* Store `arg` into option o; returns 0 or -1 (bad value). */
static int
store(const an_option *o, const char *arg)
{
    switch (o->type) {
    case AN_OPT_FLAG:
        *(int *)o->value = 1;
        return 0;
    case AN_OPT_UINT:
        return an_parse_u64(arg, (uint64_t *)o->value);
    case AN_OPT_SIZE:
        return an_parse_size(arg, (uint64_t *)o->value);
    case AN_OPT_STRING:
        *(const char **)o->value = arg;
        return 0;
    default:
        return -1;
    }
}

int
an_parse_options(int argc, char **argv, const an_usage *u,
                 const an_option *opts, int *n_pos, int *status)
{
    int npos = 0;
    int only_pos = 0;

    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        const an_option *o = NULL;
        const char *val = NULL;

        if (only_pos || a[0] != '-' || a[1] == '\0') {
            argv[npos++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            an_print_help(stdout, u, opts);
            fflush(stdout);
            *status = AN_EXIT_OK;
            return 0;
        }
        if (a[1] == '-') {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);

            /* every command reads snapshots: --max-memory is common */
            if (len == 10 && strncmp(name, "max-memory", len) == 0) {
                uint64_t bytes;

                val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
                if (val == NULL) {
                    *status = an_usage_error(u, opts, "option '%s' needs a "
                                             "value", a);
                    return 0;
                }
                if (an_parse_size(val, &bytes) != 0 || bytes == 0) {
                    *status = an_usage_error(u, opts, "bad value '%s' for "
                                             "option '--max-memory'", val);
                    return 0;
                }
                an_snap_set_max_memory(bytes);
                continue;
            }

            for (const an_option *p = opts; p && p->type != AN_OPT_END; p++) {
                if (strlen(p->long_name) == len
                    && strncmp(p->long_name, name, len) == 0) {
                    o = p;
                    break;
                }
            }
            if (o != NULL && eq != NULL) {
                if (o->type == AN_OPT_FLAG) {
                    *status = an_usage_error(u, opts,
                                             "option '--%s' takes no value",
                                             o->long_name);
                    return 0;
                }
                val = eq + 1;
            }
        }
        else if (a[2] == '\0') {
            for (const an_option *p = opts; p && p->type != AN_OPT_END; p++) {
                if (p->short_name == a[1]) {
                    o = p;
                    break;
                }
            }
        }
        if (o == NULL) {
            *status = an_usage_error(u, opts, "unknown option '%s'", a);
            return 0;
        }
        if (o->type != AN_OPT_FLAG && val == NULL) {
            if (i + 1 >= argc) {
                *status = an_usage_error(u, opts, "option '%s' needs a value",
                                         a);
                return 0;
            }
            val = argv[++i];
        }
        if (store(o, val) != 0) {
            *status = an_usage_error(u, opts,
                                     "bad value '%s' for option '--%s'",
                                     val, o->long_name);
            return 0;
        }
    }
    *n_pos = npos;
    return 1;
}
