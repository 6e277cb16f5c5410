"""Output paths: regular files only, no folder created, every failure one line (a full disk too)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from oms_core.output_files import UnwritableOutput, check_output_path, write_atomically


def test_a_regular_file_is_written_and_replaced_keeping_its_mode(tmp_path):
    target = tmp_path / "out.csv"
    assert write_atomically(target, lambda tmp: tmp.write_text("one\n")) == 4
    target.chmod(0o640)
    write_atomically(target, lambda tmp: tmp.write_text("two\n"))
    assert target.read_text() == "two\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_named_pipe_is_refused_and_left_alone(tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(UnwritableOutput, match="is a named pipe, not a regular file"):
        write_atomically(pipe, lambda tmp: tmp.write_text("x"))
    assert stat.S_ISFIFO(pipe.lstat().st_mode)


def test_a_symbolic_link_is_refused_and_neither_it_nor_its_target_changes(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("keep\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    with pytest.raises(UnwritableOutput, match="is a symbolic link"):
        check_output_path(link)
    assert link.is_symlink() and real.read_text() == "keep\n"


def test_a_missing_folder_is_refused_and_not_created(tmp_path):
    target = tmp_path / "no" / "such" / "r.xlsx"
    with pytest.raises(UnwritableOutput, match=f"there is no folder {target.parent} to write r.xlsx in"):
        check_output_path(target)
    assert not (tmp_path / "no").exists()


def test_an_existing_file_is_refused_when_it_must_not_be_replaced(tmp_path):
    target = tmp_path / "t.xlsx"
    target.write_text("mine")
    with pytest.raises(UnwritableOutput, match="exists"):
        check_output_path(target, replace=False)


def test_a_failed_write_leaves_neither_a_file_nor_a_temporary_behind(tmp_path):
    def fail(tmp: Path) -> int:
        tmp.write_text("half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(UnwritableOutput) as caught:
        write_atomically(tmp_path / "out.csv", fail)
    assert str(caught.value) == f"cannot write {tmp_path / 'out.csv'}: No space left on device"
    assert list(tmp_path.iterdir()) == []
