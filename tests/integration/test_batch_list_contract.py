"""The batch list's keyset pages, on the in-memory fake, SQLite and PostgreSQL (the ``store``
fixture): newest first by created time then id, each page after the last row of the one before,
with no batch twice and none left out, even when batches were created in the same instant.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from oms_core.domain.batches import Batch, BatchKind
from oms_core.ports import UnitOfWorkFactory
from oms_core.read_models import TimePosition

START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def _add(store: UnitOfWorkFactory, kind: BatchKind, name: str, at: datetime) -> int:
    with store(write=True) as uow:
        batch_id = uow.batches.add(
            Batch(None, kind, name, (("SKU", 1),), "GROUND", created_by="alice", created_at=at, updated_at=at)
        )
        uow.commit()
    return batch_id


def _pages(store: UnitOfWorkFactory, kind: BatchKind, size: int) -> list[list[int]]:
    pages: list[list[int]] = []
    after: TimePosition | None = None
    with store() as uow:
        while True:
            page = uow.batches.list(kind, size, after)
            if not page:
                return pages
            pages.append([b.id or 0 for b in page])
            after = TimePosition.after(page[-1])


def test_batches_page_newest_first_with_ties_in_created_time_broken_by_id(store: UnitOfWorkFactory) -> None:
    # Created out of time order, three of them in one instant, and a bulk order between them.
    times = [START + timedelta(minutes=m) for m in (5, 0, 5, 9, 5, 1, 0)]
    ids = [_add(store, BatchKind.CLUB, f"Club {i}", at) for i, at in enumerate(times)]
    _add(store, BatchKind.BULK, "Bulk", START + timedelta(minutes=5))
    newest_first = [i for _, i in sorted(zip(times, ids, strict=True), reverse=True)]

    pages = _pages(store, BatchKind.CLUB, 2)

    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:6], newest_first[6:]]
    with store() as uow:
        assert [b.id for b in uow.batches.list(BatchKind.CLUB, 100)] == newest_first
        last = uow.batches.list(BatchKind.CLUB, 100)[-1]
        assert uow.batches.list(BatchKind.CLUB, 100, TimePosition.after(last)) == []


def test_a_page_after_a_batch_of_the_other_kind_holds_only_its_own_kind(store: UnitOfWorkFactory) -> None:
    bulk = _add(store, BatchKind.BULK, "Bulk", START + timedelta(minutes=3))
    older = _add(store, BatchKind.BULK, "Older bulk", START)
    club = _add(store, BatchKind.CLUB, "Club", START + timedelta(minutes=1))
    with store() as uow:
        newest = uow.batches.list(BatchKind.BULK, 1)
        after = uow.batches.list(BatchKind.BULK, 5, TimePosition.after(newest[0]))
    assert [b.id for b in newest] == [bulk]
    assert [b.id for b in after] == [older]
    assert club not in [b.id for b in after]
