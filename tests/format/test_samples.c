/*
 * test_samples.c - checks the .snap files of samples/ against expect.txt.
 *
 *     test_samples SAMPLES_DIR           check every line of expect.txt
 *     test_samples --print SAMPLES_DIR   print what this reader reports
 *
 * An expect.txt line is
 *     FILE MODE ok KEY=VALUE...          (MODE: normal or partial)
 *     FILE MODE error CODE MESSAGE
 * where the result is that of open + load(all columns) + verify, the
 * first error winning.  Keys: objects edges strings types roots meta
 * total_size partial dropped damage (the damage code when partial), and
 * from mf_memory_breakdown() (format 1.1): external (nodes), objects_bytes,
 * external_bytes, native, unexplained.
 * Lines starting with '#' and blank lines are ignored.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "muppy_format.h"

/* The result line (after "FILE MODE ") for one file and mode. */
static void
describe(const char *path, unsigned flags, char *out, size_t cap)
{
    mf_read_options ro = {0};
    mf_reader *r;
    mf_graph g;
    mf_error err;
    const mf_file_info *in;
    int rc;

    ro.flags = flags;
    ro.max_memory = 1u << 30;
    rc = mf_reader_open(&r, path, &ro, &err);
    if (rc == MF_OK) {
        rc = mf_reader_load(r, MF_COL_ALL, &g, &err);
        if (rc == MF_OK) {
            rc = mf_reader_verify(r, &err);
            in = mf_reader_info(r);
            if (rc == MF_OK) {
                mf_memory m;

                mf_memory_breakdown(r, &g, &m);
                snprintf(out, cap, "ok objects=%llu edges=%llu strings=%llu "
                         "types=%llu roots=%llu meta=%llu total_size=%llu "
                         "partial=%d dropped=%llu damage=%s external=%llu "
                         "objects_bytes=%lld external_bytes=%lld native=%lld "
                         "unexplained=%lld",
                         (unsigned long long)in->objects,
                         (unsigned long long)in->edges,
                         (unsigned long long)in->strings,
                         (unsigned long long)in->types,
                         (unsigned long long)in->roots,
                         (unsigned long long)in->meta,
                         (unsigned long long)in->total_size, in->partial,
                         (unsigned long long)g.dropped_edges,
                         in->partial ? mf_code_name(in->damage.code)
                                     : "none",
                         (unsigned long long)m.external_nodes,
                         (long long)m.objects, (long long)m.external,
                         (long long)m.native, (long long)m.unexplained);
            }
            mf_graph_free(&g);
        }
        mf_reader_close(r);
    }
    if (rc != MF_OK) {
        snprintf(out, cap, "error %s %s", mf_code_name(rc), err.message);
    }
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
print_all(const char *dir)
{
    char *names[256], path[4096], res[512];
    struct dirent *e;
    DIR *d = opendir(dir);
    int n = 0, i, m;

    if (d == NULL) {
        return 1;
    }
    while ((e = readdir(d)) != NULL && n < 256) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".snap") == 0) {
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof(*names), cmp_names);
    for (i = 0; i < n; i++) {
        for (m = 0; m < 2; m++) {
            snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
            describe(path, m ? MF_READ_PARTIAL : 0, res, sizeof(res));
            printf("%s %s %s\n", names[i], m ? "partial" : "normal", res);
        }
        free(names[i]);
    }
    return 0;
}

/* Every KEY=VALUE of want appears in got. */
static int
ok_matches(const char *want, const char *got)
{
    char buf[512], *tok, *save;

    snprintf(buf, sizeof(buf), "%s", want);
    for (tok = strtok_r(buf, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        const char *p = strstr(got, tok);
        size_t l = strlen(tok);
        if (p == NULL || (p != got && p[-1] != ' ')
            || (p[l] != ' ' && p[l] != '\0')) {
            return 0;
        }
    }
    return 1;
}

int
main(int argc, char **argv)
{
    char path[4096], line[1024], res[512];
    int lines = 0, bad = 0;
    FILE *f;

    if (argc == 3 && strcmp(argv[1], "--print") == 0) {
        return print_all(argv[2]);
    }
    if (argc != 2) {
        fprintf(stderr, "usage: test_samples [--print] SAMPLES_DIR\n");
        return 2;
    }
    snprintf(path, sizeof(path), "%s/expect.txt", argv[1]);
    f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "test_samples: cannot open '%s'\n", path);
        return 1;
    }
    while (fgets(line, sizeof(line), f)) {
        char file[256], mode[16];
        int used = 0;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        if (sscanf(line, "%255s %15s %n", file, mode, &used) != 2) {
            fprintf(stderr, "test_samples: bad line '%s'\n", line);
            bad++;
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", argv[1], file);
        describe(path, strcmp(mode, "partial") == 0 ? MF_READ_PARTIAL : 0,
                 res, sizeof(res));
        lines++;
        if (strncmp(line + used, "ok ", 3) == 0
                ? !(strncmp(res, "ok ", 3) == 0
                    && ok_matches(line + used + 3, res + 3))
                : strcmp(line + used, res) != 0) {
            fprintf(stderr, "test_samples: %s %s:\n  expected: %s\n"
                    "  got:      %s\n", file, mode, line + used, res);
            bad++;
        }
    }
    fclose(f);
    printf("test_samples: %d lines checked, %d mismatches\n", lines, bad);
    return bad || lines == 0 ? 1 : 0;
}
