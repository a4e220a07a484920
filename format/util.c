/*
 * util.c - the atomic file, the huge-page hint, the UTF-8 check.
 */
#define _DEFAULT_SOURCE 1 /* madvise, MADV_HUGEPAGE; strdup, strndup */
#include "muppy_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "crc32c.h"

/* ---- the atomic file ------------------------------------------------- */

int
mf_atomic_open(mf_atomic *a, const char *path)
{
    size_t n = strlen(path) + 64;
    struct timespec ts;

    a->fd = -1;
    a->created = 0;
    a->path = strdup(path);
    a->tmp = malloc(n);
    if (a->path == NULL || a->tmp == NULL) {
        free(a->path);
        free(a->tmp);
        a->path = a->tmp = NULL;
        errno = ENOMEM;
        return -1;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    for (int attempt = 0; attempt < 100; attempt++) {
        uint64_t r = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull
                     ^ (uint64_t)ts.tv_sec ^ ((uint64_t)attempt << 40)
                     ^ (uint64_t)(uintptr_t)a;

        r = mf_crc32c(0, &r, sizeof(r));
        snprintf(a->tmp, n, "%s.tmp.%ld.%08lx", path, (long)getpid(),
                 (unsigned long)(r & 0xffffffffu));
        a->fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (a->fd >= 0) {
            a->created = 1;
            return 0;
        }
        if (errno != EEXIST) {
            break;
        }
    }
    return -1;
}

int
mf_atomic_sync(mf_atomic *a)
{
    int fd = a->fd;

    a->fd = -1;
    /* a pipe or a terminal cannot be synced (EINVAL): nothing to do */
    if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS
        && errno != ENOTSUP) {
        int e = errno;

        close(fd);
        errno = e;
        return -1;
    }
    if (close(fd) < 0) {
        return -2;
    }
    return 0;
}

/* fsync the directory holding path, so that a rename is durable. */
static int
sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    int fd, rc = 0;

    if (slash == NULL) {
        dir = strdup(".");
    }
    else if (slash == path) {
        dir = strdup("/");
    }
    else {
        dir = strndup(path, (size_t)(slash - path));
    }
    if (dir == NULL) {
        return 0;
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS) {
            rc = -1;
        }
        close(fd);
    }
    free(dir);
    return rc;
}

int
mf_atomic_rename(mf_atomic *a)
{
    int rc;

    if (rename(a->tmp, a->path) < 0) {
        return -1;
    }
    rc = sync_dir(a->path) < 0 ? 1 : 0;
    free(a->path);
    free(a->tmp);
    a->path = a->tmp = NULL;
    a->created = 0;
    return rc;
}

void
mf_atomic_abort(mf_atomic *a)
{
    int e = errno;

    if (a->created) {
        if (a->fd >= 0) {
            close(a->fd);
        }
        unlink(a->tmp);
    }
    free(a->path);
    free(a->tmp);
    a->fd = -1;
    a->created = 0;
    a->path = a->tmp = NULL;
    errno = e;      /* the failure that led here stays the one to tell */
}

int
mf_write_all(int fd, const void *buf, size_t n)
{
    const uint8_t *p = buf;

    while (n > 0) {
        ssize_t k = write(fd, p, n > (1u << 30) ? (1u << 30) : n);
        if (k < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        if (k == 0) {
            errno = EIO;
            return -1;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* ---- memory ------------------------------------------------------------ */

#define HUGE_PAGE ((uintptr_t)2 << 20)

void
mf_advise_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    uintptr_t lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uintptr_t hi = ((uintptr_t)p + bytes) & ~(HUGE_PAGE - 1);

    if (p != NULL && bytes >= 2 * HUGE_PAGE && hi > lo) {
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);   /* a hint */
    }
#else
    (void)p;
    (void)bytes;
#endif
}

/* ---- text --------------------------------------------------------------- */

size_t
mf_utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    uint32_t cp;

    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    }
    else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    }
    else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    }
    else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    /* overlong forms, surrogates, beyond U+10FFFF */
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)
        || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
        return 0;
    }
    return len;
}
