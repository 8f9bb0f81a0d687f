# SPDX-License-Identifier: BSD-3-Clause
import numpy as np
import pytest

from ngep.exceptions import NgepError, SWCFormatError
from ngep.io import Morphology, read_swc, write_swc


def _write(tmp_path, text, name="cell.swc"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_read_unordered_ids_and_roundtrip(tmp_path):
    path = _write(tmp_path, "3 3 0 20 0 1 2\n1 1 0 0 0 5 -1\n2 3 0 10 0 1 1\n")
    m = read_swc(path)
    assert m.ids.tolist() == [1, 2, 3]
    assert m.parent.tolist() == [-1, 0, 1]
    np.testing.assert_allclose(m.path_distance, [0, 0, 10])
    out = tmp_path / "out.swc.gz"
    write_swc(m, out)
    m2 = read_swc(out)
    np.testing.assert_array_equal(m2.xyz, m.xyz)


def test_missing_parent_names_file_and_line(tmp_path):
    path = _write(tmp_path, "1 1 0 0 0 5 -1\n2 3 0 10 0 1 40\n")
    with pytest.raises(SWCFormatError, match=r"cell.swc, line 2: parent 40") as info:
        read_swc(path)
    assert isinstance(info.value, NgepError) and isinstance(info.value, ValueError)
    assert info.value.line == 2


def test_morphology_rejects_cycles():
    with pytest.raises(ValueError, match="cycle"):
        Morphology(np.zeros((3, 3)), np.ones(3), [1, 3, 3], [-1, 2, 1])


def test_depth_is_a_deprecated_alias_of_n_ancestors():
    # 'depth' names the z-extent feature; the tree property is n_ancestors
    from ngep.io import Morphology

    m = Morphology([[0, 0, 0], [1, 0, 0], [2, 0, 0]], [1, 1, 1], [1, 3, 3],
                   [-1, 0, 1])
    assert m.n_ancestors.tolist() == [0, 1, 2]
    with pytest.warns(FutureWarning, match="n_ancestors"):
        assert m.depth.tolist() == [0, 1, 2]
