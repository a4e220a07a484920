/*
 * roots.c - tier-1 roots in priority order, root names.
 */
#include "lib/roots.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
an_root_priority(uint32_t kind)
{
    switch (kind) {
    case MF_ROOT_SYS_MODULES: return 0;
    case MF_ROOT_MODULE: return 1;
    case MF_ROOT_BUILTINS: return 2;
    case MF_ROOT_THREAD: return 3;
    case MF_ROOT_GC_GARBAGE: return 4;
    case MF_ROOT_OTHER: return 5;
    case MF_ROOT_UNREFERENCED: return 7;
    default: return 6;
    }
}

/* Stable insertion-merge sort of roots by a key function. */
static void
msort(an_root_ref *a, an_root_ref *tmp, uint32_t n,
      int (*less)(const an_root_ref *, const an_root_ref *))
{
    uint32_t mid, i, j, k;

    if (n < 2) {
        return;
    }
    mid = n / 2;
    msort(a, tmp, mid, less);
    msort(a + mid, tmp, n - mid, less);
    i = 0;
    j = mid;
    k = 0;
    while (i < mid && j < n) {
        if (less(&a[j], &a[i])) {
            tmp[k++] = a[j++];
        }
        else {
            tmp[k++] = a[i++];
        }
    }
    while (i < mid) {
        tmp[k++] = a[i++];
    }
    while (j < n) {
        tmp[k++] = a[j++];
    }
    memcpy(a, tmp, (size_t)n * sizeof(*a));
}

static int
less_priority(const an_root_ref *x, const an_root_ref *y)
{
    return an_root_priority(x->kind) < an_root_priority(y->kind);
}

static int
less_object(const an_root_ref *x, const an_root_ref *y)
{
    return x->object < y->object;
}

static void
sort_by(an_root_ref *roots, uint32_t n,
        int (*less)(const an_root_ref *, const an_root_ref *))
{
    an_root_ref *tmp;

    if (n < 2) {
        return;
    }
    tmp = malloc((size_t)n * sizeof(*tmp));
    if (tmp == NULL) {
        /* fall back to insertion sort: slow but stable and allocation-free */
        for (uint32_t i = 1; i < n; i++) {
            an_root_ref x = roots[i];
            uint32_t j = i;

            while (j > 0 && less(&x, &roots[j - 1])) {
                roots[j] = roots[j - 1];
                j--;
            }
            roots[j] = x;
        }
        return;
    }
    msort(roots, tmp, n, less);
    free(tmp);
}

void
an_sort_roots(an_root_ref *roots, uint32_t n)
{
    sort_by(roots, n, less_priority);
}

void
an_sort_roots_by_object(an_root_ref *roots, uint32_t n)
{
    sort_by(roots, n, less_object);
}

const an_root_ref *
an_roots_find(const an_roots *r, uint32_t obj)
{
    const an_root_ref *by_object = r->by_object;
    uint32_t n = r->n;
    uint32_t lo = 0, hi = n;

    /* first record with object >= obj */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;

        if (by_object[mid].object < obj) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    if (lo < n && by_object[lo].object == obj) {
        return &by_object[lo];
    }
    return NULL;
}

an_err
an_roots_init(an_roots *r, const mf_root *records, uint32_t n)
{
    memset(r, 0, sizeof(*r));
    r->ordered = malloc((size_t)(n ? n : 1) * sizeof(an_root_ref));
    r->by_object = malloc((size_t)(n ? n : 1) * sizeof(an_root_ref));
    if (r->ordered == NULL || r->by_object == NULL) {
        an_roots_free(r);
        return AN_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        r->ordered[i].object = records[i].object;
        r->ordered[i].kind = records[i].kind;
        r->ordered[i].label = records[i].label;
    }
    r->n = n;
    an_sort_roots(r->ordered, n);
    /* sorted by object from the priority order: the first record of an
     * object in priority order is the one an_roots_find() returns */
    memcpy(r->by_object, r->ordered, (size_t)n * sizeof(an_root_ref));
    an_sort_roots_by_object(r->by_object, n);
    return AN_OK;
}

an_err
an_roots_of_snap(an_roots *r, const an_snap *s)
{
    uint32_t n = 0;
    const mf_root *records = mf_reader_roots(s->reader, &n);

    return an_roots_init(r, records, records != NULL ? n : 0);
}

void
an_roots_free(an_roots *r)
{
    free(r->ordered);
    free(r->by_object);
    memset(r, 0, sizeof(*r));
}

const char *
an_root_kind_name(uint32_t kind)
{
    if (kind == MF_ROOT_UNREFERENCED) {
        return "unreferenced";
    }
    return mf_root_kind_name(kind);
}

void
an_root_text(const an_snap *s, const an_root_ref *rr, uint32_t obj,
             char *buf, size_t cap)
{
    size_t len = 0;
    const char *label = NULL;
    uint32_t kind = rr ? rr->kind : MF_ROOT_UNREFERENCED;

    if (rr && rr->label != MF_NONE) {
        label = mf_reader_string(s->reader, rr->label, &len);
    }
    if (len > 100) {
        len = 100;
    }
    switch (kind) {
    case MF_ROOT_MODULE:
        if (label) {
            snprintf(buf, cap, "sys.modules['%.*s']", (int)len, label);
        }
        else {
            snprintf(buf, cap, "sys.modules[?]");
        }
        return;
    case MF_ROOT_SYS_MODULES:
        snprintf(buf, cap, "sys.modules");
        return;
    case MF_ROOT_BUILTINS:
        snprintf(buf, cap, "builtins");
        return;
    case MF_ROOT_GC_GARBAGE:
        snprintf(buf, cap, "gc.garbage");
        return;
    case MF_ROOT_UNREFERENCED:
        snprintf(buf, cap, "<unreferenced %s @0x%llx>",
                 s->keys[an_snap_key_of(s, obj)].display,
                 (unsigned long long)s->cols.address[obj]);
        return;
    default:
        if (label && strncmp(label, an_root_kind_name(kind),
                             strlen(an_root_kind_name(kind))) == 0) {
            /* thread roots are labeled "thread <id> <func>() ..." */
            snprintf(buf, cap, "<%.*s>", (int)len, label);
        }
        else if (label) {
            snprintf(buf, cap, "<%s %.*s>", an_root_kind_name(kind),
                     (int)len, label);
        }
        else {
            snprintf(buf, cap, "<%s root>", an_root_kind_name(kind));
        }
        return;
    }
}
