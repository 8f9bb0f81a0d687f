/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Feature group "frame" of ngep.morphometrics._ckernel (see _kernel.h and the
 * group's entry in _kernel.py), and the helpers of ngep/morphometrics/_frame.py.
 *
 * k_frame: the frame-dependent features of one compartment
 * (ngep/morphometrics/_geometry.py), in this order:
 *     0 width, 1 height, 2 depth,
 *     3 width_95, 4 height_95, 5 depth_95,
 *     6 length_fraction_above_soma, 7 length_fraction_below_soma
 * computed in the frame given by extra (12 doubles: the rows of the rotation
 * matrix, then the offset, as frame_transform returns them), or on the file
 * coordinates without extra. They are the catalogue functions' values on
 * to_frame(m, ...), without building the rotated copy: a node's frame
 * coordinates are computed as to_frame does (matrix @ xyz, then + offset)
 * where they are needed. to_frame multiplies with BLAS, which may fuse or
 * reorder the three products: coordinates agree to an ulp or so, not always
 * to the bit.
 *
 * k_frame_moments, k_frame_spread: what frame_transform needs from the
 * segments of a compartment (_frame._moments and _frame._oriented).
 * k_units: the values unit_problem compares with its thresholds.
 */
#include "_kernel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int bad_extra(const char *group, Py_ssize_t n_extra, Py_ssize_t n_out)
{
    PyGILState_STATE state = PyGILState_Ensure();
    PyErr_Format(PyExc_ValueError,
                 "_ckernel group %s: %zd parameters and %zd outputs do not fit",
                 group, n_extra, n_out);
    PyGILState_Release(state);
    return -1;
}

/* Node i's coordinates in the frame (matrix rows M[0..8], offset M[9..11]):
 * each row's products added left to right, then the offset, as
 * (matrix @ xyz_rows + offset[:, None]) in to_frame; the file coordinates
 * when M is NULL. */
static inline void coords(const KNeuron *nr, const double *M, Py_ssize_t i,
                          double c[3])
{
    const double *p = nr->xyz + 3 * i;
    if (M == NULL) {
        c[0] = p[0]; c[1] = p[1]; c[2] = p[2];
        return;
    }
    for (int a = 0; a < 3; a++) {
        double s = M[3 * a] * p[0];
        s += M[3 * a + 1] * p[1];
        s += M[3 * a + 2] * p[2];
        c[a] = s + M[9 + a];
    }
}

/* Morphology.neurite_segment: node i to its parent, neither end soma. */
static inline int neurite_segment(const KNeuron *nr, Py_ssize_t i)
{
    int64_t p = nr->parent[i];
    return i > 0 && p >= 0 && !nr->is_soma[i] && !nr->is_soma[p];
}

/* Morphology.segment_length from child c to parent q: squares of the steps
 * added in x, y, z order. */
static inline double seg_length(const double c[3], const double q[3])
{
    double d = c[0] - q[0], s = d * d;
    d = c[1] - q[1];
    s += d * d;
    d = c[2] - q[2];
    s += d * d;
    return sqrt(s);
}

/* --- order statistics ---------------------------------------------------- */

static void insertion_sort(double *v, Py_ssize_t n)
{
    for (Py_ssize_t i = 1; i < n; i++) {
        double x = v[i];
        Py_ssize_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Reorder v[0..n) so that v[k] is its k-th smallest value, nothing larger
 * before it and nothing smaller after it (np.partition's guarantee).
 * Quickselect with a median-of-three pivot; a range that does not shrink
 * fast (inputs built to defeat the pivot) is sorted instead. Values are
 * finite (Morphology checks), so comparisons are a total order. */
static void select_kth(double *v, Py_ssize_t n, Py_ssize_t k)
{
    Py_ssize_t lo = 0, hi = n - 1;
    int rounds = 0;
    while (hi - lo > 16) {
        if (++rounds > 64) {
            qsort(v + lo, (size_t)(hi - lo + 1), sizeof(double), cmp_double);
            return;
        }
        Py_ssize_t mid = lo + (hi - lo) / 2;
        double t;
        /* order v[lo], v[mid], v[hi]; the median becomes the pivot */
        if (v[mid] < v[lo]) { t = v[mid]; v[mid] = v[lo]; v[lo] = t; }
        if (v[hi] < v[lo]) { t = v[hi]; v[hi] = v[lo]; v[lo] = t; }
        if (v[hi] < v[mid]) { t = v[hi]; v[hi] = v[mid]; v[mid] = t; }
        double pivot = v[mid];
        Py_ssize_t i = lo, j = hi;
        while (i <= j) {  /* Hoare partition: [lo, j] <= pivot <= [i, hi] */
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) {
                t = v[i]; v[i] = v[j]; v[j] = t;
                i++; j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return;  /* j < k < i: v[k] == pivot, in place */
    }
    insertion_sort(v + lo, hi - lo + 1);
}

/* The smallest of v[0..n), n >= 1. */
static double min_of(const double *v, Py_ssize_t n)
{
    double m = v[0];
    for (Py_ssize_t i = 1; i < n; i++)
        if (v[i] < m)
            m = v[i];
    return m;
}

/* np.percentile's "linear" virtual index of percent p of n values, as
 * _geometry._percentiles computes it: lower rank, upper rank, fraction. */
typedef struct {
    Py_ssize_t lo, hi;
    double gamma;
} Rank;

static Rank rank_of(double percent, Py_ssize_t n)
{
    Rank r;
    double virtual_ = percent / 100.0 * (double)(n - 1);
    r.lo = (Py_ssize_t)floor(virtual_);
    r.hi = r.lo + 1 < n - 1 ? r.lo + 1 : n - 1;
    r.gamma = virtual_ - (double)r.lo;
    return r;
}

/* numpy's linear interpolation between the order statistics a <= b,
 * including its b - (b - a) * (1 - gamma) form for gamma >= 0.5. */
static double lerp(double a, double b, double gamma)
{
    double diff = b - a;
    if (gamma >= 0.5)
        return b - diff * (1 - gamma);
    return a + diff * gamma;
}

/* Order statistics r.lo and r.hi of v[0..n) (reordered). */
static double percentile_in(double *v, Py_ssize_t n, Rank r)
{
    select_kth(v, n, r.lo);
    double a = v[r.lo];
    double b = r.hi > r.lo ? min_of(v + r.lo + 1, n - r.lo - 1) : a;
    return lerp(a, b, r.gamma);
}

#define N_SAMPLE 32

/* The 2.5th and 97.5th percentiles of v[0..n) (left as is), as
 * _geometry._percentiles gives them; scratch holds n doubles.
 *
 * Both ranks are near the ends: one pass copies the values at or below a low
 * threshold to the front of scratch and those at or above a high threshold to
 * its back (thresholds from a sorted sample of 32 values), and the order
 * statistics are selected in these two short runs. The values <= t are
 * exactly the smallest ones (ties included), so the ranks carry over; when a
 * run turns out too short for its rank, all values are selected instead. */
static void percentiles_95(const double *v, Py_ssize_t n, double *scratch,
                           double out[2])
{
    Rank r1 = rank_of(2.5, n), r2 = rank_of(97.5, n);
    if (n > 4 * N_SAMPLE) {
        double sample[N_SAMPLE];
        for (Py_ssize_t j = 0; j < N_SAMPLE; j++)
            sample[j] = v[(j * n) / N_SAMPLE + (n / N_SAMPLE) / 2];
        insertion_sort(sample, N_SAMPLE);
        /* expected position of rank r1.hi in the sample, plus a margin */
        Py_ssize_t j = (N_SAMPLE * (r1.hi + 1)) / n + 3;
        if (j < N_SAMPLE / 2) {
            double low = sample[j], high = sample[N_SAMPLE - 1 - j];
            Py_ssize_t n_low = 0, n_high = 0;
            if (low < high) {
                /* without branches: x is written to both ends and kept
                 * where it counts (low < high: at most one). The two slots
                 * meet only at the last value, where both writes are x. */
                for (Py_ssize_t i = 0; i < n; i++) {
                    double x = v[i];
                    scratch[n_low] = x;
                    n_low += x <= low;
                    scratch[n - 1 - n_high] = x;
                    n_high += x >= high;
                }
                /* ranks 0..n_low-1 are in front, n-n_high..n-1 at the back */
                if (r1.hi < n_low && r2.lo >= n - n_high) {
                    out[0] = percentile_in(scratch, n_low, r1);
                    Py_ssize_t base = n - n_high;
                    Rank top = {r2.lo - base, r2.hi - base, r2.gamma};
                    out[1] = percentile_in(scratch + base, n_high, top);
                    return;
                }
            }
        }
    }
    memcpy(scratch, v, (size_t)n * sizeof(double));
    out[0] = percentile_in(scratch, n, r1);
    out[1] = percentile_in(scratch, n, r2);
}

/* --- group "frame" ------------------------------------------------------- */

int k_frame(const KNeuron *nr, const double *extra, Py_ssize_t n_extra,
            double *out, Py_ssize_t n_out)
{
    if ((n_extra != 0 && n_extra != 12) || n_out < 8)
        return bad_extra("frame", n_extra, n_out);
    const double *M = n_extra ? extra : NULL;
    Py_ssize_t n = nr->n, nc = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        nc += nr->in_comp[i] != 0;
    if (nc == 0) {  /* the catalogue's values of an empty compartment */
        for (int a = 0; a < 6; a++)
            out[a] = 0.0;
        out[6] = out[7] = NAN;
        return 0;
    }
    /* the compartment's frame coordinates, one row per axis (_extent's
     * np.take(xyz_rows, nodes)), then scratch for the percentiles */
    double *rows = malloc((size_t)(4 * nc) * sizeof(double));
    if (rows == NULL)
        return k_nomemory();
    double lo[3] = {INFINITY, INFINITY, INFINITY};
    double hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    double c0[3];
    coords(nr, M, 0, c0);  /* root_point of the framed neuron */
    const double y0 = c0[1];
    double above = 0.0, total = 0.0;
    double prev[3] = {0.0, 0.0, 0.0};  /* the last node's coordinates */
    Py_ssize_t k = 0, prev_i = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!nr->in_comp[i])
            continue;
        double c[3];
        coords(nr, M, i, c);
        for (int a = 0; a < 3; a++) {
            rows[a * nc + k] = c[a];
            if (c[a] < lo[a]) lo[a] = c[a];
            if (c[a] > hi[a]) hi[a] = c[a];
        }
        k++;
        if (neurite_segment(nr, i)) {
            /* _geometry._length_above: the share of the segment above y0.
             * The parent is mostly the node before (files are depth first):
             * its coordinates are at hand. */
            double q[3];
            if (nr->parent[i] == prev_i)
                memcpy(q, prev, sizeof(q));
            else
                coords(nr, M, nr->parent[i], q);
            double length = seg_length(c, q);
            double ya = q[1] - y0, yb = c[1] - y0;
            double ylo = ya < yb ? ya : yb, yhi = ya < yb ? yb : ya;
            double span = yhi - ylo, share;
            if (span == 0)
                share = ylo > 0 ? 1.0 : 0.0;
            else if (ylo >= 0)  /* what the quotient gives: span / span */
                share = 1.0;
            else if (yhi <= 0)  /* 0 / span */
                share = 0.0;
            else  /* crosses y0: (max(hi, 0) - max(lo, 0)) / span */
                share = yhi / span;
            above += length * share;
            total += length;
        }
        memcpy(prev, c, sizeof(prev));
        prev_i = i;
    }
    for (int a = 0; a < 3; a++) {
        double p[2];
        percentiles_95(rows + a * nc, nc, rows + 3 * nc, p);
        out[a] = hi[a] - lo[a];
        out[3 + a] = p[1] - p[0];
    }
    free(rows);
    out[6] = total > 0 ? above / total : NAN;
    out[7] = total > 0 ? (total - above) / total : NAN;
    return 0;
}

/* --- helpers of frame_transform ------------------------------------------ */

/* The segments of _frame._segments: neurite segments of positive length whose
 * child is in the compartment; all neurite segments of positive length when
 * the compartment has none. Sets their child nodes and lengths (in one
 * malloc'd block, returned for free(); NULL after k_nomemory) and their
 * number: the sums below run over these short lists instead of testing every
 * node again. */
static void *frame_segments(const KNeuron *nr, Py_ssize_t **child, double **w,
                            Py_ssize_t *count)
{
    size_t size = (size_t)(nr->n > 1 ? nr->n - 1 : 1);
    char *block = malloc(size * (sizeof(Py_ssize_t) + sizeof(double)));
    if (block == NULL) {
        k_nomemory();
        return NULL;
    }
    *w = (double *)block;
    *child = (Py_ssize_t *)(block + size * sizeof(double));
    Py_ssize_t c = 0;
    for (int all_ = 0; all_ < 2 && c == 0; all_++)
        for (Py_ssize_t i = 1; i < nr->n; i++) {
            if (!(all_ || nr->in_comp[i]) || !neurite_segment(nr, i))
                continue;
            double length = seg_length(nr->xyz + 3 * i,
                                       nr->xyz + 3 * nr->parent[i]);
            if (length > 0) {
                (*child)[c] = i;
                (*w)[c++] = length;
            }
        }
    *count = c;
    return block;
}

/* _frame._moments: out = count, total length, mean (3), covariance (3x3, row
 * major) of points uniform along the segments; mean and covariance are zeros
 * without segments. A point uniform on a segment with centred midpoint M and
 * half-length vector H has second moment M M' + H H' / 3, which is numpy's
 * (a a' + b b') / 3 + (a b' + b a') / 6 (blocks of a 6x6 Gram matrix there)
 * with fewer products; numpy also sums pairwise or in BLAS: the same value up
 * to rounding, ~1e-16 relative. */
int k_frame_moments(const KNeuron *nr, const double *extra,
                    Py_ssize_t n_extra, double *out, Py_ssize_t n_out)
{
    (void)extra;
    if (n_extra != 0 || n_out < 14)
        return bad_extra("frame_moments", n_extra, n_out);
    memset(out, 0, 14 * sizeof(double));
    Py_ssize_t *child, count;
    double *w;
    void *block = frame_segments(nr, &child, &w, &count);
    if (block == NULL)
        return -1;
    out[0] = (double)count;
    if (count == 0) {
        free(block);
        return 0;
    }
    const double *xyz = nr->xyz;
    double total = 0.0, s0 = 0.0, s1 = 0.0, s2 = 0.0;
    for (Py_ssize_t k = 0; k < count; k++) {
        const double *a = xyz + 3 * nr->parent[child[k]], *b = xyz + 3 * child[k];
        total += w[k];
        s0 += (a[0] + b[0]) * w[k];
        s1 += (a[1] + b[1]) * w[k];
        s2 += (a[2] + b[2]) * w[k];
    }
    const double m0 = s0 / (2.0 * total), m1 = s1 / (2.0 * total),
                 m2 = s2 / (2.0 * total);
    /* sums of w M M' (mxx...), then of w H H' (hxx...): six of each, in two
     * loops so that the accumulators stay in registers */
    double mxx = 0.0, mxy = 0.0, mxz = 0.0, myy = 0.0, myz = 0.0, mzz = 0.0;
    for (Py_ssize_t k = 0; k < count; k++) {
        const double *a = xyz + 3 * nr->parent[child[k]], *b = xyz + 3 * child[k];
        const double M0 = 0.5 * (a[0] + b[0]) - m0;
        const double M1 = 0.5 * (a[1] + b[1]) - m1;
        const double M2 = 0.5 * (a[2] + b[2]) - m2;
        const double wM0 = w[k] * M0, wM1 = w[k] * M1, wM2 = w[k] * M2;
        mxx += wM0 * M0; mxy += wM0 * M1; mxz += wM0 * M2;
        myy += wM1 * M1; myz += wM1 * M2; mzz += wM2 * M2;
    }
    double hxx = 0.0, hxy = 0.0, hxz = 0.0, hyy = 0.0, hyz = 0.0, hzz = 0.0;
    for (Py_ssize_t k = 0; k < count; k++) {
        const double *a = xyz + 3 * nr->parent[child[k]], *b = xyz + 3 * child[k];
        const double H0 = 0.5 * (b[0] - a[0]), H1 = 0.5 * (b[1] - a[1]),
                     H2 = 0.5 * (b[2] - a[2]);
        const double wH0 = w[k] * H0, wH1 = w[k] * H1, wH2 = w[k] * H2;
        hxx += wH0 * H0; hxy += wH0 * H1; hxz += wH0 * H2;
        hyy += wH1 * H1; hyz += wH1 * H2; hzz += wH2 * H2;
    }
    free(block);
    out[1] = total;
    out[2] = m0; out[3] = m1; out[4] = m2;
    out[5] = (mxx + hxx / 3.0) / total;
    out[6] = out[8] = (mxy + hxy / 3.0) / total;
    out[7] = out[11] = (mxz + hxz / 3.0) / total;
    out[9] = (myy + hyy / 3.0) / total;
    out[10] = out[12] = (myz + hyz / 3.0) / total;
    out[13] = (mzz + hzz / 3.0) / total;
    return 0;
}

/* _frame._oriented's sums along k = 1 or 2 axes: extra = mean (3), then the
 * axes (3k, unit rows); out = the k sums of w (t^2 + t s + s^2) / 3, the k
 * sums of w (t^3 + t^2 s + t s^2 + s^3) / 4 (t, s: the centred ends projected
 * on the axis), and the total length. With m = (t + s) / 2 and
 * h = (s - t) / 2 these are w (m^2 + h^2 / 3) and w m (m^2 + h^2): the same
 * values up to rounding, with fewer products. */
int k_frame_spread(const KNeuron *nr, const double *extra, Py_ssize_t n_extra,
                   double *out, Py_ssize_t n_out)
{
    Py_ssize_t n_axes = (n_extra - 3) / 3;
    if ((n_extra != 6 && n_extra != 9) || n_out < 2 * n_axes + 1)
        return bad_extra("frame_spread", n_extra, n_out);
    Py_ssize_t *child, count;
    double *w;
    void *block = frame_segments(nr, &child, &w, &count);
    if (block == NULL)
        return -1;
    /* per axis: sums of w m^2, w h^2 and w m (m^2 + h^2); one loop per axis
     * keeps every accumulator in a register */
    double mm[2] = {0.0, 0.0}, hh[2] = {0.0, 0.0}, third[2] = {0.0, 0.0};
    double total = 0.0;
    for (Py_ssize_t x = 0; x < n_axes; x++) {
        const double *u = extra + 3 + 3 * x;
        double smm = 0.0, shh = 0.0, sthird = 0.0, stotal = 0.0;
        for (Py_ssize_t k = 0; k < count; k++) {
            const double *a = nr->xyz + 3 * nr->parent[child[k]];
            const double *b = nr->xyz + 3 * child[k];
            const double m = u[0] * (0.5 * (a[0] + b[0]) - extra[0]) +
                             u[1] * (0.5 * (a[1] + b[1]) - extra[1]) +
                             u[2] * (0.5 * (a[2] + b[2]) - extra[2]);
            const double h = u[0] * (0.5 * (b[0] - a[0])) +
                             u[1] * (0.5 * (b[1] - a[1])) +
                             u[2] * (0.5 * (b[2] - a[2]));
            const double wm2 = w[k] * (m * m), wh2 = w[k] * (h * h);
            stotal += w[k];
            smm += wm2;
            shh += wh2;
            sthird += m * (wm2 + wh2);
        }
        mm[x] = smm;
        hh[x] = shh;
        third[x] = sthird;
        total = stotal;
    }
    free(block);
    for (Py_ssize_t x = 0; x < n_axes; x++) {
        out[x] = mm[x] + hh[x] / 3.0;
        out[n_axes + x] = third[x];
    }
    out[2 * n_axes] = total;
    return 0;
}

/* unit_problem's values: the bounding-box diagonal of all nodes, the total
 * neurite length, the largest soma radius (of any node without soma). */
int k_units(const KNeuron *nr, const double *extra, Py_ssize_t n_extra,
            double *out, Py_ssize_t n_out)
{
    (void)extra;
    if (n_extra != 0 || n_out < 3)
        return bad_extra("units", n_extra, n_out);
    double lo[3], hi[3], length = 0.0, radius = -INFINITY;
    int has_soma = 0;
    for (Py_ssize_t i = 0; i < nr->n; i++)
        if (nr->is_soma[i]) {
            has_soma = 1;
            break;
        }
    memcpy(lo, nr->xyz, sizeof(lo));
    memcpy(hi, nr->xyz, sizeof(hi));
    for (Py_ssize_t i = 0; i < nr->n; i++) {
        const double *p = nr->xyz + 3 * i;
        for (int a = 0; a < 3; a++) {
            if (p[a] < lo[a]) lo[a] = p[a];
            if (p[a] > hi[a]) hi[a] = p[a];
        }
        if ((!has_soma || nr->is_soma[i]) && nr->radius[i] > radius)
            radius = nr->radius[i];
        if (neurite_segment(nr, i))
            length += seg_length(p, nr->xyz + 3 * nr->parent[i]);
    }
    double d = hi[0] - lo[0], s = d * d;
    d = hi[1] - lo[1];
    s += d * d;
    d = hi[2] - lo[2];
    s += d * d;
    out[0] = sqrt(s);
    out[1] = length;
    out[2] = radius;
    return 0;
}
