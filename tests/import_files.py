"""Builders of order spreadsheets for the import tests: good ones with openpyxl, hostile ones by hand."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl

from oms_core.spreadsheets.columns import template_headers
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY

HEADERS = template_headers(2)
"""The template's header row with two SKU / Qty pairs."""


def recipient(
    first: str = "Ann",
    last: str = "Smith",
    *,
    company: str = "",
    address1: str = "12 Oak St",
    address2: str = "",
    city: str = "Boston",
    state: str = "MA",
    zip_code: object = "02134",
    country: str = "",
    phone: object = "",
    email: str = "",
    method: str = "",
    ship_date: object = None,
    gift: str = "",
    items: Sequence[tuple[object, object]] = ((SKU_CABERNET, 1),),
) -> list[object]:
    """One data row in the template's column order."""
    row: list[object] = [
        first,
        last,
        company,
        address1,
        address2,
        city,
        state,
        zip_code,
        country,
        phone,
        email,
        method,
        ship_date,
        gift,
    ]
    for sku, qty in items:
        row += [sku, qty]
    return row


def many_recipients(
    count: int, items: Sequence[tuple[object, object]] = ((SKU_CHARDONNAY, 1),)
) -> list[list[object]]:
    """``count`` distinct recipients, each ordering ``items``."""
    return [
        recipient(
            f"First{i}", f"Last{i}", address1=f"{i} Elm St", zip_code=f"{2100 + i % 800:05d}", items=items
        )
        for i in range(count)
    ]


def write_orders(
    path: Path,
    rows: Sequence[Sequence[object]],
    headers: Sequence[object] | None = None,
    *,
    title_rows: Sequence[Sequence[object]] = (),
    sheet: str = "Orders",
) -> Path:
    """An order file: optional title rows, the header row, then ``rows``."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    for row in title_rows:
        ws.append(list(row))
    ws.append(list(headers if headers is not None else HEADERS))
    for row in rows:
        ws.append(list(row))
    workbook.save(path)
    return path


def replace_part(source: Path, target: Path, part: str, content: bytes) -> Path:
    """Copy a workbook with one zip member's bytes replaced (for XML tricks)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            data = content if info.filename == part else original.read(info.filename)
            copy.writestr(info.filename, data)
    target.write_bytes(buffer.getvalue())
    return target


def sheet_xml(path: Path) -> bytes:
    """The first worksheet's XML of a workbook."""
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def zip_bomb(path: Path, megabytes: int = 60) -> Path:
    """A 'workbook' whose sheet expands from a few kilobytes to ``megabytes`` of spaces."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (megabytes * 1024 * 1024))
    return path


def ole_file(path: Path, encrypted: bool) -> Path:
    """An OLE compound file: an encrypted OOXML package, or an old .xls workbook."""
    stream = "EncryptedPackage" if encrypted else "Workbook"
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    entry = stream.encode("utf-16-le") + b"\x00" * (128 - 2 * len(stream))
    path.write_bytes(header + b"\x00" * 512 + entry * 4 + b"\x00" * 2048)
    return path


_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>"""
