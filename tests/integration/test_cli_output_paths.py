"""Every command that writes a file: only regular files (or ``-``), paths checked before any work,
no folder created, and every failure one line, a full disk included."""

from __future__ import annotations

import errno
import gc
import io
import os
import sqlite3
import stat
import sys
from datetime import date
from pathlib import Path

import pytest

from oms_core.bootstrap import Config, build, upgrade_database
from oms_tui.cli import main
from tests.fakes import SKU_CABERNET, seed_reference
from tests.unit.batch_helpers import add_customer

NO_FOLDERS = "(oms creates no folders)"


def oms(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def office(tmp_path: Path):
    """A SQLite office with one club member and a shipment of one bottle each, not yet processed."""
    db = tmp_path / "db"
    db.mkdir()
    url = f"sqlite:///{db / 'oms.db'}"
    upgrade_database(url)
    application = build(Config(url, operator="root"))
    with application.uow_factory(write=True) as uow:
        seed_reference(uow)
        uow.commit()
    services = application.services
    add_customer(services, "Active", type_code="WINECLUB")
    shipment = services.clubs.create_shipment(
        "Fall", "WINECLUB", [(SKU_CABERNET, 1)], date(2026, 10, 1), "GROUND"
    )
    application.close()
    return url, db / "oms.db", shipment.id


def placed_orders(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM orders WHERE status != 'draft'").fetchone()[0]


@pytest.fixture
def unwritable_folder(tmp_path: Path) -> Path:
    """A folder no new file can be made in, whoever runs the tests (root ignores permission bits)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    candidates = [folder, Path("/sys")]
    for candidate in candidates:
        try:
            (candidate / "probe").touch()
        except OSError:
            yield candidate
            break
        (candidate / "probe").unlink()
    else:
        pytest.skip("no folder here refuses a new file")
    folder.chmod(0o755)


def test_export_refuses_a_device_and_leaves_it_a_device(office, tmp_path):
    url, _, _ = office
    device = tmp_path / "full"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 7))  # what /dev/full is
    except PermissionError:
        pytest.skip("making a device needs root")
    status, _, err = oms("--db", url, "export", "customers", "--out", str(device))
    assert status == 1
    assert err == f"oms: error: {device} is a device, not a regular file; oms writes only regular files\n"
    assert stat.S_ISCHR(device.lstat().st_mode)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_refuses_a_named_pipe_and_a_symbolic_link(office, tmp_path, fmt):
    url, _, _ = office
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    status, _, err = oms("--db", url, "export", "customers", "--format", fmt, "--out", str(pipe))
    assert status == 1 and "is a named pipe, not a regular file" in err and len(err.splitlines()) == 1
    assert stat.S_ISFIFO(pipe.lstat().st_mode)

    real = tmp_path / "real"
    real.write_text("keep")
    link = tmp_path / "link"
    link.symlink_to(real)
    status, _, err = oms("--db", url, "export", "customers", "--format", fmt, "--out", str(link))
    assert status == 1 and "is a symbolic link" in err and len(err.splitlines()) == 1
    assert link.is_symlink() and real.read_text() == "keep"


def test_export_to_dash_is_standard_output(office):
    url, _, _ = office
    status, out, err = oms("--db", url, "export", "products", "--out", "-")
    assert status == 0 and err == ""
    assert out.startswith("sku,name,price,")


def test_club_report_in_a_missing_folder_is_refused_before_any_order_is_placed(office, tmp_path):
    url, db, shipment = office
    report = tmp_path / "nonexistent" / "r.xlsx"
    status, out, err = oms("--db", url, "club", "process", str(shipment), "--report", str(report))
    assert status == 1 and out == ""
    assert err == f"oms: error: there is no folder {report.parent} to write r.xlsx in {NO_FOLDERS}\n"
    assert not report.parent.exists()
    assert placed_orders(db) == 0


def test_club_report_in_an_unwritable_folder_is_refused_before_any_order_is_placed(office, unwritable_folder):
    url, db, shipment = office
    report = unwritable_folder / "r.xlsx"
    status, out, err = oms("--db", url, "club", "process", str(shipment), "--report", str(report))
    assert status == 1 and out == ""
    assert err.startswith(f"oms: error: cannot write r.xlsx in {unwritable_folder}: ")
    assert len(err.splitlines()) == 1
    assert placed_orders(db) == 0


def test_bulk_report_to_a_folder_path_is_refused_before_any_order_is_placed(office, tmp_path):
    url, db, _ = office
    status, _, err = oms("--db", url, "bulk", "run", "1", "--report", str(tmp_path))
    assert status == 1 and err == f"oms: error: {tmp_path} is a folder: give a file name\n"


def test_import_errors_out_in_a_missing_folder_is_refused_before_importing(office, tmp_path):
    url, db, _ = office
    missing = tmp_path / "no" / "errors.xlsx"
    source = tmp_path / "gifts.xlsx"
    source.write_bytes(b"")
    status, _, err = oms(
        "--db", url, "import", "orders", str(source), "--purchaser", "1", "--payment", "cash", "--yes",
        "--errors-out", str(missing),
    )  # fmt: skip
    assert status == 1
    assert err == f"oms: error: there is no folder {missing.parent} to write errors.xlsx in {NO_FOLDERS}\n"
    assert not missing.parent.exists()


def test_import_template_in_a_missing_folder_is_refused_and_no_folder_made(office, tmp_path):
    url, _, _ = office
    target = tmp_path / "new" / "t.xlsx"
    status, _, err = oms("--db", url, "import", "template", str(target))
    assert status == 1 and "there is no folder" in err
    assert not target.parent.exists()


class _FullDisk(io.FileIO):
    """A file on a disk that fills up after a few hundred bytes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.room = 50

    def write(self, data) -> int:  # type: ignore[override]
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return super().write(data)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_to_a_full_disk_is_one_line_and_nothing_complains_afterwards(
    office, tmp_path, monkeypatch, fmt
):
    """ENOSPC at the write call: one error line, no ``Exception ignored`` when the zip is collected,
    no file left behind."""
    url, _, _ = office
    out_folder = tmp_path / "full"
    out_folder.mkdir()
    real_open = io.open

    def full_disk_open(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None, **kwargs):
        if "w" in mode and str(file).startswith(str(out_folder)):
            raw = _FullDisk(file, mode.replace("b", "").replace("t", ""))
            buffered = io.BufferedRandom(raw) if "+" in mode else io.BufferedWriter(raw)
            if "b" in mode:
                return buffered
            return io.TextIOWrapper(buffered, encoding=encoding, errors=errors, newline=newline)
        return real_open(file, mode, buffering, encoding, errors, newline, **kwargs)

    ignored: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda info: ignored.append(repr(info.exc_value)))
    monkeypatch.setattr(io, "open", full_disk_open)
    target = out_folder / f"customers.{fmt}"
    status, _, err = oms("--db", url, "export", "customers", "--format", fmt, "--out", str(target))
    monkeypatch.setattr(io, "open", real_open)
    gc.collect()
    assert ignored == []
    assert status == 1
    assert err == f"oms: error: cannot write {target}: No space left on device\n"
    assert list(out_folder.iterdir()) == []
