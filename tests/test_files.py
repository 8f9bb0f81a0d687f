# SPDX-License-Identifier: BSD-3-Clause
"""ngep._files.atomic_write: the one way ngep writes a file."""

import os
import stat
from pathlib import Path

import pytest

import ngep
from ngep._files import atomic_write


def test_writes_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "a.bin"  # missing folder is created
    with atomic_write(target) as fh:
        fh.write(b"xyz")
    assert target.read_bytes() == b"xyz"
    assert os.listdir(target.parent) == ["a.bin"]


def test_failure_keeps_the_old_file(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(target, "w", encoding="utf-8") as fh:
            fh.write("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["a.txt"]


def test_check_cancels_the_write(tmp_path):
    target = tmp_path / "a.swc"

    def reject(tmp):
        assert Path(tmp).read_bytes() == b"bad"
        raise ValueError("invalid content")

    with pytest.raises(ValueError, match="invalid content"):
        with atomic_write(target, check=reject) as fh:
            fh.write(b"bad")
    assert os.listdir(tmp_path) == []


def test_permissions_as_open_gives(tmp_path):
    with atomic_write(tmp_path / "a", fsync=True) as fh:
        fh.write(b"1")
    with open(tmp_path / "b", "wb") as fh:
        fh.write(b"1")
    mode = [stat.S_IMODE(os.stat(tmp_path / n).st_mode) for n in ("a", "b")]
    assert mode[0] == mode[1]


def test_only_one_module_renames_files_into_place():
    # one rule for atomic writes: every writer goes through atomic_write
    package = Path(ngep.__file__).parent
    users = sorted(
        p.relative_to(package).as_posix() for p in package.rglob("*.py")
        if "os.replace(" in p.read_text(encoding="utf-8")
    )
    assert users == ["_files.py"]
