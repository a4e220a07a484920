/*
 * background.c - a dump written by a forked child (dump.h), so that the
 * process being dumped pauses only for the fork.
 *
 * As Redis writes its RDB snapshots: fork() gives the child a
 * copy-on-write image of the heap, frozen at the fork; the child walks it
 * with md_dump() exactly as a normal dump would (temporary file, rename on
 * success) and _exit()s.  The parent goes on at once.
 *
 * fork() is called directly, with the GIL held: no Python at-fork handler
 * runs in either process, and no other thread can be inside the
 * interpreter in the child's copy (it holds no other thread).  The child
 * runs no Python code unless the dump itself must (a user-defined
 * __sizeof__); it never finalizes anything, and leaves the signals that
 * Python handles to the parent.
 *
 * What can go wrong in the child, and what it does:
 *  - a lock another thread held at the fork (only reachable through a
 *    user __sizeof__, or a runtime lock on 3.12+): the watchdog, an
 *    alarm(), ends the child after `watchdog` seconds;
 *  - SIGTERM, SIGHUP, SIGALRM: the handler removes the temporary file and
 *    exits (SIGKILL cannot be caught: the parent removes what is left);
 *  - the parent exits: the walk notices (getppid) and gives up.
 *
 * The report, one line on the pipe, read by muppy's BackgroundDump:
 *   "ok OBJECTS EDGES FILE_BYTES SECONDS PRIVATE_BYTES\n"
 *   "error KIND ERRNO MESSAGE\n"   KIND: OSError MemoryError ValueError
 *                                  Timeout Signal RuntimeError
 * PRIVATE_BYTES is the child's Private_Dirty memory at the end: what the
 * dump cost in memory, copies of pages either process wrote included.
 */
#include "background.h"
#include "compat.h"
#include "errors.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BG_REPORT_FD 3          /* the pipe, in the child */
#define BG_EXIT_FAILED 1
#define BG_EXIT_SIGNAL 2

/* the child's temporary file, for the signal handler */
static char bg_temp[4096 + 64];

static void
bg_write_all(const char *s, size_t n)
{
    while (n > 0) {
        ssize_t k = write(BG_REPORT_FD, s, n);

        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            return;
        }
        s += k;
        n -= (size_t)k;
    }
}

/* async-signal-safe: remove the temporary file, report, exit */
static void
bg_on_signal(int sig)
{
    static const char timeout[] =
        "error Timeout 0 the watchdog ended the background dump (a lock "
        "held at the fork, or a dump longer than the watchdog allows)\n";
    char msg[64] = "error Signal 0 killed by signal ";
    size_t n = strlen(msg);

    if (bg_temp[0] != '\0') {
        unlink(bg_temp);
    }
    if (sig == SIGALRM) {
        bg_write_all(timeout, sizeof(timeout) - 1);
    }
    else {
        if (sig >= 10) {
            msg[n++] = (char)('0' + sig / 10);
        }
        msg[n++] = (char)('0' + sig % 10);
        msg[n++] = '\n';
        bg_write_all(msg, n);
    }
    _exit(BG_EXIT_SIGNAL);
}

/* The child's descriptors: the report pipe becomes BG_REPORT_FD and every
 * other one above stderr is closed, so that the child holds no socket of
 * the parent's open (a client would not see its connection close). */
static int
bg_child_fds(int report)
{
    int fd;

    if (report != BG_REPORT_FD) {
        if (dup2(report, BG_REPORT_FD) < 0) {
            return -1;
        }
        close(report);
    }
#ifdef SYS_close_range
    if (syscall(SYS_close_range, BG_REPORT_FD + 1, ~0U, 0) == 0) {
        return 0;
    }
#endif
    for (fd = BG_REPORT_FD + 1; fd < 65536; fd++) {
        close(fd);
    }
    return 0;
}

static void
bg_child_signals(unsigned watchdog)
{
    struct sigaction sa;
    sigset_t unblock;

    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = bg_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    /* Ctrl-C and job control are the parent's; a closed pipe is an error
     * the writer reports */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGTERM);
    sigaddset(&unblock, SIGHUP);
    sigaddset(&unblock, SIGALRM);
    sigprocmask(SIG_UNBLOCK, &unblock, NULL);
    alarm(watchdog);
}

static long long
bg_private_dirty(void)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    char line[256];
    long long total = 0;

    if (f == NULL) {
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "Private_Dirty:", 14) == 0) {
            total += strtoll(line + 14, NULL, 10) * 1024;
        }
    }
    fclose(f);
    return total;
}

/* the current exception as "KIND ERRNO MESSAGE" (one line) */
static void
bg_report_error(void)
{
    PyObject *type, *value, *tb, *s = NULL;
    const char *kind = "RuntimeError", *text = NULL;
    char line[1024];
    int err = 0;
    size_t i, n;

    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (type != NULL) {
        if (PyErr_GivenExceptionMatches(type, PyExc_OSError)) {
            kind = "OSError";
            if (value != NULL) {
                err = ((PyOSErrorObject *)value)->myerrno != NULL
                      && PyLong_Check(((PyOSErrorObject *)value)->myerrno)
                      ? (int)PyLong_AsLong(((PyOSErrorObject *)value)->myerrno)
                      : 0;
                if (((PyOSErrorObject *)value)->strerror != NULL) {
                    s = PyObject_Str(((PyOSErrorObject *)value)->strerror);
                }
            }
        }
        else if (PyErr_GivenExceptionMatches(type, PyExc_MemoryError)) {
            kind = "MemoryError";
        }
        else if (PyErr_GivenExceptionMatches(type, PyExc_ValueError)) {
            kind = "ValueError";
        }
        if (s == NULL && value != NULL) {
            s = PyObject_Str(value);
        }
        if (s != NULL) {
            text = PyUnicode_AsUTF8(s);
        }
    }
    PyErr_Clear();
    n = (size_t)snprintf(line, sizeof(line) - 1, "error %s %d %s", kind,
                         err, text != NULL ? text : "the dump failed");
    if (n > sizeof(line) - 2) {
        n = sizeof(line) - 2;
    }
    for (i = 0; i < n; i++) {
        if (line[i] == '\n' || line[i] == '\r') {
            line[i] = ' ';
        }
    }
    line[n++] = '\n';
    bg_write_all(line, n);
    Py_XDECREF(s);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
}

/* the parent's pause, which it sends once fork() has returned there (if
 * it dies first: the time until the child ran, about the same) */
static double
bg_parent_pause(int pause_fd, double t0)
{
    double pause;
    size_t got = 0;

    while (got < sizeof(pause)) {
        ssize_t k = read(pause_fd, (char *)&pause + got, sizeof(pause) - got);

        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            close(pause_fd);
            return md_now() - t0;
        }
        got += (size_t)k;
    }
    close(pause_fd);
    return pause;
}

_Noreturn static void
bg_child(const char *path, const md_options *popt, unsigned watchdog,
         int report, int pause_fd, long parent, double t0)
{
    md_child ch;
    md_result res;
    char line[256];
    int n;

    bg_child_signals(watchdog);
    mc_child_forget_requests();
    ch.fork_seconds = bg_parent_pause(pause_fd, t0);
    if (bg_child_fds(report) < 0) {
        _exit(BG_EXIT_FAILED);
    }
    ch.parent_pid = parent;
    ch.temp_path = bg_temp;
    ch.temp_cap = sizeof(bg_temp);
    memset(&res, 0, sizeof(res));
    if (md_dump(path, popt, &ch, &res) < 0) {
        bg_temp[0] = '\0';
        if (!PyErr_Occurred()) {
            md_set_error(&res.err);
        }
        bg_report_error();
        _exit(BG_EXIT_FAILED);
    }
    bg_temp[0] = '\0';
    n = snprintf(line, sizeof(line), "ok %llu %llu %llu %.9f %lld\n",
                 (unsigned long long)res.objects,
                 (unsigned long long)res.edges,
                 (unsigned long long)res.file_bytes, res.seconds,
                 bg_private_dirty());
    bg_write_all(line, (size_t)n);
    _exit(0);
}

int
md_dump_background(const char *path, const md_options *opt,
                   unsigned watchdog, long *pid, int *result_fd,
                   double *pause)
{
    double t0 = md_now();
    long parent = (long)getpid();
    int fds[2], pause_fds[2];
    pid_t child;

#ifndef __linux__
    (void)path; (void)opt; (void)watchdog; (void)pid; (void)result_fd;
    (void)pause; (void)parent; (void)fds; (void)pause_fds; (void)child;
    PyErr_SetString(PyExc_NotImplementedError,
                    "background dumps need Linux (fork with threads)");
    return -1;
#else
    if (opt->fd >= 0) {
        PyErr_SetString(PyExc_ValueError,
                        "a background dump writes a file, not a stream");
        return -1;
    }
    if (pipe2(fds, O_CLOEXEC) < 0) {
        PyErr_SetFromErrno(PyExc_OSError);
        return -1;
    }
    if (pipe2(pause_fds, O_CLOEXEC) < 0) {
        PyErr_SetFromErrno(PyExc_OSError);
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    /* the parent's stdio buffers are copied too: the child never flushes
     * them (it leaves through _exit) */
    child = fork();
    if (child < 0) {
        int e = errno;

        close(fds[0]);
        close(fds[1]);
        close(pause_fds[0]);
        close(pause_fds[1]);
        errno = e;
        PyErr_SetFromErrno(PyExc_OSError);
        return -1;
    }
    if (child == 0) {
        close(fds[0]);
        close(pause_fds[1]);
        bg_child(path, opt, watchdog, fds[1], pause_fds[0], parent, t0);
    }
    *pause = md_now() - t0;
    close(fds[1]);
    close(pause_fds[0]);
    if (write(pause_fds[1], pause, sizeof(*pause)) < 0) {
        /* the child then measures the pause itself */
    }
    close(pause_fds[1]);
    *pid = (long)child;
    *result_fd = fds[0];
    return 0;
#endif
}
