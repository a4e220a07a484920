/* inject.h: run a piece of Python source in another CPython process,
 * through ptrace, without gdb (muppy-dump attach on CPython 3.8-3.13, and
 * the wake-up of a 3.14+ target blocked in a system call).
 *
 * The caller (muppy/_inject.py) resolves the addresses of the functions
 * below in the target from its ELF files; md_inject() stops the target's
 * main thread, saves its registers (general and extended state), makes it
 * call those functions one after another, puts every register back and
 * lets it go on.  With the main thread in a system call (time.sleep,
 * select, a lock), the call is restarted as the kernel would have.
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
    uint64_t gil_check;             /* PyGILState_Check() */
    uint64_t gil_ensure;            /* PyGILState_Ensure() */
    uint64_t gil_release;           /* PyGILState_Release() */
    uint64_t run_simple_string;     /* PyRun_SimpleString() */
    uint64_t add_pending_call;      /* Py_AddPendingCall() */
} md_inject_symbols;

typedef enum {
    MD_INJECT_DIRECT,   /* the thread had released the GIL: it took it
                           and ran the code right there */
    MD_INJECT_PENDING   /* it held the GIL: the code runs at the
                           interpreter's next safe point */
} md_inject_how;

typedef struct {
    md_inject_how how;
    int rc;             /* PyRun_SimpleString's or Py_AddPendingCall's */
    int err;            /* on failure: an errno value (EPERM, ESRCH...) */
    char message[256];  /* on failure: one line */
} md_inject_result;

/* Runs `code` (NUL-terminated, at most 4095 bytes) in process `pid`.
 * Waits at most `stop_timeout` seconds for the main thread to stop;
 * once the code runs in the target (a direct call: the whole payload),
 * waits for it to return however long it takes (leaving earlier would
 * leave the thread with nowhere to return to).  Returns 0, or -1 with
 * result->err and result->message set; on -1 the target was left as it
 * was found, except where the message says that it died. */
int md_inject(int pid, const md_inject_symbols *symbols, const char *code,
              double stop_timeout, md_inject_result *result);

#endif
