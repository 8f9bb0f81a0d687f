/* SPDX-License-Identifier: BSD-3-Clause
 *
 * ngep.morphometrics._ckernel: the module and its one entry point, run();
 * the feature groups are in _kernel_<group>.c (see _kernel.h).
 */
#include "_kernel.h"

#include <string.h>

/* Feature groups (_kernel.py's GROUPS), then helpers of _frame.py
 * (_kernel.py's HELPERS). */
static const k_group GROUPS[] = {k_tree, k_shape, k_frame,
                                 k_frame_moments, k_frame_spread, k_units};
#define N_GROUPS ((Py_ssize_t)(sizeof(GROUPS) / sizeof(GROUPS[0])))

int k_nomemory(void)
{
    PyGILState_STATE state = PyGILState_Ensure();
    PyErr_NoMemory();
    PyGILState_Release(state);
    return -1;
}

int k_decline(const char *message)
{
    PyGILState_STATE state = PyGILState_Ensure();
    PyObject *module = PyImport_ImportModule("ngep.exceptions");
    if (module != NULL) {
        PyObject *cls = PyObject_GetAttrString(module, "InvalidInputError");
        if (cls != NULL)
            PyErr_SetString(cls, message);
        Py_XDECREF(cls);
        Py_DECREF(module);
    }
    PyGILState_Release(state);
    return -1;
}

static int check(Py_buffer *b, const char *name, Py_ssize_t itemsize,
                 Py_ssize_t count)
{
    if (b->len != itemsize * count) {
        PyErr_Format(PyExc_ValueError,
                     "_ckernel.run: %s has %zd bytes, expected %zd", name,
                     b->len, itemsize * count);
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(run_doc,
"run(group, xyz, radius, types, parent, in_comp, is_soma, root, centroid,\n"
"    extra, out)\n"
"\n"
"Compute feature group ``group`` into ``out`` (float64, writable). Arrays are\n"
"C-contiguous: xyz (n, 3) float64, radius float64, types and parent int64,\n"
"in_comp and is_soma bool; root, centroid: 3 float64; extra: float64.");

static PyObject *run(PyObject *self, PyObject *args)
{
    Py_ssize_t group;
    Py_buffer b[10];
    memset(b, 0, sizeof(b));
    if (!PyArg_ParseTuple(args, "ny*y*y*y*y*y*y*y*y*w*", &group, &b[0], &b[1],
                          &b[2], &b[3], &b[4], &b[5], &b[6], &b[7], &b[8],
                          &b[9]))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = b[1].len / (Py_ssize_t)sizeof(double);
    if (group < 0 || group >= N_GROUPS) {
        PyErr_Format(PyExc_ValueError, "_ckernel.run: no group %zd", group);
        goto done;
    }
    if (n < 1 || check(&b[0], "xyz", 3 * sizeof(double), n) ||
        check(&b[2], "types", sizeof(int64_t), n) ||
        check(&b[3], "parent", sizeof(int64_t), n) ||
        check(&b[4], "in_comp", 1, n) || check(&b[5], "is_soma", 1, n) ||
        check(&b[6], "root", sizeof(double), 3) ||
        check(&b[7], "centroid", sizeof(double), 3) ||
        b[8].len % sizeof(double) || b[9].len % sizeof(double)) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "_ckernel.run: bad arrays");
        goto done;
    }
    KNeuron nr;
    nr.n = n;
    nr.xyz = (const double *)b[0].buf;
    nr.radius = (const double *)b[1].buf;
    nr.types = (const int64_t *)b[2].buf;
    nr.parent = (const int64_t *)b[3].buf;
    nr.in_comp = (const uint8_t *)b[4].buf;
    nr.is_soma = (const uint8_t *)b[5].buf;
    memcpy(nr.root, b[6].buf, sizeof(nr.root));
    memcpy(nr.centroid, b[7].buf, sizeof(nr.centroid));
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = GROUPS[group](&nr, (const double *)b[8].buf,
                       b[8].len / (Py_ssize_t)sizeof(double), (double *)b[9].buf,
                       b[9].len / (Py_ssize_t)sizeof(double));
    Py_END_ALLOW_THREADS
    if (rc == 0) {
        result = Py_None;
        Py_INCREF(result);
    } else if (!PyErr_Occurred()) {
        PyErr_SetString(PyExc_RuntimeError, "_ckernel.run failed");
    }
done:
    for (int i = 0; i < 10; i++)
        if (b[i].obj)
            PyBuffer_Release(&b[i]);
    return result;
}

static PyMethodDef methods[] = {
    {"run", run, METH_VARARGS, run_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_ckernel",
    "Catalogue features in C (optional speed-up of ngep.morphometrics).", -1,
    methods,
};

PyMODINIT_FUNC PyInit__ckernel(void) { return PyModule_Create(&module); }
