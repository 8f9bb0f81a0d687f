/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Feature group "shape" of ngep.morphometrics._ckernel (see _kernel.h and the
 * group's entry in _kernel.py): the Sholl profiles, the length-by-distance
 * shares and the tips' path statistics of one compartment, in this order:
 *
 *   0  sholl_peak_intersections      (_sholl.py: 10 µm spheres, root point)
 *   1  sholl_peak_radius
 *   2  sholl_peak_fraction           (_shape.py: spheres k R / 20 about the
 *   3  sholl_centroid_fraction        soma centroid, crossings exact on the
 *   4  sholl_spread_fraction          straight segments)
 *   5  sholl_entropy
 *   6  length_fraction_within_25     (_shape.py: length inside f R)
 *   7  length_fraction_within_50
 *   8  length_fraction_within_75
 *   9  tip_path_distance_cv          (_shape.py: Morphology.path_distance of
 *  10  tip_path_distance_median_max   the compartment's tips)
 *  11  tip_tortuosity
 *
 * The Sholl counts are decided by comparisons, so every value they depend on
 * is computed with numpy's element-wise operations in numpy's order:
 * t = -a.ab / |ab|^2, p = a + t ab, Python's radius**2 is the C library's
 * pow, and the row dot products of np.einsum("ij,ij->i") add their three
 * products in the order this numpy's SIMD code does, which depends on the
 * CPU: _kernel.py finds it out (SUM3_ORDER) and passes it as extra[0]
 * (see dot3). Path distances repeat
 * ngep.io._tree.path_sum step by step (cumulative sums by runs, pointer
 * doubling), and the means, standard deviation and shares use numpy's
 * pairwise summation, so that these values are the catalogue's to the bit;
 * only np.dot (BLAS) and np.log are not replicated (last bits). setup.py
 * builds with -ffp-contract=off, so a + t * b stays two roundings as in numpy.
 */
#include "_kernel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N_SHAPE 12
#define SHOLL_STEP 10.0 /* _sholl.SHOLL_STEP */
#define SHELLS 20       /* _shape.SHOLL_SHELLS */
#define FEW_RUNS 128    /* _tree._FEW_RUNS */
/* _sholl.MAX_SHOLL_SPHERES: neurites that reach 1e8 µm are not in
 * micrometres (and their 10 µm profile would not fit in memory). Such a
 * neuron, or one with a coordinate that is not finite, is declined: the
 * catalogue functions decide (the Sholl peak features raise there). The bound
 * also keeps the int64 conversions defined. */
#define MAX_SPHERES 1e7

/* Read through a volatile so that the compiler keeps pow(x, 2.0) a call of
 * the C library's pow, as Python's x**2 is (GCC folds it to x * x, which
 * differs from pow in the last bit for about 1 value in 1,000). */
static volatile double TWO = 2.0;

/* |p - c| as numpy computes it: d = p - c, then the einsum (dot3, _kernel.h). */
static inline double distance(const double *p, const double *c, int order)
{
    double d[3] = {p[0] - c[0], p[1] - c[1], p[2] - c[2]};
    return sqrt(dot3(d, d, order));
}

/* Morphology.segment_length: the squares added to 0 in x, y, z order. */
static inline double segment_length(const double *p, const double *q)
{
    double dx = p[0] - q[0], dy = p[1] - q[1], dz = p[2] - q[2];
    double s = dx * dx;
    s += dy * dy;
    s += dz * dz;
    return sqrt(s);
}

/* floor(x) for x >= 0 without a library call where the cast is exact
 * (below 2^52 every double's integer part fits and truncation is floor). */
static inline double floor_nonneg(double x)
{
    return x >= 0 && x < 4503599627370496.0 ? (double)(int64_t)x : floor(x);
}

/* Morphology.neurite_segment: the segment to the parent, neither end soma. */
static inline int neurite_segment(const KNeuron *nr, Py_ssize_t i)
{
    int64_t p = nr->parent[i];
    return i > 0 && p >= 0 && !nr->is_soma[i] && !nr->is_soma[p];
}

/* numpy's sum of a contiguous float64 array (pairwise_sum in
 * numpy/_core/src/umath/loops_utils.h): sequential below 8 values, eight
 * interleaved partial sums up to 128, halves (cut at a multiple of 8) above. */
static double pairwise_sum(const double *a, Py_ssize_t n)
{
    if (n < 8) {
        double res = 0.0;
        for (Py_ssize_t i = 0; i < n; i++)
            res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        Py_ssize_t i;
        for (int j = 0; j < 8; j++)
            r[j] = a[j];
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++)
                r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) +
                     ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i];
        return res;
    }
    Py_ssize_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

/* _tree._path_sum_doubling: inclusive sums along the parents by pointer
 * doubling, in place in acc (the values on entry). Each round reads the old
 * values of every active node before writing (numpy's fancy indexing), so the
 * additions are numpy's. anc, active, tanc: n int64; tacc: n doubles. */
static void path_sum_doubling(Py_ssize_t n, const int64_t *parent, double *acc,
                              int64_t *anc, int64_t *active, int64_t *tanc,
                              double *tacc)
{
    Py_ssize_t n_active = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        anc[i] = parent[i];
        if (anc[i] >= 0)
            active[n_active++] = i;
    }
    while (n_active > 0) {
        for (Py_ssize_t k = 0; k < n_active; k++) {
            int64_t i = active[k], up = anc[i];
            tacc[k] = acc[i] + acc[up];
            tanc[k] = anc[up];
        }
        Py_ssize_t kept = 0;
        for (Py_ssize_t k = 0; k < n_active; k++) {
            int64_t i = active[k];
            acc[i] = tacc[k];
            anc[i] = tanc[k];
            if (tanc[k] >= 0)
                active[kept++] = i;
        }
        n_active = kept;
    }
}

/* Scratch of path_distance: 5 arrays of n int64 and 3 of n doubles. */
typedef struct {
    int64_t *run_of, *starts, *run_parent, *anc, *active, *tanc;
    double *cs, *run_sum, *tmp;
} PathScratch;

/* Morphology.path_distance into pd: _tree.path_sum(parent, w, inclusive,
 * topological) with w the neurite segment lengths, repeated operation by
 * operation. Up to 64 nodes: pointer doubling on the nodes. Otherwise by runs
 * of consecutive nodes (each the previous one's child): a running sum over
 * all nodes, each run's value from it, the runs' path sums (a loop up to 128
 * runs, pointer doubling above), and each node's sum from its run's. */
static void path_distance(const KNeuron *nr, const double *w, double *pd,
                          const PathScratch *s)
{
    const Py_ssize_t n = nr->n;
    const int64_t *parent = nr->parent;
    if (n <= 64) {
        memcpy(pd, w, (size_t)n * sizeof(double));
        path_sum_doubling(n, parent, pd, s->anc, s->active, s->tanc, s->tmp);
        return;
    }
    double *cs = s->cs, *run_sum = s->run_sum;
    Py_ssize_t n_runs = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        cs[i] = i ? cs[i - 1] + w[i] : w[0]; /* np.cumsum: left to right */
        if (i == 0 || parent[i] != i - 1)
            s->starts[n_runs++] = i;
        s->run_of[i] = n_runs - 1;
    }
    for (Py_ssize_t r = 0; r < n_runs; r++) {
        int64_t start = s->starts[r], p = parent[start];
        if (p >= 0) {
            int64_t pr = s->run_of[p];
            run_sum[r] = w[start] + (cs[p] - cs[s->starts[pr]]);
            s->run_parent[r] = pr;
        } else {
            run_sum[r] = w[start] + 0.0;
            s->run_parent[r] = -1;
        }
    }
    if (n_runs <= FEW_RUNS) {
        for (Py_ssize_t r = 0; r < n_runs; r++)
            if (s->run_parent[r] >= 0)
                run_sum[r] += run_sum[s->run_parent[r]];
    } else {
        path_sum_doubling(n_runs, s->run_parent, run_sum, s->anc, s->active,
                          s->tanc, s->tmp);
    }
    for (Py_ssize_t r = 0; r < n_runs; r++)
        run_sum[r] -= cs[s->starts[r]]; /* the run's offset */
    for (Py_ssize_t i = 0; i < n; i++)
        pd[i] = cs[i] + run_sum[s->run_of[i]];
}

/* _shape._spheres_within for one distance: how many of the spheres k R / 20
 * have radius <= x, decided on the products k R and 20 x. The two steps
 * after the first guess give the largest k with k R <= 20 x from any guess
 * within one of it (fl(k R) grows with k); numpy's guess floor(20 x / R) is
 * one, and so is floor(20 x * (1 / R)), a multiplication instead of a
 * division (both are a few ulps from the exact quotient). */
static inline int spheres_within(double x, double reach, double inv_reach)
{
    double scaled = x * SHELLS;
    double k = floor_nonneg(scaled * inv_reach);
    if ((k + 1) * reach <= scaled)
        k = k + 1;
    if (k * reach > scaled)
        k = k - 1;
    if (k < 0)
        k = 0;
    if (k > SHELLS)
        k = SHELLS;
    return (int)k;
}

/* np.clip(num / den, 0, 1) for den > 0 (numpy's clip: min(max(t, 0), 1)),
 * dividing only when the quotient is inside: num <= 0 gives a quotient <= 0
 * and num >= den one >= 1 (rounding keeps the order). Most segments lie
 * wholly inside or outside a sphere and skip both divisions. */
static inline double clip_quotient(double num, double den)
{
    if (num <= 0)
        return 0.0;
    if (num >= den)
        return 1.0;
    double t = num / den;
    t = t > 0.0 ? t : 0.0;
    return t < 1.0 ? t : 1.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* sholl_peak_intersections and sholl_peak_radius from the spheres each kept
 * segment crosses (k_first..k_last, 1-based): the profile by a difference
 * array and its running sum, as _sholl._profile builds it. */
static int sholl_peak(const int64_t *k_first, const int64_t *k_last,
                      Py_ssize_t n_kept, int64_t k_max, double *res)
{
    res[0] = 0.0;
    res[1] = NAN;
    if (n_kept == 0)
        return 0;
    int64_t *diff = calloc((size_t)k_max + 2, sizeof(int64_t));
    if (diff == NULL)
        return -1;
    for (Py_ssize_t j = 0; j < n_kept; j++) {
        diff[k_first[j]]++;
        diff[k_last[j] + 1]--;
    }
    int64_t count = diff[0], peak = 0, peak_k = 0;
    for (int64_t k = 1; k <= k_max; k++) {
        count += diff[k];
        if (peak_k == 0 || count > peak) { /* np.argmax: the first maximum */
            peak = count;
            peak_k = k;
        }
    }
    free(diff);
    res[0] = (double)peak;
    if (peak != 0)
        res[1] = (double)peak_k * SHOLL_STEP;
    return 0;
}

/* The four summaries of the scaled Sholl profile (_shape._profile_weights and
 * the functions that use it); NaN when it has no crossing. */
static void scaled_sholl(const int64_t *counts, double *res)
{
    double profile[SHELLS], total = 0.0;
    int64_t running = counts[0];
    for (int k = 0; k < SHELLS; k++) {
        running += counts[k + 1];
        profile[k] = (double)running;
        total += profile[k]; /* whole numbers: exact in any order */
    }
    if (!(total > 0)) {
        res[0] = res[1] = res[2] = res[3] = NAN;
        return;
    }
    double w[SHELLS], frac[SHELLS], terms[SHELLS];
    int peak = 0, n_terms = 0;
    double mean = 0.0;
    for (int k = 0; k < SHELLS; k++) {
        w[k] = profile[k] / total;
        frac[k] = (double)(k + 1) / SHELLS; /* np.arange(1, 21) / 20 */
        if (w[k] > w[peak])
            peak = k;
        mean += w[k] * frac[k];
        if (w[k] > 0)
            terms[n_terms++] = w[k] * log(w[k]);
    }
    double var = 0.0;
    for (int k = 0; k < SHELLS; k++) {
        double dev = frac[k] - mean;
        var += w[k] * (dev * dev);
    }
    double entropy = -pairwise_sum(terms, n_terms) / log((double)SHELLS);
    res[0] = frac[peak];
    res[1] = mean;
    res[2] = sqrt(0.0 > var ? 0.0 : var);       /* max(var, 0.0) */
    res[3] = 0.0 > entropy ? 0.0 : entropy;     /* max(entropy, 0.0) */
}

int k_shape(const KNeuron *nr, const double *extra, Py_ssize_t n_extra,
            double *out, Py_ssize_t n_out)
{
    /* extra[0]: the einsum order of dot3 (SUM3_ORDER in _kernel.py) */
    const int order = n_extra > 0 ? (int)extra[0] : 0;
    const Py_ssize_t n = nr->n;
    const double *xyz = nr->xyz, *centroid = nr->centroid;
    double res[N_SHAPE];

    /* One block: 13 arrays of n doubles, 8 of n int64, 2 of n bytes. */
    size_t bytes = (size_t)n * (13 * sizeof(double) + 8 * sizeof(int64_t) + 2);
    char *block = malloc(bytes);
    if (block == NULL)
        return k_nomemory();
    double *k_root = (double *)block;   /* floor(radial_distance / 10) */
    double *d_cent = k_root + n;        /* _centroid_distance */
    double *w = d_cent + n;             /* neurite segment lengths */
    double *pd = w + n;                 /* path distances */
    double *seg = pd + n;               /* per segment: its length */
    double *inside = seg + n;           /* 3 x n: length inside f R */
    double *tip_path = inside + 3 * n;  /* per tip */
    double *tip_radial = tip_path + n;
    double *tmp = tip_radial + n;
    PathScratch ps;
    ps.cs = tmp + n;
    ps.run_sum = ps.cs + n;
    ps.tmp = tmp;                       /* free until the tips */
    int64_t *ib = (int64_t *)(ps.run_sum + n);
    ps.run_of = ib;
    ps.starts = ib + n;
    ps.run_parent = ib + 2 * n;
    ps.anc = ib + 3 * n;
    ps.active = ib + 4 * n;
    ps.tanc = ib + 5 * n;
    int64_t *k_first = ib + 6 * n, *k_last = ib + 7 * n; /* 10 µm Sholl */
    uint8_t *has_child = (uint8_t *)(ib + 8 * n);
    int8_t *within = (int8_t *)(has_child + n); /* spheres_within(d_cent) */

    /* Nodes: the neurite segment lengths (Morphology.segment_length: x, y,
     * z squares added to 0 in that order) and children of all; the distances
     * from the root point (as their 10 µm shell, floor(d / 10)) and from the
     * centroid of the compartment's nodes and of its segments' parents (the
     * only ones read), and R (_shape._reach: the largest centroid distance of
     * a compartment node, 0 without one). */
    memset(has_child, 0, (size_t)n);
    double reach = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const double *p = xyz + 3 * i;
        int64_t par = nr->parent[i];
        int is_segment = neurite_segment(nr, i);
        w[i] = is_segment ? segment_length(p, xyz + 3 * par) : 0.0;
        if (i > 0)
            has_child[par] = 1;
        if (!nr->in_comp[i])
            continue;
        k_root[i] = floor_nonneg(distance(p, nr->root, order) / SHOLL_STEP);
        d_cent[i] = distance(p, centroid, order);
        if (d_cent[i] > reach)
            reach = d_cent[i];
        if (is_segment && !nr->in_comp[par]) { /* parents come first */
            k_root[par] = floor_nonneg(
                distance(xyz + 3 * par, nr->root, order) / SHOLL_STEP);
            d_cent[par] = distance(xyz + 3 * par, centroid, order);
        }
    }
    path_distance(nr, w, pd, &ps);

    /* Radii of the length-within spheres: Python's (f * R) ** 2. */
    static const double WITHIN[3] = {0.25, 0.5, 0.75};
    double r2[3];
    for (int f = 0; f < 3; f++)
        r2[f] = pow(WITHIN[f] * reach, TWO);

    const double inv_reach = reach > 0 ? 1.0 / reach : 0.0;
    memset(within, -1, (size_t)n); /* not computed yet */

    /* Segments of the compartment (segment_mask), in node order. */
    int64_t counts[SHELLS + 2] = {0};
    Py_ssize_t n_seg = 0, n_kept = 0;
    int64_t k_max = 0;
    int too_far = 0, any_length = 0;
    for (Py_ssize_t i = 1; i < n; i++) {
        if (!nr->in_comp[i] || !neurite_segment(nr, i))
            continue;
        int64_t par = nr->parent[i];

        /* _sholl._profile: sphere k crossed iff lo < 10 k <= hi, from
         * floor(lo / 10) + 1 to floor(hi / 10); floor(x / 10) grows with x,
         * so these are the smaller and larger of the ends' shells. */
        double ka = k_root[par], kb = k_root[i];
        double kf = (ka < kb ? ka : kb) + 1, kl = ka < kb ? kb : ka;
        if (!(ka < MAX_SPHERES) || !(kb < MAX_SPHERES)) { /* NaN too */
            too_far = 1;
        } else if (kl >= kf) {
            k_first[n_kept] = (int64_t)kf;
            k_last[n_kept] = (int64_t)kl;
            if (k_last[n_kept] > k_max)
                k_max = k_last[n_kept];
            n_kept++;
        }

        /* _shape._segments and _directions: a, b relative to the centroid. */
        const double *pa = xyz + 3 * par, *pb = xyz + 3 * i;
        double a[3], ab[3];
        for (int j = 0; j < 3; j++) {
            a[j] = pa[j] - centroid[j];
            ab[j] = (pb[j] - centroid[j]) - a[j];
        }
        double ab2 = dot3(ab, ab, order), a_ab = dot3(a, ab, order);
        int pos = ab2 > 0;
        if (pos)
            any_length = 1;

        /* _shape._closest and _scaled_profile: down through the spheres
         * low < r <= d_parent, up through low < r <= d_child. Each node's
         * sphere count is computed once (within[]); spheres_within grows
         * with its argument, so that of the nearer end is the smaller. */
        if (reach > 0) {
            if (within[par] < 0)
                within[par] = (int8_t)spheres_within(d_cent[par], reach,
                                                     inv_reach);
            if (within[i] < 0)
                within[i] = (int8_t)spheres_within(d_cent[i], reach, inv_reach);
            int w_par = within[par], w_child = within[i];
            int first = w_par < w_child ? w_par : w_child;
            /* t = -a.ab / |ab|^2 > 0 needs -a.ab > 0: most segments point
             * away from the soma and skip the division */
            double t = pos && -a_ab > 0 ? -a_ab / ab2 : 0.0;
            if (t > 0 && t < 1) {
                double p[3] = {a[0] + t * ab[0], a[1] + t * ab[1],
                               a[2] + t * ab[2]};
                double between = sqrt(dot3(p, p, order));
                double dpar = d_cent[par], dchild = d_cent[i];
                if (between < (dpar < dchild ? dpar : dchild))
                    first = spheres_within(between, reach, inv_reach);
            }
            first++;
            if (w_par >= first) {
                counts[first]++;
                counts[w_par + 1]--;
            }
            if (w_child >= first) {
                counts[first]++;
                counts[w_child + 1]--;
            }
        }

        /* _shape._lengths_within: the roots of |a + t ab|^2 = (f R)^2,
         * clipped to the segment. */
        double aa = dot3(a, a, order);
        double half_b2 = a_ab * a_ab, length = sqrt(ab2);
        double safe = pos ? ab2 : 1.0;
        seg[n_seg] = length;
        for (int f = 0; f < 3; f++) {
            double disc = half_b2 - ab2 * (aa - r2[f]);
            double share = 0.0;
            if (pos && disc > 0) {
                double root = sqrt(disc);
                share = clip_quotient(-a_ab + root, safe) -
                        clip_quotient(-a_ab - root, safe);
            }
            inside[f * n + n_seg] = share * length;
        }
        n_seg++;
    }
    if (too_far) {
        free(block);
        return k_decline("neurites reach 1e8 \xc2\xb5m or more from the soma, or a "
                         "coordinate is not finite");
    }

    if (sholl_peak(k_first, k_last, n_kept, k_max, res) < 0) {
        free(block);
        return k_nomemory();
    }

    if (n_seg > 0 && reach > 0) {
        scaled_sholl(counts, res + 2);
    } else {
        res[2] = res[3] = res[4] = res[5] = NAN;
    }

    if (any_length && reach > 0) {
        double total = pairwise_sum(seg, n_seg);
        for (int f = 0; f < 3; f++)
            res[6 + f] = pairwise_sum(inside + f * n, n_seg) / total;
    } else {
        res[6] = res[7] = res[8] = NAN;
    }

    /* Tips of the compartment (Morphology.is_tip & node_mask), in order. */
    Py_ssize_t n_tips = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (nr->in_comp[i] && !has_child[i] && !nr->is_soma[i]) {
            tip_path[n_tips] = pd[i];
            tip_radial[n_tips] = d_cent[i];
            n_tips++;
        }
    }
    res[9] = res[10] = res[11] = NAN;
    if (n_tips > 0) {
        /* d.mean(), d.std() (ddof 0), np.median(d) / d.max() */
        double mean = pairwise_sum(tip_path, n_tips) / (double)n_tips;
        if (mean > 0) {
            for (Py_ssize_t j = 0; j < n_tips; j++) {
                double dev = tip_path[j] - mean;
                tmp[j] = dev * dev;
            }
            double var = pairwise_sum(tmp, n_tips) / (double)n_tips;
            res[9] = sqrt(var) / mean;
        }
        memcpy(tmp, tip_path, (size_t)n_tips * sizeof(double));
        qsort(tmp, (size_t)n_tips, sizeof(double), cmp_double);
        double top = tmp[n_tips - 1];
        if (top > 0) {
            Py_ssize_t half = n_tips / 2;
            double median = n_tips % 2 ? tmp[half]
                                       : (tmp[half - 1] + tmp[half]) / 2.0;
            res[10] = median / top;
        }
        double radial = pairwise_sum(tip_radial, n_tips) / (double)n_tips;
        if (radial > 0)
            res[11] = mean / radial;
    }

    free(block);
    for (Py_ssize_t j = 0; j < n_out && j < N_SHAPE; j++)
        out[j] = res[j];
    return 0;
}
