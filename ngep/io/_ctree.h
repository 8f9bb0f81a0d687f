/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The tree passes of _ctree.c (path sums, roots, forests of a parents-first
 * tree). They are functions of the ngep.io._cswc module, the one C extension
 * of ngep.io: _cswc.c lists them in its method table.
 */
#ifndef NGEP_IO_CTREE_H
#define NGEP_IO_CTREE_H

#ifndef PY_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include <Python.h>

PyObject *ctree_path_sum_runs(PyObject *module, PyObject *args);
PyObject *ctree_roots(PyObject *module, PyObject *args);
PyObject *ctree_forest(PyObject *module, PyObject *args);

/* PyDoc_STRVAR, but not static: _cswc.c's method table names these. */
#define CTREE_DOC(name, text) const char name[] = PyDoc_STR(text)

extern const char ctree_path_sum_runs_doc[];
extern const char ctree_roots_doc[];
extern const char ctree_forest_doc[];

#endif
