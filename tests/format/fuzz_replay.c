/*
 * fuzz_replay.c - run every file of the given directories (or files)
 * through LLVMFuzzerTestOneInput: the fuzz corpus as an ordinary test.
 *
 * Fails (exit 1) when an argument cannot be read, and when there is no
 * input at all: an empty or misplaced corpus must not pass as a test.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;

    if (f == NULL) {
        fprintf(stderr, "fuzz_replay: cannot open '%s'\n", path);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "fuzz_replay: cannot read '%s'\n", path);
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    free(buf);
    return 0;
}

int
main(int argc, char **argv)
{
    int i, files = 0, bad = 0;

    for (i = 1; i < argc; i++) {
        struct stat st;
        DIR *d;
        struct dirent *e;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "fuzz_replay: cannot stat '%s'\n", argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad |= replay_file(argv[i]);
            files++;
            continue;
        }
        d = opendir(argv[i]);
        if (d == NULL) {
            fprintf(stderr, "fuzz_replay: cannot open '%s'\n", argv[i]);
            return 1;
        }
        while ((e = readdir(d)) != NULL) {
            char path[4096];
            if (e->d_name[0] == '.') {
                continue;
            }
            snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                bad |= replay_file(path);
                files++;
            }
        }
        closedir(d);
    }
    printf("fuzz_replay: %d inputs replayed\n", files);
    if (files == 0) {
        fprintf(stderr, "fuzz_replay: no input to replay\n");
        return 1;
    }
    return bad ? 1 : 0;
}
