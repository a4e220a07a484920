/*
 * load.c - mf_reader_load() and mf_reader_verify(): decode the OBJS
 * blocks in parallel, each straight into its slice of the CSR arrays
 * (object offsets and edge offsets come from the block headers, so the
 * blocks are independent).  The lowest failing block decides the error;
 * in partial mode the graph is cut just before it.
 */
#include "reader_impl.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "block.h"
#include "err.h"
#include "layout.h"
#include "muppy_util.h"
#include "objs.h"

#define LOAD_MAX_THREADS 8

typedef struct load_job {
    mf_reader *r;
    unsigned want;
    mf_graph *out;
    mf_objs_limits lim;
    int check_crc;
    atomic_size_t next;
    atomic_size_t fail_at;      /* lowest failing block (n_objs = none) */
    atomic_uint_fast64_t done_bytes;
    uint64_t total_bytes;
    uint64_t *size_sums;        /* per block */
    pthread_mutex_t mu;
    mf_error err;               /* error of block fail_at */
    int nomem;
} load_job;

static void
job_fail(load_job *j, size_t b, const mf_error *e)
{
    pthread_mutex_lock(&j->mu);
    if (b < atomic_load(&j->fail_at)) {
        atomic_store(&j->fail_at, b);
        mf_err_copy(&j->err, e);
    }
    pthread_mutex_unlock(&j->mu);
}

static void
job_run(load_job *j, int main_thread)
{
    mf_reader *r = j->r;
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    mf_objs_scratch s = {0};
    mf_buf scratch = {0};
    mf_error e;

    if (dctx == NULL) {
        mf_err(&e, MF_E_NOMEM, "out of memory");
        job_fail(j, 0, &e);
        return;
    }
    for (;;) {
        size_t b = atomic_fetch_add(&j->next, 1);
        const mf_objs_ref *o;
        mf_block_header h;
        mf_objs_block ob;
        const uint8_t *raw;
        int rc;

        if (b >= r->n_objs || b > atomic_load(&j->fail_at)) {
            break;
        }
        o = &r->objs[b];
        rc = mf_block_check(r->data, r->size, o->offset, o->index,
                            j->check_crc, &h, &e);
        if (rc == MF_OK) {
            rc = mf_block_payload(dctx, r->data, o->offset, o->index, &h,
                                  &scratch, &raw, &e);
        }
        if (rc == MF_OK) {
            ob.first = o->first;
            ob.edge_base = o->edge_base;
            ob.count = o->count;
            ob.aux = o->aux;
            ob.index = o->index;
            ob.offset = o->offset;
            rc = mf_objs_decode(raw, h.raw_size, &ob, j->want, &j->lim,
                                j->out, &s, &j->size_sums[b], &e);
        }
        if (rc != MF_OK) {
            job_fail(j, b, &e);
            continue;
        }
        atomic_fetch_add(&j->done_bytes,
                         MF_BLOCK_HEADER_SIZE + (uint64_t)h.stored_size);
        if (main_thread && r->progress) {
            r->progress(r->progress_ctx, atomic_load(&j->done_bytes),
                        j->total_bytes);
        }
    }
    ZSTD_freeDCtx(dctx);
    mf_objs_scratch_free(&s);
    mf_buf_free(&scratch);
}

static void *
job_thread(void *arg)
{
    job_run(arg, 0);
    return NULL;
}

static int
load_threads(const mf_reader *r)
{
    long n = r->threads;

    if (n <= 0) {
        n = sysconf(_SC_NPROCESSORS_ONLN);
        if (n > LOAD_MAX_THREADS) {
            n = LOAD_MAX_THREADS;
        }
    }
    if (n < 1) {
        n = 1;
    }
    if (n > 64) {
        n = 64;
    }
    if ((size_t)n > r->n_objs) {
        n = r->n_objs ? (long)r->n_objs : 1;
    }
    return (int)n;
}

/* Run the decoder over every OBJS block.  Returns the block index where
 * decoding failed in *fail (n_objs when none) and its error in err. */
static int
load_run(mf_reader *r, unsigned want, mf_graph *out, size_t *fail,
         uint64_t *size_sum, mf_error *err)
{
    int nt = load_threads(r), started = 0, i, partial;
    pthread_t th[64];
    load_job j;
    size_t b;

    partial = (r->flags & MF_READ_PARTIAL) != 0;
    memset(&j, 0, sizeof(j));
    j.r = r;
    j.want = want;
    j.out = out;
    j.lim.n_types = r->n_types;
    j.lim.n_strings = r->n_strings;
    /* a complete file knows its object count: any target beyond is
       corrupt; a truncated one may refer to objects that were cut off */
    j.lim.target_limit = partial && !r->have_toc ? MF_NONE : r->n_objects;
    j.check_crc = 1;
    atomic_init(&j.next, 0);
    atomic_init(&j.fail_at, r->n_objs);
    atomic_init(&j.done_bytes, 0);
    j.total_bytes = r->size;
    pthread_mutex_init(&j.mu, NULL);
    j.size_sums = calloc(r->n_objs ? r->n_objs : 1, sizeof(uint64_t));
    if (j.size_sums == NULL) {
        pthread_mutex_destroy(&j.mu);
        return mf_err(err, MF_E_NOMEM, "out of memory");
    }
    for (i = 1; i < nt; i++) {
        if (pthread_create(&th[started], NULL, job_thread, &j) != 0) {
            break;  /* fewer threads is fine */
        }
        started++;
    }
    job_run(&j, 1);
    for (i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
    }
    pthread_mutex_destroy(&j.mu);
    *fail = atomic_load(&j.fail_at);
    *size_sum = 0;
    for (b = 0; b < *fail && b < r->n_objs; b++) {
        *size_sum += j.size_sums[b];
    }
    free(j.size_sums);
    if (*fail < r->n_objs) {
        mf_err_copy(err, &j.err);
        return j.err.code;
    }
    return MF_OK;
}

/* Partial files: remove edges whose target was not loaded, in place. */
static void
load_drop_edges(mf_graph *g)
{
    uint64_t i, k = 0, start = 0;
    uint32_t o;

    for (o = 0; o < g->n_objects; o++) {
        uint64_t end = g->edge_start[o + 1]; /* read before overwritten */
        g->edge_start[o] = k;
        for (i = start; i < end; i++) {
            if (g->edge_target[i] >= g->n_objects) {
                g->dropped_edges++;
                continue;
            }
            g->edge_target[k] = g->edge_target[i];
            if (g->edge_kind) {
                g->edge_kind[k] = g->edge_kind[i];
            }
            if (g->edge_label) {
                g->edge_label[k] = g->edge_label[i];
            }
            k++;
        }
        start = end;
    }
    g->edge_start[g->n_objects] = k;
    g->n_edges = k;
}

static void *
load_alloc(uint64_t n, size_t elem, int *failed)
{
    void *p;

    if (*failed) {
        return NULL;
    }
    p = malloc(n ? (size_t)n * elem : 1);
    if (p == NULL) {
        *failed = 1;
    }
    else {
        /* analyses read the columns in random order */
        mf_advise_huge(p, (size_t)n * elem);
    }
    return p;
}

int
mf_reader_load(mf_reader *r, unsigned columns, mf_graph *g, mf_error *err)
{
    int partial = (r->flags & MF_READ_PARTIAL) != 0, failed = 0, rc;
    uint64_t n = r->n_objects, e = r->n_edges, need = 0, size_sum;
    int edges;
    size_t fail;

    mf_err_clear(err);
    if (g == NULL) {
        return mf_err(err, MF_E_ARG, "no graph to load into");
    }
    memset(g, 0, sizeof(*g));
    columns &= MF_COL_ALL;
    edges = (columns & (MF_COL_EDGES | MF_COL_EDGE_KIND
                        | MF_COL_EDGE_LABEL)) != 0;
    if (edges) {
        /* CSR offsets come with any edge column; partial mode needs the
           targets to drop edges into the missing objects */
        columns |= MF_COL_EDGES;
    }
    need += (columns & MF_COL_ADDRESS) ? n * 8 : 0;
    need += (columns & MF_COL_TYPE) ? n * 4 : 0;
    need += (columns & MF_COL_SIZE) ? n * 8 : 0;
    need += (columns & MF_COL_FLAGS) ? n : 0;
    need += (columns & MF_COL_LENGTH) ? n * 8 : 0;
    need += (columns & MF_COL_NAME) ? n * 4 : 0;
    need += (columns & MF_COL_VALUE) ? n * 4 : 0;
    need += edges ? (n + 1) * 8 + e * 4 : 0;
    need += (columns & MF_COL_EDGE_KIND) ? e : 0;
    need += (columns & MF_COL_EDGE_LABEL) ? e * 8 : 0;
    if (need > r->max_memory || need > SIZE_MAX / 2) {
        return mf_err(err, MF_E_LIMIT, "loading %llu objects and %llu edges "
                      "needs %llu bytes, more than the limit of %llu",
                      (unsigned long long)n, (unsigned long long)e,
                      (unsigned long long)need,
                      (unsigned long long)r->max_memory);
    }
    g->n_objects = (uint32_t)n;
    g->n_edges = e;
#define COL(bit, field, elem) \
    if (columns & (bit)) { \
        g->field = load_alloc(n, elem, &failed); \
    }
    COL(MF_COL_ADDRESS, address, 8);
    COL(MF_COL_TYPE, type, 4);
    COL(MF_COL_SIZE, size, 8);
    COL(MF_COL_FLAGS, flags, 1);
    COL(MF_COL_LENGTH, length, 8);
    COL(MF_COL_NAME, name, 4);
    COL(MF_COL_VALUE, value, 4);
#undef COL
    if (edges) {
        g->edge_start = load_alloc(n + 1, 8, &failed);
        g->edge_target = load_alloc(e, 4, &failed);
    }
    if (columns & MF_COL_EDGE_KIND) {
        g->edge_kind = load_alloc(e, 1, &failed);
    }
    if (columns & MF_COL_EDGE_LABEL) {
        g->edge_label = load_alloc(e, 8, &failed);
    }
    if (failed) {
        mf_graph_free(g);
        return mf_err(err, MF_E_NOMEM, "out of memory loading %llu objects",
                      (unsigned long long)n);
    }
    rc = load_run(r, columns | (partial ? MF_COL_SIZE : 0), g, &fail,
                  &size_sum, err);
    if (rc != MF_OK && (!partial || rc == MF_E_NOMEM)) {
        mf_graph_free(g);
        return rc;
    }
    if (rc != MF_OK) {
        /* cut before the failing block */
        const mf_objs_ref *o = &r->objs[fail];
        r->info.partial = 1;
        mf_err_copy(&r->info.damage, err);
        if (r->info.valid_bytes > o->offset || r->info.valid_bytes == 0) {
            r->info.valid_bytes = o->offset;
        }
        mf_err_clear(err);
        n = o->first;
        e = o->edge_base;
        r->n_objs = fail;
        r->n_objects = n;
        r->n_edges = e;
        r->loaded_partial = 1;
        g->n_objects = (uint32_t)n;
        g->n_edges = e;
        mf_reader_drop_roots(r, n);
    }
    if (edges) {
        g->edge_start[n] = e;
        if (partial) {
            load_drop_edges(g);
        }
    }
    if (partial) {
        r->info.total_size = size_sum;
    }
    r->info.objects = n;
    r->info.edges = g->n_edges;
    return MF_OK;
}

int
mf_reader_verify(mf_reader *r, mf_error *err)
{
    mf_graph none;
    uint64_t size_sum;
    size_t fail;
    int rc;

    mf_err_clear(err);
    memset(&none, 0, sizeof(none));
    rc = load_run(r, MF_COL_ALL, &none, &fail, &size_sum, err);
    if (rc != MF_OK) {
        return rc;
    }
    if (r->have_toc && !r->loaded_partial
        && size_sum != r->toc_total_size) {
        return mf_err(err, MF_E_CORRUPT, "object sizes add up to %llu, the "
                      "table of contents says %llu",
                      (unsigned long long)size_sum,
                      (unsigned long long)r->toc_total_size);
    }
    return MF_OK;
}

void
mf_graph_free(mf_graph *g)
{
    if (g == NULL) {
        return;
    }
    free(g->address);
    free(g->type);
    free(g->size);
    free(g->flags);
    free(g->length);
    free(g->name);
    free(g->value);
    free(g->edge_start);
    free(g->edge_target);
    free(g->edge_kind);
    free(g->edge_label);
    memset(g, 0, sizeof(*g));
}
