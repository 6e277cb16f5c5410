"""CSV and JSON writers that stream: each row is written as it comes, nothing is collected first."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO


def _cell(value: Any) -> Any:
    """CSV has no types: booleans as JSON spells them, ``None`` as an empty cell."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    return value


def write_csv(stream: TextIO, fields: Sequence[str], rows: Iterable[dict[str, Any]]) -> int:
    """Write a header of ``fields`` and one line per row (RFC 4180 quoting, CRLF line ends).

    Args:
        stream: a text stream; a file should be opened with ``newline=""``.
        fields: the column names, in order.
        rows: flat dicts keyed by ``fields``.

    Returns:
        How many rows were written.
    """
    writer = csv.writer(stream)
    writer.writerow(fields)
    count = 0
    for row in rows:
        writer.writerow([_cell(row[name]) for name in fields])
        count += 1
    return count


def write_json(stream: TextIO, rows: Iterable[dict[str, Any]]) -> int:
    """Write a JSON array of objects, one object per line, as the rows come.

    Returns:
        How many objects were written.
    """
    count = 0
    for row in rows:
        stream.write("[\n" if count == 0 else ",\n")
        stream.write(json.dumps(row, ensure_ascii=False))
        count += 1
    stream.write("\n]\n" if count else "[]\n")
    return count
