/* inject.c: md_inject(), a function call in another process through
 * ptrace (see inject.h for the contract, muppy/_attach.py for why and
 * when it is used).
 *
 * How one call is made (x86-64 System V ABI): the saved registers, with
 * rip = the function, rdi..r9 = the arguments, rsp = 16-byte aligned
 * below the thread's red zone with a return address of 0 pushed, and
 * orig_rax = -1 so that the kernel does not restart an interrupted system
 * call on top of it.  The function returns to address 0 and faults; the
 * tracer sees the SIGSEGV with rip == 0, reads rax and discards the
 * signal.  Other signals that arrive meanwhile are delivered (their
 * handlers run on top of the call and return into it).
 *
 * Why not gdb: gdb 13 (Debian 12) cannot write the extended register
 * state on CPUs with AMX ("Couldn't write extended state status: Bad
 * address"), so its inferior calls fail there and leave the interrupted
 * system call returning errno 514 to the target, which dies of it; and
 * gdb takes about a second to start.  Here the extended state is saved
 * and written back whole, in the size the kernel gives.
 */
#define _GNU_SOURCE
#include "inject.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int
inject_fail(md_inject_result *result, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(result->message, sizeof result->message, fmt, ap);
    va_end(ap);
    result->err = err;
    return -1;
}

#if defined(__linux__) && defined(__x86_64__)

#include <elf.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif

/* larger than any XSAVE area so far (about 11 KiB with AMX tiles) */
#define XSTATE_MAX (64 * 1024)

/* the kernel's "restart this system call" results, never seen by user
 * space unless a tracer changes the registers of the stopped thread */
#define ERESTARTSYS_ 512
#define ERESTARTNOINTR_ 513
#define ERESTARTNOHAND_ 514
#define ERESTART_RESTARTBLOCK_ 516

typedef struct {
    pid_t pid;
    struct user_regs_struct saved;
    unsigned char *xstate;          /* NT_X86_XSTATE, or NULL */
    size_t xstate_len;
    struct user_fpregs_struct fpregs;   /* when no xstate */
    int have_fpregs;
    int dead;                       /* the target exited meanwhile */
} md_tracee;

static double
mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static pid_t
wait_blocking(pid_t pid, int *status)
{
    pid_t w;
    do
        w = waitpid(pid, status, __WALL);
    while (w < 0 && errno == EINTR);
    return w;
}

/* After PTRACE_INTERRUPT: the thread's PTRACE_EVENT_STOP, delivering the
 * signals that come first.  0, or -1 (errno ETIMEDOUT, ESRCH...). */
static int
wait_for_stop(md_tracee *t, double timeout)
{
    double deadline = mono_now() + timeout;
    for (;;) {
        int status = 0;
        pid_t w = waitpid(t->pid, &status, __WALL | WNOHANG);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == t->pid) {
            if (WIFEXITED(status) || WIFSIGNALED(status)) {
                t->dead = 1;
                errno = ESRCH;
                return -1;
            }
            if (WIFSTOPPED(status)) {
                if ((status >> 16) == PTRACE_EVENT_STOP)
                    return 0;
                /* a signal on its way: let it through, stay interrupted */
                if (ptrace(PTRACE_CONT, t->pid, 0,
                           (void *)(long)WSTOPSIG(status)) == -1)
                    return -1;
                continue;
            }
        }
        if (mono_now() > deadline) {
            errno = ETIMEDOUT;
            return -1;
        }
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
}

static int
save_state(md_tracee *t)
{
    if (ptrace(PTRACE_GETREGS, t->pid, 0, &t->saved) == -1)
        return -1;
    t->xstate = malloc(XSTATE_MAX);
    if (t->xstate != NULL) {
        struct iovec iov = {t->xstate, XSTATE_MAX};
        if (ptrace(PTRACE_GETREGSET, t->pid, (void *)NT_X86_XSTATE, &iov)
                == 0) {
            t->xstate_len = iov.iov_len;
            return 0;
        }
        free(t->xstate);
        t->xstate = NULL;
    }
    if (ptrace(PTRACE_GETFPREGS, t->pid, 0, &t->fpregs) == -1)
        return -1;
    t->have_fpregs = 1;
    return 0;
}

/* Every register as saved, except that a system call the stop
 * interrupted is set to run again (the kernel would have restarted it
 * had no tracer changed the registers: rip back over the 2-byte syscall
 * instruction, rax the call's number), then detaches. */
static int
restore_and_detach(md_tracee *t)
{
    struct user_regs_struct regs = t->saved;
    long rax = (long)regs.rax;
    int rc = 0;
    if ((long)regs.orig_rax >= 0
        && (rax == -ERESTARTSYS_ || rax == -ERESTARTNOINTR_
            || rax == -ERESTARTNOHAND_ || rax == -ERESTART_RESTARTBLOCK_)) {
        /* ERESTART_RESTARTBLOCK: the kernel would call restart_syscall(),
         * which continues from a state an injected call may have
         * replaced; running the original call again is always valid (a
         * relative sleep then sleeps its whole time again) */
        regs.rax = regs.orig_rax;
        regs.rip -= 2;
    }
    regs.orig_rax = (unsigned long long)-1;
    if (t->xstate != NULL) {
        struct iovec iov = {t->xstate, t->xstate_len};
        if (ptrace(PTRACE_SETREGSET, t->pid, (void *)NT_X86_XSTATE, &iov)
                == -1)
            rc = -1;
    }
    else if (t->have_fpregs) {
        if (ptrace(PTRACE_SETFPREGS, t->pid, 0, &t->fpregs) == -1)
            rc = -1;
    }
    if (ptrace(PTRACE_SETREGS, t->pid, 0, &regs) == -1)
        rc = -1;
    if (ptrace(PTRACE_DETACH, t->pid, 0, 0) == -1)
        rc = -1;
    return rc;
}

/* Calls fn(args...) in the stopped thread; 0 with *ret = rax, or -1 with
 * result set. */
static int
call_in_target(md_tracee *t, const char *name, uint64_t fn,
               const uint64_t *args, int nargs, uint64_t *ret,
               md_inject_result *result)
{
    struct user_regs_struct regs = t->saved;
    unsigned long long *argregs[6] = {&regs.rdi, &regs.rsi, &regs.rdx,
                                      &regs.rcx, &regs.r8, &regs.r9};
    for (int i = 0; i < nargs && i < 6; i++)
        *argregs[i] = args[i];
    /* below the 128-byte red zone, with room to spare */
    uint64_t sp = ((uint64_t)t->saved.rsp - 1024) & ~(uint64_t)15;
    sp -= 8;                        /* the return address: 0 */
    if (ptrace(PTRACE_POKEDATA, t->pid, (void *)sp, (void *)0) == -1)
        return inject_fail(result, errno, "cannot write the stack of "
                           "process %d: %s", t->pid, strerror(errno));
    regs.rsp = sp;
    regs.rip = fn;
    regs.rax = 0;                   /* no vector arguments */
    regs.orig_rax = (unsigned long long)-1;
    if (ptrace(PTRACE_SETREGS, t->pid, 0, &regs) == -1
        || ptrace(PTRACE_CONT, t->pid, 0, 0) == -1)
        return inject_fail(result, errno, "cannot call %s in process %d: "
                           "%s", name, t->pid, strerror(errno));
    for (;;) {
        int status = 0;
        if (wait_blocking(t->pid, &status) < 0)
            return inject_fail(result, errno, "waiting for process %d: %s",
                               t->pid, strerror(errno));
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            t->dead = 1;
            return inject_fail(result, ESRCH, "process %d died during the "
                               "call of %s", t->pid, name);
        }
        if (!WIFSTOPPED(status))
            continue;
        int sig = WSTOPSIG(status);
        if ((status >> 16) == PTRACE_EVENT_STOP) {
            /* a group stop (SIGSTOP from someone): go on with the call */
            if (ptrace(PTRACE_CONT, t->pid, 0, 0) == -1)
                return inject_fail(result, errno, "process %d: %s", t->pid,
                                   strerror(errno));
            continue;
        }
        if (sig == SIGSEGV) {
            struct user_regs_struct now;
            if (ptrace(PTRACE_GETREGS, t->pid, 0, &now) == -1)
                return inject_fail(result, errno, "process %d: %s", t->pid,
                                   strerror(errno));
            if (now.rip == 0) {         /* returned to our address 0 */
                *ret = now.rax;
                return 0;
            }
            /* the call itself crashed: its state is lost either way; the
             * thread goes back to where it was rather than die */
            return inject_fail(result, EFAULT, "%s crashed in process %d "
                               "(at %#llx)", name, t->pid, now.rip);
        }
        if (ptrace(PTRACE_CONT, t->pid, 0, (void *)(long)sig) == -1)
            return inject_fail(result, errno, "process %d: %s", t->pid,
                               strerror(errno));
    }
}

static int
poke_bytes(md_tracee *t, uint64_t addr, const char *data, size_t len)
{
    for (size_t k = 0; k < len; k += 8) {
        uint64_t word = 0;
        memcpy(&word, data + k, len - k < 8 ? len - k : 8);
        if (ptrace(PTRACE_POKEDATA, t->pid, (void *)(addr + k),
                   (void *)word) == -1)
            return -1;
    }
    return 0;
}

/* the calls, once the thread is stopped and its state saved */
static int
run_calls(md_tracee *t, const md_inject_symbols *sym, const char *code,
          md_inject_result *result)
{
    size_t len = strlen(code) + 1;
    uint64_t page, ret;
    /* mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS,
     * -1, 0): never the target's malloc, which the stopped thread may be
     * inside, holding its lock.  The page stays: a pending call reads it
     * after we are gone. */
    uint64_t mmap_args[6] = {0, 4096, 3, 0x22, (uint64_t)-1, 0};
    if (call_in_target(t, "mmap", sym->mmap, mmap_args, 6, &page, result))
        return -1;
    if ((int64_t)page < 0 && (int64_t)page > -4096)
        return inject_fail(result, ENOMEM, "could not map memory in "
                           "process %d", t->pid);
    if (page == 0 || page == (uint64_t)-1)
        return inject_fail(result, ENOMEM, "could not map memory in "
                           "process %d", t->pid);
    if (poke_bytes(t, page, code, len) == -1)
        return inject_fail(result, errno, "cannot write into process %d: "
                           "%s", t->pid, strerror(errno));
    if (call_in_target(t, "PyGILState_Check", sym->gil_check, NULL, 0, &ret,
                       result))
        return -1;
    if ((int)(uint32_t)ret == 0) {
        /* the thread released the GIL (it sleeps or waits in C code):
         * take it and run the code at this safe point */
        uint64_t gstate, args[1];
        if (call_in_target(t, "PyGILState_Ensure", sym->gil_ensure, NULL, 0,
                           &gstate, result))
            return -1;
        args[0] = page;
        if (call_in_target(t, "PyRun_SimpleString", sym->run_simple_string,
                           args, 1, &ret, result))
            return -1;
        result->how = MD_INJECT_DIRECT;
        result->rc = (int)(uint32_t)ret;
        args[0] = (uint32_t)gstate;
        if (call_in_target(t, "PyGILState_Release", sym->gil_release, args,
                           1, &ret, result))
            return -1;
        return 0;
    }
    /* it runs Python code (or collects): at its next safe point */
    uint64_t args[2] = {sym->run_simple_string, page};
    if (call_in_target(t, "Py_AddPendingCall", sym->add_pending_call, args,
                       2, &ret, result))
        return -1;
    result->how = MD_INJECT_PENDING;
    result->rc = (int)(uint32_t)ret;
    return 0;
}

int
md_inject(int pid, const md_inject_symbols *symbols, const char *code,
          double stop_timeout, md_inject_result *result)
{
    md_tracee t;
    memset(&t, 0, sizeof t);
    memset(result, 0, sizeof *result);
    t.pid = pid;
    if (strlen(code) >= 4096)
        return inject_fail(result, EINVAL, "the code to inject is longer "
                           "than 4095 bytes");
    /* only the main thread stops; the others run on (and can release
     * the GIL it may need) */
    if (ptrace(PTRACE_SEIZE, pid, 0, 0) == -1)
        return inject_fail(result, errno, "ptrace(PTRACE_SEIZE, %d): %s",
                           pid, strerror(errno));
    if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) == -1) {
        int e = errno;
        ptrace(PTRACE_DETACH, pid, 0, 0);
        return inject_fail(result, e, "ptrace(PTRACE_INTERRUPT, %d): %s",
                           pid, strerror(e));
    }
    if (wait_for_stop(&t, stop_timeout) == -1) {
        /* a thread that does not stop (uninterruptible sleep): the
         * tracer's exit detaches it */
        int e = errno;
        if (t.dead)
            return inject_fail(result, ESRCH, "process %d exited", pid);
        return inject_fail(result, e, "process %d did not stop within "
                           "%g s: %s", pid, stop_timeout, strerror(e));
    }
    if (save_state(&t) == -1) {
        int e = errno;
        ptrace(PTRACE_DETACH, pid, 0, 0);
        return inject_fail(result, e, "cannot read the registers of "
                           "process %d: %s", pid, strerror(e));
    }
    int rc = run_calls(&t, symbols, code, result);
    if (!t.dead && restore_and_detach(&t) == -1 && rc == 0)
        rc = inject_fail(result, errno, "cannot restore the registers of "
                         "process %d: %s", pid, strerror(errno));
    free(t.xstate);
    return rc;
}

#else   /* not Linux on x86-64 */

int
md_inject(int pid, const md_inject_symbols *symbols, const char *code,
          double stop_timeout, md_inject_result *result)
{
    (void)pid;
    (void)symbols;
    (void)code;
    (void)stop_timeout;
    memset(result, 0, sizeof *result);
    return inject_fail(result, ENOSYS, "muppy's own injector needs Linux "
                       "on x86-64");
}

#endif
