"""A batch whose run was killed shows as interrupted (not running) and the next run resumes it."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from oms_core.bootstrap import Config, build
from oms_tui.cli import main
from tests.fakes import SKU_CABERNET, seed_reference
from tests.unit.batch_helpers import add_customer

MEMBERS = 12


@pytest.mark.slow
def test_a_killed_run_is_interrupted_and_resumes(database_url: str) -> None:
    application = build(Config(database_url, operator="root"))
    with application.uow_factory(write=True) as uow:
        seed_reference(uow)
        uow.commit()
    services = application.services
    members = [add_customer(services, f"M{i}") for i in range(MEMBERS)]
    batch = services.bulk.create("Gifts", [(SKU_CABERNET, 1)], "GROUND", members)

    runner = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.batch_kill_worker", database_url, str(batch.id)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert runner.stdout is not None
        assert runner.stdout.readline().strip() == "chunk"
        assert services.bulk.get(batch.id).status == "running"  # alive: holds its run lock
    finally:
        runner.kill()  # SIGKILL: no clean-up runs
        runner.wait(30)

    assert services.bulk.get(batch.id).status == "interrupted"
    out = io.StringIO()
    assert main(["--db", database_url, "bulk", "list"], stdout=out, stderr=io.StringIO()) == 0
    assert "interrupted" in out.getvalue()

    report = services.bulk.run(batch.id, chunk_size=4)
    assert report.placed == MEMBERS - 4  # the first chunk was committed before the kill
    view = services.bulk.get(batch.id)
    assert (view.status, view.counts.placed) == ("finished", MEMBERS)
    assert len([o for o in services.orders.list() if o.source == "bulk"]) == MEMBERS
    application.close()
