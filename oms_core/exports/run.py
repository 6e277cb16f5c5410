"""Running an export: rows from the source, shaped by the reports service, written in a format."""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from oms_core.domain.errors import ValidationError
from oms_core.exports.text import write_csv, write_json
from oms_core.output_files import check_output_path, is_stdout, write_atomically
from oms_core.ports import ExportSource
from oms_core.services.reports import MONEY_FIELDS, ExportKind, export_rows


class ExportFormat(enum.StrEnum):
    """File formats of an export."""

    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"


def parse_format(text: str) -> ExportFormat:
    """The format named by ``text``.

    Raises:
        ValidationError: naming the formats there are.
    """
    try:
        return ExportFormat(text.strip().lower())
    except ValueError:
        names = ", ".join(f.value for f in ExportFormat)
        raise ValidationError(f"unknown export format {text!r}: choose {names}", field="format") from None


def run_export(
    source: ExportSource,
    kind: ExportKind,
    fmt: ExportFormat,
    out: Path | None,
    stdout: TextIO,
) -> int:
    """Write every ``kind`` record from ``source`` as ``fmt`` to the file ``out``, or to ``stdout``.

    Returns:
        How many rows (JSON: objects) were written.

    Raises:
        ValidationError: ``xlsx`` without a file to write.
        UnwritableOutput: the file must not or cannot be written (one line naming it).
    """
    out = _checked(fmt, out)
    fields, rows = export_rows(kind, source, flat=fmt is not ExportFormat.JSON)
    return write_rows(fields, rows, fmt, out, stdout, kind.value)


def write_rows(
    fields: Sequence[str],
    rows: Iterator[dict[str, Any]],
    fmt: ExportFormat,
    out: Path | None,
    stdout: TextIO,
    sheet: str,
) -> int:
    """Write ``rows`` as ``fmt`` to the file ``out``, or to ``stdout`` (``out`` ``None`` or ``-``).

    A file is checked before anything is read, and written under a temporary name beside it and
    renamed when complete (:mod:`oms_core.output_files`), so a failed or interrupted export never
    leaves a half-written file where a complete one is expected, and a device, pipe or link is
    refused rather than replaced.

    Returns:
        How many rows (JSON: objects) were written.

    Raises:
        ValidationError: ``xlsx`` without a file to write.
        UnwritableOutput: the file must not or cannot be written (one line naming it).
    """
    out = _checked(fmt, out)
    # Read the first page before writing anything, so a database that cannot be read fails before
    # a header reaches the output.
    first = next(rows, None)
    rows = rows if first is None else itertools.chain((first,), rows)

    def write_text(stream: TextIO) -> int:
        if fmt is ExportFormat.JSON:
            return write_json(stream, rows)
        return write_csv(stream, fields, rows)

    if out is None:
        return write_text(stdout)
    if fmt is ExportFormat.XLSX:
        from oms_core.spreadsheets.export_xlsx import write_xlsx  # openpyxl only when asked for

        return write_atomically(out, lambda tmp: write_xlsx(tmp, sheet, fields, rows, MONEY_FIELDS))

    def write_file(tmp: Path) -> int:
        with tmp.open("w", encoding="utf-8", newline="") as stream:
            return write_text(stream)

    return write_atomically(out, write_file)


def _checked(fmt: ExportFormat, out: Path | None) -> Path | None:
    if out is not None and is_stdout(out):
        out = None
    if fmt is ExportFormat.XLSX and out is None:
        raise ValidationError("xlsx needs a file: give --out FILE.xlsx", field="out")
    if out is not None:
        check_output_path(out)
    return out
