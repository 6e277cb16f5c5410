"""Hostile and broken files are refused before openpyxl opens them, each with a clear message."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from oms_core.spreadsheets.reader import read_order_file
from oms_core.spreadsheets.safety import SafetyLimits, UnsafeFile, check_workbook, read_workbook_bytes
from tests.import_files import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    ole_file,
    recipient,
    replace_part,
    write_orders,
    zip_bomb,
)


def _refusal(path: Path) -> str:
    parsed = read_order_file(path)
    assert parsed.refused, parsed
    assert parsed.rows == ()
    [problem] = parsed.problems
    assert problem.row is None
    return problem.reason


def test_a_csv_renamed_to_xlsx_is_refused_as_a_csv(tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    path.write_text("First Name,Last Name,ZIP\nAnn,Smith,02134\n")
    assert _refusal(path) == (
        "orders.xlsx is a CSV file, not an Excel workbook; "
        "open it in Excel and save it as an Excel Workbook (.xlsx)"
    )


def test_an_old_xls_workbook_is_refused_with_what_to_do(tmp_path: Path) -> None:
    reason = _refusal(ole_file(tmp_path / "orders.xlsx", encrypted=False))
    assert reason == (
        "orders.xlsx is an old Excel 97-2003 workbook (.xls); open it in Excel and save it as an Excel "
        "Workbook (.xlsx)"
    )


def test_a_password_protected_workbook_is_refused(tmp_path: Path) -> None:
    reason = _refusal(ole_file(tmp_path / "orders.xlsx", encrypted=True))
    assert reason == "orders.xlsx: the file is password-protected; save it without a password and try again"


def test_an_empty_file_and_random_bytes_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert _refusal(empty) == "empty.xlsx is empty"
    noise = tmp_path / "noise.xlsx"
    noise.write_bytes(bytes(range(256)) * 4)
    assert _refusal(noise).startswith("noise.xlsx is not an Excel workbook (.xlsx)")


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert _refusal(path) == "orders.xlsx is a zip file, not an Excel workbook (.xlsx)"


def test_a_damaged_zip_is_refused(tmp_path: Path) -> None:
    good = write_orders(tmp_path / "good.xlsx", [recipient()])
    path = tmp_path / "orders.xlsx"
    path.write_bytes(good.read_bytes()[:400])
    assert _refusal(path).startswith("orders.xlsx is damaged")


def test_a_zip_bomb_is_refused_from_its_directory(tmp_path: Path) -> None:
    reason = _refusal(zip_bomb(tmp_path / "orders.xlsx", megabytes=40))
    assert reason.startswith("orders.xlsx: part 'xl/worksheets/sheet1.xml' expands")
    assert "a zip bomb?" in reason


def test_the_total_uncompressed_size_is_limited(tmp_path: Path) -> None:
    path = write_orders(tmp_path / "orders.xlsx", [recipient()])
    with pytest.raises(UnsafeFile, match=r"would expand to more than 0 MB \(a zip bomb\?\)"):
        read_workbook_bytes(path, SafetyLimits(max_uncompressed_bytes=10_000))


def test_the_file_size_is_limited_before_it_is_read(tmp_path: Path) -> None:
    path = write_orders(tmp_path / "orders.xlsx", [recipient()])
    with pytest.raises(UnsafeFile, match="the limit is 0 MB"):
        read_workbook_bytes(path, SafetyLimits(max_file_bytes=1_000))


def test_billion_laughs_is_refused_before_any_entity_is_expanded(tmp_path: Path) -> None:
    good = write_orders(tmp_path / "good.xlsx", [recipient()])
    path = replace_part(good, tmp_path / "orders.xlsx", "xl/worksheets/sheet1.xml", BILLION_LAUGHS)
    assert _refusal(path) == (
        "orders.xlsx: part 'xl/worksheets/sheet1.xml' declares XML entities or a DOCTYPE, a known way to "
        "attack a server (billion laughs, external entities); the file was not opened"
    )


def test_an_external_entity_is_refused(tmp_path: Path) -> None:
    good = write_orders(tmp_path / "good.xlsx", [recipient()])
    path = replace_part(good, tmp_path / "orders.xlsx", "xl/workbook.xml", EXTERNAL_ENTITY)
    assert "part 'xl/workbook.xml' declares XML entities or a DOCTYPE" in _refusal(path)


def test_an_entity_declaration_hidden_in_utf16_is_refused(tmp_path: Path) -> None:
    good = write_orders(tmp_path / "good.xlsx", [recipient()])
    xml = EXTERNAL_ENTITY.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>')
    content = b"\xff\xfe" + xml.decode().encode("utf-16-le")
    path = replace_part(good, tmp_path / "orders.xlsx", "xl/worksheets/sheet1.xml", content)
    assert "declares XML entities or a DOCTYPE" in _refusal(path)


def test_a_plain_workbook_passes_the_checks(tmp_path: Path) -> None:
    path = write_orders(tmp_path / "orders.xlsx", [recipient()])
    check_workbook(path.read_bytes(), path.name)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    assert _refusal(tmp_path / "nothere.xlsx") == f"there is no file {str(tmp_path / 'nothere.xlsx')!r}"
