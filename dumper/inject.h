/* inject.h: make another CPython process run a piece of Python source,
 * through ptrace, without gdb (muppy-dump attach; muppy/_inject.py
 * resolves the addresses below and calls md_inject()).
 *
 * The target never depends on the injector once its registers have been
 * touched: the injector writes the main thread's complete state (general
 * registers, extended state, signal mask) on the thread's own stack as a
 * signal frame, makes the thread call mmap() with a return address that
 * executes rt_sigreturn on that frame, and, once mmap() has returned a
 * page, copies a small stub there and makes it the return address
 * instead.  The stub (in the target, after the injector detached) either
 * runs the code right there or schedules it as a pending call, then
 * executes rt_sigreturn itself: the kernel puts every register back.  A
 * tracer killed at any moment leaves a thread that returns to where it
 * was, at worst with one unused page mapped.  The page is unmapped once
 * the code has run (by the stub, or by the pending call's own entry).
 *
 * Where the code runs:
 *  - the main thread was blocked in a system call that waits (sleep,
 *    select, read, a lock...), not on the GIL's own futexes, and does not
 *    hold the GIL: PyGILState_Ensure(); PyRun_SimpleString(code);
 *    PyGILState_Release(), right there;
 *  - anything else (it runs Python or C code, holds the GIL, waits for
 *    the GIL inside take_gil): Py_AddPendingCall(PyRun_SimpleString,
 *    code), run by the interpreter at its next safe point.  Nothing of
 *    the GIL machinery is called from a thread stopped inside it.
 *
 * Linux on x86-64 only: elsewhere md_inject() fails with ENOSYS and the
 * Python side uses gdb.
 */
#ifndef MUPPY_INJECT_H
#define MUPPY_INJECT_H

#include <stddef.h>
#include <stdint.h>

/* addresses in the target's address space */
typedef struct {
    uint64_t mmap;                  /* libc's mmap() */
    uint64_t munmap;                /* libc's munmap() */
    uint64_t sigreturn;             /* libc's "mov $15,%rax; syscall" */
    uint64_t gil_check;             /* PyGILState_Check() */
    uint64_t gil_ensure;            /* PyGILState_Ensure() */
    uint64_t gil_release;           /* PyGILState_Release() */
    uint64_t run_simple_string;     /* PyRun_SimpleString() */
    uint64_t add_pending_call;      /* Py_AddPendingCall() */
    uint64_t runtime;               /* _PyRuntime (holds the GIL's futexes), */
    uint64_t runtime_size;          /* or 0, 0 when unknown */
} md_inject_symbols;

/* md_inject() flags */
#define MD_INJECT_WAIT_ONLY 1   /* inject only where the thread waits in a
                                   system call (else: MD_INJECT_NOT_NOW) */

typedef enum {
    MD_INJECT_AT_WAIT,  /* blocked in a wait: the stub runs the code
                           there (a pending call if it holds the GIL) */
    MD_INJECT_PENDING,  /* the code runs at the next safe point */
    MD_INJECT_NOT_NOW   /* nothing done: not at a wait (WAIT_ONLY), or in
                           a state the frame cannot restore (AMX tiles) */
} md_inject_how;

typedef struct {
    md_inject_how how;
    uint64_t page;      /* where the stub and the code went */
    long syscall;       /* the system call the thread was in, or -1 */
    int err;            /* on failure: an errno value (EPERM, ESRCH...) */
    char message[256];  /* on failure: one line */
} md_inject_result;

/* the longest code md_inject() takes (NUL excluded) */
#define MD_INJECT_CODE_MAX 3500

/* Makes process `pid` run `code` (NUL-terminated Python source) as
 * described above.  `timeout` (seconds) bounds everything: the stop of
 * the main thread and the mmap() call; past it the injector detaches
 * (the thread, if already redirected, returns to where it was).
 * Returns 0 with result->how, or -1 with result->err and ->message. */
int md_inject(int pid, const md_inject_symbols *symbols, const char *code,
              double timeout, int flags, md_inject_result *result);

#endif
