/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Feature group "tree" of ngep.morphometrics._ckernel (see _kernel.h): the
 * features of the tree's segments, sections and tips, in the order of
 * GROUPS["tree"] in _kernel.py.
 */
#include "_kernel.h"

#include <math.h>

/* Segment from node i to its parent: a neurite segment when neither end is
 * soma (Morphology.neurite_segment); its length as Morphology.segment_length
 * computes it (x, y, z squares added in that order). */
static inline int neurite_segment(const KNeuron *nr, Py_ssize_t i)
{
    int64_t p = nr->parent[i];
    return i > 0 && p >= 0 && !nr->is_soma[i] && !nr->is_soma[p];
}

static inline double segment_length(const KNeuron *nr, Py_ssize_t i)
{
    const double *a = nr->xyz + 3 * nr->parent[i], *b = nr->xyz + 3 * i;
    double dx = b[0] - a[0], dy = b[1] - a[1], dz = b[2] - a[2];
    double s = dx * dx;
    s += dy * dy;
    s += dz * dz;
    return sqrt(s);
}

int k_tree(const KNeuron *nr, const double *extra, Py_ssize_t n_extra,
           double *out, Py_ssize_t n_out)
{
    (void)extra; (void)n_extra;
    double total_length = 0.0;
    for (Py_ssize_t i = 1; i < nr->n; i++)
        if (nr->in_comp[i] && neurite_segment(nr, i))
            total_length += segment_length(nr, i);
    if (n_out > 0)
        out[0] = total_length;
    return 0;
}
