"""The returns list's keyset pages (`oms returns list --before`), on the in-memory fake, SQLite and
PostgreSQL (the ``store`` fixture): newest first by created time then id, each page before the
last row of the one before, with no return twice and none left out when times tie.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from oms_core.domain.returns import Disposition, Return, ReturnLine, ReturnReason
from oms_core.ports import UnitOfWorkFactory
from oms_core.read_models import TimePosition
from tests.integration.storage_builders import add_customer, draft

START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def test_returns_page_newest_first_with_ties_in_time_broken_by_id(store: UnitOfWorkFactory) -> None:
    times = [START + timedelta(minutes=m) for m in (2, 0, 2, 5, 2, 1)]
    with store(write=True) as uow:
        buyer = add_customer(uow, "Ann", "Smith")
        order_id = uow.orders.add(draft(buyer.id))
        lines = (ReturnLine(1, 1, "CAB-750", 1, Disposition.RESTOCK),)
        ids = [
            uow.returns.add(Return(None, order_id, buyer.id, ReturnReason.DAMAGED, "", lines, at, "ann"))
            for at in times
        ]
        uow.commit()
    newest_first = [i for _, i in sorted(zip(times, ids, strict=True), reverse=True)]

    pages: list[list[int]] = []
    before: TimePosition | None = None
    with store() as uow:
        while page := uow.returns.recent(None, 2, before):
            pages.append([r.id or 0 for r in page])
            before = TimePosition.after(page[-1])
        since = uow.returns.recent(START + timedelta(minutes=2), 10, TimePosition(times[2], ids[2]))

    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:6]]
    assert [r.id for r in since] == [ids[0]]  # at or after the time, and before the position
