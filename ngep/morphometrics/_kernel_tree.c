/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Feature group "tree" of ngep.morphometrics._ckernel (see _kernel.h): the
 * features of the tree's segments, sections, tips and bifurcations, in the
 * order of GROUPS["tree"] in _kernel.py:
 *
 *   0 total_length              11 mean_section_length
 *   1 total_surface_area        12 max_section_length
 *   2 total_volume              13 max_path_distance
 *   3 mean_diameter             14 mean_tip_path_distance
 *   4 n_stems                   15 max_radial_distance
 *   5 n_branch_points           16 mean_tip_radial_distance
 *   6 n_bifurcations            17 mean_contraction
 *   7 n_tips                    18 mean_local_bifurcation_angle
 *   8 n_sections                19 mean_remote_bifurcation_angle
 *   9 max_branch_order          20 mean_partition_asymmetry
 *  10 mean_tip_branch_order
 *
 * The definitions are the catalogue functions (_size.py, _topology.py,
 * _geometry.py, _angles.py) and the cached helpers they use (_core.sections,
 * Morphology.path_distance, branch_order, ...). Three passes: children counts;
 * one forward pass (parents first) for per-node path distance, branch order
 * and section, and the compartment's node sums; one backward pass over the
 * sections for subtree sizes, then the per-section features.
 *
 * Element-wise arithmetic follows numpy's operation order so that values (and
 * the comparisons they decide) are the same: in particular numpy's einsum
 * "ij,ij->i" over 3 columns adds in the order of this CPU's SIMD width (dot3
 * in _kernel.h; extra[0] is _kernel.SUM3_ORDER, as for the shape group),
 * while np.linalg.norm(axis=1) adds (x*x + y*y) + z*z. Sums over nodes or
 * sections are added in order here and pairwise in numpy: those may differ in
 * the last bits.
 */
#include "_kernel.h"

#include <math.h>
#include <stdlib.h>

enum {
    TOTAL_LENGTH, TOTAL_SURFACE_AREA, TOTAL_VOLUME, MEAN_DIAMETER, N_STEMS,
    N_BRANCH_POINTS, N_BIFURCATIONS, N_TIPS, N_SECTIONS, MAX_BRANCH_ORDER,
    MEAN_TIP_BRANCH_ORDER, MEAN_SECTION_LENGTH, MAX_SECTION_LENGTH,
    MAX_PATH_DISTANCE, MEAN_TIP_PATH_DISTANCE, MAX_RADIAL_DISTANCE,
    MEAN_TIP_RADIAL_DISTANCE, MEAN_CONTRACTION, MEAN_LOCAL_BIFURCATION_ANGLE,
    MEAN_REMOTE_BIFURCATION_ANGLE, MEAN_PARTITION_ASYMMETRY, N_TREE
};

/* Length of the segment from node i to its parent as Morphology.segment_length
 * computes it (x, y, z squares added in that order); 0 for the root. */
static inline double segment_length(const KNeuron *nr, Py_ssize_t i)
{
    if (i == 0)
        return 0.0;
    const double *a = nr->xyz + 3 * nr->parent[i], *b = nr->xyz + 3 * i;
    double dx = b[0] - a[0], dy = b[1] - a[1], dz = b[2] - a[2];
    double s = dx * dx;
    s += dy * dy;
    s += dz * dz;
    return sqrt(s);
}

/* np.linalg.norm(v, axis=1) for one row: squares reduced left to right. */
static inline double norm3(const double *v)
{
    return sqrt((v[0] * v[0] + v[1] * v[1]) + v[2] * v[2]);
}

/* Angle between u and v as _angles._mean_angle takes it: 0 for identical
 * vectors (NeuroM), undefined (returns 0, *ok = 0) when one has zero norm. */
static double angle(const double *u, const double *v, int sum3, int *ok)
{
    if (u[0] == v[0] && u[1] == v[1] && u[2] == v[2]) {
        *ok = 1;
        return 0.0;
    }
    double nu = norm3(u), nv = norm3(v);
    if (!(nu > 0 && nv > 0)) {
        *ok = 0;
        return 0.0;
    }
    double c = dot3(u, v, sum3) / (nu * nv);
    if (c < -1.0)  /* np.clip */
        c = -1.0;
    else if (c > 1.0)
        c = 1.0;
    *ok = 1;
    return acos(c);
}

static inline double mean_or_nan(double sum, Py_ssize_t count)
{
    return count > 0 ? sum / (double)count : NAN;
}

int k_tree(const KNeuron *nr, const double *extra, Py_ssize_t n_extra,
           double *out, Py_ssize_t n_out)
{
    /* extra[0]: the einsum order of dot3 (SUM3_ORDER in _kernel.py) */
    const int sum3 = n_extra > 0 ? (int)extra[0] : 0;
    const Py_ssize_t n = nr->n;
    const int64_t *parent = nr->parent, *types = nr->types;
    const uint8_t *soma = nr->is_soma, *in_comp = nr->in_comp;
    const double *xyz = nr->xyz, *radius = nr->radius;

    /* Per node: n_children, section, branch order (int64), path distance;
     * per section (at most n): start, end, origin, parent section, number of
     * children, first two children, first moved node, subtree size (int64),
     * length. */
    int64_t *ibuf = malloc((size_t)n * 12 * sizeof(int64_t));
    double *dbuf = malloc((size_t)n * 2 * sizeof(double));
    if (!ibuf || !dbuf) {
        free(ibuf);
        free(dbuf);
        return k_nomemory();
    }
    int64_t *nch = ibuf, *node_sec = ibuf + n, *order = ibuf + 2 * n;
    int64_t *start = ibuf + 3 * n, *end = ibuf + 4 * n, *origin = ibuf + 5 * n;
    int64_t *psec = ibuf + 6 * n, *nkids = ibuf + 7 * n, *kid0 = ibuf + 8 * n;
    int64_t *kid1 = ibuf + 9 * n, *moved = ibuf + 10 * n, *size = ibuf + 11 * n;
    double *path = dbuf, *sec_len = dbuf + n;

    for (Py_ssize_t i = 0; i < n; i++)
        nch[i] = 0;
    for (Py_ssize_t i = 1; i < n; i++)
        nch[parent[i]]++;

    double length = 0.0, area = 0.0, volume = 0.0, radius_sum = 0.0;
    double tip_order_sum = 0.0, tip_path_sum = 0.0, tip_radial_sum = 0.0;
    double max_path = 0.0, max_radial2 = 0.0;
    int64_t max_order = 0;
    Py_ssize_t n_nodes = 0, n_stems = 0, n_bp = 0, n_bif = 0, n_tips = 0;
    Py_ssize_t ns = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const int64_t p = parent[i];
        const double *x = xyz + 3 * i;
        /* Morphology.neurite_segment: neither end is soma (the root has none) */
        const int neurite_seg = p >= 0 && !soma[i] && !soma[p];
        const double seg = segment_length(nr, i);
        const double w = neurite_seg ? seg : 0.0;
        /* Morphology.path_distance (neurite segments only) and branch_order
         * (neurite branch points strictly above) */
        path[i] = p >= 0 ? path[p] + w : w;
        order[i] = p >= 0 ? order[p] + (!soma[p] && nch[p] >= 2) : 0;

        /* _core._build_sections: a neurite node starts a section when its
         * parent is missing or soma, a branch point, or of another type */
        if (soma[i]) {
            node_sec[i] = -1;
        } else {
            const int parent_neurite = p >= 0 && !soma[p];
            int64_t s;
            if (!parent_neurite || nch[p] >= 2 || types[p] != types[i]) {
                s = ns++;
                start[s] = i;
                /* MorphIO: a child section repeats its parent's last point */
                origin[s] = parent_neurite ? p : i;
                psec[s] = parent_neurite ? node_sec[p] : -1;
                nkids[s] = 0;
                kid0[s] = kid1[s] = -1;
                sec_len[s] = 0.0;
                const double *o = xyz + 3 * origin[s];
                /* _angles._first_moved: -1 while the section has not left
                 * its origin's position */
                moved[s] = (x[0] == o[0] && x[1] == o[1] && x[2] == o[2])
                    ? -1 : (int64_t)i;
                int64_t q = psec[s];
                if (q >= 0) {
                    /* children in section (= start node) order, as the
                     * catalogue's stable sort of child sections by parent */
                    if (nkids[q] == 0)
                        kid0[q] = s;
                    else if (nkids[q] == 1)
                        kid1[q] = s;
                    nkids[q]++;
                }
            } else {
                s = node_sec[p];
                if (moved[s] < 0) {
                    const double *o = xyz + 3 * origin[s];
                    if (x[0] != o[0] || x[1] != o[1] || x[2] != o[2])
                        moved[s] = i;
                }
            }
            node_sec[i] = s;
            /* nodes come down the section's chain in index order: the last
             * one seen is its end (a tip, branch point or the node before a
             * type change; also a node whose only child is soma, which
             * read_swc rejects and _core._build_sections leaves without an
             * end); its length adds segments in node order as the
             * catalogue's bincount does */
            end[s] = i;
            sec_len[s] += w;
        }

        if (!in_comp[i])
            continue;
        /* _size: the compartment's segments are those of its child nodes */
        if (neurite_seg) {
            const double r0 = radius[p], r1 = radius[i];
            const double dr = r0 - r1;
            length += seg;
            area += M_PI * (r0 + r1) * sqrt(dr * dr + seg * seg);
            volume += M_PI * seg * (r0 * r0 + r0 * r1 + r1 * r1) / 3.0;
        }
        n_nodes++;
        radius_sum += radius[i];
        n_stems += p >= 0 && soma[p];
        n_bp += nch[i] >= 2;
        n_bif += nch[i] == 2;
        if (order[i] > max_order)
            max_order = order[i];
        if (path[i] > max_path)
            max_path = path[i];
        /* _core.radial_distance: from the root point, einsum's order; the
         * largest square root is the root of the largest square (sqrt is
         * correctly rounded, so monotonic), taken once at the end */
        const double d[3] = {x[0] - nr->root[0], x[1] - nr->root[1],
                             x[2] - nr->root[2]};
        const double radial2 = dot3(d, d, sum3);
        if (radial2 > max_radial2)
            max_radial2 = radial2;
        if (nch[i] == 0) {
            n_tips++;
            tip_order_sum += (double)order[i];
            tip_path_sum += path[i];
            tip_radial_sum += sqrt(radial2);
        }
    }

    /* Sections of the compartment in their subtrees (_core.subtree_sum):
     * a child section's start comes after its parent's, so one backward
     * pass adds every subtree into its parent. */
    for (Py_ssize_t s = 0; s < ns; s++)
        size[s] = in_comp[start[s]];
    for (Py_ssize_t s = ns - 1; s > 0; s--)
        if (psec[s] >= 0)
            size[psec[s]] += size[s];

    Py_ssize_t n_secs = 0, n_contr = 0, n_local = 0, n_remote = 0, n_asym = 0;
    double sec_sum = 0.0, sec_max = 0.0, contr_sum = 0.0;
    double local_sum = 0.0, remote_sum = 0.0, asym_sum = 0.0;
    for (Py_ssize_t s = 0; s < ns; s++) {
        if (!in_comp[start[s]])
            continue;
        n_secs++;
        sec_sum += sec_len[s];
        if (sec_len[s] > sec_max)
            sec_max = sec_len[s];
        const double *e = xyz + 3 * end[s];
        if (sec_len[s] > 0) {
            /* _geometry.mean_contraction: chord from origin to end */
            const double *o = xyz + 3 * origin[s];
            const double d[3] = {e[0] - o[0], e[1] - o[1], e[2] - o[2]};
            contr_sum += sqrt(dot3(d, d, sum3)) / sec_len[s];
            n_contr++;
        }
        if (nkids[s] != 2)  /* NeuroM skips multifurcations */
            continue;
        const int64_t c0 = kid0[s], c1 = kid1[s];
        double u[3], v[3];
        int ok;
        /* local: towards each child's first point off the bifurcation
         * point (its start where none moved) */
        const double *a = xyz + 3 * (moved[c0] >= 0 ? moved[c0] : start[c0]);
        const double *b = xyz + 3 * (moved[c1] >= 0 ? moved[c1] : start[c1]);
        for (int k = 0; k < 3; k++) {
            u[k] = a[k] - e[k];
            v[k] = b[k] - e[k];
        }
        double t = angle(u, v, sum3, &ok);
        if (ok) {
            local_sum += t;
            n_local++;
        }
        /* remote: towards each child's end */
        a = xyz + 3 * end[c0];
        b = xyz + 3 * end[c1];
        for (int k = 0; k < 3; k++) {
            u[k] = a[k] - e[k];
            v[k] = b[k] - e[k];
        }
        t = angle(u, v, sum3, &ok);
        if (ok) {
            remote_sum += t;
            n_remote++;
        }
        /* partition asymmetry of the children's subtree sizes */
        const double nl = (double)size[c0], nr_ = (double)size[c1];
        const double total = nl + nr_;
        if (nl == 1 && nr_ == 1) {
            n_asym++;
        } else if (total > 0) {
            asym_sum += fabs(nl - nr_) / total;
            n_asym++;
        }
    }

    double res[N_TREE];
    res[TOTAL_LENGTH] = length;
    res[TOTAL_SURFACE_AREA] = area;
    res[TOTAL_VOLUME] = volume;
    res[MEAN_DIAMETER] = n_nodes ? 2.0 * (radius_sum / (double)n_nodes) : NAN;
    res[N_STEMS] = (double)n_stems;
    res[N_BRANCH_POINTS] = (double)n_bp;
    res[N_BIFURCATIONS] = (double)n_bif;
    res[N_TIPS] = (double)n_tips;
    res[N_SECTIONS] = (double)n_secs;
    res[MAX_BRANCH_ORDER] = (double)max_order;
    res[MEAN_TIP_BRANCH_ORDER] = mean_or_nan(tip_order_sum, n_tips);
    res[MEAN_SECTION_LENGTH] = mean_or_nan(sec_sum, n_secs);
    res[MAX_SECTION_LENGTH] = sec_max;
    res[MAX_PATH_DISTANCE] = max_path;
    res[MEAN_TIP_PATH_DISTANCE] = mean_or_nan(tip_path_sum, n_tips);
    res[MAX_RADIAL_DISTANCE] = sqrt(max_radial2);
    res[MEAN_TIP_RADIAL_DISTANCE] = mean_or_nan(tip_radial_sum, n_tips);
    res[MEAN_CONTRACTION] = mean_or_nan(contr_sum, n_contr);
    res[MEAN_LOCAL_BIFURCATION_ANGLE] = mean_or_nan(local_sum, n_local);
    res[MEAN_REMOTE_BIFURCATION_ANGLE] = mean_or_nan(remote_sum, n_remote);
    res[MEAN_PARTITION_ASYMMETRY] = mean_or_nan(asym_sum, n_asym);
    for (Py_ssize_t k = 0; k < n_out && k < N_TREE; k++)
        out[k] = res[k];
    free(ibuf);
    free(dbuf);
    return 0;
}
