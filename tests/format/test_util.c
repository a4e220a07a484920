/*
 * test_util.c - the format library's shared helpers (muppy_util.h): the
 * UTF-8 check against a decoder written from RFC 3629's definition, on
 * every sequence of up to three bytes and random longer ones; the atomic
 * file (nothing under the final name before the rename, nothing left
 * after an abort, a failed open reported); writing all of a buffer; the
 * huge-page hint on odd ranges.
 */
#define _POSIX_C_SOURCE 200809L
#include <CUnit/Basic.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "muppy_util.h"

/* ---- UTF-8 ------------------------------------------------------------ */

/* RFC 3629: the length of the sequence at s that decodes to a scalar
 * value with the shortest form, or 0. */
static size_t
naive_utf8_len(const unsigned char *s, size_t n)
{
    unsigned long cp;
    size_t len;

    if (s[0] < 0x80) {
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0) {
        len = 2;
        cp = s[0] & 0x1f;
    }
    else if ((s[0] & 0xf0) == 0xe0) {
        len = 3;
        cp = s[0] & 0x0f;
    }
    else if ((s[0] & 0xf8) == 0xf0) {
        len = 4;
        cp = s[0] & 0x07;
    }
    else {
        return 0;
    }
    if (n < len) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800)
        || (len == 4 && cp < 0x10000)          /* overlong */
        || (cp >= 0xd800 && cp <= 0xdfff)      /* surrogate */
        || cp > 0x10ffff) {
        return 0;
    }
    return len;
}

static void
test_utf8_exhaustive(void)
{
    unsigned char s[4];

    /* every one-, two- and three-byte input, and each cut short */
    for (unsigned a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        CU_ASSERT_EQUAL(mf_utf8_len(s, 1), naive_utf8_len(s, 1));
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            CU_ASSERT_EQUAL(mf_utf8_len(s, 2), naive_utf8_len(s, 2));
            for (unsigned c = 0x70; c < 0xd0; c++) {
                s[2] = (unsigned char)c;
                CU_ASSERT_EQUAL(mf_utf8_len(s, 3), naive_utf8_len(s, 3));
            }
        }
    }
}

static void
test_utf8_random(void)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL;

    for (int i = 0; i < 2000000; i++) {
        unsigned char s[4];

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        memcpy(s, &x, sizeof(s));
        /* mostly lead bytes of four-byte forms and continuations */
        s[0] = (unsigned char)(0xe0 | (s[0] & 0x1f));
        s[1] = (unsigned char)(0x80 | (s[1] & 0x7f));
        s[2] = (unsigned char)(0x80 | (s[2] & 0x7f));
        for (size_t n = 1; n <= 4; n++) {
            CU_ASSERT_EQUAL(mf_utf8_len(s, n), naive_utf8_len(s, n));
        }
    }
    /* the edges */
    CU_ASSERT_EQUAL(mf_utf8_len((const unsigned char *)"\xf4\x8f\xbf\xbf",
                                4), 4);                 /* U+10FFFF */
    CU_ASSERT_EQUAL(mf_utf8_len((const unsigned char *)"\xf4\x90\x80\x80",
                                4), 0);                 /* beyond */
    CU_ASSERT_EQUAL(mf_utf8_len((const unsigned char *)"\xed\xa0\x80", 3),
                    0);                                 /* U+D800 */
    CU_ASSERT_EQUAL(mf_utf8_len((const unsigned char *)"\xc0\xaf", 2), 0);
    CU_ASSERT_EQUAL(mf_utf8_len((const unsigned char *)"\xe2\x82\xac", 3),
                    3);                                 /* the euro */
}

/* ---- the atomic file -------------------------------------------------- */

static char dir[256];

/* How many entries the test folder holds. */
static int
entries(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    while (d != NULL && (e = readdir(d)) != NULL) {
        n += e->d_name[0] != '.';
    }
    if (d != NULL) {
        closedir(d);
    }
    return n;
}

static void
test_atomic(void)
{
    char path[512], buf[16];
    mf_atomic a;
    struct stat st;
    int fd;

    snprintf(path, sizeof(path), "%s/out.bin", dir);
    CU_ASSERT_EQUAL_FATAL(mf_atomic_open(&a, path), 0);
    CU_ASSERT(a.fd >= 0 && a.created);
    CU_ASSERT_EQUAL(strncmp(a.tmp, path, strlen(path)), 0);
    CU_ASSERT_EQUAL(mf_write_all(a.fd, "hello", 5), 0);
    /* nothing under the final name until the rename */
    CU_ASSERT_EQUAL(stat(path, &st), -1);
    CU_ASSERT_EQUAL(mf_atomic_sync(&a), 0);
    CU_ASSERT_EQUAL(stat(path, &st), -1);
    CU_ASSERT_EQUAL(mf_atomic_rename(&a), 0);
    CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_size, 5);
    CU_ASSERT_EQUAL(entries(), 1);
    mf_atomic_abort(&a);    /* a renamed file is no longer ours */
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    fd = open(path, O_RDONLY);
    CU_ASSERT_EQUAL(read(fd, buf, sizeof(buf)), 5);
    CU_ASSERT_EQUAL(memcmp(buf, "hello", 5), 0);
    close(fd);

    /* replaced whole, or not at all */
    CU_ASSERT_EQUAL_FATAL(mf_atomic_open(&a, path), 0);
    CU_ASSERT_EQUAL(mf_write_all(a.fd, "bye", 3), 0);
    mf_atomic_abort(&a);
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_size, 5);
    CU_ASSERT_EQUAL(entries(), 1);      /* the temporary file is gone */
    unlink(path);

    /* a folder that does not exist: an error, nothing to clean */
    snprintf(path, sizeof(path), "%s/no/such/out.bin", dir);
    errno = 0;
    CU_ASSERT_EQUAL(mf_atomic_open(&a, path), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    CU_ASSERT_FALSE(a.created);
    mf_atomic_abort(&a);
    CU_ASSERT_EQUAL(entries(), 0);
    /* a zeroed one aborts too */
    memset(&a, 0, sizeof(a));
    a.fd = -1;
    mf_atomic_abort(&a);
}

static void
test_write_all(void)
{
    char path[512];
    char *big = malloc(1 << 22), *back = malloc(1 << 22);
    int fd;

    CU_ASSERT_FATAL(big != NULL && back != NULL);
    for (int i = 0; i < 1 << 22; i++) {
        big[i] = (char)(i * 7);
    }
    snprintf(path, sizeof(path), "%s/all.bin", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CU_ASSERT_EQUAL(mf_write_all(fd, big, 1 << 22), 0);
    close(fd);
    fd = open(path, O_RDONLY);
    CU_ASSERT_EQUAL(read(fd, back, 1 << 22), 1 << 22);
    CU_ASSERT_EQUAL(memcmp(big, back, 1 << 22), 0);
    close(fd);
    unlink(path);
    CU_ASSERT_EQUAL(mf_write_all(-1, "x", 1), -1);
    free(big);
    free(back);
}

static void
test_advise_huge(void)
{
    size_t n = 9u << 20;
    char *p = malloc(n);

    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    /* any range: a hint, never a failure */
    mf_advise_huge(p, n);
    mf_advise_huge(p + 1, n - 1);
    mf_advise_huge(p, 100);
    mf_advise_huge(NULL, 0);
    memset(p, 1, n);
    CU_ASSERT_EQUAL(p[n - 1], 1);
    free(p);
}

int
main(void)
{
    CU_pSuite s;
    unsigned failed;
    const char *td = getenv("TMPDIR");

    snprintf(dir, sizeof(dir), "%s/muppy-util-XXXXXX", td ? td : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite("util", NULL, NULL);
    CU_add_test(s, "UTF-8: every short input", test_utf8_exhaustive);
    CU_add_test(s, "UTF-8: random four-byte forms", test_utf8_random);
    CU_add_test(s, "the atomic file", test_atomic);
    CU_add_test(s, "writing all of a buffer", test_write_all);
    CU_add_test(s, "the huge-page hint", test_advise_huge);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    rmdir(dir);
    return failed ? 1 : 0;
}
