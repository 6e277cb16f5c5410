"""Where oms may write a file, and how: the one home for every output path (exports, reports, the
import template, error reports).

Two rules, checked before any work so that a command never places orders and then fails to write
its report:

- oms writes regular files only. A device (``/dev/full``), a named pipe, a socket or a symbolic link
  is refused, never replaced: a file is written under a temporary name beside the target and renamed
  over it, which would otherwise swap the device or the link itself for a regular file. ``-`` means
  standard output where a command offers it.
- oms never creates a folder: a missing folder is refused with its name, so a typo does not leave a
  stray tree behind.

Every failure, whatever its cause (a full disk, a read-only folder, a removed folder), is one
:class:`UnwritableOutput` whose message is one line naming the path.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from oms_core.domain.errors import OmsError

STDOUT = "-"
"""The name that means standard output, where a command can write there."""

T = TypeVar("T")


class UnwritableOutput(OmsError):
    """A file oms was asked to write cannot or must not be written; the message names it."""


def is_stdout(path: Path | str | None) -> bool:
    """True when ``path`` is ``-`` (standard output)."""
    return path is not None and str(path) == STDOUT


def check_output_path(path: Path | str, *, replace: bool = True) -> Path:
    """Refuse, before any work, a path that oms must not or cannot write.

    The folder must exist (oms creates none) and take a new file; the target, if it exists, must be
    a regular, writable file (and is refused outright when ``replace`` is false). Writability is
    proved by creating and removing a file in the folder, because permission bits alone say nothing
    of a read-only file system, and nothing at all for root.

    Args:
        path: the file to be written.
        replace: whether an existing file may be replaced.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Raises:
        UnwritableOutput: one line saying what is wrong with ``path``.
    """
    target = Path(path)
    if not target.name or str(path).endswith(os.sep):
        raise UnwritableOutput(f"{str(path)!r} is not a file name")
    _refuse_existing(target, replace)
    folder = target.parent
    try:
        folder_mode = folder.stat().st_mode
    except FileNotFoundError:
        raise UnwritableOutput(
            f"there is no folder {folder} to write {target.name} in (oms creates no folders)"
        ) from None
    except OSError as exc:
        raise UnwritableOutput(f"cannot use the folder {folder}: {_reason(exc)}") from None
    if not stat.S_ISDIR(folder_mode):
        raise UnwritableOutput(f"{folder} is not a folder, so {target.name} cannot be written in it")
    _remove(_create_temporary(target))
    return target


def write_atomically(path: Path | str, write: Callable[[Path], T]) -> T:
    """Write ``path`` through ``write`` under a temporary name beside it, then rename it into place.

    A failed or interrupted write never leaves a half-written file where a complete one is expected,
    nor a temporary file behind. The target is checked again just before the rename, so a device or
    link put there in the meantime is refused rather than replaced. A replaced file keeps its mode.

    Args:
        path: the file to write (see :func:`check_output_path`).
        write: writes the whole content to the temporary path it is given and returns a result
            (typically how many rows it wrote).

    Returns:
        What ``write`` returned.

    Raises:
        UnwritableOutput: one line naming ``path`` and the reason (a full disk included).
    """
    target = check_output_path(path)
    temporary = _create_temporary(target)
    try:
        result = write(temporary)
        _flush_to_disk(temporary)
        existing = _refuse_existing(target, replace=True)
        if existing is not None:
            os.chmod(temporary, stat.S_IMODE(existing.st_mode))
        os.replace(temporary, target)
    except OSError as exc:
        raise UnwritableOutput(f"cannot write {target}: {_reason(exc)}") from None
    finally:
        _remove(temporary)
    return result


def _refuse_existing(target: Path, replace: bool) -> os.stat_result | None:
    """The target's ``lstat`` if it is a regular file that may be replaced; ``None`` if absent."""
    try:
        status = target.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UnwritableOutput(f"cannot use {target}: {_reason(exc)}") from None
    mode = status.st_mode
    if stat.S_ISLNK(mode):
        raise UnwritableOutput(f"{target} is a symbolic link; oms writes only regular files")
    if stat.S_ISDIR(mode):
        raise UnwritableOutput(f"{target} is a folder: give a file name")
    if not stat.S_ISREG(mode):
        kind = _kind(mode)
        raise UnwritableOutput(f"{target} is {kind}, not a regular file; oms writes only regular files")
    if not replace:
        raise UnwritableOutput(f"{target} exists")
    if not os.access(target, os.W_OK):
        raise UnwritableOutput(f"{target} is read-only")
    return status


def _create_temporary(target: Path) -> Path:
    """A new, empty file beside ``target`` (created exclusively, never through a link)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        os.close(os.open(temporary, flags, 0o666))  # the umask decides, as for any new file
    except OSError as exc:
        raise UnwritableOutput(f"cannot write {target.name} in {target.parent}: {_reason(exc)}") from None
    return temporary


def _flush_to_disk(path: Path) -> None:
    """Make a full disk fail here, before the rename, on file systems that report it late."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _kind(mode: int) -> str:
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):  # already gone with its folder: nothing to add to the error
        path.unlink(missing_ok=True)
