"""The test gateway, writing down every approval and void in a file, so tests can count the holds
a card really has across processes that were killed mid-way (as a real gateway's dashboard would).
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

from oms_core.payments.test_gateway import TestGateway
from oms_core.ports import GatewayAnswer


class RecordingGateway(TestGateway):
    """``authorize <key> <reference>`` and ``void <reference>`` lines, appended and flushed."""

    __test__ = False

    def __init__(self, log: Path, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.log = log

    def authorize(self, token: str, amount: Decimal, idempotency_key: str) -> GatewayAnswer:
        answer = super().authorize(token, amount, idempotency_key)
        if answer.approved:
            self._write(f"authorize {idempotency_key} {answer.reference}")
        return answer

    def void(self, reference: str, idempotency_key: str = "") -> GatewayAnswer:
        answer = super().void(reference, idempotency_key)
        if answer.approved:
            self._write(f"void {reference}")
        return answer

    def _write(self, line: str) -> None:
        with self.log.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())


def live_holds(log: Path) -> dict[str, int]:
    """References approved and not voided, with how many distinct requests (keys) made each: a
    key repeated gets the same hold back, as from a real gateway; two keys would be two holds.
    """
    approved: dict[str, set[str]] = {}
    voided: set[str] = set()
    if not log.exists():
        return {}
    for line in log.read_text(encoding="utf-8").splitlines():
        kind, *rest = line.split()
        if kind == "authorize":
            approved.setdefault(rest[1], set()).add(rest[0])
        elif kind == "void":
            voided.add(rest[0])
    return {ref: len(keys) for ref, keys in approved.items() if ref not in voided}


class RefundLedgerGateway(RecordingGateway):
    """Refunds written to the log as ``refund <key> <amount> <reference>``: a refund asked again with
    a key already in the log gets its first answer back, across processes, as from a real gateway
    (the in-memory test gateway forgets what a killed process did).
    """

    __test__ = False

    def refund(self, reference: str, amount: Decimal | None, idempotency_key: str) -> GatewayAnswer:
        for kind, *rest in (line.split() for line in _lines(self.log)):
            if kind == "refund" and rest[0] == idempotency_key:
                return GatewayAnswer.approve(rest[2])
        answer = GatewayAnswer.approve(
            f"re_{len(_lines(self.log))}_{idempotency_key[-12:]}".replace(":", "_")
        )
        self._write(f"refund {idempotency_key} {amount} {answer.reference}")
        return answer


def refunds(log: Path) -> list[tuple[str, Decimal]]:
    """(key, amount) of every refund the gateway made."""
    return [
        (rest[0], Decimal(rest[1]))
        for kind, *rest in (line.split() for line in _lines(log))
        if kind == "refund"
    ]


def _lines(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []
