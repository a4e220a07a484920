/*
 * sink.c - ordered block output with an optional compression worker.
 */
/* sync_file_range() on Linux */
#define _GNU_SOURCE
#include "sink.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include "block.h"
#include "err.h"

/* one being filled, up to three queued (see sink.h) */
#define SINK_SLOTS 4
/* blocks waiting for the compression thread */
#define SINK_BLOCKS 2
/* Writeback is started every this many bytes written. */
#define SINK_SYNC_BYTES (1u << 20)
/* Output buffer kept whatever its use (see mf_buf_trim()). */
#define SINK_KEEP_BYTES (256u << 10)
/* Each thread's own stack (see sink_thread_start()), a guard page below. */
#define SINK_STACK_BYTES (2u << 20)

typedef struct sink_slot {
    mf_buf raw;
    uint32_t kind, count, aux;
    uint64_t first;
} sink_slot;

struct mf_sink {
    int fd;
    char *name;
    int level;
    int threaded;
    ZSTD_CCtx *cctx;
    mf_buf out;             /* the encoded block being written */
    mf_sink_transform_fn transform;
    void *transform_ctx;

    /* one lock for both stages (they meet once per block) */
    pthread_mutex_t mu;
    pthread_cond_t cv_work; /* a slot was queued, or stop */
    pthread_cond_t cv_block; /* a block was queued, or stop */
    pthread_cond_t cv_free; /* a slot or a block was done */
    pthread_t thread, cthread;
    void *stack, *cstack;   /* theirs, mapped here */
    int started, cstarted, stop;

    sink_slot slots[SINK_SLOTS];
    /* slots [head, tail) are queued (mod SINK_SLOTS, counted by queued);
       `filling` is the one handed out by begin, or -1 */
    unsigned head, queued;
    int filling;
    int busy;               /* the worker is processing slots[head] */

    /* the worker's blocks for the compression thread: [bhead, +bqueued) */
    sink_slot blocks[SINK_BLOCKS];
    unsigned bhead, bqueued;

    int failed;
    mf_error err;

    mf_toc_entry *entries;
    size_t n_entries, cap_entries;
    uint64_t offset, raw_bytes;
    uint64_t synced;        /* writeback started up to here */
};

/* Compress and write a block: on the compression thread, or inline. */
static int
sink_write_block(mf_sink *s, uint32_t kind, uint64_t first, uint32_t count,
                 uint32_t aux, const uint8_t *raw, size_t raw_len,
                 mf_error *err)
{
    mf_toc_entry *e;
    int rc;

    rc = mf_block_encode(s->cctx, s->level, kind, first, count, aux, raw,
                         raw_len, &s->out, err);
    if (rc != MF_OK) {
        return rc;
    }
    if (mf_write_all(s->fd, s->out.data, s->out.len) < 0) {
        return mf_err_io(err, errno, "cannot write '%s'", s->name);
    }
#ifdef SYNC_FILE_RANGE_WRITE
    /* start the writeback of every SINK_SYNC_BYTES written, so that the
     * writer's fsync at close finds little left to do (a hint: errors
     * show up at that fsync) */
    if (s->offset + s->out.len - s->synced >= SINK_SYNC_BYTES) {
        (void)sync_file_range(s->fd, (off64_t)s->synced,
                              (off64_t)(s->offset + s->out.len - s->synced),
                              SYNC_FILE_RANGE_WRITE);
        s->synced = s->offset + s->out.len;
    }
#endif
    if (s->n_entries == s->cap_entries) {
        size_t cap = s->cap_entries ? 2 * s->cap_entries : 64;
        void *p = realloc(s->entries, cap * sizeof(*s->entries));
        if (p == NULL) {
            return mf_err(err, MF_E_NOMEM, "out of memory");
        }
        s->entries = p;
        s->cap_entries = cap;
    }
    e = &s->entries[s->n_entries++];
    e->kind = kind;
    e->offset = s->offset;
    e->first = first;
    e->count = count;
    e->aux = aux;
    e->size = (uint32_t)s->out.len;
    s->offset += s->out.len;
    s->raw_bytes += raw_len;
    mf_buf_trim(&s->out, s->out.len, SINK_KEEP_BYTES);
    return MF_OK;
}

int
mf_sink_emit(mf_sink *s, uint32_t kind, uint64_t first, uint32_t count,
             uint32_t aux, const uint8_t *raw, size_t raw_len, mf_error *err)
{
    sink_slot *b;
    int rc;

    if (!s->threaded) {
        return sink_write_block(s, kind, first, count, aux, raw, raw_len,
                                err);
    }
    /* hand a copy to the compression thread, so that the coding of the
     * next blocks overlaps the compression of this one */
    pthread_mutex_lock(&s->mu);
    while (s->bqueued == SINK_BLOCKS && !s->failed) {
        pthread_cond_wait(&s->cv_free, &s->mu);
    }
    rc = s->failed;
    if (rc != MF_OK) {
        mf_err_copy(err, &s->err);
    }
    /* only this thread fills blocks; this one is not queued yet */
    b = &s->blocks[(s->bhead + s->bqueued) % SINK_BLOCKS];
    pthread_mutex_unlock(&s->mu);
    if (rc != MF_OK) {
        return rc;
    }
    b->raw.len = 0;
    if (mf_buf_reserve(&b->raw, raw_len) < 0) {
        return mf_err(err, MF_E_NOMEM, "out of memory");
    }
    mf_buf_put(&b->raw, raw, raw_len);
    b->kind = kind;
    b->first = first;
    b->count = count;
    b->aux = aux;
    pthread_mutex_lock(&s->mu);
    s->bqueued++;
    pthread_cond_signal(&s->cv_block);
    pthread_mutex_unlock(&s->mu);
    return MF_OK;
}

static void *
sink_compressor(void *arg)
{
    mf_sink *s = arg;
    mf_error err;

    pthread_mutex_lock(&s->mu);
    for (;;) {
        sink_slot *b;
        int rc;

        while (s->bqueued == 0 && !s->stop) {
            pthread_cond_wait(&s->cv_block, &s->mu);
        }
        if (s->bqueued == 0) {
            break;
        }
        b = &s->blocks[s->bhead];
        if (!s->failed) {
            pthread_mutex_unlock(&s->mu);
            rc = sink_write_block(s, b->kind, b->first, b->count, b->aux,
                                  b->raw.data, b->raw.len, &err);
            mf_buf_trim(&b->raw, b->raw.len, SINK_KEEP_BYTES);
            pthread_mutex_lock(&s->mu);
            if (rc != MF_OK && !s->failed) {
                s->failed = rc;
                mf_err_copy(&s->err, &err);
            }
        }
        s->bhead = (s->bhead + 1) % SINK_BLOCKS;
        s->bqueued--;
        pthread_cond_broadcast(&s->cv_free);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* Process one slot.  Called without the lock held; only one thread at a
 * time processes slots. */
static int
sink_process(mf_sink *s, sink_slot *slot, mf_error *err)
{
    if (slot->kind == MF_SINK_TRANSFORM) {
        if (s->transform == NULL) {
            return mf_err(err, MF_E_ARG, "no transform for a slot");
        }
        return s->transform(s->transform_ctx, s, slot->raw.data,
                            slot->raw.len, slot->first, slot->aux, err);
    }
    return mf_sink_emit(s, slot->kind, slot->first, slot->count, slot->aux,
                        slot->raw.data, slot->raw.len, err);
}

static void *
sink_worker(void *arg)
{
    mf_sink *s = arg;
    mf_error err;

    pthread_mutex_lock(&s->mu);
    for (;;) {
        sink_slot *slot;
        int rc = MF_OK;

        while (s->queued == 0 && !s->stop) {
            pthread_cond_wait(&s->cv_work, &s->mu);
        }
        if (s->queued == 0) {
            break;
        }
        slot = &s->slots[s->head];
        s->busy = 1;
        if (!s->failed) {
            pthread_mutex_unlock(&s->mu);
            rc = sink_process(s, slot, &err);
            pthread_mutex_lock(&s->mu);
            if (rc != MF_OK && !s->failed) {
                s->failed = rc;
                mf_err_copy(&s->err, &err);
            }
        }
        s->busy = 0;
        s->head = (s->head + 1) % SINK_SLOTS;
        s->queued--;
        pthread_cond_broadcast(&s->cv_free);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* Starts a thread on a stack mapped for it rather than one from the C
 * library's cache.  A background dump writes from a forked child, where
 * the cache holds the stacks of the parent's other threads, on which
 * CPython 3.11+ keeps frame links the dump is about to read: a cached
 * stack would overwrite them.  0 or an errno value. */
static int
sink_thread_start(pthread_t *thread, void **stack, void *(*fn)(void *),
                  void *arg)
{
    pthread_attr_t attr;
    long page = sysconf(_SC_PAGESIZE);
    char *base;
    int e;

    if (page <= 0) {
        page = 4096;
    }
    base = mmap(NULL, SINK_STACK_BYTES, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        return errno ? errno : ENOMEM;
    }
    mprotect(base, (size_t)page, PROT_NONE);    /* overflow faults */
    e = pthread_attr_init(&attr);
    if (e == 0) {
        e = pthread_attr_setstack(&attr, base + page,
                                  SINK_STACK_BYTES - (size_t)page);
        if (e == 0) {
            e = pthread_create(thread, &attr, fn, arg);
        }
        pthread_attr_destroy(&attr);
    }
    if (e != 0) {
        munmap(base, SINK_STACK_BYTES);
        return e;
    }
    *stack = base;
    return 0;
}

int
mf_sink_open(mf_sink **out, int fd, const char *name, int level,
             int threads, uint64_t offset, mf_error *err)
{
    mf_sink *s = calloc(1, sizeof(*s));

    *out = NULL;
    if (s == NULL || (s->name = strdup(name)) == NULL) {
        free(s);
        return mf_err(err, MF_E_NOMEM, "out of memory");
    }
    s->fd = fd;
    s->level = level;
    s->offset = offset;
    s->filling = -1;
    s->cctx = ZSTD_createCCtx();
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv_work, NULL);
    pthread_cond_init(&s->cv_block, NULL);
    pthread_cond_init(&s->cv_free, NULL);
    if (s->cctx == NULL) {
        mf_sink_free(s);
        return mf_err(err, MF_E_NOMEM, "out of memory");
    }
    if (threads >= 0) {
        int e = sink_thread_start(&s->cthread, &s->cstack, sink_compressor,
                                  s);

        if (e == 0) {
            s->cstarted = 1;
            e = sink_thread_start(&s->thread, &s->stack, sink_worker, s);
        }
        if (e != 0) {
            mf_sink_free(s);
            return mf_err(err, MF_E_NOMEM,
                          "cannot start the writer's threads: %s",
                          strerror(e));
        }
        s->started = 1;
        s->threaded = 1;
    }
    *out = s;
    return MF_OK;
}

void
mf_sink_set_transform(mf_sink *s, mf_sink_transform_fn fn, void *ctx)
{
    s->transform = fn;
    s->transform_ctx = ctx;
}

mf_buf *
mf_sink_begin(mf_sink *s)
{
    unsigned idx;

    if (!s->threaded) {
        if (s->failed) {
            return NULL;
        }
        s->filling = 0;
        s->slots[0].raw.len = 0;
        return &s->slots[0].raw;
    }
    pthread_mutex_lock(&s->mu);
    /* one slot must stay free for filling: wait while all others queued */
    while (s->queued >= SINK_SLOTS - 1 && !s->failed) {
        pthread_cond_wait(&s->cv_free, &s->mu);
    }
    if (s->failed) {
        pthread_mutex_unlock(&s->mu);
        return NULL;
    }
    idx = (s->head + s->queued) % SINK_SLOTS;
    s->filling = (int)idx;
    pthread_mutex_unlock(&s->mu);
    s->slots[idx].raw.len = 0;
    return &s->slots[idx].raw;
}

int
mf_sink_submit(mf_sink *s, uint32_t kind, uint64_t first, uint32_t count,
               uint32_t aux, mf_error *err)
{
    sink_slot *slot;
    int rc;

    if (s->filling < 0) {
        if (s->failed) {
            mf_err_copy(err, &s->err);
            return s->failed;
        }
        return mf_err(err, MF_E_ARG, "block submitted without a buffer");
    }
    slot = &s->slots[s->filling];
    slot->kind = kind;
    slot->first = first;
    slot->count = count;
    slot->aux = aux;
    s->filling = -1;
    if (!s->threaded) {
        if (s->failed) {
            mf_err_copy(err, &s->err);
            return s->failed;
        }
        rc = sink_process(s, slot, &s->err);
        if (rc != MF_OK) {
            s->failed = rc;
            mf_err_copy(err, &s->err);
        }
        return rc;
    }
    pthread_mutex_lock(&s->mu);
    if (s->failed) {
        rc = s->failed;
        mf_err_copy(err, &s->err);
    }
    else {
        s->queued++;
        pthread_cond_signal(&s->cv_work);
        rc = MF_OK;
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int
mf_sink_drain(mf_sink *s, mf_error *err)
{
    int rc;

    if (s->threaded) {
        pthread_mutex_lock(&s->mu);
        while (s->queued > 0 || s->bqueued > 0) {
            pthread_cond_wait(&s->cv_free, &s->mu);
        }
        pthread_mutex_unlock(&s->mu);
    }
    rc = s->failed;
    if (rc != MF_OK) {
        mf_err_copy(err, &s->err);
    }
    return rc;
}

const mf_toc_entry *
mf_sink_entries(const mf_sink *s, size_t *n)
{
    *n = s->n_entries;
    return s->entries;
}

uint64_t
mf_sink_offset(const mf_sink *s)
{
    return s->offset;
}

uint64_t
mf_sink_raw_bytes(const mf_sink *s)
{
    return s->raw_bytes;
}

void
mf_sink_free(mf_sink *s)
{
    int i;

    if (s == NULL) {
        return;
    }
    if (s->started || s->cstarted) {
        pthread_mutex_lock(&s->mu);
        s->stop = 1;
        s->failed = s->failed ? s->failed : MF_E_ARG; /* drop the queues */
        pthread_cond_broadcast(&s->cv_work);
        pthread_cond_broadcast(&s->cv_block);
        pthread_cond_broadcast(&s->cv_free);
        pthread_mutex_unlock(&s->mu);
        /* the worker first: it may still hand blocks to the compressor */
        if (s->started) {
            pthread_join(s->thread, NULL);
        }
        if (s->cstarted) {
            pthread_join(s->cthread, NULL);
        }
    }
    if (s->stack != NULL) {
        munmap(s->stack, SINK_STACK_BYTES);
    }
    if (s->cstack != NULL) {
        munmap(s->cstack, SINK_STACK_BYTES);
    }
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv_work);
    pthread_cond_destroy(&s->cv_block);
    pthread_cond_destroy(&s->cv_free);
    for (i = 0; i < SINK_SLOTS; i++) {
        mf_buf_free(&s->slots[i].raw);
    }
    for (i = 0; i < SINK_BLOCKS; i++) {
        mf_buf_free(&s->blocks[i].raw);
    }
    mf_buf_free(&s->out);
    ZSTD_freeCCtx(s->cctx);
    free(s->entries);
    free(s->name);
    free(s);
}
