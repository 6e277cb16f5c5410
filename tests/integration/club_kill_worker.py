"""Processes a club shipment and is killed (SIGKILL) at a chosen step: python -m ... URL SHIPMENT LOG STEP.

Steps: ``before-gateway`` (stock taken and calls recorded, no card asked), ``in-gateway`` (some
cards approved, their answers never came back), ``before-commit`` (the approved orders were being
written), ``done`` (not killed).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

from oms_core.bootstrap import Config, build
from oms_core.storage import unit_of_work
from tests.recording_gateway import RecordingGateway


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class KillingGateway(RecordingGateway):
    __test__ = False

    def __init__(self, log: Path, step: str) -> None:
        super().__init__(log)
        self.step = step
        self.answered = 0
        self._lock = threading.Lock()

    def authorize(self, token, amount, idempotency_key):  # type: ignore[no-untyped-def]
        if self.step == "before-gateway":
            _die()
        answer = super().authorize(token, amount, idempotency_key)
        with self._lock:
            self.answered += 1
            if self.step == "in-gateway" and self.answered == 3:
                _die()
            if self.step == "before-commit" and self.answered == 1:
                unit_of_work.SqlUnitOfWork.commit = lambda self: _die()  # type: ignore[method-assign]
        return answer


def main() -> None:
    url, shipment_id, log, step = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    app = build(Config(url, operator="alice"), gateway=KillingGateway(log, step))
    app.services.clubs.process(shipment_id)
    print("done")


if __name__ == "__main__":
    main()
