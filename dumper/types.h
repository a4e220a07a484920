/*
 * types.h - what the walk knows of each type, computed once per type.
 *
 * The first object of a type seen writes the type's record (module,
 * qualname, flags) and numbers the type object itself; its md_tinfo
 * keeps what every later instance needs: the type id, how to get the
 * size (compat.h's MC_SZ_*), the class of named references
 * (mc_classify()), how to read the length, and the pre-header and gc-ness
 * when they do not depend on the object.
 */
#ifndef MUPPY_TYPES_H
#define MUPPY_TYPES_H

#include "state.h"

/* how len() of a sized builtin is read */
enum { MD_LEN_NONE, MD_LEN_STR, MD_LEN_VAR, MD_LEN_DICT, MD_LEN_SET };

/* types whose layout the walk reads itself */
enum { MD_LIB_NONE = 0, MD_LIB_NDARRAY, MD_LIB_MMAP };

struct md_tinfo {
    PyTypeObject *tp;           /* NULL: empty slot */
    uint32_t id;                /* the type's id in the snapshot */
    int skind;                  /* mc_sizeof_kind() */
    PyCFunction cfunc;          /* the C __sizeof__, unless MC_SZ_CALL */
    int cls;                    /* mc_classify() */
    int pre;                    /* mc_preheader() of every instance, or
                                   -1: depends on the object */
    int is_gc;                  /* mc_is_gc() of every instance, or -1 */
    int lenkind;                /* MD_LEN_* */
    int lib;                    /* MD_LIB_*: numpy.h, mmap (compat.h) */
    PyObject *sizer;            /* its sizer (sizers.h), or NULL */
    PyObject *keyfn;            /* the sizer's key function, or NULL */
    int shallow;                /* own size, never __sizeof__ (sizers.h) */
    uint64_t n_shallow;         /* instances sized so (for the meta) */
};

/* allocate / free the type table (0, or -1 with MemoryError) */
int md_types_init(md_state *d);
void md_types_free(md_state *d);

/* the entry of a type already seen, or NULL */
static inline md_tinfo *
md_type_find(md_state *d, PyTypeObject *tp)
{
    size_t i;
    md_tinfo *e;

    if (tp == d->last_tp) {
        return d->last_ti;
    }
    i = md_hash(tp) & d->types_mask;
    for (;;) {
        e = &d->types[i];
        if (e->tp == tp) {
            d->last_tp = tp;
            d->last_ti = e;
            return e;
        }
        if (e->tp == NULL) {
            return NULL;
        }
        i = (i + 1) & d->types_mask;
    }
}

/*
 * md_type() - the entry of tp, writing the type's record and numbering
 * the type object when first seen (the caller drains the pipeline first:
 * this numbers an object out of the walk's order).  Returns NULL on
 * failure (exception set).
 */
md_tinfo *md_type(md_state *d, PyTypeObject *tp);

/*
 * md_type_fullname() - "module.qualname" of tp, UTF-8, cut to fit cap
 * (NUL-terminated), its length in *len.  Returns 0, or -1 with the
 * exception set.
 */
int md_type_fullname(md_state *d, PyTypeObject *tp, char *buf, size_t cap,
                     size_t *len);

#endif /* MUPPY_TYPES_H */
