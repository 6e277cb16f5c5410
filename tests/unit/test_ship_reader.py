"""The shipping-confirmation reader: headers however written, CSV however separated and encoded,
and hostile or broken files refused in one line."""

from __future__ import annotations

from datetime import date

from oms_core.spreadsheets.reader import ReaderLimits
from oms_core.spreadsheets.safety import SafetyLimits
from oms_core.spreadsheets.ship_reader import read_ship_bytes, read_ship_file


def test_tab_separated_windows_text_with_odd_headers_reads():
    data = b"Sales Order\tItem Code\tUnits\tCourier\tShip Service\tTracking No.\tShipped On\r\n"
    data += b"1001\tMUG-RED\t2\tUPS\t2nd Day Air\t1Z1\t27.11.2026\r\n"
    data += "1001\tCAF\xc9\tall\tUPS\t\t1Z1\t2026-11-27\r\n".encode("cp1252")
    read = read_ship_bytes(data, "wh.txt")
    assert read.problems == ()
    first, second = read.rows
    assert (first.order_number, first.sku, first.quantity) == (1001, "MUG-RED", 2)
    assert first.service == "2nd Day Air"
    assert first.ship_date == date(2026, 11, 27)
    assert second.sku == "CAFÉ" and second.quantity is None  # "all"


def test_binary_empty_and_unparseable_files_are_refused_whole():
    for data, words in (
        (b"Order,SKU\x00\x01", "not a text (CSV) file"),
        (b"  \n ", "is empty"),
        (b"PK\x03\x04garbage", "damaged"),
    ):
        read = read_ship_bytes(data, "f.csv")
        assert len(read.problems) == 1 and read.problems[0].row is None and words in read.problems[0].reason
        assert read.rows == ()


def test_a_row_limit_stops_reading_and_a_long_cell_is_named():
    head = "Order,SKU,Qty,Carrier,Tracking,Date\n"
    many = head + "".join(f"1,A,1,UPS,T{n},2026-11-27\n" for n in range(30))
    read = read_ship_bytes(many.encode(), "f.csv", ReaderLimits(max_rows=10))
    assert [p.reason for p in read.problems] == [
        "the file has more than 10 rows (the limit); split it into smaller files"
    ]
    long = head + f"1,{'A' * 5000},1,UPS,T1,2026-11-27\n"
    read = read_ship_bytes(long.encode(), "f.csv")
    first = str(read.problems[0])
    assert first.startswith("row 2, column B (SKU): the cell has 5,000 characters")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.csv"
    big.write_text("Order,SKU,Qty,Carrier,Tracking,Date\n" + "1,A,1,UPS,T1,2026-11-27\n" * 200)
    limits = ReaderLimits(safety=SafetyLimits(max_file_bytes=1_000))
    read = read_ship_file(big, limits)  # refused on its size on disk, before reading it
    assert len(read.problems) == 1 and read.problems[0].reason.startswith("big.csv is ")
    assert "the limit is" in read.problems[0].reason and read.rows == ()
    as_bytes = read_ship_bytes(big.read_bytes(), "big.csv", limits)
    assert len(as_bytes.problems) == 1 and "the limit is" in as_bytes.problems[0].reason
    assert as_bytes.rows == ()


def test_a_formula_cell_is_one_problem_naming_it():
    data = b"Order,SKU,Qty,Carrier,Tracking,Date\n1001,A,=1+1,UPS,T1,2026-11-27\n"
    read = read_ship_bytes(data, "f.csv")
    assert [str(p) for p in read.problems] == [
        "row 2, column C (Qty): the cell holds a formula (it starts with =); write the value itself"
    ]
