/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Feature group "shape" of ngep.morphometrics._ckernel (see _kernel.h and the
 * group's entry in _kernel.py).
 */
#include "_kernel.h"

int k_shape(const KNeuron *nr, const double *extra, Py_ssize_t n_extra,
         double *out, Py_ssize_t n_out)
{
    (void)nr; (void)extra; (void)n_extra; (void)out; (void)n_out;
    PyGILState_STATE state = PyGILState_Ensure();
    PyErr_SetString(PyExc_NotImplementedError, "group shape is not written yet");
    PyGILState_Release(state);
    return -1;
}
