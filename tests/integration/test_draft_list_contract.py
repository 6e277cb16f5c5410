"""My drafts a page at a time (F5), on the in-memory fake, SQLite and PostgreSQL (the ``store``
fixture): most recently edited first, then by id, each page after the last row of the one before,
with no draft twice and none left out when drafts were edited in the same instant.
"""

from __future__ import annotations

from datetime import timedelta

from oms_core.ports import UnitOfWorkFactory
from oms_core.read_models import TimePosition
from tests.integration.storage_builders import T0, add_customer, draft


def test_drafts_page_most_recently_edited_first_with_ties_broken_by_id(store: UnitOfWorkFactory) -> None:
    times = [T0 + timedelta(minutes=m) for m in (3, 0, 3, 7, 3, 1, 0)]
    with store(write=True) as uow:
        buyer = add_customer(uow, "Ann", "Smith")
        ids = [uow.orders.add(draft(buyer.id, operator="ann", at=at)) for at in times]
        uow.orders.add(draft(buyer.id, operator="bob", at=T0 + timedelta(minutes=3)))  # not ann's
        uow.commit()
    newest_first = [i for _, i in sorted(zip(times, ids, strict=True), reverse=True)]

    pages: list[list[int]] = []
    after: TimePosition | None = None
    with store() as uow:
        while page := uow.orders.drafts(operator="ann", limit=3, after=after):
            pages.append([d.id for d in page])
            after = TimePosition.after_edit(page[-1])

    assert pages == [newest_first[0:3], newest_first[3:6], newest_first[6:]]
