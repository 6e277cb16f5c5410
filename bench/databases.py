"""Seeded benchmark databases, built once with ``oms seed`` and reused by later runs.

SQLite files live in the temp folder; PostgreSQL databases on the local server
(``$OMS_BENCH_PG_URL``, default ``postgresql://postgres@127.0.0.1:5432/postgres``) are named after
their size. Pass ``fresh=True`` to rebuild one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("OMS_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ("sqlite", "postgresql")


def _name(customers: int, orders: int) -> str:
    return f"oms_bench_c{customers}_o{orders}"


def _seed(url: str, customers: int, orders: int) -> None:
    print(f"seeding {customers:,} customers and {orders:,} orders into {url} (once) ...", flush=True)
    command = [sys.executable, "-m", "oms_tui.cli", "--db", url, "seed"]
    command += ["--customers", str(customers), "--products", "100", "--seed", "7"]
    if orders:
        command += ["--orders", str(orders)]
    subprocess.run(command, check=True, cwd=ROOT)


def sqlite_path(customers: int, orders: int = 0) -> Path:
    """Where the SQLite file of this size lives (the customers-only one keeps its old name)."""
    if not orders:
        return Path(tempfile.gettempdir()) / f"oms-bench-search-{customers}.db"
    return Path(tempfile.gettempdir()) / f"{_name(customers, orders)}.db"


def seeded_url(backend: str, customers: int, orders: int = 0, *, fresh: bool = False) -> str:
    """The URL of a database of ``backend`` with ``customers`` and ``orders`` seeded (built once)."""
    if backend == "sqlite":
        path = sqlite_path(customers, orders)
        if fresh or not path.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            _seed(f"sqlite:///{path}", customers, orders)
        return f"sqlite:///{path}"
    if backend != "postgresql":
        raise ValueError(f"unknown backend {backend!r}")
    import psycopg

    name = _name(customers, orders)
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    url = f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and fresh:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
            try:
                _seed(url, customers, orders)
            except BaseException:
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                raise
    return url
