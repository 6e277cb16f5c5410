"""Saving a workbook: atomically, to a regular file only, and with one clean error when it fails.

openpyxl's own ``Workbook.save`` leaves its zip archive open when a write fails (a full disk): the
archive then tries to finish the file again when it is garbage-collected and prints an ``Exception
ignored ... OSError`` traceback after oms has already reported the error. Here the archive is closed
whatever happens, and the file goes through :func:`oms_core.output_files.write_atomically`.
"""

from __future__ import annotations

import contextlib
import datetime
import io
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from oms_core.output_files import write_atomically


def write_workbook(workbook: Workbook, path: Path) -> Path:
    """Save ``workbook`` as ``path`` (checked and written as :func:`write_atomically` does).

    Returns:
        ``path``.

    Raises:
        UnwritableOutput: one line naming ``path`` and the reason.
    """
    write_atomically(path, lambda temporary: save_workbook(workbook, temporary))
    return path


def save_workbook(workbook: Workbook, path: Path) -> None:
    """What ``Workbook.save`` does, except that the archive is closed even when writing fails.

    Raises:
        OSError: the file could not be written.
    """
    if workbook.write_only and not workbook.worksheets:
        workbook.create_sheet()  # as Workbook.save does: a workbook needs a sheet
    archive = ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True)
    try:
        workbook.properties.modified = datetime.datetime.now(tz=datetime.UTC).replace(tzinfo=None)
        ExcelWriter(workbook, archive).save()  # closes the archive when it succeeds
    except BaseException:
        with contextlib.suppress(Exception):  # the first error is the one to report
            archive.close()
        _discard_write_only_sheets(workbook)
        raise


def _discard_write_only_sheets(workbook: Workbook) -> None:
    """Finish and remove the temporary files of write-only sheets the failed save did not reach.

    Left alone, a sheet's row writer is finished by the garbage collector, writes into a closed file
    and prints an ``Exception ignored`` traceback of its own.
    """
    if not workbook.write_only:
        return
    for sheet in workbook.worksheets:
        with contextlib.suppress(Exception):
            if not sheet.closed:
                sheet.close()
        writer = getattr(sheet, "_writer", None)
        with contextlib.suppress(Exception):
            if writer is not None and not isinstance(writer.out, io.BytesIO):
                writer.cleanup()
