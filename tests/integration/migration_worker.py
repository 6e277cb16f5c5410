"""One process running ``oms db upgrade``, started at the same moment as the others."""

from __future__ import annotations

import io
from multiprocessing.synchronize import Event


def upgrade(url: str, start: Event) -> tuple[int, str]:
    """Run ``oms --db URL db upgrade`` once ``start`` is set; return its status and error output."""
    import alembic.command  # noqa: F401 - imported before the start, so the processes overlap
    import sqlalchemy  # noqa: F401

    from oms_tui.cli import main

    err = io.StringIO()
    start.wait(30)
    status = main(["--db", url, "db", "upgrade"], stdout=io.StringIO(), stderr=err)
    return status, err.getvalue()
