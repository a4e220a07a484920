/* inject.c: md_inject(), code run in another CPython process through
 * ptrace (see inject.h for the contract, muppy/_attach.py for when it is
 * used).
 *
 * The steps, with the target's main thread stopped (PTRACE_INTERRUPT):
 *  1. read its registers, extended state (XSAVE) and signal mask;
 *  2. write them on its stack, below the red zone, as the kernel writes a
 *     signal frame (struct rt_sigframe: ucontext, then the XSAVE image
 *     64-byte aligned), with the "return address" slot pointing at libc's
 *     rt_sigreturn trampoline;
 *  3. set rip = mmap and rsp = the frame, and let the thread run up to
 *     the end of that mmap system call (PTRACE_SYSCALL);
 *  4. copy the stub and the code into the new page, then overwrite the
 *     return address with the stub's address, and detach.
 * If the injector dies anywhere in 2-4, the thread returns from mmap to
 * the trampoline and rt_sigreturn puts back every register: it never
 * depends on the injector.  After 4 the stub (below) runs the code, or
 * schedules it, and does the same rt_sigreturn.
 *
 * A system call the stop interrupted is set to run again, as the kernel
 * would have done had no tracer touched the thread: in the frame, rip is
 * moved back over the 2-byte syscall instruction and rax is the call's
 * number (for ERESTART_RESTARTBLOCK too: running the original call again
 * is always valid; a relative sleep then sleeps its whole time again).
 *
 * Why not gdb: gdb 13 (Debian 12) cannot write the extended register
 * state on CPUs with AMX, so its calls fail there; and a gdb call returns
 * through gdb, so killing gdb during the call kills the target.
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
    vsnprintf(result->message, sizeof(result->message), fmt, ap);
    va_end(ap);
    result->err = err;
    return -1;
}

#if defined(__linux__) && defined(__x86_64__)

#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif
#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

/* larger than any XSAVE area so far (about 11 KiB with AMX tiles) */
#define XSTATE_MAX (64 * 1024)
#define PAGE 4096
#define FRAME_BUF (2 * (XSTATE_MAX + 1024))

/* the kernel's "restart this system call" results, never seen by user
 * space unless a tracer changes the registers of the stopped thread */
#define ERESTARTSYS_ 512
#define ERESTARTNOINTR_ 513
#define ERESTARTNOHAND_ 514
#define ERESTART_RESTARTBLOCK_ 516

/* x86-64 system call numbers */
#define NR_MMAP 9
#define NR_FUTEX 202

/* what the frame's XSAVE image carries (arch/x86/include/uapi/asm/
 * sigcontext.h) */
#define FP_XSTATE_MAGIC1 0x46505853U
#define FP_XSTATE_MAGIC2 0x46505845U
#define XFEATURE_TILE (3ULL << 17)      /* AMX: XTILECFG, XTILEDATA */
#define UC_FP_XSTATE_ 0x1
#define UC_SIGCONTEXT_SS_ 0x2
#define UC_STRICT_RESTORE_SS_ 0x4

/* The kernel's signal frame, x86-64 (arch/x86/include/asm/sigframe.h);
 * glibc's ucontext_t is larger (its sigset_t has 1024 bits), so the
 * layout is spelled out here. */
typedef struct {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate;                   /* address of the XSAVE image */
    uint64_t reserved[8];
} md_sigcontext;

typedef struct {
    uint64_t flags;
    uint64_t link;
    uint64_t ss_sp;                     /* stack_t uc_stack */
    int32_t ss_flags;
    int32_t ss_pad;
    uint64_t ss_size;
    md_sigcontext mcontext;
    uint64_t sigmask;
} md_ucontext;

typedef struct {
    uint64_t pretcode;                  /* where the handler "returns" */
    md_ucontext uc;
    unsigned char siginfo[128];
} md_sigframe;

_Static_assert(sizeof(md_sigcontext) == 256, "struct sigcontext");
_Static_assert(sizeof(md_ucontext) == 304, "struct ucontext");
_Static_assert(sizeof(md_sigframe) == 440, "struct rt_sigframe");

/* the software-reserved bytes of the XSAVE legacy area (offset 464) */
typedef struct {
    uint32_t magic1;
    uint32_t extended_size;
    uint64_t xfeatures;
    uint32_t xstate_size;
    uint32_t padding[7];
} md_fpx_sw_bytes;

/* The stub, copied into the target's page and run there with rsp at the
 * frame's ucontext (as if it had been "returned to" from mmap).  It only
 * reads the data after it:
 *
 *     if (direct && !PyGILState_Check()) {
 *         g = PyGILState_Ensure(); PyRun_SimpleString(code);
 *         PyGILState_Release(g);
 *         munmap(this page), returning to libc's rt_sigreturn trampoline
 *     } else {
 *         Py_AddPendingCall(pending_entry, NULL);
 *         rt_sigreturn();
 *     }
 *     pending_entry(): PyRun_SimpleString(code); munmap(this page),
 *         returning to the interpreter that called it (a tail call)
 *
 * So the page goes once the code ran (it stays when a pending call never
 * runs).  r12 and r13 are callee-saved: they keep the frame and the GIL
 * state across the calls (the frame restores them).  cld: the ABI wants
 * the direction flag clear at a call, the interrupted code may have set
 * it. */
__asm__(
    ".pushsection .rodata\n"
    ".balign 16\n"
    ".globl md_stub_begin\n"
    ".hidden md_stub_begin\n"
    "md_stub_begin:\n"
    "    cld\n"
    "    mov %rsp, %r12\n"
    "    and $-16, %rsp\n"
    "    cmpq $0, md_stub_direct(%rip)\n"
    "    je 1f\n"
    "    call *md_stub_gil_check(%rip)\n"
    "    test %eax, %eax\n"
    "    jne 1f\n"
    "    call *md_stub_gil_ensure(%rip)\n"
    "    mov %eax, %r13d\n"
    "    lea md_stub_text(%rip), %rdi\n"
    "    call *md_stub_run(%rip)\n"
    "    mov %r13d, %edi\n"
    "    call *md_stub_gil_release(%rip)\n"
    /* the frame's return-address slot: the trampoline, for munmap's ret */
    "    mov md_stub_sigreturn(%rip), %rax\n"
    "    mov %rax, -8(%r12)\n"
    "    lea -8(%r12), %rsp\n"
    "    lea md_stub_begin(%rip), %rdi\n"
    "    mov $4096, %esi\n"
    "    jmp *md_stub_munmap(%rip)\n"
    "1:  lea md_stub_pending_entry(%rip), %rdi\n"
    "    xor %esi, %esi\n"
    "    call *md_stub_pending(%rip)\n"
    "    mov %r12, %rsp\n"
    "    mov $15, %eax\n"
    "    syscall\n"
    "    ud2\n"
    "md_stub_pending_entry:\n"
    "    sub $8, %rsp\n"
    "    lea md_stub_text(%rip), %rdi\n"
    "    call *md_stub_run(%rip)\n"
    "    add $8, %rsp\n"
    "    lea md_stub_begin(%rip), %rdi\n"
    "    mov $4096, %esi\n"
    "    jmp *md_stub_munmap(%rip)\n"
    ".balign 8\n"
    "md_stub_direct: .quad 0\n"
    "md_stub_gil_check: .quad 0\n"
    "md_stub_gil_ensure: .quad 0\n"
    "md_stub_gil_release: .quad 0\n"
    "md_stub_run: .quad 0\n"
    "md_stub_pending: .quad 0\n"
    "md_stub_munmap: .quad 0\n"
    "md_stub_sigreturn: .quad 0\n"
    "md_stub_text:\n"                   /* the code string goes here */
    ".globl md_stub_code\n"
    ".hidden md_stub_code\n"
    "md_stub_code:\n"
    ".popsection\n");

#define MD_HIDDEN __attribute__((visibility("hidden")))
extern const unsigned char md_stub_begin[] MD_HIDDEN;
extern const unsigned char md_stub_code[] MD_HIDDEN;

/* the data slots, the quads just before md_stub_code */
enum { STUB_DIRECT, STUB_GIL_CHECK, STUB_GIL_ENSURE, STUB_GIL_RELEASE,
       STUB_RUN, STUB_PENDING, STUB_MUNMAP, STUB_SIGRETURN, STUB_SLOTS };

typedef struct {
    pid_t pid;
    int mem;                            /* /proc/PID/mem, or -1 */
    struct user_regs_struct saved;
    unsigned char *xstate;              /* NT_X86_XSTATE, or NULL */
    size_t xstate_len;
    struct user_fpregs_struct fpregs;   /* when no xstate */
    uint64_t sigmask;
    int dead;                           /* the target exited meanwhile */
} md_tracee;

static double
mono_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The next wait status of the thread, polling until `deadline`: 1 with
 * *status, 0 at the deadline, -1 on error (errno). */
static int
wait_until(md_tracee *t, double deadline, int *status)
{
    long pause_ns = 20000;

    for (;;) {
        pid_t w = waitpid(t->pid, status, __WALL | WNOHANG);

        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0) {
            return -1;
        }
        if (w == t->pid) {
            if (WIFEXITED(*status) || WIFSIGNALED(*status)) {
                t->dead = 1;
                errno = ESRCH;
                return -1;
            }
            return 1;
        }
        if (mono_now() >= deadline) {
            return 0;
        }
        struct timespec ts = {0, pause_ns};
        nanosleep(&ts, NULL);
        if (pause_ns < 1000000) {
            pause_ns *= 2;
        }
    }
}

static int
is_event_stop(int status)
{
    return WIFSTOPPED(status) && (status >> 16) == PTRACE_EVENT_STOP;
}

/* After PTRACE_INTERRUPT: the thread's PTRACE_EVENT_STOP, delivering the
 * signals that come first.  0 with *stopsig (SIGTRAP: our interrupt,
 * else the signal of a group stop), -1 (errno ETIMEDOUT, ESRCH...). */
static int
wait_for_stop(md_tracee *t, double deadline, int *stopsig)
{
    for (;;) {
        int status = 0;
        int got = wait_until(t, deadline, &status);

        if (got < 0) {
            return -1;
        }
        if (got == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (!WIFSTOPPED(status)) {
            continue;
        }
        if (is_event_stop(status)) {
            *stopsig = WSTOPSIG(status);
            return 0;
        }
        /* a signal on its way: let it through, stay interrupted */
        if (ptrace(PTRACE_CONT, t->pid, 0,
                   (void *)(long)WSTOPSIG(status)) == -1) {
            return -1;
        }
    }
}

/* Stop the (running) thread and detach, within `grace` seconds: used
 * when the deadline passed while it ran our mmap call (the frame brings
 * it back by itself).  A signal that arrives first goes with the detach. */
static void
interrupt_and_detach(md_tracee *t, double grace)
{
    double deadline = mono_now() + grace;
    int status = 0;

    if (ptrace(PTRACE_INTERRUPT, t->pid, 0, 0) == -1) {
        return;
    }
    while (wait_until(t, deadline, &status) == 1) {
        if (!WIFSTOPPED(status)) {
            continue;
        }
        long sig = 0;
        if (!is_event_stop(status) && WSTOPSIG(status) != (SIGTRAP | 0x80)) {
            sig = WSTOPSIG(status);
        }
        ptrace(PTRACE_DETACH, t->pid, 0, (void *)sig);
        return;
    }
    /* it does not stop: the kernel detaches it when this process ends */
}

static int
save_state(md_tracee *t)
{
    struct iovec iov;

    if (ptrace(PTRACE_GETREGS, t->pid, 0, &t->saved) == -1) {
        return -1;
    }
    t->xstate = malloc(XSTATE_MAX);
    if (t->xstate != NULL) {
        iov.iov_base = t->xstate;
        iov.iov_len = XSTATE_MAX;
        if (ptrace(PTRACE_GETREGSET, t->pid, (void *)NT_X86_XSTATE, &iov)
                == 0 && iov.iov_len >= 576) {
            t->xstate_len = iov.iov_len;
            return 0;
        }
        free(t->xstate);
        t->xstate = NULL;
    }
    return ptrace(PTRACE_GETFPREGS, t->pid, 0, &t->fpregs) == -1 ? -1 : 0;
}

/* the thread's blocked signals (they do not change while it is stopped) */
static int
read_sigmask(md_tracee *t)
{
    char path[64], line[256];
    FILE *f;
    int found = 0;

    snprintf(path, sizeof(path), "/proc/%d/task/%d/status", t->pid, t->pid);
    f = fopen(path, "re");
    if (f == NULL) {
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "SigBlk:", 7) == 0) {
            t->sigmask = strtoull(line + 7, NULL, 16);
            found = 1;
            break;
        }
    }
    fclose(f);
    if (!found) {
        errno = EIO;
        return -1;
    }
    return 0;
}

static int
write_mem(md_tracee *t, uint64_t addr, const void *data, size_t len)
{
    const unsigned char *p = data;

    /* /proc/PID/mem writes read-only pages too (as the tracer), in one
     * call; PTRACE_POKEDATA word by word where it is refused */
    if (t->mem >= 0) {
        size_t done = 0;
        while (done < len) {
            ssize_t k = pwrite(t->mem, p + done, len - done,
                               (off_t)(addr + done));
            if (k < 0 && errno == EINTR) {
                continue;
            }
            if (k <= 0) {
                break;
            }
            done += (size_t)k;
        }
        if (done == len) {
            return 0;
        }
    }
    for (size_t k = 0; k < len; k += 8) {
        uint64_t word = 0;
        size_t n = len - k < 8 ? len - k : 8;
        if (n < 8) {
            errno = 0;
            long old = ptrace(PTRACE_PEEKDATA, t->pid, (void *)(addr + k), 0);
            if (errno != 0) {
                return -1;
            }
            memcpy(&word, &old, sizeof(word));
        }
        memcpy(&word, p + k, n);
        if (ptrace(PTRACE_POKEDATA, t->pid, (void *)(addr + k),
                   (void *)word) == -1) {
            return -1;
        }
    }
    return 0;
}

static int
is_restart(long rax)
{
    return rax == -ERESTARTSYS_ || rax == -ERESTARTNOINTR_
           || rax == -ERESTARTNOHAND_ || rax == -ERESTART_RESTARTBLOCK_;
}

/* the system calls in which CPython waits with the GIL released */
static int
is_wait_syscall(long nr)
{
    static const long waits[] = {
        0, 1, 7, 17, 19, 20, 23, 34, 35, 42, 43, 44, 45, 46, 47, 61, 65,
        70, 128, 130, 202, 208, 220, 230, 232, 243, 247, 270, 271, 281,
        288, 299, 426, 441, 449
    };  /* read write poll pread64 readv writev select pause nanosleep
         * connect accept sendto recvfrom sendmsg recvmsg wait4 semop
         * msgrcv rt_sigtimedwait rt_sigsuspend futex io_getevents
         * semtimedop clock_nanosleep epoll_wait mq_timedreceive waitid
         * pselect6 ppoll epoll_pwait accept4 recvmmsg io_uring_enter
         * epoll_pwait2 futex_waitv */
    for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
        if (waits[i] == nr) {
            return 1;
        }
    }
    return 0;
}

/* May the stub run the code right where the thread is?  Only blocked in
 * a waiting system call, and not on a futex inside _PyRuntime (the GIL's
 * condition variables and mutexes live there: the thread is inside
 * take_gil or drop_gil). */
static int
at_safe_wait(const md_tracee *t, const md_inject_symbols *sym)
{
    long nr = (long)t->saved.orig_rax;

    if (nr < 0 || !is_restart((long)t->saved.rax) || !is_wait_syscall(nr)) {
        return 0;
    }
    if (nr == NR_FUTEX) {
        if (sym->runtime == 0) {
            return 0;       /* cannot tell a GIL futex from another */
        }
        if (t->saved.rdi >= sym->runtime
            && t->saved.rdi < sym->runtime + sym->runtime_size) {
            return 0;
        }
    }
    return 1;
}

/* The frame (md_sigframe, then the XSAVE image) in `buf`, to be written
 * at `*frame_addr`; returns its length, 0 when the state cannot be
 * restored by rt_sigreturn (AMX tiles in use), -1 on error. */
static long
build_frame(const md_tracee *t, unsigned char *buf, size_t cap,
            uint64_t sigreturn, uint64_t *frame_addr)
{
    const struct user_regs_struct *r = &t->saved;
    unsigned char *fp = buf + cap - (XSTATE_MAX + 8);   /* scratch */
    size_t fp_len;
    md_sigframe frame;
    md_sigcontext *sc = &frame.uc.mcontext;

    if (t->xstate != NULL) {
        md_fpx_sw_bytes sw;
        uint64_t xstate_bv;

        memcpy(&sw, t->xstate + 464, sizeof(sw));
        memcpy(&xstate_bv, t->xstate + 512, sizeof(xstate_bv));
        if (sw.magic1 != FP_XSTATE_MAGIC1 || sw.xstate_size < 576
            || sw.xstate_size > t->xstate_len) {
            /* what the kernel's own frames carry, from the image */
            sw.magic1 = FP_XSTATE_MAGIC1;
            sw.xstate_size = (uint32_t)t->xstate_len;
            sw.xfeatures = xstate_bv | 3;
        }
        sw.extended_size = sw.xstate_size + 4;
        if (xstate_bv & XFEATURE_TILE & ~sw.xfeatures) {
            return 0;   /* the frame would reset them */
        }
        memcpy(fp, t->xstate, sw.xstate_size);
        memcpy(fp + 464, &sw, sizeof(sw));
        uint32_t magic2 = FP_XSTATE_MAGIC2;
        memcpy(fp + sw.xstate_size, &magic2, sizeof(magic2));
        fp_len = sw.xstate_size + 4;
    }
    else {
        /* the legacy FXSAVE image: no magic, the kernel restores it so */
        memcpy(fp, &t->fpregs, sizeof(t->fpregs));
        memset(fp + 464, 0, 48);
        fp_len = sizeof(t->fpregs);
    }

    /* below the 128-byte red zone, with room to spare; the image 64-byte
     * aligned (XRSTOR), the frame where a return address would be at a
     * function's entry (rsp + 8 a multiple of 16) */
    uint64_t top = (uint64_t)r->rsp - 128 - 256;
    uint64_t fp_addr = (top - fp_len) & ~(uint64_t)63;
    uint64_t addr = ((fp_addr - sizeof(md_sigframe)) & ~(uint64_t)15) - 8;
    size_t len = (size_t)(fp_addr + fp_len - addr);
    if (len > cap - (XSTATE_MAX + 8)) {
        errno = E2BIG;
        return -1;
    }

    memset(&frame, 0, sizeof(frame));
    frame.pretcode = sigreturn;
    frame.uc.flags = UC_SIGCONTEXT_SS_ | UC_STRICT_RESTORE_SS_
                     | (t->xstate != NULL ? UC_FP_XSTATE_ : 0);
    /* an invalid ss_flags: rt_sigreturn's sigaltstack() fails (ignored)
     * and leaves the thread's alternate stack as it is */
    frame.uc.ss_flags = 3;
    frame.uc.sigmask = t->sigmask;
    sc->r8 = r->r8; sc->r9 = r->r9; sc->r10 = r->r10; sc->r11 = r->r11;
    sc->r12 = r->r12; sc->r13 = r->r13; sc->r14 = r->r14; sc->r15 = r->r15;
    sc->rdi = r->rdi; sc->rsi = r->rsi; sc->rbp = r->rbp; sc->rbx = r->rbx;
    sc->rdx = r->rdx; sc->rax = r->rax; sc->rcx = r->rcx; sc->rsp = r->rsp;
    sc->rip = r->rip; sc->eflags = r->eflags;
    sc->cs = (uint16_t)r->cs;
    sc->ss = (uint16_t)r->ss;
    sc->oldmask = t->sigmask;
    sc->fpstate = fp_addr;
    if ((long)r->orig_rax >= 0 && is_restart((long)r->rax)) {
        sc->rax = r->orig_rax;
        sc->rip -= 2;
    }

    memmove(buf + (fp_addr - addr), fp, fp_len);
    memset(buf + sizeof(frame), 0, (size_t)(fp_addr - addr) - sizeof(frame));
    memcpy(buf, &frame, sizeof(frame));
    *frame_addr = addr;
    return (long)len;
}

/* The page's contents: the stub, its data, the code. */
static size_t
build_page(unsigned char *page, const md_inject_symbols *sym,
           const char *code, int direct)
{
    size_t stub_len = (size_t)(md_stub_code - md_stub_begin);
    uint64_t slots[STUB_SLOTS];
    size_t code_len = strlen(code) + 1;

    memcpy(page, md_stub_begin, stub_len);
    slots[STUB_DIRECT] = (uint64_t)direct;
    slots[STUB_GIL_CHECK] = sym->gil_check;
    slots[STUB_GIL_ENSURE] = sym->gil_ensure;
    slots[STUB_GIL_RELEASE] = sym->gil_release;
    slots[STUB_RUN] = sym->run_simple_string;
    slots[STUB_PENDING] = sym->add_pending_call;
    slots[STUB_MUNMAP] = sym->munmap;
    slots[STUB_SIGRETURN] = sym->sigreturn;
    memcpy(page + stub_len - sizeof(slots), slots, sizeof(slots));
    memcpy(page + stub_len, code, code_len);
    return stub_len + code_len;
}

/* Steps 2-4 of the header, with the thread stopped and its state saved. */
static int
redirect(md_tracee *t, const md_inject_symbols *sym, const char *code,
         int direct, double deadline, md_inject_result *result)
{
    unsigned char page[PAGE];
    unsigned char *frame;
    uint64_t frame_addr;
    long frame_len;
    struct user_regs_struct regs;
    int entered = 0;

    /* the frame, then (at the end) the XSAVE image's scratch copy */
    frame = malloc(FRAME_BUF);
    if (frame == NULL) {
        ptrace(PTRACE_DETACH, t->pid, 0, 0);
        return inject_fail(result, ENOMEM, "out of memory");
    }
    frame_len = build_frame(t, frame, FRAME_BUF, sym->sigreturn,
                            &frame_addr);
    if (frame_len > 0
        && write_mem(t, frame_addr, frame, (size_t)frame_len) == -1) {
        frame_len = -2;
    }
    int frame_err = errno;
    free(frame);
    if (frame_len == -1) {
        ptrace(PTRACE_DETACH, t->pid, 0, 0);
        return inject_fail(result, frame_err, "process %d: the signal "
                           "frame does not fit", t->pid);
    }
    if (frame_len == 0) {
        result->how = MD_INJECT_NOT_NOW;
        return ptrace(PTRACE_DETACH, t->pid, 0, 0) == -1 && !t->dead
               ? inject_fail(result, errno, "cannot detach from process %d:"
                             " %s", t->pid, strerror(errno))
               : 0;
    }
    if (frame_len == -2) {
        /* (below the mapped stack: Linux 6.5+ no longer grows a stack
         * for a tracer's write) nothing was changed */
        ptrace(PTRACE_DETACH, t->pid, 0, 0);
        return inject_fail(result, frame_err, "cannot write the stack of "
                           "process %d: %s", t->pid, strerror(frame_err));
    }

    /* mmap(NULL, PAGE, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS,
     * -1, 0): never the target's malloc, which the stopped thread may be
     * inside, holding its lock; never writable (the injector writes it
     * through /proc/PID/mem) */
    regs = t->saved;
    regs.rip = sym->mmap;
    regs.rsp = frame_addr;
    regs.rdi = 0;
    regs.rsi = PAGE;
    regs.rdx = 5;
    regs.rcx = 0x22;
    regs.r8 = (uint64_t)-1;
    regs.r9 = 0;
    regs.rax = 0;
    regs.orig_rax = (uint64_t)-1;
    regs.eflags &= ~(uint64_t)0x400;     /* DF */
    if (ptrace(PTRACE_SETREGS, t->pid, 0, &regs) == -1) {
        int e = errno;
        ptrace(PTRACE_DETACH, t->pid, 0, 0);
        return inject_fail(result, e, "cannot set the registers of process "
                           "%d: %s", t->pid, strerror(e));
    }
    /* from here on the thread gets back to its state on its own */
    if (ptrace(PTRACE_SYSCALL, t->pid, 0, 0) == -1) {
        return inject_fail(result, errno, "process %d: %s", t->pid,
                           strerror(errno));
    }
    for (;;) {
        int status = 0;
        int got = wait_until(t, deadline, &status);
        long sig = 0;

        if (got < 0) {
            if (t->dead) {
                return inject_fail(result, ESRCH, "process %d died during "
                                   "the attach", t->pid);
            }
            return inject_fail(result, errno, "waiting for process %d: %s",
                               t->pid, strerror(errno));
        }
        if (got == 0) {
            interrupt_and_detach(t, 1.0);
            return inject_fail(result, ETIMEDOUT, "timeout: process %d did "
                               "not finish its mmap call", t->pid);
        }
        if (!WIFSTOPPED(status)) {
            continue;
        }
        if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
            if (ptrace(PTRACE_GETREGS, t->pid, 0, &regs) == -1) {
                return inject_fail(result, errno, "process %d: %s", t->pid,
                                   strerror(errno));
            }
            /* ours: entry (rax -ENOSYS) then exit of mmap with our
             * arguments; any other call is a signal handler's */
            if ((long)regs.orig_rax == NR_MMAP && regs.rsi == PAGE
                && regs.rdx == 5 && regs.r10 == 0x22) {
                if (!entered && (long)regs.rax == -ENOSYS) {
                    entered = 1;
                }
                else if (entered) {
                    break;
                }
            }
        }
        else if (!is_event_stop(status)) {
            sig = WSTOPSIG(status);     /* deliver it */
        }
        if (ptrace(PTRACE_SYSCALL, t->pid, 0, (void *)sig) == -1) {
            return inject_fail(result, errno, "process %d: %s", t->pid,
                               strerror(errno));
        }
    }
    /* stopped at the end of our mmap call */
    int64_t mapped = (int64_t)regs.rax;
    if (mapped < 0 && mapped > -4096) {
        ptrace(PTRACE_DETACH, t->pid, 0, 0);
        return inject_fail(result, (int)-mapped, "could not map memory in "
                           "process %d: %s", t->pid, strerror((int)-mapped));
    }
    memset(page, 0, sizeof(page));
    size_t used = build_page(page, sym, code, direct);
    uint64_t stub = (uint64_t)mapped;
    if (write_mem(t, stub, page, used) == -1
        || write_mem(t, frame_addr, &stub, sizeof(stub)) == -1) {
        /* the return address is still the trampoline's */
        int e = errno;
        ptrace(PTRACE_DETACH, t->pid, 0, 0);
        return inject_fail(result, e, "cannot write into process %d: %s",
                           t->pid, strerror(e));
    }
    result->page = stub;
    result->how = direct ? MD_INJECT_AT_WAIT : MD_INJECT_PENDING;
    if (ptrace(PTRACE_DETACH, t->pid, 0, 0) == -1 && !t->dead) {
        /* the stub runs anyway once the thread goes on */
        return inject_fail(result, errno, "cannot detach from process %d: "
                           "%s", t->pid, strerror(errno));
    }
    return 0;
}

int
md_inject(int pid, const md_inject_symbols *symbols, const char *code,
          double timeout, int flags, md_inject_result *result)
{
    md_tracee t;
    double deadline = mono_now() + timeout;
    int stopsig = 0, rc;
    char path[64];

    memset(&t, 0, sizeof(t));
    memset(result, 0, sizeof(*result));
    result->syscall = -1;
    t.pid = pid;
    t.mem = -1;
    if (strlen(code) > MD_INJECT_CODE_MAX) {
        return inject_fail(result, EINVAL, "the code to inject is longer "
                           "than %d bytes", MD_INJECT_CODE_MAX);
    }
    if (symbols->sigreturn == 0 || symbols->mmap == 0
        || symbols->munmap == 0) {
        return inject_fail(result, EINVAL, "process %d: no rt_sigreturn "
                           "trampoline, mmap or munmap found in its C "
                           "library", pid);
    }
    /* only the main thread stops; the others run on (and can release
     * the GIL it may need) */
    if (ptrace(PTRACE_SEIZE, pid, 0, (void *)(long)PTRACE_O_TRACESYSGOOD)
            == -1) {
        return inject_fail(result, errno, "ptrace(PTRACE_SEIZE, %d): %s",
                           pid, strerror(errno));
    }
    if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) == -1) {
        int e = errno;
        ptrace(PTRACE_DETACH, pid, 0, 0);
        return inject_fail(result, e, "ptrace(PTRACE_INTERRUPT, %d): %s",
                           pid, strerror(e));
    }
    if (wait_for_stop(&t, deadline, &stopsig) == -1) {
        int e = errno;
        if (t.dead) {
            return inject_fail(result, ESRCH, "process %d exited", pid);
        }
        if (e == ETIMEDOUT) {
            interrupt_and_detach(&t, 1.0);
            return inject_fail(result, e, "timeout: the main thread of "
                               "process %d did not stop within %g s",
                               pid, timeout);
        }
        ptrace(PTRACE_DETACH, pid, 0, 0);
        return inject_fail(result, e, "process %d: %s", pid, strerror(e));
    }
    if (stopsig != SIGTRAP) {
        /* a group stop (SIGSTOP, SIGTSTP...): it stays stopped */
        ptrace(PTRACE_DETACH, pid, 0, 0);
        return inject_fail(result, EAGAIN, "process %d is stopped (signal "
                           "%d): continue it (kill -CONT %d) and attach "
                           "again", pid, stopsig, pid);
    }
    if (save_state(&t) == -1 || read_sigmask(&t) == -1) {
        int e = errno;
        ptrace(PTRACE_DETACH, pid, 0, 0);
        free(t.xstate);
        return inject_fail(result, e, "cannot read the state of process "
                           "%d: %s", pid, strerror(e));
    }
    if ((long)t.saved.orig_rax >= 0 && is_restart((long)t.saved.rax)) {
        result->syscall = (long)t.saved.orig_rax;
    }
    int direct = at_safe_wait(&t, symbols);
    if ((flags & MD_INJECT_WAIT_ONLY) && !direct) {
        /* untouched */
        result->how = MD_INJECT_NOT_NOW;
        rc = ptrace(PTRACE_DETACH, pid, 0, 0);
        free(t.xstate);
        return rc == -1 ? inject_fail(result, errno, "cannot detach from "
                                      "process %d: %s", pid, strerror(errno))
                        : 0;
    }
    snprintf(path, sizeof(path), "/proc/%d/mem", pid);
    t.mem = open(path, O_RDWR | O_CLOEXEC);
    rc = redirect(&t, symbols, code, direct, deadline, result);
    if (t.mem >= 0) {
        close(t.mem);
    }
    free(t.xstate);
    return rc;
}

#else   /* not Linux on x86-64 */

int
md_inject(int pid, const md_inject_symbols *symbols, const char *code,
          double timeout, int flags, md_inject_result *result)
{
    (void)pid;
    (void)symbols;
    (void)code;
    (void)timeout;
    (void)flags;
    memset(result, 0, sizeof(*result));
    return inject_fail(result, ENOSYS, "muppy's own injector needs Linux "
                       "on x86-64");
}

#endif
