"""The outbox on SQLite and PostgreSQL: claiming, leases, retries, and two senders never sharing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from oms_core.clock import SystemClock
from oms_core.domain.mail import MailKind, MailMessage, MailStatus
from oms_core.storage import SqlUnitOfWorkFactory, make_engine

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
LEASE = NOW + timedelta(minutes=10)


def _message(n: int) -> MailMessage:
    return MailMessage(MailKind.ORDER_CONFIRMATION, f"c{n}@example.com", f"Order {n}", "body", order_id=n)


def _queue(factory: SqlUnitOfWorkFactory, count: int) -> list[int]:
    with factory(write=True) as uow:
        ids = [uow.outbox.add(_message(n), NOW) for n in range(1, count + 1)]
        uow.commit()
    return ids


def test_due_messages_are_claimed_oldest_first_and_each_claim_is_an_attempt(database_url):
    engine = make_engine(database_url)
    factory = SqlUnitOfWorkFactory(engine, SystemClock())
    try:
        ids = _queue(factory, 3)
        with factory(write=True) as uow:
            claimed = uow.outbox.claim_due(NOW, LEASE, 2)
            uow.commit()
        assert [e.id for e in claimed] == ids[:2]
        assert all(e.status is MailStatus.SENDING and e.attempts == 1 for e in claimed)
        assert claimed[0].message == _message(1)
        with factory(write=True) as uow:
            assert [e.id for e in uow.outbox.claim_due(NOW, LEASE, 10)] == ids[2:]
            uow.commit()
        with factory(write=True) as uow:
            assert uow.outbox.claim_due(NOW, LEASE, 10) == []  # all leased
            assert [e.id for e in uow.outbox.claim_due(LEASE, LEASE + timedelta(minutes=10), 10)] == ids
            uow.commit()
    finally:
        engine.dispose()


def test_sent_failed_and_retried_messages_are_recorded(database_url):
    engine = make_engine(database_url)
    factory = SqlUnitOfWorkFactory(engine, SystemClock())
    try:
        first, second, third = _queue(factory, 3)
        with factory(write=True) as uow:
            uow.outbox.claim_due(NOW, LEASE, 10)
            uow.outbox.mark_sent(first, NOW)
            uow.outbox.mark_failed(second, "550 no such user", None)
            uow.outbox.mark_failed(third, "connection refused", NOW + timedelta(minutes=1))
            uow.commit()
        with factory() as uow:
            counts = uow.outbox.counts()
            assert counts[MailStatus.SENT] == counts[MailStatus.FAILED] == counts[MailStatus.PENDING] == 1
            assert uow.outbox.for_order(1)[0].sent_at == NOW
            assert uow.outbox.for_order(2)[0].last_error == "550 no such user"
            assert uow.outbox.claim_due(NOW, LEASE, 10) == []
        with factory(write=True) as uow:
            again = uow.outbox.claim_due(NOW + timedelta(minutes=1), LEASE, 10)
            assert [(e.id, e.attempts) for e in again] == [(third, 2)]
    finally:
        engine.dispose()


def test_two_senders_at_once_never_claim_the_same_message(database_url):
    engine = make_engine(database_url)
    factory = SqlUnitOfWorkFactory(engine, SystemClock())
    try:
        _queue(factory, 6)
        first = factory(write=True)
        with first:
            mine = first.outbox.claim_due(NOW, LEASE, 3)
            if engine.dialect.name == "postgresql":  # SQLite's write lock serialises the senders instead
                with factory(write=True) as second:
                    theirs = second.outbox.claim_due(NOW, LEASE, 10)
                    second.commit()
                assert {e.id for e in mine}.isdisjoint(e.id for e in theirs)
                assert len(mine) + len(theirs) == 6
            first.commit()
    finally:
        engine.dispose()


def test_a_customer_s_latest_messages_come_first(database_url):
    engine = make_engine(database_url)
    factory = SqlUnitOfWorkFactory(engine, SystemClock())
    try:
        with factory(write=True) as uow:
            for n in range(3):
                uow.outbox.add(MailMessage(MailKind.REFUND, "a@b.example", f"s{n}", "b", customer_id=9), NOW)
            uow.commit()
        with factory() as uow:
            assert [e.message.subject for e in uow.outbox.for_customer(9, 2)] == ["s2", "s1"]
    finally:
        engine.dispose()
