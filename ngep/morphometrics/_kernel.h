/* SPDX-License-Identifier: BSD-3-Clause
 *
 * ngep.morphometrics._ckernel: catalogue features in C, an optional speed-up.
 *
 * One call computes one group of features of one compartment of one neuron,
 * from the node arrays of ngep.io.Morphology; ngep/morphometrics/_kernel.py
 * lists each group's features in output order, and the pure-Python catalogue
 * functions stay the reference: tests/morphometrics/test_kernel.py checks that
 * both give the same values on every real and synthetic neuron.
 *
 * Each group lives in its own file (_kernel_<group>.c) and computes what it
 * needs from the arrays below in a few passes over the nodes; nodes are in
 * topological order (a parent's index is below its children's, node 0 is the
 * root), as Morphology guarantees.
 */
#ifndef NGEP_KERNEL_H
#define NGEP_KERNEL_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>

typedef struct {
    Py_ssize_t n;            /* number of nodes */
    const double *xyz;       /* (n, 3), C order */
    const double *radius;    /* (n,) */
    const int64_t *types;    /* (n,) SWC type codes */
    const int64_t *parent;   /* (n,) parent index, -1 for the root (node 0) */
    const uint8_t *in_comp;  /* (n,) node_mask(m, compartment): neurite nodes of it */
    const uint8_t *is_soma;  /* (n,) type 1 */
    double root[3];          /* root_point(m): the first node */
    double centroid[3];      /* soma_centroid(m): mean of the soma points */
} KNeuron;

/* np.einsum("ij,ij->i", u, v) for one row of 3: numpy's SIMD loop
 * (einsum_sumprod.c.src, sum_of_products_contig_contig_outstride0_two) loads
 * the row into vectors and adds their lanes, so the order depends on the
 * vector width numpy dispatched to:
 *   0  (x + y) + z        4 lanes (AVX2), or no SIMD
 *   1  (x + z) + y        2 lanes (SSE2) or 8 (AVX-512)
 *   2  fma(z, x) + y      2 lanes with fused multiply-add (NEON, VSX)
 * where x, y, z are the products of the columns. */
static inline double dot3(const double *u, const double *v, int order)
{
    double s = u[0] * v[0];
    switch (order) {
    case 1:
        s += u[2] * v[2];
        s += u[1] * v[1];
        break;
    case 2:
        s = fma(u[2], v[2], s);
        s += u[1] * v[1];
        break;
    default:
        s += u[1] * v[1];
        s += u[2] * v[2];
    }
    return s;
}

/* A group writes n_out values into out (in the order _kernel.py lists) and
 * returns 0, or sets a Python exception (MemoryError; InvalidInputError where
 * it declines the neuron, see k_decline) and returns -1. extra
 * holds group-specific parameters (n_extra doubles; see each group). The GIL
 * is released during the call: no Python API except on error paths that
 * re-acquire it (use k_nomemory). */
typedef int (*k_group)(const KNeuron *nr, const double *extra,
                       Py_ssize_t n_extra, double *out, Py_ssize_t n_out);

int k_tree(const KNeuron *nr, const double *extra, Py_ssize_t n_extra,
           double *out, Py_ssize_t n_out);
int k_shape(const KNeuron *nr, const double *extra, Py_ssize_t n_extra,
            double *out, Py_ssize_t n_out);
int k_frame(const KNeuron *nr, const double *extra, Py_ssize_t n_extra,
            double *out, Py_ssize_t n_out);

/* Helpers of ngep/morphometrics/_frame.py, in _kernel_frame.c (same calling
 * convention; in_comp selects the segments that define a frame). */
int k_frame_moments(const KNeuron *nr, const double *extra,
                    Py_ssize_t n_extra, double *out, Py_ssize_t n_out);
int k_frame_spread(const KNeuron *nr, const double *extra, Py_ssize_t n_extra,
                   double *out, Py_ssize_t n_out);
int k_units(const KNeuron *nr, const double *extra, Py_ssize_t n_extra,
            double *out, Py_ssize_t n_out);

/* Report a failed allocation from inside a group (GIL released): returns -1. */
int k_nomemory(void);

/* Decline a neuron that a group cannot compute as the catalogue functions
 * do (GIL released): raises ngep.exceptions.InvalidInputError(message) and
 * returns -1. FeaturePlan.compute then leaves the group's columns to the
 * catalogue functions, which decide: a value, or their own error. */
int k_decline(const char *message);

#endif
