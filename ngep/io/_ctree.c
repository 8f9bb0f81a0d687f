/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The tree passes of ngep.io._cswc: path sums on a parents-first tree in C, an
 * optional speed-up of ngep/io/_tree.py. They are functions of the one C
 * extension of ngep.io (_cswc.c lists them in its method table; _ctree.h
 * declares them).
 *
 * path_sum_runs(parent, values, out, few_runs) writes into `out` the inclusive path
 * sums that _tree._path_sum_runs computes with numpy, bit for bit: the same
 * additions in the same order, so that Morphology.path_distance,
 * branch_order and every feature built on them do not change by an ulp
 * whichever path ran. That order is:
 *
 * 1. cs, the running sum of values (numpy's cumsum: cs[0] = values[0], then
 *    cs[i] = cs[i - 1] + values[i]);
 * 2. runs: maximal stretches in which each node's parent is the node before;
 *    a run's value is its first node's value plus, below a parent p in run q,
 *    cs[p] - cs[start of q] (plus 0.0 for a root run, as numpy's where does);
 * 3. path sums over the runs: for at most few_runs runs one pass in order
 *    (acc[k] += acc[parent run]), otherwise pointer doubling, each round
 *    computing every active run's new sum and ancestor from the previous
 *    round's values before writing any (numpy's gathers before its scatter);
 * 4. out[i] = cs[i] + (run_sum[k] - cs[start of k]) for i in run k.
 *
 * roots(parent, out) writes the root of every node of a parents-first forest
 * (_tree.find_roots), in one pass; forest(parent, types, tree) numbers its
 * trees and counts their nodes, soma and dendrite nodes (_swc._select_forest).
 *
 * tests/io/test_tree_algorithms.py compares both paths bit for bit. The GIL
 * is released while computing.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "_ctree.h"

/* The index of the last start <= node (numpy's searchsorted(side="right") - 1). */
static Py_ssize_t run_of(const Py_ssize_t *starts, Py_ssize_t n_runs, int64_t node)
{
    Py_ssize_t lo = 0, hi = n_runs;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (starts[mid] <= node)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - 1;
}

/* Pointer doubling over the runs, as _tree._path_sum_doubling; acc and anc
 * hold the values and parents on entry; 0 out of memory. */
static int doubling(double *acc, Py_ssize_t *anc, Py_ssize_t n)
{
    /* one block for the three scratch arrays, doubles first (alignment) */
    double *new_acc = malloc((size_t)n * (sizeof(double) + 2 * sizeof(Py_ssize_t)));
    if (new_acc == NULL)
        return 0;
    Py_ssize_t *active = (Py_ssize_t *)(new_acc + n), *new_anc = active + n;
    Py_ssize_t n_active = 0;
    for (Py_ssize_t k = 0; k < n; k++)
        if (anc[k] >= 0)
            active[n_active++] = k;
    while (n_active > 0) {
        for (Py_ssize_t j = 0; j < n_active; j++) { /* every gather first */
            Py_ssize_t k = active[j], up = anc[k];
            new_acc[j] = acc[k] + acc[up];
            new_anc[j] = anc[up];
        }
        Py_ssize_t kept = 0;
        for (Py_ssize_t j = 0; j < n_active; j++) { /* then the scatter */
            Py_ssize_t k = active[j];
            acc[k] = new_acc[j];
            anc[k] = new_anc[j];
        }
        for (Py_ssize_t j = 0; j < n_active; j++)
            if (anc[active[j]] >= 0)
                active[kept++] = active[j];
        n_active = kept;
    }
    free(new_acc);
    return 1;
}

/* 1 done, 0 out of memory. */
static int path_sums(const int64_t *parent, const double *values, Py_ssize_t n,
                     Py_ssize_t few_runs, double *out)
{
    double *cs = out; /* the running sum, in place until step 4 */
    cs[0] = values[0];
    for (Py_ssize_t i = 1; i < n; i++)
        cs[i] = cs[i - 1] + values[i];
    Py_ssize_t n_runs = 1;
    for (Py_ssize_t i = 1; i < n; i++)
        n_runs += parent[i] != i - 1;
    /* one block for the three per-run arrays, doubles first (alignment) */
    double *run_sum =
        malloc((size_t)n_runs * (sizeof(double) + 2 * sizeof(Py_ssize_t)));
    if (run_sum == NULL)
        return 0;
    Py_ssize_t *starts = (Py_ssize_t *)(run_sum + n_runs),
               *run_parent = starts + n_runs;
    starts[0] = 0;
    for (Py_ssize_t i = 1, k = 1; i < n; i++)
        if (parent[i] != i - 1)
            starts[k++] = i;
    for (Py_ssize_t k = 0; k < n_runs; k++) {
        int64_t p = parent[starts[k]];
        if (p >= 0) {
            Py_ssize_t q = run_of(starts, n_runs, p);
            run_sum[k] = values[starts[k]] + (cs[p] - cs[starts[q]]);
            run_parent[k] = q;
        } else {
            run_sum[k] = values[starts[k]] + 0.0;
            run_parent[k] = -1;
        }
    }
    int ok = 1;
    if (n_runs <= few_runs) {
        for (Py_ssize_t k = 0; k < n_runs; k++)
            if (run_parent[k] >= 0)
                run_sum[k] = run_sum[k] + run_sum[run_parent[k]];
    } else
        ok = doubling(run_sum, run_parent, n_runs);
    if (ok)
        for (Py_ssize_t k = 0; k < n_runs; k++) {
            Py_ssize_t stop = k + 1 < n_runs ? starts[k + 1] : n;
            double offset = run_sum[k] - cs[starts[k]];
            for (Py_ssize_t i = starts[k]; i < stop; i++)
                out[i] = cs[i] + offset;
        }
    free(run_sum);
    return ok;
}

CTREE_DOC(ctree_path_sum_runs_doc,
"path_sum_runs(parent, values, out, few_runs, /)\n"
"--\n"
"\n"
"Write into ``out`` the inclusive path sums of ``values`` on the tree or\n"
"forest ``parent`` (int64, parent[i] < i, -1 for roots), exactly as\n"
"ngep.io._tree._path_sum_runs computes them with numpy (float64 buffers;\n"
"the run tree summed in one pass up to ``few_runs`` runs, else by doubling).");

PyObject *ctree_path_sum_runs(PyObject *module, PyObject *args)
{
    (void)module;
    Py_buffer parent, values, out;
    Py_ssize_t few_runs;
    if (!PyArg_ParseTuple(args, "y*y*w*n:path_sum_runs", &parent, &values, &out,
                          &few_runs))
        return NULL;
    Py_ssize_t n = parent.len / (Py_ssize_t)sizeof(int64_t);
    PyObject *result = NULL;
    if (n < 1 || parent.len != n * (Py_ssize_t)sizeof(int64_t)
        || values.len != n * (Py_ssize_t)sizeof(double)
        || out.len != n * (Py_ssize_t)sizeof(double)) {
        PyErr_SetString(PyExc_ValueError,
                        "path_sum_runs: n > 0 int64 parents, n float64 values and out");
        goto done;
    }
    const int64_t *p = parent.buf;
    for (Py_ssize_t i = 0; i < n; i++)
        if (p[i] >= i) { /* parents first: the caller's promise, checked */
            PyErr_SetString(PyExc_ValueError,
                            "path_sum_runs: parent[i] < i must hold for every node");
            goto done;
        }
    int ok;
    Py_BEGIN_ALLOW_THREADS
    ok = path_sums(p, values.buf, n, few_runs, out.buf);
    Py_END_ALLOW_THREADS
    if (!ok)
        PyErr_NoMemory();
    else {
        Py_INCREF(Py_None);
        result = Py_None;
    }
done:
    PyBuffer_Release(&parent);
    PyBuffer_Release(&values);
    PyBuffer_Release(&out);
    return result;
}

CTREE_DOC(ctree_roots_doc,
"roots(parent, out, /)\n"
"--\n"
"\n"
"Write into ``out`` (int64) the root index of every node of the forest\n"
"``parent`` (int64, parent[i] < i, -1 for roots).");

/* roots(parent, out): the root of every node of a parents-first forest, in
 * one pass (a node's root is its parent's, found before it). */
PyObject *ctree_roots(PyObject *module, PyObject *args)
{
    (void)module;
    Py_buffer parent, out;
    if (!PyArg_ParseTuple(args, "y*w*:roots", &parent, &out))
        return NULL;
    Py_ssize_t n = parent.len / (Py_ssize_t)sizeof(int64_t);
    PyObject *result = NULL;
    const int64_t *p = parent.buf;
    int64_t *root = out.buf;
    if (parent.len != n * (Py_ssize_t)sizeof(int64_t) || out.len != parent.len) {
        PyErr_SetString(PyExc_ValueError, "roots: n int64 parents and n int64 out");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (p[i] >= i) {
            PyErr_SetString(PyExc_ValueError,
                            "roots: parent[i] < i must hold for every node");
            goto done;
        }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++)
        root[i] = p[i] < 0 ? (int64_t)i : root[p[i]];
    Py_END_ALLOW_THREADS
    Py_INCREF(Py_None);
    result = Py_None;
done:
    PyBuffer_Release(&parent);
    PyBuffer_Release(&out);
    return result;
}

CTREE_DOC(ctree_forest_doc,
"forest(parent, types, tree, /)\n"
"--\n"
"\n"
"For a parents-first forest (int64 parent, -1 for roots, and types): write\n"
"each node's tree index into ``tree`` (int64) and return four int64\n"
"bytearrays, per tree in root order: root row, nodes, soma nodes, dendrite\n"
"nodes (types 3 and 4). None where some parent[i] >= i.");

/* forest(parent, types, tree): for a parents-first forest, tree[i] = the
 * index of node i's tree (trees numbered in the order of their root rows),
 * and per tree its root row, nodes, soma nodes (type 1) and dendrite nodes
 * (types 3 and 4), as four int64 bytearrays; None if a parent is not first. */
PyObject *ctree_forest(PyObject *module, PyObject *args)
{
    (void)module;
    Py_buffer parent, types, out;
    if (!PyArg_ParseTuple(args, "y*y*w*:forest", &parent, &types, &out))
        return NULL;
    Py_ssize_t n = parent.len / (Py_ssize_t)sizeof(int64_t), n_trees = 0;
    PyObject *result = NULL, *arrays[4] = {NULL, NULL, NULL, NULL};
    const int64_t *p = parent.buf, *type = types.buf;
    int64_t *tree = out.buf;
    if (parent.len != n * (Py_ssize_t)sizeof(int64_t) || types.len != parent.len
        || out.len != parent.len) {
        PyErr_SetString(PyExc_ValueError, "forest: n int64 parents, types and out");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (p[i] >= i) {
            Py_INCREF(Py_None);
            result = Py_None;
            goto done;
        }
        n_trees += p[i] < 0;
    }
    int64_t *counts[4];
    for (int k = 0; k < 4; k++) {
        arrays[k] = PyByteArray_FromStringAndSize(
            NULL, n_trees * (Py_ssize_t)sizeof(int64_t));
        if (arrays[k] == NULL)
            goto done;
        counts[k] = (int64_t *)PyByteArray_AS_STRING(arrays[k]);
        memset(counts[k], 0, (size_t)n_trees * sizeof(int64_t));
    }
    Py_BEGIN_ALLOW_THREADS
    int64_t next = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t t = p[i] < 0 ? next++ : tree[p[i]];
        tree[i] = t;
        if (p[i] < 0)
            counts[0][t] = i;
        counts[1][t]++;
        counts[2][t] += type[i] == 1;
        counts[3][t] += type[i] == 3 || type[i] == 4;
    }
    Py_END_ALLOW_THREADS
    result = Py_BuildValue("(OOOO)", arrays[0], arrays[1], arrays[2], arrays[3]);
done:
    for (int k = 0; k < 4; k++)
        Py_XDECREF(arrays[k]);
    PyBuffer_Release(&parent);
    PyBuffer_Release(&types);
    PyBuffer_Release(&out);
    return result;
}
