# SPDX-License-Identifier: BSD-3-Clause
"""The :class:`Morphology` container: a neuron tree as plain numpy arrays."""

import warnings
from functools import cached_property

import numpy as np

from ngep.exceptions import InvalidInputError, UnknownNameError
from ngep.io import _tree

__all__ = ["COMPARTMENTS", "SWC_TYPES", "Morphology"]

#: Standard SWC structure identifiers (Cannon et al. 1998).
SWC_TYPES = {0: "undefined", 1: "soma", 2: "axon", 3: "basal", 4: "apical"}

#: Compartment name -> SWC type codes it covers (``None``: every non-soma node).
COMPARTMENTS = {
    "all": None,
    "dendrite": (3, 4),
    "basal": (3,),
    "apical": (4,),
    "axon": (2,),
}


def _readonly(array, dtype, owned=False):
    # C order whatever the source (the SWC parser's table is column-major):
    # numpy's row reductions (einsum "ij,ij->i", sums over axis 1) add a row's
    # elements in an order that depends on the memory layout, so the same
    # point read from two formats would otherwise get distances an ulp apart.
    # An ``owned`` array (fresh, held nowhere else) of that dtype and order is
    # kept as it is rather than copied.
    if (owned and isinstance(array, np.ndarray) and array.dtype == dtype
            and array.flags.c_contiguous):
        out = array
    else:
        out = np.array(array, dtype=dtype, copy=True, order="C")
    out.setflags(write=False)
    return out


class Morphology:
    """A reconstructed neuron: one tree of nodes stored as numpy arrays.

    Nodes are stored in topological order (every parent before its children) with
    the root at index 0. Topology (children counts, segment lengths, path distances,
    branch orders) is derived lazily with vectorised numpy code and cached.

    Most users get a ``Morphology`` from :func:`ngep.io.read_swc`; building one
    directly is useful for generated neurons.

    Parameters
    ----------
    xyz : array-like of shape (n_nodes, 3)
        Node coordinates (SWC units, usually µm).
    radius : array-like of shape (n_nodes,)
        Node radii, non-negative.
    types : array-like of int, shape (n_nodes,)
        SWC structure identifiers (1 soma, 2 axon, 3 basal, 4 apical; other codes
        are kept and count in the ``"all"`` compartment only).
    parent : array-like of int, shape (n_nodes,)
        Parent *index* of each node (not SWC id); -1 for the single root.
        Any order is accepted; nodes are reordered so parents come first.
    ids : array-like of int, shape (n_nodes,), default=None
        Original SWC ids; defaults to ``1..n_nodes`` in the given order.
    name : str, default=None
        A label, e.g. the file stem.
    source : str, default=None
        Where the neuron was read from.
    dropped_ids : array-like of int, default=None
        SWC ids of nodes that were not part of this tree in the source file
        (detached fragments), for reporting.

    Attributes
    ----------
    n_nodes : int
        Number of nodes.

    Examples
    --------
    A soma with one dendrite that branches once:

    >>> m = Morphology(
    ...     xyz=[[0, 0, 0], [0, 10, 0], [0, 20, 0], [5, 30, 0], [-5, 30, 0]],
    ...     radius=[5, 1, 1, 0.5, 0.5],
    ...     types=[1, 3, 3, 3, 3],
    ...     parent=[-1, 0, 1, 2, 2],
    ... )
    >>> m.n_nodes
    5
    >>> m.n_children.tolist()
    [1, 1, 2, 0, 0]
    >>> m.branch_order.tolist()
    [0, 0, 0, 1, 1]
    """

    def __init__(
        self,
        xyz,
        radius,
        types,
        parent,
        *,
        ids=None,
        name=None,
        source=None,
        dropped_ids=None,
    ):
        xyz = np.asarray(xyz, dtype=np.float64)
        n = xyz.shape[0] if xyz.ndim == 2 else -1
        if xyz.ndim != 2 or xyz.shape[1] != 3:
            raise InvalidInputError(
                f"xyz must have shape (n_nodes, 3), got {xyz.shape}."
            )
        if n == 0:
            raise InvalidInputError("A Morphology needs at least one node.")
        radius = np.asarray(radius, dtype=np.float64).reshape(-1)
        types = np.asarray(types).reshape(-1)
        parent = np.asarray(parent).reshape(-1)
        ids = np.arange(1, n + 1) if ids is None else np.asarray(ids).reshape(-1)
        for label, arr in (("radius", radius), ("types", types),
                           ("parent", parent), ("ids", ids)):
            if arr.shape != (n,):
                raise InvalidInputError(
                    f"{label} must have {n} entries (one per node), got {arr.shape}."
                )
        if not np.all(np.isfinite(xyz)) or not np.all(np.isfinite(radius)):
            raise InvalidInputError("xyz and radius must be finite.")
        if np.any(radius < 0):
            raise InvalidInputError("radius must be non-negative.")
        parent = parent.astype(np.int64)
        if np.any((parent < -1) | (parent >= n)):
            raise InvalidInputError("parent entries must be -1 or a valid node index.")
        if np.count_nonzero(parent < 0) != 1:
            raise InvalidInputError(
                f"A Morphology is one tree with one root; got "
                f"{np.count_nonzero(parent < 0)} roots."
            )
        if not np.all(ids[1:] > ids[:-1]) and np.unique(ids).size != n:
            raise InvalidInputError("ids must be unique.")
        # parent[i] < i everywhere means acyclic and already topologically sorted.
        if not np.all(parent < np.arange(n)):
            if np.any(_tree.find_roots(parent) < 0):
                raise InvalidInputError("parent contains a cycle.")
            order = _tree.topological_order(parent)
            inverse = np.empty(n, dtype=np.int64)
            inverse[order] = np.arange(n)
            xyz, radius = xyz[order], radius[order]
            types, ids = types[order], ids[order]
            parent = parent[order]
            parent = np.where(parent >= 0, inverse[np.maximum(parent, 0)], -1)
        self._store(xyz, radius, types, parent, ids, name, source, dropped_ids)

    @classmethod
    def _from_checked(cls, xyz, radius, types, parent, *, ids, name=None,
                      source=None, dropped_ids=None, owned=False,
                      parents_first=None):
        """Build from arrays the SWC reader has already validated.

        Skips the checks of ``__init__`` (shapes, finiteness, unique ids, one
        acyclic tree), which the reader has done with line-numbered errors; only
        the topological reordering remains, and is skipped when parents already
        come first (``parents_first``: checked when None). ``owned``: the
        arrays are fresh and held nowhere else; they are kept, not copied.
        """
        parent = np.asarray(parent, dtype=np.int64)
        n = parent.size
        if parents_first is None:
            parents_first = bool(np.all(parent < np.arange(n)))
        if not parents_first:
            return cls(xyz, radius, types, parent, ids=ids, name=name,
                       source=source, dropped_ids=dropped_ids)
        self = cls.__new__(cls)
        self._store(xyz, radius, types, parent, ids, name, source, dropped_ids,
                    owned=owned)
        return self

    def _store(self, xyz, radius, types, parent, ids, name, source, dropped_ids,
               owned=False):
        """Set the node arrays (read-only copies) and the labels; no checks.

        ``owned``: the arrays are fresh and held nowhere else; those already
        C-contiguous of the right dtype are kept rather than copied.
        """
        self.xyz = _readonly(xyz, np.float64, owned)
        self.radius = _readonly(radius, np.float64, owned)
        self.types = _readonly(types, np.int64, owned)
        self.parent = _readonly(parent, np.int64, owned)
        self.ids = _readonly(ids, np.int64, owned)
        self.name = name
        self.source = source
        self.dropped_ids = _readonly(
            [] if dropped_ids is None else dropped_ids, np.int64
        )

    # -- basic properties -------------------------------------------------------
    @property
    def n_nodes(self):
        """Number of nodes."""
        return int(self.xyz.shape[0])

    def __len__(self):
        return self.n_nodes

    def __repr__(self):
        label = f" {self.name!r}" if self.name else ""
        soma = "soma" if self.has_soma else "no soma"
        return f"<Morphology{label}: {self.n_nodes} nodes, {soma}>"

    def __getstate__(self):
        state = {k: v for k, v in self.__dict__.items() if k in _STATE_KEYS}
        return state

    def __setstate__(self, state):
        for key, value in state.items():
            if isinstance(value, np.ndarray):
                value = _readonly(value, value.dtype)
            self.__dict__[key] = value

    # -- masks --------------------------------------------------------------------
    @cached_property
    def is_soma(self):
        """Boolean mask of soma nodes (type 1)."""
        return self.types == 1

    @property
    def has_soma(self):
        """Whether the tree has at least one soma node."""
        return bool(self.is_soma.any())

    @cached_property
    def n_children(self):
        """Number of children of each node."""
        p = self.parent
        counts = np.bincount(p[p >= 0], minlength=self.n_nodes)
        return counts.astype(np.int64, copy=False)  # intp is int64 on 64-bit

    @cached_property
    def is_tip(self):
        """Terminal neurite nodes (no children, not soma)."""
        return (self.n_children == 0) & ~self.is_soma

    @cached_property
    def is_branch_point(self):
        """Neurite nodes with two or more children (the soma is never one)."""
        return (self.n_children >= 2) & ~self.is_soma

    @cached_property
    def is_stem(self):
        """Neurite nodes whose parent is a soma node: the first point of a stem."""
        soma = self.is_soma
        out = soma[self._parent_or_self] & ~soma
        out[0] = False  # the root has no parent
        return out

    def compartment_mask(self, compartment):
        """Boolean mask of the neurite nodes in a compartment.

        Parameters
        ----------
        compartment : {"all", "dendrite", "basal", "apical", "axon"}
            ``"dendrite"`` is basal plus apical; ``"all"`` is every non-soma node,
            custom type codes included. Each node belongs to the compartment of its
            own type (a dendrite that carries the axon gives axon nodes).

        Returns
        -------
        ndarray of bool, shape (n_nodes,)
        """
        try:
            codes = COMPARTMENTS[compartment]
        except (KeyError, TypeError):
            raise UnknownNameError.among(
                "compartment", compartment, sorted(COMPARTMENTS), list_all=True
            ) from None
        if codes is None:
            return ~self.is_soma
        mask = self.types == codes[0]
        for code in codes[1:]:  # one or two codes: cheaper than np.isin
            mask |= self.types == code
        return mask

    # -- geometry -----------------------------------------------------------------
    @cached_property
    def _parent_or_self(self):
        """Parent index of each node, the root's own index for the root."""
        return np.maximum(self.parent, 0)  # the root is node 0

    @cached_property
    def segment_length(self):
        """Euclidean length of the segment from each node to its parent (0 at root)."""
        p = self._parent_or_self  # the root is its own parent: length 0
        step = np.take(self.xyz, p, axis=0)  # one gather of rows, one temporary
        np.subtract(self.xyz, step, out=step)
        step *= step
        squared = step[:, 0] + step[:, 1]  # (dx² + dy²) + dz², in that order
        squared += step[:, 2]
        return np.sqrt(squared, out=squared)

    @cached_property
    def neurite_segment(self):
        """Mask of segments that belong to a neurite.

        A segment is the edge from a node to its parent. It belongs to a neurite
        when the node is not soma and its parent is not soma: the segment from
        the soma to the first point of a stem does not count (as in NeuroM,
        MorphIO and TMD). Its compartment is the type of the child node.
        """
        soma = self.is_soma
        out = ~soma & ~soma[self._parent_or_self]
        out[0] = False  # the root has no segment
        return out

    @cached_property
    def path_distance(self):
        """Path length from the soma to each node along the tree.

        Sums neurite segments only, so the first point of each stem is at 0
        (NeuroM's convention). Soma nodes are at 0.
        """
        w = np.where(self.neurite_segment, self.segment_length, 0.0)
        return _tree.path_sum(self.parent, w, topological=True)

    @cached_property
    def n_ancestors(self):
        """Number of ancestors of each node (0 for the root)."""
        return _tree.n_ancestors(self.parent)

    @property
    def depth(self):
        """Deprecated alias of :attr:`n_ancestors`; removed in ngep 0.3.

        ``depth`` is the name of a feature (the extent along z), so the tree
        property has a name of its own.
        """
        warnings.warn(
            "Morphology.depth is deprecated and will be removed in ngep 0.3; use "
            "Morphology.n_ancestors (the number of ancestors of each node). The "
            "feature 'depth' (extent along z) is unchanged.",
            FutureWarning,
            stacklevel=2,
        )
        return self.n_ancestors

    @cached_property
    def branch_order(self):
        """Number of neurite branch points strictly above each node.

        Nodes of the first section of a stem have order 0; each bifurcation
        (or multifurcation) passed on the way from the soma adds one.
        """
        return _tree.path_sum(
            self.parent, self.is_branch_point.astype(np.float64), inclusive=False,
            topological=True,
        ).astype(np.int64)

    def accumulate(self, values, *, inclusive=True):
        """Sum per-node ``values`` along each node's path from the root.

        Parameters
        ----------
        values : array-like of float, shape (n_nodes,)
        inclusive : bool, default=True
            Include the node's own value.

        Returns
        -------
        ndarray of float64, shape (n_nodes,)
        """
        values = np.asarray(values, dtype=np.float64)
        if values.shape != (self.n_nodes,):
            raise InvalidInputError(f"values must have shape ({self.n_nodes},).")
        return _tree.path_sum(
            self.parent, values, inclusive=inclusive, topological=True
        )

    # -- transforms ---------------------------------------------------------------
    def transformed(self, matrix=None, offset=None, *, scale=None):
        """A copy with coordinates mapped by ``xyz @ matrix.T * scale + offset``.

        Parameters
        ----------
        matrix : array-like of shape (3, 3), default=None
            A linear map, e.g. a rotation. Identity when None.
        offset : array-like of shape (3,), default=None
            A translation applied after the linear map.
        scale : float, default=None
            Multiplies coordinates *and radii* (a change of unit).

        Returns
        -------
        Morphology
        """
        xyz = self.xyz
        radius = self.radius
        if matrix is not None:
            xyz = xyz @ np.asarray(matrix, dtype=np.float64).T
        if scale is not None:
            xyz = xyz * float(scale)
            radius = radius * float(scale)
        if offset is not None:
            xyz = xyz + np.asarray(offset, dtype=np.float64)
        return Morphology(
            xyz, radius, self.types, self.parent, ids=self.ids, name=self.name,
            source=self.source, dropped_ids=self.dropped_ids,
        )


_STATE_KEYS = frozenset(
    {"xyz", "radius", "types", "parent", "ids", "name", "source", "dropped_ids"}
)
