"""The sheet stream gives the values openpyxl's read-only parse gives, and says what openpyxl does not."""

from __future__ import annotations

import io
import random
import warnings
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.styles.numbers import is_date_format as openpyxl_is_date_format
from openpyxl.styles.numbers import is_timedelta_format as openpyxl_is_timedelta_format
from openpyxl.utils.datetime import MAC_EPOCH as OPENPYXL_MAC_EPOCH
from openpyxl.utils.datetime import from_excel

from oms_core.spreadsheets.reader import ReaderLimits, read_order_file
from oms_core.spreadsheets.sheet_stream import (
    BUILTIN_DATE_FORMATS,
    MAC_EPOCH,
    WINDOWS_EPOCH,
    Row,
    SheetRows,
    UnsafeXml,
    WorkbookStream,
    column_index,
    excel_date,
    is_date_format,
    is_duration_format,
)
from tests.import_files import HEADERS, recipient

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _package(
    path: Path,
    rows_xml: str,
    *,
    shared: list[str] | None = None,
    number_formats: dict[int, str] | None = None,
    cell_formats: list[int] | None = None,
    date1904: bool = False,
) -> Path:
    """A hand-written workbook: one sheet "Orders" whose <sheetData> is ``rows_xml``.

    ``shared`` holds the inner XML of each <si>; ``cell_formats`` the numFmtId of each cellXfs entry
    (style ``s="i"``), ``number_formats`` the custom formats they may name.
    """
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    )
    if shared is not None:
        types += (
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
    types += "</Types>"
    parts = {
        "[Content_Types].xml": types,
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            + ('<workbookPr date1904="1"/>' if date1904 else "")
            + '<sheets><sheet name="Orders" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{MAIN}"><sheetData>{rows_xml}</sheetData></worksheet>'
        ),
    }
    if shared is not None:
        items = "".join(f"<si>{item}</si>" for item in shared)
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN}" count="{len(shared)}">{items}</sst>'
    if cell_formats is not None:
        customs = "".join(
            f'<numFmt numFmtId="{i}" formatCode={quoteattr(code)}/>'
            for i, code in (number_formats or {}).items()
        )
        xfs = "".join(f'<xf numFmtId="{i}" fontId="0" fillId="0" borderId="0"/>' for i in cell_formats)
        parts["xl/styles.xml"] = (
            f'<styleSheet xmlns="{MAIN}"><numFmts>{customs}</numFmts><cellXfs>{xfs}</cellXfs></styleSheet>'
        )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode())
    return path


def _stream(path: Path) -> tuple[list[Row], SheetRows]:
    with WorkbookStream(path.read_bytes()) as book:
        [sheet] = [s for s in book.sheets if s.name == "Orders"] or book.sheets[:1]
        rows = book.rows(sheet)
        return list(rows), rows


def _as_openpyxl_gives_them(rows: list[Row]) -> list[tuple[object, ...]]:
    """The stream's rows with the skipped ones filled in, as openpyxl's ``iter_rows`` yields them."""
    filled: list[tuple[object, ...]] = []
    for number, values in rows:
        filled.extend(() for _ in range(len(filled) + 1, number))
        filled.append(values)
    return filled


def _openpyxl_values(path: Path, sheet: str = "Orders") -> list[tuple[object, ...]]:
    with warnings.catch_warnings():  # the hand-written styles have no fonts, fills or named styles
        warnings.filterwarnings("ignore", "Workbook contains no default style", UserWarning)
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        worksheet = workbook[sheet]
        worksheet.reset_dimensions()
        return [tuple(row) for row in worksheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _values(path: Path) -> list[tuple[object, ...]]:
    """The stream's values, checked against openpyxl's on the way."""
    rows, _ = _stream(path)
    values = _as_openpyxl_gives_them(rows)
    assert values == _openpyxl_values(path)
    return values


def test_shared_strings_join_rich_text_runs_and_leave_out_phonetic_ones(tmp_path: Path) -> None:
    shared = [
        "<t>Ann</t>",
        '<r><rPr><b/></rPr><t>Gift</t></r><r><t xml:space="preserve"> for </t></r><r><t>you</t></r>',
        "<t>東京</t><rPh sb='0' eb='2'><t>トウキョウ</t></rPh>",
        "<t/>",
        "<t>a_x005F_x0041_b &amp; &lt;c&gt;</t>",
    ]
    rows_xml = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
        '<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>'
    )
    assert _values(_package(tmp_path / "f.xlsx", rows_xml, shared=shared)) == [
        ("Ann", "Gift for you", "東京", "", "a_x0041_b & <c>")
    ]


def test_inline_strings_are_read_with_their_runs(tmp_path: Path) -> None:
    rows_xml = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>plain</t></is></c>'
        '<c r="B1" t="inlineStr"><is><r><t>ri</t></r><r><rPr><i/></rPr><t>ch</t></r></is></c>'
        '<c r="C1" t="inlineStr"><is/></c><c r="D1" t="inlineStr"><v>ignored</v></c>'
        '<c r="E1" t="inlineStr"><is><t>  spaced\nlines  </t></is></c></row>'
    )
    assert _values(_package(tmp_path / "f.xlsx", rows_xml)) == [
        ("plain", "rich", "", None, "  spaced\nlines  ")
    ]


def test_sparse_cells_and_skipped_rows_keep_their_places(tmp_path: Path) -> None:
    rows_xml = (
        '<row r="2"><c r="B2"><v>1</v></c><c r="E2"><v>2</v></c></row>'
        '<row r="3"/>'
        '<row r="6" spans="1:30"><c r="AB6"><v>3</v></c></row>'
        '<row><c><v>4</v></c><c><v>5</v></c><c r="D7"><v>6</v></c><c><v>7</v></c></row>'
    )
    path = _package(tmp_path / "f.xlsx", rows_xml)
    rows, _ = _stream(path)
    assert [number for number, _ in rows] == [2, 3, 6, 7]
    values = _values(path)
    assert values[1] == (None, 1, None, None, 2)
    assert values[2] == ()
    assert values[5] == (None,) * 27 + (3,)
    assert values[6] == (4, 5, None, 6, 7)


def test_rows_out_of_order_are_dropped_and_a_row_ends_at_its_last_cell_as_openpyxl_reads_them(
    tmp_path: Path,
) -> None:
    rows_xml = (
        '<row r="4"><c r="C4"><v>1</v></c><c r="A4"><v>2</v></c></row>'
        '<row r="2"><c r="A2"><v>3</v></c></row>'
        '<row r="5"><c r="B5"><v>4</v></c><c r="B5"><v>5</v></c></row>'
    )
    assert _values(_package(tmp_path / "f.xlsx", rows_xml)) == [(), (), (), (2,), (None, 5)]


def test_numbers_are_ints_or_floats_as_written(tmp_path: Path) -> None:
    rows_xml = (
        '<row r="1"><c r="A1"><v>42</v></c><c r="B1"><v>2.0</v></c><c r="C1"><v>1E3</v></c>'
        '<c r="D1" t="n"><v>-0.125</v></c><c r="E1"><v></v></c><c r="F1" s="0"/></row>'
    )
    values = _values(_package(tmp_path / "f.xlsx", rows_xml))
    assert values == [(42, 2.0, 1000.0, -0.125, None, None)]
    assert [type(v) for v in values[0][:4]] == [int, float, float, float]


@pytest.mark.parametrize("date1904", [False, True])
def test_dates_follow_the_cell_format_and_the_workbooks_calendar(tmp_path: Path, date1904: bool) -> None:
    formats = {164: "yyyy-mm-dd", 165: '"Day" 0', 166: "[Red]0.00", 167: "[h]:mm:ss", 168: "dd/mm/yyyy;@"}
    #            s=0 s=1 s=2  s=3  s=4  s=5  s=6  s=7  s=8
    cell_formats = [0, 14, 22, 164, 165, 166, 167, 168, 21]
    cells = [
        (1, "46371"),
        (2, "46371.5"),
        (3, "46371"),
        (4, "7"),
        (5, "7"),
        (6, "1.5"),
        (7, "1"),
        (8, "0.75"),
    ]
    rows_xml = '<row r="1"><c r="A1" s="1"><v>46371</v></c>'
    rows_xml += "".join(f'<c r="{chr(66 + i)}1" s="{s}"><v>{v}</v></c>' for i, (s, v) in enumerate(cells))
    rows_xml += "</row>"
    path = _package(
        tmp_path / "f.xlsx", rows_xml, number_formats=formats, cell_formats=cell_formats, date1904=date1904
    )
    epoch = MAC_EPOCH if date1904 else WINDOWS_EPOCH
    day = epoch + timedelta(days=46371)
    day_one = datetime(1904, 1, 2) if date1904 else datetime(1900, 1, 1)  # Excel's 1900 has a 29 February
    assert _values(path) == [
        (day, day, day + timedelta(hours=12), day, 7, 7, timedelta(days=1, hours=12), day_one, time(18))
    ]  # fmt: skip
    if not date1904:
        assert day.date() == date(2026, 12, 15)


def test_booleans_errors_and_formula_results(tmp_path: Path) -> None:
    rows_xml = (
        '<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="b"><v>0</v></c>'
        '<c r="C1" t="e"><v>#N/A</v></c><c r="D1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        '<c r="E1"><f>1+1</f><v>2</v></c><c r="F1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
        '<c r="G1"><f>A1+1</f></c><c r="H1"><f>A1</f><v></v></c><c r="I1" t="str"><f>""</f><v></v></c>'
        '<c r="J1"><f t="shared" si="0"/></c></row>'
        '<row r="2"><c r="A2" t="str"><f>SUM(A1:A1)</f><v>   </v></c></row>'
    )
    path = _package(tmp_path / "f.xlsx", rows_xml)
    assert _values(path) == [(True, False, "#N/A", "#DIV/0!", 2, "ab", None, None, None, None), ("   ",)]
    _, rows = _stream(path)
    assert rows.errors == {(1, 2): "#N/A", (1, 3): "#DIV/0!"}
    assert rows.uncalculated == {(1, 6), (1, 7), (1, 9)}  # a formula giving "" or "   " has a result


def test_a_date_beyond_the_calendar_reads_as_an_error(tmp_path: Path) -> None:
    rows_xml = '<row r="1"><c r="A1" s="1"><v>99999999</v></c></row>'
    path = _package(tmp_path / "f.xlsx", rows_xml, cell_formats=[0, 14])
    with pytest.warns(UserWarning):  # openpyxl warns about it
        assert _values(path) == [("#VALUE!",)]
    _, rows = _stream(path)
    assert rows.errors == {(1, 0): "#VALUE!"}


def test_a_cell_reference_that_is_not_one_is_refused() -> None:
    assert (column_index("A"), column_index("Z"), column_index("AB"), column_index("XFD")) == (
        1,
        26,
        28,
        16384,
    )
    for letters in ("", "a", "$A$", "ABCD", "Ä"):
        with pytest.raises(ValueError):
            column_index(letters)


def test_a_doctype_is_refused_by_the_stream_itself(tmp_path: Path) -> None:
    path = _package(tmp_path / "f.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as original, zipfile.ZipFile(buffer, "w") as copy:
        for name in original.namelist():
            data = original.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE x [<!ENTITY e "boom">]>' + data.replace(b"<v>1</v>", b"<v>&e;</v>")
            copy.writestr(name, data)
    with WorkbookStream(buffer.getvalue()) as book, pytest.raises(UnsafeXml):
        list(book.rows(book.sheets[0]))


def test_a_file_written_by_openpyxls_write_only_mode_has_no_dimension_and_reads_the_same(
    tmp_path: Path,
) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Orders")
    sheet.append(HEADERS)
    for i in range(50):
        sheet.append(recipient(f"First{i}", address1=f"{i} Elm St", ship_date=datetime(2026, 12, 1 + i % 28)))
    workbook.save(tmp_path / "w.xlsx")
    with zipfile.ZipFile(tmp_path / "w.xlsx") as archive:
        assert b"<dimension" not in archive.read("xl/worksheets/sheet1.xml")
    values = _values(tmp_path / "w.xlsx")
    assert len(values) == 51 and values[1][0] == "First0"
    parsed = read_order_file(tmp_path / "w.xlsx")
    assert parsed.problems == () and len(parsed.rows) == 50
    assert parsed.rows[0].ship_date == date(2026, 12, 1)


def test_a_header_below_skipped_rows_is_found_and_rows_keep_excels_numbers(tmp_path: Path) -> None:
    def row(number: int, cells: list[object]) -> str:
        xml = "".join(
            f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
            if isinstance(v, str)
            else f'<c r="{chr(65 + i)}{number}"><v>{v}</v></c>'
            for i, v in enumerate(cells)
            if v not in (None, "")
        )
        return f'<row r="{number}">{xml}</row>'

    rows_xml = (
        row(2, ["Holiday gifts"]) + row(4, list(HEADERS)) + row(7, recipient()) + row(9, recipient("Bob"))
    )
    parsed = read_order_file(_package(tmp_path / "f.xlsx", rows_xml))
    assert parsed.problems == ()
    assert parsed.header_row == 4
    assert [(r.row, r.first_name, r.zip) for r in parsed.rows] == [(7, "Ann", "02134"), (9, "Bob", "02134")]


def test_a_header_below_the_scanned_rows_is_not_looked_for(tmp_path: Path) -> None:
    headers = "".join(
        f'<c r="{chr(65 + i)}11" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(HEADERS)
    )
    parsed = read_order_file(_package(tmp_path / "f.xlsx", f'<row r="11">{headers}</row>'))
    assert parsed.refused and "no header row in the first 10 rows" in parsed.problems[0].reason


def test_an_error_cell_is_a_problem_naming_it_and_reads_as_empty(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Orders"
    sheet.append(HEADERS)
    sheet.append(recipient(city="#REF!"))
    workbook.save(tmp_path / "orders.xlsx")
    parsed = read_order_file(tmp_path / "orders.xlsx")
    assert [str(p) for p in parsed.problems] == [
        "row 2, column F (City*): the cell shows the error #REF!; correct it in Excel and save the file"
    ]
    assert parsed.rows[0].city == ""


def test_the_row_limit_stops_reading_before_the_rest_of_the_sheet(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Orders"
    sheet.append(HEADERS)
    for i in range(3_000):
        sheet.append(recipient(f"R{i}", address1=f"{i} Elm St"))
    workbook.save(tmp_path / "source.xlsx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(tmp_path / "source.xlsx") as original, zipfile.ZipFile(buffer, "w") as copy:
        for name in original.namelist():
            data = original.read(name)
            if name == "xl/worksheets/sheet1.xml":  # far past the first rows, the XML breaks off
                data = data[: len(data) - 20_000] + b"<row r='oops'><c></row>"
            copy.writestr(name, data)
    (tmp_path / "orders.xlsx").write_bytes(buffer.getvalue())
    limited = read_order_file(tmp_path / "orders.xlsx", ReaderLimits(max_rows=100))
    assert limited.problems[0].reason.startswith("the file has more than 100 order rows")
    whole = read_order_file(tmp_path / "orders.xlsx")
    assert whole.problems[0].reason.startswith("orders.xlsx is damaged and could not be read")


def test_two_thousand_rows_of_every_type_read_as_openpyxl_reads_them(tmp_path: Path) -> None:
    randomness = random.Random(5)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Orders"
    bold = InlineFont(b=True)
    makers = [
        lambda i: f"text {i}",
        lambda i: f"  spaced _x001B_ {i}\nline",
        lambda i: i,
        lambda i: -i * 1.25,
        lambda i: 2.0,
        lambda i: 10**15 + i,
        lambda i: datetime(2020, 1, 1) + timedelta(days=i, minutes=i),
        lambda i: date(2026, 12, 1 + i % 28),
        lambda i: time(i % 24, i % 60),
        lambda i: timedelta(hours=i % 100, minutes=5),
        lambda i: i % 2 == 0,
        lambda i: "#N/A",
        lambda i: f"=A{i}+1",
        lambda i: CellRichText("rich ", TextBlock(bold, f"bold {i}")),
        lambda i: "",
        lambda i: None,
        lambda i: '東京 & <tag> "quoted"',
    ]
    for i in range(2_000):
        width = randomness.randint(0, 24)
        sheet.append([randomness.choice(makers)(i) for _ in range(width)])
        if i % 97 == 0:
            sheet.append([])
    sheet.cell(row=2_100, column=30, value="far away")
    workbook.create_sheet("Other").append(["not read"])
    workbook.save(tmp_path / "every.xlsx")
    values = _values(tmp_path / "every.xlsx")
    assert len(values) == 2_100
    assert {type(v) for row in values for v in row} == {
        str, int, float, bool, datetime, time, timedelta, type(None)
    }  # fmt: skip


def test_the_date_rules_are_openpyxls() -> None:
    codes = [
        *BUILTIN_FORMATS.values(),
        "yyyy-mm-dd",
        "dd/mm/yyyy;@",
        '"Day" 0',
        "[Red]0.00",
        "[h]:mm:ss",
        "[mm]:ss.00",
        "[ss]",
        r"0.00\d",
        "0_d",
        "General;[Red]-d",
        "[$-409]mmmm d, yyyy",
        "#,##0;(#,##0);-",
        None,
    ]
    for code in codes:
        assert is_date_format(code) == openpyxl_is_date_format(code), code
        assert is_duration_format(code) == openpyxl_is_timedelta_format(code), code
    dates = {i for i, code in BUILTIN_FORMATS.items() if openpyxl_is_date_format(code)}
    assert set(BUILTIN_DATE_FORMATS) == dates
    assert all(BUILTIN_FORMATS[i] == code for i, code in BUILTIN_DATE_FORMATS.items())


def test_serial_numbers_turn_into_the_dates_openpyxl_gives() -> None:
    assert MAC_EPOCH == OPENPYXL_MAC_EPOCH
    serials = [0, 0.25, 0.999999, 1, 1.5, 59, 60, 61, 366.75, 46371, 46371.123456789, 2950000.99]
    for serial in serials:
        for epoch in (WINDOWS_EPOCH, MAC_EPOCH):
            assert excel_date(serial, epoch) == from_excel(serial, epoch), (serial, epoch)
        assert excel_date(serial, duration=True) == from_excel(serial, timedelta=True), serial
