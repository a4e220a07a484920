/*
 * sizes.c - sys.getsizeof without its allocations (sizes.h).
 */
#include "sizes.h"
#include "index.h"
#include "numpy.h"

/* what sys.getsizeof adds to __sizeof__(), cached per type where it can */
static inline size_t
md_preheader(md_tinfo *ti, PyObject *o)
{
    if (ti->pre < 0) {
        size_t p = mc_preheader(o);

        if (ti->is_gc >= 0) {
            ti->pre = (int)p;   /* same for every instance of the type */
        }
        return p;
    }
    return (size_t)ti->pre;
}

int
md_size(md_state *d, PyObject *o, md_tinfo *ti, uint64_t *size,
        uint32_t *flags)
{
    PyTypeObject *tp = Py_TYPE(o);
    Py_ssize_t s;
    PyObject *r;

    if (ti->shallow) {
        /* its own memory only (sizers.h): the deep __sizeof__ is not
         * called, what it holds outside objects is an external node */
        ti->n_shallow++;
        if (ti->lib == MD_LIB_NDARRAY) {
            s = md_np_own_size(o);
            goto done;
        }
    }
    if (ti->skind >= MC_SZ_OBJECT && mc_sizeof_inline(ti->skind, o, &s)) {
        if (s < 0) {
            goto fallback;
        }
        goto done;
    }
    if (ti->skind != MC_SZ_CALL) {
        r = ti->cfunc(o, NULL);
    }
    else {
        md_own_all(d);
        /* (a background dump's child leaves the signals to its parent) */
        if (d->child == NULL && PyErr_CheckSignals() < 0) {
            d->failed = MD_FAILED_PY;
            return -1;
        }
        Py_INCREF(o);
        r = mc_call_sizeof(o);
        Py_DECREF(o);
    }
    if (r == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_Exception)) {
            d->failed = MD_FAILED_PY;      /* KeyboardInterrupt, SystemExit... */
            return -1;
        }
        goto fallback;
    }
    if (!PyLong_Check(r)) {
        Py_DECREF(r);
        goto fallback;
    }
    s = PyLong_AsSsize_t(r);
    Py_DECREF(r);
    if ((s == -1 && PyErr_Occurred()) || s < 0) {
        goto fallback;
    }
done:
    *size = (uint64_t)s + md_preheader(ti, o);
    return 0;
fallback:
    PyErr_Clear();
    *flags |= MF_OBJ_SIZE_FALLBACK;
    *size = (uint64_t)tp->tp_basicsize + md_preheader(ti, o);
    return 0;
}
