"""Running a transaction again when the database gave it up because of concurrent work.

PostgreSQL aborts one of two transactions that wait on each other (a deadlock) and, under stricter
isolation, one that read what another changed (a serialisation failure); SQLite gives up a write that
waited longer than its busy timeout. The storage raises :class:`TransactionConflict` for all of them,
and the whole service call (or one chunk of a batch job) runs again from its first read, so nothing
decided on the old data is kept. Attempts are few and spaced with random jitter, so two transactions
that collided do not collide again in step; when they run out, the operator reads one line in words.

Only a call that is one transaction, or whose earlier transactions are safe to repeat, may be
decorated: a retry starts the call again from the top.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from oms_core.domain.errors import DatabaseBusy, TransactionConflict

if TYPE_CHECKING:
    from oms_core.ports import UnitOfWork
    from oms_core.services.context import ServiceContext

P = ParamSpec("P")
R = TypeVar("R")

MAX_ATTEMPTS = 6
"""Tries per call, the first included."""

RETRY_BUDGET_SECONDS = 30.0
"""No new attempt starts after this long (a SQLite attempt may itself wait out the busy timeout)."""

BASE_DELAY_SECONDS = 0.02
"""The first pause's upper bound; it doubles with every attempt (full jitter)."""

_jitter = random.Random()  # noqa: S311 - spacing retries, not secrets


def retry_on_conflict(call: Callable[P, R]) -> Callable[P, R]:
    """Decorate a service call so a :class:`TransactionConflict` runs it again, a bounded number of times.

    Raises:
        DatabaseBusy: the conflicts went on through every attempt (the last one chained).
    """

    @functools.wraps(call)
    def retrying(*args: P.args, **kwargs: P.kwargs) -> R:
        started = time.monotonic()
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return call(*args, **kwargs)
            except TransactionConflict as conflict:
                out_of_time = time.monotonic() - started > RETRY_BUDGET_SECONDS
                if attempt == MAX_ATTEMPTS or out_of_time:
                    raise DatabaseBusy(
                        f"the database stayed busy with other work through {attempt} attempts; "
                        "nothing was saved, try again in a moment"
                    ) from conflict
                time.sleep(_jitter.uniform(0, BASE_DELAY_SECONDS * 2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    return retrying


def write_retrying(context: ServiceContext, work: Callable[[UnitOfWork], R]) -> R:
    """Run ``work`` in one write transaction, again from its first read if the database gave the
    transaction up. ``work`` commits (or returns without committing, which rolls back).

    For the database steps of a call that also talks to a gateway: the step is repeated, never
    the gateway request around it.
    """

    @retry_on_conflict
    def attempt() -> R:
        with context.write() as uow:
            return work(uow)

    return attempt()
