"""``oms db backup FILE``: an online SQLite copy that is safe while operators write, checked before it
is put in place, never over an existing file unless told, only ever a regular file."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oms_core.storage.backup import integrity_problems
from oms_tui.cli import main

# A second process writing the way operators do (WAL, busy timeout, short write transactions) until
# the stop file appears; it prints how many rows it wrote, or the error that stopped it.
WRITER = """
import sqlite3, sys, pathlib
db, stop = sys.argv[1], pathlib.Path(sys.argv[2])
conn = sqlite3.connect(db, isolation_level=None, timeout=10)
conn.execute("PRAGMA journal_mode = WAL")
written = 0
while not stop.exists():
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO ticks (payload) VALUES (?)", [("x" * 200,)] * 50)
    conn.execute("COMMIT")
    written += 50
print(written)
"""


def oms(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "oms.db"
    assert oms("--db", f"sqlite:///{path}", "db", "upgrade")[0] == 0
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE ticks (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
        conn.executemany("INSERT INTO ticks (payload) VALUES (?)", [("y" * 200,)] * 20_000)
    return path


def backup(database: Path, target: Path, *flags: str) -> tuple[int, str, str]:
    return oms("--db", f"sqlite:///{database}", "db", "backup", str(target), *flags)


def ticks(path: Path) -> int:
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT count(*) FROM ticks").fetchone()[0]


def test_a_backup_taken_while_another_process_writes_is_whole_and_consistent(database, tmp_path):
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(database), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while ticks(database) == 20_000 and writer.poll() is None:  # until the writer is writing
            time.sleep(0.01)
        copies = []
        for n in range(3):
            target = tmp_path / f"copy-{n}.db"
            status, out, err = backup(database, target)
            assert (status, err) == (0, ""), err
            assert out.startswith(f"backed up sqlite:///{database} to {target}")
            assert out.rstrip().endswith("integrity check ok)")
            copies.append(target)
    finally:
        stop.touch()
        written, errors = writer.communicate(timeout=60)
    assert writer.returncode == 0, errors  # the writer was never refused while the copies were made
    final = ticks(database)
    assert final == 20_000 + int(written)
    counts = []
    for copy in copies:
        assert integrity_problems(copy) == []
        counts.append(ticks(copy))
        # whole transactions only: the writer commits 50 rows at a time
        assert counts[-1] % 50 == 0
    assert 20_000 <= counts[0] <= counts[1] <= counts[2] <= final


def test_the_copy_is_one_self_contained_file_with_the_databases_permissions(database, tmp_path):
    os.chmod(database, 0o640)
    target = tmp_path / "copy.db"
    assert backup(database, target)[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == ["copy.db"]
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 1
    assert target.stat().st_mode & 0o777 == 0o640
    assert ticks(target) == 20_000


def test_an_existing_file_is_kept_unless_force_is_given(database, tmp_path):
    target = tmp_path / "copy.db"
    target.write_text("last week's backup")
    status, _, err = backup(database, target)
    assert (status, err) == (1, f"oms: error: {target} exists: add --force to replace it\n")
    assert target.read_text() == "last week's backup"
    assert backup(database, target, "--force")[0] == 0
    assert ticks(target) == 20_000


def test_only_regular_files_are_written_even_with_force(database, tmp_path):
    elsewhere = tmp_path / "elsewhere.db"
    elsewhere.write_text("not to be touched")
    link = tmp_path / "link.db"
    link.symlink_to(elsewhere)
    status, _, err = backup(database, link, "--force")
    assert status == 1 and "symbolic link" in err
    assert elsewhere.read_text() == "not to be touched"
    status, _, err = backup(database, Path(os.devnull), "--force")
    assert status == 1 and "not a regular file" in err
    status, _, err = backup(database, tmp_path / "missing" / "copy.db")
    assert status == 1 and "oms creates no folders" in err


def test_the_database_itself_is_never_the_target(database):
    status, _, err = backup(database, database, "--force")
    assert (status, err) == (1, f"oms: error: {database} is the database itself: give another file name\n")
    assert integrity_problems(database) == []


def test_a_missing_database_is_refused_and_not_created(tmp_path):
    missing = tmp_path / "none.db"
    status, _, err = backup(missing, tmp_path / "copy.db")
    assert status == 1 and "there is no database" in err
    assert not missing.exists() and not (tmp_path / "copy.db").exists()


def test_postgresql_is_pointed_at_pg_dump_in_one_line_without_the_password(tmp_path):
    status, out, err = oms("--db", "postgresql://oms:s3cret@db.local:5433/oms", "db", "backup", "oms.dump")
    assert (status, out) == (1, "")
    assert err == (
        "oms: error: oms db backup copies SQLite databases; back up PostgreSQL with pg_dump: "
        "pg_dump --format=custom --file oms.dump 'postgresql://oms@db.local:5433/oms'\n"
    )


def test_a_file_that_is_not_a_database_is_one_line_and_leaves_no_copy(tmp_path):
    broken = tmp_path / "oms.db"
    broken.write_bytes(b"this is not a database, just some text long enough to have a header" * 20)
    target = tmp_path / "copy.db"
    status, _, err = backup(broken, target)
    assert status == 1
    assert err == f"oms: error: cannot copy {broken}: file is not a database\n"
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["oms.db"]
