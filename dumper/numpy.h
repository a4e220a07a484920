/*
 * numpy.h - numpy's ndarray, read at C speed without importing numpy.
 *
 * ndarray has no tp_traverse: the gc sees neither an array's base, nor
 * its dtype, nor the items of an array of dtype object; and its
 * __sizeof__ counts the data buffer.  The walk reads the array's struct
 * (PyArrayObject_fields: data, nd, dimensions, strides, base, descr,
 * flags, the same from numpy 1.x to 2.x) and the head of its
 * PyArray_Descr (typeobj, kind, type, byteorder, one char, type_num: the
 * part common to the 1.x and 2.x layouts), so that an array has:
 *   - a FIELD edge `.base` to its base and `.dtype` to its descr;
 *   - for dtype object (type_num 17, kind 'O'), an INDEX edge `[i]` to
 *     each item, i the flat index in C order (whatever the strides: 0-d,
 *     empty, Fortran-ordered, strided), unless its base is an ndarray
 *     (a view: the base lists the items);
 *   - its own size: tp_basicsize + the dimensions and strides (2 * nd
 *     npy_intp), never the data;
 *   - the data as an external node (external.h): "numpy data" when the
 *     array owns it (flag OWNDATA), "numpy data (not owned)" when it does
 *     not and has no base (memory a C library lent it); with a base, the
 *     base holds the memory (an ndarray, an mmap, bytes, a tensor...).
 * The item size of other dtypes (1.x: an int at offset 32, 2.x: an
 * npy_intp at offset 40) is asked once per descr (`dtype.itemsize`, a C
 * getter) and cached.
 *
 * Were a numpy version to give ndarray a tp_traverse (GC), the items,
 * base and dtype would be its edges, and only the data node is added.
 *
 * Not covered: structured dtypes with object fields (their items are not
 * listed).
 */
#ifndef MUPPY_NUMPY_H
#define MUPPY_NUMPY_H

#include "state.h"

/* 1 if tp is numpy.ndarray or a subclass (by tp_name "numpy.ndarray"
 * of a static type in its tp_base chain, with the expected size) */
int md_np_is_ndarray_type(PyTypeObject *tp);

/* the array's own size, as numpy's __sizeof__ without the data */
Py_ssize_t md_np_own_size(PyObject *o);

/* append the array's edges to d->te: items, .base, .dtype, the data's
 * node.  Returns 0, or -1 with the exception set. */
int md_np_edges(md_state *d, PyObject *o);

#endif /* MUPPY_NUMPY_H */
